//! Erasure erases (issue 11, item 1): a member who joined through an online
//! application and is then erased leaves no name, SNILS or contact anywhere:
//! not in `application(id)`, not in the journal (`events { data }`, the
//! subscription from position 0, `reestr events`), and not in any file of the
//! data directory (the WAL included), the erasure's own basis neither.

mod support;

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use support::{Server, message_within, reestr, snils, started, stdout, subscribe};

const SURNAME: &str = "Шредерова";
const EMAIL: &str = "shreder.erased@example.org";

const SUBMIT: &str =
    "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }";
const APPROVE: &str = "mutation($id: ID!) { approveApplication(id: $id) { id lastName } }";
const APPLICATION: &str =
    "query($id: ID!) { application(id: $id) { status lastName firstName patronymic } }";
const STREAM: &str =
    "query($stream: String!) { events(stream: $stream) { edges { node { type data } } } }";
const JOURNAL: &str = "{ events(first: 1000) { edges { node { stream type data } } } }";

/// What identifies the applicant, in every spelling a file or answer could
/// hold it: the surname, the SNILS as written and as stored, the e-mail.
fn identity(snils_text: &str) -> Vec<String> {
    let digits: String = snils_text.chars().filter(char::is_ascii_digit).collect();
    vec![
        SURNAME.to_string(),
        snils_text.to_string(),
        digits,
        EMAIL.to_string(),
    ]
}

#[track_caller]
fn assert_absent(what: &str, text: &str, identity: &[String]) {
    for needle in identity {
        assert!(
            !text.contains(needle.as_str()),
            "{what} still holds {needle:?}: {text:.400}"
        );
    }
}

#[tokio::test]
async fn an_erased_applicant_turned_member_leaves_no_identity_in_answers_journal_or_files() {
    let (dir, server, central, admin) = started().await;
    let admin = admin.as_str();
    let (_, _, primary) = support::branch(&server, admin, &central, 41).await;
    let snils_text = snils(431_765_219);
    let identity = identity(&snils_text);

    let application = json!({
        "orgId": primary,
        "lastName": SURNAME,
        "firstName": "Ирина",
        "patronymic": "Олеговна",
        "gender": "FEMALE",
        "birthDate": "1987-04-12",
        "snils": snils_text,
        "email": EMAIL,
        "phone": "+7 900 555-01-02",
        "category": "WORKER",
        "profession": "TEACHER",
        "consent": true,
    });
    let submitted = server
        .ok(SUBMIT, json!({ "input": application }), None)
        .await;
    let application_id = submitted["submitApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let approved = server
        .ok(APPROVE, json!({ "id": application_id }), Some(admin))
        .await;
    let member_id = approved["approveApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(approved["approveApplication"]["lastName"], SURNAME);
    let before = server
        .ok(APPLICATION, json!({ "id": application_id }), Some(admin))
        .await;
    assert_eq!(before["application"]["lastName"], SURNAME, "{before}");

    // The basis people write: with the SNILS in it.
    let erase = "mutation($id: ID!, $basis: String!) {
        erasePersonalData(memberId: $id, basis: $basis) { erased lastName snils } }";
    let basis = format!("заявление субъекта, СНИЛС {snils_text}");
    let erased = server
        .ok(
            erase,
            json!({ "id": member_id, "basis": basis }),
            Some(admin),
        )
        .await;
    assert_eq!(erased["erasePersonalData"]["erased"], true, "{erased}");

    let after = server
        .ok(APPLICATION, json!({ "id": application_id }), Some(admin))
        .await;
    let after = &after["application"];
    assert_eq!(after["status"], "APPROVED", "{after}");
    for field in ["lastName", "firstName", "patronymic"] {
        assert!(after[field].is_null(), "{field} after erasure: {after}");
    }
    for stream in [
        format!("application-{application_id}"),
        format!("person-{member_id}"),
    ] {
        let events = server
            .ok(STREAM, json!({ "stream": stream }), Some(admin))
            .await;
        assert!(
            !events["events"]["edges"].as_array().unwrap().is_empty(),
            "{stream} has events"
        );
        assert_absent(
            &format!("events(stream: {stream})"),
            &events.to_string(),
            &identity,
        );
    }
    let journal = server.ok(JOURNAL, json!({}), Some(admin)).await;
    assert_absent("events { data }", &journal.to_string(), &identity);
    let subscribed = subscription_from_zero(&server, admin).await;
    assert!(
        subscribed.len() > 5,
        "the subscription replays the log: {subscribed:?}"
    );
    assert_absent(
        "the subscription from 0",
        &json!(subscribed).to_string(),
        &identity,
    );

    let status = server.terminate(Duration::from_secs(20));
    assert!(status.success(), "{status}");
    let printed = stdout(reestr(dir.path()).arg("events").output().unwrap());
    assert!(printed.contains("ApplicationSubmitted"), "{printed:.400}");
    assert_absent("reestr events", &printed, &identity);
    for (path, bytes) in files(dir.path()) {
        for needle in &identity {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{} still holds {needle:?}",
                path.display()
            );
        }
    }
}

/// Every event the subscription from position 0 sends until it falls quiet.
async fn subscription_from_zero(server: &Server, admin: &str) -> Vec<Value> {
    let query = "subscription { events(fromPosition: 0) { stream type data } }";
    let mut socket = subscribe(server, Some(admin), query, json!({})).await;
    let mut events = Vec::new();
    while let Some(message) = message_within(&mut socket, Duration::from_millis(800)).await {
        assert_eq!(message["type"], "next", "{message}");
        events.push(message["payload"]["data"]["events"].clone());
    }
    events
}

/// Every file under `dir` (the database, its WAL and shared memory, the lock)
/// with its bytes.
fn files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                found.push((path, bytes));
            }
        }
    }
    assert!(
        found
            .iter()
            .any(|(p, _)| p.to_string_lossy().ends_with(".sqlite")),
        "the log's file is among {:?}",
        found.iter().map(|(p, _)| p).collect::<Vec<_>>()
    );
    found
}
