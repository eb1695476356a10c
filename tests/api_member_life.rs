//! The life of a member over real HTTP: organisations registered with their
//! passports; an online application approved with a card; a backdated
//! admission, transfer and expulsion, seen in the member's history and in the
//! statistics and movement of every date in between (DESIGN.md §1 day
//! arithmetic); the erasure of personal data, after which history and
//! statistics remain.
//!
//! An approved application admits on its submission date, which is today, so
//! the backdated life (admission 2024-03-01, transfer 2025-01-15, expulsion
//! 2026-02-01) is admitted with `admitMember`.

mod support;

use serde_json::{Value, json};
use support::{Server, admission, admit, date, passport, register, snils, started, today};

/// CENTRAL > REGIONAL (42) > TERRITORIAL > two primaries with passports.
struct Tree {
    territorial: String,
    school_1: String,
    school_2: String,
}

async fn tree(server: &Server, central: &str, admin: &str) -> Tree {
    let regional = register(server, admin, central, "Кемеровская", "REGIONAL", Some(42)).await;
    let region = server
        .ok(
            "query($id: ID!) { organization(id: $id) { level regionCode } }",
            json!({ "id": regional }),
            Some(admin),
        )
        .await;
    assert_eq!(region["organization"]["regionCode"], 42, "{region}");
    let territorial = register(
        server,
        admin,
        &regional,
        "Город Кемерово",
        "TERRITORIAL",
        None,
    )
    .await;
    let school_1 = register(server, admin, &territorial, "Школа № 1", "PRIMARY", None).await;
    let school_2 = register(server, admin, &territorial, "Школа № 2", "PRIMARY", None).await;
    passport(server, admin, &school_1, 40, 500).await;
    passport(server, admin, &school_2, 60, 700).await;
    Tree {
        territorial,
        school_1,
        school_2,
    }
}

const SUBMIT: &str = "mutation($input: ApplicationInput!) {
    submitApplication(input: $input) { id status submittedOn lastName organization { id } } }";

const MEMBER: &str = "query($id: ID!) { member(id: $id) {
    id lastName firstName snils status joinedOn endedOn endReason erased organization { id }
    card { number status } cards { number status blockedOn }
    history { position type effectiveOn organization { id } summary } } }";

