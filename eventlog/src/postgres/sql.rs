//! Every SQL statement of the PostgreSQL backend.

/// Starts a writing transaction and takes the log's append lock, in one round
/// trip. `pg_advisory_xact_lock` is held until COMMIT or ROLLBACK and released
/// only after the commit is visible, so whoever takes it next (any process)
/// reads the head that commit left: positions are handed out and committed in
/// the same order. The key is arbitrary but fixed (the bytes of "reestr", then
/// 1); advisory locks are per database, so two logs in two databases never wait
/// for each other.
pub const BEGIN_AND_LOCK: &str = "BEGIN; SELECT pg_advisory_xact_lock(32199633748128257)";

/// The first key of the two-key advisory locks that hold turns (the bytes
/// "rt"); the append lock uses the one-key form, a separate key space.
pub const TURN_CLASS: i32 = 0x7274;

/// Waits for a turn's session lock (`$1` the class, `$2` the topic's key).
pub const TAKE_TURN: &str = "SELECT pg_advisory_lock($1, $2)";

/// Ends a turn.
pub const END_TURN: &str = "SELECT pg_advisory_unlock($1, $2)";

/// A consistent snapshot for an export.
pub const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY";

/// The channel every append notifies with the new head as payload.
pub const HEAD_CHANNEL: &str = "reestr_head";

pub const HEAD: &str = "SELECT COALESCE(MAX(position), 0) FROM events";

/// What a batch of appends needs to know, read after taking the lock, in one
/// round trip. One row per fact, told apart by `kind`:
/// 0 the head; 1 a stream's version (`$1`); 2 a stored event id (`$2`) and its
/// position; 3 a stored command (`$3`) and its positions; 4 a vault key and
/// 5 an erasure of a stream (`$4`).
pub const FACTS: &str = "
    SELECT 0 AS kind, NULL::text AS name, NULL::uuid AS id,
           (SELECT COALESCE(MAX(position), 0) FROM events) AS a, NULL::int8 AS b, NULL::bytea AS key
    UNION ALL
    SELECT 1, s.stream, NULL, COALESCE((SELECT MAX(e.version) FROM events e WHERE e.stream = s.stream), 0),
           NULL, NULL
    FROM UNNEST($1::text[]) AS s(stream)
    UNION ALL
    SELECT 2, NULL, e.event_id, e.position, NULL, NULL FROM events e WHERE e.event_id = ANY($2::uuid[])
    UNION ALL
    SELECT 3, NULL, c.command_id, c.first_position, c.last_position, NULL
    FROM commands c WHERE c.command_id = ANY($3::uuid[])
    UNION ALL
    SELECT 4, v.stream, NULL, NULL, NULL, v.key FROM vault v WHERE v.stream = ANY($4::text[])
    UNION ALL
    SELECT 5, x.stream, NULL, NULL, NULL, NULL FROM vault_erased x WHERE x.stream = ANY($4::text[])";

/// Everything a batch writes, in one statement. New keys never include a
/// stream erased in the same batch, so the key insert and the key delete never
/// touch the same row.
pub const WRITE: &str = "
    WITH new_keys AS (
        INSERT INTO vault (stream, key)
        SELECT * FROM UNNEST($1::text[], $2::bytea[])
        ON CONFLICT (stream) DO NOTHING
    ), new_commands AS (
        INSERT INTO commands (command_id, first_position, last_position)
        SELECT * FROM UNNEST($3::uuid[], $4::int8[], $5::int8[])
    ), erased_keys AS (
        DELETE FROM vault WHERE stream = ANY($6::text[])
    ), erasures AS (
        INSERT INTO vault_erased (stream, erased_at)
        SELECT * FROM UNNEST($6::text[], $7::timestamptz[])
        ON CONFLICT (stream) DO NOTHING
    )
    INSERT INTO events (position, stream, version, event_id, event_type, schema_version,
                        effective_on, recorded_at, actor, correlation_id, causation_id,
                        payload, personal)
    SELECT * FROM UNNEST($8::int8[], $9::text[], $10::int8[], $11::uuid[], $12::text[],
                         $13::int8[], $14::date[], $15::timestamptz[], $16::text[],
                         $17::uuid[], $18::uuid[], $19::text[], $20::bytea[])";

/// Tells every listening process the head this one committed (`head::notify`).
/// NOTIFY gives its transaction an id, so its commit would wait for a WAL flush
/// of its own, beside the appends'; it needs none (a lost notification only
/// delays, see `head`), so this transaction commits asynchronously.
pub const NOTIFY: &str = "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)";

