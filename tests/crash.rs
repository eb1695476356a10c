//! Durability under SIGKILL: a child `reestr bench append --print-acks` appends
//! from many concurrent tasks and prints each acknowledged position; it is killed
//! mid-stream. Reopened, the log must hold every acknowledged event, intact, at
//! the acknowledged position, with positions 1..N and no gap, and keep working.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use eventlog::{AppendRequest, EventLog, ExpectedVersion, SqliteLog, codec};
use tempfile::TempDir;
use uuid::Uuid;

/// Kills per test run: each one starts from the log the previous one left.
const KILLS: usize = 6;

fn start_appending(data_dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_reestr"))
        .args(["--data-dir", data_dir.to_str().unwrap()])
        .args([
            "bench",
            "append",
            "--writers",
            "32",
            "--events",
            "10000000",
            "--print-acks",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the reestr binary starts")
}

/// Reads acknowledgements until `wanted` have arrived, then SIGKILLs the child
/// (no chance to flush or close anything) and returns what it acknowledged.
fn acknowledgements_until_killed(mut child: Child, wanted: usize) -> Vec<(u64, Uuid)> {
    let stdout = child.stdout.take().unwrap();
    let mut acknowledged = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let mut words = line.split(' ');
        assert_eq!(words.next(), Some("ack"), "unexpected output: {line}");
        let position: u64 = words.next().unwrap().parse().unwrap();
        let event_id: Uuid = words.next().unwrap().parse().unwrap();
        acknowledged.push((position, event_id));
        if acknowledged.len() == wanted {
            child.kill().unwrap(); // SIGKILL on Unix
            break;
        }
    }
    child.wait().unwrap();
    acknowledged
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_acknowledged_append_is_lost_when_the_writer_is_killed() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("reestr.sqlite");
    let mut all_acknowledged = Vec::new();
    for kill in 0..KILLS {
        let child = start_appending(dir.path());
        let acknowledged = acknowledgements_until_killed(child, 2_000 + kill * 500);
        assert!(!acknowledged.is_empty());
        all_acknowledged.extend(acknowledged);

        let log = SqliteLog::open(&db).unwrap();
        let head = *log.head().borrow();
        let stored = log.read_batch(0, usize::MAX >> 1).await.unwrap();
        let positions: Vec<u64> = stored.iter().map(|e| e.position).collect();
        assert_eq!(
            positions,
            (1..=head).collect::<Vec<_>>(),
            "positions have a gap after kill {kill}"
        );
        for &(position, event_id) in &all_acknowledged {
            let event = &stored[position as usize - 1];
            assert_eq!(
                event.event_id, event_id,
                "acknowledged event at {position} lost or replaced"
            );
            codec::decode(event).expect("an acknowledged event is intact");
        }
        // The reopened log keeps working where the killed one stopped.
        let probe = AppendRequest::single(
            format!("probe-{kill}"),
            ExpectedVersion::NoStream,
            vec![eventlog::NewEvent {
                event_id: Uuid::now_v7(),
                event_type: "Probe".into(),
                schema_version: 1,
                effective_on: None,
                payload: "{}".into(),
                personal: None,
            }],
            "crash-test",
        );
        assert_eq!(log.append(probe).await.unwrap().last_position, head + 1);
        log.shutdown().await.unwrap();
    }
    assert!(all_acknowledged.len() >= KILLS * 2_000);
}
