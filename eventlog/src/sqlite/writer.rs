//! The one writer thread: group commit.
//!
//! Appends queue on a channel; the writer takes every request waiting, applies
//! them in one transaction and commits once (one fsync), then answers them all.
//! Under load many appends share a commit; alone, an append commits at once.
//! The thread owns the only writing connection, so the version and key caches
//! below can never disagree with the file.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use tokio::sync::{mpsc, oneshot, watch};
use uuid::Uuid;

use crate::envelope::{AppendRequest, Appended, ExpectedVersion, NewEvent};
use crate::error::Error;
use crate::raw::{self, EventRow, RawBatch};
use crate::sqlite::import::BulkLoad;
use crate::sqlite::sql;
use crate::validate::validate;
use crate::vault::{KeyEncryptionKey, VaultKey};

/// An append waiting for the writer, with where to send its outcome.
pub(crate) struct Job {
    pub request: AppendRequest,
    pub reply: oneshot::Sender<Result<Appended, Error>>,
}

/// What the writer thread is asked to do.
pub(crate) enum Work {
    /// A normal append (group-committed with its neighbours).
    Append(Job),
    /// A bulk import of many requests in one transaction (see `sqlite::import`).
    Import(ImportJob),
    /// End the bulk load: rebuild the indexes it dropped.
    FinishImport(oneshot::Sender<Result<(), Error>>),
    /// A verbatim import of another log's batch (see `sqlite::raw`).
    ImportRaw(RawImportJob),
    /// A durable write outside the log: does the storage take writes again?
    Probe(oneshot::Sender<Result<(), Error>>),
}

/// A verbatim import waiting for the writer.
pub(crate) struct RawImportJob {
    pub batch: RawBatch,
    pub reply: oneshot::Sender<Result<u64, Error>>,
}

/// A bulk import waiting for the writer.
pub(crate) struct ImportJob {
    pub batch: Vec<AppendRequest>,
    pub reply: oneshot::Sender<Result<u64, Error>>,
}

/// Most requests one transaction takes: bounds the latency of the first of them.
const MAX_BATCH: usize = 4096;

/// Streams whose version (or key) the writer remembers; past this the cache is
/// dropped and refilled from the indexes, keeping memory bounded at full scale.
const MAX_CACHED_STREAMS: usize = 100_000;

pub(crate) struct Writer {
    pub(crate) conn: Connection,
    /// Position of the last committed event; published on `head_tx` after each commit.
    pub(crate) head: u64,
    pub(crate) head_tx: watch::Sender<u64>,
    /// Committed versions of recently written streams.
    pub(crate) versions: HashMap<String, u64>,
    /// Vault keys of recently written streams.
    pub(crate) keys: HashMap<String, VaultKey>,
    /// Set while a bulk load runs with the `(stream, version)` index dropped: then
    /// it holds every stream's version (the log was empty when the load began).
    pub(crate) bulk: Option<BulkLoad>,
    /// Wraps every vault key before it is stored.
    pub(crate) kek: Arc<KeyEncryptionKey>,
    /// Why the last commit failed, until one succeeds; the log reports it.
    pub(crate) fault: Arc<Mutex<Option<String>>>,
}

/// What a transaction has done so far; becomes the writer's state only on commit.
#[derive(Default)]
pub(crate) struct Staged {
    pub(crate) head: u64,
    pub(crate) versions: HashMap<String, u64>,
    pub(crate) new_keys: HashMap<String, VaultKey>,
    pub(crate) erased: HashSet<String>,
}

enum KeyLookup {
    Found(VaultKey),
    Erased,
    Missing,
    /// Stored, but its bytes do not unwrap.
    Corrupt,
}

impl Writer {
    pub(crate) fn new(
        conn: Connection,
        head: u64,
        head_tx: watch::Sender<u64>,
        kek: Arc<KeyEncryptionKey>,
        fault: Arc<Mutex<Option<String>>>,
    ) -> Writer {
        Writer {
            conn,
            head,
            head_tx,
            versions: HashMap::new(),
            keys: HashMap::new(),
            bulk: None,
            kek,
            fault,
        }
    }

