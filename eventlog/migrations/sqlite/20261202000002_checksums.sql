-- A checksum of every event row as written (`raw::checksum`), checked on
-- every read: a changed byte is reported as corruption, never served.
-- Rows written before this column existed have none and are not checked.
ALTER TABLE events ADD COLUMN checksum BLOB;
