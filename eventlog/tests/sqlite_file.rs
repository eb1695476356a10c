//! What only the SQLite backend can show: the bytes on disk, the process lock.

use std::path::Path;

use eventlog::{
    AppendRequest, BulkLog, Error, EventLog, ExpectedVersion, NewEvent, SqliteLog, StreamAppend,
};
use tempfile::TempDir;
use uuid::Uuid;

fn admitted(personal: &str) -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "MemberAdmitted".into(),
        schema_version: 1,
        effective_on: None,
        payload: "{\"gender\":\"FEMALE\"}".into(),
        personal: Some(personal.into()),
    }
}

fn file_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    for suffix in ["-wal", "-shm"] {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        bytes.extend(std::fs::read(name).unwrap_or_default());
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn after_erasure_neither_the_plaintext_nor_its_key_is_anywhere_in_the_files() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("log.sqlite");
    let log = SqliteLog::open(&db).unwrap();
    let secret = "Землянская Агриппина Феоктистовна";
    let personal = format!("{{\"last_name\":\"{secret}\",\"snils\":\"11223344595\"}}");
    log.append(AppendRequest::single(
        "person-z",
        ExpectedVersion::NoStream,
        vec![admitted(&personal)],
        "t",
    ))
    .await
    .unwrap();
    let key: Vec<u8> = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row(
            "SELECT key FROM vault WHERE stream = 'person-z'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let bytes = file_bytes(&db);
    assert!(
        !contains(&bytes, secret.as_bytes()),
        "personal data is stored in plain text"
    );
    assert!(!contains(&bytes, b"11223344595"));
    assert!(
        contains(&bytes, &key),
        "the test must see the key before erasure"
    );

    let erasure = AppendRequest {
        streams: vec![StreamAppend {
            stream: "person-z".into(),
            expected: ExpectedVersion::Exact(1),
            events: vec![],
        }],
        actor: "dpo".into(),
        erase_personal_data_of: vec!["person-z".into()],
        ..AppendRequest::default()
    };
    log.append(erasure).await.unwrap();
    let bytes = file_bytes(&db);
    assert!(
        !contains(&bytes, &key),
        "the erased key is still in the files"
    );
    assert!(!contains(&bytes, secret.as_bytes()));
    log.shutdown().await.unwrap();
    let bytes = file_bytes(&db);
    assert!(
        !contains(&bytes, &key),
        "the erased key came back at shutdown"
    );
}

#[tokio::test]
async fn a_second_process_cannot_open_a_log_in_use() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("log.sqlite");
    let log = SqliteLog::open(&db).unwrap();
    assert!(matches!(SqliteLog::open(&db), Err(Error::Locked(_))));
    log.shutdown().await.unwrap();
    SqliteLog::open(&db).unwrap();
}