#[tokio::test]
async fn an_online_application_is_approved_with_a_card_then_the_data_is_erased() {
    let (_dir, server, central, token) = started().await;
    let tree = tree(&server, &central, &token).await;
    let admin = Some(token.as_str());

    let application = json!({
        "orgId": tree.school_1, "lastName": "Петрова", "firstName": "Мария",
        "gender": "FEMALE", "birthDate": "1995-04-12", "category": "WORKER",
        "profession": "TEACHER", "consent": true, "snils": snils(123_456_789),
    });
    let submitted = server
        .ok(SUBMIT, json!({ "input": application }), None)
        .await["submitApplication"]
        .clone();
    assert_eq!(submitted["status"], "PENDING", "{submitted}");
    assert_eq!(
        submitted["lastName"], "Петрова",
        "the applicant sees their own name"
    );
    assert_eq!(submitted["submittedOn"], today().to_string());
    let application_id = submitted["id"].as_str().unwrap();

    let pending = "query($org: ID!, $status: ApplicationStatus) {
        applications(orgId: $org, status: $status) { totalCount edges { node { id status lastName } } } }";
    let listed = server
        .ok(pending, json!({ "org": tree.school_1 }), admin)
        .await;
    assert_eq!(listed["applications"]["totalCount"], 1, "{listed}");
    let node = &listed["applications"]["edges"][0]["node"];
    assert_eq!(node["id"], application_id);
    assert_eq!(node["status"], "PENDING");
    assert_eq!(node["lastName"], "Петрова");

    let approve = "mutation($id: ID!) { approveApplication(id: $id, issueCard: VIRTUAL) {
        id status joinedOn organization { id } card { number kind status qrSvg } } }";
    let member = server
        .ok(approve, json!({ "id": application_id }), admin)
        .await["approveApplication"]
        .clone();
    assert_eq!(member["status"], "ACTIVE", "{member}");
    assert_eq!(member["organization"]["id"], tree.school_1.as_str());
    assert_eq!(
        member["joinedOn"],
        today().to_string(),
        "admitted on the application's date"
    );
    let card = &member["card"];
    assert_eq!(card["kind"], "VIRTUAL", "{member}");
    assert_eq!(card["status"], "ACTIVE");
    let number = card["number"].as_str().unwrap();
    assert_eq!(number.len(), 13, "{number}");
    assert!(
        number.starts_with("42"),
        "the region's code leads: {number}"
    );
    let svg = card["qrSvg"].as_str().unwrap();
    assert!(
        svg.starts_with("<?xml") || svg.starts_with("<svg"),
        "{svg:.80}"
    );
    let member_id = member["id"].as_str().unwrap();

    let decided = server
        .ok(
            "query($id: ID!) { application(id: $id) { status decidedOn member { id } } }",
            json!({ "id": application_id }),
            admin,
        )
        .await;
    assert_eq!(decided["application"]["status"], "APPROVED", "{decided}");
    assert_eq!(decided["application"]["member"]["id"], member_id);
    for (status, count) in [("PENDING", 0), ("APPROVED", 1)] {
        let listed = server
            .ok(
                pending,
                json!({ "org": tree.school_1, "status": status }),
                admin,
            )
            .await;
        assert_eq!(
            listed["applications"]["totalCount"], count,
            "{status}: {listed}"
        );
    }

    let verify = "query($n: String!) { verifyCard(number: $n) { result organizationName } }";
    let check = server.ok(verify, json!({ "n": number }), None).await;
    assert_eq!(check["verifyCard"]["result"], "VALID", "{check}");
    assert_eq!(check["verifyCard"]["organizationName"], "Школа № 1");
    let by_card = server
        .ok(
            "query($n: String!) { memberByCard(number: $n) { id } }",
            json!({ "n": number }),
            admin,
        )
        .await;
    assert_eq!(by_card["memberByCard"]["id"], member_id);

    // Erasure: identity gone, history and statistics stay.
    let erase =
        "mutation($id: ID!) { erasePersonalData(memberId: $id, basis: \"заявление от 01.11\") {
        lastName firstName snils erased status } }";
    let erased = server.ok(erase, json!({ "id": member_id }), admin).await;
    let erased = &erased["erasePersonalData"];
    for field in ["lastName", "firstName", "snils"] {
        assert!(erased[field].is_null(), "{field} after erasure: {erased}");
    }
    assert_eq!(erased["erased"], true);
    assert_eq!(
        erased["status"], "ACTIVE",
        "erasure does not end a membership"
    );
    let after = server.ok(MEMBER, json!({ "id": member_id }), admin).await;
    let types = history_types(&after["member"]);
    assert_eq!(
        types.first().map(String::as_str),
        Some("MemberAdmitted"),
        "{types:?}"
    );
    assert_eq!(
        types.last().map(String::as_str),
        Some("PersonalDataErased"),
        "{types:?}"
    );
    assert!(types.contains(&"CardIssued".to_string()), "{types:?}");
    let stats = members_on(&server, &token, &tree.school_1, &today().to_string()).await;
    assert_eq!(stats, 1, "an erased member is still counted");
    let query = "query($org: ID!) { statistics(orgId: $org) {
        members employees students workerCoverage byCategory { key count } } }";
    let stats = server
        .ok(query, json!({ "org": tree.territorial }), admin)
        .await;
    let stats = &stats["statistics"];
    assert_eq!(
        (&stats["employees"], &stats["students"]),
        (&json!(100), &json!(1200)),
        "the passports' sums: {stats}"
    );
    assert_eq!(
        stats["workerCoverage"], 0.01,
        "one worker of 100 employees: {stats}"
    );
    assert_eq!(bucket(&stats["byCategory"], "WORKER"), 1, "{stats}");
}

