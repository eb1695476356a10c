//! The log as the API uses it, timing every append where it happens: the
//! time from handing an append to the log to its durable acknowledgement
//! (group commit included), apart from the time a command spends deciding.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use eventlog::{AppendRequest, Appended, Error, EventLog, StoredEvent};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use tokio::sync::watch;

/// An [`EventLog`] that observes each `append`'s latency, in seconds, in a
/// histogram; everything else passes straight through.
pub struct TimedLog {
    log: Arc<dyn EventLog>,
    appends: Histogram,
}

impl TimedLog {
    /// Wraps `log`; the histogram is shared with whoever registers it.
    pub fn new(log: Arc<dyn EventLog>) -> TimedLog {
        TimedLog {
            log,
            // 100 µs (a group commit on a quiet PostgreSQL) to 3.3 s.
            appends: Histogram::new(exponential_buckets(0.0001, 2.0, 16)),
        }
    }

    /// The append latencies (a handle to the same histogram).
    pub fn appends(&self) -> Histogram {
        self.appends.clone()
    }
}

#[async_trait]
impl EventLog for TimedLog {
    async fn append(&self, request: AppendRequest) -> Result<Appended, Error> {
        let started = Instant::now();
        let appended = self.log.append(request).await;
        self.appends.observe(started.elapsed().as_secs_f64());
        appended
    }

    async fn read_stream(
        &self,
        stream: &str,
        after_version: u64,
    ) -> Result<Vec<StoredEvent>, Error> {
        self.log.read_stream(stream, after_version).await
    }

    async fn read_batch(&self, after: u64, limit: usize) -> Result<Vec<StoredEvent>, Error> {
        self.log.read_batch(after, limit).await
    }

    async fn find_command(&self, command_id: uuid::Uuid) -> Result<Option<Appended>, Error> {
        self.log.find_command(command_id).await
    }

    fn head(&self) -> watch::Receiver<u64> {
        self.log.head()
    }

    async fn shutdown(&self) -> Result<(), Error> {
        self.log.shutdown().await
    }
}