/// Streams and their versions within a range of positions: the versions a
/// duplicate append reports.
pub const STREAM_VERSIONS_IN_RANGE: &str = "
    SELECT stream, MAX(version) FROM events WHERE position BETWEEN $1 AND $2 GROUP BY stream";

pub const COMMAND: &str =
    "SELECT first_position, last_position FROM commands WHERE command_id = $1";

/// The columns every read returns, in `reader::stored_event`'s order; the vault key
/// is looked up only for events that carry personal data (a join would probe
/// the vault for every event: 3x the server time of a rebuild's read).
macro_rules! select_events {
    () => {
        "SELECT e.position, e.stream, e.version, e.event_id, e.event_type, e.schema_version,
                e.effective_on, e.recorded_at, e.actor, e.correlation_id, e.causation_id,
                e.payload, e.personal,
                CASE WHEN e.personal IS NOT NULL
                     THEN (SELECT v.key FROM vault v WHERE v.stream = e.stream) END
         FROM events e"
    };
}

pub const READ_BATCH: &str = concat!(
    select_events!(),
    " WHERE e.position > $1 ORDER BY e.position LIMIT $2"
);

/// The events at the positions `$1`, in order.
pub const READ_AT: &str = concat!(
    select_events!(),
    " WHERE e.position = ANY($1::bigint[]) ORDER BY e.position"
);

/// The server's snapshot (its running and next transaction ids): equal twice
/// only if no transaction started or ended in between (`ahead`).
pub const SNAPSHOT: &str = "SELECT pg_current_snapshot()::text";

/// Which of the streams (`$1`) still have a vault key.
pub const KEYED_STREAMS: &str = "SELECT stream FROM vault WHERE stream = ANY($1::text[])";

/// `READ_BATCH` as a binary COPY (`copy`), which takes no parameters: the
/// bounds are integers written into the statement.
pub fn copy_batch(after: u64, limit: usize) -> String {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    format!(
        concat!(
            "COPY (",
            select_events!(),
            " WHERE e.position > {} ORDER BY e.position LIMIT {}) TO STDOUT (FORMAT binary)"
        ),
        after, limit
    )
}

pub const READ_STREAM: &str = concat!(
    select_events!(),
    " WHERE e.stream = $1 AND e.version > $2 ORDER BY e.version"
);

/// The events of a range exactly as stored, for `EventLog::export`.
pub const EXPORT_EVENTS: &str = "
    SELECT position, stream, version, event_id, event_type, schema_version, effective_on,
           recorded_at, actor, correlation_id, causation_id, payload, personal
    FROM events WHERE position > $1 ORDER BY position LIMIT $2";

/// The commands whose last position lies in a range.
pub const EXPORT_COMMANDS: &str = "
    SELECT command_id, first_position, last_position FROM commands
    WHERE last_position BETWEEN $1 AND $2";

pub const EXPORT_KEYS: &str =
    "SELECT stream, key FROM vault WHERE stream = ANY($1::text[]) ORDER BY stream";

pub const EXPORT_ERASURES: &str =
    "SELECT stream, erased_at FROM vault_erased WHERE stream = ANY($1::text[]) ORDER BY stream";

pub const ERASURES: &str = "SELECT stream, erased_at FROM vault_erased ORDER BY stream";

/// Stream versions for a raw import (`$1`), and which of the batch's streams
/// (`$2`: those with a copied key) were erased here.
pub const RAW_FACTS: &str = "
    SELECT 1 AS kind, s.stream AS name,
           COALESCE((SELECT MAX(e.version) FROM events e WHERE e.stream = s.stream), 0) AS a
    FROM UNNEST($1::text[]) AS s(stream)
    UNION ALL
    SELECT 5, x.stream, NULL FROM vault_erased x WHERE x.stream = ANY($2::text[])
    UNION ALL
    SELECT 0, NULL, (SELECT COALESCE(MAX(position), 0) FROM events)";

/// Keeps a library file under its hash; the same bytes again change nothing.
pub(crate) const PUT_FILE: &str =
    "INSERT INTO files (sha256, bytes) VALUES ($1, $2) ON CONFLICT (sha256) DO NOTHING";

/// A library file's bytes by hash.
pub(crate) const GET_FILE: &str = "SELECT bytes FROM files WHERE sha256 = $1";
