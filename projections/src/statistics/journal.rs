//! The subtree journal: which events concern which subtree, so a journal page
//! and its total for a holder below the root come from an index, not a scan
//! of the log.
//!
//! Each event is attributed, as it is applied, to the organisations it
//! concerns: its own (organisation events), the home or homes (admission,
//! transfer, end; any other person or card event: the person's home at that
//! moment, the last one for a former member), the organisation applied to
//! (applications), the organisation a role covers (grants and revocations).
//! The audit trail's events concern no subtree. Per organisation the index
//! keeps the positions and days of its events, ascending.
//!
//! An event belongs to the subtree of S when one of its organisations was in
//! S's subtree on the event's day (its effective date, else the day it was
//! recorded), the tree as of that day: an organisation moved last year counts
//! for its old parent before the move and its new one after. The candidates of
//! S are the organisations ever below it ([`Orgs::ever_children`]); one whose
//! path up to S never moved is in S's subtree on every day, so its events are
//! counted by one binary search, and only the events of moved ones are checked
//! day by day. An event of two or three organisations (a transfer, a move) is
//! listed under each; the total subtracts the doubles among those, so a count
//! costs the subtree's organisations and its transfers, never the log.

use std::collections::{BinaryHeap, HashMap};
use std::hash::{Hash, Hasher};

use chrono::NaiveDate;
use domain::event::{
    AccessEvent, ApplicationEvent, CardEvent, ConsultationEvent, DocumentEvent, Event,
    MailingEvent, MeetingEvent, OrganizationEvent, PersonEvent,
};
use domain::ids::{ApplicationId, UserId};
use serde::{Deserialize, Serialize};

use crate::statistics::bands::day;
use crate::statistics::orgs::{NONE, Orgs};
use crate::statistics::persons::Persons;
use crate::statistics::table::SpellRef;

/// Days are kept from 1900-01-01 (this day number) on, in a `u16` (until 2079).
const FIRST_DAY: i32 = 693_596;

/// The events of one organisation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Listed {
    /// Positions, ascending.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    positions: Vec<u32>,
    /// The day of each, from [`FIRST_DAY`].
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    days: Vec<u16>,
    /// The positions, ascending, of those listed under other organisations too.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    shared: Vec<u32>,
}

/// An event listed under several organisations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
struct Shared {
    position: u32,
    day: u16,
    orgs: [u32; 3],
}

/// The subtree journal index.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct Journal {
    /// By organisation index (as in [`Orgs`]).
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    listed: Vec<Listed>,
    /// Events of several organisations, by position.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    shared: Vec<Shared>,
    /// The organisation each application went to, for its decision.
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    applications: HashMap<ApplicationId, u32>,
    /// The organisation each role covers, for its revocation.
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    grants: HashMap<UserId, u32>,
}

impl Journal {
    /// Attributes the event at `position`, dated `on`, after the statistics
    /// folded it (so its organisations and persons are known).
    pub(crate) fn apply(
        &mut self,
        orgs: &Orgs,
        persons: &Persons,
        event: &Event,
        position: u32,
        on: NaiveDate,
    ) {
        let org = |id| orgs.index.get(id).copied();
        let home = |person| {
            let idx = persons.find(person)?;
            let spell = persons.last_spell[idx as usize];
            (spell != SpellRef::NONE).then(|| spell.org())
        };
        let concerned: [Option<u32>; 3] = match event {
            Event::Organization(OrganizationEvent::Moved {
                org_id,
                from_parent,
                to_parent,
                ..
            }) => [org(org_id), org(from_parent), org(to_parent)],
            Event::Organization(e) => [org(&e.org_id()), None, None],
            Event::Person(PersonEvent::Admitted { home_org, .. })
            | Event::Person(PersonEvent::MembershipEnded { home_org, .. }) => {
                [org(home_org), None, None]
            }
            Event::Person(PersonEvent::Transferred {
                from_org, to_org, ..
            }) => [org(from_org), org(to_org), None],
            Event::Person(e) => [home(e.person_id()), None, None],
            Event::Card(CardEvent::NumberReserved { person_id, .. }) => {
                [home(*person_id), None, None]
            }
            Event::Application(ApplicationEvent::Submitted {
                application_id,
                org_id,
                ..
            }) => {
                let org = org(org_id);
                if let Some(org) = org {
                    self.applications.insert(*application_id, org);
                }
                [org, None, None]
            }
            Event::Application(e) => [
                self.applications.get(&e.application_id()).copied(),
                None,
                None,
            ],
            Event::Access(AccessEvent::RoleGranted {
                user_id, org_id, ..
            }) => {
                let org = org(org_id);
                if let Some(org) = org {
                    self.grants.insert(*user_id, org);
                }
                [org, None, None]
            }
            Event::Access(AccessEvent::RoleRevoked { user_id }) => {
                [self.grants.get(user_id).copied(), None, None]
            }
            Event::Meeting(MeetingEvent::Convened { org_id, .. }) => [org(org_id), None, None],
            Event::Meeting(MeetingEvent::AttendanceRecorded { person_id, .. }) => {
                [home(*person_id), None, None]
            }
            Event::Mailing(MailingEvent::Scheduled { segment, .. }) => {
                [org(&segment.org_id), None, None]
            }
            Event::Mailing(MailingEvent::Unsubscribed { person_id, .. }) => {
                [home(*person_id), None, None]
            }
            Event::Library(DocumentEvent::Uploaded { audience, .. }) => {
                [org(&audience.org_id), None, None]
            }
            // A question concerns the region it is addressed to; its later
            // events name no organisation.
            Event::Consultation(ConsultationEvent::Asked { region_id, .. }) => {
                [org(region_id), None, None]
            }
            // A campaign's outcomes would drown the journal; its figures
            // are the mailings query's.
            // A document's later events name no organisation; its upload does.
            Event::Audit(_) | Event::Mailing(_) | Event::Library(_) | Event::Consultation(_) => {
                [None, None, None]
            }
        };
        let mut orgs_of = [NONE; 3];
        let mut n = 0;
        for org in concerned.into_iter().flatten() {
            if !orgs_of[..n].contains(&org) {
                orgs_of[n] = org;
                n += 1;
            }
        }
        let day = day16(on);
        for &org in &orgs_of[..n] {
            let idx = org as usize;
            if self.listed.len() <= idx {
                self.listed
                    .resize_with(orgs.len().max(idx + 1), Listed::default);
            }
            let listed = &mut self.listed[idx];
            if listed.positions.last() == Some(&position) {
                continue;
            }
            grow(&mut listed.positions);
            grow(&mut listed.days);
            listed.positions.push(position);
            listed.days.push(day);
            if n > 1 {
                listed.shared.push(position);
            }
        }
        if n > 1 {
            self.shared.push(Shared {
                position,
                day,
                orgs: orgs_of,
            });
        }
    }

