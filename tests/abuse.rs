//! One client against the server's memory and CPU, over HTTP against a real
//! `reestr serve`: aliases past the root limit, page sizes that multiply a
//! query's cost, and anonymous card checks past a guard's pace are refused
//! before they run.

mod support;

use serde_json::{Value, json};

use support::{Server, error_code, init};

fn aliases(n: usize, field: &str) -> String {
    let fields: String = (0..n).map(|i| format!("a{i}: {field} ")).collect();
    format!("{{ {fields} }}")
}

/// A well-formed card number no member holds.
fn unknown_card() -> String {
    domain::card_number::CardNumber::new(1, 9_999_999_999)
        .unwrap()
        .to_string()
}

fn refused_with(response: &Value, code: &str, says: &str) {
    assert!(response["data"].is_null(), "something ran: {response}");
    assert_eq!(error_code(response), code, "{response}");
    let message = response["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(message.contains(says), "{response}");
}

#[tokio::test]
async fn aliases_and_page_sizes_that_would_occupy_the_server_are_refused_before_they_run() {
    let (dir, central, token) = init();
    let server = Server::start(dir.path()).await;

    let card = unknown_card();
    let check = format!("verifyCard(number: \"{card}\") {{ result }}");
    let response = server.graphql(&aliases(100, &check), json!({}), None).await;
    refused_with(&response, "VALIDATION", "at its root");
    let response = server
        .graphql(&aliases(2_000, &check), json!({}), None)
        .await;
    refused_with(&response, "VALIDATION", "fields");

    let statistics = aliases(
        10_000,
        &format!("statistics(orgId: \"{central}\") {{ asOf }}"),
    );
    let response = server.graphql(&statistics, json!({}), Some(&token)).await;
    refused_with(&response, "VALIDATION", "fields");

    let histories = aliases(
        20,
        &format!(
            "members(orgId: \"{central}\", first: 1000) {{ edges {{ node {{ history {{ position type }} }} }} }}"
        ),
    );
    let response = server.graphql(&histories, json!({}), Some(&token)).await;
    refused_with(&response, "VALIDATION", "too complex");

    // What a screen asks for still runs.
    let one_page = format!(
        "{{ members(orgId: \"{central}\", first: 1000) {{ edges {{ node {{ id lastName }} }} }} }}"
    );
    server.ok(&one_page, json!({}), Some(&token)).await;
}

#[tokio::test]
async fn anonymous_card_checks_past_a_guard_s_pace_are_rate_limited_per_address() {
    let (dir, _, token) = init();
    let server = Server::start(dir.path()).await;
    let check = format!(
        "{{ verifyCard(number: \"{}\") {{ result }} }}",
        unknown_card()
    );
    let check = check.as_str();

    let mut limited_after = None;
    for n in 0..40 {
        let response = server.graphql(check, json!({}), None).await;
        if response["errors"].is_array() {
            assert_eq!(error_code(&response), "RATE_LIMITED", "{response}");
            limited_after = Some(n);
            break;
        }
    }
    let limited_after = limited_after.expect("forty anonymous checks in a row were all served");
    assert!(
        (app::rate_limit::CARD_CHECK_BURST as usize
            ..=app::rate_limit::CARD_CHECK_BURST as usize + 2)
            .contains(&limited_after),
        "limited after {limited_after} checks"
    );

    // A token's holder is not held to the anonymous pace.
    for _ in 0..20 {
        let response = server.graphql(check, json!({}), Some(&token)).await;
        assert!(response["errors"].is_null(), "{response}");
    }
}
