//! Appending decided rows in batches: one append (one transaction, one
//! fsync) per batch of rows, the next batch decided while this one commits.
//! A batch's command id derives from its file and its rows' identities, so a
//! batch whose commit was not acknowledged is stored once however often it
//! is sent again.

use std::sync::Arc;

use eventlog::{AppendRequest, BulkLog, EventLog, StreamAppend};
use foldhash::{HashSet, HashSetExt};
use sha2::{Digest, Sha256};
use tokio::task::JoinHandle;

use crate::error::Error;
use crate::import::rows::derived_id;

/// Events per batch: large enough that a commit's cost is spread over
/// hundreds of members, small enough that deciding the next overlaps it.
pub const BATCH_EVENTS: usize = 20_000;

pub(crate) struct Batcher {
    log: Arc<dyn EventLog>,
    /// The log's bulk path, when this process alone writes it.
    bulk: Option<Arc<dyn BulkLog>>,
    actor: String,
    limit: usize,
    streams: Vec<StreamAppend>,
    /// The streams in `streams`: one append names a stream once.
    names: HashSet<String>,
    keys: Sha256,
    n_events: usize,
    /// The batch committing now: how many events it stores (0: a repeat).
    pending: Option<JoinHandle<Result<u64, eventlog::Error>>>,
    /// Events stored so far (not counting batches found stored already).
    pub written: u64,
    /// Batches sent.
    pub batches: u64,
}

impl Batcher {
    /// Batches of `limit` events (1: every row its own append, waited for).
    pub fn new(
        log: Arc<dyn EventLog>,
        bulk: Option<Arc<dyn BulkLog>>,
        actor: String,
        limit: usize,
    ) -> Batcher {
        Batcher {
            log,
            bulk: bulk.filter(|_| limit > 1),
            actor,
            limit: limit.max(1),
            streams: Vec::new(),
            names: HashSet::new(),
            keys: Sha256::new(),
            n_events: 0,
            pending: None,
            written: 0,
            batches: 0,
        }
    }

    /// Adds one row's appends, identified by `key` (file and row identity).
    ///
    /// # Errors
    /// The previous batch failed.
    pub async fn push(&mut self, key: &str, appends: Vec<StreamAppend>) -> Result<(), Error> {
        // A stream this batch writes already (an organisation registered and
        // then dissolved) goes in the next one, committed after it.
        if appends.iter().any(|a| self.names.contains(&a.stream)) {
            self.flush().await?;
        }
        self.names.extend(appends.iter().map(|a| a.stream.clone()));
        self.keys.update(key.as_bytes());
        self.keys.update(b"\n");
        self.n_events += appends.iter().map(|a| a.events.len()).sum::<usize>();
        self.streams.extend(appends);
        if self.n_events >= self.limit {
            self.flush().await?;
            if self.limit == 1 {
                self.wait().await?;
            }
        }
        Ok(())
    }

    async fn wait(&mut self) -> Result<(), Error> {
        if let Some(pending) = self.pending.take() {
            self.written += pending
                .await
                .map_err(|e| Error::internal(format!("the import's append stopped: {e}")))??;
        }
        Ok(())
    }

    async fn flush(&mut self) -> Result<(), Error> {
        if self.streams.is_empty() {
            return Ok(());
        }
        let keys = std::mem::replace(&mut self.keys, Sha256::new()).finalize();
        let id = derived_id("batch", &hex::encode(keys));
        let request = AppendRequest {
            streams: std::mem::take(&mut self.streams),
            command_id: Some(id),
            actor: self.actor.clone(),
            correlation_id: Some(id),
            causation_id: None,
            erase_personal_data_of: Vec::new(),
        };
        self.n_events = 0;
        self.names.clear();
        self.wait().await?;
        let n_events: u64 = request.streams.iter().map(|s| s.events.len() as u64).sum();
        self.pending = Some(match &self.bulk {
            // No idempotency lookup: a row already stored is skipped before
            // it reaches a batch, so no batch is ever sent twice.
            Some(bulk) => {
                let bulk = Arc::clone(bulk);
                tokio::spawn(async move { bulk.import(vec![request]).await.map(|_| n_events) })
            }
            None => {
                let log = Arc::clone(&self.log);
                tokio::spawn(async move {
                    let appended = log.append(request).await?;
                    Ok(if appended.duplicate { 0 } else { n_events })
                })
            }
        });
        self.batches += 1;
        Ok(())
    }

    /// Sends the last batch and waits until every batch is durable.
    ///
    /// # Errors
    /// A batch failed.
    pub async fn finish(&mut self) -> Result<(), Error> {
        self.flush().await?;
        self.wait().await?;
        if let Some(bulk) = &self.bulk {
            bulk.finish_import().await?;
        }
        Ok(())
    }
}
