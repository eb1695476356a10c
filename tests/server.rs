//! The server end to end: `reestr init`, then `reestr serve` on a free port,
//! spoken to over HTTP and WebSocket like any client would; `reestr token`;
//! a graceful stop on SIGTERM that keeps every acknowledged mutation.

mod support;

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use support::{GRANT, Server, error_code, init, next_message, reestr, register, stdout};

#[tokio::test]
async fn a_token_s_holder_is_the_viewer_and_a_bad_token_is_refused_not_anonymous() {
    let (dir, _, token) = init();
    let server = Server::start(dir.path()).await;

    let viewer = server
        .graphql("{ viewer { role } }", json!({}), Some(&token))
        .await;
    assert_eq!(viewer["data"]["viewer"]["role"], "ADMIN", "{viewer}");

    let typename = server.graphql("{ __typename }", json!({}), None).await;
    assert_eq!(typename["data"]["__typename"], "Query", "{typename}");

    let unknown = "reestr_".to_string() + &"0".repeat(64);
    for bad in [unknown.as_str(), "", "not a token"] {
        let refused = server.graphql("{ __typename }", json!({}), Some(bad)).await;
        assert_eq!(
            error_code(&refused),
            "UNAUTHENTICATED",
            "{bad:?}: {refused}"
        );
        assert_eq!(refused["data"], Value::Null, "{refused}");
    }
    let basic = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("Authorization", "Basic cm9vdDpyb290")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    let basic: Value = basic.json().await.unwrap();
    assert_eq!(error_code(&basic), "UNAUTHENTICATED", "{basic}");
}

#[tokio::test]
async fn graphiql_health_and_metrics_are_served_and_a_large_body_is_refused() {
    let (dir, central, admin) = init();
    let server = Server::start(dir.path()).await;

    let page = reqwest::get(format!("{}/graphql", server.url))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("graphiql"));

    let health: Value = reqwest::get(format!("{}/health", server.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["checkpoint"], 2, "init appends two events: {health}");
    assert_eq!(health["applied"], 2, "{health}");

    let oversized = format!(
        r#"{{"query": "{{ __typename }}", "x": "{}"}}"#,
        "a".repeat(2 << 20)
    );
    let refused = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("content-type", "application/json")
        .body(oversized)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let garbage = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), StatusCode::BAD_REQUEST);
    let garbage: Value = garbage.json().await.unwrap();
    assert_eq!(error_code(&garbage), "VALIDATION", "{garbage}");

    server.graphql("{ __typename }", json!({}), None).await;
    register(&server, &admin, &central, "Регион", "REGIONAL", Some(5)).await;
    let metrics = reqwest::get(format!("{}/metrics", server.url))
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
    let metrics = metrics.text().await.unwrap();
    for expected in [
        r#"reestr_http_requests_total{path="/graphql",status="200"}"#,
        r#"reestr_http_requests_total{path="/graphql",status="413"} 1"#,
        r#"reestr_graphql_operations_total{operation="query"} 1"#,
        // The body that is not JSON and the one too large, each answered
        // with a GraphQL error.
        r#"reestr_graphql_errors_total{code="VALIDATION"} 2"#,
        r#"reestr_graphql_operations_total{operation="invalid"} 2"#,
        "reestr_graphql_duration_seconds_bucket",
        r#"reestr_graphql_operations_total{operation="mutation"} 1"#,
        "reestr_projection_lag 0",
        "reestr_projection_checkpoint 3",
        "reestr_projection_events_applied 3",
        // The registration's append, timed at the log.
        "reestr_log_append_duration_seconds_count 1",
        r#"reestr_log_append_duration_seconds_bucket{le="3.2768"} 1"#,
    ] {
        assert!(
            metrics.contains(expected),
            "no {expected} in the metrics:\n{metrics}"
        );
    }
}

