//! The bulk import path: loading a log, many requests per transaction.
//!
//! An import checks versions and refuses malformed requests as an append does,
//! seals personal data and honours erasures, but it makes no idempotency lookup
//! (no command id or event id is looked up: a repeated one fails the whole batch
//! on the unique constraint) and it commits the whole batch at once, so one fsync
//! covers tens of thousands of events.
//!
//! Into an empty log, the first import also drops the `(stream, version)` index
//! and keeps every stream's version in memory instead: random inserts into that
//! index (streams all over the registry) are what a bulk load would otherwise
//! spend its time on, while `CREATE INDEX` over the finished table is one sort.
//! The index is rebuilt by `finish_import`, before the next append, at shutdown,
//! and (after a crash in the middle of a load) when the log is opened again, so
//! the file always ends up with the schema the migrations made. The `event_id`
//! index stays: event ids are time-ordered (uuid v7), so its inserts land at its
//! end, and it keeps catching repeated ids.

use std::collections::HashMap;

use chrono::Utc;

use crate::envelope::AppendRequest;
use crate::error::Error;
use crate::sqlite::sql;
use crate::sqlite::writer::{Staged, Writer};
use crate::validate::validate;

impl Writer {
    /// Imports `batch` in one transaction; returns the head after it. Any refused
    /// request fails the whole batch, and then nothing of it is written.
    pub(crate) fn import(&mut self, batch: Vec<AppendRequest>) -> Result<u64, Error> {
        if batch.is_empty() {
            return Ok(self.head);
        }
        if self.bulk.is_none() && self.head == 0 {
            self.conn.execute_batch(sql::DROP_STREAM_VERSION_INDEX)?;
            self.bulk = Some(HashMap::new());
        }
        let now = Utc::now().timestamp_micros();
        let mut staged = Staged {
            head: self.head,
            ..Staged::default()
        };
        match self.import_all(&batch, &mut staged, now) {
            Ok(Ok(())) => {
                let erased = !staged.erased.is_empty();
                self.adopt(staged);
                if erased {
                    self.checkpoint();
                }
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

    /// Ends a bulk load, if one runs: rebuilds the `(stream, version)` index (one
    /// sort, on SQLite's worker threads) and forgets the versions kept meanwhile.
    pub(crate) fn finish_bulk(&mut self) -> Result<(), Error> {
        if self.bulk.is_none() {
            return Ok(());
        }
        self.conn.execute_batch(sql::REBUILD_INDEXES)?;
        self.bulk = None;
        Ok(())
    }

    fn import_all(
        &self,
        batch: &[AppendRequest],
        staged: &mut Staged,
        now: i64,
    ) -> Result<Result<(), Error>, rusqlite::Error> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        for request in batch {
            if let Err(refused) = validate(request) {
                return Ok(Err(refused));
            }
            if let Err(refused) = self.write(request, staged, now)? {
                return Ok(Err(refused));
            }
        }
        self.conn.execute_batch("COMMIT")?;
        Ok(Ok(()))
    }
}
