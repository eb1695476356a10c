//! A whole synthetic union, deterministic for a seed, every event decided by
//! the real charter.
//!
//! `generate` plans the union (the tree of organisations, then every seat's
//! holders over ten years), decides each planned action with the aggregates'
//! `decide` on the state it keeps (and `evolve`s that state), encodes the events
//! and bulk-loads them with [`EventLog::import`]: deciding runs on its own thread
//! while the log's writer thread inserts the previous batch.
//!
//! Layout:
//! - [`regions`], [`names`]: the real regions and Russian names.
//! - [`hierarchy`]: the tree, planned (counts per level, sizes, sectors).
//! - [`members`]: who the members are (traits, personal data).
//! - [`plan`]: the actions of ten years, with effective and entry dates.
//! - [`history`] and `orgs`: the actions decided into append requests.
//! - [`random`]: seeded draws and uuids.
//!
//! What it does not do: write to the log by any other way than the charter's
//! events, or depend on the clock (today is part of [`Config`]). Only the
//! envelope's `recorded_at` and event ids differ between two runs.

pub mod hierarchy;
pub mod history;
pub mod members;
pub mod names;
mod orgs;
pub mod plan;
pub mod random;
pub mod regions;

use std::sync::Arc;

use chrono::NaiveDate;
use domain::ids::OrgId;
use eventlog::{AppendRequest, BulkLog};
use indicatif::ProgressBar;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::hierarchy::Tree;
use crate::history::History;

/// Events per import batch: one transaction and one fsync for this many, few
/// enough that deciding the next batch overlaps writing this one.
pub const BATCH_EVENTS: usize = 50_000;

/// Years of history before today.
pub const HISTORY_YEARS: f64 = 10.0;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Config {
    /// Active members at the end (about).
    pub members: u64,
    /// The seed: the same seed gives the same events.
    pub seed: u64,
    /// The last day of the history.
    pub today: NaiveDate,
}

/// What was generated.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Events written.
    pub events: u64,
    /// The CENTRAL organisation.
    pub central: OrgId,
    /// Organisations registered.
    pub organizations: usize,
    /// People in the log (members and former members, applicants).
    pub people: usize,
    /// Active members at the end.
    pub active_members: u64,
}

/// Why generating failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The log already holds events; a union is generated into an empty one.
    #[error("the log is not empty: it holds {head} events; generate into a new data directory")]
    NotEmpty {
        /// Events in the log.
        head: u64,
    },
    /// The charter refused a planned action: a bug of the plan.
    #[error("the charter refused {action}: {source}")]
    Charter {
        /// The action.
        action: String,
        /// The refusal.
        source: domain::error::DomainError,
    },
    /// An event did not encode.
    #[error(transparent)]
    Codec(#[from] eventlog::codec::CodecError),
    /// The log refused or failed an import.
    #[error(transparent)]
    Log(#[from] eventlog::Error),
    /// The deciding thread stopped without an answer.
    #[error("the generator's deciding thread stopped")]
    Stopped,
}

/// Generates the union of `config` into the empty `log`, counting decided
/// actions on `progress`; the log is durable and fully indexed on return.
///
/// # Errors
/// [`Error::NotEmpty`] for a log with events; the log's errors; a refusal by the
/// charter (which would be a bug here).
pub async fn generate(
    log: Arc<dyn BulkLog>,
    config: &Config,
    progress: &ProgressBar,
) -> Result<Summary, Error> {
    let head = *log.head().borrow();
    if head > 0 {
        return Err(Error::NotEmpty { head });
    }
    let (batches, mut received) = tokio::sync::mpsc::channel::<(Vec<AppendRequest>, u64)>(2);
    let worker = {
        let config = config.clone();
        let progress = progress.clone();
        std::thread::Builder::new()
            .name("generator".into())
            .spawn(move || decide_all(&config, &progress, &batches))
            .map_err(|_| Error::Stopped)?
    };
    let mut imported = Ok(());
    while let Some((batch, actions)) = received.recv().await {
        if let Err(error) = log.import(batch).await {
            imported = Err(error);
            break;
        }
        progress.inc(actions);
    }
    drop(received);
    let summary = tokio::task::spawn_blocking(move || worker.join())
        .await
        .map_err(|_| Error::Stopped)?
        .map_err(|_| Error::Stopped)?;
    imported?;
    let summary = summary?;
    progress.set_message("indexing");
    log.finish_import().await?;
    Ok(summary)
}

/// The union of `config`, decided: the requests in the order the log gets them.
/// Plans first, then decides every action, handing on batches as they fill.
fn decide_all(
    config: &Config,
    progress: &ProgressBar,
    batches: &tokio::sync::mpsc::Sender<(Vec<AppendRequest>, u64)>,
) -> Result<Summary, Error> {
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let start = random::plus_years(config.today, -HISTORY_YEARS);
    progress.set_message("planning");
    let tree = Tree::plan(&mut rng, config.members, start);
    let plan = plan::plan(&mut rng, &tree, config.members, start, config.today);
    progress.set_length(plan.actions.len() as u64);
    progress.set_message("deciding");
    let mut history = History::new(config.seed, &tree, &plan.people, plan.seats_per_weight);
    let mut actions = 0;
    for action in &plan.actions {
        history.apply(action)?;
        actions += 1;
        if history.batch_events >= BATCH_EVENTS {
            let batch = history.take_batch();
            batches
                .blocking_send((batch, actions))
                .map_err(|_| Error::Stopped)?;
            actions = 0;
        }
    }
    let batch = history.take_batch();
    batches
        .blocking_send((batch, actions))
        .map_err(|_| Error::Stopped)?;
    Ok(Summary {
        events: history.events,
        central: tree.orgs[0].id,
        organizations: tree.orgs.len(),
        people: plan.people.len(),
        active_members: history.active_members(),
    })
}
