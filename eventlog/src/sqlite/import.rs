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
//! to look up, unless a stream was ever erased.

use std::sync::{Arc, Condvar, Mutex};
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
        let Some(load) = self.bulk.take() else {
            return Ok(());
        };
        load.checkpoints.finish();
        self.conn.execute_batch(sql::AUTOCHECKPOINT_ON)?;
        if let Err(error) = self.conn.execute_batch(sql::REBUILD_INDEXES) {
            // Still a load: the index is rebuilt at the next try, or at the next open.
            self.bulk = Some(BulkLoad {
                checkpoints: Checkpoints::none(),
                ..load
            });
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
    /// index and moves the WAL's checkpoints to their own thread.
    pub(crate) fn begin_bulk(&mut self) -> Result<(), Error> {
        self.conn.execute_batch(sql::DROP_STREAM_VERSION_INDEX)?;
        let keys_without_events = self
            .conn
            .query_row(sql::ANY_ERASED, [], |row| row.get::<_, bool>(0))?;
        let checkpoints = match self.conn.path().filter(|p| !p.is_empty()) {
            Some(path) => Checkpoints::start(Connection::open(path)?)?,
            None => Checkpoints::none(),
        };
        if checkpoints.running() {
            self.conn.execute_batch(sql::AUTOCHECKPOINT_OFF)?;
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
    /// Whether the vault may hold a key or an erasure of a stream without
    /// events: a stream was erased (before or during the load), or another
    /// log's keys were copied. Until then a stream the load has no version of
    /// has no key to look up.
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
/// takes no lock the writer needs).
struct Checkpoints {
    shared: Option<Arc<(Mutex<Progress>, Condvar)>>,
    thread: Option<JoinHandle<()>>,
}

/// What the checkpoint thread was asked and has done.
#[derive(Default)]
struct Progress {
    /// Commits announced.
    asked: u64,
    /// Commits whose frames a finished checkpoint copied.
    copied: u64,
    /// Frames in the WAL at the last checkpoint.
    wal_frames: i64,
    stop: bool,
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
        let shared = Arc::new((Mutex::new(Progress::default()), Condvar::new()));
        let theirs = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("reestr-checkpoint".into())
            .spawn(move || copy_while_asked(&conn, &theirs))?;
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
            let (progress, changed) = &**shared;
            if let Ok(mut progress) = progress.lock() {
                progress.asked += 1;
                changed.notify_all();
            }
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
        let (progress, changed) = &**shared;
        let Ok(mut progress) = progress.lock() else {
            return;
        };
        if past_frames.is_some_and(|frames| progress.wal_frames <= frames) {
            return;
        }
        while progress.copied < progress.asked && !progress.stop {
            match changed.wait(progress) {
                Ok(next) => progress = next,
                Err(_) => return,
            }
        }
        progress.wal_frames = 0;
    }

    /// Waits for the checkpoint running, if any, and stops the thread.
    fn finish(mut self) {
        if let Some(shared) = self.shared.take() {
            let (progress, changed) = &*shared;
            if let Ok(mut progress) = progress.lock() {
                progress.stop = true;
                changed.notify_all();
            }
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the bulk load's checkpoint thread panicked");
        }
    }
}

/// The checkpoint thread: a passive checkpoint after each announced commit
/// (several announced meanwhile share one), until told to stop.
fn copy_while_asked(conn: &Connection, shared: &(Mutex<Progress>, Condvar)) {
    let (progress, changed) = shared;
    loop {
        let asked = {
            let Ok(mut state) = progress.lock() else {
                return;
            };
            while state.copied == state.asked && !state.stop {
                match changed.wait(state) {
                    Ok(next) => state = next,
                    Err(_) => return,
                }
            }
            if state.stop {
                return;
            }
            state.asked
        };
        let frames = conn.query_row(sql::CHECKPOINT_PASSIVE, [], |row| row.get::<_, i64>(1));
        let Ok(mut state) = progress.lock() else {
            return;
        };
        match frames {
            Ok(frames) => state.wal_frames = frames,
            Err(error) => tracing::warn!(%error, "a WAL checkpoint during a bulk load failed"),
        }
        state.copied = asked;
        changed.notify_all();
    }
}
