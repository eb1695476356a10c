//! The audit trail of personal-data reads: who read whose data, and when.
//!
//! Folded from `PersonalDataRead` events; answers by person or by viewer,
//! newest first, for ADMIN and AUDITOR.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use chrono::{DateTime, Utc};
use domain::audit::AuditEvent;
use domain::event::Event;
use domain::ids::{PersonId, UserId};
use parking_lot::RwLock;

use crate::runtime::{Applied, Projection};

/// One read: a viewer shown a person's personal data, recorded at a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Read {
    /// The log position of the event recording it.
    pub position: u64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Who read.
    pub viewer: UserId,
    /// Whose data.
    pub person: PersonId,
}

/// Which reads to list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadsOf {
    /// The reads of one person's data.
    Person(PersonId),
    /// The reads by one viewer.
    Viewer(UserId),
    /// Every read.
    All,
}

/// The audit-trail read model.
#[derive(Default)]
pub struct AuditTrail {
    model: RwLock<Model>,
}

#[derive(Default)]
struct Model {
    reads: Vec<Read>,
    by_person: HashMap<PersonId, Vec<u32>>,
    by_viewer: HashMap<UserId, Vec<u32>>,
}

impl AuditTrail {
    /// An empty trail.
    pub fn new() -> AuditTrail {
        AuditTrail::default()
    }

    /// Up to `first` reads selected by `of`, newest first, older than the read
    /// numbered `before` (`None`: from the newest), each with its number (the
    /// cursor to continue from); and how many there are in all.
    pub fn reads(
        &self,
        of: ReadsOf,
        before: Option<u32>,
        first: usize,
    ) -> (Vec<(u32, Read)>, usize) {
        let model = self.model.read();
        let all: Vec<u32>;
        let numbers: &[u32] = match of {
            ReadsOf::Person(person) => model.by_person.get(&person).map_or(&[], Vec::as_slice),
            ReadsOf::Viewer(viewer) => model.by_viewer.get(&viewer).map_or(&[], Vec::as_slice),
            ReadsOf::All => {
                all = (0..u32::try_from(model.reads.len()).unwrap_or(u32::MAX)).collect();
                &all
            }
        };
        let end = before.map_or(numbers.len(), |b| numbers.partition_point(|&n| n < b));
        let page = numbers[..end]
            .iter()
            .rev()
            .take(first)
            .filter_map(|&n| Some((n, *model.reads.get(n as usize)?)))
            .collect();
        (page, numbers.len())
    }
}

impl Projection for AuditTrail {
    fn name(&self) -> &'static str {
        "audit"
    }

    fn apply(&self, events: &[Applied]) {
        let mut model = self.model.write();
        for applied in events {
            let Event::Audit(AuditEvent::PersonalDataRead { reads }) = &applied.event else {
                continue;
            };
            for read in reads {
                let Ok(number) = u32::try_from(model.reads.len()) else {
                    return;
                };
                model.reads.push(Read {
                    position: applied.stored.position,
                    at: applied.stored.recorded_at,
                    viewer: read.viewer,
                    person: read.person,
                });
                model.by_person.entry(read.person).or_default().push(number);
                model.by_viewer.entry(read.viewer).or_default().push(number);
            }
        }
    }

    fn digest(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.model.read().reads.hash(&mut hasher);
        hasher.finish()
    }
}
