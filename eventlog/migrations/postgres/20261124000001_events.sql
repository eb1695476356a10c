-- The log. Rows are only ever inserted: never updated, never deleted (a trigger
-- refuses both, and TRUNCATE). Stream names are ASCII ids compared byte by byte
-- (COLLATE "C"): index lookups do not pay for the database's locale, and their
-- order is the order every backend sorts them in.
CREATE TABLE events (
    position       BIGINT      PRIMARY KEY,  -- gap-free, commit order, from 1
    stream         TEXT        COLLATE "C" NOT NULL,
    version        BIGINT      NOT NULL,     -- in the stream, from 1
    event_id       UUID        NOT NULL,
    event_type     TEXT        NOT NULL,
    schema_version BIGINT      NOT NULL,
    effective_on   DATE,
    recorded_at    TIMESTAMPTZ NOT NULL,
    actor          TEXT        NOT NULL,
    correlation_id UUID,
    causation_id   UUID,
    payload        TEXT        NOT NULL,     -- JSON object as written (text keeps it byte for byte)
    personal       BYTEA                     -- nonce + ciphertext under the stream's vault key
);
CREATE UNIQUE INDEX events_stream_version ON events (stream, version);
CREATE UNIQUE INDEX events_event_id ON events (event_id);

-- Commands already applied, for idempotency: kept for ever, never a cache.
CREATE TABLE commands (
    command_id     UUID   PRIMARY KEY,
    first_position BIGINT NOT NULL,
    last_position  BIGINT NOT NULL
);
CREATE INDEX commands_last_position ON commands (last_position);

-- Personal-data keys, one per stream, in their own table. Erasure deletes the
-- row and remembers the stream in vault_erased.
CREATE TABLE vault (
    stream TEXT  COLLATE "C" PRIMARY KEY,
    key    BYTEA NOT NULL
);

CREATE TABLE vault_erased (
    stream    TEXT        COLLATE "C" PRIMARY KEY,
    erased_at TIMESTAMPTZ NOT NULL
);

CREATE FUNCTION reestr_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the table % is append-only', TG_TABLE_NAME;
END
$$;

CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION reestr_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION reestr_append_only();
CREATE TRIGGER commands_append_only BEFORE UPDATE OR DELETE ON commands
    FOR EACH ROW EXECUTE FUNCTION reestr_append_only();
CREATE TRIGGER commands_no_truncate BEFORE TRUNCATE ON commands
    FOR EACH STATEMENT EXECUTE FUNCTION reestr_append_only();
