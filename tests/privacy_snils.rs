//! No SNILS oracle, no takeover by SNILS (issue 11, items 2 and 3), over HTTP
//! against `reestr serve`: a chair of one subtree, sending SNILS of members of
//! another, learns nothing from the refusals (one code, one message, whether
//! the holder is active there, ended there with another identity, or ended
//! there after the date asked), each such lookup is recorded as a read of that
//! person and limited per holder; a re-admission by SNILS needs the identity to
//! agree and never overwrites it, and the new subtree's ADMIN reads no personal
//! data recorded in the earlier spell elsewhere.

mod support;

use serde_json::{Value, json};
use support::{Server, admission, grant, snils, started};

const ADMIT: &str = "mutation($input: AdmitMemberInput!) {
    admitMember(input: $input) { id lastName birthDate status organization { id } } }";
const UPDATE: &str = "mutation($id: ID!, $snils: String!) {
    updateMember(memberId: $id, input: { snils: $snils }) { id } }";
const END: &str = "mutation($id: ID!, $on: Date!) {
    endMembership(memberId: $id, reason: VOLUNTARY_EXIT, effectiveOn: $on) { id status } }";
const MEMBER: &str = "query($id: ID!) { member(id: $id) {
    lastName firstName birthDate snils status organization { id } history { type summary } } }";
const READS: &str = "query($v: ID) { personalDataReads(viewerId: $v, first: 100) {
    nodes { memberId } } }";

/// Two regional subtrees, A (51) and B (52), each down to a primary, with a
/// CHAIR of each primary: (primary A, primary B, chair A's token, chair B's
/// user id and token).
struct Union {
    regional_b: String,
    primary_a: String,
    primary_b: String,
    chair_a: String,
    chair_b_user: String,
    chair_b: String,
}

async fn union(server: &Server, root: &str, central: &str) -> Union {
    let (_, _, primary_a) = support::branch(server, root, central, 51).await;
    let (regional_b, _, primary_b) = support::branch(server, root, central, 52).await;
    let (_, chair_a) = grant(server, root, "CHAIR", &primary_a, "chair A").await;
    let (chair_b_user, chair_b) = grant(server, root, "CHAIR", &primary_b, "chair B").await;
    Union {
        regional_b,
        primary_a,
        primary_b,
        chair_a,
        chair_b_user,
        chair_b,
    }
}

fn with_snils(mut input: Value, snils: &str) -> Value {
    input["snils"] = json!(snils);
    input
}

