//! The import's decisions: each row's commands decided by the charter
//! (`domain`'s `decide`, exactly as the command path does), with the facts
//! the charter needs kept in memory for the run (the organisations decided so
//! far, the SNILS and cards taken, active members per subtree) on top of the
//! read models of the registry as it was when the run began.
//!
//! A row is all or nothing: its events go to the log in one append with its
//! batch, so a row whose person (or organisation) is in the registry already
//! was written by an earlier run and is skipped; that is what makes a second
//! run write nothing and an interrupted one continue where it stopped.

mod members;
mod organizations;

use chrono::NaiveDate;
use domain::card_number::CardNumber;
use domain::error::DomainError;
use domain::event::{Event, PersonEvent};
use domain::ids::{OrgId, PersonId};
use domain::organization::{Organization, ParentFacts};
use domain::person::{self, Person, PersonCommand};
use domain::snils::Snils;
use eventlog::{EventLog, ExpectedVersion, NewEvent, StreamAppend, codec};
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use projections::registry::Registry;

use crate::commands::person::load_org;
use crate::error::Error;
use crate::import::format::Column;
use crate::import::report::BadRow;
use crate::import::rows::{self, MemberRow};

/// What a row comes to.
pub enum Outcome {
    /// Its events, to append with the batch.
    Write(Vec<StreamAppend>),
    /// Written by an earlier run.
    Done,
    /// Refused.
    Bad(Vec<BadRow>),
}

pub(crate) struct Known {
    pub(crate) state: Option<Organization>,
    pub(crate) version: u64,
}

/// One pass over the rows, deciding each with what the charter needs.
pub struct Decider<'a> {
    log: &'a dyn EventLog,
    registry: &'a Registry,
    today: NaiveDate,
    orgs: HashMap<OrgId, Known>,
    codes: HashMap<String, (OrgId, u64)>,
    bad_codes: HashSet<String>,
    /// Active members per organisation's subtree decided in this run.
    active: HashMap<OrgId, u64>,
    snils: HashMap<Snils, (PersonId, Option<OrgId>, u64)>,
    identities: HashMap<String, u64>,
    cards: HashSet<CardNumber>,
    central: Option<OrgId>,
    /// Whether the pass writes (and so encodes what it decides).
    encode: bool,
}

impl<'a> Decider<'a> {
    /// A pass on the registry as `registry` has it; `central` is its CENTRAL
    /// organisation, if it has one.
    pub fn new(
        log: &'a dyn EventLog,
        registry: &'a Registry,
        central: Option<OrgId>,
        today: NaiveDate,
        encode: bool,
    ) -> Decider<'a> {
        Decider {
            log,
            registry,
            today,
            orgs: HashMap::new(),
            codes: HashMap::new(),
            bad_codes: HashSet::new(),
            active: HashMap::new(),
            snils: HashMap::new(),
            identities: HashMap::new(),
            cards: HashSet::new(),
            central,
            encode,
        }
    }

    /// Marks the code of an organisation's row that could not be read, so
    /// rows naming it are refused as depending on it.
    pub fn refuse_code(&mut self, code: &str) {
        if !code.is_empty() {
            self.bad_codes.insert(code.to_string());
        }
    }

    /// An organisation as known: decided in this run, or loaded from its
    /// stream (once) when the registry has it.
    pub(crate) async fn known(&mut self, org_id: OrgId) -> Result<Option<&Known>, Error> {
        if !self.orgs.contains_key(&org_id) {
            // The registry holds every organisation of the log when the run
            // began, and `orgs` those this run wrote: one in neither has no
            // stream to read (a read would scan the log while a bulk import
            // has its stream index dropped).
            if self.registry.organization(org_id).is_none() {
                return Ok(None);
            }
            let loaded = load_org(self.log, org_id).await?;
            if loaded.version == 0 {
                return Ok(None);
            }
            self.orgs.insert(
                org_id,
                Known {
                    state: loaded.state,
                    version: loaded.version,
                },
            );
        }
        Ok(self.orgs.get(&org_id))
    }

    pub(crate) fn parent_facts(&self, parent_id: OrgId) -> Option<ParentFacts> {
        let parent = self.orgs.get(&parent_id)?.state.as_ref()?;
        let mut ancestors = Vec::new();
        let mut next = parent.parent_id;
        while let Some(id) = next {
            ancestors.push(id);
            next = self
                .orgs
                .get(&id)
                .and_then(|k| k.state.as_ref())
                .and_then(|o| o.parent_id);
        }
        Some(ParentFacts {
            level: parent.level,
            dissolved: parent.dissolved_on.is_some(),
            ancestors,
            established_on: parent.established_on,
        })
    }

    /// The events as one stream's append, encoded only when this pass writes.
    pub(crate) fn stream_append(
        &self,
        stream: String,
        expected: ExpectedVersion,
        events: impl Iterator<Item = Event>,
    ) -> Result<StreamAppend, Error> {
        let events = if self.encode {
            events
                .map(|e| codec::encode(&e))
                .collect::<Result<Vec<NewEvent>, _>>()?
        } else {
            Vec::new()
        };
        Ok(StreamAppend {
            stream,
            expected,
            events,
        })
    }

    pub(crate) fn remember(&mut self, row: &MemberRow, home: Option<OrgId>) {
        self.identities.insert(row.identity.clone(), row.line);
        if let Some(snils) = row.personal.snils {
            self.snils.insert(snils, (row.person_id, home, row.line));
        }
    }

    pub(crate) fn decide_person(
        &self,
        person: &mut Person,
        events: &mut Vec<PersonEvent>,
        command: &PersonCommand,
    ) -> Result<(), DomainError> {
        self.decide_person_on(person, events, command, self.today)
    }

    /// Decides `command` as if on `today`: an update of details is dated the
    /// day it is decided.
    pub(crate) fn decide_person_on(
        &self,
        person: &mut Person,
        events: &mut Vec<PersonEvent>,
        command: &PersonCommand,
        today: NaiveDate,
    ) -> Result<(), DomainError> {
        let decided = person::decide(person, command, today)?;
        decided.iter().for_each(|e| person::evolve(person, e));
        events.extend(decided);
        Ok(())
    }
}

impl rows::SpellRow {
    /// The column a refusal about this spell points at: its own for an
    /// earlier spell, else `own`.
    pub(crate) fn column_or(&self, own: Column) -> Column {
        if self.column == Column::EarlierSpells {
            Column::EarlierSpells
        } else {
            own
        }
    }
}