    /// Events after `from` that concern the subtree of `root` (see the module).
    pub(crate) fn count(&self, orgs: &Orgs, root: u32, from: u32) -> u64 {
        let mut total: u64 = 0;
        for (org, steady) in candidates(orgs, root) {
            let Some(listed) = self.listed.get(org as usize) else {
                continue;
            };
            let start = listed.positions.partition_point(|&p| p <= from);
            total += if steady {
                (listed.positions.len() - start) as u64
            } else {
                (start..listed.positions.len())
                    .filter(|&i| in_subtree(orgs, org, root, listed.days[i]))
                    .count() as u64
            };
            let shared_start = listed.shared.partition_point(|&p| p <= from);
            for &position in &listed.shared[shared_start..] {
                let Some(event) = self.shared_event(position) else {
                    continue;
                };
                let inside: Vec<u32> = event
                    .orgs
                    .iter()
                    .copied()
                    .filter(|&o| o != NONE && in_subtree(orgs, o, root, event.day))
                    .collect();
                // Counted once per organisation inside: the first of them
                // takes back the others.
                if inside.first() == Some(&org) {
                    total -= (inside.len() - 1) as u64;
                }
            }
        }
        total
    }

    /// Up to `limit` positions after `after` of events that concern the
    /// subtree of `root`, ascending.
    pub(crate) fn page(&self, orgs: &Orgs, root: u32, after: u32, limit: usize) -> Vec<u32> {
        let lists: Vec<(u32, bool, &Listed)> = candidates(orgs, root)
            .into_iter()
            .filter_map(|(org, steady)| Some((org, steady, self.listed.get(org as usize)?)))
            .collect();
        // The next position of each list, smallest first.
        let mut heads = BinaryHeap::new();
        for (list, (_, _, listed)) in lists.iter().enumerate() {
            let start = listed.positions.partition_point(|&p| p <= after);
            if let Some(&position) = listed.positions.get(start) {
                heads.push(std::cmp::Reverse((position, list, start)));
            }
        }
        let mut page: Vec<u32> = Vec::with_capacity(limit.min(1024));
        while let Some(std::cmp::Reverse((position, list, at))) = heads.pop() {
            if page.len() == limit {
                break;
            }
            let (org, steady, listed) = lists[list];
            if let Some(&next) = listed.positions.get(at + 1) {
                heads.push(std::cmp::Reverse((next, list, at + 1)));
            }
            let inside = steady || in_subtree(orgs, org, root, listed.days[at]);
            if inside && page.last() != Some(&position) {
                page.push(position);
            }
        }
        page
    }

