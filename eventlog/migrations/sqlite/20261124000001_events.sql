-- The log. Rows are only ever inserted: never updated, never deleted.
CREATE TABLE events (
    position       INTEGER PRIMARY KEY,   -- gap-free, commit order, from 1
    stream         TEXT    NOT NULL,
    version        INTEGER NOT NULL,      -- in the stream, from 1
    event_id       BLOB    NOT NULL,      -- 16-byte uuid
    event_type     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    effective_on   TEXT,                  -- ISO date
    recorded_at    INTEGER NOT NULL,      -- microseconds since the Unix epoch, UTC
    actor          TEXT    NOT NULL,
    correlation_id BLOB,
    causation_id   BLOB,
    payload        TEXT    NOT NULL,      -- JSON object without personal data
    personal       BLOB                   -- nonce + ciphertext under the stream's vault key
);
CREATE UNIQUE INDEX events_stream_version ON events (stream, version);
CREATE UNIQUE INDEX events_event_id ON events (event_id);

-- Commands already applied, for idempotency: kept for ever, never a cache.
CREATE TABLE commands (
    command_id     BLOB PRIMARY KEY,
    first_position INTEGER NOT NULL,
    last_position  INTEGER NOT NULL
) WITHOUT ROWID;

-- Personal-data keys, one per stream. Erasure deletes the row (secure_delete
-- overwrites its bytes) and remembers the stream in vault_erased.
CREATE TABLE vault (
    stream TEXT PRIMARY KEY,
    key    BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE vault_erased (
    stream    TEXT PRIMARY KEY,
    erased_at INTEGER NOT NULL
) WITHOUT ROWID;
