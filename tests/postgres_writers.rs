//! Several processes appending to one PostgreSQL log at once, as several API
//! nodes do: every acknowledged append is stored at its acknowledged position,
//! and the positions are 1..N without a gap. One writer is SIGKILLed in the
//! middle of its appends: the others go on (its transaction and the append lock
//! die with its connection), and nothing it acknowledged is lost.

#[path = "../eventlog/tests/postgres_support/mod.rs"]
mod postgres_support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;

use eventlog::{AppendRequest, EventLog, ExpectedVersion, NewEvent, PostgresLog, codec};
use uuid::Uuid;

use crate::postgres_support::fresh_database;

/// An acknowledged append: its position and event id.
type Acknowledged = (u64, Uuid);

/// Writer processes appending at once.
const PROCESSES: usize = 4;
/// Single-event commands per process that runs to its end.
const EVENTS: u64 = 1_500;
/// Commands of the process that must keep going while another is killed:
/// more than the victim acknowledges before its kill.
const SURVIVOR_EVENTS: u64 = 3_000;

fn start_appending(url: &str, events: u64) -> Child {
    Command::new(env!("CARGO_BIN_EXE_reestr"))
        .args(["--database-url", url])
        .args(["bench", "append", "--writers", "16", "--print-acks"])
        .args(["--events", &events.to_string()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the reestr binary starts")
}

/// Reads `ack <position> <event id>` lines; with `kill_after`, SIGKILLs the
/// child once that many arrived. Returns the acknowledgements and whether the
/// child exited successfully (a killed one does not).
fn acknowledgements(mut child: Child, kill_after: Option<usize>) -> (Vec<Acknowledged>, bool) {
    let stdout = child.stdout.take().expect("piped stdout");
    let mut acknowledged = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("a line of output");
        let mut words = line.split(' ');
        assert_eq!(words.next(), Some("ack"), "unexpected output: {line}");
        let position: u64 = words.next().unwrap().parse().unwrap();
        let event_id: Uuid = words.next().unwrap().parse().unwrap();
        acknowledged.push((position, event_id));
        if Some(acknowledged.len()) == kill_after {
            child.kill().expect("SIGKILL"); // SIGKILL on Unix
            break;
        }
    }
    let output = child.wait_with_output().expect("the child ends");
    if kill_after.is_none() && !output.status.success() {
        panic!(
            "a writer failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    (acknowledged, output.status.success())
}

/// Every position 1..=head holds one event, and each acknowledged one holds
/// the acknowledged event, intact.
async fn check_log(url: &str, acknowledged: &[Acknowledged]) -> u64 {
    let log = PostgresLog::open(url).await.unwrap();
    let head = *log.head().borrow();
    let stored = log.read_batch(0, usize::MAX >> 1).await.unwrap();
    let positions: Vec<u64> = stored.iter().map(|e| e.position).collect();
    assert_eq!(
        positions,
        (1..=head).collect::<Vec<_>>(),
        "positions have a gap"
    );
    let by_position: HashMap<u64, Uuid> = acknowledged.iter().copied().collect();
    assert_eq!(
        by_position.len(),
        acknowledged.len(),
        "a position was acknowledged twice"
    );
    for (&position, &event_id) in &by_position {
        let event = &stored[position as usize - 1];
        assert_eq!(
            event.event_id, event_id,
            "acknowledged event at {position} lost or replaced"
        );
        codec::decode(event).expect("an acknowledged event is intact");
    }
    let probe = AppendRequest::single(
        "probe",
        ExpectedVersion::Any,
        vec![NewEvent {
            event_id: Uuid::now_v7(),
            event_type: "Probe".into(),
            schema_version: 1,
            effective_on: None,
            payload: "{}".into(),
            personal: None,
        }],
        "writers-test",
    );
    assert_eq!(log.append(probe).await.unwrap().last_position, head + 1);
    log.shutdown().await.unwrap();
    head + 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writer_processes_get_gap_free_positions() {
    let Some(database) = fresh_database().await else {
        return;
    };
    // All start on an empty database: they also race to create the tables.
    let readers: Vec<JoinHandle<(Vec<Acknowledged>, bool)>> = (0..PROCESSES)
        .map(|_| {
            let child = start_appending(&database.url, EVENTS);
            std::thread::spawn(move || acknowledgements(child, None))
        })
        .collect();
    let mut acknowledged = Vec::new();
    for reader in readers {
        let (acks, _) = reader.join().expect("a reader thread");
        assert_eq!(acks.len() as u64, EVENTS);
        acknowledged.extend(acks);
    }
    let total = PROCESSES as u64 * EVENTS;
    let mut positions: Vec<u64> = acknowledged.iter().map(|(p, _)| *p).collect();
    positions.sort_unstable();
    assert_eq!(positions, (1..=total).collect::<Vec<_>>());
    assert_eq!(check_log(&database.url, &acknowledged).await, total + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_killed_mid_stream_loses_nothing_and_stops_nobody() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let mut all_acknowledged = Vec::new();
    for kill in 0..3 {
        // One victim, appending for ever, beside a survivor that must finish.
        let victim = start_appending(&database.url, 10_000_000);
        let survivor = start_appending(&database.url, SURVIVOR_EVENTS);
        let survivor = std::thread::spawn(move || acknowledgements(survivor, None));
        let (killed, exited) = acknowledgements(victim, Some(1_000 + kill * 500));
        assert!(!exited, "the victim was killed");
        let (survived, finished) = survivor.join().expect("the survivor's reader");
        assert!(finished && survived.len() as u64 == SURVIVOR_EVENTS);
        all_acknowledged.extend(killed);
        all_acknowledged.extend(survived);
        check_log(&database.url, &all_acknowledged).await;
    }
}
