//! The event log's errors.

use std::path::PathBuf;

use uuid::Uuid;

use crate::envelope::ExpectedVersion;

/// Why an append or a read failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A stream's version is not what the append expected; nothing was written.
    #[error("stream {stream} is at version {actual}, the append expected {expected}")]
    Conflict {
        /// The stream.
        stream: String,
        /// What the append expected.
        expected: ExpectedVersion,
        /// The stream's version (0: it does not exist).
        actual: u64,
    },
    /// Some, not all, of the append's event ids are stored already: a client bug.
    #[error("event {event_id} is already stored by another append")]
    DuplicateEvent {
        /// The id found.
        event_id: Uuid,
    },
    /// Personal data for a stream whose key was erased; nothing was written.
    #[error("personal data of {stream} was erased; none may be stored under it again")]
    Erased {
        /// The stream.
        stream: String,
    },
    /// The request is malformed (empty stream name, the same stream twice, …).
    #[error("invalid append: {0}")]
    InvalidAppend(&'static str),
    /// Another process holds the log.
    #[error("the event log at {0} is in use by another process")]
    Locked(PathBuf),
    /// The log has been shut down.
    #[error("the event log is shut down")]
    Closed,
    /// A stored event could not be decoded.
    #[error(transparent)]
    Codec(#[from] CodecError),
    /// A vault key could not decrypt what it should.
    #[error("personal data of event at position {position} does not decrypt")]
    Vault {
        /// The event's position.
        position: u64,
    },
    /// A stored event's bytes do not match the checksum written with them:
    /// the file was changed underneath the log (disk, copy, hand).
    #[error(
        "the stored event at position {position} is corrupt: its bytes do not match their checksum"
    )]
    Corrupt {
        /// The event's position.
        position: u64,
    },
    /// A file of the file store whose bytes no longer hash to its name.
    #[error("the stored file {sha256} is corrupt: its bytes do not match their hash")]
    CorruptFile {
        /// The file's name, its expected SHA-256.
        sha256: String,
    },
    /// A file of the file store that does not open with the key its event
    /// gives (another key, or bytes changed after they were sealed).
    #[error("the stored file {sha256} does not open with its key")]
    UnreadableFile {
        /// The file's name in the store.
        sha256: String,
    },
    /// The storage refused to grow (a full disk); nothing of the append was
    /// written, and appends succeed again once there is space.
    #[error("the log's disk is full: nothing was written ({message})")]
    StorageFull {
        /// The storage's own message.
        message: String,
    },
    /// A stream's stored vault key does not unwrap with the key file's key:
    /// its bytes were changed (the key file matched at open).
    #[error("the stored vault key of {stream} is corrupt: it does not unwrap with the key file")]
    CorruptKey {
        /// The stream.
        stream: String,
    },
    /// The key file is missing, loose, malformed or not this log's.
    #[error("key file {path}: {why}")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// What is wrong, for the operator.
        why: String,
    },
    /// The transaction this append shared with others failed; none of it was written.
    #[error("the commit failed, nothing was written: {message}")]
    CommitFailed {
        /// The storage's own message.
        message: String,
    },
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The SQLite schema could not be migrated.
    #[error("migrating the sqlite schema: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// PostgreSQL failed (connection, statement or constraint).
    #[error("postgres: {0}")]
    Postgres(#[from] sqlx::Error),
    /// The PostgreSQL schema could not be migrated.
    #[error("migrating the postgres schema: {0}")]
    PostgresMigration(#[from] sqlx::migrate::MigrateError),
    /// The file system failed.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

/// Why an event could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The stored type name is not one this code knows.
    #[error("unknown event type {0}")]
    UnknownType(String),
    /// The stream name has no known aggregate prefix.
    #[error("stream {0} belongs to no known aggregate")]
    UnknownStream(String),
    /// Written by a newer version of the registry.
    #[error("{event_type} has schema version {schema_version}, newer than this registry knows")]
    FutureSchema {
        /// The type.
        event_type: String,
        /// The stored version.
        schema_version: u32,
    },
    /// An upcaster is missing or refused the payload.
    #[error("cannot upcast {event_type} from schema version {from_version}: {why}")]
    Upcast {
        /// The type.
        event_type: String,
        /// The version the step starts from.
        from_version: u32,
        /// What went wrong.
        why: &'static str,
    },
    /// The JSON does not match the type.
    #[error("{event_type}: {source}")]
    Json {
        /// The type.
        event_type: String,
        /// serde's error.
        source: serde_json::Error,
    },
}
