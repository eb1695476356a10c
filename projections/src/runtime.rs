//! The projection runtime: folds the log into read models, live or from position 0.
//!
//! One [`Projector`] reads the log in position order, decodes each event once,
//! and hands batches to every [`Projection`]. The same loop serves a rebuild
//! (from 0 to the head) and live catch-up (then on, as events commit), so a live
//! model and a rebuilt one are the same fold of the same events.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use domain::event::Event;
use eventlog::{EventLog, StoredEvent};
use futures::StreamExt;
use tokio::sync::{mpsc, watch};

use crate::error::Error;
use crate::snapshot::{Install, Request, Section, SnapshotError, SnapshotStore, Snapshots};

/// Events decoded and applied per batch: large enough that per-batch costs (a
/// lock, a checkpoint update) vanish, small enough that readers wait little.
pub const APPLY_BATCH: usize = 4096;

/// Events a model that shares itself behind one lock (registry, archive) applies
/// under one write lock: small enough that a reader waits well under a
/// millisecond, large enough that locking costs nothing.
pub const APPLY_SLICE: usize = 256;

/// One event as projections see it: the envelope and the decoded domain event.
pub struct Applied {
    /// The stored envelope (position, stream, dates, actor, raw payload).
    pub stored: StoredEvent,
    /// The decoded event, upcast to today's schema, with personal data unless erased.
    pub event: Event,
}

/// A read model folded from the log.
///
/// `apply` takes `&self`: each model chooses how readers and the one applying
/// task share it (dashmap, short write locks, …), so a reader never waits for a
/// whole batch and the projector never waits for a long report.
pub trait Projection: Send + Sync + 'static {
    /// A short stable name, for logs and metrics.
    fn name(&self) -> &'static str;

    /// Folds `events`, in position order, all after every event applied before.
    /// Called by one task at a time. Must not fail: the log is history, and an
    /// event a model cannot use is one it ignores.
    fn apply(&self, events: &[Applied]);

    /// A deterministic digest of the whole model: a live model and one rebuilt
    /// from position 0 have the same digest.
    fn digest(&self) -> u64;

    /// Writes the whole model into a snapshot's section, as
    /// [`Projection::restore`] reads it back. Called only while nothing is
    /// applied.
    ///
    /// # Errors
    /// The file's IO errors; a model that does not encode.
    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError>;

    /// Reads a model [`Projection::save`] wrote, to be put in place by the
    /// returned [`Install`] (only once every model has been read, so a
    /// damaged snapshot leaves every model as it was).
    ///
    /// # Errors
    /// [`SnapshotError::Encoding`] when `bytes` are not such a model.
    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError>;
}

/// Folds the log into a set of projections and tells how far it has got.
pub struct Projector {
    log: Arc<dyn EventLog>,
    projections: Vec<Arc<dyn Projection>>,
    checkpoint: watch::Sender<u64>,
    /// Events every projection has applied since this projector was made.
    applied: AtomicU64,
    /// Where the models' snapshot is kept, if anywhere.
    snapshots: Option<Snapshots>,
    /// The position of the snapshot the models were restored from (0: none).
    restored_from: AtomicU64,
    /// A fold stopped on an error or a panic: the models may not be at one
    /// position, so no snapshot is written of them.
    failed: AtomicBool,
}

impl Projector {
    /// A projector for `projections`, starting after position `checkpoint` (0:
    /// from the beginning).
    pub fn new(
        log: Arc<dyn EventLog>,
        projections: Vec<Arc<dyn Projection>>,
        checkpoint: u64,
    ) -> Projector {
        Projector {
            log,
            projections,
            checkpoint: watch::channel(checkpoint).0,
            applied: AtomicU64::new(0),
            snapshots: None,
            restored_from: AtomicU64::new(0),
            failed: AtomicBool::new(false),
        }
    }

    /// The position of the snapshot the models were restored from; 0 when
    /// none was. The checkpoint is this plus [`Projector::applied`].
    pub fn restored_from(&self) -> u64 {
        self.restored_from.load(Ordering::Relaxed)
    }

    /// This projector, keeping a snapshot of its models in `store`: see
    /// [`Projector::restore`] and [`Projector::snapshot`]; it also writes one
    /// when caught up after [`crate::snapshot::SNAPSHOT_EVERY`] events (at most
    /// every [`crate::snapshot::SNAPSHOT_INTERVAL`]), and deletes it on applying an erasure.
    pub fn with_snapshots(mut self, store: SnapshotStore) -> Projector {
        self.snapshots = Some(Snapshots::new(store));
        self
    }

