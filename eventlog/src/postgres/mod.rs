//! The shared backend: one PostgreSQL database, any number of processes.
//!
//! Each process runs one writer task that group-commits its queued appends
//! (`writer`), a pool of reading connections (`reader`), a task that NOTIFYs
//! the heads it commits, and two that keep [`EventLog::head`] moving on other
//! processes' commits (`head`: LISTEN/NOTIFY plus polling).
//!
//! **Positions, gap-free in commit order across processes.** Every writing
//! transaction starts by taking one transaction-scoped advisory lock
//! (`pg_advisory_xact_lock`, see `sql::BEGIN_AND_LOCK`) and only then reads the
//! head and assigns positions. PostgreSQL releases that lock after the commit
//! is visible, so the next holder, in whatever process, reads the new head:
//! positions are handed out in the order transactions commit, and no reader can
//! see position P + 1 before P. A process killed inside its transaction loses
//! the connection, which rolls back and releases the lock. The price is that
//! commits of different processes do not overlap; within a process, group
//! commit amortises the lock, the round trips and the WAL flush over every
//! queued append.
//!
//! **Same semantics as SQLite.** Requests are staged in memory against facts
//! read under the lock (`stage`), with the same validation (`validate`),
//! idempotency by command id and event ids, vault sealing (`vault`) and
//! erasure in the same transaction; the contract suite checks both backends.
//!
//! **Erasure.** The key's row is deleted in the transaction of the erasure.
//! Unlike SQLite's `secure_delete`, PostgreSQL leaves the dead row's bytes in
//! its page until VACUUM and page reuse overwrite them, and in WAL segments
//! until they are recycled; backups and WAL archives keep them as long as they
//! are kept.

mod ahead;
mod copy;
mod facts;
mod files;
mod head;
mod reader;
mod rows;
mod sql;
mod stage;
mod turns;
mod values;

pub use files::PostgresFiles;
mod writer;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sqlx::migrate::{MigrateDatabase, Migrator};
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use sqlx::{PgPool, Postgres};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;

use crate::bulk::BulkLog;
use crate::coordination::Coordination;
use crate::envelope::{AppendRequest, Appended, StoredEvent};
use crate::error::Error;
use crate::log::EventLog;
use crate::postgres::ahead::ReadAhead;
use crate::postgres::writer::{Job, Work, Writer};
use crate::raw::{Erasure, RawBatch};
use crate::turn::Turn;

pub use crate::postgres::head::POLL_INTERVAL;

/// Appends that may wait for the writer before `append` itself waits: enough for
/// thousands of concurrent clients, and a bound on memory under overload.
const QUEUE_DEPTH: usize = 16_384;

/// Reading connections per process: reads are short, and the machine's cores,
/// not connections, bound how many run at once.
const MAX_READERS: u32 = 4;

/// The schema, applied at open under sqlx's own advisory lock, so several
/// processes opening a new database at once migrate it once.
static MIGRATOR: Migrator = sqlx::migrate!("migrations/postgres");

/// The event log in a PostgreSQL database.
pub struct PostgresLog {
    /// Queue to the writer task; `None` once shut down.
    jobs: Mutex<Option<mpsc::Sender<Work>>>,
    /// The writer task and the notifying task after it, awaited on shutdown.
    writer: Mutex<Option<(JoinHandle<()>, JoinHandle<()>)>>,
    /// The listening and polling tasks, aborted on shutdown or drop.
    followers: Vec<JoinHandle<()>>,
    head: watch::Receiver<u64>,
    /// Moves the head up when a read finds it behind (see `committed_head`).
    head_tx: Arc<watch::Sender<u64>>,
    readers: PgPool,
    /// Connections holding turns (see `turns`), opened when first needed.
    turns: PgPool,
    /// The batch after the last full one read, being fetched already.
    read_ahead: ReadAhead,
}

impl PostgresLog {
    /// Opens the log in the database `url` names (`postgres://user@host/db`),
    /// creating or migrating its tables as needed.
    ///
    /// # Errors
    /// A malformed URL, an unreachable server or missing database, migration
    /// failures.
    pub async fn open(url: &str) -> Result<PostgresLog, Error> {
        let options: PgConnectOptions = url.parse()?;
        // Durability is not left to the server's default: an acknowledged append
        // has been flushed to the WAL. And every statement of the log is an index
        // lookup or an index range, but sqlx prepares them, and PostgreSQL keeps
        // a prepared statement's generic plan until the table is analyzed: a plan
        // made while the log was empty would scan the whole table for ever where
        // autovacuum is off (measured: each group commit slower by 0.3 ms per
        // 1,000 events in the log). Without sequential scans every plan uses the
        // indexes, whatever the statistics say.
        let options = options
            .application_name("reestr")
            .options([("synchronous_commit", "on"), ("enable_seqscan", "off")]);
        let writer_pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&writer_pool).await?;
        let readers = PgPoolOptions::new()
            .max_connections(MAX_READERS)
            .connect_with(options.clone())
            .await?;
        let turns = PgPoolOptions::new()
            .max_connections(turns::MAX_TURNS)
            .connect_lazy_with(options.clone());
        let listener_pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        let mut listener = PgListener::connect_with(&listener_pool).await?;
        listener.ignore_pool_close_event(true);
        // Listening before reading the head: no commit falls between the two.
        listener.listen(sql::HEAD_CHANNEL).await?;
        let head: i64 = sqlx::query_scalar(sql::HEAD).fetch_one(&readers).await?;

