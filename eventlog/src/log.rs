//! The `EventLog` trait: what every backend offers.

use std::sync::Arc;

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt};
use tokio::sync::watch;

use crate::envelope::{AppendRequest, Appended, StoredEvent};
use crate::error::Error;
use crate::raw::{Erasure, RawBatch};
use crate::turn::Turn;

/// How many events a streaming read fetches at a time: large enough that the
/// per-query cost vanishes, small enough that memory stays constant.
pub const READ_BATCH: usize = 4096;

/// The append-only event log. Positions are gap-free and in commit order; nothing
/// stored is ever updated or deleted (only vault keys are, by erasure).
#[async_trait]
pub trait EventLog: Send + Sync + 'static {
    /// Appends atomically to one or several streams, each with its expected version.
    /// Returns once the append is durable. A request whose command id or event ids
    /// are stored already writes nothing and returns the first result with
    /// `duplicate: true`.
    ///
    /// # Errors
    /// [`Error::Conflict`] when a stream's version differs from the expected one,
    /// [`Error::Erased`] for personal data of an erased stream,
    /// [`Error::DuplicateEvent`] when only some event ids are stored already,
    /// [`Error::InvalidAppend`] for a malformed request; in each case nothing is
    /// written. Storage failures are returned as they are.
    async fn append(&self, request: AppendRequest) -> Result<Appended, Error>;

    /// Bulk-loads `batch`, e.g. a generated or migrated registry: each request is
    /// checked and stored as [`EventLog::append`] would store it (versions checked,
    /// positions gap-free, personal data sealed, erasures honoured), but without
    /// idempotency lookups, so a repeated command id or event id is an error, not
    /// a duplicate. Returns the head once the batch is durable. Call
    /// [`EventLog::finish_import`] after the last batch.
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

    /// The events of `stream` with a version above `after_version`, oldest first.
    ///
    /// # Errors
    /// Storage and decryption failures.
    async fn read_stream(
        &self,
        stream: &str,
        after_version: u64,
    ) -> Result<Vec<StoredEvent>, Error>;

    /// Up to `limit` events with a position above `after`, in position order.
    ///
    /// # Errors
    /// Storage and decryption failures.
    async fn read_batch(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, Error>;

    /// The result of the append made by `command_id`, if one was made: a repeated
    /// command is answered from this before it is decided again (deciding again
    /// would refuse it, e.g. a transfer repeated once it took effect).
    ///
    /// # Errors
    /// Storage failures.
    async fn find_command(&self, command_id: uuid::Uuid) -> Result<Option<Appended>, Error>;

    /// Up to `limit` events after position `after` exactly as stored, personal data
    /// still sealed, with the commands, vault keys and erasures that belong to
    /// them (see [`RawBatch`]), read from one consistent snapshot. For copying a
    /// log; [`EventLog::import_raw`] stores the batch in another.
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
    /// path like [`EventLog::import`]: call [`EventLog::finish_import`] after the
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

    /// The position of the last committed event, updated live as appends commit.
    /// For a [shared](EventLog::shared) log, other processes' commits arrive
    /// here a notification later.
    fn head(&self) -> watch::Receiver<u64>;

    /// Whether other processes may append to this log as well (several API
    /// nodes on one database). Then [`EventLog::head`] hears of their commits
    /// late, and [`EventLog::committed_head`] asks the storage.
    fn shared(&self) -> bool {
        false
    }

    /// The position of the last event committed by any process, as the storage
    /// has it now (and [`EventLog::head`] is moved up to it). For a log only
    /// this process writes, [`EventLog::head`] is exact already.
    ///
    /// # Errors
    /// Storage failures.
    async fn committed_head(&self) -> Result<u64, Error> {
        Ok(*self.head().borrow())
    }

    /// Waits for an exclusive [`Turn`] on `topic` among every process sharing
    /// this log; it ends when dropped. For a log only this process writes the
    /// turn is immediate: the caller serialises its own commands on a topic.
    ///
    /// # Errors
    /// Storage failures.
    async fn turn(&self, topic: &[u8]) -> Result<Turn, Error> {
        let _ = topic;
        Ok(Turn::immediate(*self.head().borrow()))
    }

    /// Stops taking appends, finishes those already queued and releases the storage.
    /// Appends after this fail with [`Error::Closed`].
    ///
    /// # Errors
    /// Storage failures while closing.
    async fn shutdown(&self) -> Result<(), Error>;
}

/// Every event after position `after`, in order, fetched in batches of
/// [`READ_BATCH`] so memory stays constant however long the log is. The stream
/// ends at the head as it was when each batch was read.
pub fn read_all(
    log: Arc<dyn EventLog>,
    after: u64,
) -> BoxStream<'static, Result<StoredEvent, Error>> {
    stream::try_unfold((log, after), |(log, after)| async move {
        let batch = log.read_batch(after, READ_BATCH).await?;
        let Some(last) = batch.last() else {
            return Ok(None);
        };
        let next = last.position;
        Ok(Some((stream::iter(batch.into_iter().map(Ok)), (log, next))))
    })
    .map(|batch| match batch {
        Ok(events) => events.left_stream(),
        Err(error) => stream::iter([Err(error)]).right_stream(),
    })
    .flatten()
    .boxed()
}

/// Every event after position `after`: first those already stored (catch-up), then
/// each new one as it commits (live), with no gap and no duplicate at the seam
/// because both phases read by position from the log itself. The stream ends only
/// when the log shuts down.
pub fn subscribe(
    log: Arc<dyn EventLog>,
    after: u64,
) -> BoxStream<'static, Result<StoredEvent, Error>> {
    let head = log.head();
    stream::try_unfold((log, head, after), |(log, mut head, after)| async move {
        loop {
            // Mark the head as seen before reading, so a commit that lands after the
            // read wakes the wait below.
            head.borrow_and_update();
            let batch = log.read_batch(after, READ_BATCH).await?;
            if let Some(last) = batch.last() {
                let next = last.position;
                return Ok(Some((
                    stream::iter(batch.into_iter().map(Ok)),
                    (log, head, next),
                )));
            }
            if head.changed().await.is_err() {
                return Ok(None);
            }
        }
    })
    .map(|batch| match batch {
        Ok(events) => events.left_stream(),
        Err(error) => stream::iter([Err(error)]).right_stream(),
    })
    .flatten()
    .boxed()
}