/// Every index and table definition, as SQLite keeps them.
fn schema(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut query = conn
        .prepare("SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master ORDER BY name")
        .unwrap();
    query
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn imported(stream: &str, expected: ExpectedVersion) -> AppendRequest {
    AppendRequest::single(stream, expected, vec![admitted("{\"n\":1}")], "import")
}

#[tokio::test]
async fn a_bulk_import_leaves_exactly_the_schema_the_migrations_made() {
    let dir = TempDir::new().unwrap();
    let fresh = dir.path().join("fresh.sqlite");
    SqliteLog::open(&fresh).unwrap().shutdown().await.unwrap();
    let expected = schema(&fresh);
    assert!(expected.iter().any(|s| s.contains("events_stream_version")));

    let db = dir.path().join("log.sqlite");
    let log = SqliteLog::open(&db).unwrap();
    log.import(vec![imported("person-1", ExpectedVersion::NoStream)])
        .await
        .unwrap();
    log.finish_import().await.unwrap();
    assert_eq!(schema(&db), expected);
    // Not finished: shutdown rebuilds the index.
    let db = dir.path().join("unfinished.sqlite");
    let log = SqliteLog::open(&db).unwrap();
    log.import(vec![imported("person-1", ExpectedVersion::NoStream)])
        .await
        .unwrap();
    log.shutdown().await.unwrap();
    assert_eq!(schema(&db), expected);
}

#[tokio::test]
async fn a_bulk_import_is_all_or_nothing_per_batch() {
    let dir = TempDir::new().unwrap();
    let log = SqliteLog::open(dir.path().join("log.sqlite")).unwrap();
    log.import(vec![imported("person-1", ExpectedVersion::NoStream)])
        .await
        .unwrap();
    let refused = log
        .import(vec![
            imported("person-2", ExpectedVersion::NoStream),
            imported("person-1", ExpectedVersion::NoStream),
        ])
        .await;
    assert!(
        matches!(refused, Err(Error::Conflict { .. })),
        "{refused:?}"
    );
    assert_eq!(*log.head().borrow(), 1);
    assert!(log.read_stream("person-2", 0).await.unwrap().is_empty());
    // The versions kept in memory were not advanced by the refused batch.
    let head = log
        .import(vec![imported("person-2", ExpectedVersion::NoStream)])
        .await
        .unwrap();
    assert_eq!(head, 2);
}

fn wal_len(db: &Path) -> u64 {
    let mut name = db.as_os_str().to_owned();
    name.push("-wal");
    std::fs::metadata(name).map_or(0, |m| m.len())
}

#[tokio::test]
async fn a_bulk_import_copies_its_wal_into_the_file_as_it_goes() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("log.sqlite");
    let log = SqliteLog::open(&db).unwrap();
    let padding = "я".repeat(2_500);
    let mut largest_wal = 0;
    for batch in 0..40 {
        let requests = (0..500)
            .map(|n| {
                let mut event = admitted(&format!("{{\"last_name\":\"{batch}-{n}\"}}"));
                event.payload = format!("{{\"note\":\"{padding}\"}}");
                AppendRequest::single(
                    format!("person-{batch}-{n}"),
                    ExpectedVersion::NoStream,
                    vec![event],
                    "import",
                )
            })
            .collect();
        log.import(requests).await.unwrap();
        largest_wal = largest_wal.max(wal_len(&db));
    }
    log.finish_import().await.unwrap();
    let file = std::fs::metadata(&db).unwrap().len();
    // 20,000 events of 5 KB: without checkpoints the WAL would hold them all;
    // the load lets it reach 64 MiB (and a batch) before it starts it again.
    assert!(file > 100 << 20, "{file}");
    assert!(
        largest_wal < 72 << 20,
        "the WAL grew to {largest_wal} bytes beside a file of {file}"
    );
    let read = log.read_stream("person-39-499", 0).await.unwrap();
    assert!(matches!(&read[0].personal, eventlog::Personal::Plain(p) if p.contains("39-499")));
    // Ordinary appends go on after the load, and the file closes cleanly.
    log.append(imported("person-after", ExpectedVersion::NoStream))
        .await
        .unwrap();
    log.shutdown().await.unwrap();
    let log = SqliteLog::open(&db).unwrap();
    assert_eq!(*log.head().borrow(), 20_001);
}

#[tokio::test]
async fn a_stream_erased_before_a_bulk_import_or_in_it_takes_no_personal_data() {
    let dir = TempDir::new().unwrap();
    let erase_only = |stream: &str| AppendRequest {
        streams: vec![],
        erase_personal_data_of: vec![stream.into()],
        ..AppendRequest::single(stream, ExpectedVersion::Any, vec![], "import")
    };
    // Erased before the load (the log still empty), and during it.
    let log = SqliteLog::open(dir.path().join("before.sqlite")).unwrap();
    log.append(erase_only("person-1")).await.unwrap();
    let refused = log
        .import(vec![imported("person-1", ExpectedVersion::NoStream)])
        .await;
    assert!(matches!(refused, Err(Error::Erased { .. })), "{refused:?}");
    let during = dir.path().join("during.sqlite");
    let log = SqliteLog::open(&during).unwrap();
    log.import(vec![imported("person-0", ExpectedVersion::NoStream)])
        .await
        .unwrap();
    log.import(vec![erase_only("person-0")]).await.unwrap();
    // The erasure truncated the WAL, the checkpoint thread notwithstanding:
    // no page with the erased key is left in it.
    assert_eq!(wal_len(&during), 0);
    log.import(vec![erase_only("person-2")]).await.unwrap();
    let refused = log
        .import(vec![imported("person-2", ExpectedVersion::NoStream)])
        .await;
    assert!(matches!(refused, Err(Error::Erased { .. })), "{refused:?}");
}

#[tokio::test]
async fn a_bulk_import_after_keys_were_copied_without_events_looks_them_up() {
    // A raw batch of keys alone, at head 0 (a hand-built copy): the vault
    // holds a key of a stream without events, so the load must look it up.
    let dir = TempDir::new().unwrap();
    let source = SqliteLog::open(dir.path().join("source.sqlite")).unwrap();
    source
        .append(imported("person-k", ExpectedVersion::NoStream))
        .await
        .unwrap();
    let mut batch = source.export(0, 10).await.unwrap();
    batch.events.clear();
    batch.commands.clear();
    assert!(!batch.keys.is_empty());
    let target = SqliteLog::open(dir.path().join("target.sqlite")).unwrap();
    target.import_raw(batch).await.unwrap();
    assert_eq!(*target.head().borrow(), 0);
    let head = target
        .import(vec![imported("person-k", ExpectedVersion::NoStream)])
        .await
        .unwrap();
    assert_eq!(head, 1);
    let read = target.read_stream("person-k", 0).await.unwrap();
    assert!(matches!(&read[0].personal, eventlog::Personal::Plain(p) if p.contains("\"n\"")));
}
