//! Reading connections: a small pool beside the writer (WAL lets them run at once).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, NaiveDate};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};
use uuid::Uuid;

use crate::envelope::{Appended, StoredEvent};
use crate::error::Error;
use crate::raw::EventRow;
use crate::sqlite::sql;
use crate::vault::KeyEncryptionKey;

/// Idle reading connections kept open; more are opened when needed and closed after.
const MAX_IDLE_READERS: usize = 8;

pub(crate) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// Unwraps the vault keys the reads join.
    kek: Arc<KeyEncryptionKey>,
}

impl Readers {
    pub(crate) fn new(path: PathBuf, kek: Arc<KeyEncryptionKey>) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
            kek,
        }
    }

    /// The key that unwraps the log's vault keys.
    pub(crate) fn kek(&self) -> &KeyEncryptionKey {
        &self.kek
    }

    /// Runs `read` on an idle connection (or a new one). Blocking: call it from a
    /// blocking task.
    pub(crate) fn with<R>(
        &self,
        read: impl FnOnce(&Connection) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let idle = self.idle.lock().map(|mut idle| idle.pop()).unwrap_or(None);
        let conn = match idle {
            Some(conn) => conn,
            None => self.open()?,
        };
        let result = read(&conn);
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < MAX_IDLE_READERS
        {
            idle.push(conn);
        }
        result
    }

    /// Closes the idle connections.
    pub(crate) fn close(&self) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.clear();
        }
    }

    fn open(&self) -> Result<Connection, Error> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)?;
        conn.execute_batch(sql::READER_PRAGMAS)?;
        Ok(conn)
    }
}

pub(crate) fn read_batch(
    conn: &Connection,
    kek: &KeyEncryptionKey,
    after: u64,
    limit: usize,
) -> Result<Vec<StoredEvent>, Error> {
    let mut query = conn.prepare_cached(sql::READ_BATCH)?;
    let mut rows = query.query(rusqlite::params![after as i64, limit as i64])?;
    let mut events = Vec::with_capacity(limit.min(4096));
    while let Some(row) = rows.next()? {
        events.push(stored_event(row, kek)?);
    }
    Ok(events)
}

/// The events at `positions`: one indexed lookup each on one connection,
/// which in-process costs microseconds (no round trip to batch away).
pub(crate) fn read_positions(
    conn: &Connection,
    kek: &KeyEncryptionKey,
    positions: &[u64],
) -> Result<Vec<StoredEvent>, Error> {
    let mut query = conn.prepare_cached(sql::READ_AT)?;
    let mut events = Vec::with_capacity(positions.len());
    for &position in positions {
        let mut rows = query.query([position as i64])?;
        if let Some(row) = rows.next()? {
            events.push(stored_event(row, kek)?);
        }
    }
    Ok(events)
}

pub(crate) fn read_stream(
    conn: &Connection,
    kek: &KeyEncryptionKey,
    stream: &str,
    after_version: u64,
) -> Result<Vec<StoredEvent>, Error> {
    let mut query = conn.prepare_cached(sql::READ_STREAM)?;
    let mut rows = query.query(rusqlite::params![stream, after_version as i64])?;
    let mut events = Vec::new();
    while let Some(row) = rows.next()? {
        events.push(stored_event(row, kek)?);
    }
    Ok(events)
}

/// The stored result of `command_id`'s append: its positions and the versions
/// its streams reached then.
pub(crate) fn find_command(conn: &Connection, command_id: Uuid) -> Result<Option<Appended>, Error> {
    let mut query = conn.prepare_cached(sql::COMMAND)?;
    let positions = query
        .query_row([&command_id.as_bytes()[..]], |row| {
            Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64))
        })
        .optional()?;
    let Some((first_position, last_position)) = positions else {
        return Ok(None);
    };
    let mut query = conn.prepare_cached(sql::STREAM_VERSIONS_IN_RANGE)?;
    let stream_versions = query
        .query_map(
            rusqlite::params![first_position as i64, last_position as i64],
            |row| Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64)),
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Appended {
        first_position,
        last_position,
        stream_versions,
        duplicate: true,
    }))
}

/// One row of `sql::READ_BATCH` or `sql::READ_STREAM`, personal data decrypted
/// with the joined key, unwrapped by `kek`.
fn stored_event(row: &Row<'_>, kek: &KeyEncryptionKey) -> Result<StoredEvent, Error> {
    let wrapped = row
        .get_ref(13)?
        .as_blob_or_null()
        .map_err(|e| column_error(13, e))?;
    let event = event_row(row)?;
    event.verify(checksum(row, 14)?)?;
    let key = wrapped
        .map(|wrapped| {
            kek.unwrap(event.stream, wrapped)
                .ok_or_else(|| Error::CorruptKey {
                    stream: event.stream.to_owned(),
                })
        })
        .transpose()?;
    event.open(key.as_ref().map(|key| &key.as_bytes()[..]))
}

/// The first 13 columns of `sql::READ_BATCH`, `sql::READ_STREAM` and
/// `sql::EXPORT_EVENTS` (the event as stored), borrowed from the row.
pub(crate) fn event_row<'r>(row: &'r Row<'_>) -> Result<EventRow<'r>, Error> {
    let event_id = uuid(row, 3)?.ok_or(rusqlite::Error::InvalidColumnType(
        3,
        "event_id".into(),
        rusqlite::types::Type::Null,
    ))?;
    let effective_on = row
        .get_ref(6)?
        .as_str_or_null()
        .map_err(|e| column_error(6, e))?
        .map(|text| text.parse::<NaiveDate>())
        .transpose()
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(6, rusqlite::types::Type::Text, Box::new(e))
        })?;
    Ok(EventRow {
        position: row.get::<_, i64>(0)? as u64,
        stream: text(row, 1)?,
        version: row.get::<_, i64>(2)? as u64,
        event_id,
        event_type: text(row, 4)?,
        schema_version: row.get(5)?,
        effective_on,
        recorded_at: DateTime::from_timestamp_micros(row.get(7)?).unwrap_or_default(),
        actor: text(row, 8)?,
        correlation_id: uuid(row, 9)?,
        causation_id: uuid(row, 10)?,
        payload: text(row, 11)?,
        sealed: row
            .get_ref(12)?
            .as_blob_or_null()
            .map_err(|e| column_error(12, e))?,
    })
}

/// The checksum column at `column`, if the row has one.
pub(crate) fn checksum<'r>(
    row: &'r Row<'_>,
    column: usize,
) -> Result<Option<&'r [u8]>, rusqlite::Error> {
    row.get_ref(column)?
        .as_blob_or_null()
        .map_err(|e| column_error(column, e))
}

fn text<'r>(row: &'r Row<'_>, column: usize) -> Result<&'r str, rusqlite::Error> {
    row.get_ref(column)?
        .as_str()
        .map_err(|e| column_error(column, e))
}

pub(crate) fn uuid(row: &Row<'_>, column: usize) -> Result<Option<Uuid>, rusqlite::Error> {
    let Some(bytes) = row
        .get_ref(column)?
        .as_blob_or_null()
        .map_err(|e| column_error(column, e))?
    else {
        return Ok(None);
    };
    Uuid::from_slice(bytes).map(Some).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Blob, Box::new(e))
    })
}

pub(crate) fn column_error(column: usize, error: rusqlite::types::FromSqlError) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Null, Box::new(error))
}