    /// Runs until every sender is gone, answering each queued append first; a
    /// bulk load still running then is finished (its indexes rebuilt).
    pub(crate) fn run(mut self, mut jobs: mpsc::Receiver<Work>) {
        let mut next = None;
        while let Some(work) = next.take().or_else(|| jobs.blocking_recv()) {
            match work {
                Work::Append(first) => {
                    if let Err(error) = self.finish_bulk() {
                        let _ = first.reply.send(Err(error));
                        continue;
                    }
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match jobs.try_recv() {
                            Ok(Work::Append(job)) => batch.push(job),
                            Ok(other) => {
                                next = Some(other);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    self.commit_batch(batch);
                }
                Work::Import(job) => {
                    let outcome = self.import(job.batch);
                    let _ = job.reply.send(outcome);
                }
                Work::FinishImport(reply) => {
                    let _ = reply.send(self.finish_bulk());
                }
                Work::ImportRaw(job) => {
                    let outcome = self.import_raw(job.batch);
                    let _ = job.reply.send(outcome);
                }
                Work::Probe(reply) => {
                    let _ = reply.send(self.probe());
                }
            }
        }
        if let Err(error) = self.finish_bulk() {
            tracing::error!(%error, "rebuilding the indexes after a bulk load failed");
        }
    }

    fn commit_batch(&mut self, batch: Vec<Job>) {
        let now = Utc::now().timestamp_micros();
        let mut staged = Staged {
            head: self.head,
            ..Staged::default()
        };
        let outcome = self.apply_all(&batch, &mut staged, now);
        match outcome {
            Ok(results) => {
                self.set_fault(None);
                let erased = !staged.erased.is_empty();
                self.adopt(staged);
                if erased {
                    self.checkpoint();
                }
                for (job, result) in batch.into_iter().zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(error) => {
                tracing::error!(%error, "append batch failed; nothing of it was written");
                let _ = self.conn.execute_batch("ROLLBACK");
                let full = is_disk_full(&error);
                let message = error.to_string();
                self.set_fault(Some(if full {
                    format!("the disk is full: appends fail ({message})")
                } else {
                    format!("appends fail: {message}")
                }));
                for job in batch {
                    let message = message.clone();
                    let error = if full {
                        Error::StorageFull { message }
                    } else {
                        Error::CommitFailed { message }
                    };
                    let _ = job.reply.send(Err(error));
                }
            }
        }
    }

    /// Writes the probe row in a transaction of its own; clears the fault
    /// when it commits, sets it when the storage still refuses.
    fn probe(&mut self) -> Result<(), Error> {
        let now = Utc::now().timestamp_micros();
        let outcome = self
            .conn
            .execute_batch("BEGIN IMMEDIATE")
            .and_then(|()| self.conn.execute(sql::PROBE, [now]))
            .and_then(|_| self.conn.execute_batch("COMMIT"));
        match outcome {
            Ok(()) => {
                self.set_fault(None);
                Ok(())
            }
            Err(error) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                let full = is_disk_full(&error);
                let message = error.to_string();
                self.set_fault(Some(if full {
                    format!("the disk is full: appends fail ({message})")
                } else {
                    format!("appends fail: {message}")
                }));
                Err(if full {
                    Error::StorageFull { message }
                } else {
                    Error::CommitFailed { message }
                })
            }
        }
    }

    fn set_fault(&self, fault: Option<String>) {
        if let Ok(mut slot) = self.fault.lock()
            && *slot != fault
        {
            *slot = fault;
        }
    }

    /// Makes a committed transaction's state the writer's and publishes the head.
    pub(crate) fn adopt(&mut self, staged: Staged) {
        self.head = staged.head;
        if self.keys.len() > MAX_CACHED_STREAMS {
            self.keys.clear();
        }
        match &mut self.bulk {
            Some(load) => {
                load.keys_without_events |= !staged.erased.is_empty();
                load.versions.extend(
                    staged
                        .versions
                        .into_iter()
                        .map(|(stream, version)| (stream.into_boxed_str(), version)),
                );
            }
            None => {
                if self.versions.len() > MAX_CACHED_STREAMS {
                    self.versions.clear();
                }
                self.versions.extend(staged.versions);
            }
        }
        self.keys.extend(staged.new_keys);
        for stream in &staged.erased {
            self.keys.remove(stream);
        }
        self.head_tx.send_replace(self.head);
    }

    /// Applies every request in one transaction. A request refused by a check gets
    /// its error and writes nothing; a storage failure aborts the whole batch.
    fn apply_all(
        &self,
        batch: &[Job],
        staged: &mut Staged,
        now: i64,
    ) -> Result<Vec<Result<Appended, Error>>, rusqlite::Error> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let mut results = Vec::with_capacity(batch.len());
        for job in batch {
            results.push(self.apply(&job.request, staged, now)?);
        }
        self.conn.execute_batch("COMMIT")?;
        Ok(results)
    }

    fn apply(
        &self,
        request: &AppendRequest,
        staged: &mut Staged,
        now: i64,
    ) -> Result<Result<Appended, Error>, rusqlite::Error> {
        if let Err(error) = validate(request) {
            return Ok(Err(error));
        }
        if let Some(command_id) = request.command_id
            && let Some((first, last)) = self.command(command_id)?
        {
            return self.duplicate(first, last).map(Ok);
        }
        let mut stored = Vec::new();
        for event in request.streams.iter().flat_map(|s| &s.events) {
            if let Some(position) = self.position_of(event.event_id)? {
                stored.push((event.event_id, position));
            }
        }
        if let (Some(&(event_id, _)), true) = (stored.first(), stored.len() < request.event_count())
        {
            return Ok(Err(Error::DuplicateEvent { event_id }));
        }
        if !stored.is_empty() {
            let first = stored.iter().map(|&(_, p)| p).min().unwrap_or(0);
            let last = stored.iter().map(|&(_, p)| p).max().unwrap_or(0);
            return self.duplicate(first, last).map(Ok);
        }
        self.write(request, staged, now)
    }

    /// Checks the request's versions, then stores its events (sealing personal
    /// data), its command id and its erasures. No idempotency lookup: the caller
    /// has made them, or (bulk import) skips them on purpose.
    pub(crate) fn write(
        &self,
        request: &AppendRequest,
        staged: &mut Staged,
        now: i64,
    ) -> Result<Result<Appended, Error>, rusqlite::Error> {
        let mut current_versions = Vec::with_capacity(request.streams.len());
        for append in &request.streams {
            let actual = self.stream_version(staged, &append.stream)?;
            let matches = match append.expected {
                ExpectedVersion::Any => true,
                ExpectedVersion::NoStream => actual == 0,
                ExpectedVersion::Exact(version) => actual == version,
            };
            if !matches {
                let stream = append.stream.clone();
                return Ok(Err(Error::Conflict {
                    stream,
                    expected: append.expected,
                    actual,
                }));
            }
            current_versions.push(actual);
        }

        let mut keys = Vec::with_capacity(request.streams.len());
        let mut missing = Vec::new();
        for append in &request.streams {
            if !append.events.iter().any(|e| e.personal.is_some()) {
                keys.push(None);
                continue;
            }
            match self.vault_key(staged, &append.stream)? {
                KeyLookup::Found(key) => keys.push(Some(key)),
                KeyLookup::Erased => {
                    return Ok(Err(Error::Erased {
                        stream: append.stream.clone(),
                    }));
                }
                KeyLookup::Corrupt => {
                    return Ok(Err(Error::CorruptKey {
                        stream: append.stream.clone(),
                    }));
                }
                KeyLookup::Missing => {
                    missing.push(keys.len());
                    keys.push(None);
                }
            }
        }
        if !missing.is_empty() {
            // A bulk import's request holds thousands of new persons: their
            // keys are wrapped on every core, like the events are sealed.
            let kek = &*self.kek;
            let new = in_parallel(&missing, SEAL_IN_PARALLEL_FROM / 4, |&i| {
                let key = VaultKey::generate();
                let wrapped = kek.wrap(&request.streams[i].stream, &key);
                (key, wrapped)
            });
            let mut insert = self.conn.prepare_cached(sql::INSERT_VAULT_KEY)?;
            for (i, (key, wrapped)) in missing.into_iter().zip(new) {
                let stream = &request.streams[i].stream;
                insert.execute(params![stream, wrapped])?;
                staged.new_keys.insert(stream.clone(), key.clone());
                keys[i] = Some(key);
            }
        }

        let first_position = staged.head + 1;
        let mut stream_versions = Vec::with_capacity(request.streams.len());
        let mut rows = Vec::with_capacity(request.event_count());
        for ((append, version), key) in request.streams.iter().zip(current_versions).zip(&keys) {
            let mut version = version;
            for event in &append.events {
                version += 1;
                staged.head += 1;
                rows.push(Pending {
                    stream: &append.stream,
                    event,
                    key: key.as_ref(),
                    position: staged.head,
                    version,
                });
            }
            staged.versions.insert(append.stream.clone(), version);
            stream_versions.push((append.stream.clone(), version));
        }
        let sealed = seal_all(&rows, request, now);
        let mut insert = self.conn.prepare_cached(sql::INSERT_EVENT)?;
        for (row, (personal, checksum)) in rows.iter().zip(sealed) {
            let event = row.event;
            insert.execute(params![
                row.position as i64,
                row.stream,
                row.version as i64,
                &event.event_id.as_bytes()[..],
                event.event_type,
                event.schema_version,
                event.effective_on.map(|d| d.to_string()),
                now,
                request.actor,
                request.correlation_id.map(|id| id.as_bytes().to_vec()),
                request.causation_id.map(|id| id.as_bytes().to_vec()),
                event.payload,
                personal,
                &checksum[..],
            ])?;
        }
        if let Some(command_id) = request.command_id {
            let mut insert = self.conn.prepare_cached(sql::INSERT_COMMAND)?;
            insert.execute(params![
                &command_id.as_bytes()[..],
                first_position as i64,
                staged.head as i64
            ])?;
        }
        for stream in &request.erase_personal_data_of {
            self.conn
                .prepare_cached(sql::DELETE_VAULT_KEY)?
                .execute([stream])?;
            self.conn
                .prepare_cached(sql::INSERT_VAULT_ERASED)?
                .execute(params![stream, now])?;
            staged.new_keys.remove(stream);
            staged.erased.insert(stream.clone());
        }
        Ok(Ok(Appended {
            first_position,
            last_position: staged.head,
            stream_versions,
            duplicate: false,
        }))
    }

    /// The first result of an append that is being repeated.
    fn duplicate(&self, first: u64, last: u64) -> Result<Appended, rusqlite::Error> {
        let mut query = self.conn.prepare_cached(sql::STREAM_VERSIONS_IN_RANGE)?;
        let stream_versions = query
            .query_map(params![first as i64, last as i64], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)? as u64))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Appended {
            first_position: first,
            last_position: last,
            stream_versions,
            duplicate: true,
        })
    }

    fn command(&self, command_id: Uuid) -> Result<Option<(u64, u64)>, rusqlite::Error> {
        let mut query = self.conn.prepare_cached(sql::COMMAND)?;
        query
            .query_row([&command_id.as_bytes()[..]], |row| {
                Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64))
            })
            .optional()
    }

    fn position_of(&self, event_id: Uuid) -> Result<Option<u64>, rusqlite::Error> {
        let mut query = self.conn.prepare_cached(sql::POSITION_OF_EVENT)?;
        query
            .query_row([&event_id.as_bytes()[..]], |row| row.get::<_, i64>(0))
            .optional()
            .map(|p| p.map(|p| p as u64))
    }

    pub(crate) fn stream_version(
        &self,
        staged: &Staged,
        stream: &str,
    ) -> Result<u64, rusqlite::Error> {
        if let Some(&version) = staged
            .versions
            .get(stream)
            .or_else(|| self.versions.get(stream))
        {
            return Ok(version);
        }
        if let Some(load) = &self.bulk {
            return Ok(load.versions.get(stream).copied().unwrap_or(0));
        }
        let mut query = self.conn.prepare_cached(sql::STREAM_VERSION)?;
        query
            .query_row([stream], |row| row.get::<_, i64>(0))
            .map(|v| v as u64)
    }

    fn vault_key(&self, staged: &Staged, stream: &str) -> Result<KeyLookup, rusqlite::Error> {
        if staged.erased.contains(stream) {
            return Ok(KeyLookup::Erased);
        }
        if let Some(key) = staged
            .new_keys
            .get(stream)
            .or_else(|| self.keys.get(stream))
        {
            return Ok(KeyLookup::Found(key.clone()));
        }
        // A key is stored with its stream's first personal event.
        if let Some(load) = &self.bulk
            && !load.keys_without_events
            && !load.versions.contains_key(stream)
            && !staged.versions.contains_key(stream)
        {
            return Ok(KeyLookup::Missing);
        }
        let mut query = self.conn.prepare_cached(sql::VAULT_KEY)?;
        let stored: Option<Vec<u8>> = query.query_row([stream], |row| row.get(0)).optional()?;
        if let Some(stored) = stored {
            return Ok(match self.kek.unwrap(stream, &stored) {
                Some(key) => KeyLookup::Found(key),
                None => KeyLookup::Corrupt,
            });
        }
        let mut query = self.conn.prepare_cached(sql::VAULT_ERASED)?;
        let erased = query.query_row([stream], |_| Ok(())).optional()?.is_some();
        Ok(if erased {
            KeyLookup::Erased
        } else {
            KeyLookup::Missing
        })
    }

    /// Moves the WAL into the database and truncates it, so an erased key's old
    /// page no longer sits in the WAL file.
    pub(crate) fn checkpoint(&self) {
        let result = self
            .conn
            .query_row(sql::CHECKPOINT_TRUNCATE, [], |row| row.get::<_, i64>(0));
        match result {
            Ok(0) => {}
            Ok(_) => tracing::warn!("WAL checkpoint after erasure was blocked by a reader"),
            Err(error) => tracing::warn!(%error, "WAL checkpoint after erasure failed"),
        }
    }
}