    /// Puts the models as the snapshot holds them, when there is a usable one
    /// and nothing was applied yet; returns its position, from which the
    /// fold goes on. A snapshot of another build or log, or a damaged one,
    /// is deleted (and said why) and the models stay empty.
    pub async fn restore(&self) -> Option<u64> {
        let snapshots = self.snapshots.as_ref()?;
        // No snapshot is written while the models are being put in place.
        let _inbox = snapshots.inbox.lock().await;
        if *self.checkpoint.borrow() != 0 {
            return None;
        }
        if let Err(error) = snapshots.store.sweep() {
            tracing::warn!(%error, "a half-written snapshot could not be deleted");
        }
        let store = snapshots.store.clone();
        let projections = self.projections.clone();
        let log = Arc::clone(&self.log);
        let runtime = tokio::runtime::Handle::current();
        let started = std::time::Instant::now();
        let loaded =
            tokio::task::spawn_blocking(move || store.load(&projections, &*log, &runtime)).await;
        match loaded {
            Ok(Ok(Some(loaded))) => {
                let position = loaded.position;
                snapshots.restored(position, loaded.event_id);
                loaded.install();
                self.restored_from.store(position, Ordering::Relaxed);
                self.checkpoint.send_replace(position);
                tracing::info!(
                    position,
                    seconds = started.elapsed().as_secs_f64(),
                    "read models restored from the snapshot"
                );
                Some(position)
            }
            Ok(Ok(None)) => None,
            Ok(Err(error)) => {
                tracing::warn!(%error, "the snapshot is not used; folding the log from position 0");
                if let Err(error) = snapshots.store.discard() {
                    tracing::warn!(%error, "the snapshot could not be deleted");
                }
                None
            }
            Err(error) => {
                tracing::warn!(%error, "reading the snapshot failed; folding the log from position 0");
                None
            }
        }
    }

    /// Writes a snapshot of the models at the checkpoint (a clean stop asks
    /// for one), after the batch being applied; returns its position, `None`
    /// when there is no store or the snapshot on disk is already there.
    ///
    /// # Errors
    /// The store's: the earlier snapshot, if any, is then still in place.
    pub async fn snapshot(&self) -> Result<Option<u64>, SnapshotError> {
        let Some(snapshots) = &self.snapshots else {
            return Ok(None);
        };
        // No fold running (holding the inbox): the models are at rest.
        if let Ok(_inbox) = snapshots.inbox.try_lock() {
            return self.write_snapshot().await;
        }
        let mut answer = snapshots.ask();
        tokio::select! {
            answered = &mut answer => answered.unwrap_or(Ok(None)),
            // The fold ended without reading the request: at rest now.
            mut inbox = snapshots.inbox.lock() => {
                while inbox.try_recv().is_ok() {}
                self.write_snapshot().await
            }
        }
    }

    async fn write_snapshot(&self) -> Result<Option<u64>, SnapshotError> {
        let Some(snapshots) = &self.snapshots else {
            return Ok(None);
        };
        let position = *self.checkpoint.borrow();
        if self.failed.load(Ordering::Relaxed) {
            return Ok(None);
        }
        let Some(event_id) = snapshots.to_write(position) else {
            return Ok(None);
        };
        let store = snapshots.store.clone();
        let projections = self.projections.clone();
        let started = std::time::Instant::now();
        let written =
            tokio::task::spawn_blocking(move || store.write(&projections, position, event_id))
                .await
                .unwrap_or_else(|error| Err(SnapshotError::Io(std::io::Error::other(error))));
        snapshots.wrote(written.as_ref().ok().map(|_| position));
        match &written {
            Ok(bytes) => tracing::info!(
                position,
                bytes,
                seconds = started.elapsed().as_secs_f64(),
                "snapshot of the read models written"
            ),
            Err(error) => tracing::warn!(%error, position, "the snapshot was not written"),
        }
        written.map(|_| Some(position))
    }

    /// The position of the last event every projection has applied, updated live.
    pub fn checkpoint(&self) -> watch::Receiver<u64> {
        self.checkpoint.subscribe()
    }

