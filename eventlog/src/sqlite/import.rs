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
//!
//! While a load runs, the WAL is copied into the database by a thread of its
//! own (`reestr-checkpoint`) instead of by the commit that fills it: that copy
//! was a fifth of the writer's time, and the next batch can be written while
//! the last is copied. And a stream the load has not written has no vault key
//! to look up, unless the vault held anything when the load began or a stream
//! was erased since.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use chrono::Utc;
use foldhash::{HashMap, HashMapExt};
use rusqlite::Connection;

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
            self.begin_bulk()?;
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

    /// Ends a bulk load, if one runs: rebuilds the `(stream, version)` index (one
    /// sort, on SQLite's worker threads) and forgets the versions kept meanwhile.
    pub(crate) fn finish_bulk(&mut self) -> Result<(), Error> {
        let Some(mut load) = self.bulk.take() else {
            return Ok(());
        };
        std::mem::replace(&mut load.checkpoints, Checkpoints::none()).finish();
        let finished = self
            .conn
            .execute_batch(sql::AUTOCHECKPOINT_ON)
            .and_then(|()| self.conn.execute_batch(sql::REBUILD_INDEXES));
        if let Err(error) = finished {
            // Still a load (its versions kept): the next try, or the next
            // open, restores the checkpoints and the index.
            self.bulk = Some(load);
            return Err(error.into());
        }
        Ok(())
    }

    /// After a transaction of a load (or a raw import) committed: an erasure
    /// truncates the WAL at once, as an append's does, once the checkpoint
    /// thread is idle (a checkpoint running would make the truncation fail
    /// and leave the erased key's page in the WAL); then the thread copies.
    pub(crate) fn after_bulk_commit(&self, erased: bool) {
        if erased {
            if let Some(load) = &self.bulk {
                load.checkpoints.settle();
            }
            self.checkpoint();
        }
        if let Some(load) = &self.bulk {
            load.checkpoints.poke();
        }
    }

    /// Starts a bulk load into an empty log: drops the `(stream, version)`
    /// index and moves the WAL's checkpoints to their own thread (or leaves
    /// them to SQLite when that thread cannot start).
    pub(crate) fn begin_bulk(&mut self) -> Result<(), Error> {
        let keys_without_events = self
            .conn
            .query_row(sql::ANY_KEY_OR_ERASURE, [], |row| row.get::<_, bool>(0))?;
        let checkpoints = match self.conn.path().filter(|p| !p.is_empty()) {
            Some(path) => Connection::open(path)
                .map_err(Error::from)
                .and_then(Checkpoints::start)
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, "a bulk load without its checkpoint thread");
                    Checkpoints::none()
                }),
            None => Checkpoints::none(),
        };
        if checkpoints.running() {
            self.conn.execute_batch(sql::AUTOCHECKPOINT_OFF)?;
        }
        // Last: once the index is dropped, `bulk` must be set (it is what
        // rebuilds it).
        if let Err(error) = self.conn.execute_batch(sql::DROP_STREAM_VERSION_INDEX) {
            checkpoints.finish();
            self.conn.execute_batch(sql::AUTOCHECKPOINT_ON)?;
            return Err(error.into());
        }
        self.bulk = Some(BulkLoad {
            versions: HashMap::new(),
            keys_without_events,
            checkpoints,
        });
        Ok(())
    }

    fn import_all(
        &self,
        batch: &[AppendRequest],
        staged: &mut Staged,
        now: i64,
    ) -> Result<Result<(), Error>, rusqlite::Error> {
        if let Some(load) = &self.bulk {
            load.before_transaction();
        }
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

/// A bulk load under way (see the module's documentation).
pub(crate) struct BulkLoad {
    /// Every stream's version: the log was empty when the load began.
    pub(crate) versions: HashMap<Box<str>, u64>,
    /// Whether the vault may hold a key or an erasure of a stream the load has
    /// no version of: it held a key or an erasure when the load began, a
    /// stream was erased during it, or another log's keys were copied. Until
    /// then such a stream has no key to look up.
    pub(crate) keys_without_events: bool,
    checkpoints: Checkpoints,
}

impl BulkLoad {
    /// Called before a transaction of the load begins: when the WAL has grown
    /// past [`WAL_FRAMES`], waits until it is all copied, so that this
    /// transaction starts the WAL again from its beginning (SQLite restarts
    /// it only for a writer that begins with nothing left to copy).
    pub(crate) fn before_transaction(&self) {
        self.checkpoints.settle_past(WAL_FRAMES);
    }
}

/// Frames (pages) the WAL may grow to during a load before the writer waits
/// for the copy: 64 MiB of 4 KiB pages, a few batches.
const WAL_FRAMES: i64 = 16_384;

/// The thread that copies the WAL into the database during a load, on a
/// connection of its own, while the writer goes on (a passive checkpoint
/// takes no lock the writer needs). Stopped by `finish` or when dropped.
struct Checkpoints {
    shared: Option<Arc<Shared>>,
    thread: Option<JoinHandle<()>>,
}

type Shared = (Mutex<Progress>, Condvar);

/// What the checkpoint thread was asked and has done.
#[derive(Default)]
struct Progress {
    /// Commits announced.
    asked: u64,
    /// Commits whose frames a finished checkpoint copied (or tried to).
    copied: u64,
    /// Frames in the WAL at the last checkpoint; unknown (a checkpoint that
    /// failed or found the WAL busy) counts as too many.
    wal_frames: i64,
    /// The writer is done with the thread.
    stop: bool,
    /// The thread has ended: nobody copies any more.
    gone: bool,
}

/// The state, whatever a panic elsewhere left in it (counters stay usable).
fn lock(shared: &Shared) -> MutexGuard<'_, Progress> {
    shared.0.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Checkpoints {
    fn none() -> Checkpoints {
        Checkpoints {
            shared: None,
            thread: None,
        }
    }

    fn start(conn: Connection) -> Result<Checkpoints, Error> {
        conn.execute_batch("PRAGMA busy_timeout = 5000;")?;
        let shared: Arc<Shared> = Arc::new((Mutex::new(Progress::default()), Condvar::new()));
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("reestr-checkpoint".into())
            .spawn(move || {
                let _gone = Gone(&theirs);
                copy_while_asked(&conn, &theirs);
            })?;
        Ok(Checkpoints {
            shared: Some(shared),
            thread: Some(thread),
        })
    }

    fn running(&self) -> bool {
        self.thread.is_some()
    }

    fn poke(&self) {
        if let Some(shared) = &self.shared {
            lock(shared).asked += 1;
            shared.1.notify_all();
        }
    }

    /// Waits for every commit announced to be copied, if the WAL is larger
    /// than `frames`.
    fn settle_past(&self, frames: i64) {
        self.wait_for_copies(Some(frames));
    }

    /// Waits for every commit announced to be copied.
    fn settle(&self) {
        self.wait_for_copies(None);
    }

    fn wait_for_copies(&self, past_frames: Option<i64>) {
        let Some(shared) = &self.shared else {
            return;
        };
        let mut progress = lock(shared);
        if past_frames.is_some_and(|frames| progress.wal_frames <= frames) {
            return;
        }
        while progress.copied < progress.asked && !progress.stop && !progress.gone {
            progress = shared
                .1
                .wait(progress)
                .unwrap_or_else(PoisonError::into_inner);
        }
        progress.wal_frames = 0;
    }

    /// Waits for the checkpoint running, if any, and stops the thread.
    fn finish(mut self) {
        self.stop();
    }

    fn stop(&mut self) {
        if let Some(shared) = self.shared.take() {
            lock(&shared).stop = true;
            shared.1.notify_all();
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the bulk load's checkpoint thread panicked");
        }
    }
}

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Marks the checkpoint thread ended however it ends, so no one waits for it.
struct Gone<'a>(&'a Shared);

impl Drop for Gone<'_> {
    fn drop(&mut self) {
        lock(self.0).gone = true;
        self.0.1.notify_all();
    }
}

/// The checkpoint thread: a passive checkpoint after each announced commit
/// (several announced meanwhile share one), until told to stop.
fn copy_while_asked(conn: &Connection, shared: &Shared) {
    loop {
        let asked = {
            let mut state = lock(shared);
            while state.copied == state.asked && !state.stop {
                state = shared.1.wait(state).unwrap_or_else(PoisonError::into_inner);
            }
            if state.stop {
                return;
            }
            state.asked
        };
        // (busy, WAL frames, frames copied): a busy checkpoint copied nothing.
        let outcome = conn.query_row(sql::CHECKPOINT_PASSIVE, [], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
        });
        let mut state = lock(shared);
        state.wal_frames = match outcome {
            Ok((0, frames)) => frames,
            Ok(_) => i64::MAX,
            Err(error) => {
                tracing::warn!(%error, "a WAL checkpoint during a bulk load failed");
                i64::MAX
            }
        };
        state.copied = asked;
        shared.1.notify_all();
    }
}