#[tokio::test]
async fn a_backdated_life_shows_in_history_statistics_and_movement_on_each_date() {
    let (_dir, server, central, admin) = started().await;
    let tree = tree(&server, &central, &admin).await;
    let token = admin.as_str();
    let admin = Some(token);

    let mut input = admission(&tree.school_1, "Иванова", "1990-05-10", "2024-03-01");
    input["issueCard"] = json!("PLASTIC");
    input["snils"] = json!(snils(987_654_321));
    let member = admit(&server, token, input).await;
    let id = member["id"].as_str().unwrap().to_string();
    let number = member["card"]["number"].as_str().unwrap().to_string();

    let transfer = "mutation($id: ID!, $to: ID!) {
        transferMember(memberId: $id, toOrgId: $to, effectiveOn: \"2025-01-15\") {
            organization { id } joinedOn status } }";
    let moved = server
        .ok(transfer, json!({ "id": id, "to": tree.school_2 }), admin)
        .await;
    let moved = &moved["transferMember"];
    assert_eq!(
        moved["organization"]["id"],
        tree.school_2.as_str(),
        "{moved}"
    );
    assert_eq!(
        moved["joinedOn"], "2024-03-01",
        "a transfer keeps membership continuous"
    );

    let expel = "mutation($id: ID!) { endMembership(memberId: $id, reason: EXPULSION,
        effectiveOn: \"2026-02-01\", basis: \"постановление профкома № 7 от 30.01.2026\") {
        status endedOn endReason card { number } cards { status blockedOn } } }";
    let ended = server.ok(expel, json!({ "id": id }), admin).await;
    let ended = &ended["endMembership"];
    assert_eq!(ended["status"], "ENDED", "{ended}");
    assert_eq!(ended["endedOn"], "2026-02-01");
    assert_eq!(ended["endReason"], "EXPULSION");
    assert!(
        ended["card"].is_null(),
        "no active card after expulsion: {ended}"
    );
    assert_eq!(ended["cards"][0]["status"], "BLOCKED", "{ended}");
    let verify = "query($n: String!) { verifyCard(number: $n) { result organizationName } }";
    let check = server.ok(verify, json!({ "n": number }), None).await;
    assert_eq!(check["verifyCard"]["result"], "BLOCKED", "{check}");
    assert!(check["verifyCard"]["organizationName"].is_null(), "{check}");

    // The archive: each step, in order, with its date and organisation.
    let life = server.ok(MEMBER, json!({ "id": id }), admin).await;
    let history = life["member"]["history"].as_array().unwrap().clone();
    let positions: Vec<i64> = history
        .iter()
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "oldest first: {positions:?}"
    );
    let steps: Vec<(&str, &str, &str)> = history
        .iter()
        .filter(|e| e["type"] != "CardIssued" && e["type"] != "CardBlocked")
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["effectiveOn"].as_str().unwrap_or("-"),
                e["organization"]["id"].as_str().unwrap_or("-"),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("MemberAdmitted", "2024-03-01", tree.school_1.as_str()),
            ("MemberTransferred", "2025-01-15", tree.school_2.as_str()),
            ("MembershipEnded", "2026-02-01", tree.school_2.as_str()),
        ],
        "{history:#?}"
    );
    let types = history_types(&life["member"]);
    let at = |t: &str| types.iter().position(|x| x == t).unwrap_or(usize::MAX);
    assert!(at("CardIssued") < at("MemberTransferred"), "{types:?}");
    assert!(
        at("MembershipEnded") < at("CardBlocked") && at("CardBlocked") != usize::MAX,
        "{types:?}"
    );

    // Tenure: the days of the spell before the date.
    let tenure = "query($id: ID!) { member(id: $id) {
        onAdmission: tenureDays(asOf: \"2024-03-01\") year: tenureDays(asOf: \"2025-03-01\")
        now: tenureDays } }";
    let tenure = server.ok(tenure, json!({ "id": id }), admin).await;
    let spell = (date("2026-02-01") - date("2024-03-01")).num_days();
    assert_eq!(tenure["member"]["onAdmission"], 0, "{tenure}");
    assert_eq!(tenure["member"]["year"], 365, "{tenure}");
    assert_eq!(tenure["member"]["now"], spell, "{tenure}");

    // Where the member counts on each date: (date, territorial, school 1, school 2).
    let expected = [
        ("2024-02-29", 0, 0, 0),
        ("2024-03-01", 1, 1, 0),
        ("2025-01-14", 1, 1, 0),
        ("2025-01-15", 1, 0, 1),
        ("2026-01-31", 1, 0, 1),
        ("2026-02-01", 0, 0, 0),
    ];
    check_homes(&server, token, &tree, &expected).await;

    let movement =
        "query($org: ID!, $from: Date!, $to: Date!) { movement(orgId: $org, from: $from, to: $to) {
        admitted transferredIn transferredOut ended endedByReason { key count } net } }";
    let period = |org: &str, from: &str, to: &str| json!({ "org": org, "from": from, "to": to });
    let all_time = ("2024-01-01".to_string(), today().to_string());
    let m = server
        .ok(
            movement,
            period(&tree.territorial, &all_time.0, &all_time.1),
            admin,
        )
        .await["movement"]
        .clone();
    assert_eq!(
        (
            &m["admitted"],
            &m["transferredIn"],
            &m["transferredOut"],
            &m["ended"],
            &m["net"]
        ),
        (&json!(1), &json!(0), &json!(0), &json!(1), &json!(0)),
        "a transfer inside the subtree is no movement: {m}"
    );
    assert_eq!(bucket(&m["endedByReason"], "EXPULSION"), 1, "{m}");
    let m = server
        .ok(
            movement,
            period(&tree.school_1, &all_time.0, &all_time.1),
            admin,
        )
        .await["movement"]
        .clone();
    assert_eq!(
        (&m["admitted"], &m["transferredOut"], &m["ended"]),
        (&json!(1), &json!(1), &json!(0)),
        "{m}"
    );
    let m = server
        .ok(
            movement,
            period(&tree.school_2, &all_time.0, &all_time.1),
            admin,
        )
        .await["movement"]
        .clone();
    assert_eq!(
        (&m["transferredIn"], &m["ended"], &m["net"]),
        (&json!(1), &json!(1), &json!(0)),
        "{m}"
    );
    let m = server
        .ok(
            movement,
            period(&tree.territorial, "2024-03-01", "2025-12-31"),
            admin,
        )
        .await["movement"]
        .clone();
    assert_eq!(
        (&m["admitted"], &m["ended"], &m["net"]),
        (&json!(1), &json!(0), &json!(1)),
        "{m}"
    );

    // Erased: identity gone; history and the statistics of every date stay.
    let erase =
        "mutation($id: ID!) { erasePersonalData(memberId: $id, basis: \"заявление\") { erased } }";
    let erased = server.ok(erase, json!({ "id": id }), admin).await;
    assert_eq!(erased["erasePersonalData"]["erased"], true);
    let after = server.ok(MEMBER, json!({ "id": id }), admin).await;
    let member = &after["member"];
    assert!(
        member["lastName"].is_null() && member["snils"].is_null(),
        "{member}"
    );
    assert_eq!(member["erased"], true);
    assert_eq!(member["status"], "ENDED");
    let mut types_after = history_types(member);
    assert_eq!(types_after.pop().as_deref(), Some("PersonalDataErased"));
    assert_eq!(types_after, types, "the history stays as it was");
    check_homes(&server, token, &tree, &expected).await;
}

