//! The audit trail of personal-data reads: who read whose data, and when.
//!
//! Folded from `PersonalDataRead` events; answers by person or by viewer,
//! newest first, for ADMIN and AUDITOR.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use domain::audit::{AuditEvent, DataSubject};
use domain::event::Event;
use domain::ids::{PersonId, UserId};
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::runtime::{Applied, Projection};
use crate::snapshot::{self, Install, Section, SnapshotError};

/// One read: a viewer shown a person's personal data, recorded at a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Read {
    /// The log position of the event recording it.
    pub position: u64,
    /// When it was recorded.
    pub at: DateTime<Utc>,
    /// Who read.
    pub viewer: UserId,
    /// Whose data.
    pub subject: DataSubject,
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

#[derive(Default, Serialize, Deserialize)]
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
        let numbers = Numbers::of(&model, of);
        let end = before.map_or(numbers.len(), |b| numbers.count_below(b));
        let start = end.saturating_sub(first);
        (numbers.page(&model, start..end), numbers.len())
    }

    /// [`AuditTrail::reads`] backward: up to `last` reads selected by `of`
    /// newer than the read numbered `after` (`None`: from the oldest), the
    /// nearest to it, newest first as the list runs; and how many there are.
    pub fn reads_newer(
        &self,
        of: ReadsOf,
        after: Option<u32>,
        last: usize,
    ) -> (Vec<(u32, Read)>, usize) {
        let model = self.model.read();
        let numbers = Numbers::of(&model, of);
        let start = after.map_or(0, |a| numbers.count_below(a.saturating_add(1)));
        let end = numbers.len().min(start.saturating_add(last));
        (numbers.page(&model, start..end), numbers.len())
    }
}

/// The ascending numbers of the reads a [`ReadsOf`] selects.
enum Numbers<'m> {
    /// Every read: its number is its index, no list to build.
    All(usize),
    Listed(&'m [u32]),
}

impl<'m> Numbers<'m> {
    fn of(model: &'m Model, of: ReadsOf) -> Numbers<'m> {
        match of {
            ReadsOf::Person(person) => {
                Numbers::Listed(model.by_person.get(&person).map_or(&[], Vec::as_slice))
            }
            ReadsOf::Viewer(viewer) => {
                Numbers::Listed(model.by_viewer.get(&viewer).map_or(&[], Vec::as_slice))
            }
            ReadsOf::All => Numbers::All(model.reads.len()),
        }
    }

    fn len(&self) -> usize {
        match self {
            Numbers::All(total) => *total,
            Numbers::Listed(numbers) => numbers.len(),
        }
    }

    /// How many of the numbers are below `number`.
    fn count_below(&self, number: u32) -> usize {
        match self {
            Numbers::All(total) => (number as usize).min(*total),
            Numbers::Listed(numbers) => numbers.partition_point(|&n| n < number),
        }
    }

    /// The reads at `range` of the numbers, the newest first.
    fn page(&self, model: &Model, range: std::ops::Range<usize>) -> Vec<(u32, Read)> {
        range
            .rev()
            .filter_map(|i| {
                let number = match self {
                    Numbers::All(_) => u32::try_from(i).ok()?,
                    Numbers::Listed(numbers) => numbers[i],
                };
                Some((number, *model.reads.get(number as usize)?))
            })
            .collect()
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
                    subject: read.subject,
                });
                if let DataSubject::Person(person) = read.subject {
                    model.by_person.entry(person).or_default().push(number);
                }
                model.by_viewer.entry(read.viewer).or_default().push(number);
            }
        }
    }

    fn digest(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.model.read().reads.hash(&mut hasher);
        hasher.finish()
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        snapshot::save(self.name(), &*self.model.read(), out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let model: Model = snapshot::restore(self.name(), bytes)?;
        Ok(Box::new(move || *self.model.write() = model))
    }
}

#[cfg(test)]
mod tests {
    use domain::audit::PersonalDataRead;
    use eventlog::{Personal, StoredEvent};
    use uuid::Uuid;

    use super::*;

    fn recorded(position: u64, reads: Vec<PersonalDataRead>) -> Applied {
        Applied {
            stored: StoredEvent {
                position,
                stream: domain::audit::AUDIT_STREAM.into(),
                version: position,
                event_id: Uuid::from_u128(u128::from(position)),
                event_type: "PersonalDataRead".into(),
                schema_version: 1,
                effective_on: None,
                recorded_at: Utc::now(),
                actor: "audit".into(),
                correlation_id: None,
                causation_id: None,
                payload: String::new(),
                personal: Personal::None,
            },
            event: Event::Audit(AuditEvent::PersonalDataRead { reads }),
        }
    }

    #[test]
    fn pages_go_from_the_newest_read_back() {
        let viewer = UserId(Uuid::from_u128(1));
        let person = |n: u128| PersonId(Uuid::from_u128(100 + n));
        let read = |n: u128| PersonalDataRead::of_person(viewer, person(n % 2));
        let trail = AuditTrail::new();
        trail.apply(&[
            recorded(7, vec![read(0), read(1)]),
            recorded(9, vec![read(2), read(3), read(4)]),
        ]);

        let (page, total) = trail.reads(ReadsOf::All, None, 2);
        assert_eq!(total, 5);
        assert_eq!(page.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [4, 3]);
        assert_eq!(page[0].1.position, 9);
        let (page, _) = trail.reads(ReadsOf::All, Some(3), 10);
        assert_eq!(page.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [2, 1, 0]);
        assert_eq!(page[2].1.position, 7);

        let (page, total) = trail.reads(ReadsOf::Person(person(1)), None, 10);
        assert_eq!(total, 2);
        assert_eq!(page.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [3, 1]);
        let (page, _) = trail.reads(ReadsOf::Viewer(viewer), Some(2), 10);
        assert_eq!(page.iter().map(|(n, _)| *n).collect::<Vec<_>>(), [1, 0]);
    }

    #[test]
    fn backward_pages_are_the_reads_just_newer_than_the_cursor_newest_first() {
        let viewer = UserId(Uuid::from_u128(1));
        let person = |n: u128| PersonId(Uuid::from_u128(100 + n));
        let trail = AuditTrail::new();
        let reads = (0..9u128)
            .map(|n| PersonalDataRead::of_person(viewer, person(n % 3)))
            .collect();
        trail.apply(&[recorded(5, reads)]);
        let numbers = |page: Vec<(u32, Read)>| page.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        for of in [
            ReadsOf::All,
            ReadsOf::Person(person(1)),
            ReadsOf::Viewer(viewer),
        ] {
            // The whole list, newest first, as forward paging gives it.
            let (all, total) = trail.reads(of, None, usize::MAX);
            let all = numbers(all);
            assert_eq!(all.len(), total);
            for k in 1..=total + 1 {
                for i in 0..=total {
                    // The k reads before the i-th of the list (before the end for i = total).
                    let cursor = all.get(i).copied();
                    let (page, counted) = trail.reads_newer(of, cursor, k);
                    assert_eq!(counted, total);
                    let to = if cursor.is_some() { i } else { total };
                    assert_eq!(
                        numbers(page),
                        all[to.saturating_sub(k)..to],
                        "{k} before #{i}"
                    );
                }
            }
        }
    }
}
