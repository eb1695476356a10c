//! The command path: load what a decision reads, decide, append, retry on conflict.
//!
//! A command's function loads its aggregate from the aggregate's stream, asks
//! [`Facts`] (the read models) for what the charter needs from elsewhere, calls
//! the aggregate's pure `decide`, and appends the events with the expected
//! version of every stream it read: the aggregate's own exactly, and any other it
//! relied on as a pure version check. When someone else appended in between, the
//! log refuses with a conflict and [`Commands::execute`] decides again on the new
//! state, unless the client pinned `expectedVersion`: then the conflict is the
//! answer.
//!
//! Each command is a function of its own file's aggregate (`person.rs`,
//! `organization.rs`, `application.rs`, `access.rs`, `meeting.rs`, `bootstrap.rs`) that
//! hands `execute` a closure deciding from exactly what it reads: the log, the
//! facts, the issuer. Nothing is looked up through [`Commands`] itself.
//!
//! What is not here: who may issue a command (the callers in this crate check
//! [`Viewer`](crate::guard::Viewer) first) and the wait for the read models
//! after it ([`App::reach`](crate::App::reach)).

mod access;
mod application;
mod bootstrap;
pub(crate) mod load;
mod meeting;
mod organization;
pub(crate) mod person;

use std::future::Future;
use std::sync::Arc;

use chrono::NaiveDate;
use dashmap::DashMap;
use domain::ids::{OrgId, PersonId};
use domain::organization::ParentFacts;
use domain::person::HomeFacts;
use domain::snils::Snils;
use domain::vocabulary::access::Role;
use eventlog::{AppendRequest, Appended, Coordination, EventLog, StreamAppend};
use uuid::Uuid;

pub use crate::commands::access::{GrantedRole, grant_role, revoke_role};
pub use crate::commands::application::{
    NewApplication, application_snils, approve_application, reject_application, submit_application,
};
pub use crate::commands::bootstrap::{Initialised, initialise};
pub use crate::commands::meeting::{convene_meeting, record_attendance};
pub use crate::commands::organization::{
    NewOrganization, dissolve_organization, move_organization, register_organization,
    rename_organization, update_passport,
};
pub use crate::commands::person::{
    NewMember, admit_member, block_card, end_membership, erase_personal_data, issue_card,
    transfer_member, update_member,
};
use crate::error::{Conflict, Error};
use crate::running::Checkpoint;
use crate::timing::Appender;

/// Times a command is decided again after a conflict before giving up: enough
/// for any realistic burst on one member, few enough that a hot stream answers.
pub const MAX_ATTEMPTS: usize = 8;

/// What the charter needs to know beyond a command's own stream, answered by the
/// read models. Answers may lag the log by a few events; every decision guards
/// the streams it read, so a stale answer costs a retry, never a broken rule.
pub trait Facts: Send + Sync {
    /// The organisation as a member's home (exists, dissolved, level).
    fn home(&self, org: OrgId) -> HomeFacts;
    /// The organisation as a parent (level, dissolved, ancestors); `None` if unknown.
    fn parent(&self, org: OrgId) -> Option<ParentFacts>;
    /// Whether the CENTRAL organisation exists.
    fn central_exists(&self) -> bool;
    /// Active members whose home is in the organisation's subtree now.
    fn active_members_in_subtree(&self, org: OrgId) -> u64;
    /// The person who has `snils`, if anyone.
    fn snils_holder(&self, snils: Snils) -> Option<PersonId>;
    /// The region code of the regional organisation above `org`.
    fn region_code(&self, org: OrgId) -> Option<u8>;
    /// The highest card sequence issued in a region so far (0: none).
    fn last_card_sequence(&self, region_code: u8) -> u64;
    /// Whether `org` is `ancestor` or below it, in the tree as it is now.
    fn within(&self, org: OrgId, ancestor: OrgId) -> bool;
}

/// Who issues a command, when, and how to recognise its repetition.
#[derive(Clone, Debug)]
pub struct Issued {
    /// The envelope's actor: the user id of the token, the operator's name, or `public`.
    pub actor: String,
    /// The role and subtree of the actor, for grants (`None`: the operator).
    pub role: Option<(Role, OrgId)>,
    /// The registry's today, read once by the caller.
    pub today: NaiveDate,
    /// The log's idempotency key: derived from the holder and the client's
    /// `commandId` (see `idempotency`).
    pub command_id: Option<Uuid>,
    /// The fingerprint of the holder, the client's id and the whole input,
    /// stored as the causation id of the command's events: a repeat of the key
    /// with another fingerprint is a CONFLICT.
    pub fingerprint: Option<Uuid>,
    /// The version the client expects the aggregate to have, if it pinned one.
    pub expected_version: Option<u64>,
    /// The request this command belongs to.
    pub correlation_id: Uuid,
}

