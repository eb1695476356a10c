//! `reestr copy` end to end: a generated union (with erased persons) from
//! SQLite into PostgreSQL and back into SQLite, the same digest at every step;
//! an interrupted copy resumes; a target holding another log is refused.

#[path = "../eventlog/tests/postgres_support/mod.rs"]
mod postgres_support;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use eventlog::bulk::digest_log;
use eventlog::{
    Backend, BulkLog, EventLog, Personal, PostgresLog, SqliteLog, StoredEvent, read_all,
};
use futures::StreamExt;
use tempfile::TempDir;

use crate::postgres_support::fresh_database;

fn reestr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reestr"))
        .args(args)
        .env_remove("REESTR_DATABASE_URL")
        .output()
        .expect("the reestr binary runs")
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The digest `reestr copy` printed after verifying.
fn printed_digest(stdout: &str) -> String {
    stdout
        .lines()
        .find_map(|line| line.split("digest ").nth(1))
        .unwrap_or_else(|| panic!("no digest in: {stdout}"))
        .to_string()
}

fn generate(data_dir: &Path, members: &str) {
    succeeded(&reestr(&[
        "--data-dir",
        data_dir.to_str().unwrap(),
        "generate",
        "--members",
        members,
        "--today",
        "2026-11-24",
    ]));
}

async fn everything(log: Arc<dyn EventLog>) -> Vec<StoredEvent> {
    let events = read_all(Arc::clone(&log), 0)
        .map(|e| e.unwrap())
        .collect()
        .await;
    log.shutdown().await.unwrap();
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generated_union_copied_to_postgres_and_back_is_the_same_log() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let data_dir = dir.path().join("a");
    generate(&data_dir, "2000");
    let back = dir.path().join("back.sqlite");
    let back_url = format!("sqlite://{}", back.display());

    let there = succeeded(&reestr(&[
        "copy",
        "--from",
        data_dir.to_str().unwrap(),
        "--to",
        &database.url,
        "--batch",
        "1000",
    ]));
    let again = succeeded(&reestr(&[
        "copy",
        "--from",
        &database.url,
        "--to",
        &back_url,
    ]));
    assert_eq!(printed_digest(&there), printed_digest(&again));

    let original = everything(Arc::new(
        SqliteLog::open(data_dir.join("reestr.sqlite")).unwrap(),
    ))
    .await;
    let copied = everything(Arc::new(PostgresLog::open(&database.url).await.unwrap())).await;
    let returned = everything(Arc::new(SqliteLog::open(&back).unwrap())).await;
    assert!(original.len() > 5_000, "{} events", original.len());
    assert!(copied == original, "PostgreSQL holds the generated log");
    assert!(returned == original, "the log came back unchanged");
    let erased = original
        .iter()
        .filter(|e| e.personal == Personal::Erased)
        .count();
    assert!(erased > 0, "the generated union has erased persons");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_copy_resumes_and_another_log_is_refused() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let data_dir = dir.path().join("a");
    generate(&data_dir, "500");
    let source: Arc<dyn Backend> =
        Arc::new(SqliteLog::open(data_dir.join("reestr.sqlite")).unwrap());
    let head = *source.head().borrow();
    // An interrupted copy: the first 1,500 events arrived, the rest did not.
    {
        let target = PostgresLog::open(&database.url).await.unwrap();
        let batch = source.export(0, 500).await.unwrap();
        assert_eq!(target.import_raw(batch).await.unwrap(), 500);
        let batch = source.export(500, 1_000).await.unwrap();
        assert_eq!(target.import_raw(batch).await.unwrap(), 1_500);
        target.shutdown().await.unwrap();
    }
    let expected = digest_log(source.as_ref(), head, 10_000).await.unwrap();
    source.shutdown().await.unwrap();

    let resumed = reestr(&[
        "copy",
        "--from",
        data_dir.to_str().unwrap(),
        "--to",
        &database.url,
    ]);
    let stdout = succeeded(&resumed);
    assert!(
        String::from_utf8_lossy(&resumed.stderr).contains("resuming after 1500"),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    assert!(
        stdout.contains(&format!("copied {} events", head - 1_500)),
        "{stdout}"
    );
    assert_eq!(printed_digest(&stdout), expected.finish());

    // Another union is not a continuation of this copy.
    let other = dir.path().join("b");
    generate(&other, "600");
    let refused = reestr(&[
        "copy",
        "--from",
        other.to_str().unwrap(),
        "--to",
        &database.url,
    ]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("not"), "{stderr}");
}
