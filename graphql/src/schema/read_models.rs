//! `readModels`: how far this node's read models have folded the log, and
//! their digests, so an auditor can check that two nodes (or a node and a
//! rebuild) hold the same registry without comparing it answer by answer.

use async_graphql::{Context, Object, SimpleObject};

use crate::error::ApiError;
use crate::schema::organization::saturating_i32;
use crate::schema::{app, viewer};

/// The read models of the node that answers.
#[derive(SimpleObject)]
pub struct ReadModels {
    /// The position every read model has applied up to.
    checkpoint: i32,
    /// The last committed position this node knows of.
    head: i32,
    /// Events applied since the node started: `checkpoint` less
    /// `restoredFrom` when no position was skipped or applied twice (a node
    /// stops rather than do either).
    events_applied: i32,
    /// The position of the snapshot of the read models the node started
    /// from; 0 when it folded the log from its beginning.
    restored_from: i32,
    /// Each model's digest, equal for any two nodes at the same checkpoint.
    digests: Vec<ReadModelDigest>,
    /// Whether no event was applied while the digests were computed. When
    /// false (writes kept arriving), the digests belong to no one checkpoint.
    steady: bool,
}

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
        let report = app(ctx).read_models(viewer(ctx)).await?;
        Ok(ReadModels {
            checkpoint: saturating_i32(report.checkpoint),
            head: saturating_i32(report.head),
            events_applied: saturating_i32(report.events_applied),
            restored_from: saturating_i32(report.restored_from),
            steady: report.steady,
            digests: report
                .digests
                .into_iter()
                .map(|(name, digest)| ReadModelDigest {
                    name: name.to_string(),
                    digest: format!("{digest:016x}"),
                })
                .collect(),
        })
    }
}
