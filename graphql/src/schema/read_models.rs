//! `readModels`: how far this node's read models have folded the log, and
//! their digests, so an auditor can check that two nodes (or a node and a
//! rebuild) hold the same registry without comparing it answer by answer.

use async_graphql::{Context, Object, SimpleObject};

use crate::error::ApiError;
use crate::guard::Action;
use crate::schema::organization::saturating_i32;
use crate::schema::{app, viewer};

/// The read models of the node that answers.
#[derive(SimpleObject)]
pub struct ReadModels {
    /// The position every read model has applied up to.
    checkpoint: i32,
    /// The last committed position this node knows of.
    head: i32,
    /// Events applied since the node started: equal to `checkpoint` when no
    /// position was skipped or applied twice (a node stops rather than do either).
    events_applied: i32,
    /// Each model's digest, equal for any two nodes at the same checkpoint.
    digests: Vec<ReadModelDigest>,
    /// Whether no event was applied while the digests were computed. When
    /// false (writes kept arriving), the digests belong to no one checkpoint.
    steady: bool,
}

/// Times the digests are computed before answering with moving ones.
const DIGEST_ATTEMPTS: usize = 3;

/// One read model's digest.
#[derive(SimpleObject)]
pub struct ReadModelDigest {
    /// The model: registry, archive, statistics, access, audit.
    name: String,
    /// Its digest, 16 hexadecimal digits.
    digest: String,
}

#[derive(Default)]
pub struct ReadModelsQuery;

#[Object]
impl ReadModelsQuery {
    /// This node's read models, for ADMIN and AUDITOR holders of the CENTRAL
    /// organisation. Digesting walks every model: seconds on a whole union.
    async fn read_models(&self, ctx: &Context<'_>) -> Result<ReadModels, ApiError> {
        let app = app(ctx);
        let holder = viewer(ctx).may(Action::ReadEvents)?;
        let at_root = app
            .registry
            .organization(holder.org_id)
            .is_some_and(|org| org.parent_id.is_none());
        if !at_root {
            return Err(ApiError::Forbidden(
                "the read models are checked from the root only".into(),
            ));
        }
        // The projector may apply more while the digests are computed: read
        // the checkpoint before and after, and digest again (a few times at
        // most: on a busy registry it never stands still) until they agree.
        let running = app.clone();
        let (checkpoint, applied, digests, steady) = tokio::task::spawn_blocking(move || {
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
        .map_err(|error| ApiError::Internal(error.to_string()))?;
        Ok(ReadModels {
            checkpoint: saturating_i32(checkpoint),
            head: saturating_i32(*app.log.head().borrow()),
            events_applied: saturating_i32(applied),
            steady,
            digests: digests
                .into_iter()
                .map(|(name, digest)| ReadModelDigest {
                    name: name.to_string(),
                    digest: format!("{digest:016x}"),
                })
                .collect(),
        })
    }
}
