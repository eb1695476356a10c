//! The journal of a subtree over real HTTP, as a territorial auditor reads it:
//! what happened there, the tree as of each event's day. A member transferred
//! from one territorial to another shows in the first one's journal up to the
//! transfer and in the second one's from it; `totalCount` equals what paging
//! walks; a journal never shows another subtree's events.

mod support;

use serde_json::{Value, json};
use support::{Server, admission, branch, days_ago, grant, started};

const JOURNAL: &str = "query($after: String) {
    events(first: 2, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { position stream type } } } }";

/// Every event of the holder's journal, paged by two, and the total it reported.
async fn journal(server: &Server, token: &str) -> (Vec<(i64, String, String)>, i64) {
    let mut events = Vec::new();
    let mut after: Option<String> = None;
    let mut total = None;
    loop {
        let data = server
            .ok(JOURNAL, json!({ "after": after }), Some(token))
            .await;
        let page = &data["events"];
        let count = page["totalCount"].as_i64().unwrap();
        assert_eq!(*total.get_or_insert(count), count, "the total moved");
        for edge in page["edges"].as_array().unwrap() {
            let node = &edge["node"];
            events.push((
                node["position"].as_i64().unwrap(),
                node["stream"].as_str().unwrap().to_string(),
                node["type"].as_str().unwrap().to_string(),
            ));
        }
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(String::from);
    }
    (events, total.unwrap_or(0))
}

fn of_stream<'a>(events: &'a [(i64, String, String)], stream: &str) -> Vec<&'a str> {
    events
        .iter()
        .filter(|(_, s, _)| s == stream)
        .map(|(_, _, kind)| kind.as_str())
        .collect()
}

#[tokio::test]
async fn a_transferred_member_shows_in_each_subtree_for_the_time_spent_there() {
    let (_dir, server, central, token) = started().await;
    let admin = token.as_str();
    let (_, territorial_a, school_a) = branch(&server, admin, &central, 11).await;
    let (_, territorial_b, school_b) = branch(&server, admin, &central, 12).await;
    let (_, auditor_a) = grant(&server, admin, "AUDITOR", &territorial_a, "Ревизор А").await;
    let (_, auditor_b) = grant(&server, admin, "AUDITOR", &territorial_b, "Ревизор Б").await;

    let input = admission(&school_a, "Орлова", "1985-01-20", &days_ago(300));
    let moving = support::admit(&server, admin, input).await["id"].clone();
    let input = admission(&school_a, "Зайцева", "1980-07-07", &days_ago(200));
    let staying = support::admit(&server, admin, input).await["id"].clone();
    let transfer = "mutation($id: ID!, $to: ID!, $on: Date!) {
        transferMember(memberId: $id, toOrgId: $to, effectiveOn: $on) { id } }";
    let variables = json!({ "id": moving, "to": school_b, "on": days_ago(100) });
    server.ok(transfer, variables, Some(admin)).await;
    let update = "mutation($id: ID!) {
        updateMember(memberId: $id, input: { position: \"Завуч\" }) { id } }";
    server
        .ok(update, json!({ "id": moving }), Some(admin))
        .await;

    let moving = format!("person-{}", moving.as_str().unwrap());
    let staying = format!("person-{}", staying.as_str().unwrap());
    let (a, total_a) = journal(&server, &auditor_a).await;
    let (b, total_b) = journal(&server, &auditor_b).await;
    assert_eq!(total_a, a.len() as i64, "{a:?}");
    assert_eq!(total_b, b.len() as i64, "{b:?}");
    for events in [&a, &b] {
        let positions: Vec<i64> = events.iter().map(|e| e.0).collect();
        let mut sorted = positions.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(positions, sorted, "paging repeated or reordered an event");
    }
    assert_eq!(
        of_stream(&a, &moving),
        ["MemberAdmitted", "MemberTransferred"],
        "{a:?}"
    );
    assert_eq!(
        of_stream(&b, &moving),
        ["MemberTransferred", "MemberProfileUpdated"],
        "{b:?}"
    );
    assert_eq!(of_stream(&a, &staying), ["MemberAdmitted"]);
    assert!(of_stream(&b, &staying).is_empty());
    // The organisations of the other branch never show.
    let org_b = format!("org-{}", school_b);
    let org_a = format!("org-{}", school_a);
    assert!(a.iter().all(|(_, s, _)| *s != org_b), "{a:?}");
    assert!(b.iter().all(|(_, s, _)| *s != org_a), "{b:?}");
    assert!(b.iter().any(|(_, s, _)| *s == org_b), "{b:?}");

    // The root's journal has everything, its total the head.
    let root: Value = server
        .ok(
            "{ events(first: 1) { totalCount } }",
            json!({}),
            Some(admin),
        )
        .await;
    let head = server.head(admin).await;
    assert!(root["events"]["totalCount"].as_i64().unwrap() >= head);
}
