-- Library files, addressed by the SHA-256 of their bytes (hex). Written
-- before the event that names them; never changed (a hash names one content).
CREATE TABLE files (
    sha256 TEXT PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    bytes BYTEA NOT NULL
);
