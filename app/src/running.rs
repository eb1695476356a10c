//! [`App`]: the running registry behind every front door: the log, the read
//! models kept live by one projector, the command path, and the recorder of
//! personal-data reads.
//!
//! "Wait until the read models include position P" has one name here,
//! [`App::reach`] ([`Checkpoint::reach`] underneath); [`App::reach_committed`]
//! is the same wait for everything committed anywhere, on a log other nodes
//! write too.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use eventlog::{Coordination, EventLog, FileStore, MemoryFiles};
use projections::access::Access;
use projections::archive::Archive;
use projections::audit::AuditTrail;
use projections::consultations::Consultations;
use projections::library::Library;
use projections::meetings::Meetings;
use projections::outbox::Outbox;
use projections::registry::Registry;
use projections::runtime::{Projection, Projector};
use projections::snapshot::SnapshotStore;
use projections::statistics::Statistics;
use prometheus_client::metrics::histogram::Histogram;
use serde::Serialize;
use tokio::sync::watch;
use uuid::Uuid;

use crate::audit::{PersonalReads, ReadRecorder};
use crate::commands::{Commands, Issued};
use crate::error::Error;
use crate::facts::RegistryFacts;
use crate::guard::Viewer;
use crate::rate_limit::{ClientAddr, SubmissionLimit};
use crate::request_limits::{RequestLimitConfig, RequestLimits, RequestPermit};
use crate::snils_lookups::SnilsLookupLimit;
use crate::timing::Appender;
use crate::{idempotency, input};

/// How long an answer waits for the read models to reach its own events
/// before giving up: far above the usual milliseconds, short of a client timeout.
pub const READ_YOUR_WRITES_TIMEOUT: Duration = Duration::from_secs(10);

/// The registry's calendar: the server's local date, read when needed.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// How far the read models have folded the log. Clones watch the same projector.
#[derive(Clone)]
pub struct Checkpoint(watch::Receiver<u64>);

impl Checkpoint {
    /// The position every read model has applied up to.
    pub fn position(&self) -> u64 {
        *self.0.borrow()
    }

    /// Waits until the read models include position `position` (at most
    /// [`READ_YOUR_WRITES_TIMEOUT`]).
    ///
    /// # Errors
    /// [`Error::Internal`] when they do not in time, or stopped.
    pub async fn reach(&self, position: u64) -> Result<(), Error> {
        let mut checkpoint = self.0.clone();
        let reached = tokio::time::timeout(
            READ_YOUR_WRITES_TIMEOUT,
            checkpoint.wait_for(|&at| at >= position),
        );
        match reached.await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(_)) => Err(Error::internal("the read models stopped")),
            Err(_) => Err(Error::Internal(format!(
                "committed at position {position}, but the read models have not reached it yet"
            ))),
        }
    }
}

/// The read models one projector keeps live.
pub(crate) struct ReadModels {
    pub registry: Arc<Registry>,
    pub archive: Arc<Archive>,
    pub statistics: Arc<Statistics>,
    pub access: Arc<Access>,
    pub audit: Arc<AuditTrail>,
    pub meetings: Arc<Meetings>,
    pub outbox: Arc<Outbox>,
    pub library: Arc<Library>,
    pub consultations: Arc<Consultations>,
}

/// The live registry: log, read models, command path. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub(crate) log: Arc<dyn EventLog>,
    nodes: Arc<dyn Coordination>,
    appender: Appender,
    pub(crate) models: Arc<ReadModels>,
    pub(crate) commands: Commands,
    reads: ReadRecorder,
    pub(crate) submissions: SubmissionLimit,
    /// Lookups of SNILS held outside the caller's subtree, per holder.
    pub(crate) snils_lookups: SnilsLookupLimit,
    pub(crate) card_checks: SubmissionLimit,
    /// Every request's, per holder and per address.
    requests: RequestLimits,
    /// The key unsubscribe links are signed with (`mailing::consent`).
    pub(crate) mail_key: Arc<[u8; 32]>,
    /// The cabinet's per-address and per-e-mail limits.
    pub(crate) cabinet_limits: crate::cabinet::CabinetLimits,
    /// How long a cabinet's code signs in.
    pub(crate) cabinet_code_lifetime: chrono::Duration,
    /// The hour the day's digests of new applications go out the next morning.
    pub(crate) digest_hour: u32,
    /// Where an ADMIN's own document templates are kept.
    pub(crate) templates: crate::templates::TemplateStore,
    /// Where the library's files are kept (the log's, else in memory).
    pub(crate) files: Arc<dyn FileStore>,
    projector: Arc<Projector>,
    checkpoint: Checkpoint,
    /// Why the projector stopped, once it has (a corrupt event or key).
    stopped: watch::Receiver<Option<String>>,
}

