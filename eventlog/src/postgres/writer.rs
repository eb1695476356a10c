//! The one writer task of a process: group commit.
//!
//! Appends queue on a channel; the writer takes every request waiting and, in
//! one transaction: takes the append lock (shared by every process on the
//! database), reads the facts the batch needs, stages each request in memory
//! (`stage`), writes all rows in one statement (`rows`), and commits. Each
//! append is answered only after COMMIT returned, so it is durable
//! (`synchronous_commit = on`); then the new head goes to `head::notify`. Four
//! round trips per batch, however many appends it holds.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};
use tokio::sync::{mpsc, oneshot, watch};

use crate::envelope::{AppendRequest, Appended};
use crate::error::Error;
use crate::postgres::facts::{Lookups, fetch_facts, versions_in_range};
use crate::postgres::rows::Rows;
use crate::postgres::sql;
use crate::postgres::stage::{Outcome, Staged, merge_versions};
use crate::raw::RawBatch;
use crate::validate::validate;

/// Most requests one transaction takes: bounds the latency of the first of them.
const MAX_BATCH: usize = 4096;

/// Times the writer yields to let answered clients queue their next append
/// before it starts a batch (a few microseconds each).
const MAX_YIELDS: usize = 4;

/// What the writer task is asked to do.
pub(crate) enum Work {
    /// A normal append (group-committed with its neighbours).
    Append(Job),
    /// A bulk import: one transaction, all or nothing.
    Import(Vec<AppendRequest>, oneshot::Sender<Result<u64, Error>>),
    /// A verbatim import of another log's batch.
    ImportRaw(RawBatch, oneshot::Sender<Result<u64, Error>>),
}

/// An append waiting for the writer, with where to send its outcome.
pub(crate) struct Job {
    pub request: AppendRequest,
    pub reply: oneshot::Sender<Result<Appended, Error>>,
}

pub(crate) struct Writer {
    /// A pool of one connection: reconnects after a lost connection.
    pool: PgPool,
    /// The log's head as this process sees it (also moved by other processes'
    /// commits).
    head: Arc<watch::Sender<u64>>,
    /// The last head this writer committed, for `head::notify`.
    committed: watch::Sender<u64>,
}

impl Writer {
    pub(crate) fn new(
        pool: PgPool,
        head: Arc<watch::Sender<u64>>,
        committed: watch::Sender<u64>,
    ) -> Writer {
        Writer {
            pool,
            head,
            committed,
        }
    }

