//! Dates of organisations and passports over real HTTP (DESIGN.md §7): a union
//! that enters its existing tree and passports today gets right past reports;
//! an organisation registered without a date takes backdated admissions, moves
//! and passports, one with `establishedOn` nothing dated before it.

mod support;

use serde_json::{Value, json};
use support::{Server, admission, assert_refusal, days_ago, days_ahead, register, started};

const REGISTER: &str = "mutation($input: RegisterOrganizationInput!) {
    registerOrganization(input: $input) { id establishedOn } }";

const PASSPORT: &str = "mutation($id: ID!, $input: PassportInput!, $on: Date) {
    updatePassport(id: $id, input: $input, effectiveOn: $on) {
        passport { sector employees effectiveOn updatedOn } } }";

const MOVE: &str = "mutation($id: ID!, $to: ID!, $on: Date) {
    moveOrganization(id: $id, newParentId: $to, effectiveOn: $on) { parent { id } } }";

const STATISTICS: &str = "query($org: ID!, $asOf: Date) {
    statistics(orgId: $org, asOf: $asOf) {
        members employees workerCoverage bySector { key count } breakdown { organization { id } } } }";

async fn statistics(server: &Server, admin: &str, org: &str, as_of: &str) -> Value {
    let variables = json!({ "org": org, "asOf": as_of });
    server.ok(STATISTICS, variables, Some(admin)).await["statistics"].clone()
}

fn schools(stats: &Value) -> i64 {
    stats["bySector"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == "SCHOOL")
        .unwrap()["count"]
        .as_i64()
        .unwrap()
}

async fn passport(
    server: &Server,
    admin: &str,
    org: &str,
    employees: i32,
    on: Option<&str>,
) -> Value {
    let input = json!({ "sector": "SCHOOL", "employees": employees });
    let variables = json!({ "id": org, "input": input, "on": on });
    server.ok(PASSPORT, variables, Some(admin)).await["updatePassport"]["passport"].clone()
}

#[tokio::test]
async fn a_tree_entered_today_without_dates_gives_past_reports_its_sectors_and_moves() {
    let (_dir, server, central, token) = started().await;
    let admin = token.as_str();
    let regional = register(&server, admin, &central, "Омская", "REGIONAL", Some(55)).await;
    let north = register(&server, admin, &regional, "Северный", "TERRITORIAL", None).await;
    let south = register(&server, admin, &regional, "Южный", "TERRITORIAL", None).await;
    let school = register(&server, admin, &north, "Школа № 5", "PRIMARY", None).await;
    let organization = server
        .ok(
            "query($id: ID!) { organization(id: $id) { establishedOn } }",
            json!({ "id": school }),
            Some(admin),
        )
        .await;
    assert_eq!(organization["organization"]["establishedOn"], Value::Null);

    // Found in place: an admission ten years back is accepted ...
    let ten_years_ago = days_ago(3653);
    support::admit(
        &server,
        admin,
        admission(&school, "Белова", "1975-05-05", &ten_years_ago),
    )
    .await;
    // ... and so is a move effective last year (the BEFORE_CURRENT_PLACEMENT).
    let last_year = days_ago(365);
    let moved = server
        .ok(
            MOVE,
            json!({ "id": school, "to": south, "on": last_year }),
            Some(admin),
        )
        .await;
    assert_eq!(moved["moveOrganization"]["parent"]["id"], south.as_str());

    // An undated first passport describes the school back to its beginning.
    let first = passport(&server, admin, &school, 10, None).await;
    assert_eq!(first["effectiveOn"], Value::Null, "{first}");
    let five_years_ago = days_ago(1826);
    let then = statistics(&server, admin, &north, &five_years_ago).await;
    assert_eq!(
        (
            then["members"].as_i64(),
            then["employees"].as_i64(),
            schools(&then)
        ),
        (Some(1), Some(10), 1),
        "{then}"
    );
    assert_eq!(then["workerCoverage"], 0.1);
    let now = statistics(&server, admin, &south, &days_ago(0)).await;
    assert_eq!(
        (now["employees"].as_i64(), schools(&now)),
        (Some(10), 1),
        "{now}"
    );

    // A later passport applies from its date; the earlier one stays before it.
    let half_a_year_ago = days_ago(182);
    let second = passport(&server, admin, &school, 20, Some(&half_a_year_ago)).await;
    assert_eq!(second["effectiveOn"], half_a_year_ago.as_str(), "{second}");
    assert_eq!(
        statistics(&server, admin, &south, &days_ago(0)).await["employees"],
        20
    );
    assert_eq!(
        statistics(&server, admin, &south, &days_ago(200)).await["employees"],
        10
    );
    assert_eq!(
        statistics(&server, admin, &north, &five_years_ago).await["employees"],
        10
    );
    // Passports follow one another: none dated before the one in effect now.
    let refused = server
        .refused(
            PASSPORT,
            json!({ "id": school, "input": { "employees": 30 }, "on": days_ago(183) }),
            Some(admin),
            admin,
        )
        .await;
    assert_refusal(&refused, "RULE_VIOLATION", Some("BEFORE_CURRENT_PASSPORT"));
    // A later undated passport applies from today.
    let third = passport(&server, admin, &school, 25, None).await;
    assert_eq!(third["effectiveOn"], third["updatedOn"], "{third}");
    assert_eq!(
        statistics(&server, admin, &south, &days_ago(1)).await["employees"],
        20
    );
    assert_eq!(
        statistics(&server, admin, &south, &days_ago(0)).await["employees"],
        25
    );
}