/// The command path: the log it appends to and the facts it decides with.
/// Cheap to clone (clones share the card sequences and SNILS turns).
#[derive(Clone)]
pub struct Commands {
    log: Arc<dyn EventLog>,
    appender: Appender,
    nodes: Arc<dyn Coordination>,
    /// The read models' answers; `None` for the operator's commands on a log
    /// served by no read models (initialising, granting), which need none.
    facts: Option<Arc<dyn Facts>>,
    /// Next card sequence per region, started from the read model's highest and
    /// raised past any number found taken (another node, a lagging read model).
    card_sequences: Arc<DashMap<u8, u64>>,
    /// One turn at a time per SNILS (see [`Commands::snils_turn`]).
    snils_turns: Arc<DashMap<Snils, Arc<tokio::sync::Mutex<()>>>>,
    /// The read models' progress, when they run beside the command path.
    checkpoint: Option<Checkpoint>,
}

/// A command's exclusive turn on one SNILS; the next one's begins when it drops.
pub(crate) struct SnilsTurn {
    turns: Arc<DashMap<Snils, Arc<tokio::sync::Mutex<()>>>>,
    snils: Snils,
    /// The turn among the processes sharing the log, dropped before the local one.
    _shared: eventlog::Turn,
    _local: tokio::sync::OwnedMutexGuard<()>,
}

impl Drop for SnilsTurn {
    fn drop(&mut self) {
        // Forget the lock once nobody else waits for it (the map's own
        // reference and this turn's are the two left).
        self.turns
            .remove_if(&self.snils, |_, lock| Arc::strong_count(lock) <= 2);
    }
}

/// A decision ready to append: the streams with their expected versions and events.
pub(crate) struct Decision {
    pub streams: Vec<StreamAppend>,
    pub erase_personal_data_of: Vec<String>,
}

impl Decision {
    /// A decision that erases nothing.
    pub(crate) fn of(streams: Vec<StreamAppend>) -> Decision {
        Decision {
            streams,
            erase_personal_data_of: vec![],
        }
    }
}

impl Commands {
    /// The command path over `log`, deciding with `facts`; appends are timed
    /// by `appender`.
    pub fn new(log: Arc<dyn Coordination>, appender: Appender, facts: Arc<dyn Facts>) -> Commands {
        Commands::with_facts(log, appender, Some(facts))
    }

    /// The command path for the operator's commands on a log no read models
    /// serve (initialising a registry, granting a role): a command that would
    /// need facts is refused as internal.
    pub fn without_read_models(log: Arc<dyn Coordination>, appender: Appender) -> Commands {
        Commands::with_facts(log, appender, None)
    }

    fn with_facts(
        nodes: Arc<dyn Coordination>,
        appender: Appender,
        facts: Option<Arc<dyn Facts>>,
    ) -> Commands {
        Commands {
            log: nodes.clone(),
            appender,
            nodes,
            facts,
            card_sequences: Arc::new(DashMap::new()),
            snils_turns: Arc::new(DashMap::new()),
            checkpoint: None,
        }
    }

    /// The same command path, told how far the read models it decides with have
    /// got, so commands on one SNILS can wait for each other's effect.
    pub(crate) fn with_checkpoint(mut self, checkpoint: Checkpoint) -> Commands {
        self.checkpoint = Some(checkpoint);
        self
    }

    /// The log the command path reads.
    pub(crate) fn log(&self) -> &dyn EventLog {
        self.log.as_ref()
    }

    /// The facts, where read models serve this path.
    ///
    /// # Errors
    /// [`Error::Internal`] on a path without read models.
    pub(crate) fn facts(&self) -> Result<&dyn Facts, Error> {
        self.facts.as_deref().ok_or_else(|| {
            Error::internal("this command needs the read models, which are not running")
        })
    }

    /// Waits for the turn on `snils` (none without one). Two commands naming
    /// the same SNILS at once would each see no holder in the read model and
    /// create two persons with it (rule 5); in turns, the second decides only
    /// after the read models include everything committed before its turn
    /// began, the first one's admission among it. Commands of this process
    /// take turns in memory; then, where several processes share the log (API
    /// nodes on one PostgreSQL database), in the log's storage as well.
    ///
    /// # Errors
    /// The log failed while taking the turn.
    pub(crate) async fn snils_turn(
        &self,
        snils: Option<Snils>,
    ) -> Result<Option<SnilsTurn>, Error> {
        let Some(snils) = snils else {
            return Ok(None);
        };
        let lock = Arc::clone(self.snils_turns.entry(snils).or_default().value());
        let local = lock.lock_owned().await;
        let topic = format!("snils {}", snils.digits());
        let shared = self.nodes.turn(topic.as_bytes()).await?;
        if self.nodes.shared() {
            // Another process's admission with this SNILS may be committed
            // and not yet applied here. (Alone on its log, this process saw
            // its own wait before the local turn passed.)
            self.reach(shared.head()).await;
        }
        Ok(Some(SnilsTurn {
            turns: Arc::clone(&self.snils_turns),
            snils,
            _shared: shared,
            _local: local,
        }))
    }

