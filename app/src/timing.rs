//! Appends timed where they happen: the time from handing an append to the log
//! to its durable acknowledgement (group commit included), apart from the time
//! a command spends deciding. Commands and the read audit append through one
//! [`Appender`], so `/metrics` sees every append of the node.

use std::sync::Arc;
use std::time::Instant;

use eventlog::{AppendRequest, Appended, EventLog};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};

/// The log's `append`, each one's latency observed, in seconds, in a histogram.
/// Clones share the histogram.
#[derive(Clone)]
pub struct Appender {
    log: Arc<dyn EventLog>,
    latency: Histogram,
}

impl Appender {
    /// Appends to `log`, timing each append.
    pub fn new(log: Arc<dyn EventLog>) -> Appender {
        Appender {
            log,
            // 100 µs (a group commit on a quiet PostgreSQL) to 3.3 s.
            latency: Histogram::new(exponential_buckets(0.0001, 2.0, 16)),
        }
    }

    /// Appends `request` (see [`EventLog::append`]).
    ///
    /// # Errors
    /// As [`EventLog::append`].
    pub async fn append(&self, request: AppendRequest) -> Result<Appended, eventlog::Error> {
        let started = Instant::now();
        let appended = self.log.append(request).await;
        self.latency.observe(started.elapsed().as_secs_f64());
        appended
    }

    /// The append latencies so far (a handle to the same histogram).
    pub fn latency(&self) -> Histogram {
        self.latency.clone()
    }
}
