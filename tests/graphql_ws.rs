//! The graphql-transport-ws protocol against a real `reestr serve`, as
//! graphql-ws's PROTOCOL.md words it: the close code of each breach (4400,
//! 4401, 4403, 4409, 4429), close reasons a frame can carry (at most 123
//! bytes), `ping`/`pong`, `complete` from either side, validation errors as
//! an `error` message, and running subscriptions in `/metrics`.

mod support;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use support::{Server, Socket, init, next_message, subscribe};

async fn connect(server: &Server) -> Socket {
    let mut request = server.ws_url().into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (socket, response) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    socket
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::text(message.to_string()))
        .await
        .unwrap();
}

/// The close frame the server ends with: its code and reason.
async fn closed(socket: &mut Socket) -> (u16, String) {
    let closing = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Close(Some(frame)))) => {
                    break (u16::from(frame.code), frame.reason.to_string());
                }
                Some(Ok(Message::Text(_) | Message::Ping(_) | Message::Pong(_))) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    });
    closing.await.expect("the server closes the connection")
}

fn subscribe_message(id: &str) -> Value {
    json!({ "id": id, "type": "subscribe", "payload": { "query": "subscription { events { position } }" } })
}

#[tokio::test]
async fn every_breach_of_the_protocol_closes_with_its_code() {
    let (dir, _, token) = init();
    let server = Server::start(dir.path()).await;
    let bearer = json!({ "Authorization": format!("Bearer {token}") });

    // Subscribe before connection_init: 4401.
    let mut socket = connect(&server).await;
    send(&mut socket, subscribe_message("1")).await;
    assert_eq!(closed(&mut socket).await.0, 4401);

    // A token no holder has: 4403, the reason saying why.
    let mut socket = connect(&server).await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "token": "reestr_unknown" } }),
    )
    .await;
    let (code, reason) = closed(&mut socket).await;
    assert_eq!(code, 4403, "{reason}");
    assert!(reason.contains("token"), "{reason}");

    // A second connection_init: 4429.
    let mut socket = connect(&server).await;
    let init = json!({ "type": "connection_init", "payload": bearer });
    send(&mut socket, init.clone()).await;
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    send(&mut socket, init.clone()).await;
    assert_eq!(closed(&mut socket).await.0, 4429);

    // Two subscribers of one id: 4409.
    let mut socket = connect(&server).await;
    send(&mut socket, init.clone()).await;
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    send(&mut socket, subscribe_message("same")).await;
    send(&mut socket, subscribe_message("same")).await;
    let (code, reason) = closed(&mut socket).await;
    assert_eq!(code, 4409, "{reason}");

    // Messages of no protocol: 4400, with a reason a close frame can hold.
    for bad in [
        "not json".to_string(),
        json!({ "type": "start", "id": "1", "payload": { "query": "x".repeat(500) } }).to_string(),
        json!({ "type": "subscribe", "payload": { "query": "{ __typename }" } }).to_string(),
    ] {
        let mut socket = connect(&server).await;
        send(&mut socket, init.clone()).await;
        assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
        socket.send(Message::text(bad.clone())).await.unwrap();
        let (code, reason) = closed(&mut socket).await;
        assert_eq!(code, 4400, "{bad}: {reason}");
        assert!(reason.len() <= 123, "{reason}");
    }
}

#[tokio::test]
async fn ping_complete_and_errors_follow_the_protocol_and_subscriptions_are_counted() {
    let (dir, _, token) = init();
    let server = Server::start(dir.path()).await;

    let mut socket = subscribe(
        &server,
        Some(&token),
        "subscription { events { position } }",
        json!({}),
    )
    .await;
    send(
        &mut socket,
        json!({ "type": "ping", "payload": { "n": 1 } }),
    )
    .await;
    let pong = next_message(&mut socket).await;
    assert_eq!(pong, json!({ "type": "pong", "payload": { "n": 1 } }));

    // A document that does not validate: an `error` message for its id.
    send(
        &mut socket,
        json!({ "id": "2", "type": "subscribe", "payload": { "query": "subscription { nothing }" } }),
    )
    .await;
    let error = next_message(&mut socket).await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["id"], "2");
    assert!(error["payload"][0]["message"].is_string(), "{error}");

    // A query over the socket: its answer, then `complete` from the server.
    send(
        &mut socket,
        json!({ "id": "3", "type": "subscribe", "payload": { "query": "{ viewer { role } }" } }),
    )
    .await;
    let next = next_message(&mut socket).await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["payload"]["data"]["viewer"]["role"], "ADMIN");
    assert_eq!(
        next_message(&mut socket).await,
        json!({ "type": "complete", "id": "3" })
    );

    // Subscription 1 runs (the query's ended with its `complete`).
    let metrics = running_becomes(&server, 1).await;
    assert!(
        metrics.contains(r#"reestr_graphql_operations_total{operation="subscription"}"#),
        "{metrics}"
    );

    // The client completes subscription 1: it stops running.
    send(&mut socket, json!({ "id": "1", "type": "complete" })).await;
    running_becomes(&server, 0).await;
}

/// Waits until `/metrics` counts `n` running subscriptions; the metrics.
async fn running_becomes(server: &Server, n: i64) -> String {
    let started = std::time::Instant::now();
    loop {
        let metrics = reqwest::get(format!("{}/metrics", server.url))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let running = metrics
            .lines()
            .find_map(|line| line.strip_prefix("reestr_graphql_subscriptions "))
            .map(|n| n.parse::<i64>().unwrap());
        if running == Some(n) {
            return metrics;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "not {n} running:\n{metrics}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
