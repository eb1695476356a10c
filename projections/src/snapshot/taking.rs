//! When the projector takes a snapshot: asked (a clean stop), or on its own
//! once caught up after enough events; and when it must delete one.

use std::time::{Duration, Instant};

use domain::event::{Event, PersonEvent};
use parking_lot::Mutex;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

use crate::error::Error;
use crate::runtime::Applied;
use crate::snapshot::{SnapshotError, SnapshotStore};

/// Events applied since the last snapshot after which the projector writes
/// the next one on its own, once caught up: at a full union's fold rate, a
/// start then folds well under ten seconds of tail.
pub const SNAPSHOT_EVERY: u64 = 1_000_000;

/// The least time between two snapshots the projector takes on its own: a
/// snapshot holds back applying for as long as it takes to write (seconds
/// for a full union), so not often under steady traffic.
pub const SNAPSHOT_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// Whether `event` erases someone's personal data.
fn erases(event: &Event) -> bool {
    matches!(event, Event::Person(PersonEvent::PersonalDataErased { .. }))
}

/// A request for a snapshot now, answered with the position written (`None`:
/// nothing new since the last).
pub(crate) type Request = oneshot::Sender<Result<Option<u64>, SnapshotError>>;

/// A projector's snapshots: the store, the requests, and what was written.
pub(crate) struct Snapshots {
    pub(crate) store: SnapshotStore,
    requests: mpsc::UnboundedSender<Request>,
    /// Held by the fold for as long as it runs: whoever holds it answers.
    pub(crate) inbox: tokio::sync::Mutex<mpsc::UnboundedReceiver<Request>>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The position of the snapshot on disk (or the one restored); 0: none.
    at: u64,
    /// The event at the checkpoint.
    event_id: Option<Uuid>,
    /// When this process last wrote one.
    written: Option<Instant>,
    /// An erasure was applied after `at`: the file is gone, write another.
    erased: bool,
}

impl Snapshots {
    pub(crate) fn new(store: SnapshotStore) -> Snapshots {
        let (requests, inbox) = mpsc::unbounded_channel();
        Snapshots {
            store,
            requests,
            inbox: tokio::sync::Mutex::new(inbox),
            state: Mutex::new(State::default()),
        }
    }

    /// Sends a request to the running fold.
    pub(crate) fn ask(&self) -> oneshot::Receiver<Result<Option<u64>, SnapshotError>> {
        let (tx, rx) = oneshot::channel();
        let _ = self.requests.send(tx);
        rx
    }

    /// The models were restored from the snapshot at `position`.
    pub(crate) fn restored(&self, position: u64, event_id: Uuid) {
        let mut state = self.state.lock();
        state.at = position;
        state.event_id = Some(event_id);
    }

    /// Every model has applied up to the event `event_id`.
    pub(crate) fn applied(&self, event_id: Uuid) {
        self.state.lock().event_id = Some(event_id);
    }

    /// Deletes the snapshot (and any half-written one) if `batch` erases
    /// anyone's personal data: it was written before, and would keep what
    /// the erasure removes.
    ///
    /// # Errors
    /// When it cannot be deleted: the erasure must not be applied then.
    pub(crate) fn before_applying(&self, batch: &[Applied]) -> Result<(), Error> {
        let Some(erasure) = batch.iter().find(|applied| erases(&applied.event)) else {
            return Ok(());
        };
        let mut state = self.state.lock();
        let had = state.at > 0 || self.store.path().exists();
        self.store
            .discard()
            .map_err(|error| Error::SnapshotNotDeleted {
                position: erasure.stored.position,
                reason: error.to_string(),
            })?;
        if had {
            tracing::info!("snapshot deleted: an erasure follows it");
            state.erased = true;
        }
        state.at = 0;
        Ok(())
    }

    /// Whether to write one now, at `checkpoint` with the log at `head`.
    pub(crate) fn due(&self, checkpoint: u64, head: u64) -> bool {
        if self.store.read_only {
            return false;
        }
        let state = self.state.lock();
        let rested = state
            .written
            .is_none_or(|written| written.elapsed() >= self.store.interval);
        checkpoint == head
            && checkpoint > state.at
            && rested
            && (state.erased || checkpoint - state.at >= self.store.every)
    }

    /// What to write at `checkpoint`: the event there; `None` when the
    /// snapshot on disk is already there.
    pub(crate) fn to_write(&self, checkpoint: u64) -> Option<Uuid> {
        if self.store.read_only {
            return None;
        }
        let state = self.state.lock();
        if checkpoint == 0 || checkpoint == state.at {
            return None;
        }
        state.event_id
    }

    /// A snapshot at `position` was written (or failed: not again at once).
    pub(crate) fn wrote(&self, position: Option<u64>) {
        let mut state = self.state.lock();
        state.written = Some(Instant::now());
        if let Some(position) = position {
            state.at = position;
            state.erased = false;
        }
    }
}
