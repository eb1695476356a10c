//! Relay connections and `node(id:)` over HTTP against a real server: every
//! list pages with one opaque cursor format and a full `PageInfo`, a page
//! above the cap is refused rather than cut, `node(id:)` refetches an
//! organisation, a member and an application, and `personalDataReads`
//! answers in the connection shape as well as its first one.

mod support;

use serde_json::{Value, json};

use support::{admission, admit, branch, error_code, started};

/// The lists, each asked for a page of one after `after`.
fn lists(central: &str, primary: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "organizations",
            format!("query($a: String) {{ organizations(first: 1, after: $a) {{ {PAGE} }} }}"),
        ),
        (
            "members",
            format!(
                "query($a: String) {{ members(orgId: \"{central}\", first: 1, after: $a) {{ {PAGE} }} }}"
            ),
        ),
        (
            "applications",
            format!(
                "query($a: String) {{ applications(orgId: \"{primary}\", first: 1, after: $a) {{ {PAGE} }} }}"
            ),
        ),
        (
            "events",
            format!("query($a: String) {{ events(first: 1, after: $a) {{ {PAGE} }} }}"),
        ),
        (
            "personalDataReads",
            format!("query($a: String) {{ personalDataReads(first: 1, after: $a) {{ {PAGE} }} }}"),
        ),
    ]
}

const PAGE: &str =
    "totalCount edges { cursor } pageInfo { hasNextPage endCursor hasPreviousPage startCursor }";

