//! Idempotency keyed by holder and input (issue 11, item 7), over HTTP: a
//! `commandId` repeated by its holder with the same input answers the first
//! result, with another input is CONFLICT; the same `commandId` from another
//! holder is a command of that holder's own and reveals nothing of the first;
//! and a replay re-checks access to what it answers.

mod support;

use serde_json::{Value, json};
use support::{admission, grant, started};

const ADMIT: &str = "mutation($input: AdmitMemberInput!) {
    admitMember(input: $input) { id lastName birthDate organization { id } } }";
/// An admission asking for no personal data (whose read would be recorded).
const ADMIT_ID: &str = "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { id } }";
const TRANSFER: &str = "mutation($id: ID!, $to: ID!) {
    transferMember(memberId: $id, toOrgId: $to, effectiveOn: \"2025-02-01\") { id } }";

fn with_command(mut input: Value, command_id: &str) -> Value {
    input["commandId"] = json!(command_id);
    input
}

#[tokio::test]
async fn a_command_id_answers_only_its_holder_and_only_for_the_same_input() {
    let (_dir, server, central, root) = started().await;
    let root = root.as_str();
    let (_, _, primary_a) = support::branch(&server, root, &central, 71).await;
    let (_, _, primary_b) = support::branch(&server, root, &central, 72).await;
    let (_, chair_a) = grant(&server, root, "CHAIR", &primary_a, "chair A").await;
    let (_, chair_b) = grant(&server, root, "CHAIR", &primary_b, "chair B").await;
    let command_id = "0192f3a4-0000-7000-8000-000000000071";

    let first = with_command(
        admission(&primary_a, "Первичная", "1983-03-03", "2024-09-01"),
        command_id,
    );
    let admitted = server
        .ok(ADMIT, json!({ "input": first }), Some(&chair_a))
        .await;
    let person = admitted["admitMember"]["id"].as_str().unwrap().to_string();

    // The same holder, the same input: the first result, nothing appended.
    let head = server.head(root).await;
    let again = server
        .ok(ADMIT_ID, json!({ "input": first }), Some(&chair_a))
        .await;
    assert_eq!(again["admitMember"]["id"], person.as_str(), "{again}");
    assert_eq!(server.head(root).await, head, "a replay appends nothing");

    // The same holder, another input under the same id: CONFLICT.
    let other = with_command(
        admission(&primary_a, "Другая", "1990-10-10", "2024-09-01"),
        command_id,
    );
    let error = server
        .refused(ADMIT, json!({ "input": other }), Some(&chair_a), root)
        .await;
    assert_eq!(error["extensions"]["code"], "CONFLICT", "{error}");

    // Another holder with that id: A's input is outside B's subtree; B's own
    // input is B's own command, answered with B's member, never A's.
    let error = server
        .refused(ADMIT, json!({ "input": first }), Some(&chair_b), root)
        .await;
    assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{error}");
    assert!(!error.to_string().contains(&person), "{error}");
    let own = with_command(
        admission(&primary_b, "Своя", "1988-08-08", "2024-09-01"),
        command_id,
    );
    let answered = server
        .ok(ADMIT, json!({ "input": own }), Some(&chair_b))
        .await;
    let answered = &answered["admitMember"];
    assert_ne!(answered["id"], person.as_str(), "{answered}");
    assert_eq!(answered["lastName"], "Своя", "{answered}");
    assert_eq!(
        answered["organization"]["id"],
        primary_b.as_str(),
        "{answered}"
    );

    // The member moves to B's subtree; A's replay may no longer read them.
    server
        .ok(
            TRANSFER,
            json!({ "id": person, "to": primary_b }),
            Some(root),
        )
        .await;
    let error = server
        .refused(ADMIT, json!({ "input": first }), Some(&chair_a), root)
        .await;
    assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{error}");
    assert!(!error.to_string().contains("Первичная"), "{error}");
}
