//! Per-holder and per-address limits on every request (issue 11, item 5),
//! against a real `reestr serve` started with the flags that set them: one
//! holder past its pace is refused with RATE_LIMITED while another goes on;
//! one address is limited whatever tokens it sends, through the API and the
//! pages alike; a holder flooding the server with parallel requests gets some
//! refused, and nothing stays taken afterwards.

mod support;

use reqwest::StatusCode;
use serde_json::{Value, json};

use support::{Server, error_code, grant, init};

const LAST_LINE: &str = "GraphQL and GraphiQL";

async fn serve(dir: &std::path::Path, flags: &[&str]) -> Server {
    let mut command = vec!["serve"];
    command.extend_from_slice(flags);
    Server::run(dir, &command, LAST_LINE).await.0
}

/// POSTs `query` as from `address` (behind the trusted proxy), as `token`.
async fn graphql_from(server: &Server, address: &str, query: &str, token: Option<&str>) -> Value {
    let mut request = reqwest::Client::new()
        .post(format!("{}/graphql", server.url))
        .header("X-Forwarded-For", address)
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// GETs a page as from `address`: its status and text.
async fn page_from(server: &Server, address: &str, path: &str) -> (StatusCode, String) {
    let response = reqwest::Client::new()
        .get(format!("{}{path}", server.url))
        .header("X-Forwarded-For", address)
        .send()
        .await
        .unwrap();
    (response.status(), response.text().await.unwrap())
}

#[tokio::test]
async fn a_holder_past_its_pace_is_refused_while_another_holder_goes_on() {
    let (dir, central, root) = init();
    let server = serve(
        dir.path(),
        &[
            "--holder-requests-per-minute",
            "1",
            "--holder-request-burst",
            "5",
            "--address-requests-per-minute",
            "0",
        ],
    )
    .await;
    // The grant is the root's first request of five.
    let (_, analyst) = grant(&server, &root, "ANALYST", &central, "analyst").await;
    let query = format!("{{ organization(id: \"{central}\") {{ name }} }}");
    for _ in 0..4 {
        server.ok(&query, json!({}), Some(&root)).await;
    }
    let refused = server.graphql(&query, json!({}), Some(&root)).await;
    assert_eq!(error_code(&refused), "RATE_LIMITED", "{refused}");
    assert!(refused["data"].is_null(), "{refused}");
    for _ in 0..5 {
        server.ok(&query, json!({}), Some(&analyst)).await;
    }
    let refused = server.graphql(&query, json!({}), Some(&analyst)).await;
    assert_eq!(error_code(&refused), "RATE_LIMITED", "{refused}");
}

#[tokio::test]
async fn an_address_is_limited_across_tokens_and_front_doors() {
    let (dir, central, root) = init();
    let server = serve(
        dir.path(),
        &[
            "--trust-proxy",
            "--address-requests-per-minute",
            "1",
            "--address-request-burst",
            "4",
            "--holder-requests-per-minute",
            "0",
        ],
    )
    .await;
    let query = format!("{{ organization(id: \"{central}\") {{ name }} }}");
    let flooding = "198.51.100.7";
    for _ in 0..2 {
        let answer = graphql_from(&server, flooding, &query, Some(&root)).await;
        assert!(answer["errors"].is_null(), "{answer}");
    }
    let (status, _) = page_from(&server, flooding, "/join").await;
    assert_eq!(status, StatusCode::OK);
    let answer = graphql_from(&server, flooding, "{ __typename }", None).await;
    assert!(answer["errors"].is_null(), "{answer}");

    // Four from this address in all, with a token, without, page or API.
    let refused = graphql_from(&server, flooding, &query, Some(&root)).await;
    assert_eq!(error_code(&refused), "RATE_LIMITED", "{refused}");
    let (status, text) = page_from(&server, flooding, "/join").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(text.contains("Слишком много запросов"), "{text}");

    // Another address, with the same token, is served.
    let answer = graphql_from(&server, "198.51.100.8", &query, Some(&root)).await;
    assert!(answer["errors"].is_null(), "{answer}");
    let (status, _) = page_from(&server, "198.51.100.8", "/join").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_flood_of_parallel_requests_from_one_holder_is_cut_to_its_places() {
    let (dir, central, root) = init();
    let server = serve(
        dir.path(),
        &[
            "--holder-concurrent-requests",
            "1",
            "--holder-requests-per-minute",
            "0",
            "--address-requests-per-minute",
            "0",
        ],
    )
    .await;
    // Each request reads a few hundred fields: long enough for a hundred
    // of them sent at once to overlap.
    let fields: String = (0..60)
        .map(|i| {
            format!(
                "o{i}: organization(id: \"{central}\") {{ name level children {{ totalCount }} }} "
            )
        })
        .collect();
    let query = format!("{{ {fields} }}");
    let api = server.api();
    let mut flood = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let api = api.clone();
        let query = query.clone();
        let root = root.clone();
        flood.spawn(async move { api.graphql(&query, json!({}), Some(&root)).await });
    }
    let answers = flood.join_all().await;
    let refused = answers
        .iter()
        .filter(|answer| error_code(answer) == "RATE_LIMITED")
        .count();
    let served = answers
        .iter()
        .filter(|answer| answer["errors"].is_null())
        .count();
    let other = answers
        .iter()
        .find(|answer| !answer["errors"].is_null() && error_code(answer) != "RATE_LIMITED");
    assert!(other.is_none(), "{other:?}");
    assert_eq!(refused + served, answers.len());
    // One runs and eight wait for each place: of a hundred at once, most
    // are refused, and at least the first nine are served.
    assert!(served >= 9, "served {served}");
    assert!(
        refused > 0,
        "none of a hundred parallel requests was refused"
    );

    // Every place was given back: the holder is served again, one by one.
    for _ in 0..20 {
        server.ok(&query, json!({}), Some(&root)).await;
    }
}
