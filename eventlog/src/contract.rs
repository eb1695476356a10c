//! The contract every backend passes: written once against [`EventLog`], run by
//! each backend's tests through [`contract_suite!`](crate::contract_suite).
//!
//! A backend's test file provides a [`TestBackend`]: a fresh, empty log per test that
//! can be opened again after shutdown (to prove durability and permanence).

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::NaiveDate;
use futures::StreamExt;
use uuid::Uuid;

use crate::backend::Backend;
use crate::envelope::{
    AppendRequest, ExpectedVersion, NewEvent, Personal, StoredEvent, StreamAppend,
};
use crate::error::Error;
use crate::log::{read_all, subscribe};

mod import;

pub use import::{
    an_import_after_appends_continues_the_log, an_import_honours_erasure,
    an_import_refuses_a_version_conflict, an_import_stores_what_appends_would_across_batches,
};

/// A place for one test's log.
#[async_trait]
pub trait TestBackend: Send + Sync {
    /// Opens the log (the same one each time this backend is opened).
    async fn open(&self) -> Arc<dyn Backend>;
}

/// Expands to one `#[tokio::test]` per contract check; `$backend` is an async
/// expression giving a fresh [`TestBackend`] (or `None` to skip, e.g. no server).
#[macro_export]
macro_rules! contract_suite {
    ($backend:expr) => {
        $crate::contract_suite!(@tests $backend;
            appended_events_read_back_with_their_envelope,
            positions_are_gap_free_in_commit_order_under_concurrency,
            a_version_conflict_writes_nothing_in_any_stream,
            no_stream_and_exact_versions_are_enforced,
            a_version_check_without_events_guards_a_stream,
            a_repeated_append_returns_the_first_result_and_writes_nothing,
            a_repeated_command_id_is_applied_once_even_after_reopening,
            a_stored_command_is_found_with_its_first_result,
            a_partial_repeat_of_event_ids_is_refused,
            malformed_appends_are_refused,
            read_all_streams_every_event_in_batches,
            read_positions_returns_those_committed_in_order,
            read_streams_returns_each_stream_in_the_order_asked,
            subscribe_catches_up_then_goes_live_without_gap_or_duplicate,
            personal_data_reads_back_until_erased_then_never,
            acknowledged_appends_survive_reopening,
            appends_after_shutdown_are_refused,
            an_import_stores_what_appends_would_across_batches,
            an_import_refuses_a_version_conflict,
            an_import_honours_erasure,
            an_import_after_appends_continues_the_log,
        );
    };
    (@tests $backend:expr; $($check:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                if let Some(backend) = $backend.await {
                    $crate::contract::$check(&backend).await;
                }
            }
        )*
    };
}

fn date() -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2024, 9, 1)
}

/// An event with a small payload.
pub fn event(event_type: &str) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: event_type.to_string(),
        schema_version: 1,
        effective_on: date(),
        payload: format!("{{\"n\":\"{}\"}}", Uuid::new_v4()),
        personal: None,
    }
}

fn append_one(stream: &str, expected: ExpectedVersion) -> AppendRequest {
    AppendRequest::single(stream, expected, vec![event("Tested")], "contract")
}

