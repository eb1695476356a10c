//! The log as stored, out and in: `EventLog::export`, `import_raw`, `erasures`.
//!
//! Export reads in one read transaction, so the events, commands, keys and
//! erasures of a batch are one snapshot. A raw import runs on the writer thread
//! in one transaction, checking that positions continue the head and versions
//! continue their streams; into an empty log it drops the `(stream, version)`
//! index as a bulk import does (see `sqlite::import`).

use std::collections::BTreeSet;

use chrono::DateTime;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::Error;
use crate::raw;
use crate::raw::{Erasure, RawBatch, StoredCommand, StoredKey};
use crate::sqlite::reader::{checksum, event_row, uuid};
use crate::sqlite::sql;
use crate::sqlite::writer::{Staged, Writer};
use crate::vault::{KeyEncryptionKey, VaultKey};

/// Events after `after` as stored, with their commands, keys (unwrapped by
/// `kek`: another log wraps them with its own) and erasures.
pub(crate) fn export(
    conn: &Connection,
    kek: &KeyEncryptionKey,
    after: u64,
    limit: usize,
) -> Result<RawBatch, Error> {
    conn.execute_batch("BEGIN")?;
    let batch = export_in_transaction(conn, kek, after, limit);
    // A read transaction: ending it cannot lose anything, and the pooled
    // connection must not stay inside it.
    let ended = conn.execute_batch("COMMIT");
    let batch = batch?;
    ended?;
    Ok(batch)
}

/// Every erased stream, ordered by stream.
pub(crate) fn erasures(conn: &Connection) -> Result<Vec<Erasure>, Error> {
    let mut query = conn.prepare_cached(sql::ERASURES)?;
    let rows = query.query_map([], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
    })?;
    let mut erasures = Vec::new();
    for row in rows {
        let (stream, micros) = row?;
        erasures.push(Erasure {
            stream,
            erased_at: DateTime::from_timestamp_micros(micros).unwrap_or_default(),
        });
    }
    Ok(erasures)
}

