//! PostgreSQL's catch-up reads: a large batch (a binary COPY) reads exactly as
//! the prepared queries do, and a batch read ahead never shows personal data
//! erased before it was asked for.

mod postgres_support;

use std::time::Duration;

use eventlog::contract::event;
use eventlog::{AppendRequest, EventLog, ExpectedVersion, Personal, PostgresLog, StreamAppend};
use uuid::Uuid;

use crate::postgres_support::fresh_database;

/// `count` events to `stream`, every `personal_every`th with personal data.
async fn append(log: &PostgresLog, stream: &str, count: usize, personal_every: usize) {
    let events = (0..count)
        .map(|n| {
            let mut e = event("Tested");
            if n % personal_every == 0 {
                e.personal = Some(format!("{{\"last_name\":\"Кузнецова-{n}\"}}"));
            }
            if n % 3 == 0 {
                e.effective_on = None;
            }
            e.schema_version = u32::MAX - n as u32;
            e
        })
        .collect();
    let mut request = AppendRequest::single(stream, ExpectedVersion::Any, events, "читатель");
    request.correlation_id = Some(Uuid::new_v4());
    log.append(request).await.unwrap();
}

async fn erase(log: &PostgresLog, stream: &str) {
    log.append(AppendRequest {
        streams: vec![StreamAppend {
            stream: stream.into(),
            expected: ExpectedVersion::Any,
            events: vec![event("PersonalDataErased")],
        }],
        actor: "dpo".into(),
        erase_personal_data_of: vec![stream.into()],
        ..AppendRequest::default()
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_catch_up_batch_reads_as_the_stream_reads() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let log = PostgresLog::open(&database.url).await.unwrap();
    let streams = ["person-a", "person-b", "org-c", "person-d"];
    for stream in streams {
        append(&log, stream, 700, 2).await;
    }
    erase(&log, "person-b").await;

    let batch = log.read_batch(0, 4096).await.unwrap();
    assert_eq!(batch.len(), 4 * 700 + 1);
    let mut by_stream = Vec::new();
    for stream in streams {
        by_stream.extend(log.read_stream(stream, 0).await.unwrap());
    }
    by_stream.sort_by_key(|e| e.position);
    assert_eq!(batch, by_stream);
    assert!(batch.iter().any(|e| e.personal == Personal::Erased));
    assert!(
        batch
            .iter()
            .any(|e| matches!(&e.personal, Personal::Plain(p) if p.contains("Кузнецова")))
    );
    log.shutdown().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_read_ahead_show_no_data_erased_before_they_are_asked_for() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let log = PostgresLog::open(&database.url).await.unwrap();
    append(&log, "bulk", 2048, 1).await;
    append(&log, "person-kept", 500, 1).await;
    append(&log, "person-erased", 1548, 1).await;

    // Two full batches: the second was read ahead, so the two after it are
    // read ahead too, their personal data opened.
    assert_eq!(log.read_batch(0, 1024).await.unwrap().len(), 1024);
    assert_eq!(log.read_batch(1024, 1024).await.unwrap().len(), 1024);
    tokio::time::sleep(Duration::from_millis(500)).await;
    erase(&log, "person-erased").await;

    for after in [2048, 3072] {
        let batch = log.read_batch(after, 1024).await.unwrap();
        assert_eq!(batch.len(), 1024);
        for e in &batch {
            match e.stream.as_str() {
                "person-erased" => assert_eq!(e.personal, Personal::Erased, "{}", e.position),
                _ => assert!(matches!(e.personal, Personal::Plain(_)), "{}", e.position),
            }
        }
    }
    log.shutdown().await.unwrap();
}