impl App {
    /// Starts the read models on `log`: they fold the log from position 0 in a
    /// background task and then follow it live. Returns at once; see
    /// [`App::lag`] and [`App::reach`] for how far they are.
    pub fn start(log: Arc<dyn Coordination>) -> App {
        App::started(log, true, None)
    }

    /// [`App::start`] keeping a snapshot of the read models in `snapshots`:
    /// they start from the snapshot there, when it fits, and fold only the
    /// log after it; the projector writes a new one now and then and
    /// [`App::save_snapshot`] at a clean stop.
    pub fn start_with_snapshots(log: Arc<dyn Coordination>, snapshots: SnapshotStore) -> App {
        App::started(log, true, Some(snapshots))
    }

    /// [`App::start`], the read models following the log (`follow`) or
    /// stopping at the head they first reach, from a snapshot in
    /// `snapshots` when one fits.
    fn started(log: Arc<dyn Coordination>, follow: bool, snapshots: Option<SnapshotStore>) -> App {
        let reading: Arc<dyn EventLog> = log.clone();
        let appender = Appender::new(reading.clone());
        let files: Arc<dyn FileStore> = log
            .files()
            .unwrap_or_else(|| Arc::new(MemoryFiles::default()));
        let library = Library::new(files.clone(), tokio::runtime::Handle::current())
            .expect("an empty index in memory is made");
        let models = Arc::new(ReadModels {
            registry: Arc::new(Registry::new()),
            archive: Arc::new(Archive::new()),
            statistics: Arc::new(Statistics::new()),
            access: Arc::new(Access::new()),
            audit: Arc::new(AuditTrail::new()),
            meetings: Arc::new(Meetings::new()),
            outbox: Arc::new(Outbox::new()),
            library: Arc::new(library),
            consultations: Arc::new(Consultations::new()),
        });
        let projections: Vec<Arc<dyn Projection>> = vec![
            models.registry.clone(),
            models.archive.clone(),
            models.statistics.clone(),
            models.access.clone(),
            models.audit.clone(),
            models.meetings.clone(),
            models.outbox.clone(),
            models.library.clone(),
            models.consultations.clone(),
        ];
        let mut projector = Projector::new(reading.clone(), projections, 0);
        if let Some(store) = snapshots {
            projector = projector.with_snapshots(store);
        }
        let projector = Arc::new(projector);
        let checkpoint = Checkpoint(projector.checkpoint());
        let running = Arc::clone(&projector);
        let (reason, stopped) = watch::channel(None);
        tokio::spawn(async move {
            running.restore().await;
            let folded = match follow {
                true => running.run().await,
                false => running.catch_up().await.map(|_| ()),
            };
            match folded {
                Err(error) => {
                    tracing::error!(%error, "the projector stopped");
                    reason.send_replace(Some(error.to_string()));
                }
                // At rest, not stopped: the read models keep answering as
                // folded while anyone watches.
                Ok(()) => reason.closed().await,
            }
        });
        let facts = Arc::new(RegistryFacts::new(Arc::clone(&models.registry), today));
        App {
            commands: Commands::new(log.clone(), appender.clone(), facts)
                .with_checkpoint(checkpoint.clone()),
            reads: ReadRecorder::start(appender.clone()),
            submissions: SubmissionLimit::default(),
            snils_lookups: SnilsLookupLimit::default(),
            card_checks: SubmissionLimit::card_checks(),
            requests: RequestLimits::default(),
            mail_key: Arc::new(rand::random()),
            cabinet_limits: crate::cabinet::CabinetLimits::default(),
            cabinet_code_lifetime: domain::mailing::cabinet::CODE_LIFETIME,
            digest_hour: crate::mailing::digest::DIGEST_HOUR,
            templates: crate::templates::TemplateStore::default(),
            files,
            appender,
            log: reading,
            nodes: log,
            models,
            projector,
            checkpoint,
            stopped,
        }
    }