fn export_in_transaction(
    conn: &Connection,
    kek: &KeyEncryptionKey,
    after: u64,
    limit: usize,
) -> Result<RawBatch, Error> {
    let mut query = conn.prepare_cached(sql::EXPORT_EVENTS)?;
    let mut rows = query.query(params![after as i64, limit as i64])?;
    let mut events = Vec::with_capacity(limit.min(16_384));
    while let Some(row) = rows.next()? {
        let event = event_row(row)?;
        event.verify(checksum(row, 13)?)?;
        events.push(event.to_raw());
    }
    let Some(last) = events.last().map(|e| e.position) else {
        return Ok(RawBatch::default());
    };
    let from = if after == 0 { 0 } else { after + 1 };
    let mut query = conn.prepare_cached(sql::EXPORT_COMMANDS)?;
    let mut commands = query
        .query_map(params![from as i64, last as i64], |row| {
            Ok((
                uuid(row, 0)?,
                row.get::<_, i64>(1)? as u64,
                row.get::<_, i64>(2)? as u64,
            ))
        })?
        .filter_map(|row| match row {
            Ok((Some(command_id), first_position, last_position)) => Some(Ok(StoredCommand {
                command_id,
                first_position,
                last_position,
            })),
            Ok((None, _, _)) => None,
            Err(error) => Some(Err(error)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    commands.sort_by_key(|c| (c.first_position, c.command_id));

    let streams: BTreeSet<&str> = events.iter().map(|e| e.stream.as_str()).collect();
    let mut keys = Vec::new();
    let mut erasures = Vec::new();
    let mut key_query = conn.prepare_cached(sql::VAULT_KEY)?;
    let mut erased_query = conn.prepare_cached(sql::ERASED_AT)?;
    for stream in streams {
        let key: Option<Vec<u8>> = key_query.query_row([stream], |row| row.get(0)).optional()?;
        if let Some(wrapped) = key {
            let key = kek
                .unwrap(stream, &wrapped)
                .ok_or_else(|| Error::CorruptKey {
                    stream: stream.to_string(),
                })?;
            keys.push(StoredKey {
                stream: stream.to_string(),
                key: key.as_bytes().to_vec(),
            });
        }
        let erased_at: Option<i64> = erased_query
            .query_row([stream], |row| row.get(0))
            .optional()?;
        if let Some(micros) = erased_at {
            erasures.push(Erasure {
                stream: stream.to_string(),
                erased_at: DateTime::from_timestamp_micros(micros).unwrap_or_default(),
            });
        }
    }
    Ok(RawBatch {
        events,
        commands,
        keys,
        erasures,
    })
}

impl Writer {
    /// Stores `batch` verbatim in one transaction; returns the head after it.
    pub(crate) fn import_raw(&mut self, batch: RawBatch) -> Result<u64, Error> {
        batch.check_continues(self.head)?;
        if self.bulk.is_none() && self.head == 0 && !batch.events.is_empty() {
            self.begin_bulk()?;
        }
        if let Some(load) = &mut self.bulk {
            load.keys_without_events = true;
        }
        let mut staged = Staged {
            head: self.head,
            ..Staged::default()
        };
        if let Some(load) = &self.bulk {
            load.before_transaction();
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match self.write_raw(&batch, &mut staged) {
            Ok(Ok(())) => {
                if let Err(error) = self.conn.execute_batch("COMMIT") {
                    let _ = self.conn.execute_batch("ROLLBACK");
                    return Err(error.into());
                }
                let erased = !staged.erased.is_empty();
                self.adopt(staged);
                self.after_bulk_commit(erased);
                Ok(self.head)
            }
            Ok(Err(refused)) => {
                self.conn.execute_batch("ROLLBACK")?;
                Err(refused)
            }
            Err(error) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(error.into())
            }
        }
    }

    fn write_raw(
        &self,
        batch: &RawBatch,
        staged: &mut Staged,
    ) -> Result<Result<(), Error>, rusqlite::Error> {
        let mut insert = self.conn.prepare_cached(sql::INSERT_EVENT)?;
        for event in &batch.events {
            let stored = self.stream_version(staged, &event.stream)?;
            if event.version != stored + 1 {
                return Ok(Err(Error::InvalidAppend(
                    "a raw event's version does not continue its stream",
                )));
            }
            insert.execute(params![
                event.position as i64,
                event.stream,
                event.version as i64,
                &event.event_id.as_bytes()[..],
                event.event_type,
                event.schema_version,
                event.effective_on.map(|d| d.to_string()),
                event.recorded_at.timestamp_micros(),
                event.actor,
                event.correlation_id.map(|id| id.as_bytes().to_vec()),
                event.causation_id.map(|id| id.as_bytes().to_vec()),
                event.payload,
                event.sealed,
                &raw::checksum(&event.as_row())[..],
            ])?;
            staged.head = event.position;
            staged.versions.insert(event.stream.clone(), event.version);
        }
        let mut insert = self.conn.prepare_cached(sql::INSERT_COMMAND)?;
        for command in &batch.commands {
            insert.execute(params![
                &command.command_id.as_bytes()[..],
                command.first_position as i64,
                command.last_position as i64
            ])?;
        }
        let mut insert = self.conn.prepare_cached(sql::INSERT_COPIED_VAULT_KEY)?;
        for key in &batch.keys {
            let Some(plain) = VaultKey::from_bytes(&key.key) else {
                return Ok(Err(Error::InvalidAppend("a copied vault key is not a key")));
            };
            insert.execute(params![key.stream, self.kek.wrap(&key.stream, &plain)])?;
        }
        for erasure in &batch.erasures {
            self.conn
                .prepare_cached(sql::DELETE_VAULT_KEY)?
                .execute([&erasure.stream])?;
            self.conn
                .prepare_cached(sql::INSERT_VAULT_ERASED)?
                .execute(params![
                    erasure.stream,
                    erasure.erased_at.timestamp_micros()
                ])?;
            staged.erased.insert(erasure.stream.clone());
        }
        Ok(Ok(()))
    }
}