    /// Runs until every sender is gone, answering each queued append first.
    pub(crate) async fn run(self, mut jobs: mpsc::Receiver<Work>) {
        let mut next = None;
        let mut last_batch = 0;
        loop {
            let work = match next.take() {
                Some(work) => work,
                None => match jobs.recv().await {
                    Some(work) => work,
                    None => break,
                },
            };
            match work {
                Work::Append(first) => {
                    // The clients answered by the last commit are still sending
                    // their next appends: let them, so the batches stay as large
                    // as the number of clients instead of alternating between
                    // one append and all the others.
                    for _ in 0..MAX_YIELDS {
                        if jobs.len() + 1 >= last_batch {
                            break;
                        }
                        tokio::task::yield_now().await;
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
                    last_batch = batch.len();
                    self.commit_batch(batch).await;
                }
                Work::Import(batch, reply) => {
                    let _ = reply.send(self.import(batch).await);
                }
                Work::ImportRaw(batch, reply) => {
                    let _ = reply.send(self.import_raw(batch).await);
                }
            }
        }
        self.pool.close().await;
    }

    async fn commit_batch(&self, batch: Vec<Job>) {
        match self.try_commit_batch(&batch).await {
            Ok(results) => {
                for (job, result) in batch.into_iter().zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(error) => {
                tracing::error!(%error, "append batch failed; nothing of it was written");
                let message = error.to_string();
                for job in batch {
                    let error = Error::CommitFailed {
                        message: message.clone(),
                    };
                    let _ = job.reply.send(Err(error));
                }
            }
        }
    }

    async fn try_commit_batch(&self, batch: &[Job]) -> Result<Vec<Result<Appended, Error>>, Error> {
        let now = now();
        let started = std::time::Instant::now();
        let mut tx = self.pool.begin_with(sql::BEGIN_AND_LOCK).await?;
        let locked = started.elapsed();
        let requests: Vec<&AppendRequest> = batch.iter().map(|job| &job.request).collect();
        let facts = fetch_facts(&mut tx, &requests, Lookups::All).await?;
        let fetched = started.elapsed();
        let mut staged = Staged::new(facts, now);
        let outcomes: Vec<Outcome> = requests.iter().map(|r| staged.append(r)).collect();
        let mut results = Vec::with_capacity(outcomes.len());
        for outcome in outcomes {
            results.push(match outcome {
                Outcome::Done(result) => result,
                Outcome::Repeat { first, last } => {
                    let stored = if first <= staged.stored_head() {
                        versions_in_range(&mut tx, first, last.min(staged.stored_head())).await?
                    } else {
                        Vec::new()
                    };
                    Ok(Appended {
                        first_position: first,
                        last_position: last,
                        stream_versions: merge_versions(
                            stored,
                            staged.staged_versions_in_range(first, last),
                        ),
                        duplicate: true,
                    })
                }
            });
        }
        let head = staged.head();
        staged.into_rows().write(&mut tx).await?;
        let written = started.elapsed();
        tx.commit().await?;
        self.publish(head);
        tracing::trace!(
            appends = batch.len(),
            ?locked,
            ?fetched,
            ?written,
            committed = ?started.elapsed(),
            "group commit"
        );
        Ok(results)
    }

    /// One transaction for the whole batch; the first refused request fails it.
    async fn import(&self, batch: Vec<AppendRequest>) -> Result<u64, Error> {
        if batch.is_empty() {
            return Ok(*self.head.borrow());
        }
        let now = now();
        let mut tx = self.pool.begin_with(sql::BEGIN_AND_LOCK).await?;
        let requests: Vec<&AppendRequest> = batch.iter().collect();
        let facts = fetch_facts(&mut tx, &requests, Lookups::VersionsAndKeys).await?;
        let mut staged = Staged::new(facts, now);
        for request in &batch {
            validate(request)?;
            staged.write(request)?;
        }
        let head = staged.head();
        staged.into_rows().write(&mut tx).await?;
        tx.commit().await?;
        self.publish(head);
        Ok(head)
    }

    async fn import_raw(&self, batch: RawBatch) -> Result<u64, Error> {
        let mut tx = self.pool.begin_with(sql::BEGIN_AND_LOCK).await?;
        let streams: Vec<String> = batch
            .events
            .iter()
            .map(|e| e.stream.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let key_streams: Vec<String> = batch.keys.iter().map(|k| k.stream.clone()).collect();
        let rows = sqlx::query(sql::RAW_FACTS)
            .bind(streams)
            .bind(key_streams)
            .fetch_all(&mut *tx)
            .await?;
        let mut head = 0;
        let mut versions: HashMap<String, u64> = HashMap::new();
        let mut erased: HashSet<String> = batch.erasures.iter().map(|e| e.stream.clone()).collect();
        for row in rows {
            match row.try_get::<i32, _>(0)? {
                0 => head = row.try_get::<i64, _>(2)? as u64,
                1 => {
                    versions.insert(row.try_get(1)?, row.try_get::<i64, _>(2)? as u64);
                }
                _ => {
                    erased.insert(row.try_get(1)?);
                }
            }
        }
        batch.check_continues(head)?;
        let mut out = Rows::default();
        for event in batch.events {
            let version = versions.entry(event.stream.clone()).or_insert(0);
            if event.version != *version + 1 {
                return Err(Error::InvalidAppend(
                    "a raw event's version does not continue its stream",
                ));
            }
            *version = event.version;
            head = event.position;
            out.push_raw(event);
        }
        for command in batch.commands {
            out.push_command(
                command.command_id,
                command.first_position,
                command.last_position,
            );
        }
        for key in batch.keys {
            if !erased.contains(&key.stream) {
                out.push_key(key.stream, key.key);
            }
        }
        for erasure in &batch.erasures {
            out.push_erasure(&erasure.stream, erasure.erased_at);
        }
        out.write(&mut tx).await?;
        tx.commit().await?;
        self.publish(head);
        Ok(head)
    }

    fn publish(&self, head: u64) {
        advance(&self.head, head);
        advance(&self.committed, head);
    }
}

/// Moves the head watch forward to `position` (never back: the writer, the
/// listener and the poller all report heads, in any order).
pub(crate) fn advance(head: &watch::Sender<u64>, position: u64) {
    head.send_if_modified(|current| {
        if position > *current {
            *current = position;
            true
        } else {
            false
        }
    });
}

/// `recorded_at` for a batch: now, to the microsecond PostgreSQL keeps.
fn now() -> DateTime<Utc> {
    let now = Utc::now();
    DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}
