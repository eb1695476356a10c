//! The `EventLog` trait: what every backend offers.

use std::sync::Arc;

use async_trait::async_trait;
use futures::stream::{self, BoxStream, StreamExt, TryStreamExt};
use tokio::sync::watch;

use crate::envelope::{AppendRequest, Appended, StoredEvent};
use crate::error::Error;

/// How many events a streaming read fetches at a time: large enough that the
/// per-query cost vanishes, small enough that memory stays constant.
pub const READ_BATCH: usize = 4096;

/// The append-only event log, as commands and read models use it: append, read,
/// follow the head. Positions are gap-free and in commit order; nothing stored
/// is ever updated or deleted (only vault keys are, by erasure).
///
/// Its other roles are traits of their own: [`BulkLog`](crate::BulkLog) (loading
/// and copying whole logs) and [`Coordination`](crate::Coordination) (the
/// processes sharing one log); [`Backend`](crate::Backend) is all three.
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
    /// [`Error::InvalidAppend`] for a malformed request, [`Error::StorageFull`]
    /// when the disk is full; in each case nothing is written. Other storage
    /// failures are returned as they are.
    async fn append(&self, request: AppendRequest) -> Result<Appended, Error>;

    /// The events of `stream` with a version above `after_version`, oldest first.
    ///
    /// # Errors
    /// Storage and decryption failures; [`Error::Corrupt`] and
    /// [`Error::CorruptKey`] for stored bytes that were changed.
    async fn read_stream(
        &self,
        stream: &str,
        after_version: u64,
    ) -> Result<Vec<StoredEvent>, Error>;

    /// Every event of each of `streams`, one list per stream in the order
    /// given (empty for a stream never written): many streams at once, as an
    /// export reads person after person. The default reads them eight at a
    /// time, one [`EventLog::read_stream`] each.
    ///
    /// # Errors
    /// As [`EventLog::read_stream`].
    async fn read_streams(&self, streams: &[String]) -> Result<Vec<Vec<StoredEvent>>, Error> {
        let reads: Vec<_> = streams
            .iter()
            .map(|name| self.read_stream(name, 0))
            .collect();
        stream::iter(reads).buffered(8).try_collect().await
    }

    /// Up to `limit` events with a position above `after`, in position order.
    ///
    /// # Errors
    /// As [`EventLog::read_stream`].
    async fn read_batch(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, Error>;

    /// The events at `positions` (ascending), in position order; a position
    /// not committed is left out. A journal page of one subtree is read this
    /// way, its positions taken from an index. The default reads each alone.
    ///
    /// # Errors
    /// Storage and decryption failures.
    async fn read_positions(&self, positions: &[u64]) -> Result<Vec<StoredEvent>, Error> {
        let mut events = Vec::with_capacity(positions.len());
        for &position in positions {
            let batch = self.read_batch(position.saturating_sub(1), 1).await?;
            events.extend(batch.into_iter().filter(|e| e.position == position));
        }
        Ok(events)
    }

    /// The result of the append made by `command_id`, if one was made: a repeated
    /// command is answered from this before it is decided again (deciding again
    /// would refuse it, e.g. a transfer repeated once it took effect).
    ///
    /// # Errors
    /// Storage failures.
    async fn find_command(&self, command_id: uuid::Uuid) -> Result<Option<Appended>, Error>;

    /// The position of the last committed event, updated live as appends commit.
    /// For a [shared](crate::Coordination::shared) log, other processes'
    /// commits arrive here a notification later.
    fn head(&self) -> watch::Receiver<u64>;

    /// Why appends are failing now (e.g. the disk is full), until one
    /// succeeds; `None` while they succeed. The default: never known to fail.
    fn write_fault(&self) -> Option<String> {
        None
    }

    /// Tries a small durable write outside the log, so a fault clears once
    /// the storage takes writes again even when no append comes.
    ///
    /// # Errors
    /// [`Error::StorageFull`] (or the storage's error) when it still refuses.
    async fn probe_writes(&self) -> Result<(), Error> {
        Ok(())
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
