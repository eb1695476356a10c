-- Facts about the file itself, one row each: `kek_check`, a value only the
-- key file's key opens (the vault keys are wrapped by that key).
CREATE TABLE meta (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;
