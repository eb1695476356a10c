//! Moving and dissolving organisations over real HTTP: a primary with members
//! moved from one territorial to another on a date counts under the old one
//! before it and under the new one from it; `knownAt` before the move still
//! gives the old answer; dissolution is refused while members are inside.
//!
//! The move is dated today and "the day before" is yesterday. (Registered
//! without a date, the primary could move as of any past day, and one
//! established on a day not before it: `api_org_dates.rs`.)

mod support;

use serde_json::{Value, json};
use support::{Server, admission, assert_refusal, days_ago, register, started, today};

const MOVE: &str = "mutation($id: ID!, $to: ID!, $on: Date) {
    moveOrganization(id: $id, newParentId: $to, effectiveOn: $on) { id parent { id } path { id } } }";

const STATISTICS: &str = "query($org: ID!, $asOf: Date, $knownAt: Int) {
    statistics(orgId: $org, asOf: $asOf, knownAt: $knownAt) { members knownAt asOf } }";

async fn members(
    server: &Server,
    admin: &str,
    org: &str,
    as_of: &str,
    known_at: Option<i64>,
) -> Value {
    let variables = json!({ "org": org, "asOf": as_of, "knownAt": known_at });
    server.ok(STATISTICS, variables, Some(admin)).await["statistics"].clone()
}

#[tokio::test]
async fn a_moved_primary_counts_under_its_old_parent_before_the_move_and_the_new_one_from_it() {
    let (_dir, server, central, token) = started().await;
    let admin = token.as_str();
    let regional = register(&server, admin, &central, "Томская", "REGIONAL", Some(70)).await;
    let a = register(&server, admin, &regional, "Район А", "TERRITORIAL", None).await;
    let b = register(&server, admin, &regional, "Район Б", "TERRITORIAL", None).await;
    let moving = register(&server, admin, &a, "Школа, что переезжает", "PRIMARY", None).await;
    let staying = register(&server, admin, &a, "Школа, что остаётся", "PRIMARY", None).await;
    let mut movers = Vec::new();
    for name in ["Орлова", "Соколова"] {
        let input = admission(&moving, name, "1985-01-20", "2025-03-01");
        movers.push(support::admit(&server, admin, input).await["id"].clone());
    }
    let input = admission(&staying, "Зайцева", "1980-07-07", "2025-03-01");
    support::admit(&server, admin, input).await;

    let (yesterday, today) = (days_ago(1), today().to_string());
    let before_move = server.head(admin).await;
    let moved = server
        .ok(
            MOVE,
            json!({ "id": moving, "to": b, "on": today }),
            Some(admin),
        )
        .await;
    let moved = &moved["moveOrganization"];
    assert_eq!(moved["parent"]["id"], b.as_str(), "{moved}");
    let path: Vec<&str> = moved["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(path, [&central, &regional, &b, &moving], "{moved}");

    // (organisation, as of, known at) → members.
    let cases = [
        (&a, &yesterday, None, 3),
        (&a, &today, None, 1),
        (&b, &yesterday, None, 0),
        (&b, &today, None, 2),
        (&regional, &yesterday, None, 3),
        (&regional, &today, None, 3),
        (&a, &today, Some(before_move), 3),
        (&b, &today, Some(before_move), 0),
        (&a, &yesterday, Some(before_move), 3),
    ];
    for (org, as_of, known_at, expected) in cases {
        let stats = members(&server, admin, org, as_of, known_at).await;
        let name = if org == &a {
            "A"
        } else if org == &b {
            "B"
        } else {
            "regional"
        };
        assert_eq!(
            stats["members"], expected,
            "{name} as of {as_of}, known at {known_at:?}: {stats}"
        );
        if let Some(known_at) = known_at {
            assert_eq!(stats["knownAt"], known_at, "{stats}");
        }
    }
    // The answer known at a position never changes once it is committed.
    let pinned = members(&server, admin, &a, &today, Some(before_move)).await;
    support::admit(
        &server,
        admin,
        admission(&staying, "Новикова", "1990-02-02", &today),
    )
    .await;
    assert_eq!(
        members(&server, admin, &a, &today, Some(before_move)).await,
        pinned
    );
    assert_eq!(
        members(&server, admin, &a, &today, None).await["members"],
        2
    );

    // A move is no admission or transfer; it changes `net` only.
    let movement = "query($org: ID!, $from: Date!, $to: Date!) {
        movement(orgId: $org, from: $from, to: $to) { admitted transferredIn transferredOut ended net } }";
    let m = server
        .ok(
            movement,
            json!({ "org": b, "from": today, "to": today }),
            Some(admin),
        )
        .await;
    assert_eq!(
        m["movement"],
        json!({ "admitted": 0, "transferredIn": 0, "transferredOut": 0, "ended": 0, "net": 2 }),
        "{m}"
    );
}

#[tokio::test]
async fn an_organisation_is_dissolved_only_once_no_member_is_inside() {
    let (_dir, server, central, token) = started().await;
    let admin = token.as_str();
    let regional = register(&server, admin, &central, "Омская", "REGIONAL", Some(55)).await;
    let territorial = register(&server, admin, &regional, "Район", "TERRITORIAL", None).await;
    let closing = register(&server, admin, &territorial, "Закрываемая", "PRIMARY", None).await;
    let other = register(&server, admin, &territorial, "Соседняя", "PRIMARY", None).await;
    let input = admission(&closing, "Лебедева", "1975-11-11", "2024-09-01");
    let member = support::admit(&server, admin, input).await["id"].clone();

    let dissolve = "mutation($id: ID!, $on: Date!) {
        dissolveOrganization(id: $id, effectiveOn: $on) { id dissolved memberCount } }";
    let today = today().to_string();
    for org in [&closing, &territorial] {
        let refused = server
            .refused(
                dissolve,
                json!({ "id": org, "on": today }),
                Some(admin),
                admin,
            )
            .await;
        assert_refusal(&refused, "RULE_VIOLATION", Some("NOT_EMPTY"));
    }

    let transfer = "mutation($id: ID!, $to: ID!, $on: Date!) {
        transferMember(memberId: $id, toOrgId: $to, effectiveOn: $on) { organization { id } } }";
    server
        .ok(
            transfer,
            json!({ "id": member, "to": other, "on": today }),
            Some(admin),
        )
        .await;
    let dissolved = server
        .ok(dissolve, json!({ "id": closing, "on": today }), Some(admin))
        .await;
    assert_eq!(
        dissolved["dissolveOrganization"],
        json!({ "id": closing, "dissolved": true, "memberCount": 0 }),
        "{dissolved}"
    );

    // Dissolved: no new home there, no second dissolution.
    let input = admission(&closing, "Новая", "1999-01-01", &today);
    let refused = server
        .refused(
            support::ADMIT,
            json!({ "input": input }),
            Some(admin),
            admin,
        )
        .await;
    assert_refusal(&refused, "RULE_VIOLATION", Some("HOME_DISSOLVED"));
    let again = server
        .refused(
            dissolve,
            json!({ "id": closing, "on": today }),
            Some(admin),
            admin,
        )
        .await;
    assert_refusal(&again, "RULE_VIOLATION", Some("ALREADY_DISSOLVED"));
    // The territorial still holds the transferred member.
    let still = server
        .refused(
            dissolve,
            json!({ "id": territorial, "on": today }),
            Some(admin),
            admin,
        )
        .await;
    assert_refusal(&still, "RULE_VIOLATION", Some("NOT_EMPTY"));
}