/// Positions, stream versions and every envelope field come back as written.
pub async fn appended_events_read_back_with_their_envelope(backend: &dyn TestBackend) {
    let log = backend.open().await;
    let mut first = event("MemberAdmitted");
    first.personal = Some("{\"last_name\":\"Петрова\"}".into());
    let second = event("MemberTransferred");
    let correlation = Uuid::new_v4();
    let causation = Uuid::new_v4();
    let request = AppendRequest {
        streams: vec![StreamAppend {
            stream: "person-a".into(),
            expected: ExpectedVersion::NoStream,
            events: vec![first.clone(), second.clone()],
        }],
        command_id: None,
        actor: "chair@17".into(),
        correlation_id: Some(correlation),
        causation_id: Some(causation),
        erase_personal_data_of: vec![],
    };
    let appended = log.append(request).await.unwrap();
    assert_eq!((appended.first_position, appended.last_position), (1, 2));
    assert_eq!(appended.stream_versions, vec![("person-a".to_string(), 2)]);
    assert!(!appended.duplicate);
    assert_eq!(*log.head().borrow(), 2);

    let stored = log.read_stream("person-a", 0).await.unwrap();
    assert_eq!(stored.len(), 2);
    for (got, (sent, version)) in stored.iter().zip([(&first, 1), (&second, 2)]) {
        assert_eq!(got.position, version);
        assert_eq!(got.version, version);
        assert_eq!(got.stream, "person-a");
        assert_eq!(got.event_id, sent.event_id);
        assert_eq!(got.event_type, sent.event_type);
        assert_eq!(got.schema_version, 1);
        assert_eq!(got.effective_on, sent.effective_on);
        assert_eq!(got.payload, sent.payload);
        assert_eq!(got.actor, "chair@17");
        assert_eq!(got.correlation_id, Some(correlation));
        assert_eq!(got.causation_id, Some(causation));
        assert!((chrono::Utc::now() - got.recorded_at).num_seconds().abs() < 60);
    }
    assert_eq!(
        stored[0].personal,
        Personal::Plain("{\"last_name\":\"Петрова\"}".into())
    );
    assert_eq!(stored[1].personal, Personal::None);
    assert_eq!(log.read_stream("person-a", 1).await.unwrap().len(), 1);
    assert!(log.read_stream("person-none", 0).await.unwrap().is_empty());
}

/// Many tasks append at once: every append is acknowledged with its own
/// positions, and the log holds exactly 1..N in the order of those positions.
pub async fn positions_are_gap_free_in_commit_order_under_concurrency(backend: &dyn TestBackend) {
    let log = backend.open().await;
    let tasks: u64 = 32;
    let per_task: u64 = 25;
    let mut handles = Vec::new();
    for task in 0..tasks {
        let log = Arc::clone(&log);
        handles.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for n in 0..per_task {
                let stream = format!("person-{task}");
                let expected = if n == 0 {
                    ExpectedVersion::NoStream
                } else {
                    ExpectedVersion::Exact(n)
                };
                let request = append_one(&stream, expected);
                let event_id = request.streams[0].events[0].event_id;
                let appended = log.append(request).await.unwrap();
                assert_eq!(appended.first_position, appended.last_position);
                acknowledged.push((appended.last_position, event_id));
            }
            acknowledged
        }));
    }
    let mut acknowledged = Vec::new();
    for handle in handles {
        acknowledged.extend(handle.await.unwrap());
    }
    acknowledged.sort();
    let total = tasks * per_task;
    let positions: Vec<u64> = acknowledged.iter().map(|(p, _)| *p).collect();
    assert_eq!(positions, (1..=total).collect::<Vec<_>>());
    let stored: Vec<_> = read_all(log.clone(), 0).map(|e| e.unwrap()).collect().await;
    assert_eq!(stored.len() as u64, total);
    for (event, (position, event_id)) in stored.iter().zip(&acknowledged) {
        assert_eq!((event.position, event.event_id), (*position, *event_id));
    }
}

