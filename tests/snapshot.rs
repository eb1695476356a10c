//! The read models' snapshot through the binary: a clean stop writes it, the
//! next start reads it and folds only the tail, and the models then equal a
//! rebuild from position 0 (`--no-snapshots`), every one of them (a
//! generated union's registry, statistics, archive and access; a library
//! document, found by its text; a mailing; a meeting; personal-data reads).
//! At rest it is sealed (no name in clear, the owner's alone); an erasure
//! deletes it before the erasure is answered; a damaged one is refused and
//! the log folded from 0.

#[path = "support/library.rs"]
mod library;
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use library::{SEARCH, UPLOAD, docx_file, upload_input};
use serde_json::{Value, json};
use support::mailing::SCHEDULE;
use support::{Server, reestr, stdout};
use tempfile::TempDir;

const READ_MODELS: &str =
    "{ readModels { checkpoint head eventsApplied restoredFrom steady digests { name digest } } }";

fn snapshot_file(data: &Path) -> PathBuf {
    data.join("snapshots").join("read-models.snapshot")
}

/// The read models once caught up with everything committed.
async fn caught_up(server: &Server, admin: &str) -> Value {
    for _ in 0..400 {
        let models = server.ok(READ_MODELS, json!({}), Some(admin)).await["readModels"].clone();
        if models["checkpoint"] == models["head"] && models["steady"] == true {
            return models;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the read models did not catch up");
}

async fn start(data: &Path, extra: &[&str]) -> Server {
    let mut command = vec!["serve"];
    command.extend(extra);
    Server::run(data, &command, "GraphQL and GraphiQL").await.0
}

/// A member of the union with their surname, read (and so recorded) by the root ADMIN.
async fn a_member(server: &Server, admin: &str) -> (String, String, String) {
    let data = server
        .ok(
            "{ organizations(level: PRIMARY, first: 1) { edges { node { id } } } }",
            json!({}),
            Some(admin),
        )
        .await;
    let org = data["organizations"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let data = server
        .ok(
            "query($org: ID!) { members(orgId: $org, first: 1) { edges { node { id lastName } } } }",
            json!({ "org": org }),
            Some(admin),
        )
        .await;
    let node = &data["members"]["edges"][0]["node"];
    (
        org,
        node["id"].as_str().unwrap().to_string(),
        node["lastName"].as_str().unwrap().to_string(),
    )
}

/// The position a snapshot file's header names; `None` without a file.
fn position_of(file: &Path) -> Option<u64> {
    let bytes = std::fs::read(file).ok()?;
    Some(u64::from_le_bytes(bytes[44..52].try_into().unwrap()))
}

/// What the registry's indexes answer about `member` (kept out of a
/// snapshot and made again on reading it): found by card, by name, and their
/// SNILS refused to someone else.
async fn found_by_indexes(server: &Server, admin: &str, org: &str, member: &str) -> Value {
    let data = server
        .ok(
            "query($id: ID!) { member(id: $id) { lastName snils card { number } } }",
            json!({ "id": member }),
            Some(admin),
        )
        .await;
    let record = &data["member"];
    let number = record["card"]["number"]
        .as_str()
        .expect("a generated member has a card");
    let by_card = server
        .ok(
            "query($n: String!) { memberByCard(number: $n) { id } }",
            json!({ "n": number }),
            Some(admin),
        )
        .await;
    let by_name = server
        .ok(
            "query($org: ID!, $s: String!) { members(orgId: $org, search: $s, first: 5) { edges { node { id } } } }",
            json!({ "org": org, "s": record["lastName"] }),
            Some(admin),
        )
        .await;
    let mut twin = support::admission(
        org,
        "Двойникова",
        "1990-01-01",
        &support::today().to_string(),
    );
    twin["snils"] = record["snils"].clone();
    let refused = server
        .graphql(support::ADMIT, json!({ "input": twin }), Some(admin))
        .await;
    assert!(!refused["errors"].is_null(), "{refused}");
    json!({
        "byCard": by_card["memberByCard"]["id"],
        "byName": by_name["members"]["edges"],
        "snils": refused["errors"][0]["extensions"],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_from_the_snapshot_equals_a_rebuild_and_an_erasure_deletes_it() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let today = support::today().to_string();
    let out = stdout(
        reestr(&data)
            .args([
                "generate",
                "--members",
                "3000",
                "--seed",
                "5",
                "--today",
                &today,
            ])
            .output()
            .unwrap(),
    );
    let admin = out.lines().last().unwrap().to_string();

    // First start: no snapshot, the whole log folded.
    let server = start(&data, &[]).await;
    let first = caught_up(&server, &admin).await;
    assert_eq!(first["restoredFrom"], 0);
    let (org, member, surname) = a_member(&server, &admin).await;
    let central = server
        .ok(
            "{ organizations(level: CENTRAL, first: 1) { edges { node { id } } } }",
            json!({}),
            Some(&admin),
        )
        .await["organizations"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let agreement = docx_file(
        "Коллективный договор",
        &["Оплата сверхурочной работы учителей"],
    );
    server
        .ok(
            UPLOAD,
            json!({ "input": upload_input("Коллективный договор", "COLLECTIVE_AGREEMENT", "2024-01-15",
                "Профсоюз", &central, "EVERYONE", "Договор.docx", &agreement) }),
            Some(&admin),
        )
        .await;
    server
        .ok(
            SCHEDULE,
            json!({ "input": { "orgId": org, "subject": "Собрание", "body": "В пятницу" } }),
            Some(&admin),
        )
        .await;
    server
        .ok(
            "mutation($input: ConveneMeetingInput!) { conveneMeeting(input: $input) { id } }",
            json!({ "input": { "orgId": org, "title": "Отчётное собрание", "heldOn": today } }),
            Some(&admin),
        )
        .await;
    let indexed = found_by_indexes(&server, &admin, &org, &member).await;
    assert_eq!(indexed["byCard"], member.as_str());
    let before = caught_up(&server, &admin).await;
    assert!(server.terminate(Duration::from_secs(60)).success());
    let file = snapshot_file(&data);
    assert!(file.exists(), "a clean stop writes the snapshot");

    // At rest: sealed, the owner's alone.
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        !bytes
            .windows(surname.len())
            .any(|w| w == surname.as_bytes()),
        "no surname in clear"
    );
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let dir_mode = std::fs::metadata(file.parent().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(dir_mode & 0o777, 0o700);

    // Second start: from the snapshot, only the tail folded; equal to a rebuild.
    let server = start(&data, &[]).await;
    let restored = caught_up(&server, &admin).await;
    let from = restored["restoredFrom"].as_u64().unwrap();
    assert!(from >= before["checkpoint"].as_u64().unwrap(), "{restored}");
    assert_eq!(
        restored["checkpoint"].as_u64().unwrap(),
        from + restored["eventsApplied"].as_u64().unwrap()
    );
    let found = server
        .ok(SEARCH, json!({ "search": "сверхурочной" }), Some(&admin))
        .await;
    assert_eq!(
        found["libraryDocuments"]["totalCount"], 1,
        "the index is made again: {found}"
    );
    assert_eq!(
        found_by_indexes(&server, &admin, &org, &member).await,
        indexed
    );
    let restored = caught_up(&server, &admin).await;
    let digests = restored["digests"].clone();
    assert!(server.terminate(Duration::from_secs(60)).success());
    let rebuilt = start(&data, &["--no-snapshots"]).await;
    let full = caught_up(&rebuilt, &admin).await;
    assert_eq!(full["restoredFrom"], 0);
    assert_eq!(full["checkpoint"], restored["checkpoint"]);
    assert_eq!(
        full["digests"], digests,
        "restored equals rebuilt, model by model"
    );
    assert!(rebuilt.terminate(Duration::from_secs(60)).success());

    // An erasure: the snapshot from before it is gone before the erasure is
    // answered (one written after it, once caught up, may be there).
    let server = start(&data, &[]).await;
    let settled = caught_up(&server, &admin).await["checkpoint"]
        .as_u64()
        .unwrap();
    assert!(file.exists());
    let erased = server
        .ok(
            "mutation($id: ID!) { erasePersonalData(memberId: $id, basis: \"заявление\") { erased } }",
            json!({ "id": member }),
            Some(&admin),
        )
        .await;
    assert_eq!(erased["erasePersonalData"]["erased"], true);
    assert!(
        position_of(&file).is_none_or(|at| at > settled),
        "the snapshot from before the erasure was deleted before it was answered"
    );
    assert!(server.terminate(Duration::from_secs(60)).success());
    // Written again at the stop, after the erasure; restored without the data.
    let server = start(&data, &[]).await;
    let after = caught_up(&server, &admin).await;
    assert!(after["restoredFrom"].as_u64().unwrap() > from);
    let read = server
        .ok(
            "query($id: ID!) { member(id: $id) { lastName } }",
            json!({ "id": member }),
            Some(&admin),
        )
        .await;
    assert!(read["member"]["lastName"].is_null(), "{read}");
    let after = caught_up(&server, &admin).await;
    let digests = after["digests"].clone();
    assert!(server.terminate(Duration::from_secs(60)).success());

    // Damaged: refused, deleted, the whole log folded; the same models.
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&file, bytes).unwrap();
    let server = start(&data, &[]).await;
    let refolded = caught_up(&server, &admin).await;
    assert_eq!(
        refolded["restoredFrom"], 0,
        "a damaged snapshot is not used"
    );
    assert_eq!(refolded["checkpoint"], after["checkpoint"]);
    assert_eq!(refolded["digests"], digests);
    let data_now = server
        .ok(
            "query($org: ID!) { members(orgId: $org, first: 5) { edges { node { id } } } }",
            json!({ "org": org }),
            Some(&admin),
        )
        .await;
    let other = data_now["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap().to_string())
        .find(|id| *id != member)
        .unwrap();
    assert!(server.terminate(Duration::from_secs(60)).success());

    // The command line starts from the snapshot too, and never writes one.
    let at = position_of(&file).expect("written at the stop");
    let renamed = reestr(&data)
        .args(["command", "renameOrganization", "--input"])
        .arg(json!({ "id": org, "name": "Первичная организация № 1" }).to_string())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&renamed.stderr).to_string();
    assert!(renamed.status.success(), "{said}");
    assert!(said.contains("restored from the snapshot"), "{said}");
    assert_eq!(position_of(&file), Some(at), "a command writes no snapshot");
    // An erasure through the command line deletes it like a node's would.
    let erased = reestr(&data)
        .args(["command", "erasePersonalData", "--input"])
        .arg(json!({ "memberId": other, "basis": "заявление" }).to_string())
        .output()
        .unwrap();
    assert!(
        erased.status.success(),
        "{}",
        String::from_utf8_lossy(&erased.stderr)
    );
    assert!(!file.exists(), "the erasure deleted the snapshot");
}
