//! The embedded backend: one SQLite file, WAL, one writer thread with group commit.
//!
//! rusqlite on a dedicated thread, not sqlx: BENCHMARKS.md ("SQLite driver")
//! measured sqlx's per-statement cost as the limit on both appends and scans.

mod import;
mod raw;
mod reader;
mod sql;
mod writer;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use async_trait::async_trait;
use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};
use tokio::sync::{mpsc, oneshot, watch};

use crate::bulk::BulkLog;
use crate::coordination::Coordination;
use crate::envelope::{AppendRequest, Appended, StoredEvent};
use crate::error::Error;
use crate::log::EventLog;
use crate::raw::{Erasure, RawBatch};
use crate::sqlite::reader::Readers;
use crate::sqlite::writer::{ImportJob, Job, RawImportJob, Work, Writer};

/// Appends that may wait for the writer before `append` itself waits: enough for
/// thousands of concurrent clients, and a bound on memory under overload.
const QUEUE_DEPTH: usize = 16_384;

/// The event log in one SQLite file.
pub struct SqliteLog {
    path: PathBuf,
    /// Queue to the writer thread; `None` once shut down.
    jobs: Mutex<Option<mpsc::Sender<Work>>>,
    /// The writer thread, joined on shutdown.
    writer: Mutex<Option<JoinHandle<()>>>,
    head: watch::Receiver<u64>,
    readers: Arc<Readers>,
    /// Held for the log's lifetime: one process writes a log at a time.
    lock: Mutex<Option<File>>,
}

impl SqliteLog {
    /// Opens the log at `path`, creating and migrating it as needed.
    ///
    /// # Errors
    /// [`Error::Locked`] when another process has the log open; storage and
    /// migration failures.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteLog, Error> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let lock_path = lock_path(&path);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)?;
        if lock.try_lock().is_err() {
            return Err(Error::Locked(path));
        }

        let mut conn = Connection::open(&path)?;
        conn.execute_batch(sql::PRAGMAS)?;
        migrations().to_latest(&mut conn)?;
        // A bulk load that did not finish (a crash) left an index dropped.
        conn.execute_batch(sql::REBUILD_INDEXES)?;
        let head = conn.query_row(sql::HEAD, [], |row| row.get::<_, i64>(0))? as u64;

        let (head_tx, head_rx) = watch::channel(head);
        let (jobs_tx, jobs_rx) = mpsc::channel(QUEUE_DEPTH);
        let writer = Writer::new(conn, head, head_tx);
        let handle = std::thread::Builder::new()
            .name("eventlog-writer".into())
            .spawn(move || writer.run(jobs_rx))?;

        Ok(SqliteLog {
            readers: Arc::new(Readers::new(path.clone())),
            path,
            jobs: Mutex::new(Some(jobs_tx)),
            writer: Mutex::new(Some(handle)),
            head: head_rx,
            lock: Mutex::new(Some(lock)),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    async fn send(&self, work: Work) -> Result<(), Error> {
        let jobs = self
            .jobs
            .lock()
            .ok()
            .and_then(|jobs| jobs.clone())
            .ok_or(Error::Closed)?;
        jobs.send(work).await.map_err(|_| Error::Closed)
    }

    async fn read<R: Send + 'static>(
        &self,
        read: impl FnOnce(&Connection) -> Result<R, Error> + Send + 'static,
    ) -> Result<R, Error> {
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || readers.with(read))
            .await
            .map_err(|_| Error::Closed)?
    }
}

#[async_trait]
impl EventLog for SqliteLog {
    async fn append(&self, request: AppendRequest) -> Result<Appended, Error> {
        let (reply, outcome) = oneshot::channel();
        self.send(Work::Append(Job { request, reply })).await?;
        outcome.await.map_err(|_| Error::Closed)?
    }

    async fn read_stream(
        &self,
        stream: &str,
        after_version: u64,
    ) -> Result<Vec<StoredEvent>, Error> {
        let stream = stream.to_string();
        self.read(move |conn| reader::read_stream(conn, &stream, after_version))
            .await
    }

    async fn read_batch(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, Error> {
        self.read(move |conn| reader::read_batch(conn, after, limit))
            .await
    }

    async fn read_positions(&self, positions: &[u64]) -> Result<Vec<StoredEvent>, Error> {
        let positions = positions.to_vec();
        self.read(move |conn| reader::read_positions(conn, &positions))
            .await
    }

    async fn find_command(&self, command_id: uuid::Uuid) -> Result<Option<Appended>, Error> {
        self.read(move |conn| reader::find_command(conn, command_id))
            .await
    }

    fn head(&self) -> watch::Receiver<u64> {
        self.head.clone()
    }

    async fn shutdown(&self) -> Result<(), Error> {
        // Dropping the last sender lets the writer drain its queue and stop.
        drop(self.jobs.lock().ok().and_then(|mut jobs| jobs.take()));
        let handle = self.writer.lock().ok().and_then(|mut writer| writer.take());
        if let Some(handle) = handle {
            tokio::task::spawn_blocking(move || handle.join())
                .await
                .map_err(|_| Error::Closed)?
                .map_err(|_| Error::Closed)?;
        }
        self.readers.close();
        drop(self.lock.lock().ok().and_then(|mut lock| lock.take()));
        Ok(())
    }
}

#[async_trait]
impl BulkLog for SqliteLog {
    /// One transaction per batch, no idempotency lookups; into an empty log, the
    /// `(stream, version)` index is dropped until [`BulkLog::finish_import`]
    /// (see the `import` module).
    async fn import(&self, batch: Vec<AppendRequest>) -> Result<u64, Error> {
        let (reply, outcome) = oneshot::channel();
        self.send(Work::Import(ImportJob { batch, reply })).await?;
        outcome.await.map_err(|_| Error::Closed)?
    }

    async fn finish_import(&self) -> Result<(), Error> {
        let (reply, outcome) = oneshot::channel();
        self.send(Work::FinishImport(reply)).await?;
        outcome.await.map_err(|_| Error::Closed)?
    }

    async fn export(&self, after: u64, limit: usize) -> Result<RawBatch, Error> {
        self.read(move |conn| raw::export(conn, after, limit)).await
    }

    /// One transaction on the writer thread; into an empty log, the
    /// `(stream, version)` index is dropped until [`BulkLog::finish_import`], as
    /// for [`BulkLog::import`].
    async fn import_raw(&self, batch: RawBatch) -> Result<u64, Error> {
        let (reply, outcome) = oneshot::channel();
        self.send(Work::ImportRaw(RawImportJob { batch, reply }))
            .await?;
        outcome.await.map_err(|_| Error::Closed)?
    }

    async fn erasures(&self) -> Result<Vec<Erasure>, Error> {
        self.read(raw::erasures).await
    }
}

/// One process owns an SQLite log (its lock file says so): the defaults hold.
impl Coordination for SqliteLog {}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!(
            "../../migrations/sqlite/20261124000001_events.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/20261124000002_commands_by_position.sql"
        )),
    ])
}