    /// Starts the read models on `log` ([`App::start`]) and waits until they
    /// include every event the log holds now, however long the fold takes:
    /// for a front door that answers once, from a log at rest (the command
    /// line), rather than a server that answers `/health` meanwhile.
    ///
    /// # Errors
    /// [`Error::Internal`] when the read models stop before (a corrupt event
    /// or key: the reason is in the detail).
    pub async fn open(log: Arc<dyn Coordination>) -> Result<App, Error> {
        App::opened(log, true, None).await
    }

    /// [`App::open`] from the snapshot in `snapshots` when one fits (the
    /// command line passes a read-only store: it never writes one).
    ///
    /// # Errors
    /// As [`App::open`].
    pub async fn open_with_snapshots(
        log: Arc<dyn Coordination>,
        snapshots: Option<SnapshotStore>,
    ) -> Result<App, Error> {
        App::opened(log, true, snapshots).await
    }

    /// [`App::open`] for a door that writes in bulk and exits (`reestr
    /// import`): the read models fold the log as it is now and then stop
    /// following it, so they answer as of the start and spend nothing on
    /// folding what the door appends (the next process folds it); from the
    /// snapshot in `snapshots` when one fits.
    ///
    /// # Errors
    /// As [`App::open`].
    pub async fn open_at_rest(
        log: Arc<dyn Coordination>,
        snapshots: Option<SnapshotStore>,
    ) -> Result<App, Error> {
        App::opened(log, false, snapshots).await
    }

    async fn opened(
        log: Arc<dyn Coordination>,
        follow: bool,
        snapshots: Option<SnapshotStore>,
    ) -> Result<App, Error> {
        let head = *log.head().borrow();
        let app = App::started(log, follow, snapshots);
        let mut checkpoint = app.checkpoint.0.clone();
        let mut stopped = app.stopped.clone();
        tokio::select! {
            reached = checkpoint.wait_for(|&at| at >= head) => {
                reached.map_err(|_| Error::internal("the read models stopped"))?;
            }
            reason = stopped.wait_for(Option::is_some) => {
                let reason = reason.ok().and_then(|reason| reason.clone());
                return Err(Error::Internal(format!(
                    "the read models stopped: {}",
                    reason.unwrap_or_default()
                )));
            }
        }
        Ok(app)
    }

    /// Replaces the per-address limit on public application submissions.
    pub fn set_submission_limit(&mut self, limit: SubmissionLimit) {
        self.submissions = limit;
    }

    /// Replaces the limits of every request, per holder and per address.
    pub fn set_request_limits(&mut self, config: RequestLimitConfig) {
        self.requests = RequestLimits::new(config);
    }

    /// Admits one request of `viewer` from `client` at a front door, waiting
    /// for a place in flight; the permit is held until the request is answered.
    ///
    /// # Errors
    /// [`Error::RateLimited`] past the holder's or the address's pace or
    /// number of requests waiting.
    pub async fn admit_request(
        &self,
        viewer: &Viewer,
        client: Option<ClientAddr>,
    ) -> Result<RequestPermit, Error> {
        self.requests.admit(viewer, client).await
    }

    /// The limits every request is admitted by.
    pub fn request_limits(&self) -> &RequestLimits {
        &self.requests
    }

    /// Replaces the per-holder limit on lookups of SNILS held outside the
    /// holder's subtree.
    pub fn set_snils_lookup_limit(&mut self, limit: SnilsLookupLimit) {
        self.snils_lookups = limit;
    }

    /// The position every read model has applied up to.
    pub fn checkpoint(&self) -> u64 {
        self.checkpoint.position()
    }

    /// The last committed position this node knows of.
    pub fn head(&self) -> u64 {
        *self.log.head().borrow()
    }

    /// Events the read models have applied since this node started (after
    /// the snapshot it started from, if any).
    pub fn applied(&self) -> u64 {
        self.projector.applied()
    }

    /// The position of the snapshot the read models started from; 0 when
    /// they folded the log from its beginning. The checkpoint is this plus
    /// [`App::applied`].
    pub fn restored_from(&self) -> u64 {
        self.projector.restored_from()
    }

    /// Events committed to the log and not yet applied by every read model.
    pub fn lag(&self) -> u64 {
        self.projector.lag()
    }

    /// Why the read models stopped following the log (a corrupt event or
    /// vault key, an event this version cannot read), once they have: they
    /// answer from where they stopped and will not move again.
    pub fn stopped(&self) -> Option<String> {
        self.stopped.borrow().clone()
    }