#[tokio::test]
async fn a_subscription_receives_an_event_committed_after_it_started() {
    let (dir, central, token) = init();
    let server = Server::start(dir.path()).await;

    let mut request = server.ws_url().into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    let subscribe = json!({
        "id": "1",
        "type": "subscribe",
        "payload": { "query": "subscription { events { position type stream } }" },
    });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();

    // The subscription starts "now", which the client cannot observe: commit
    // until one commit lands after it.
    let started = Instant::now();
    let event = loop {
        let granted = server
            .graphql(
                GRANT,
                json!({ "input": { "role": "ANALYST", "orgId": central, "holder": "analyst" } }),
                Some(&token),
            )
            .await;
        assert!(granted["errors"].is_null(), "{granted}");
        if let Ok(message) =
            tokio::time::timeout(Duration::from_secs(1), next_message(&mut socket)).await
        {
            break message;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no event arrived"
        );
    };
    assert_eq!(event["type"], "next", "{event}");
    assert_eq!(event["id"], "1");
    let event = &event["payload"]["data"]["events"];
    assert_eq!(event["type"], "RoleGranted", "{event}");
    assert!(
        event["stream"].as_str().unwrap().starts_with("user-"),
        "{event}"
    );
    assert!(event["position"].as_i64().unwrap() > 2, "{event}");

    // A stop does not wait for the subscriber to leave: it is told to.
    let status = tokio::task::spawn_blocking(move || server.terminate(Duration::from_secs(15)))
        .await
        .unwrap();
    assert!(status.success(), "exit status after SIGTERM: {status}");
    let closed = loop {
        match socket.next().await {
            Some(Ok(Message::Text(_) | Message::Ping(_) | Message::Pong(_))) => continue,
            other => break other,
        }
    };
    match closed {
        Some(Ok(Message::Close(Some(frame)))) => assert_eq!(u16::from(frame.code), 1001),
        other => panic!("expected a going-away close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn a_subscription_with_a_bad_token_is_refused() {
    let (dir, _, _) = init();
    let server = Server::start(dir.path()).await;
    let mut request = server.ws_url().into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let init = json!({ "type": "connection_init", "payload": { "token": "reestr_unknown" } });
    socket.send(Message::text(init.to_string())).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(10), socket.next())
        .await
        .expect("the server answers the init");
    match answer {
        Some(Ok(Message::Close(Some(frame)))) => {
            assert!(frame.reason.contains("token"), "{frame:?}")
        }
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test]
async fn sigterm_stops_promptly_and_keeps_every_acknowledged_mutation() {
    let (dir, central, token) = init();
    let server = Server::start(dir.path()).await;

    // Grants in flight while the signal arrives: each one answered with a
    // token was acknowledged and must be in the log afterwards.
    let url = format!("{}/graphql", server.url);
    let mut grants = Vec::new();
    for n in 0..40 {
        let (url, token, central) = (url.clone(), token.clone(), central.clone());
        grants.push(tokio::spawn(async move {
            let holder = format!("holder-{n}");
            let body = json!({
                "query": GRANT,
                "variables": { "input": { "role": "AUDITOR", "orgId": central, "holder": holder } },
            });
            let answer = reqwest::Client::new()
                .post(url)
                .bearer_auth(token)
                .json(&body)
                .send()
                .await
                .ok()?;
            let answer: Value = answer.json().await.ok()?;
            answer["data"]["grantRole"]["token"]
                .is_string()
                .then_some(holder)
        }));
        if n == 20 {
            // Let the first half be answered, then stop with the rest in flight.
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
    let status = tokio::task::spawn_blocking(move || server.terminate(Duration::from_secs(15)))
        .await
        .unwrap();
    assert!(status.success(), "exit status after SIGTERM: {status}");
    let mut acknowledged = Vec::new();
    for grant in grants {
        acknowledged.extend(grant.await.unwrap());
    }
    assert!(
        !acknowledged.is_empty(),
        "no grant was answered before the stop"
    );

    let journal = stdout(reestr(dir.path()).arg("events").output().unwrap());
    let granted: Vec<String> = journal
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|event| event["type"] == "RoleGranted")
        .filter_map(|event| event["data"]["holder"].as_str().map(str::to_owned))
        .collect();
    for holder in &acknowledged {
        assert!(
            granted.contains(holder),
            "{holder} was acknowledged but is not in the log"
        );
    }
}

#[tokio::test]
async fn a_token_issued_offline_authenticates_with_its_role() {
    let (dir, central, _) = init();
    let out = stdout(
        reestr(dir.path())
            .args(["token", "--role", "analyst", "--org", &central])
            .args(["--holder", "statistician@union"])
            .output()
            .unwrap(),
    );
    let token = out.lines().last().unwrap();
    assert!(token.starts_with("reestr_"), "the token is last: {out}");

    let unknown_org = reestr(dir.path())
        .args(["token", "--role", "CHAIR", "--holder", "x", "--org"])
        .arg("00000000-0000-7000-8000-000000000000")
        .output()
        .unwrap();
    assert!(!unknown_org.status.success(), "a grant over nothing");
    assert!(
        String::from_utf8_lossy(&unknown_org.stderr).contains("no organisation"),
        "{}",
        String::from_utf8_lossy(&unknown_org.stderr)
    );

    let server = Server::start(dir.path()).await;
    let viewer = server
        .graphql(
            "{ viewer { role organization { id } } }",
            json!({}),
            Some(token),
        )
        .await;
    assert_eq!(viewer["data"]["viewer"]["role"], "ANALYST", "{viewer}");
    assert_eq!(
        viewer["data"]["viewer"]["organization"]["id"], central,
        "{viewer}"
    );
}

#[tokio::test]
async fn demo_generates_a_union_once_then_serves_it_with_a_fresh_admin_token() {
    let dir = TempDir::new().unwrap();
    let demo = ["demo", "--members", "2000"];
    let (server, first) = Server::run(dir.path(), &demo, "reestr_").await;
    assert!(first[0].contains("generating"), "{first:?}");
    let first_token = first.last().unwrap().clone();
    let viewer = server
        .graphql("{ viewer { role } }", json!({}), Some(&first_token))
        .await;
    assert_eq!(viewer["data"]["viewer"]["role"], "ADMIN", "{viewer}");
    assert!(server.terminate(Duration::from_secs(15)).success());

    let (server, again) = Server::run(dir.path(), &demo, "reestr_").await;
    assert!(again[0].starts_with("The registry holds"), "{again:?}");
    let token = again.last().unwrap();
    assert_ne!(token, &first_token);
    let viewer = server
        .graphql("{ viewer { role } }", json!({}), Some(token))
        .await;
    assert_eq!(viewer["data"]["viewer"]["role"], "ADMIN", "{viewer}");
}

#[test]
fn demo_on_a_busy_port_says_so_before_generating_anything() {
    let dir = TempDir::new().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let output = reestr(dir.path())
        .args(["demo", "--members", "2000", "--listen", &address])
        // A shell that asks for backtraces still gets the one line.
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stdout.contains("generating"),
        "it generated first: {stdout}"
    );
    assert!(
        stderr.contains(&format!("listening on {address}")) && stderr.contains("in use"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("panicked")
            && !stderr.to_lowercase().contains("backtrace")
            && stderr.lines().count() <= 3,
        "{stderr}"
    );
    // Nothing was written: a demo on a free port then generates afresh.
    let events = stdout_of_events(dir.path());
    assert_eq!(events, 0, "the failed demo wrote {events} events");
}

/// The number of events `reestr events` prints for the log in `data_dir`.
fn stdout_of_events(data_dir: &std::path::Path) -> usize {
    stdout(reestr(data_dir).arg("events").output().unwrap())
        .lines()
        .filter(|line| !line.trim().is_empty())
        .count()
}

#[tokio::test]
async fn bench_restart_times_a_started_server_until_it_is_healthy_and_stops_it() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    stdout(
        reestr(&data)
            .args(["generate", "--members", "3000", "--today", "2026-12-01"])
            .output()
            .unwrap(),
    );
    let output = reestr(&data)
        .args(["bench", "restart", "--repeat", "2", "--timeout", "120"])
        .output()
        .unwrap();
    let text = stdout(output);
    let runs: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(runs.len(), 2, "{text}");
    for run in &runs {
        let seconds = |name: &str| run[name].as_f64().unwrap();
        assert!(seconds("listeningSeconds") > 0.0, "{run}");
        assert!(
            seconds("healthySeconds") >= seconds("listeningSeconds"),
            "{run}"
        );
        assert!(run["rssMiB"].as_u64().unwrap() > 0, "{run}");
        assert!(
            run["peakRssMiB"].as_u64() >= run["rssMiB"].as_u64(),
            "{run}"
        );
    }
    // Each server was stopped and closed its log: it opens again here.
    let events = stdout(reestr(&data).arg("events").output().unwrap());
    assert!(events.lines().count() > 3000, "{}", events.lines().count());
}