    /// Up to `limit` positions above `from` and below `before` of events that
    /// concern the subtree of `root`, the nearest to `before` (all lists merged
    /// from their ends down, as [`Journal::page`] merges them up), ascending.
    pub(crate) fn page_before(
        &self,
        orgs: &Orgs,
        root: u32,
        from: u32,
        before: u32,
        limit: usize,
    ) -> Vec<u32> {
        let lists: Vec<(u32, bool, &Listed)> = candidates(orgs, root)
            .into_iter()
            .filter_map(|(org, steady)| Some((org, steady, self.listed.get(org as usize)?)))
            .collect();
        // The previous position of each list, largest first.
        let mut heads = BinaryHeap::new();
        for (list, (_, _, listed)) in lists.iter().enumerate() {
            let end = listed.positions.partition_point(|&p| p < before);
            if let Some(at) = end.checked_sub(1) {
                heads.push((listed.positions[at], list, at));
            }
        }
        let mut page: Vec<u32> = Vec::with_capacity(limit.min(1024));
        while let Some((position, list, at)) = heads.pop() {
            if page.len() == limit || position <= from {
                break;
            }
            let (org, steady, listed) = lists[list];
            if let Some(previous) = at.checked_sub(1) {
                heads.push((listed.positions[previous], list, previous));
            }
            let inside = steady || in_subtree(orgs, org, root, listed.days[at]);
            if inside && page.last() != Some(&position) {
                page.push(position);
            }
        }
        page.reverse();
        page
    }

    /// Whether the event at `position` concerns the subtree of `root`.
    pub(crate) fn concerns(&self, orgs: &Orgs, root: u32, position: u32) -> bool {
        candidates(orgs, root).into_iter().any(|(org, steady)| {
            self.listed.get(org as usize).is_some_and(|listed| {
                listed
                    .positions
                    .binary_search(&position)
                    .is_ok_and(|at| steady || in_subtree(orgs, org, root, listed.days[at]))
            })
        })
    }

    /// Feeds the index to `hasher`, for the projection's digest.
    pub(crate) fn hash_into(&self, hasher: &mut impl Hasher) {
        self.listed.hash(hasher);
        self.shared.hash(hasher);
        let mut applications: Vec<_> = self.applications.iter().collect();
        applications.sort();
        applications.hash(hasher);
        let mut grants: Vec<_> = self.grants.iter().collect();
        grants.sort();
        grants.hash(hasher);
    }

    /// Bytes held, for memory reports.
    pub(crate) fn heap_bytes(&self) -> usize {
        let lists: usize = self
            .listed
            .iter()
            .map(|l| l.positions.capacity() * 4 + l.days.capacity() * 2 + l.shared.capacity() * 4)
            .sum();
        lists
            + self.listed.capacity() * std::mem::size_of::<Listed>()
            + self.shared.capacity() * std::mem::size_of::<Shared>()
            + crate::columns::hash_table_bytes(self.applications.capacity(), 20)
            + crate::columns::hash_table_bytes(self.grants.capacity(), 20)
    }

    fn shared_event(&self, position: u32) -> Option<&Shared> {
        let at = self
            .shared
            .binary_search_by_key(&position, |s| s.position)
            .ok()?;
        self.shared.get(at)
    }
}

/// Every organisation ever in the subtree of `root` (itself included), and
/// whether it is in it on every day: no organisation on its path up to
/// `root` ever moved.
fn candidates(orgs: &Orgs, root: u32) -> Vec<(u32, bool)> {
    let mut found = vec![(root, true)];
    let mut seen = std::collections::HashSet::from([root]);
    let mut next = 0;
    while let Some(&(org, steady)) = found.get(next) {
        next += 1;
        for &child in &orgs.ever_children[org as usize] {
            if seen.insert(child) {
                found.push((child, steady && orgs.moves[child as usize].is_empty()));
            }
        }
    }
    found
}

/// Whether `org` was in the subtree of `root` on `day` (as every known move has it).
fn in_subtree(orgs: &Orgs, org: u32, root: u32, day: u16) -> bool {
    let day = FIRST_DAY + i32::from(day);
    let mut at = org;
    // The tree's depth is six; a longer walk is a cycle no valid log has.
    for _ in 0..64 {
        if at == root {
            return true;
        }
        at = orgs.parent_on(at, day, u32::MAX);
        if at == NONE {
            return false;
        }
    }
    false
}

/// `date` as days from [`FIRST_DAY`], clamped to a `u16`.
fn day16(date: NaiveDate) -> u16 {
    u16::try_from((day(date) - FIRST_DAY).max(0)).unwrap_or(u16::MAX)
}

/// Grows `column` by an eighth when full, not double: a loaded index then
/// holds little slack.
fn grow<T>(column: &mut Vec<T>) {
    if column.len() == column.capacity() {
        column.reserve_exact((column.len() / 8).max(4));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_count_from_the_first_of_1900() {
        let first = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        assert_eq!(day(first), FIRST_DAY);
        assert_eq!(day16(first), 0);
        assert_eq!(day16(NaiveDate::from_ymd_opt(1899, 12, 31).unwrap()), 0);
        let later = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
        assert_eq!(FIRST_DAY + i32::from(day16(later)), day(later));
    }
}