/// An append to two streams where one check fails stores nothing in either.
pub async fn a_version_conflict_writes_nothing_in_any_stream(backend: &dyn TestBackend) {
    let log = backend.open().await;
    log.append(append_one("org-1", ExpectedVersion::NoStream))
        .await
        .unwrap();
    let request = AppendRequest {
        streams: vec![
            StreamAppend {
                stream: "person-1".into(),
                expected: ExpectedVersion::NoStream,
                events: vec![event("A")],
            },
            StreamAppend {
                stream: "org-1".into(),
                expected: ExpectedVersion::Exact(5),
                events: vec![event("B")],
            },
        ],
        actor: "contract".into(),
        ..AppendRequest::default()
    };
    match log.append(request).await {
        Err(Error::Conflict {
            stream,
            expected,
            actual,
        }) => {
            assert_eq!(
                (stream.as_str(), expected, actual),
                ("org-1", ExpectedVersion::Exact(5), 1)
            );
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert!(log.read_stream("person-1", 0).await.unwrap().is_empty());
    assert_eq!(*log.head().borrow(), 1);
    // Both streams together, with the right versions, go through atomically.
    let request = AppendRequest {
        streams: vec![
            StreamAppend {
                stream: "person-1".into(),
                expected: ExpectedVersion::NoStream,
                events: vec![event("A")],
            },
            StreamAppend {
                stream: "org-1".into(),
                expected: ExpectedVersion::Exact(1),
                events: vec![event("B")],
            },
        ],
        actor: "contract".into(),
        ..AppendRequest::default()
    };
    let appended = log.append(request).await.unwrap();
    assert_eq!((appended.first_position, appended.last_position), (2, 3));
    assert_eq!(
        appended.stream_versions,
        vec![("person-1".into(), 1), ("org-1".into(), 2)]
    );
}

/// `NoStream` fails once the stream exists; `Exact` fails on any other version.
pub async fn no_stream_and_exact_versions_are_enforced(backend: &dyn TestBackend) {
    let log = backend.open().await;
    log.append(append_one("s", ExpectedVersion::NoStream))
        .await
        .unwrap();
    let conflict = log.append(append_one("s", ExpectedVersion::NoStream)).await;
    assert!(
        matches!(conflict, Err(Error::Conflict { actual: 1, .. })),
        "{conflict:?}"
    );
    let conflict = log.append(append_one("s", ExpectedVersion::Exact(0))).await;
    assert!(
        matches!(conflict, Err(Error::Conflict { actual: 1, .. })),
        "{conflict:?}"
    );
    let conflict = log.append(append_one("t", ExpectedVersion::Exact(1))).await;
    assert!(
        matches!(conflict, Err(Error::Conflict { actual: 0, .. })),
        "{conflict:?}"
    );
    log.append(append_one("s", ExpectedVersion::Exact(1)))
        .await
        .unwrap();
    let appended = log
        .append(append_one("s", ExpectedVersion::Any))
        .await
        .unwrap();
    assert_eq!(appended.stream_versions, vec![("s".into(), 3)]);
    assert_eq!(*log.head().borrow(), 3);
}

/// A stream listed with no events is only checked: a decision that read it fails
/// if it moved on, and succeeds (writing nothing there) if it did not.
pub async fn a_version_check_without_events_guards_a_stream(backend: &dyn TestBackend) {
    let log = backend.open().await;
    log.append(append_one("person-x", ExpectedVersion::NoStream))
        .await
        .unwrap();
    let guarded = |version| AppendRequest {
        streams: vec![
            StreamAppend {
                stream: "card-1".into(),
                expected: ExpectedVersion::NoStream,
                events: vec![event("C")],
            },
            StreamAppend {
                stream: "person-x".into(),
                expected: ExpectedVersion::Exact(version),
                events: vec![],
            },
        ],
        actor: "contract".into(),
        ..AppendRequest::default()
    };
    assert!(matches!(
        log.append(guarded(7)).await,
        Err(Error::Conflict { .. })
    ));
    let appended = log.append(guarded(1)).await.unwrap();
    assert_eq!(
        appended.stream_versions,
        vec![("card-1".into(), 1), ("person-x".into(), 1)]
    );
    assert_eq!(log.read_stream("person-x", 0).await.unwrap().len(), 1);
}

/// The same append sent twice (same event ids) is stored once; the retry gets
/// the first positions back, even when its version check would now fail.
pub async fn a_repeated_append_returns_the_first_result_and_writes_nothing(
    backend: &dyn TestBackend,
) {
    let log = backend.open().await;
    let request = AppendRequest::single(
        "person-r",
        ExpectedVersion::NoStream,
        vec![event("A"), event("B")],
        "contract",
    );
    let first = log.append(request.clone()).await.unwrap();
    let again = log.append(request).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(
        (again.first_position, again.last_position),
        (first.first_position, first.last_position)
    );
    assert_eq!(again.stream_versions, first.stream_versions);
    assert_eq!(*log.head().borrow(), 2);
    assert_eq!(log.read_batch(0, 100).await.unwrap().len(), 2);
}

/// A command id is remembered for ever: its retry (with new event ids, as a
/// client retrying a mutation produces) returns the first result, also after the
/// log was shut down and opened again.
pub async fn a_repeated_command_id_is_applied_once_even_after_reopening(backend: &dyn TestBackend) {
    let command_id = Uuid::new_v4();
    let request = || {
        let mut request = append_one("person-c", ExpectedVersion::Any);
        request.command_id = Some(command_id);
        request
    };
    let first = {
        let log = backend.open().await;
        let first = log.append(request()).await.unwrap();
        let again = log.append(request()).await.unwrap();
        assert!(again.duplicate);
        assert_eq!(again.last_position, first.last_position);
        log.shutdown().await.unwrap();
        first
    };
    let log = backend.open().await;
    let again = log.append(request()).await.unwrap();
    assert!(again.duplicate);
    assert_eq!(
        (again.first_position, again.last_position),
        (first.first_position, first.last_position)
    );
    assert_eq!(log.read_stream("person-c", 0).await.unwrap().len(), 1);
}

/// `find_command` answers with the first result of a stored command, and with
/// nothing for one never stored.
pub async fn a_stored_command_is_found_with_its_first_result(backend: &dyn TestBackend) {
    let log = backend.open().await;
    let command_id = Uuid::new_v4();
    assert_eq!(log.find_command(command_id).await.unwrap(), None);
    let mut request = AppendRequest::single(
        "person-f",
        ExpectedVersion::NoStream,
        vec![event("A"), event("B")],
        "contract",
    );
    request.streams.push(StreamAppend {
        stream: "org-f".into(),
        expected: ExpectedVersion::Any,
        events: vec![event("C")],
    });
    request.command_id = Some(command_id);
    log.append(append_one("other", ExpectedVersion::Any))
        .await
        .unwrap();
    let first = log.append(request).await.unwrap();
    let found = log
        .find_command(command_id)
        .await
        .unwrap()
        .expect("the command is stored");
    assert!(found.duplicate);
    assert_eq!((found.first_position, found.last_position), (2, 4));
    assert_eq!((first.first_position, first.last_position), (2, 4));
    let mut versions = found.stream_versions.clone();
    versions.sort();
    assert_eq!(
        versions,
        vec![("org-f".to_string(), 1), ("person-f".to_string(), 2)]
    );
}

/// An append that repeats some, but not all, stored event ids is a client bug:
/// refused, nothing written.
pub async fn a_partial_repeat_of_event_ids_is_refused(backend: &dyn TestBackend) {
    let log = backend.open().await;
    let stored = event("A");
    log.append(AppendRequest::single(
        "s",
        ExpectedVersion::Any,
        vec![stored.clone()],
        "contract",
    ))
    .await
    .unwrap();
    let mixed = AppendRequest::single(
        "s",
        ExpectedVersion::Any,
        vec![event("B"), stored.clone()],
        "contract",
    );
    match log.append(mixed).await {
        Err(Error::DuplicateEvent { event_id }) => assert_eq!(event_id, stored.event_id),
        other => panic!("expected DuplicateEvent, got {other:?}"),
    }
    assert_eq!(*log.head().borrow(), 1);
}

/// Requests without an actor, without streams, with a stream twice, with an event
/// id twice or a payload that is not an object are refused and write nothing.
pub async fn malformed_appends_are_refused(backend: &dyn TestBackend) {
    let log = backend.open().await;
    let mut no_actor = append_one("s", ExpectedVersion::Any);
    no_actor.actor = " ".into();
    let no_streams = AppendRequest {
        actor: "contract".into(),
        ..AppendRequest::default()
    };
    let mut twice = append_one("s", ExpectedVersion::Any);
    twice.streams.push(twice.streams[0].clone());
    let same_event = event("A");
    let same_id = AppendRequest::single(
        "s",
        ExpectedVersion::Any,
        vec![same_event.clone(), same_event],
        "contract",
    );
    let mut not_object = append_one("s", ExpectedVersion::Any);
    not_object.streams[0].events[0].payload = "[1]".into();
    let mut empty_stream = append_one("s", ExpectedVersion::Any);
    empty_stream.streams[0].stream = String::new();
    for request in [
        no_actor,
        no_streams,
        twice,
        same_id,
        not_object,
        empty_stream,
    ] {
        let outcome = log.append(request).await;
        assert!(
            matches!(outcome, Err(Error::InvalidAppend(_))),
            "{outcome:?}"
        );
    }
    assert_eq!(*log.head().borrow(), 0);
    // The writer is still serving.
    log.append(append_one("s", ExpectedVersion::NoStream))
        .await
        .unwrap();
}

/// `read_all` returns every event after a position, across many batches.
pub async fn read_all_streams_every_event_in_batches(backend: &dyn TestBackend) {
    let log = backend.open().await;
    let total = crate::log::READ_BATCH as u64 * 2 + 7;
    let events: Vec<NewEvent> = (0..total).map(|_| event("Bulk")).collect();
    for chunk in events.chunks(500) {
        log.append(AppendRequest::single(
            "bulk",
            ExpectedVersion::Any,
            chunk.to_vec(),
            "contract",
        ))
        .await
        .unwrap();
    }
    let positions: Vec<u64> = read_all(log.clone(), 0)
        .map(|e| e.unwrap().position)
        .collect()
        .await;
    assert_eq!(positions, (1..=total).collect::<Vec<_>>());
    let tail: Vec<u64> = read_all(log.clone(), total - 3)
        .map(|e| e.unwrap().position)
        .collect()
        .await;
    assert_eq!(tail, vec![total - 2, total - 1, total]);
}

/// `read_positions` returns the events at the positions asked, in order, with
/// their envelope; positions not committed are left out.
pub async fn read_positions_returns_those_committed_in_order(backend: &dyn TestBackend) {
    let log = backend.open().await;
    for n in 0..20 {
        log.append(append_one(
            &format!("scattered-{}", n % 3),
            ExpectedVersion::Any,
        ))
        .await
        .unwrap();
    }
    let all = log.read_batch(0, 100).await.unwrap();
    let read = log
        .read_positions(&[2, 7, 8, 19, 20, 21, 500])
        .await
        .unwrap();
    let positions: Vec<u64> = read.iter().map(|e| e.position).collect();
    assert_eq!(positions, vec![2, 7, 8, 19, 20]);
    for event in &read {
        let same = &all[event.position as usize - 1];
        assert_eq!((&event.stream, event.version), (&same.stream, same.version));
        assert_eq!(event.payload, same.payload);
    }
    assert!(log.read_positions(&[]).await.unwrap().is_empty());
}

/// `read_streams` returns one list per stream asked, in that order, each as
/// `read_stream` reads it; a stream never written reads empty.
pub async fn read_streams_returns_each_stream_in_the_order_asked(backend: &dyn TestBackend) {
    let log = backend.open().await;
    for n in 0..20 {
        log.append(append_one(&format!("many-{}", n % 4), ExpectedVersion::Any))
            .await
            .unwrap();
    }
    let asked: Vec<String> = ["many-3", "never-written", "many-0", "many-3"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let read = log.read_streams(&asked).await.unwrap();
    assert_eq!(read.len(), asked.len());
    for (stream, events) in asked.iter().zip(&read) {
        let alone = log.read_stream(stream, 0).await.unwrap();
        let ids =
            |events: &[StoredEvent]| -> Vec<_> { events.iter().map(|e| e.event_id).collect() };
        assert_eq!(ids(events), ids(&alone), "{stream}");
        assert!(events.iter().all(|e| &e.stream == stream));
    }
    assert_eq!(read[0].len(), 5);
    assert!(read[1].is_empty());
    assert!(log.read_streams(&[]).await.unwrap().is_empty());
}

/// A subscriber started mid-stream sees the stored events, then those appended
/// while it reads, each exactly once and in order.
pub async fn subscribe_catches_up_then_goes_live_without_gap_or_duplicate(
    backend: &dyn TestBackend,
) {
    let log = backend.open().await;
    for _ in 0..50 {
        log.append(append_one("before", ExpectedVersion::Any))
            .await
            .unwrap();
    }
    let subscription = subscribe(log.clone(), 10);
    let writer = {
        let log = Arc::clone(&log);
        tokio::spawn(async move {
            for n in 0..200 {
                log.append(append_one(&format!("live-{}", n % 7), ExpectedVersion::Any))
                    .await
                    .unwrap();
                if n % 50 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    let received: Vec<u64> = subscription
        .take(240)
        .map(|e| e.unwrap().position)
        .collect()
        .await;
    writer.await.unwrap();
    assert_eq!(received, (11..=250).collect::<Vec<_>>());
    let unique: HashSet<u64> = received.iter().copied().collect();
    assert_eq!(unique.len(), received.len());
}

/// Personal data reads back decrypted; after erasure every event of the stream
/// reads as erased, the rest of the envelope stays, and no new personal data may
/// be stored under it.
pub async fn personal_data_reads_back_until_erased_then_never(backend: &dyn TestBackend) {
    let log = backend.open().await;
    let mut admitted = event("MemberAdmitted");
    admitted.personal = Some("{\"last_name\":\"Соколова\"}".into());
    let mut updated = event("MemberProfileUpdated");
    updated.personal = Some("{\"phone\":\"+7 900 000-00-00\"}".into());
    log.append(AppendRequest::single(
        "person-e",
        ExpectedVersion::NoStream,
        vec![admitted, updated],
        "contract",
    ))
    .await
    .unwrap();
    let mut other = event("MemberAdmitted");
    other.personal = Some("{\"last_name\":\"Орлов\"}".into());
    log.append(AppendRequest::single(
        "person-o",
        ExpectedVersion::NoStream,
        vec![other],
        "contract",
    ))
    .await
    .unwrap();
    let before = log.read_stream("person-e", 0).await.unwrap();
    assert!(matches!(&before[0].personal, Personal::Plain(p) if p.contains("Соколова")));

    let erasure = AppendRequest {
        streams: vec![StreamAppend {
            stream: "person-e".into(),
            expected: ExpectedVersion::Exact(2),
            events: vec![event("PersonalDataErased")],
        }],
        actor: "dpo".into(),
        erase_personal_data_of: vec!["person-e".into()],
        ..AppendRequest::default()
    };
    log.append(erasure).await.unwrap();
    let after = log.read_stream("person-e", 0).await.unwrap();
    assert_eq!(after.len(), 3);
    assert_eq!(after[0].personal, Personal::Erased);
    assert_eq!(after[1].personal, Personal::Erased);
    assert_eq!(after[2].personal, Personal::None);
    assert_eq!(after[0].payload, before[0].payload);
    let others = log.read_stream("person-o", 0).await.unwrap();
    assert!(matches!(&others[0].personal, Personal::Plain(p) if p.contains("Орлов")));

    let mut again = event("MemberProfileUpdated");
    again.personal = Some("{\"phone\":\"1\"}".into());
    let refused = log
        .append(AppendRequest::single(
            "person-e",
            ExpectedVersion::Any,
            vec![again],
            "contract",
        ))
        .await;
    assert!(matches!(refused, Err(Error::Erased { .. })), "{refused:?}");
    assert_eq!(*log.head().borrow(), 4);
}

/// Everything acknowledged is there after the log is shut down and opened again,
/// and the reopened log goes on at the next position.
pub async fn acknowledged_appends_survive_reopening(backend: &dyn TestBackend) {
    let acknowledged = {
        let log = backend.open().await;
        let mut acknowledged = Vec::new();
        for n in 0..20 {
            let request = append_one(&format!("s-{}", n % 3), ExpectedVersion::Any);
            let event_id = request.streams[0].events[0].event_id;
            acknowledged.push((log.append(request).await.unwrap().last_position, event_id));
        }
        log.shutdown().await.unwrap();
        acknowledged
    };
    let log = backend.open().await;
    assert_eq!(*log.head().borrow(), 20);
    let stored = log.read_batch(0, 100).await.unwrap();
    let found: Vec<(u64, Uuid)> = stored.iter().map(|e| (e.position, e.event_id)).collect();
    assert_eq!(found, acknowledged);
    let next = log
        .append(append_one("s-0", ExpectedVersion::Exact(7)))
        .await
        .unwrap();
    assert_eq!(next.last_position, 21);
}

/// After shutdown an append is refused with `Closed`, not lost silently.
pub async fn appends_after_shutdown_are_refused(backend: &dyn TestBackend) {
    let log = backend.open().await;
    log.append(append_one("s", ExpectedVersion::Any))
        .await
        .unwrap();
    log.shutdown().await.unwrap();
    let refused = log.append(append_one("s", ExpectedVersion::Any)).await;
    assert!(matches!(refused, Err(Error::Closed)), "{refused:?}");
}
