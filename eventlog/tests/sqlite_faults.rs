//! Faults of the SQLite file that must not mislead: the same file under another
//! name, a changed byte in an event or in a vault key.

use std::path::Path;

use eventlog::{AppendRequest, BulkLog, Error, EventLog, ExpectedVersion, NewEvent, SqliteLog};
use tempfile::TempDir;
use uuid::Uuid;

fn admitted() -> NewEvent {
    NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "MemberAdmitted".into(),
        schema_version: 1,
        effective_on: None,
        payload: "{\"gender\":\"FEMALE\"}".into(),
        personal: Some("{\"last_name\":\"Ivanova\"}".into()),
    }
}

/// A log at `db` holding one event with personal data in `person-a`.
async fn one_event(db: &Path) {
    let log = SqliteLog::open(db).unwrap();
    log.append(AppendRequest::single(
        "person-a",
        ExpectedVersion::NoStream,
        vec![admitted()],
        "t",
    ))
    .await
    .unwrap();
    log.shutdown().await.unwrap();
}

fn change(db: &Path, statement: &str) {
    let changed = rusqlite::Connection::open(db)
        .unwrap()
        .execute(statement, [])
        .unwrap();
    assert_eq!(changed, 1);
}

#[tokio::test]
async fn the_same_file_through_a_symlinked_directory_or_file_is_refused_as_in_use() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let db = data.join("log.sqlite");
    let log = SqliteLog::open(&db).unwrap();

    let linked_dir = dir.path().join("linked");
    std::os::unix::fs::symlink(&data, &linked_dir).unwrap();
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let linked_file = other.join("alias.sqlite");
    std::os::unix::fs::symlink(&db, &linked_file).unwrap();
    let dotted = dir.path().join("other/../data/./log.sqlite");
    for spelling in [linked_dir.join("log.sqlite"), linked_file, dotted] {
        let second = SqliteLog::open_with_key_file(&spelling, &dir.path().join("data.key"));
        assert!(
            matches!(second, Err(Error::Locked(_))),
            "{} opened a second writer: {:?}",
            spelling.display(),
            second.err()
        );
    }
    log.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_changed_byte_in_a_stored_event_is_reported_as_corruption_not_served() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("data/log.sqlite");
    one_event(&db).await;
    change(
        &db,
        "UPDATE events SET payload = replace(payload, 'FEMALE', 'FEMALF')",
    );
    let log = SqliteLog::open(&db).unwrap();
    let read = log.read_batch(0, 10).await;
    assert!(
        matches!(read, Err(Error::Corrupt { position: 1 })),
        "{read:?}"
    );
    let read = log.read_stream("person-a", 0).await;
    assert!(matches!(read, Err(Error::Corrupt { position: 1 })));
    let exported = log.export(0, 10).await;
    assert!(matches!(exported, Err(Error::Corrupt { position: 1 })));
    log.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_changed_byte_in_a_stored_vault_key_is_reported_as_a_corrupt_key() {
    let dir = TempDir::new().unwrap();
    let db = dir.path().join("data/log.sqlite");
    one_event(&db).await;
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut key: Vec<u8> = conn
        .query_row(
            "SELECT key FROM vault WHERE stream = 'person-a'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    key[40] ^= 0x01;
    conn.execute("UPDATE vault SET key = ?1 WHERE stream = 'person-a'", [key])
        .unwrap();
    drop(conn);
    let log = SqliteLog::open(&db).unwrap();
    let read = log.read_batch(0, 10).await;
    assert!(
        matches!(&read, Err(Error::CorruptKey { stream }) if stream == "person-a"),
        "{read:?}"
    );
    let appended = log
        .append(AppendRequest::single(
            "person-a",
            ExpectedVersion::Exact(1),
            vec![admitted()],
            "t",
        ))
        .await;
    assert!(
        matches!(&appended, Err(Error::CorruptKey { .. })),
        "{appended:?}"
    );
    log.shutdown().await.unwrap();
}