    /// An exclusive turn on `topic` among the processes sharing the log
    /// (immediate alone on it), held until dropped.
    ///
    /// # Errors
    /// The log failed while taking the turn.
    pub(crate) async fn turn(&self, topic: &[u8]) -> Result<eventlog::Turn, Error> {
        Ok(self.nodes.turn(topic).await?)
    }

    /// Appends `request` as it is, timed like every command's append: for a
    /// caller that decides on an aggregate it keeps itself (the mailing sender).
    ///
    /// # Errors
    /// The log's refusals and failures.
    pub(crate) async fn append(&self, request: AppendRequest) -> Result<Appended, eventlog::Error> {
        self.appender.append(request).await
    }

    /// Lets the read models reach `position` before the next command on the
    /// same SNILS decides: a bounded wait, ignored when it runs out (a stale
    /// fact then costs at worst a refusal, never a broken rule).
    pub(crate) async fn reach(&self, position: u64) {
        if let Some(checkpoint) = &self.checkpoint {
            let _ = checkpoint.reach(position).await;
        }
    }

    /// Runs a command: answers a repeated command id with its first result,
    /// else calls `decide` and appends its decision, calling it again (on
    /// freshly loaded state) after a conflict.
    ///
    /// # Errors
    /// What `decide` refuses; [`Conflict::Version`] when the client pinned a
    /// version or the streams stayed busy through [`MAX_ATTEMPTS`]; the log's
    /// failures.
    pub(crate) async fn execute<D, F>(&self, issued: &Issued, decide: D) -> Result<Appended, Error>
    where
        D: Fn() -> F,
        F: Future<Output = Result<Decision, Error>>,
    {
        if let Some(command_id) = issued.command_id
            && let Some(first) = self.log.find_command(command_id).await?
        {
            return self.repeated(issued, first).await;
        }
        let mut last_conflict = None;
        for _ in 0..MAX_ATTEMPTS {
            let decision = decide().await?;
            let request = AppendRequest {
                streams: decision.streams,
                command_id: issued.command_id,
                actor: issued.actor.clone(),
                correlation_id: Some(issued.correlation_id),
                causation_id: issued.fingerprint,
                erase_personal_data_of: decision.erase_personal_data_of,
            };
            match self.appender.append(request).await {
                Err(conflict @ eventlog::Error::Conflict { .. }) => {
                    last_conflict = Some(Error::from(conflict));
                    if issued.expected_version.is_some() {
                        break;
                    }
                }
                // Another request with the same key got there first.
                Ok(first) if first.duplicate => return self.repeated(issued, first).await,
                outcome => return Ok(outcome?),
            }
        }
        Err(last_conflict.unwrap_or(Error::Conflict(Conflict::Version {
            stream: String::new(),
            expected: 0,
            actual: 0,
        })))
    }

    /// The first result of a command whose key was stored before, if it was
    /// this very command (its events carry this fingerprint); else CONFLICT.
    /// A first append that stored no event has nothing to compare and counts
    /// as the same.
    async fn repeated(&self, issued: &Issued, first: Appended) -> Result<Appended, Error> {
        let stored = self
            .log
            .read_batch(first.first_position.saturating_sub(1), 1)
            .await?;
        match stored.first() {
            Some(event)
                if event.position == first.first_position
                    && event.causation_id != issued.fingerprint =>
            {
                Err(Error::Conflict(Conflict::CommandReused))
            }
            _ => Ok(first),
        }
    }

    /// Moves `region_code`'s sequence past the highest number the read models
    /// know of, after the next one turned out taken (issued by another node).
    pub(crate) fn skip_card_sequences(&self, facts: &dyn Facts, region_code: u8) {
        let known = facts.last_card_sequence(region_code);
        self.card_sequences
            .entry(region_code)
            .and_modify(|next| *next = (*next).max(known))
            .or_insert(known);
    }

    /// A card number not issued before in `region_code`'s sequence.
    pub(crate) fn next_card_sequence(&self, facts: &dyn Facts, region_code: u8) -> u64 {
        let mut next = self
            .card_sequences
            .entry(region_code)
            .or_insert_with(|| facts.last_card_sequence(region_code));
        *next += 1;
        *next
    }
}

/// The organisation `org` as its own stream has it (`None`: unknown).
///
/// # Errors
/// The log failed.
pub(crate) async fn organization(
    commands: &Commands,
    org: OrgId,
) -> Result<Option<domain::organization::Organization>, Error> {
    Ok(person::load_org(commands.log(), org).await?.state)
}

/// Refuses with a conflict when the client pinned a version the aggregate is not at.
pub(crate) fn check_expected(issued: &Issued, stream: &str, actual: u64) -> Result<(), Error> {
    match issued.expected_version {
        Some(expected) if expected != actual => Err(Error::Conflict(Conflict::Version {
            stream: stream.to_string(),
            expected,
            actual,
        })),
        _ => Ok(()),
    }
}
