//! The running registry behind the API: the log, the read models kept live by
//! one projector, the command path, and the audit trail of personal-data reads.
//!
//! Everything a resolver needs hangs off [`App`], which is cheap to clone.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use eventlog::{Appended, Coordination, EventLog};
use projections::access::Access;
use projections::archive::Archive;
use projections::audit::AuditTrail;
use projections::registry::Registry;
use projections::runtime::{Projection, Projector};
use projections::statistics::Statistics;
use prometheus_client::metrics::histogram::Histogram;
use tokio::sync::watch;

use crate::audit::ReadRecorder;
use crate::commands::Commands;
use crate::error::ApiError;
use crate::facts::RegistryFacts;
use crate::rate_limit::SubmissionLimit;
use crate::timed_log::TimedLog;

/// How long a mutation waits for the read models to reach its own events
/// before answering: far above the usual milliseconds, short of a client timeout.
pub const READ_YOUR_WRITES_TIMEOUT: Duration = Duration::from_secs(10);

/// The registry's calendar: the server's local date, read when needed.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// The live registry: log, read models, command path.
#[derive(Clone)]
pub struct App {
    /// The event log (its appends timed).
    pub log: Arc<dyn EventLog>,
    /// The same log, as the processes sharing it coordinate by.
    pub nodes: Arc<dyn Coordination>,
    /// The union as it stands now.
    pub registry: Arc<Registry>,
    /// The membership history.
    pub archive: Arc<Archive>,
    /// Figures on any date.
    pub statistics: Arc<Statistics>,
    /// Token holders.
    pub access: Arc<Access>,
    /// Who read whose personal data.
    pub audit: Arc<AuditTrail>,
    /// The command path.
    pub commands: Commands,
    /// Records personal-data reads before their answer leaves.
    pub reads: ReadRecorder,
    /// The per-address limit on public application submissions; replace it
    /// to configure another pace.
    pub submissions: SubmissionLimit,
    /// How long each append took the log, commands' and the audit trail's
    /// alike (`/metrics` exposes it).
    pub append_latency: Histogram,
    projector: Arc<Projector>,
    checkpoint: watch::Receiver<u64>,
}

impl App {
    /// Starts the read models on `log`: they fold the log from position 0 in a
    /// background task and then follow it live. Returns at once; see
    /// [`App::lag`] and [`App::caught_up`] for how far they are.
    pub fn start(nodes: Arc<dyn Coordination>) -> App {
        let timed = TimedLog::new(nodes.clone());
        let append_latency = timed.appends();
        let log: Arc<dyn EventLog> = Arc::new(timed);
        let registry = Arc::new(Registry::new());
        let archive = Arc::new(Archive::new());
        let statistics = Arc::new(Statistics::new());
        let access = Arc::new(Access::new());
        let audit = Arc::new(AuditTrail::new());
        let projections: Vec<Arc<dyn Projection>> = vec![
            registry.clone(),
            archive.clone(),
            statistics.clone(),
            access.clone(),
            audit.clone(),
        ];
        let projector = Arc::new(Projector::new(Arc::clone(&log), projections, 0));
        let checkpoint = projector.checkpoint();
        let running = Arc::clone(&projector);
        tokio::spawn(async move {
            if let Err(error) = running.run().await {
                tracing::error!(%error, "the projector stopped");
            }
        });
        let facts = Arc::new(RegistryFacts::new(Arc::clone(&registry), today));
        App {
            commands: Commands::new(Arc::clone(&log), Arc::clone(&nodes), facts)
                .with_applied(checkpoint.clone()),
            reads: ReadRecorder::start(Arc::clone(&log)),
            submissions: SubmissionLimit::default(),
            append_latency,
            log,
            nodes,
            registry,
            archive,
            statistics,
            access,
            audit,
            projector,
            checkpoint,
        }
    }

    /// The position every read model has applied up to.
    pub fn checkpoint(&self) -> u64 {
        *self.checkpoint.borrow()
    }

    /// Events the read models have applied since this node started.
    pub fn applied(&self) -> u64 {
        self.projector.applied()
    }

    /// Events committed to the log and not yet applied by every read model.
    pub fn lag(&self) -> u64 {
        self.projector.lag()
    }

    /// Waits until the read models have applied position `position`.
    ///
    /// # Errors
    /// [`ApiError::Internal`] when they do not within `timeout` (or stopped).
    pub async fn caught_up(&self, position: u64, timeout: Duration) -> Result<(), ApiError> {
        let mut checkpoint = self.checkpoint.clone();
        let reached = tokio::time::timeout(timeout, checkpoint.wait_for(|&at| at >= position));
        match reached.await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err(ApiError::Internal("the read models stopped".into())),
            Err(_) => Err(ApiError::Internal(format!(
                "committed at position {position}, but the read models have not reached it yet"
            ))),
        }
    }

    /// Waits until the read models include the effect of `appended`, so the
    /// answer of a mutation shows it (read-your-writes).
    ///
    /// # Errors
    /// As [`App::caught_up`].
    pub async fn include(&self, appended: &Appended) -> Result<(), ApiError> {
        self.caught_up(appended.last_position, READ_YOUR_WRITES_TIMEOUT)
            .await
    }

    /// Where other processes write to the log too (API nodes sharing one
    /// PostgreSQL database), waits until the read models include everything
    /// committed anywhere before this call: a command then decides, and an
    /// unknown token or id is judged, on what the client may already have
    /// been told by another node. Alone on its log, this node's own answers
    /// waited for their effects already (read-your-writes), so it returns at once.
    ///
    /// # Errors
    /// [`ApiError::Internal`] when the log cannot be read or the read models
    /// do not catch up within [`READ_YOUR_WRITES_TIMEOUT`].
    pub async fn sync(&self) -> Result<(), ApiError> {
        if !self.nodes.shared() {
            return Ok(());
        }
        let head = self
            .nodes
            .committed_head()
            .await
            .map_err(|error| ApiError::Internal(error.to_string()))?;
        self.caught_up(head, READ_YOUR_WRITES_TIMEOUT).await
    }

    /// The projections' digests by name (equal for a live and a rebuilt set).
    pub fn digests(&self) -> Vec<(&'static str, u64)> {
        self.projector.digests()
    }

    /// Stops: records the reads still queued, then closes the log (appends in
    /// flight finish first; nothing acknowledged is lost).
    ///
    /// # Errors
    /// The log failed while closing.
    pub async fn shutdown(&self) -> Result<(), eventlog::Error> {
        self.reads.flush().await;
        self.log.shutdown().await
    }
}
