//! The organisation journal's index: for each organisation, the positions of the
//! events that concern it (compact `u32`s), and its names over time.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use domain::event::{ApplicationEvent, Event, MeetingEvent, OrganizationEvent, PersonEvent};
use domain::ids::{ApplicationId, MeetingId, OrgId};
use serde::{Deserialize, Serialize};

use crate::runtime::Applied;

/// One organisation's journal.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct OrgJournal {
    pub(crate) org_id: Option<OrgId>,
    /// (position from which it holds, the name shown: short name or full name).
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub(crate) names: Vec<(u32, Box<str>)>,
    /// Positions of the events concerning the organisation, ascending.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub(crate) positions: Vec<u32>,
}

/// Every organisation's journal.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct JournalIndex {
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub(crate) journals: Vec<OrgJournal>,
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    by_id: HashMap<OrgId, u32>,
    /// The organisation each application was submitted to.
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    applications: HashMap<ApplicationId, u32>,
    /// The organisation each meeting was convened by.
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    meetings: HashMap<MeetingId, u32>,
    pub(crate) position: u64,
}

impl JournalIndex {
    /// The journal of `org_id`, if any event concerned it.
    pub(crate) fn journal(&self, org_id: OrgId) -> Option<&OrgJournal> {
        self.journals.get(*self.by_id.get(&org_id)? as usize)
    }

    /// The name `org_id` had just before `position`.
    pub(crate) fn name_before(&self, org_id: OrgId, position: u64) -> Option<String> {
        let journal = self.journal(org_id)?;
        let holds = journal
            .names
            .partition_point(|&(from, _)| u64::from(from) < position);
        let idx = holds.checked_sub(1)?;
        journal.names.get(idx).map(|(_, name)| name.to_string())
    }

    /// Indexes one event.
    pub(crate) fn apply(&mut self, applied: &Applied) {
        self.position = applied.stored.position;
        let Ok(position) = u32::try_from(applied.stored.position) else {
            tracing::warn!(
                position = applied.stored.position,
                "journal index holds u32 positions"
            );
            return;
        };
        let mut concerned = Vec::with_capacity(2);
        match &applied.event {
            Event::Organization(e) => {
                concerned.push(e.org_id());
                match e {
                    OrganizationEvent::Registered {
                        name, short_name, ..
                    }
                    | OrganizationEvent::Renamed {
                        name, short_name, ..
                    } => {
                        let shown = short_name.as_deref().unwrap_or(name);
                        let idx = self.intern(e.org_id());
                        self.journals[idx].names.push((position, shown.into()));
                    }
                    OrganizationEvent::Moved {
                        from_parent,
                        to_parent,
                        ..
                    } => concerned.extend([*from_parent, *to_parent]),
                    _ => {}
                }
            }
            Event::Person(e) => match e {
                PersonEvent::Admitted { home_org, .. }
                | PersonEvent::MembershipEnded { home_org, .. } => concerned.push(*home_org),
                PersonEvent::Transferred {
                    from_org, to_org, ..
                } => concerned.extend([*from_org, *to_org]),
                _ => {}
            },
            Event::Application(e) => match e {
                ApplicationEvent::Submitted {
                    application_id,
                    org_id,
                    ..
                } => {
                    let idx = self.intern(*org_id);
                    self.applications.insert(*application_id, idx as u32);
                    concerned.push(*org_id);
                }
                ApplicationEvent::Approved { application_id, .. }
                | ApplicationEvent::Rejected { application_id, .. } => {
                    if let Some(&idx) = self.applications.get(application_id)
                        && let Some(org_id) = self.journals[idx as usize].org_id
                    {
                        concerned.push(org_id);
                    }
                }
            },
            Event::Meeting(MeetingEvent::Convened {
                meeting_id, org_id, ..
            }) => {
                let idx = self.intern(*org_id);
                self.meetings.insert(*meeting_id, idx as u32);
                concerned.push(*org_id);
            }
            Event::Meeting(MeetingEvent::AttendanceRecorded { meeting_id, .. }) => {
                if let Some(&idx) = self.meetings.get(meeting_id)
                    && let Some(org_id) = self.journals[idx as usize].org_id
                {
                    concerned.push(org_id);
                }
            }
            Event::Card(_)
            | Event::Access(_)
            | Event::Audit(_)
            | Event::Mailing(_)
            | Event::Library(_)
            | Event::Consultation(_) => {}
        }
        for org_id in concerned {
            let idx = self.intern(org_id);
            let positions = &mut self.journals[idx].positions;
            if positions.last() != Some(&position) {
                if positions.len() == positions.capacity() {
                    // An eighth more: a loaded index holds ~6% of slack, not 25–50%.
                    positions.reserve_exact((positions.len() / 8).max(4));
                }
                positions.push(position);
            }
        }
    }

    /// A deterministic digest of the index.
    pub(crate) fn digest(&self) -> u64 {
        let mut h = DefaultHasher::new();
        self.position.hash(&mut h);
        for journal in &self.journals {
            (journal.org_id, &journal.names, &journal.positions).hash(&mut h);
        }
        h.finish()
    }

    /// Bytes held per table, for memory reports.
    pub(crate) fn heap_report(&self) -> Vec<(&'static str, usize)> {
        let (mut positions, mut used, mut names) = (0, 0, 0);
        for journal in &self.journals {
            positions += journal.positions.capacity() * 4;
            used += journal.positions.len() * 4;
            names += journal.names.capacity() * 24
                + journal.names.iter().map(|n| n.1.len()).sum::<usize>();
        }
        vec![
            ("journal positions", positions),
            ("journal positions (used)", used),
            (
                "journals and names",
                names + self.journals.capacity() * std::mem::size_of::<OrgJournal>(),
            ),
            (
                "organisation and application ids",
                crate::columns::hash_table_bytes(self.by_id.capacity(), 20)
                    + crate::columns::hash_table_bytes(self.applications.capacity(), 20),
            ),
        ]
    }

    fn intern(&mut self, org_id: OrgId) -> usize {
        if let Some(&idx) = self.by_id.get(&org_id) {
            return idx as usize;
        }
        let idx = self.journals.len();
        if idx == self.journals.capacity() {
            // An eighth more, not double: see `apply`.
            self.journals.reserve_exact((idx / 8).max(64));
        }
        self.journals.push(OrgJournal {
            org_id: Some(org_id),
            ..OrgJournal::default()
        });
        self.by_id.insert(org_id, idx as u32);
        idx
    }
}