#[tokio::test]
async fn an_organisation_established_on_a_day_takes_nothing_dated_before_it() {
    let (_dir, server, central, token) = started().await;
    let admin = token.as_str();
    let regional = register(&server, admin, &central, "Омская", "REGIONAL", Some(55)).await;
    let north = register(&server, admin, &regional, "Северный", "TERRITORIAL", None).await;
    let south = register(&server, admin, &regional, "Южный", "TERRITORIAL", None).await;
    let two_years_ago = days_ago(730);
    let input = json!({ "input": { "parentId": north, "name": "Лицей № 2", "level": "PRIMARY",
        "establishedOn": two_years_ago } });
    let lyceum = server.ok(REGISTER, input, Some(admin)).await["registerOrganization"].clone();
    assert_eq!(lyceum["establishedOn"], two_years_ago.as_str(), "{lyceum}");
    let lyceum = lyceum["id"].as_str().unwrap().to_string();

    let early = days_ago(731);
    for (query, variables, rule) in [
        (
            support::ADMIT,
            json!({ "input": admission(&lyceum, "Ранняя", "1980-01-01", &early) }),
            "BEFORE_ESTABLISHMENT",
        ),
        (
            PASSPORT,
            json!({ "id": lyceum, "input": { "employees": 5 }, "on": early }),
            "BEFORE_ESTABLISHMENT",
        ),
        (
            MOVE,
            json!({ "id": lyceum, "to": south, "on": early }),
            "BEFORE_CURRENT_PLACEMENT",
        ),
    ] {
        let refused = server.refused(query, variables, Some(admin), admin).await;
        assert_refusal(&refused, "RULE_VIOLATION", Some(rule));
    }
    // Nor may an organisation be established in the future, or before its parent.
    let tomorrow = json!({ "input": { "parentId": north, "name": "Завтрашняя", "level": "PRIMARY",
        "establishedOn": days_ahead(1) } });
    let refused = server.refused(REGISTER, tomorrow, Some(admin), admin).await;
    assert_refusal(&refused, "RULE_VIOLATION", Some("FUTURE_DATE"));
    let under_lyceum = json!({ "input": { "parentId": lyceum, "name": "Профгруппа", "level": "GROUP",
        "establishedOn": days_ago(800) } });
    let refused = server
        .refused(REGISTER, under_lyceum, Some(admin), admin)
        .await;
    assert_refusal(&refused, "RULE_VIOLATION", Some("BEFORE_ESTABLISHMENT"));

    // On its day it takes an admission, and an undated first passport covers
    // it from that day; before it, it has no figures and is no child.
    support::admit(
        &server,
        admin,
        admission(&lyceum, "Точная", "1980-01-01", &two_years_ago),
    )
    .await;
    passport(&server, admin, &lyceum, 8, None).await;
    let on_the_day = statistics(&server, admin, &north, &two_years_ago).await;
    assert_eq!(
        (
            on_the_day["members"].as_i64(),
            on_the_day["employees"].as_i64()
        ),
        (Some(1), Some(8)),
        "{on_the_day}"
    );
    assert_eq!(
        on_the_day["breakdown"][0]["organization"]["id"],
        lyceum.as_str()
    );
    let before = statistics(&server, admin, &north, &early).await;
    assert_eq!(
        (
            before["employees"].as_i64(),
            before["breakdown"].as_array().map(Vec::len)
        ),
        (Some(0), Some(0)),
        "{before}"
    );
    let variables = json!({ "org": lyceum, "asOf": early });
    let refused = server
        .refused(STATISTICS, variables, Some(admin), admin)
        .await;
    assert_refusal(&refused, "VALIDATION", None);
}
