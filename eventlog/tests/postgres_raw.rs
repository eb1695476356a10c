//! The log as stored, across backends: SQLite exported into PostgreSQL and back
//! is byte for byte the same log (digest), reads back the same, keeps its
//! commands, keys and erasures, and refuses a batch that does not continue it.

mod postgres_support;

use std::sync::Arc;

use eventlog::bulk::digest_log;
use eventlog::contract::event;
use eventlog::{
    AppendRequest, Backend, BulkLog, Error, EventLog, ExpectedVersion, Personal, PostgresLog,
    RawBatch, SqliteLog, StoredEvent, StreamAppend, read_all,
};
use futures::StreamExt;
use tempfile::TempDir;
use uuid::Uuid;

use crate::postgres_support::fresh_database;

/// Copies everything after `to`'s head in batches of `batch_size`, then the erasures.
async fn copy(from: &dyn BulkLog, to: &dyn BulkLog, batch_size: usize) -> Result<u64, Error> {
    let mut head = *to.head().borrow();
    loop {
        let batch = from.export(head, batch_size).await?;
        if batch.events.is_empty() {
            break;
        }
        head = to.import_raw(batch).await?;
    }
    let erasures = from.erasures().await?;
    to.import_raw(RawBatch {
        erasures,
        ..RawBatch::default()
    })
    .await?;
    to.finish_import().await?;
    Ok(head)
}

async fn everything(log: &Arc<dyn Backend>) -> Vec<StoredEvent> {
    read_all(log.clone(), 0).map(|e| e.unwrap()).collect().await
}

/// A small log with personal data, commands (one storing no event), a
/// multi-stream append and an erasure.
async fn fill(log: &dyn EventLog, command_id: Uuid) {
    for n in 0..5 {
        let mut admitted = event("MemberAdmitted");
        admitted.personal = Some(format!("{{\"last_name\":\"Иванова-{n}\"}}"));
        let mut request = AppendRequest::single(
            format!("person-{n}"),
            ExpectedVersion::NoStream,
            vec![admitted, event("CardIssued")],
            "chair",
        );
        request.correlation_id = Some(Uuid::new_v4());
        if n == 2 {
            request.command_id = Some(command_id);
        }
        log.append(request).await.unwrap();
    }
    let mut guard_only = AppendRequest {
        streams: vec![StreamAppend {
            stream: "person-1".into(),
            expected: ExpectedVersion::Exact(2),
            events: vec![],
        }],
        actor: "chair".into(),
        ..AppendRequest::default()
    };
    guard_only.command_id = Some(Uuid::new_v4());
    log.append(guard_only).await.unwrap();
    let both = AppendRequest {
        streams: vec![
            StreamAppend {
                stream: "person-0".into(),
                expected: ExpectedVersion::Exact(2),
                events: vec![event("MemberTransferred")],
            },
            StreamAppend {
                stream: "org-a".into(),
                expected: ExpectedVersion::Any,
                events: vec![event("OrganizationRenamed")],
            },
        ],
        actor: "admin".into(),
        causation_id: Some(Uuid::new_v4()),
        ..AppendRequest::default()
    };
    log.append(both).await.unwrap();
    let erasure = AppendRequest {
        streams: vec![StreamAppend {
            stream: "person-3".into(),
            expected: ExpectedVersion::Exact(2),
            events: vec![event("PersonalDataErased")],
        }],
        actor: "dpo".into(),
        erase_personal_data_of: vec!["person-3".into()],
        ..AppendRequest::default()
    };
    log.append(erasure).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_copied_sqlite_to_postgres_and_back_is_the_same_log() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let sqlite: Arc<dyn Backend> = Arc::new(SqliteLog::open(dir.path().join("a.sqlite")).unwrap());
    let command_id = Uuid::new_v4();
    fill(sqlite.as_ref(), command_id).await;
    let head = *sqlite.head().borrow();

    let postgres: Arc<dyn Backend> = Arc::new(PostgresLog::open(&database.url).await.unwrap());
    assert_eq!(
        copy(sqlite.as_ref(), postgres.as_ref(), 3).await.unwrap(),
        head
    );
    assert_eq!(*postgres.head().borrow(), head);
    let original = everything(&sqlite).await;
    let copied = everything(&postgres).await;
    assert_eq!(copied, original);
    assert_eq!(copied[6].personal, Personal::Erased);
    assert!(matches!(&copied[8].personal, Personal::Plain(p) if p.contains("Иванова-4")));
    let reference = digest_log(sqlite.as_ref(), head, 1000).await.unwrap();
    assert_eq!(reference.events(), head);
    let reference = reference.finish();
    for batch_size in [1, 4, 1000] {
        let a = digest_log(sqlite.as_ref(), head, batch_size).await.unwrap();
        let b = digest_log(postgres.as_ref(), head, batch_size)
            .await
            .unwrap();
        assert_eq!(a.finish(), reference, "batch size {batch_size}");
        assert_eq!(b.finish(), reference, "batch size {batch_size}");
    }

    // The copy goes on as the original would: commands, versions, erasures.
    let found = postgres.find_command(command_id).await.unwrap().unwrap();
    assert_eq!((found.first_position, found.last_position), (5, 6));
    let mut again = event("PhoneChanged");
    again.personal = Some("{\"phone\":\"1\"}".into());
    let refused = postgres
        .append(AppendRequest::single(
            "person-3",
            ExpectedVersion::Exact(3),
            vec![again],
            "chair",
        ))
        .await;
    assert!(matches!(refused, Err(Error::Erased { .. })), "{refused:?}");

    // Back into a second SQLite file: the same digest again.
    let back: Arc<dyn Backend> = Arc::new(SqliteLog::open(dir.path().join("b.sqlite")).unwrap());
    assert_eq!(
        copy(postgres.as_ref(), back.as_ref(), 2).await.unwrap(),
        head
    );
    let a = digest_log(sqlite.as_ref(), head, 5).await.unwrap().finish();
    let c = digest_log(back.as_ref(), head, 5).await.unwrap().finish();
    assert_eq!(a, c);
    assert_eq!(everything(&back).await, original);
    for log in [sqlite, postgres, back] {
        log.shutdown().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_raw_import_refuses_what_does_not_continue_the_log() {
    let Some(database) = fresh_database().await else {
        return;
    };
    let dir = TempDir::new().unwrap();
    let source: Arc<dyn Backend> = Arc::new(SqliteLog::open(dir.path().join("a.sqlite")).unwrap());
    fill(source.as_ref(), Uuid::new_v4()).await;
    let postgres = PostgresLog::open(&database.url).await.unwrap();
    let sqlite = SqliteLog::open(dir.path().join("b.sqlite")).unwrap();
    let targets: [&dyn Backend; 2] = [&postgres, &sqlite];
    for target in targets {
        let gap = source.export(2, 3).await.unwrap();
        let refused = target.import_raw(gap).await;
        assert!(
            matches!(refused, Err(Error::InvalidAppend(_))),
            "{refused:?}"
        );
        let mut skewed = source.export(0, 3).await.unwrap();
        skewed.events[1].version = 5;
        let refused = target.import_raw(skewed).await;
        assert!(
            matches!(refused, Err(Error::InvalidAppend(_))),
            "{refused:?}"
        );
        assert_eq!(*target.head().borrow(), 0);
        let batch = source.export(0, 3).await.unwrap();
        assert_eq!(target.import_raw(batch.clone()).await.unwrap(), 3);
        // The same batch again no longer continues the log.
        assert!(target.import_raw(batch).await.is_err());
        target.finish_import().await.unwrap();
        target.shutdown().await.unwrap();
    }
}