    /// Events every projection has applied since this projector was made: the
    /// checkpoint it started from (or was restored to) plus this is the
    /// checkpoint, since each position is applied once and in order (see
    /// [`Error::OutOfOrder`]).
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Relaxed)
    }

    /// How far behind the log the projections are: head − checkpoint.
    pub fn lag(&self) -> u64 {
        self.log
            .head()
            .borrow()
            .saturating_sub(*self.checkpoint.borrow())
    }

    /// Applies every event up to the log's head as it is now, then returns the
    /// checkpoint reached. A rebuild is `catch_up` on a projector made at 0.
    ///
    /// # Errors
    /// A read or decode failure; the checkpoint stays at the last whole batch.
    pub async fn catch_up(&self) -> Result<u64, Error> {
        let head = *self.log.head().borrow();
        let after = *self.checkpoint.borrow();
        if after >= head {
            return Ok(after);
        }
        let events = eventlog::read_all(Arc::clone(&self.log), after);
        self.fold(decoded_batches(events), head).await?;
        Ok(*self.checkpoint.borrow())
    }

    /// Applies every event, then each new one as it commits, until the log shuts down.
    ///
    /// # Errors
    /// A read or decode failure.
    pub async fn run(&self) -> Result<(), Error> {
        let after = *self.checkpoint.borrow();
        let batches = decoded_batches(eventlog::subscribe(Arc::clone(&self.log), after));
        self.fold(batches, u64::MAX).await
    }

    /// The projections' digests by name, for comparing a live set with a rebuilt one.
    pub fn digests(&self) -> Vec<(&'static str, u64)> {
        self.projections
            .iter()
            .map(|p| (p.name(), p.digest()))
            .collect()
    }

    /// Applies what `batches` brings until a batch reaches `until` or the
    /// channel ends, each projection on its own thread (they share nothing, so
    /// the registry, the archive and the statistics fold side by side); the
    /// checkpoint moves past a batch once every projection has applied it. The
    /// batches are dropped here, not on the applying threads, so freeing them
    /// costs those threads nothing.
    async fn fold(
        &self,
        mut batches: mpsc::Receiver<Result<Vec<Applied>, Error>>,
        until: u64,
    ) -> Result<(), Error> {
        let (done_tx, mut done_rx) = mpsc::unbounded_channel();
        let appliers: Vec<_> = self
            .projections
            .iter()
            .enumerate()
            .map(|(index, projection)| applier(index, Arc::clone(projection), done_tx.clone()))
            .collect::<Result<_, _>>()?;
        drop(done_tx);
        // While this fold runs, it answers the requests for snapshots.
        let mut inbox = match &self.snapshots {
            Some(snapshots) => Some(snapshots.inbox.lock().await),
            None => None,
        };
        // A snapshot to write once every batch handed out is applied.
        let mut pause: Option<Option<Request>> = None;
        // Batches handed out and not yet applied by every projection, oldest first.
        let mut pending = VecDeque::<(u64, Arc<Vec<Applied>>)>::new();
        // Batches applied by each projection since the oldest pending one.
        let mut applied = vec![0usize; appliers.len()];
        let mut reading = true;
        let mut outcome = Ok(());
        // The position the next event must have: a batch that does not go on
        // exactly from here means a reader skipped or repeated an event.
        let mut next = *self.checkpoint.borrow() + 1;
        while reading || !pending.is_empty() {
            if pending.is_empty()
                && let Some(asked) = pause.take()
            {
                let written = self.write_snapshot().await;
                if let Some(asked) = asked {
                    let _ = asked.send(written);
                }
            }
            let room = reading && pending.len() < APPLIERS_IN_FLIGHT && pause.is_none();
            tokio::select! {
                Some(asked) = next_request(&mut inbox), if pause.is_none() => {
                    pause = Some(Some(asked));
                }
                batch = batches.recv(), if room => match batch {
                    Some(Ok(batch)) => {
                        let Some(last) = batch.last().map(|a| a.stored.position) else {
                            continue;
                        };
                        if let Err(error) = in_order(&batch, &mut next) {
                            outcome = Err(error);
                            reading = false;
                            continue;
                        }
                        if let Some(snapshots) = &self.snapshots
                            && let Err(error) = snapshots.before_applying(&batch)
                        {
                            outcome = Err(error);
                            reading = false;
                            continue;
                        }
                        let batch = Arc::new(batch);
                        for applier in &appliers {
                            // A closed applier has panicked: its report ends the fold.
                            let _ = applier.send(Arc::clone(&batch));
                        }
                        pending.push_back((last, batch));
                        reading = last < until;
                    }
                    Some(Err(error)) => {
                        outcome = Err(error);
                        reading = false;
                    }
                    None => reading = false,
                },
                done = done_rx.recv() => match done {
                    Some(Done::Applied(index)) => {
                        applied[index] += 1;
                        while !pending.is_empty() && applied.iter().all(|&n| n > 0) {
                            applied.iter_mut().for_each(|n| *n -= 1);
                            if let Some((last, batch)) = pending.pop_front() {
                                self.applied.fetch_add(batch.len() as u64, Ordering::Relaxed);
                                if let (Some(snapshots), Some(applied)) =
                                    (&self.snapshots, batch.last())
                                {
                                    snapshots.applied(applied.stored.event_id);
                                }
                                self.checkpoint.send_replace(last);
                                drop(batch);
                            }
                        }
                        if let Some(snapshots) = &self.snapshots
                            && pause.is_none()
                            && snapshots.due(*self.checkpoint.borrow(), *self.log.head().borrow())
                        {
                            pause = Some(None);
                        }
                    }
                    Some(Done::Panicked(name)) => {
                        // The models are not at one position any more: none is written.
                        self.failed.store(true, Ordering::Relaxed);
                        panic!("projection {name} panicked while applying")
                    }
                    None => break,
                },
            }
        }
        if outcome.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        // What was asked and not answered: the models are at rest now.
        let mut asked: Vec<Request> = pause.into_iter().flatten().collect();
        if let Some(inbox) = inbox.as_mut() {
            while let Ok(request) = inbox.try_recv() {
                asked.push(request);
            }
        }
        for request in asked {
            let _ = request.send(self.write_snapshot().await);
        }
        outcome
    }
}