/// Events in the log other than the audit trail's, as the root sees them: a
/// refused lookup may record a read, and must write nothing else.
async fn registry_events(server: &Server, root: &str) -> i64 {
    let query = "{ all: events(first: 0) { totalCount }
        audit: events(stream: \"audit-personal-data\", first: 0) { totalCount } }";
    let data = server.ok(query, json!({}), Some(root)).await;
    data["all"]["totalCount"].as_i64().unwrap() - data["audit"]["totalCount"].as_i64().unwrap()
}

/// The first error of a request that must be refused, having written nothing
/// but (perhaps) the record of a read.
async fn refused(server: &Server, query: &str, variables: Value, token: &str, root: &str) -> Value {
    let before = registry_events(server, root).await;
    let response = server.graphql(query, variables, Some(token)).await;
    assert!(
        !response["errors"][0].is_null(),
        "{query}\nwas not refused: {response}"
    );
    assert_eq!(
        registry_events(server, root).await,
        before,
        "a refusal wrote: {response}"
    );
    response["errors"][0].clone()
}

async fn admit(server: &Server, token: &str, input: Value) -> String {
    let data = server
        .ok(ADMIT, json!({ "input": input }), Some(token))
        .await;
    data["admitMember"]["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn refusals_for_snils_of_another_subtree_say_nothing_and_each_lookup_is_recorded_and_limited()
{
    let (_dir, server, central, root) = started().await;
    let root = root.as_str();
    let u = union(&server, root, &central).await;
    let (active_snils, ended_snils, unknown_snils) =
        (snils(510_000_001), snils(510_000_002), snils(510_000_003));
    let active = admit(
        &server,
        &u.chair_a,
        with_snils(
            admission(&u.primary_a, "Действующая", "1981-01-01", "2020-01-01"),
            &active_snils,
        ),
    )
    .await;
    let ended = admit(
        &server,
        &u.chair_a,
        with_snils(
            admission(&u.primary_a, "Выбывшая", "1982-02-02", "2020-01-01"),
            &ended_snils,
        ),
    )
    .await;
    server
        .ok(
            END,
            json!({ "id": ended, "on": "2025-01-10" }),
            Some(&u.chair_a),
        )
        .await;

    // Chair B tries them: active in A; ended in A, another birth date; ended
    // in A, the right identity but a date before the exit.
    let attempts = [
        with_snils(
            admission(&u.primary_b, "Любая", "1990-05-05", "2025-06-01"),
            &active_snils,
        ),
        with_snils(
            admission(&u.primary_b, "Любая", "1990-05-05", "2025-06-01"),
            &ended_snils,
        ),
        with_snils(
            admission(&u.primary_b, "Выбывшая", "1982-02-02", "2024-12-01"),
            &ended_snils,
        ),
    ];
    let mut refusals = Vec::new();
    for input in attempts {
        let error = refused(&server, ADMIT, json!({ "input": input }), &u.chair_b, root).await;
        refusals.push(error);
    }
    // Chair B's own member, updated with the SNILS of A's active member.
    let own = admit(
        &server,
        &u.chair_b,
        with_snils(
            admission(&u.primary_b, "Своя", "1985-03-03", "2021-01-01"),
            &unknown_snils,
        ),
    )
    .await;
    let error = refused(
        &server,
        UPDATE,
        json!({ "id": own, "snils": active_snils }),
        &u.chair_b,
        root,
    )
    .await;
    refusals.push(error);
    for error in &refusals {
        assert_eq!(error["extensions"]["code"], "RULE_VIOLATION", "{error}");
        assert_eq!(
            error["extensions"]["rule"], "SNILS_OUTSIDE_SUBTREE",
            "{error}"
        );
        assert_eq!(error["message"], refusals[0]["message"], "{refusals:?}");
        let text = error.to_string();
        for secret in [
            u.primary_a.as_str(),
            active.as_str(),
            ended.as_str(),
            "2025-01-10",
        ] {
            assert!(
                !text.contains(secret),
                "the refusal reveals {secret}: {text}"
            );
        }
    }

    // Each lookup of a person outside chair B's subtree is a recorded read.
    // (The audit trail's read model follows the log within moments.)
    let mut read = Vec::new();
    for _ in 0..50 {
        let data = server
            .ok(READS, json!({ "v": u.chair_b_user }), Some(root))
            .await;
        read = data["personalDataReads"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["memberId"].as_str().map(String::from))
            .collect();
        if read.contains(&active) && read.contains(&ended) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(read.contains(&active) && read.contains(&ended), "{read:?}");

    // And they are limited per holder: a script trying SNILS after SNILS is stopped.
    let probe = with_snils(
        admission(&u.primary_b, "Любая", "1990-05-05", "2025-06-01"),
        &active_snils,
    );
    let mut limited = false;
    for _ in 0..40 {
        let error = refused(&server, ADMIT, json!({ "input": probe }), &u.chair_b, root).await;
        if error["extensions"]["code"] == "RATE_LIMITED" {
            limited = true;
            break;
        }
    }
    assert!(limited, "40 lookups in a row were never limited");
    // Chair A, whose subtree holds the person, is not limited by chair B's lookups.
    let error = refused(&server, ADMIT, json!({ "input": with_snils(admission(&u.primary_a, "Действующая", "1981-01-01", "2025-06-01"), &active_snils) }), &u.chair_a, root).await;
    assert_eq!(error["extensions"]["rule"], "ACTIVE_ELSEWHERE", "{error}");
}

#[tokio::test]
async fn a_re_admission_by_snils_needs_the_same_identity_and_keeps_the_earlier_spell_s_data_to_its_subtree()
 {
    let (_dir, server, central, root) = started().await;
    let root = root.as_str();
    let u = union(&server, root, &central).await;
    let earlier_snils = snils(520_000_001);
    let mut first = admission(&u.primary_a, "Девичья", "1979-09-09", "2015-09-01");
    first["snils"] = json!(earlier_snils);
    first["email"] = json!("earlier.spell@example.org");
    let person = admit(&server, &u.chair_a, first).await;
    server
        .ok(
            END,
            json!({ "id": person, "on": "2024-06-30" }),
            Some(&u.chair_a),
        )
        .await;

    // Another birth date, or another given name: not this person. Refused,
    // even from the root, which sees the whole union; nothing overwritten.
    let mut other_birth = admission(&u.primary_b, "Захватчикова", "1995-01-01", "2025-01-15");
    other_birth["snils"] = json!(earlier_snils);
    let mut other_name = admission(&u.primary_b, "Девичья", "1979-09-09", "2025-01-15");
    other_name["snils"] = json!(earlier_snils);
    other_name["firstName"] = json!("Ольга");
    for input in [other_birth, other_name] {
        let error = refused(&server, ADMIT, json!({ "input": input }), root, root).await;
        assert_eq!(error["extensions"]["rule"], "IDENTITY_MISMATCH", "{error}");
    }
    let kept = server.ok(MEMBER, json!({ "id": person }), Some(root)).await;
    assert_eq!(kept["member"]["lastName"], "Девичья", "{kept}");
    assert_eq!(kept["member"]["birthDate"], "1979-09-09", "{kept}");

    // The same person, married since: admitted again in B, the new surname
    // recorded as a change of its own in the history.
    let mut again = admission(&u.primary_b, "Замужняя", "1979-09-09", "2025-01-15");
    again["snils"] = json!(earlier_snils);
    let readmitted = server
        .ok(ADMIT, json!({ "input": again }), Some(&u.chair_b))
        .await;
    let readmitted = &readmitted["admitMember"];
    assert_eq!(
        readmitted["id"],
        person.as_str(),
        "re-admitted as the same person"
    );
    assert_eq!(readmitted["organization"]["id"], u.primary_b.as_str());
    let now = server
        .ok(MEMBER, json!({ "id": person }), Some(&u.chair_b))
        .await;
    let now = &now["member"];
    assert_eq!(now["lastName"], "Замужняя", "{now}");
    assert_eq!(now["birthDate"], "1979-09-09", "{now}");
    let summaries: Vec<&str> = now["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["summary"].as_str().unwrap())
        .collect();
    assert!(
        summaries.last().is_some_and(|s| s.contains("фамилия")),
        "the change of surname is in the history: {summaries:?}"
    );

    // B's ADMIN reads the person's journal: the earlier spell (in A) without
    // its personal data, the current one with it.
    let (_, admin_b) = grant(&server, root, "ADMIN", &u.regional_b, "admin B").await;
    let journal = "query($s: String!) { events(stream: $s) { edges { node { type data } } } }";
    let stream = format!("person-{person}");
    let events = server
        .ok(journal, json!({ "s": stream }), Some(&admin_b))
        .await;
    let text = events.to_string();
    assert!(
        text.contains("Замужняя"),
        "the current spell's data is shown: {text:.600}"
    );
    assert!(
        !text.contains("earlier.spell@example.org"),
        "the earlier spell's contacts are not shown below the root: {text:.600}"
    );
    let events = server.ok(journal, json!({ "s": stream }), Some(root)).await;
    assert!(
        events.to_string().contains("earlier.spell@example.org"),
        "the root reads the whole journal: {events}"
    );
}