#[tokio::test]
async fn every_list_pages_with_one_cursor_format_and_a_full_page_info() {
    let (_dir, server, central, admin) = started().await;
    let (_, _, org) = branch(&server, &admin, &central, 7).await;
    for name in ["Первая", "Вторая"] {
        admit(
            &server,
            &admin,
            admission(&org, name, "1980-01-01", "2024-01-01"),
        )
        .await;
        let input = json!({ "orgId": org, "lastName": name, "firstName": "Пётр",
            "gender": "MALE", "birthDate": "1990-01-01", "category": "WORKER", "consent": true });
        server
            .ok(
                "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }",
                json!({ "input": input }),
                None,
            )
            .await;
    }
    // Two reads of personal data, for the audit trail.
    let members = server
        .ok(
            &format!(
                "{{ members(orgId: \"{central}\") {{ edges {{ node {{ id lastName }} }} }} }}"
            ),
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(members["members"]["edges"].as_array().unwrap().len(), 2);
    // The trail's read model applies the reads a moment after the answer.
    let started = std::time::Instant::now();
    loop {
        let trail = server
            .ok(
                "{ personalDataReads { totalCount } }",
                json!({}),
                Some(&admin),
            )
            .await;
        if trail["personalDataReads"]["totalCount"].as_i64() >= Some(2) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{trail}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    for (list, query) in lists(&central, &org) {
        let first = server.ok(&query, json!({ "a": null }), Some(&admin)).await;
        let page = &first[list];
        assert!(page["totalCount"].as_i64().unwrap() >= 2, "{list}: {page}");
        let info = &page["pageInfo"];
        assert_eq!(info["hasNextPage"], true, "{list}: {page}");
        assert_eq!(info["hasPreviousPage"], false, "{list}: {page}");
        let cursor = page["edges"][0]["cursor"].as_str().unwrap();
        assert_eq!(info["startCursor"], cursor, "{list}: {page}");
        assert_eq!(info["endCursor"], cursor, "{list}: {page}");
        // One format for every list: URL-safe base64 of a versioned cursor,
        // nothing a client could read a position or a name from.
        assert!(
            cursor
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "{list}: {cursor}"
        );
        assert!(cursor.starts_with("cjE6"), "{list}: {cursor}");

        let second = server
            .ok(&query, json!({ "a": cursor }), Some(&admin))
            .await;
        let next = &second[list];
        assert_eq!(next["pageInfo"]["hasPreviousPage"], true, "{list}: {next}");
        let next_cursor = next["edges"][0]["cursor"].as_str().unwrap();
        assert_ne!(
            next_cursor, cursor,
            "{list}: the second page repeats the first"
        );

        // A cursor of no list's, or a raw one of the read models, is refused.
        for bad in ["o3", "garbage"] {
            let refused = server
                .graphql(&query, json!({ "a": bad }), Some(&admin))
                .await;
            assert_eq!(error_code(&refused), "VALIDATION", "{list}: {refused}");
        }
    }
}

#[tokio::test]
async fn a_page_above_the_cap_is_refused_not_cut() {
    let (_dir, server, _central, admin) = started().await;
    let refused = server
        .graphql(
            "{ events(first: 100000) { totalCount } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert_eq!(error_code(&refused), "VALIDATION", "{refused}");
    assert_eq!(
        refused["errors"][0]["extensions"]["field"], "first",
        "{refused}"
    );
    let allowed = server
        .ok(
            "{ events(first: 1000) { totalCount } }",
            json!({}),
            Some(&admin),
        )
        .await;
    assert!(allowed["events"]["totalCount"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn node_refetches_organisations_members_and_applications_by_id() {
    let (_dir, server, central, admin) = started().await;
    let (_, _, primary) = branch(&server, &admin, &central, 7).await;
    let member = admit(
        &server,
        &admin,
        admission(&primary, "Узлова", "1980-01-01", "2024-01-01"),
    )
    .await;
    let input = json!({ "orgId": primary, "lastName": "Заявкина", "firstName": "Пётр",
        "gender": "MALE", "birthDate": "1990-01-01", "category": "WORKER", "consent": true });
    let application = server
        .ok(
            "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }",
            json!({ "input": input }),
            None,
        )
        .await;
    let application = application["submitApplication"]["id"].as_str().unwrap();
    let node = "query($id: ID!) { node(id: $id) { __typename id
        ... on Organization { name } ... on Member { lastName } ... on Application { status } } }";
    let cases = [
        (central.as_str(), "Organization", "name"),
        (member["id"].as_str().unwrap(), "Member", "lastName"),
        (application, "Application", "status"),
    ];
    for (id, typename, field) in cases {
        let found = server.ok(node, json!({ "id": id }), Some(&admin)).await;
        assert_eq!(found["node"]["__typename"], typename, "{found}");
        assert_eq!(found["node"]["id"], id, "{found}");
        assert!(found["node"][field].is_string(), "{found}");
    }
    let none = server
        .ok(
            node,
            json!({ "id": "00000000-0000-7000-8000-000000000000" }),
            Some(&admin),
        )
        .await;
    assert_eq!(none["node"], Value::Null);
    let bad = server
        .graphql(node, json!({ "id": "42" }), Some(&admin))
        .await;
    assert_eq!(error_code(&bad), "VALIDATION", "{bad}");
    // The viewer's rights hold: anonymous sees no member.
    let anonymous = server
        .graphql(node, json!({ "id": member["id"] }), None)
        .await;
    assert!(anonymous["data"]["node"].is_null(), "{anonymous}");
}

#[tokio::test]
async fn personal_data_reads_answer_in_the_connection_shape_and_the_first_one() {
    let (_dir, server, central, admin) = started().await;
    let (_, _, primary) = branch(&server, &admin, &central, 7).await;
    let member = admit(
        &server,
        &admin,
        admission(&primary, "Читаемая", "1980-01-01", "2024-01-01"),
    )
    .await;
    let id = member["id"].as_str().unwrap();
    server
        .ok(
            "query($id: ID!) { member(id: $id) { lastName } }",
            json!({ "id": id }),
            Some(&admin),
        )
        .await;
    // The read is recorded before the answer leaves; the trail's read model
    // applies it a moment later.
    let started = std::time::Instant::now();
    let both = loop {
        let both = server
            .ok(
                "query($m: ID) { personalDataReads(memberId: $m) {
                    totalCount hasNextPage endCursor nodes { memberId }
                    edges { cursor node { memberId readAt } } pageInfo { hasNextPage endCursor } } }",
                json!({ "m": id }),
                Some(&admin),
            )
            .await;
        if !both["personalDataReads"]["nodes"][0].is_null() {
            break both;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{both}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let reads = &both["personalDataReads"];
    let nodes = reads["nodes"].as_array().unwrap();
    let edges = reads["edges"].as_array().unwrap();
    assert!(!nodes.is_empty(), "{reads}");
    assert_eq!(nodes.len(), edges.len(), "{reads}");
    for (node, edge) in nodes.iter().zip(edges) {
        assert_eq!(node["memberId"], id);
        assert_eq!(edge["node"]["memberId"], id);
        assert!(edge["cursor"].is_string());
    }
    assert_eq!(reads["hasNextPage"], reads["pageInfo"]["hasNextPage"]);
    // The first shape's endCursor is null at the end; pageInfo's names the
    // last read shown, as Relay's does, so a client can go back from it.
    assert_eq!(reads["hasNextPage"], false, "{reads}");
    assert_eq!(reads["endCursor"], Value::Null, "{reads}");
    assert_eq!(
        reads["pageInfo"]["endCursor"],
        edges.last().unwrap()["cursor"],
        "{reads}"
    );
}