/// The next request for a snapshot, when this fold answers them.
async fn next_request(
    inbox: &mut Option<tokio::sync::MutexGuard<'_, mpsc::UnboundedReceiver<Request>>>,
) -> Option<Request> {
    match inbox {
        Some(inbox) => inbox.recv().await,
        None => std::future::pending().await,
    }
}

/// Checks that `batch` holds positions `next`, `next + 1`, … and moves `next`
/// past it; the log is gap-free, so anything else is a reader's fault.
fn in_order(batch: &[Applied], next: &mut u64) -> Result<(), Error> {
    for applied in batch {
        let found = applied.stored.position;
        if found != *next {
            return Err(Error::OutOfOrder {
                expected: *next,
                found,
            });
        }
        *next += 1;
    }
    Ok(())
}

/// Batches a projection thread may be behind the slowest by: bounds memory.
const APPLIERS_IN_FLIGHT: usize = 4;

/// What an applying thread reports.
enum Done {
    /// The projection at this index applied its next batch.
    Applied(usize),
    /// It panicked (named), and applies nothing more.
    Panicked(&'static str),
}

/// Starts the thread that applies `projection`'s batches in order, reporting
/// each on `done`; it ends when the returned sender is dropped.
fn applier(
    index: usize,
    projection: Arc<dyn Projection>,
    done: mpsc::UnboundedSender<Done>,
) -> Result<mpsc::UnboundedSender<Arc<Vec<Applied>>>, Error> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Arc<Vec<Applied>>>();
    std::thread::Builder::new()
        .name(format!("apply-{}", projection.name()))
        .spawn(move || {
            while let Some(batch) = rx.blocking_recv() {
                let applied =
                    std::panic::catch_unwind(AssertUnwindSafe(|| projection.apply(&batch)));
                drop(batch);
                let report = match applied {
                    Ok(()) => Done::Applied(index),
                    Err(_) => Done::Panicked(projection.name()),
                };
                let panicked = matches!(report, Done::Panicked(_));
                if done.send(report).is_err() || panicked {
                    return;
                }
            }
        })
        .map_err(|error| Error::Log(eventlog::Error::Io(error)))?;
    Ok(tx)
}

/// Batches in flight between two stages: enough to keep both cores busy, few
/// enough that memory stays a few batches.
const BATCHES_IN_FLIGHT: usize = 4;

/// Reads, decodes and applies in three stages so they overlap on separate cores:
/// a task reads `events` in batches, a blocking thread decodes them, and
/// `Projector::fold` applies what arrives on the returned channel. Decoding costs about as
/// much as reading (BENCHMARKS.md), so a rebuild on one core would do half as well.
fn decoded_batches(
    events: futures::stream::BoxStream<'static, Result<StoredEvent, eventlog::Error>>,
) -> mpsc::Receiver<Result<Vec<Applied>, Error>> {
    let (read_tx, mut read_rx) =
        mpsc::channel::<Vec<Result<StoredEvent, eventlog::Error>>>(BATCHES_IN_FLIGHT);
    let (decoded_tx, decoded_rx) = mpsc::channel(BATCHES_IN_FLIGHT);
    tokio::spawn(async move {
        let mut chunks = events.ready_chunks(APPLY_BATCH);
        while let Some(chunk) = chunks.next().await {
            if read_tx.send(chunk).await.is_err() {
                return;
            }
        }
    });
    tokio::task::spawn_blocking(move || {
        while let Some(chunk) = read_rx.blocking_recv() {
            let decoded = decode(chunk);
            let failed = decoded.is_err();
            if decoded_tx.blocking_send(decoded).is_err() || failed {
                return;
            }
        }
    });
    decoded_rx
}

fn decode(chunk: Vec<Result<StoredEvent, eventlog::Error>>) -> Result<Vec<Applied>, Error> {
    let mut batch = Vec::with_capacity(chunk.len());
    for stored in chunk {
        let stored = stored?;
        let event = eventlog::codec::decode(&stored).map_err(|source| Error::Decode {
            position: stored.position,
            source,
        })?;
        batch.push(Applied { stored, event });
    }
    Ok(batch)
}
