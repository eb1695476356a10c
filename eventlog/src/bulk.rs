//! The log in bulk: loading a whole registry, and copying a log between backends.

use async_trait::async_trait;

use crate::envelope::AppendRequest;
use crate::error::Error;
use crate::log::EventLog;
use crate::raw::{Digest, Erasure, RawBatch};

/// Loading and copying whole logs (`reestr generate`, `reestr copy`): paths that
/// skip what single appends need, for throughput.
#[async_trait]
pub trait BulkLog: EventLog {
    /// Bulk-loads `batch`, e.g. a generated or migrated registry: each request is
    /// checked and stored as [`EventLog::append`] would store it (versions checked,
    /// positions gap-free, personal data sealed, erasures honoured), but without
    /// idempotency lookups, so a repeated command id or event id is an error, not
    /// a duplicate. Returns the head once the batch is durable. Call
    /// [`BulkLog::finish_import`] after the last batch.
    ///
    /// This default appends the requests one by one; a backend with a bulk path
    /// (SQLite) writes the whole batch in one transaction, all or nothing.
    ///
    /// # Errors
    /// As [`EventLog::append`]; the first refused request stops the import.
    async fn import(&self, batch: Vec<AppendRequest>) -> Result<u64, Error> {
        let mut head = *self.head().borrow();
        for request in batch {
            head = self.append(request).await?.last_position;
        }
        Ok(head)
    }

    /// Ends a bulk load: whatever the backend set aside for speed (SQLite: an
    /// index) is restored, so the log is exactly as appends would have left it.
    /// Appends and shutdown do this too; calling it says when the time is spent.
    ///
    /// # Errors
    /// Storage failures.
    async fn finish_import(&self) -> Result<(), Error> {
        Ok(())
    }

    /// Up to `limit` events after position `after` exactly as stored, personal data
    /// still sealed, with the commands, vault keys and erasures that belong to
    /// them (see [`RawBatch`]), read from one consistent snapshot. For copying a
    /// log; [`BulkLog::import_raw`] stores the batch in another.
    ///
    /// # Errors
    /// Storage failures.
    async fn export(&self, after: u64, limit: usize) -> Result<RawBatch, Error>;

    /// Stores `batch`, exported from another log, verbatim: positions, event ids,
    /// recorded times and sealed personal data as they are (nothing is decrypted
    /// or sealed again, so erased data stays unreadable); the commands, so their
    /// retries stay duplicates; the keys the batch carries, where the stream has
    /// none and was not erased; the erasures, deleting those streams' keys. The
    /// events must continue this log: the first at the head + 1, no gap, each
    /// stream's versions going on from its stored one. A batch may carry only
    /// erasures. All or nothing, durable when it returns the new head. A bulk
    /// path like [`BulkLog::import`]: call [`BulkLog::finish_import`] after the
    /// last batch.
    ///
    /// # Errors
    /// [`Error::InvalidAppend`] when the events do not continue the log; storage
    /// failures (a repeated event or command id is refused by the storage).
    async fn import_raw(&self, batch: RawBatch) -> Result<u64, Error>;

    /// Every stream whose personal data was erased, ordered by stream.
    ///
    /// # Errors
    /// Storage failures.
    async fn erasures(&self) -> Result<Vec<Erasure>, Error>;
}

/// The [`Digest`] of `log` up to position `until`: its events, read in batches
/// of `batch_size`, with what [`BulkLog::export`] gives with them, then every
/// erasure. Two logs have the same digest up to `until`, whatever the batch
/// sizes, exactly when they store the same.
///
/// # Errors
/// Storage failures.
pub async fn digest_log(log: &dyn BulkLog, until: u64, batch_size: usize) -> Result<Digest, Error> {
    let mut digest = Digest::new();
    let mut after = 0;
    while after < until {
        let limit = batch_size.min(usize::try_from(until - after).unwrap_or(usize::MAX));
        let batch = log.export(after, limit.max(1)).await?;
        let Some(last) = batch.last_position() else {
            break;
        };
        digest.update(&batch);
        after = last;
    }
    digest.update(&RawBatch {
        erasures: log.erasures().await?,
        ..RawBatch::default()
    });
    Ok(digest)
}
