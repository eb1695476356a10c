//! The archive: the membership history, one line of plain words per event.
//!
//! A person's history is read from their stream on demand
//! ([`Archive::history`]): 12M entries need not sit in memory. What the log
//! cannot answer quickly is kept here: for each organisation, the positions of
//! the events that concern it (its own stream, members admitted, transferred or
//! ended there, applications to it) and its names over time, so every line names
//! organisations as they were at the event.
//!
//! Personal data shows only through the vault: lines never quote it, and an
//! erased person's events decode without it.
//!
//! Layout: [`index`] keeps the journal index; [`summary`] writes the lines.

mod index;
pub mod summary;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use domain::event::{Event, PersonEvent};
use domain::ids::{OrgId, PersonId};
use domain::vocabulary::person::Gender;
use eventlog::{EventLog, StoredEvent};
use parking_lot::RwLock;

use crate::archive::index::JournalIndex;
use crate::archive::summary::{SummaryContext, organization_of, summarize};
use crate::error::Error;
use crate::runtime::{Applied, Projection};
use crate::snapshot::{self, Install, Section, SnapshotError};

/// The most entries a journal page holds.
pub const MAX_JOURNAL_PAGE: usize = 500;

/// One event in plain words (the GraphQL `HistoryEntry`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The event's position in the log.
    pub position: u64,
    /// Its stored type name, e.g. `MemberTransferred`.
    pub event_type: String,
    /// The business date.
    pub effective_on: Option<NaiveDate>,
    /// When the log committed it.
    pub recorded_at: DateTime<Utc>,
    /// Who did it.
    pub actor: String,
    /// The organisation concerned (the new home for a transfer).
    pub organization: Option<OrgId>,
    /// One line in plain words.
    pub summary: String,
}

/// The archive projection: the organisation journal index, plus readers of the log.
#[derive(Default)]
pub struct Archive {
    index: RwLock<JournalIndex>,
}

impl Archive {
    /// An empty archive, to be fed from position 0.
    pub fn new() -> Archive {
        Archive::default()
    }

    /// Every event of `person_id`, oldest first, in plain words. Reads the
    /// person's stream; an unknown person has an empty history.
    ///
    /// # Errors
    /// Reading or decoding the stream failed.
    pub async fn history(
        &self,
        log: &Arc<dyn EventLog>,
        person_id: PersonId,
    ) -> Result<Vec<HistoryEntry>, Error> {
        let stored = log.read_stream(&person_id.stream(), 0).await?;
        let mut gender = None;
        let mut entries = Vec::with_capacity(stored.len());
        for stored in stored {
            let event = decode(&stored)?;
            if let Event::Person(PersonEvent::Admitted { profile, .. }) = &event {
                gender = Some(profile.gender);
            }
            entries.push(self.entry(&stored, &event, gender));
        }
        Ok(entries)
    }

    /// Up to `first` entries of the journal of `org_id` after position `after`
    /// (0: from the start), oldest first. `gender` tells a person's gender for
    /// agreeing verbs (e.g. from the registry); masculine when it says `None`.
    ///
    /// # Errors
    /// Reading or decoding an event failed.
    pub async fn journal(
        &self,
        log: &Arc<dyn EventLog>,
        org_id: OrgId,
        after: u64,
        first: usize,
        gender: &(dyn Fn(PersonId) -> Option<Gender> + Sync),
    ) -> Result<Vec<HistoryEntry>, Error> {
        let positions = self.journal_positions(org_id, after, first.min(MAX_JOURNAL_PAGE));
        let mut entries = Vec::with_capacity(positions.len());
        for position in positions {
            let batch = log.read_batch(position.saturating_sub(1), 1).await?;
            let Some(stored) = batch.into_iter().find(|s| s.position == position) else {
                continue;
            };
            let event = decode(&stored)?;
            let person = match &event {
                Event::Person(e) => gender(e.person_id()),
                _ => None,
            };
            entries.push(self.entry(&stored, &event, person));
        }
        Ok(entries)
    }

    /// Positions of up to `first` events concerning `org_id`, after `after`.
    pub fn journal_positions(&self, org_id: OrgId, after: u64, first: usize) -> Vec<u64> {
        let index = self.index.read();
        let Some(journal) = index.journal(org_id) else {
            return Vec::new();
        };
        let start = journal
            .positions
            .partition_point(|&p| u64::from(p) <= after);
        journal.positions[start..]
            .iter()
            .take(first)
            .map(|&p| u64::from(p))
            .collect()
    }

    /// The events concerning `org_id` in the journal.
    pub fn journal_len(&self, org_id: OrgId) -> usize {
        self.index
            .read()
            .journal(org_id)
            .map_or(0, |journal| journal.positions.len())
    }

    /// The name (short name when it has one) `org_id` had just before `position`.
    pub fn name_before(&self, org_id: OrgId, position: u64) -> Option<String> {
        self.index.read().name_before(org_id, position)
    }

    /// Bytes held per table, for memory reports.
    pub fn heap_report(&self) -> Vec<(&'static str, usize)> {
        self.index.read().heap_report()
    }

    fn entry(&self, stored: &StoredEvent, event: &Event, gender: Option<Gender>) -> HistoryEntry {
        let position = stored.position;
        let name_before = |org_id: OrgId| self.name_before(org_id, position);
        let context = SummaryContext {
            name_before: &name_before,
            gender,
        };
        HistoryEntry {
            position,
            event_type: stored.event_type.clone(),
            effective_on: stored.effective_on,
            recorded_at: stored.recorded_at,
            actor: stored.actor.clone(),
            organization: organization_of(event),
            summary: summarize(event, &context),
        }
    }
}

impl Projection for Archive {
    fn name(&self) -> &'static str {
        "archive"
    }

    fn apply(&self, events: &[Applied]) {
        for slice in events.chunks(crate::runtime::APPLY_SLICE) {
            let mut index = self.index.write();
            for applied in slice {
                index.apply(applied);
            }
        }
    }

    fn digest(&self) -> u64 {
        self.index.read().digest()
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        snapshot::save(self.name(), &*self.index.read(), out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let index: JournalIndex = snapshot::restore(self.name(), bytes)?;
        Ok(Box::new(move || *self.index.write() = index))
    }
}

fn decode(stored: &StoredEvent) -> Result<Event, Error> {
    eventlog::codec::decode(stored).map_err(|source| Error::Decode {
        position: stored.position,
        source,
    })
}
