//! The library's files follow `reestr copy`: a registry with a DOCX, its
//! revision as a PDF and a text file, copied from its data directory into
//! PostgreSQL and back into another data directory; a server on each copy
//! hands every version back byte for byte. A copy whose source lacks a file,
//! or holds one whose bytes no longer match its hash, stops and says which.
//! A consultation's attachment, stored encrypted under a key sealed in its
//! question, follows the same way (the event names its ciphertext in clear)
//! and is downloaded from each copy byte for byte.

#[path = "../eventlog/tests/postgres_support/mod.rs"]
mod postgres_support;
mod support;

#[path = "support/library.rs"]
mod library;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use library::*;
use serde_json::json;
use support::*;

use crate::postgres_support::fresh_database;

fn copy(from: &str, to: &str) -> Output {
    reestr(Path::new("/nonexistent"))
        .args(["copy", "--from", from, "--to", to, "--batch", "7"])
        .output()
        .unwrap()
}

async fn file(server: &Server, token: &str, id: &str, version: u32) -> (u16, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(format!(
            "{}/library/{id}/file?version={version}",
            server.url
        ))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// Every version of each document comes back from `server` as uploaded.
async fn every_version_served(server: &Server, token: &str, documents: &[(&str, Vec<&[u8]>)]) {
    for (id, versions) in documents {
        for (n, bytes) in versions.iter().enumerate() {
            let (status, served) = file(server, token, id, n as u32 + 1).await;
            assert_eq!(status, 200, "{id} version {}", n + 1);
            assert!(served == *bytes, "{id} version {} changed", n + 1);
        }
    }
}

/// The paths of the files kept in a data directory's store.
fn stored_files(data_dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(data_dir.join("files"))
        .unwrap()
        .flat_map(|shard| std::fs::read_dir(shard.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .collect();
    files.sort();
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_files_travel_with_the_log_to_postgres_and_back() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let (dir, central, admin) = init();
    let flags = ["serve", "--no-request-limits", "--body-limit", "16000000"];
    let server = Server::run(dir.path(), &flags, "GraphQL and GraphiQL")
        .await
        .0;
    let agreement_docx = docx_file("Коллективный договор", &["Стороны заключили договор."]);
    let agreement_pdf = pdf_file("Коллективный договор", &["Редакция вторая, продлена."]);
    let guide = "Уполномоченным по охране труда рекомендуется проводить проверки.".as_bytes();
    let mut ids = Vec::new();
    for (title, name, bytes) in [
        ("Коллективный договор", "договор.docx", &agreement_docx[..]),
        ("Рекомендации по охране труда", "guide.txt", guide),
    ] {
        let input = upload_input(
            title,
            "OTHER",
            "2024-01-15",
            "Профсоюз",
            &central,
            "EVERYONE",
            name,
            bytes,
        );
        let data = server
            .ok(UPLOAD, json!({ "input": input }), Some(&admin))
            .await;
        ids.push(
            data["uploadLibraryDocument"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    let revise = json!({ "input": { "documentId": ids[0], "fileName": "договор.pdf",
        "contentBase64": base64(&agreement_pdf), "note": "Продлён" } });
    server.ok(REVISE, revise, Some(&admin)).await;
    let documents = [
        (
            ids[0].as_str(),
            vec![&agreement_docx[..], &agreement_pdf[..]],
        ),
        (ids[1].as_str(), vec![guide]),
    ];
    every_version_served(&server, &admin, &documents).await;
    server.terminate(Duration::from_secs(20));
    assert_eq!(stored_files(dir.path()).len(), 3);

    // Into PostgreSQL: the three files in its table, served by a node there.
    let source = dir.path().to_str().unwrap();
    let there = copy(source, &database.url);
    let out = stdout(there);
    assert!(out.contains("the 3 files they name"), "{out}");
    let node = Server::on_database(&database.url).await;
    every_version_served(&node, &admin, &documents).await;
    node.terminate(Duration::from_secs(20));

    // And back into another data directory, whose own files/ now holds them.
    let back = tempfile::TempDir::new().unwrap();
    let back_dir = back.path().join("back");
    let out = stdout(copy(&database.url, back_dir.to_str().unwrap()));
    assert!(out.contains("the 3 files they name"), "{out}");
    let names = |files: Vec<std::path::PathBuf>| -> Vec<String> {
        files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(
        names(stored_files(&back_dir)),
        names(stored_files(dir.path()))
    );
    let returned = Server::start(&back_dir).await;
    every_version_served(&returned, &admin, &documents).await;
    returned.terminate(Duration::from_secs(20));

    // A source whose file changed on disk, or went missing, is no source:
    // the copy stops naming the file, before the event that names it.
    let kept = stored_files(dir.path());
    let changed = &kept[0];
    let original = std::fs::read(changed).unwrap();
    std::fs::write(changed, b"changed on disk").unwrap();
    let refused = copy(source, back.path().join("c").to_str().unwrap());
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let hash = changed.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        stderr.contains("corrupt") && stderr.contains(&hash),
        "{stderr}"
    );
    std::fs::write(changed, &original).unwrap();
    std::fs::remove_file(&kept[1]).unwrap();
    let refused = copy(source, back.path().join("d").to_str().unwrap());
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    let hash = kept[1].file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        stderr.contains("does not hold") && stderr.contains(&hash),
        "{stderr}"
    );
}

const ASK: &str = "mutation($input: AskConsultationInput!) {
    askConsultation(input: $input) { id attachmentName } }";

/// The question's attachment from `server`'s pages, for a staff `token`.
async fn attachment(server: &Server, token: &str, id: &str) -> (u16, Vec<u8>) {
    let cookies = pages::session(server, "/signin", "/signin", &[("token", token)]).await;
    pages::get(server, &cookies, &format!("/consultations/{id}/attachment")).await
}

/// The attachment of question `id` comes back from `server` as `bytes` for
/// each of `tokens`.
async fn served(server: &Server, tokens: &[&str], id: &str, bytes: &[u8]) {
    for token in tokens {
        let (status, served) = attachment(server, token, id).await;
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&served));
        assert!(served == bytes, "the attachment changed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_consultations_attachment_travels_with_the_log_to_postgres_and_back() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let (dir, central, admin) = init();
    let server = Server::start(dir.path()).await;
    let (_, _, school) = branch(&server, &admin, &central, 7).await;
    let (_, chair) = grant(&server, &admin, "CHAIR", &school, "Петрова").await;
    let scan = "Справка-Q7731 о нагрузке учителя Петровой, 18 часов".as_bytes();
    let input = json!({ "service": "LEGAL", "topic": "Нагрузка", "text": "Законно ли?",
        "fileName": "справка.txt", "contentBase64": base64(scan) });
    let asked = server
        .ok(ASK, json!({ "input": input }), Some(&chair))
        .await;
    assert_eq!(asked["askConsultation"]["attachmentName"], "справка.txt");
    let id = asked["askConsultation"]["id"].as_str().unwrap().to_string();
    // The asker and the service (the root's ADMIN, above every region).
    let tokens = [chair.as_str(), admin.as_str()];
    served(&server, &tokens, &id, scan).await;
    server.terminate(Duration::from_secs(20));
    let kept = stored_files(dir.path());
    assert_eq!(kept.len(), 1);
    let on_disk = std::fs::read(&kept[0]).unwrap();
    assert!(
        !on_disk.windows(scan.len()).any(|w| w == scan),
        "stored in clear"
    );

    // Into PostgreSQL, served by a node there.
    let source = dir.path().to_str().unwrap();
    let out = stdout(copy(source, &database.url));
    assert!(out.contains("the 1 files they name"), "{out}");
    let node = Server::on_database(&database.url).await;
    served(&node, &tokens, &id, scan).await;
    node.terminate(Duration::from_secs(20));

    // And back into another data directory, whose files/ holds the same file.
    let back = tempfile::TempDir::new().unwrap();
    let back_dir = back.path().join("back");
    let out = stdout(copy(&database.url, back_dir.to_str().unwrap()));
    assert!(out.contains("the 1 files they name"), "{out}");
    let names = |files: Vec<std::path::PathBuf>| -> Vec<String> {
        files
            .iter()
            .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names(stored_files(&back_dir)), names(kept));
    let returned = Server::start(&back_dir).await;
    served(&returned, &tokens, &id, scan).await;
    returned.terminate(Duration::from_secs(20));
}
