//! Every SQL statement of the SQLite backend.

/// Connection settings. WAL lets readers run beside the writer; `synchronous=FULL`
/// fsyncs the WAL at every commit, so an acknowledged append survives power loss;
/// `secure_delete` overwrites a deleted vault key's bytes in the file.
pub const PRAGMAS: &str = "
    PRAGMA journal_mode = WAL;
    PRAGMA synchronous = FULL;
    PRAGMA secure_delete = ON;
    PRAGMA busy_timeout = 5000;
    PRAGMA cache_size = -65536;
";

/// A reading connection's settings. Its page cache is small: the kernel's
/// already holds the file, a catch-up reads each page once, and up to eight
/// idle connections each kept 64 MiB filled (BENCHMARKS.md, issue 15: 8 MiB
/// took 0.81x the memory of a started `serve`, no slower).
pub const READER_PRAGMAS: &str = "PRAGMA busy_timeout = 5000; PRAGMA cache_size = -8192;";

/// A bulk load copies the WAL on a thread of its own (see `sqlite::import`).
pub const AUTOCHECKPOINT_OFF: &str = "PRAGMA wal_autocheckpoint = 0";

/// SQLite's default: a commit that leaves 1,000 pages in the WAL copies them.
pub const AUTOCHECKPOINT_ON: &str = "PRAGMA wal_autocheckpoint = 1000";

pub const CHECKPOINT_PASSIVE: &str = "PRAGMA wal_checkpoint(PASSIVE)";

/// Whether the vault holds any key or erasure (a bulk load then looks keys up).
pub const ANY_KEY_OR_ERASURE: &str =
    "SELECT EXISTS (SELECT 1 FROM vault_erased) OR EXISTS (SELECT 1 FROM vault)";

/// A bulk load into an empty log drops this index (see `sqlite::import`).
pub const DROP_STREAM_VERSION_INDEX: &str = "DROP INDEX IF EXISTS events_stream_version";

/// Recreates what a bulk load dropped, exactly as the migration made it (SQLite
/// stores the statement without `IF NOT EXISTS`); run at the end of a load and
/// whenever the log is opened. `threads` lets the sort use a second core.
pub const REBUILD_INDEXES: &str = "
    PRAGMA threads = 2;
    CREATE UNIQUE INDEX IF NOT EXISTS events_stream_version ON events (stream, version);
    PRAGMA threads = 0;
";

pub const HEAD: &str = "SELECT COALESCE(MAX(position), 0) FROM events";

pub const STREAM_VERSION: &str = "SELECT COALESCE(MAX(version), 0) FROM events WHERE stream = ?1";

pub const POSITION_OF_EVENT: &str = "SELECT position FROM events WHERE event_id = ?1";

pub const COMMAND: &str =
    "SELECT first_position, last_position FROM commands WHERE command_id = ?1";

pub const INSERT_COMMAND: &str =
    "INSERT INTO commands (command_id, first_position, last_position) VALUES (?1, ?2, ?3)";

/// Streams and their versions within a range of positions: the versions a
/// duplicate append reports.
pub const STREAM_VERSIONS_IN_RANGE: &str = "
    SELECT stream, MAX(version) FROM events WHERE position BETWEEN ?1 AND ?2 GROUP BY stream";

pub const INSERT_EVENT: &str = "
    INSERT INTO events (position, stream, version, event_id, event_type, schema_version,
                        effective_on, recorded_at, actor, correlation_id, causation_id,
                        payload, personal, checksum)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

pub const VAULT_KEY: &str = "SELECT key FROM vault WHERE stream = ?1";

pub const VAULT_ERASED: &str = "SELECT 1 FROM vault_erased WHERE stream = ?1";

/// The check value of the key-encryption key (see `vault::KeyEncryptionKey`).
pub const KEK_CHECK: &str = "SELECT value FROM meta WHERE name = 'kek_check'";

pub const INSERT_KEK_CHECK: &str = "INSERT INTO meta (name, value) VALUES ('kek_check', ?1)";

pub const ALL_VAULT_KEYS: &str = "SELECT stream, key FROM vault";

/// A write outside the log, to learn whether the storage takes writes again.
pub const PROBE: &str = "INSERT OR REPLACE INTO meta (name, value) VALUES ('probe', ?1)";

/// A key rewritten in place, only to wrap it (the migration of a file
/// written before keys were wrapped).
pub const REPLACE_VAULT_KEY: &str = "UPDATE vault SET key = ?2 WHERE stream = ?1";

pub const INSERT_VAULT_KEY: &str = "INSERT INTO vault (stream, key) VALUES (?1, ?2)";

pub const DELETE_VAULT_KEY: &str = "DELETE FROM vault WHERE stream = ?1";

pub const INSERT_VAULT_ERASED: &str =
    "INSERT OR IGNORE INTO vault_erased (stream, erased_at) VALUES (?1, ?2)";

/// After an erasure: copy the WAL into the database and truncate it, so no old
/// page holding the key stays in the WAL file.
pub const CHECKPOINT_TRUNCATE: &str = "PRAGMA wal_checkpoint(TRUNCATE)";

/// The columns every read returns, in `reader::stored_event`'s order; the vault key
/// is joined only for events that carry personal data.
macro_rules! select_events {
    () => {
        "SELECT e.position, e.stream, e.version, e.event_id, e.event_type, e.schema_version,
                e.effective_on, e.recorded_at, e.actor, e.correlation_id, e.causation_id,
                e.payload, e.personal, v.key, e.checksum
         FROM events e LEFT JOIN vault v ON e.personal IS NOT NULL AND v.stream = e.stream"
    };
}

pub const READ_BATCH: &str = concat!(
    select_events!(),
    " WHERE e.position > ?1 ORDER BY e.position LIMIT ?2"
);

pub const READ_AT: &str = concat!(select_events!(), " WHERE e.position = ?1");

pub const READ_STREAM: &str = concat!(
    select_events!(),
    " WHERE e.stream = ?1 AND e.version > ?2 ORDER BY e.version"
);

/// The events of a range exactly as stored, for `EventLog::export`.
pub const EXPORT_EVENTS: &str = "
    SELECT position, stream, version, event_id, event_type, schema_version, effective_on,
           recorded_at, actor, correlation_id, causation_id, payload, personal, checksum
    FROM events WHERE position > ?1 ORDER BY position LIMIT ?2";

/// The commands whose last position lies in a range.
pub const EXPORT_COMMANDS: &str = "
    SELECT command_id, first_position, last_position FROM commands
    WHERE last_position BETWEEN ?1 AND ?2";

pub const ERASED_AT: &str = "SELECT erased_at FROM vault_erased WHERE stream = ?1";

pub const ERASURES: &str = "SELECT stream, erased_at FROM vault_erased ORDER BY stream";

/// A copied key, unless the stream has one or was erased.
pub const INSERT_COPIED_VAULT_KEY: &str = "
    INSERT OR IGNORE INTO vault (stream, key)
    SELECT ?1, ?2 WHERE NOT EXISTS (SELECT 1 FROM vault_erased WHERE stream = ?1)";