/// Checks where the member counts on each date, by the territorial's
/// statistics and their breakdown by primary.
async fn check_homes(
    server: &Server,
    admin: &str,
    tree: &Tree,
    expected: &[(&str, i64, i64, i64)],
) {
    let query = "query($org: ID!, $asOf: Date) { statistics(orgId: $org, asOf: $asOf) {
        asOf members breakdown { organization { id } members } } }";
    for &(on, territorial, school_1, school_2) in expected {
        let stats = server
            .ok(
                query,
                json!({ "org": tree.territorial, "asOf": on }),
                Some(admin),
            )
            .await;
        let stats = &stats["statistics"];
        assert_eq!(stats["asOf"], on);
        let of = |org: &str| {
            stats["breakdown"]
                .as_array()
                .unwrap()
                .iter()
                .find(|b| b["organization"]["id"] == org)
                .map_or(-1, |b| b["members"].as_i64().unwrap())
        };
        assert_eq!(
            (
                stats["members"].as_i64().unwrap(),
                of(&tree.school_1),
                of(&tree.school_2)
            ),
            (territorial, school_1, school_2),
            "on {on} (territorial, school 1, school 2): {stats}"
        );
    }
}

async fn members_on(server: &Server, admin: &str, org: &str, on: &str) -> i64 {
    let query =
        "query($org: ID!, $asOf: Date) { statistics(orgId: $org, asOf: $asOf) { members } }";
    let stats = server
        .ok(query, json!({ "org": org, "asOf": on }), Some(admin))
        .await;
    stats["statistics"]["members"].as_i64().unwrap()
}

fn history_types(member: &Value) -> Vec<String> {
    member["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_string())
        .collect()
}

fn bucket(buckets: &Value, key: &str) -> i64 {
    buckets
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == key)
        .map_or(0, |b| b["count"].as_i64().unwrap())
}
