//! Reading the next batch before it is asked for.
//!
//! A catch-up reads batch after batch, so after a full batch the next one is
//! fetched at once, while the caller works on this one (measured: see
//! BENCHMARKS.md, "PostgreSQL"). Only a full batch read ahead is used: it holds
//! exactly the positions after + 1 ..= after + limit (committed in order, never
//! changed), whereas a short one may predate commits the caller was woken for.
//!
//! What a batch read ahead can get wrong is personal data whose key was erased
//! after the batch was read and before it is asked for. So the batch keeps the
//! server's snapshot from before its read: if the snapshot is the same when the
//! batch is taken, no transaction has started or ended since, and the batch is
//! what a read now would give; otherwise the streams whose data it opened are
//! looked up in the vault again, and those without a key now read as erased
//! (a key, once erased, never comes back).

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::sync::Mutex;

use sqlx::PgPool;
use tokio::task::JoinHandle;

use crate::envelope::{Personal, StoredEvent};
use crate::error::Error;
use crate::postgres::{reader, sql};

/// Smaller batches are not read ahead: pages of the API and single events are
/// read for themselves (and the next call rarely asks for the batch after),
/// a catch-up reads `log::READ_BATCH`.
const MIN_LIMIT: usize = 1024;

/// How many batches are read ahead once a reader has taken one: with two
/// COPYs in flight the server streams one while the client decodes the other
/// (measured: see BENCHMARKS.md, "PostgreSQL"; a third added little and holds
/// a third of the pool's connections). A reader that has not taken one yet (a
/// page, a scan that may stop) gets one: more could be wasted.
const DEPTH: usize = 2;

/// The batches after the last full one read, being fetched already.
#[derive(Default)]
pub(crate) struct ReadAhead {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// In position order, each the full batch after the one before.
    queue: VecDeque<Pending>,
    /// Whether the last read was one read ahead.
    sequential: bool,
}

struct Pending {
    after: u64,
    limit: usize,
    task: JoinHandle<Result<Fetched, Error>>,
}

struct Fetched {
    /// `pg_current_snapshot()` before the batch was read.
    snapshot: String,
    events: Vec<StoredEvent>,
}

impl ReadAhead {
    /// The batch read ahead for exactly `(after, limit)`, if it came back full,
    /// with personal data as it reads now.
    pub(crate) async fn take(
        &self,
        readers: &PgPool,
        after: u64,
        limit: usize,
    ) -> Option<Vec<StoredEvent>> {
        let pending = {
            let mut state = self.state.lock().ok()?;
            let front = state.queue.pop_front();
            state.sequential = front
                .as_ref()
                .is_some_and(|front| (front.after, front.limit) == (after, limit));
            if !state.sequential {
                // Left to finish, not aborted: a COPY cut short costs its connection.
                state.queue.clear();
                return None;
            }
            front?
        };
        match pending.task.await {
            Ok(Ok(fetched)) if fetched.events.len() == limit => fetched.current(readers).await.ok(),
            _ => None,
        }
    }

    /// Starts reading the batches after `batch` if it was a full one; `head` is
    /// the last position known to be committed.
    pub(crate) fn start(&self, readers: &PgPool, batch: &[StoredEvent], limit: usize, head: u64) {
        if limit < MIN_LIMIT {
            return;
        }
        let Some(last) = batch.last().filter(|_| batch.len() == limit) else {
            return;
        };
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let depth = if state.sequential { DEPTH } else { 1 };
        let queue = &mut state.queue;
        if queue
            .front()
            .is_some_and(|front| (front.after, front.limit) != (last.position, limit))
        {
            queue.clear();
        }
        while queue.len() < depth {
            // Positions are gap-free: a full batch after `a` ends at `a + limit`.
            let after = queue.back().map_or(last.position, |back| {
                back.after.saturating_add(limit as u64)
            });
            // The next batch is read ahead whatever the head says (as a short
            // one it is simply not used); one further only if it is committed.
            if !queue.is_empty() && after.saturating_add(limit as u64) > head {
                break;
            }
            let readers = readers.clone();
            let task = tokio::spawn(async move {
                let snapshot = sqlx::query_scalar(sql::SNAPSHOT)
                    .fetch_one(&readers)
                    .await?;
                let events = reader::read_batch(&readers, after, limit, head).await?;
                Ok(Fetched { snapshot, events })
            });
            queue.push_back(Pending { after, limit, task });
        }
    }

    /// Stops the batches being read ahead (the log is closing).
    pub(crate) fn stop(&self) {
        if let Ok(mut state) = self.state.lock() {
            for pending in state.queue.drain(..) {
                pending.task.abort();
            }
        }
    }
}

impl Fetched {
    /// The events, their personal data checked against erasures since the read.
    async fn current(mut self, readers: &PgPool) -> Result<Vec<StoredEvent>, Error> {
        let opened = |e: &StoredEvent| matches!(e.personal, Personal::Plain(_));
        if !self.events.iter().any(opened) {
            return Ok(self.events);
        }
        let snapshot: String = sqlx::query_scalar(sql::SNAPSHOT).fetch_one(readers).await?;
        if snapshot == self.snapshot {
            return Ok(self.events);
        }
        let streams: Vec<&str> = self
            .events
            .iter()
            .filter(|e| opened(e))
            .map(|e| e.stream.as_str())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let keyed: Vec<String> = sqlx::query_scalar(sql::KEYED_STREAMS)
            .bind(&streams)
            .fetch_all(readers)
            .await?;
        let keyed: HashSet<&str> = keyed.iter().map(String::as_str).collect();
        for event in &mut self.events {
            if opened(event) && !keyed.contains(event.stream.as_str()) {
                event.personal = Personal::Erased;
            }
        }
        Ok(self.events)
    }
}