        let (head_tx, head_rx) = watch::channel(head as u64);
        let head_tx = Arc::new(head_tx);
        let followers = vec![
            tokio::spawn(head::listen(
                listener,
                readers.clone(),
                Arc::clone(&head_tx),
            )),
            tokio::spawn(head::poll(readers.clone(), Arc::clone(&head_tx))),
        ];
        let (committed_tx, committed_rx) = watch::channel(head as u64);
        let notifier = tokio::spawn(head::notify(readers.clone(), committed_rx));
        let (jobs_tx, jobs_rx) = mpsc::channel(QUEUE_DEPTH);
        let writer =
            tokio::spawn(Writer::new(writer_pool, Arc::clone(&head_tx), committed_tx).run(jobs_rx));
        Ok(PostgresLog {
            jobs: Mutex::new(Some(jobs_tx)),
            writer: Mutex::new(Some((writer, notifier))),
            followers,
            head: head_rx,
            head_tx,
            readers,
            turns,
            read_ahead: ReadAhead::default(),
        })
    }

    /// Creates the database `url` names unless it exists (for tools and tests);
    /// returns whether it did. The tables are made by [`PostgresLog::open`].
    ///
    /// # Errors
    /// A malformed URL, an unreachable server, missing rights.
    pub async fn create_database(url: &str) -> Result<bool, Error> {
        if Postgres::database_exists(url).await? {
            return Ok(false);
        }
        Postgres::create_database(url).await?;
        Ok(true)
    }

    /// Drops the database `url` names, if it exists, closing every connection to
    /// it first (for tests and tools: a log is never dropped by the registry).
    ///
    /// # Errors
    /// A malformed URL, an unreachable server, missing rights.
    pub async fn drop_database(url: &str) -> Result<(), Error> {
        Postgres::force_drop_database(url).await?;
        Ok(())
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

    fn stop_following(&self) {
        for follower in &self.followers {
            follower.abort();
        }
        self.read_ahead.stop();
    }
}

impl Drop for PostgresLog {
    /// The background tasks hold the head's sender: without them a dropped log's
    /// subscribers end instead of waiting for ever.
    fn drop(&mut self) {
        self.stop_following();
    }
}

#[async_trait]
impl EventLog for PostgresLog {
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
        reader::read_stream(&self.readers, stream, after_version).await
    }

    /// A catch-up's batch is read as a binary COPY (`copy`), and after a full
    /// one the next ones are fetched at once (`ahead`).
    async fn read_batch(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, Error> {
        let batch = match self.read_ahead.take(&self.readers, after, limit).await {
            Some(batch) => batch,
            None => {
                let head = *self.head.borrow();
                reader::read_batch(&self.readers, after, limit, head).await?
            }
        };
        let head = *self.head.borrow();
        self.read_ahead.start(&self.readers, &batch, limit, head);
        Ok(batch)
    }

    async fn read_positions(&self, positions: &[u64]) -> Result<Vec<StoredEvent>, Error> {
        reader::read_positions(&self.readers, positions).await
    }

    async fn find_command(&self, command_id: uuid::Uuid) -> Result<Option<Appended>, Error> {
        reader::find_command(&self.readers, command_id).await
    }

    fn head(&self) -> watch::Receiver<u64> {
        self.head.clone()
    }

    async fn shutdown(&self) -> Result<(), Error> {
        // Dropping the last sender lets the writer drain its queue and stop.
        drop(self.jobs.lock().ok().and_then(|mut jobs| jobs.take()));
        let writer = self.writer.lock().ok().and_then(|mut writer| writer.take());
        if let Some((writer, notifier)) = writer {
            writer.await.map_err(|_| Error::Closed)?;
            // The writer is gone, so the notifier sends the last head and ends.
            notifier.await.map_err(|_| Error::Closed)?;
        }
        self.stop_following();
        self.readers.close().await;
        self.turns.close().await;
        Ok(())
    }
}

#[async_trait]
impl BulkLog for PostgresLog {
    /// One transaction per batch, all or nothing; no idempotency lookups.
    async fn import(&self, batch: Vec<AppendRequest>) -> Result<u64, Error> {
        let (reply, outcome) = oneshot::channel();
        self.send(Work::Import(batch, reply)).await?;
        outcome.await.map_err(|_| Error::Closed)?
    }

    async fn export(&self, after: u64, limit: usize) -> Result<RawBatch, Error> {
        reader::export(&self.readers, after, limit).await
    }

    async fn import_raw(&self, batch: RawBatch) -> Result<u64, Error> {
        let (reply, outcome) = oneshot::channel();
        self.send(Work::ImportRaw(batch, reply)).await?;
        outcome.await.map_err(|_| Error::Closed)?
    }

    async fn erasures(&self) -> Result<Vec<Erasure>, Error> {
        reader::erasures(&self.readers).await
    }
}

#[async_trait]
impl Coordination for PostgresLog {
    fn files(&self) -> Option<Arc<dyn crate::files::FileStore>> {
        Some(Arc::new(PostgresFiles::new(self.readers.clone())))
    }

    fn shared(&self) -> bool {
        true
    }

    async fn committed_head(&self) -> Result<u64, Error> {
        let head: i64 = sqlx::query_scalar(sql::HEAD)
            .fetch_one(&self.readers)
            .await?;
        writer::advance(&self.head_tx, head as u64);
        Ok(*self.head.borrow())
    }

    async fn turn(&self, topic: &[u8]) -> Result<Turn, Error> {
        let turn = turns::take(&self.turns, topic).await?;
        writer::advance(&self.head_tx, turn.head());
        Ok(turn)
    }
}