/// An event about to be stored, placed: its position and version are known.
struct Pending<'r> {
    stream: &'r str,
    event: &'r NewEvent,
    key: Option<&'r VaultKey>,
    position: u64,
    version: u64,
}

/// Requests with fewer events are sealed on the writer thread alone: a
/// thread costs more than it saves on an ordinary append.
const SEAL_IN_PARALLEL_FROM: usize = 1024;

/// Each event's sealed personal data and checksum, in order. A bulk
/// import's request (tens of thousands of events) is split over the cores:
/// sealing and hashing are most of the writer's own work, and the rows
/// cannot be inserted before them anyway.
fn seal_all(
    rows: &[Pending<'_>],
    request: &AppendRequest,
    now: i64,
) -> Vec<(Option<Vec<u8>>, [u8; raw::CHECKSUM_LEN])> {
    let recorded_at = DateTime::from_timestamp_micros(now).unwrap_or_default();
    let seal = |row: &Pending<'_>| {
        let event = row.event;
        let personal = match (&event.personal, row.key) {
            (Some(plain), Some(key)) => Some(key.seal(event.event_id, plain.as_bytes())),
            _ => None,
        };
        let checksum = raw::checksum(&EventRow {
            position: row.position,
            stream: row.stream,
            version: row.version,
            event_id: event.event_id,
            event_type: &event.event_type,
            schema_version: event.schema_version,
            effective_on: event.effective_on,
            recorded_at,
            actor: &request.actor,
            correlation_id: request.correlation_id,
            causation_id: request.causation_id,
            payload: &event.payload,
            sealed: personal.as_deref(),
        });
        (personal, checksum)
    };
    in_parallel(rows, SEAL_IN_PARALLEL_FROM, seal)
}

/// `work` done for each of `items`, in order: split over the cores (at most
/// four) when there are `from` items or more, else on this thread.
fn in_parallel<T: Sync, R: Send>(
    items: &[T],
    from: usize,
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = cores();
    if items.len() < from || threads < 2 {
        return items.iter().map(work).collect();
    }
    let part = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(part)
            .map(|items| scope.spawn(move || items.iter().map(work).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|part| {
                part.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// The cores `in_parallel` splits over (at most four), asked once: the
/// standard library reads the cgroup's files on every call, which was a
/// quarter of the writer's time when each request asked.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(4)))
}

/// Whether SQLite failed because the storage would not grow.
fn is_disk_full(error: &rusqlite::Error) -> bool {
    error.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
}
