//! Two logs on one database, as two API nodes have: each one's head follows the
//! other's commits (NOTIFY, else polling), positions stay gap-free in commit
//! order while both write, and a subscriber of one sees the other's events.

mod postgres_support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use eventlog::contract::event;
use eventlog::{AppendRequest, Backend, EventLog, ExpectedVersion, PostgresLog, subscribe};
use futures::StreamExt;

use crate::postgres_support::fresh_database;

fn append_one(stream: &str) -> AppendRequest {
    AppendRequest::single(stream, ExpectedVersion::Any, vec![event("Tested")], "node")
}

/// Waits until `log`'s head reaches `position`; returns how long it took.
async fn head_reaches(log: &dyn EventLog, position: u64, within: Duration) -> Duration {
    let started = Instant::now();
    let mut head = log.head();
    let reached = tokio::time::timeout(within, head.wait_for(|&h| h >= position)).await;
    assert!(
        matches!(reached, Ok(Ok(_))),
        "head {} did not reach {position} within {within:?}",
        *log.head().borrow()
    );
    started.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_nodes_write_and_each_sees_every_event_in_order() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let a: Arc<dyn EventLog> = Arc::new(PostgresLog::open(&database.url).await.unwrap());
    let b: Arc<dyn EventLog> = Arc::new(PostgresLog::open(&database.url).await.unwrap());

    a.append(append_one("first")).await.unwrap();
    let waited = head_reaches(b.as_ref(), 1, Duration::from_secs(5)).await;
    assert!(
        waited < Duration::from_millis(450),
        "notified in {waited:?}"
    );

    let per_task = 40;
    let tasks = 8;
    let subscription = subscribe(Arc::clone(&b), 0);
    let mut writers = Vec::new();
    for task in 0..tasks {
        let log = Arc::clone(if task % 2 == 0 { &a } else { &b });
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for _ in 0..per_task {
                let request = append_one(&format!("s-{task}"));
                let event_id = request.streams[0].events[0].event_id;
                let appended = log.append(request).await.unwrap();
                acknowledged.push((appended.last_position, event_id));
            }
            acknowledged
        }));
    }
    let total = 1 + tasks * per_task;
    let received: Vec<_> = tokio::time::timeout(
        Duration::from_secs(30),
        subscription
            .take(total as usize)
            .map(|e| {
                let e = e.unwrap();
                (e.position, e.event_id)
            })
            .collect::<Vec<_>>(),
    )
    .await
    .expect("the subscriber on b sees every event");
    let mut acknowledged = Vec::new();
    for writer in writers {
        acknowledged.extend(writer.await.unwrap());
    }
    acknowledged.sort();
    let positions: Vec<u64> = received.iter().map(|(p, _)| *p).collect();
    assert_eq!(positions, (1..=total).collect::<Vec<_>>());
    assert_eq!(&received[1..], &acknowledged[..]);
    head_reaches(a.as_ref(), total, Duration::from_secs(5)).await;
    a.shutdown().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_commit_without_notification_is_found_by_polling() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let log = PostgresLog::open(&database.url).await.unwrap();
    // A commit that notifies nobody, as when a notification is lost.
    let pool = sqlx::PgPool::connect(&database.url).await.unwrap();
    sqlx::query(
        "INSERT INTO events (position, stream, version, event_id, event_type, schema_version,
                             recorded_at, actor, payload)
         VALUES (1, 'quiet', 1, gen_random_uuid(), 'Tested', 1, now(), 'node', '{}')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let waited = head_reaches(&log, 1, Duration::from_secs(5)).await;
    assert!(
        waited <= eventlog::postgres::POLL_INTERVAL + Duration::from_millis(500),
        "polled in {waited:?}"
    );
    // The log goes on from the polled head.
    let appended = log.append(append_one("quiet")).await.unwrap();
    assert_eq!(
        (appended.last_position, appended.stream_versions[0].1),
        (2, 2)
    );
    log.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_excludes_the_other_node_and_shows_it_what_the_holder_committed() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let a: Arc<dyn Backend> = Arc::new(PostgresLog::open(&database.url).await.unwrap());
    let b: Arc<dyn Backend> = Arc::new(PostgresLog::open(&database.url).await.unwrap());
    assert!(a.shared() && b.shared());

    let held = a.turn(b"snils 1").await.unwrap();
    assert_eq!(held.head(), 0);
    // Another topic is free meanwhile.
    let other = tokio::time::timeout(Duration::from_secs(5), b.turn(b"snils 2")).await;
    drop(other.expect("another topic does not wait").unwrap());

    let waiting = tokio::spawn({
        let b = Arc::clone(&b);
        async move { b.turn(b"snils 1").await.unwrap() }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!waiting.is_finished(), "the second node waits for the turn");
    let appended = a.append(append_one("person-1")).await.unwrap();
    drop(held);
    let turn = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .expect("the turn passes once the holder drops it")
        .unwrap();
    assert_eq!(
        turn.head(),
        appended.last_position,
        "the turn's head includes what the previous holder committed"
    );
    assert_eq!(b.committed_head().await.unwrap(), appended.last_position);
    drop(turn);

    // A node that gives up waiting (its request was cancelled) leaves no lock
    // behind, even if the server grants it after the cancel.
    let held = a.turn(b"snils 3").await.unwrap();
    let given_up = tokio::time::timeout(Duration::from_millis(200), b.turn(b"snils 3")).await;
    assert!(given_up.is_err(), "it was still waiting");
    drop(held);
    for log in [&a, &b] {
        let again = tokio::time::timeout(Duration::from_secs(5), log.turn(b"snils 3")).await;
        drop(again.expect("nobody holds the turn any more").unwrap());
    }
}
