//! The embedded backend: one SQLite file, WAL, one writer thread with group commit.
//!
//! rusqlite on a dedicated thread, not sqlx: BENCHMARKS.md ("SQLite driver")
//! measured sqlx's per-statement cost as the limit on both appends and scans.

mod import;
mod raw;
mod reader;
mod sql;
mod writer;

use std::fs::{DirBuilder, File, OpenOptions};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension};
use rusqlite_migration::{M, Migrations};
use tokio::sync::{mpsc, oneshot, watch};

use crate::bulk::BulkLog;
use crate::coordination::Coordination;
use crate::envelope::{AppendRequest, Appended, StoredEvent};
use crate::error::Error;
use crate::key_file;
use crate::log::EventLog;
use crate::raw::{Erasure, RawBatch};
use crate::sqlite::reader::Readers;
use crate::sqlite::writer::{ImportJob, Job, RawImportJob, Work, Writer};
use crate::vault::{KeyEncryptionKey, VaultKey};

/// Mode of the files of a log (database, WAL, shared memory, lock): the
/// owner's alone, whatever the umask.
const FILE_MODE: u32 = 0o600;

/// Mode of a directory the log creates for its file.
const DIR_MODE: u32 = 0o700;

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
    /// Why the last commit failed, until one succeeds (see `EventLog::write_fault`).
    fault: Arc<Mutex<Option<String>>>,
}

impl SqliteLog {
    /// Opens the log at `path`, creating and migrating it as needed, with
    /// the key file beside its directory ([`key_file::beside`]).
    ///
    /// # Errors
    /// As [`SqliteLog::open_with_key_file`].
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteLog, Error> {
        let key_file = key_file::beside(path.as_ref())?;
        SqliteLog::open_with_key_file(path, &key_file)
    }

    /// Opens the log at `path`, creating and migrating it as needed; its vault
    /// keys are wrapped by the key in `key_file`, created (`0600`) for a new
    /// log. A log written before keys were wrapped has them wrapped now, in
    /// one transaction, by the key file's key (created if missing).
    /// A directory created for the file is `0700`, the files `0600`.
    ///
    /// # Errors
    /// [`Error::Locked`] when another process has the log open;
    /// [`Error::KeyFile`] when the key file is missing (for a log whose keys
    /// are wrapped), loose, malformed or another log's; storage and migration
    /// failures.
    pub fn open_with_key_file(path: impl AsRef<Path>, key_file: &Path) -> Result<SqliteLog, Error> {
        let path = path.as_ref().to_path_buf();
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            DirBuilder::new()
                .recursive(true)
                .mode(DIR_MODE)
                .create(dir)?;
        }
        // One writer per file however its path is spelt (a symlinked
        // directory or file, `..`): the lock is taken on the file's one name.
        let path = canonical(&path)?;
        let lock_path = lock_path(&path);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(FILE_MODE)
            .open(&lock_path)?;
        if lock.try_lock().is_err() {
            return Err(Error::Locked(path));
        }

        let mut conn = Connection::open(&path)?;
        conn.execute_batch(sql::PRAGMAS)?;
        migrations().to_latest(&mut conn)?;
        restrict_files(&path)?;
        let kek = key_encryption_key(&mut conn, key_file)?;
        // A bulk load that did not finish (a crash) left an index dropped.
        conn.execute_batch(sql::REBUILD_INDEXES)?;
        let head = conn.query_row(sql::HEAD, [], |row| row.get::<_, i64>(0))? as u64;

        let kek = Arc::new(kek);
        let (head_tx, head_rx) = watch::channel(head);
        let (jobs_tx, jobs_rx) = mpsc::channel(QUEUE_DEPTH);
        let fault = Arc::new(Mutex::new(None));
        let writer = Writer::new(conn, head, head_tx, Arc::clone(&kek), Arc::clone(&fault));
        let handle = std::thread::Builder::new()
            .name("eventlog-writer".into())
            .spawn(move || writer.run(jobs_rx))?;

        Ok(SqliteLog {
            readers: Arc::new(Readers::new(path.clone(), kek)),
            path,
            jobs: Mutex::new(Some(jobs_tx)),
            writer: Mutex::new(Some(handle)),
            head: head_rx,
            lock: Mutex::new(Some(lock)),
            fault,
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
        read: impl FnOnce(&Connection, &KeyEncryptionKey) -> Result<R, Error> + Send + 'static,
    ) -> Result<R, Error> {
        let readers = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || readers.with(|conn| read(conn, readers.kek())))
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
        self.read(move |conn, kek| reader::read_stream(conn, kek, &stream, after_version))
            .await
    }

