//! The GraphQL tools its users bring, run against a real `reestr serve`:
//! graphql-http's audit of GraphQL over HTTP (every MUST and SHOULD),
//! graphql-js's standard introspection at the default limits with
//! graphql-core's `build_client_schema` on the result, graphql-ws's own
//! client subscribing, and GraphiQL in headless Chromium with no internet.
//! Each tool skips its test where missing, and fails it under `CI=true`.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

use support::tools::{chromium, node, python, succeeded};
use support::{Server, init};

/// Runs `command` off the async runtime (the server is a child process; the
/// tool talks to it over the loopback).
async fn output_of(mut command: Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || command.output().expect("the tool starts"))
        .await
        .unwrap()
}

#[tokio::test]
async fn the_graphql_http_audit_passes_every_must_and_should() {
    let Some(mut audit) = node("audit.mjs") else {
        return;
    };
    let (dir, _, _) = init();
    let server = Server::start(dir.path()).await;
    audit.arg(format!("{}/graphql", server.url));
    let report = succeeded("the graphql-http audit", output_of(audit).await);
    println!("{report}");
    assert!(report.contains("the audit: 0 failures"), "{report}");
    // The MAY audits of what this server does serve pass as well: GET
    // queries, 400 for what is no GraphQL request.
    assert!(!report.contains("\nmay "), "{report}");
}

#[tokio::test]
async fn graphql_js_introspects_at_the_default_limits_and_graphql_core_builds_the_schema() {
    let (Some(mut introspect), Some(mut build)) = (node("sdl.mjs"), python("client_schema.py"))
    else {
        return;
    };
    let (dir, _, _) = init();
    let server = Server::start(dir.path()).await;
    introspect.args([format!("{}/graphql", server.url), "--introspection".into()]);
    let introspection = succeeded("graphql-js introspection", output_of(introspect).await);
    let result: Value = serde_json::from_str(&introspection).unwrap();
    assert!(result["__schema"]["types"].is_array(), "{introspection}");

    let mut child = build
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(introspection.as_bytes())
        .unwrap();
    let sdl = succeeded(
        "graphql-core build_client_schema",
        child.wait_with_output().unwrap(),
    );
    for expected in [
        "type Query",
        "type Mutation",
        "type Subscription",
        "enum AgeBand",
        "enum TenureBand",
        "interface Node",
    ] {
        assert!(sdl.contains(expected), "no {expected} in:\n{sdl}");
    }
}

#[tokio::test]
async fn graphql_ws_s_client_subscribes_and_receives_an_event() {
    let Some(mut subscribe) = node("subscribe.mjs") else {
        return;
    };
    let (dir, central, token) = init();
    let server = Server::start(dir.path()).await;
    subscribe.args([
        server.ws_url(),
        format!("{}/graphql", server.url),
        token,
        central,
    ]);
    let event = succeeded("graphql-ws's client", output_of(subscribe).await);
    let event: Value = serde_json::from_str(event.trim()).unwrap();
    assert_eq!(event["data"]["events"]["type"], "RoleGranted", "{event}");
}

#[tokio::test]
async fn graphiql_loads_with_no_internet_and_shows_the_schema_s_docs() {
    let Some(chromium) = chromium() else {
        return;
    };
    let (dir, _, _) = init();
    let server = Server::start(dir.path()).await;
    let screenshot = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("graphiql.png");
    let headless = |extra: &[String]| {
        let mut command = Command::new(&chromium);
        command
            .args(["--headless", "--no-sandbox", "--disable-gpu"])
            .args(["--window-size=1400,900", "--virtual-time-budget=20000"])
            // Nothing but this server is reachable, as on a machine offline.
            .arg("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
            .args(extra)
            .arg(format!("{}/graphql?docs", server.url));
        command
    };
    let dom = succeeded(
        "chromium --dump-dom",
        output_of(headless(&["--dump-dom".into()])).await,
    );
    assert!(
        dom.contains("graphiql-container"),
        "GraphiQL did not start:\n{dom}"
    );
    assert!(
        !dom.contains("Загрузка…"),
        "GraphiQL stayed loading:\n{dom}"
    );
    // The docs list the roots: the schema arrived by introspection.
    for expected in ["Root Types", "Query", "Mutation", "Subscription"] {
        assert!(dom.contains(expected), "no {expected} in the docs:\n{dom}");
    }
    succeeded(
        "chromium --screenshot",
        output_of(headless(&[format!(
            "--screenshot={}",
            screenshot.display()
        )]))
        .await,
    );
    assert!(screenshot.exists());
    println!("GraphiQL: {}", screenshot.display());
}