    /// Why appends fail now (a full disk), until one succeeds; `None` while
    /// they succeed.
    pub fn write_fault(&self) -> Option<String> {
        self.log.write_fault()
    }

    /// Retries a small write when appends have been failing, so
    /// [`App::write_fault`] clears once the storage takes writes again.
    pub async fn probe_writes(&self) {
        if self.log.write_fault().is_some()
            && let Err(error) = self.log.probe_writes().await
        {
            tracing::warn!(%error, "the log still refuses writes");
        }
    }

    /// The projections' digests by name (equal for a live and a rebuilt set).
    pub fn digests(&self) -> Vec<(&'static str, u64)> {
        self.projector.digests()
    }

    /// How long each append took the log, commands' and the read audit's
    /// alike (`/metrics` exposes it).
    pub fn append_latency(&self) -> Histogram {
        self.appender.latency()
    }

    /// Whether other processes write to this log too (API nodes sharing one
    /// PostgreSQL database).
    pub fn shared(&self) -> bool {
        self.nodes.shared()
    }

    /// Waits until the read models include position `position`, e.g. the last
    /// position of a command's own append, so an answer built from them shows
    /// it (read-your-writes).
    ///
    /// # Errors
    /// [`Error::Internal`] when they do not within [`READ_YOUR_WRITES_TIMEOUT`].
    pub async fn reach(&self, position: u64) -> Result<(), Error> {
        self.checkpoint.reach(position).await
    }

    /// [`App::reach`] for everything committed before this call through any
    /// process sharing the log: a command then decides, and an unknown token
    /// or id is judged, on what the client may already have been told by
    /// another node. Alone on its log, this node's own answers waited for
    /// their effects already, so it returns at once.
    ///
    /// # Errors
    /// [`Error::Internal`] when the log cannot be read or the read models do
    /// not catch up in time.
    pub async fn reach_committed(&self) -> Result<(), Error> {
        if !self.nodes.shared() {
            return Ok(());
        }
        let head = self.nodes.committed_head().await?;
        self.reach(head).await
    }

    /// Opens the record of one request's personal-data reads (see
    /// [`PersonalReads`]): every front door opens one per request and awaits
    /// [`PersonalReads::record`] before its answer leaves.
    pub fn personal_reads(&self, viewer: &Viewer) -> PersonalReads {
        PersonalReads::new(viewer.clone(), self.reads.clone())
    }

    /// The recorder behind every request's [`PersonalReads`].
    pub(crate) fn reads(&self) -> &ReadRecorder {
        &self.reads
    }

    /// Who issues a command: `viewer`, with the client's idempotency key and
    /// pinned version (both checked here), today, and a fresh correlation id.
    /// The key is the viewer's own and goes with a fingerprint of `input`
    /// (the command's arguments), so a repeat is recognised only from the same
    /// holder with the same input (see `idempotency`).
    pub(crate) fn issue<I: Serialize>(
        &self,
        viewer: &Viewer,
        input: &I,
        command_id: Option<&str>,
        expected_version: Option<i64>,
    ) -> Result<Issued, Error> {
        let actor = viewer.actor();
        let (command_id, fingerprint) = match input::optional_id(command_id, "commandId")? {
            Some(id) => (
                Some(idempotency::command_key(&actor, id)),
                Some(idempotency::fingerprint(&actor, id, input)?),
            ),
            None => (None, None),
        };
        Ok(Issued {
            actor,
            role: viewer.role(),
            today: today(),
            command_id,
            fingerprint,
            expected_version: input::expected_version(expected_version)?,
            correlation_id: Uuid::now_v7(),
        })
    }

    /// Stops: records the reads still queued, writes the read models'
    /// snapshot (when the node keeps one and anything was applied since the
    /// last), then closes the log (appends in flight finish first; nothing
    /// acknowledged is lost). The snapshot is written while the log is still
    /// open and this process still owns it: no other process can have
    /// started on the log and erased anyone meanwhile.
    ///
    /// # Errors
    /// The log failed while closing.
    pub async fn shutdown(&self) -> Result<(), eventlog::Error> {
        self.reads.flush().await;
        if let Err(error) = self.projector.snapshot().await {
            tracing::warn!(%error, "the read models' snapshot was not written at the stop");
        }
        self.log.shutdown().await
    }
}