    /// All in one blocking call on one connection: a call each cost a hand-off
    /// to the blocking pool and back each, which at an export's pace was over
    /// a third of its CPU in the scheduler.
    async fn read_streams(&self, streams: &[String]) -> Result<Vec<Vec<StoredEvent>>, Error> {
        let streams = streams.to_vec();
        self.read(move |conn, kek| {
            streams
                .iter()
                .map(|stream| reader::read_stream(conn, kek, stream, 0))
                .collect()
        })
        .await
    }

    async fn read_batch(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, Error> {
        self.read(move |conn, kek| reader::read_batch(conn, kek, after, limit))
            .await
    }

    async fn read_positions(&self, positions: &[u64]) -> Result<Vec<StoredEvent>, Error> {
        let positions = positions.to_vec();
        self.read(move |conn, kek| reader::read_positions(conn, kek, &positions))
            .await
    }

    async fn find_command(&self, command_id: uuid::Uuid) -> Result<Option<Appended>, Error> {
        self.read(move |conn, _| reader::find_command(conn, command_id))
            .await
    }

    fn head(&self) -> watch::Receiver<u64> {
        self.head.clone()
    }

    fn write_fault(&self) -> Option<String> {
        self.fault.lock().ok().and_then(|fault| fault.clone())
    }

    async fn probe_writes(&self) -> Result<(), Error> {
        let (reply, outcome) = oneshot::channel();
        self.send(Work::Probe(reply)).await?;
        outcome.await.map_err(|_| Error::Closed)?
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
        self.read(move |conn, kek| raw::export(conn, kek, after, limit))
            .await
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
        self.read(|conn, _| raw::erasures(conn)).await
    }
}

/// One process owns an SQLite log (its lock file says so): the defaults hold.
impl Coordination for SqliteLog {
    fn files(&self) -> Option<Arc<dyn crate::files::FileStore>> {
        Some(Arc::new(crate::files::DirectoryFiles::beside(&self.path)))
    }
}

/// The log's key-encryption key from `key_file`, checked against the one the
/// log was written with. A new log, or one written before keys were wrapped,
/// gets its check value now, and its keys wrapped, in one transaction.
fn key_encryption_key(conn: &mut Connection, key_file: &Path) -> Result<KeyEncryptionKey, Error> {
    let check: Option<Vec<u8>> = conn
        .query_row(sql::KEK_CHECK, [], |row| row.get(0))
        .optional()?;
    if let Some(check) = check {
        let Some(kek) = key_file::read(key_file)? else {
            return Err(key_file::key_file_error(
                key_file,
                "is missing, and this log's vault keys are wrapped by the key it held: \
                 restore it from its backup, or name it with --key-file",
            ));
        };
        if !kek.opens_check(&check) {
            return Err(key_file::key_file_error(
                key_file,
                "holds another log's key: this log's vault keys do not unwrap with it",
            ));
        }
        return Ok(kek);
    }
    let kek = match key_file::read(key_file)? {
        Some(kek) => kek,
        None => key_file::create(key_file)?,
    };
    let transaction = conn.transaction()?;
    let unwrapped: Vec<(String, Vec<u8>)> = transaction
        .prepare(sql::ALL_VAULT_KEYS)?
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (stream, stored) in unwrapped {
        if !KeyEncryptionKey::is_unwrapped(&stored) {
            return Err(Error::CorruptKey { stream });
        }
        let key = VaultKey::from_bytes(&stored).ok_or(Error::CorruptKey {
            stream: stream.clone(),
        })?;
        transaction.execute(
            sql::REPLACE_VAULT_KEY,
            rusqlite::params![stream, kek.wrap(&stream, &key)],
        )?;
    }
    transaction.execute(sql::INSERT_KEK_CHECK, [kek.check_value()])?;
    transaction.commit()?;
    // The raw keys' old pages must not stay in the WAL (`secure_delete` has
    // zeroed them in the database's pages).
    conn.query_row(sql::CHECKPOINT_TRUNCATE, [], |_| Ok(()))?;
    Ok(kek)
}

/// `path` with every symlink and `..` resolved: the file's own path if it
/// exists, else its resolved directory joined with its name.
fn canonical(path: &Path) -> Result<PathBuf, Error> {
    if path.exists() {
        return Ok(std::fs::canonicalize(path)?);
    }
    let name = path
        .file_name()
        .ok_or(Error::InvalidAppend("the log's path names no file"))?;
    let dir = match path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        Some(dir) => std::fs::canonicalize(dir)?,
        None => std::env::current_dir()?,
    };
    Ok(dir.join(name))
}

/// Makes the database, its WAL and shared memory the owner's alone: SQLite
/// creates them `0644`, and a file of an earlier version may be anything.
fn restrict_files(path: &Path) -> Result<(), Error> {
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::set_permissions(&name, std::fs::Permissions::from_mode(FILE_MODE)) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

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
        M::up(include_str!(
            "../../migrations/sqlite/20261202000001_meta.sql"
        )),
        M::up(include_str!(
            "../../migrations/sqlite/20261202000002_checksums.sql"
        )),
    ])
}
