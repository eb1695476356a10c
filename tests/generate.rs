//! `reestr generate` end to end: a small union into a temp dir, read back.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

use domain::event::{Event, OrganizationEvent};
use domain::person::{self, Person};
use domain::vocabulary::organization::OrgLevel;
use domain::vocabulary::person::MemberCategory;
use eventlog::{EventLog, SqliteLog, StoredEvent, codec, read_all};
use futures::StreamExt;
use generator::hierarchy::OrgCounts;
use tempfile::TempDir;

const MEMBERS: u64 = 20_000;

fn generate(data_dir: &Path, seed: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reestr"))
        .arg("--data-dir")
        .arg(data_dir)
        .args([
            "generate",
            "--members",
            "20000",
            "--seed",
            seed,
            "--today",
            "2026-11-24",
        ])
        .env_remove("RUST_BACKTRACE")
        .output()
        .expect("the reestr binary runs")
}

fn read_log(data_dir: &Path) -> Vec<StoredEvent> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let log: Arc<dyn EventLog> =
            Arc::new(SqliteLog::open(data_dir.join("reestr.sqlite")).unwrap());
        let events: Vec<StoredEvent> = read_all(Arc::clone(&log), 0)
            .map(|e| e.unwrap())
            .collect()
            .await;
        log.shutdown().await.unwrap();
        events
    })
}

/// What must be equal between two runs with the same seed (ids of events and
/// the root token's holder aside).
fn content(events: &[StoredEvent]) -> Vec<(String, String, String, Option<chrono::NaiveDate>)> {
    events
        .iter()
        .filter(|e| e.event_type != "RoleGranted")
        .map(|e| {
            (
                e.stream.clone(),
                e.event_type.clone(),
                e.payload.clone(),
                e.effective_on,
            )
        })
        .collect()
}

#[test]
fn generate_fills_an_empty_log_with_a_whole_union_decided_by_the_charter() {
    let dir = TempDir::new().unwrap();
    let output = generate(dir.path(), "7");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.lines().last().unwrap();
    assert!(
        token.starts_with("reestr_") && token.len() == 7 + 64,
        "{stdout}"
    );

    let events = read_log(dir.path());
    let positions: Vec<u64> = events.iter().map(|e| e.position).collect();
    assert_eq!(positions, (1..=events.len() as u64).collect::<Vec<_>>());
    let mut levels: HashMap<OrgLevel, usize> = HashMap::new();
    let mut persons: HashMap<String, Person> = HashMap::new();
    for stored in &events {
        let event = codec::decode(stored).unwrap_or_else(|e| panic!("{stored:?}: {e}"));
        match &event {
            Event::Organization(OrganizationEvent::Registered { level, .. }) => {
                *levels.entry(*level).or_default() += 1
            }
            Event::Person(e) => {
                person::evolve(persons.entry(stored.stream.clone()).or_default(), e)
            }
            _ => {}
        }
    }
    let counts = OrgCounts::for_members(MEMBERS);
    assert_eq!(levels[&OrgLevel::Central], 1);
    assert_eq!(levels[&OrgLevel::Regional], counts.regional);
    assert_eq!(levels[&OrgLevel::Territorial], counts.territorial);
    assert!(levels[&OrgLevel::Primary] >= counts.primary);
    assert!(
        levels[&OrgLevel::Subdivision] >= 1 && levels[&OrgLevel::Group] >= 1,
        "{levels:?}"
    );

    let active: Vec<&Person> = persons.values().filter(|p| p.is_active()).collect();
    let n_active = active.len() as f64;
    assert!(
        (n_active - MEMBERS as f64).abs() < MEMBERS as f64 * 0.05,
        "{n_active} active"
    );
    let share = |category| {
        let n = active
            .iter()
            .filter(|p| p.profile.as_ref().map(|p| p.category) == Some(category))
            .count();
        n as f64 / n_active
    };
    for (category, expected) in [
        (MemberCategory::Worker, 0.674),
        (MemberCategory::Student, 0.298),
        (MemberCategory::Pensioner, 0.028),
    ] {
        let got = share(category);
        assert!(
            (got - expected).abs() < 0.04,
            "{category:?}: {got:.3}, expected {expected}"
        );
    }
    let per_member = events.len() as f64 / n_active;
    assert!(
        (2.5..4.5).contains(&per_member),
        "{per_member:.2} events per member"
    );

    let again = TempDir::new().unwrap();
    assert!(generate(again.path(), "7").status.success());
    assert!(
        content(&read_log(again.path())) == content(&events),
        "the same seed gives the same events"
    );
    let other = TempDir::new().unwrap();
    assert!(generate(other.path(), "8").status.success());
    assert!(
        content(&read_log(other.path())) != content(&events),
        "another seed differs"
    );
}

#[test]
fn generate_refuses_a_log_that_is_not_empty() {
    let dir = TempDir::new().unwrap();
    let init = Command::new(env!("CARGO_BIN_EXE_reestr"))
        .arg("--data-dir")
        .arg(dir.path())
        .arg("init")
        .output()
        .unwrap();
    assert!(init.status.success());
    let refused = generate(dir.path(), "1");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("not empty"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn a_generated_union_has_the_real_union_s_worker_coverage_and_category_shares() {
    let dir = TempDir::new().unwrap();
    assert!(generate(dir.path(), "11").status.success());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let report = runtime.block_on(async {
        let log: Arc<dyn EventLog> =
            Arc::new(SqliteLog::open(dir.path().join("reestr.sqlite")).unwrap());
        let statistics = Arc::new(projections::statistics::Statistics::new());
        let projector = projections::runtime::Projector::new(
            Arc::clone(&log),
            vec![statistics.clone() as Arc<dyn projections::runtime::Projection>],
            0,
        );
        projector.catch_up().await.unwrap();
        let central = read_all(Arc::clone(&log), 0)
            .filter_map(|e| async move {
                match codec::decode(&e.unwrap()).unwrap() {
                    Event::Organization(OrganizationEvent::Registered {
                        org_id,
                        level: OrgLevel::Central,
                        ..
                    }) => Some(org_id),
                    _ => None,
                }
            })
            .boxed()
            .next()
            .await
            .expect("a CENTRAL organisation");
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        let report = statistics.report(central, today, None).unwrap();
        log.shutdown().await.unwrap();
        report
    });
    let coverage = report.worker_coverage.expect("passports give employees");
    assert!(
        (0.67..=0.77).contains(&coverage),
        "worker coverage {coverage:.3}, the union's is about 0.72"
    );
    let share = |key: &str| {
        let count = report
            .by_category
            .iter()
            .find(|(k, _)| *k == key)
            .unwrap()
            .1;
        count as f64 / report.members as f64
    };
    assert!(
        (0.62..=0.72).contains(&share("WORKER")),
        "workers {:.3}",
        share("WORKER")
    );
    assert!(
        (0.25..=0.35).contains(&share("STUDENT")),
        "students {:.3}",
        share("STUDENT")
    );
    assert!(
        (0.01..=0.05).contains(&share("PENSIONER")),
        "pensioners {:.3}",
        share("PENSIONER")
    );
}
