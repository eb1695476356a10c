//! The command line end to end: `reestr init` and `reestr events` on a real data directory.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

fn reestr(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reestr"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the reestr binary runs")
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn journal(data_dir: &Path, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["events"];
    all.extend_from_slice(args);
    stdout(&reestr(data_dir, &all))
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn init_creates_the_central_organisation_and_a_root_admin_whose_token_only_the_holder_sees() {
    let dir = TempDir::new().unwrap();
    let out = stdout(&reestr(dir.path(), &["init", "--holder", "root@union"]));
    let token = out.lines().last().unwrap();
    assert!(
        token.starts_with("reestr_") && token.len() == 7 + 64,
        "last line is the token: {out}"
    );
    let org_id = out.lines().next().unwrap().rsplit(' ').next().unwrap();

    let events = journal(dir.path(), &[]);
    assert_eq!(events.len(), 2);
    let (registered, granted) = (&events[0], &events[1]);
    assert_eq!(registered["type"], "OrganizationRegistered");
    assert_eq!(registered["data"]["level"], "CENTRAL");
    assert_eq!(registered["data"]["org_id"], org_id);
    assert_eq!(registered["position"], 1);
    assert_eq!(registered["actor"], "operator");
    assert_eq!(granted["type"], "RoleGranted");
    assert_eq!(granted["data"]["role"], "ADMIN");
    assert_eq!(granted["data"]["org_id"], org_id);
    assert_eq!(granted["data"]["holder"], "root@union");
    assert_eq!(granted["data"]["token_hash"], app::tokens::hash(token));
    assert_eq!(
        registered["correlationId"], granted["correlationId"],
        "one command, one correlation"
    );

    let file = std::fs::read(dir.path().join("reestr.sqlite")).unwrap();
    assert!(
        !file.windows(token.len()).any(|w| w == token.as_bytes()),
        "the token itself is stored"
    );
}

#[test]
fn init_refuses_a_registry_that_exists_and_changes_nothing() {
    let dir = TempDir::new().unwrap();
    stdout(&reestr(dir.path(), &["init"]));
    let again = reestr(dir.path(), &["init"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("initialised already"));
    assert_eq!(journal(dir.path(), &[]).len(), 2);
}

#[test]
fn events_filters_by_position_and_by_stream() {
    let dir = TempDir::new().unwrap();
    stdout(&reestr(dir.path(), &["init"]));
    stdout(&reestr(
        dir.path(),
        &["bench", "append", "--writers", "2", "--events", "10"],
    ));
    assert_eq!(journal(dir.path(), &[]).len(), 12);
    let after = journal(dir.path(), &["--from", "9"]);
    let positions: Vec<u64> = after
        .iter()
        .map(|e| e["position"].as_u64().unwrap())
        .collect();
    assert_eq!(positions, vec![10, 11, 12]);
    let stream = after[0]["stream"].as_str().unwrap().to_string();
    let of_stream = journal(dir.path(), &["--stream", &stream]);
    assert!(!of_stream.is_empty());
    assert!(
        of_stream
            .iter()
            .all(|e| e["stream"] == stream.as_str() && e["type"] == "MemberTransferred")
    );
}

#[test]
fn an_unsupported_database_url_is_a_clear_error() {
    let dir = TempDir::new().unwrap();
    let out = reestr(dir.path(), &["--database-url", "mysql://x", "events"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown database URL"));
}

#[test]
fn bench_read_side_rebuilds_a_generated_union_and_reports_every_figure() {
    let dir = TempDir::new().unwrap();
    stdout(&reestr(
        dir.path(),
        &["generate", "--members", "3000", "--seed", "3"],
    ));
    let out = stdout(&reestr(
        dir.path(),
        &[
            "bench",
            "read-side",
            "--repeat",
            "1",
            "--as-of",
            "2025-01-01",
        ],
    ));
    let rebuilt: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("rebuild of all projections: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the rebuild line");
    assert_eq!(
        rebuilt,
        journal(dir.path(), &[]).len() as u64,
        "every event of the log is folded"
    );
    let whole_union: u64 = out
        .lines()
        .find(|l| l.starts_with("statistics, whole union"))
        .and_then(|l| l.rsplit('(').next())
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the whole-union line");
    assert!(
        (2_000..=4_000).contains(&whole_union),
        "members on 2025-01-01: {whole_union}"
    );
    for line in [
        "statistics, one territorial",
        "movement for a year, whole union",
        "peak memory",
    ] {
        assert!(out.contains(line), "{line} missing from:\n{out}");
    }
}
