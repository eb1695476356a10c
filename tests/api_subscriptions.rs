//! The `events` subscription over a real WebSocket (graphql-transport-ws)
//! beyond tests/server.rs: a `stream:` filter passes that stream's events only,
//! and an AUDITOR of one regional subtree receives no event of another.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{Server, Socket, admission, grant, message_within, register, started, subscribe};

const EVENTS: &str = "subscription($from: Int, $stream: String) {
    events(fromPosition: $from, stream: $stream) { position stream type } }";

const UPDATE: &str = "mutation($id: ID!, $position: String!) {
    updateMember(memberId: $id, input: { position: $position }) { id version } }";

/// How long a test waits for an event that must come.
const PATIENCE: Duration = Duration::from_secs(10);
/// How long it listens for events that must not come.
const QUIET: Duration = Duration::from_millis(500);

/// A regional subtree down to a primary with one member: (regional, primary, member).
async fn subtree(server: &Server, admin: &str, central: &str, n: i32) -> (String, String, String) {
    let (regional, _, primary) = support::branch(server, admin, central, n).await;
    let input = admission(
        &primary,
        &format!("Подписчикова {n}"),
        "1985-05-05",
        "2025-05-05",
    );
    let member = support::admit(server, admin, input).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    (regional, primary, member)
}

async fn update(server: &Server, admin: &str, member: &str, position: &str) {
    let variables = json!({ "id": member, "position": position });
    server.ok(UPDATE, variables, Some(admin)).await;
}

/// The next event of operation "1", which must come within [`PATIENCE`].
async fn next_event(socket: &mut Socket) -> Value {
    let message = message_within(socket, PATIENCE)
        .await
        .expect("an event arrives");
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["id"], "1", "{message}");
    message["payload"]["data"]["events"].clone()
}

#[tokio::test]
async fn a_subscription_to_one_stream_receives_only_that_stream_s_events() {
    let (_dir, server, central, admin) = started().await;
    let (_, _, watched) = subtree(&server, &admin, &central, 12).await;
    let (_, _, other) = subtree(&server, &admin, &central, 13).await;
    let head = server.head(&admin).await;
    let stream = format!("person-{watched}");
    let variables = json!({ "from": head, "stream": stream });
    let mut socket = subscribe(&server, Some(&admin), EVENTS, variables).await;

    for round in 0..2 {
        update(&server, &admin, &other, &format!("завуч {round}")).await;
        update(&server, &admin, &watched, &format!("учитель {round}")).await;
        let event = next_event(&mut socket).await;
        assert_eq!(event["stream"], stream.as_str(), "round {round}: {event}");
        assert_eq!(event["type"], "MemberProfileUpdated", "{event}");
        assert!(event["position"].as_i64().unwrap() > head, "{event}");
    }
    update(&server, &admin, &other, "директор").await;
    let quiet = message_within(&mut socket, QUIET).await;
    assert!(
        quiet.is_none(),
        "an event of another stream arrived: {quiet:?}"
    );
}

#[tokio::test]
async fn an_auditor_of_one_subtree_receives_no_event_of_another() {
    let (_dir, server, central, admin) = started().await;
    let (r1, _, m1) = subtree(&server, &admin, &central, 14).await;
    let (r2, p2, m2) = subtree(&server, &admin, &central, 15).await;
    let (_, auditor) = grant(&server, &admin, "AUDITOR", &r1, "auditor of R1").await;
    let head = server.head(&admin).await;
    let mut socket = subscribe(&server, Some(&auditor), EVENTS, json!({ "from": head })).await;

    // Everything of R2 first, then one change in R1: that is the first event
    // the auditor gets.
    let input = admission(&p2, "Чужая", "1990-09-09", "2025-09-09");
    support::admit(&server, &admin, input).await;
    update(&server, &admin, &m2, "завуч").await;
    register(&server, &admin, &r2, "Новый район", "TERRITORIAL", None).await;
    grant(&server, &admin, "CHAIR", &p2, "chair of R2").await;
    update(&server, &admin, &m1, "учитель").await;
    let event = next_event(&mut socket).await;
    assert_eq!(
        event["stream"],
        format!("person-{m1}"),
        "the first event is R1's: {event}"
    );
    assert_eq!(event["type"], "MemberProfileUpdated", "{event}");
    update(&server, &admin, &m2, "директор").await;
    let quiet = message_within(&mut socket, QUIET).await;
    assert!(quiet.is_none(), "an event of R2 arrived: {quiet:?}");

    // Nor may it subscribe to a stream of R2.
    let variables = json!({ "stream": format!("person-{m2}") });
    let mut refused = subscribe(&server, Some(&auditor), EVENTS, variables).await;
    let answer = message_within(&mut refused, PATIENCE)
        .await
        .expect("an answer");
    let error = match answer["type"].as_str() {
        Some("error") => answer["payload"][0].clone(),
        Some("next") => answer["payload"]["errors"][0].clone(),
        _ => panic!("neither an error nor an event: {answer}"),
    };
    assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{answer}");
}
