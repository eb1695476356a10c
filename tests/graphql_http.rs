//! GraphQL over HTTP against a real `reestr serve`, where the graphql-http
//! audit (tests/graphql_tools.rs) does not look: GET runs queries and never
//! mutations, request errors under application/graphql-response+json carry
//! a 4xx and no `data`, 413 and 408 are GraphQL errors with a code, a syntax
//! error is one readable line, automatic persisted queries as Apollo's link
//! speaks them, CORS and the WebSocket's Origin against the allow-list, and
//! the depth limit, which introspection passes and real queries do not.

mod support;

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use support::{Server, error_code, init};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn content_type(response: &reqwest::Response) -> String {
    response.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .to_string()
}

async fn post(server: &Server, accept: Option<&str>, body: Value) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .json(&body);
    if let Some(accept) = accept {
        request = request.header(ACCEPT, accept);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn get_runs_queries_never_mutations_and_shows_graphiql_without_one() {
    let (dir, _, _) = init();
    let server = Server::start(dir.path()).await;
    let client = reqwest::Client::new();
    let url = format!("{}/graphql", server.url);

    let with = |params: &[(&str, &str)]| reqwest::Url::parse_with_params(&url, params).unwrap();
    let typename = client
        .get(with(&[
            ("query", "query Q($n: String) { __type(name: $n) { name } }"),
            ("variables", r#"{"n": "Query"}"#),
            ("operationName", "Q"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(typename.status(), StatusCode::OK);
    assert!(content_type(&typename).starts_with("application/json"));
    let typename: Value = typename.json().await.unwrap();
    assert_eq!(typename["data"]["__type"]["name"], "Query", "{typename}");

    let mutation = client
        .get(with(&[("query", "mutation { revokeRole(userId: \"x\") }")]))
        .send()
        .await
        .unwrap();
    assert_eq!(mutation.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(mutation.headers()["allow"], "POST");
    let mutation: Value = mutation.json().await.unwrap();
    assert_eq!(error_code(&mutation), "VALIDATION", "{mutation}");

    let page = client
        .get(&url)
        .header(ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(content_type(&page).starts_with("text/html"));
    let page = page.text().await.unwrap();
    assert!(page.contains("/graphiql/graphiql.min.js"), "{page}");
    for asset in [
        "graphiql.min.js",
        "graphiql.min.css",
        "react.production.min.js",
        "favicon.svg",
    ] {
        let served = client
            .get(format!("{}/graphiql/{asset}", server.url))
            .send()
            .await
            .unwrap();
        assert_eq!(served.status(), StatusCode::OK, "{asset}");
        assert!(served.bytes().await.unwrap().len() > 100, "{asset}");
    }
}

#[tokio::test]
async fn request_errors_carry_a_4xx_and_no_data_under_graphql_response_json() {
    let (dir, _, _) = init();
    let server = Server::start(dir.path()).await;

    for accept in [None, Some("application/json"), Some("*/*")] {
        let answer = post(&server, accept, json!({ "query": "{ __typename }" })).await;
        assert_eq!(answer.status(), StatusCode::OK);
        assert!(
            content_type(&answer).starts_with("application/json"),
            "{accept:?}"
        );
    }

    // A syntax error: one line with its location, 400 and no data.
    let syntax = post(
        &server,
        Some(GRAPHQL_RESPONSE),
        json!({ "query": "{ viewer {" }),
    )
    .await;
    assert_eq!(syntax.status(), StatusCode::BAD_REQUEST);
    assert!(content_type(&syntax).starts_with(GRAPHQL_RESPONSE));
    let syntax: Value = syntax.json().await.unwrap();
    assert!(syntax.get("data").is_none(), "{syntax}");
    let message = syntax["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("Syntax error: "), "{message}");
    assert!(!message.contains('\n') && message.len() < 200, "{message}");
    assert_eq!(syntax["errors"][0]["locations"][0]["line"], 1, "{syntax}");
    assert_eq!(error_code(&syntax), "VALIDATION");

    // The same under application/json: 200, as older clients expect.
    let syntax = post(
        &server,
        Some("application/json"),
        json!({ "query": "{ viewer {" }),
    )
    .await;
    assert_eq!(syntax.status(), StatusCode::OK);

    // A bad token, refused before execution: 401 and no data.
    let refused = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header(ACCEPT, GRAPHQL_RESPONSE)
        .bearer_auth("reestr_unknown")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let refused: Value = refused.json().await.unwrap();
    assert!(refused.get("data").is_none(), "{refused}");
    assert_eq!(error_code(&refused), "UNAUTHENTICATED");

    // An execution error keeps its data and 200.
    let partial = post(
        &server,
        Some(GRAPHQL_RESPONSE),
        json!({ "query": "{ viewer { role } member(id: \"not-an-id\") { id } }" }),
    )
    .await;
    assert_eq!(partial.status(), StatusCode::OK);
    let partial: Value = partial.json().await.unwrap();
    assert!(partial["data"]["viewer"].is_object(), "{partial}");
    assert!(partial["data"]["member"].is_null(), "{partial}");
    assert_eq!(error_code(&partial), "VALIDATION", "{partial}");

    // No content type: 415; an Accept of neither media type: 406.
    let untyped = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .body(r#"{"query": "{ __typename }"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(untyped.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let untyped: Value = untyped.json().await.unwrap();
    assert_eq!(error_code(&untyped), "VALIDATION");
    let html_only = post(
        &server,
        Some("text/html"),
        json!({ "query": "{ __typename }" }),
    )
    .await;
    assert_eq!(html_only.status(), StatusCode::NOT_ACCEPTABLE);
}

#[tokio::test]
async fn too_large_and_too_slow_requests_answer_graphql_errors_with_a_code() {
    let (dir, _, _) = init();
    let (server, _) = Server::run(
        dir.path(),
        &["serve", "--request-timeout", "1", "--body-limit", "4096"],
        "GraphQL and GraphiQL",
    )
    .await;
    let large = post(
        &server,
        None,
        json!({ "query": "{ __typename }", "x": "a".repeat(8192) }),
    )
    .await;
    assert_eq!(large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(content_type(&large).starts_with("application/json"));
    let large: Value = large.json().await.unwrap();
    assert_eq!(error_code(&large), "VALIDATION", "{large}");

    // A body that never arrives in full.
    let address = server.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"query\""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        let mut buffer = [0u8; 4096];
        loop {
            let read = stream.read(&mut buffer).await.unwrap();
            answer.extend_from_slice(&buffer[..read]);
            if read == 0 || String::from_utf8_lossy(&answer).contains("}]}") {
                break;
            }
        }
    })
    .await
    .expect("the server answers a stalled request");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains(r#""code":"TIMEOUT""#), "{answer}");
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[tokio::test]
async fn persisted_queries_are_found_by_hash_once_sent_and_a_wrong_hash_is_refused() {
    let (dir, _, _) = init();
    let server = Server::start(dir.path()).await;
    let query = "{ viewer { role } }";
    let persisted = |hash: &str| json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });

    let unknown = post(
        &server,
        None,
        json!({ "extensions": persisted(&sha256(query)) }),
    )
    .await;
    assert_eq!(unknown.status(), StatusCode::OK);
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(
        error_code(&unknown),
        "PERSISTED_QUERY_NOT_FOUND",
        "{unknown}"
    );
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");

    let wrong = post(
        &server,
        None,
        json!({ "query": query, "extensions": persisted(&sha256("{ other }")) }),
    )
    .await;
    let wrong: Value = wrong.json().await.unwrap();
    assert_eq!(error_code(&wrong), "VALIDATION", "{wrong}");
    assert!(wrong["data"].is_null(), "{wrong}");

    let sent = post(
        &server,
        None,
        json!({ "query": query, "extensions": persisted(&sha256(query)) }),
    )
    .await;
    let sent: Value = sent.json().await.unwrap();
    assert!(sent["errors"].is_null(), "{sent}");

    // Now the hash alone, by POST and by GET, as Apollo's link sends it.
    let by_hash = post(
        &server,
        None,
        json!({ "extensions": persisted(&sha256(query)) }),
    )
    .await;
    let by_hash: Value = by_hash.json().await.unwrap();
    assert!(by_hash["errors"].is_null(), "{by_hash}");
    assert!(by_hash["data"]["viewer"].is_object(), "{by_hash}");
    let extensions = persisted(&sha256(query)).to_string();
    let by_get = reqwest::Url::parse_with_params(
        &format!("{}/graphql", server.url),
        &[("extensions", extensions.as_str())],
    )
    .unwrap();
    let by_get: Value = reqwest::Client::new()
        .get(by_get)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(by_get["data"]["viewer"].is_object(), "{by_get}");
}

#[tokio::test]
async fn cors_and_websocket_origins_follow_the_allow_list() {
    let (dir, _, _) = init();
    let allowed = "http://app.union.example";
    let (server, _) = Server::run(
        dir.path(),
        &["serve", "--allowed-origins", allowed],
        "GraphQL and GraphiQL",
    )
    .await;
    let preflight = |origin: &'static str| {
        reqwest::Client::new()
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", server.url))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "content-type, authorization",
            )
            .send()
    };
    let ok = preflight(allowed).await.unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], allowed);
    let other = preflight("https://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());

    let upgrade = |origin: &'static str| {
        let mut request = server.ws_url().into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
        tokio_tungstenite::connect_async(request)
    };
    assert!(upgrade(allowed).await.is_ok());
    match upgrade("https://evil.example").await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::FORBIDDEN)
        }
        other => panic!("a WebSocket from another origin opened: {other:?}"),
    }

    // By default no origin is allowed but the server's own.
    let (dir, _, _) = init();
    let closed = Server::start(dir.path()).await;
    let preflight = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{}/graphql", closed.url))
        .header("Origin", allowed)
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn introspection_passes_the_depth_limit_and_a_deep_query_does_not() {
    let (dir, _, _) = init();
    let server = Server::start(dir.path()).await;
    // graphql-js's TypeRef: `ofType` nine deep below `fields { type }`.
    let type_ref = (0..9).fold(String::from("kind name"), |inner, _| {
        format!("kind name ofType {{ {inner} }}")
    });
    let introspection = format!(
        "{{ __schema {{ types {{ name fields(includeDeprecated: true) {{ name args {{ type {{ {type_ref} }} }} type {{ {type_ref} }} }} }} }} }}"
    );
    let answer = server.graphql(&introspection, json!({}), None).await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert!(answer["data"]["__schema"]["types"].is_array());

    let deep = (0..12).fold(String::from("id"), |inner, _| {
        format!("parent {{ {inner} }}")
    });
    let deep = format!("{{ organization(id: \"x\") {{ {deep} }} }}");
    let refused = server.graphql(&deep, json!({}), None).await;
    assert_eq!(
        refused["errors"][0]["message"], "Query is nested too deep.",
        "{refused}"
    );
    // Introspection inside a real query does not lift the limit.
    let mixed = format!("{{ __schema {{ queryType {{ name }} }} {} ", &deep[1..]);
    let refused = server.graphql(&mixed, json!({}), None).await;
    assert_eq!(
        refused["errors"][0]["message"], "Query is nested too deep.",
        "{refused}"
    );
}
