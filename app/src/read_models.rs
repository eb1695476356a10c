//! How far this node's read models have folded the log, and their digests, so
//! an auditor can check that two nodes (or a node and a rebuild) hold the same
//! registry without comparing it answer by answer.

use crate::error::{Error, Refusal};
use crate::guard::{Action, Viewer};
use crate::running::App;

/// Times the digests are computed before answering with moving ones.
const DIGEST_ATTEMPTS: usize = 3;

/// The read models of this node.
#[derive(Clone, Debug)]
pub struct ReadModelsReport {
    /// The position every read model has applied up to.
    pub checkpoint: u64,
    /// The last committed position this node knows of.
    pub head: u64,
    /// Events applied since the node started: `checkpoint` less
    /// `restored_from` when no position was skipped or applied twice (a node
    /// stops rather than do either).
    pub events_applied: u64,
    /// The position of the snapshot the node started from; 0 when it folded
    /// the log from its beginning.
    pub restored_from: u64,
    /// Each model's digest by name, equal for any two nodes at one checkpoint.
    pub digests: Vec<(&'static str, u64)>,
    /// Whether no event was applied while the digests were computed. When
    /// false (writes kept arriving), the digests belong to no one checkpoint.
    pub steady: bool,
}

impl App {
    /// `readModels`, for ADMIN and AUDITOR holders of the CENTRAL
    /// organisation. Digesting walks every model: seconds on a whole union.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`, `FORBIDDEN` (below the root too).
    pub async fn read_models(&self, viewer: &Viewer) -> Result<ReadModelsReport, Error> {
        let holder = viewer.holder()?;
        viewer.may(Action::ReadEvents)?;
        if !self.is_root(holder.org_id) {
            return Err(Refusal::RootOnly("the read models are checked from the root only").into());
        }
        // The projector may apply more while the digests are computed: read
        // the checkpoint before and after, and digest again (a few times at
        // most: on a busy registry it never stands still) until they agree.
        let running = self.clone();
        let (checkpoint, events_applied, digests, steady) =
            tokio::task::spawn_blocking(move || {
                let mut attempts = 0;
                loop {
                    let before = running.checkpoint();
                    let applied = running.applied();
                    let digests = running.digests();
                    attempts += 1;
                    let steady = running.checkpoint() == before;
                    if steady || attempts == DIGEST_ATTEMPTS {
                        return (before, applied, digests, steady);
                    }
                }
            })
            .await
            .map_err(Error::internal)?;
        Ok(ReadModelsReport {
            checkpoint,
            head: self.head(),
            events_applied,
            restored_from: self.restored_from(),
            digests,
            steady,
        })
    }
}
