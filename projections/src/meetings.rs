//! Meetings: each meeting an organisation convened and the members recorded
//! present at it, in the order they came. Folded from `MeetingConvened` and
//! `AttendanceRecorded`; names are not kept here (the registry has them).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use chrono::NaiveDate;
use domain::card_number::CardNumber;
use domain::event::{Event, MeetingEvent};
use domain::ids::{MeetingId, OrgId, PersonId};
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::runtime::{Applied, Projection};
use crate::snapshot::{self, Install, Section, SnapshotError};

/// A meeting and who came.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MeetingView {
    /// The meeting.
    pub meeting_id: MeetingId,
    /// The organisation holding it.
    pub org_id: OrgId,
    /// What it is.
    pub title: String,
    /// The day it is held.
    pub held_on: NaiveDate,
    /// The stream's version (events in it).
    pub version: u64,
    /// The members present, in the order they were recorded.
    pub attendees: Vec<Attendee>,
}

/// One member present.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attendee {
    /// The member.
    pub person_id: PersonId,
    /// The card presented.
    pub number: CardNumber,
    /// The day it was recorded.
    pub recorded_on: NaiveDate,
    /// The log position of the record.
    pub position: u64,
}

/// The meetings read model.
#[derive(Default)]
pub struct Meetings {
    model: RwLock<HashMap<MeetingId, MeetingView>>,
}

impl Meetings {
    /// An empty model.
    pub fn new() -> Meetings {
        Meetings::default()
    }

    /// The meeting `meeting_id`, if convened.
    pub fn meeting(&self, meeting_id: MeetingId) -> Option<MeetingView> {
        self.model.read().get(&meeting_id).cloned()
    }

    /// Every meeting `keep` accepts, newest day first.
    pub fn meetings(&self, keep: impl Fn(&MeetingView) -> bool) -> Vec<MeetingView> {
        let mut found: Vec<MeetingView> = self
            .model
            .read()
            .values()
            .filter(|m| keep(m))
            .cloned()
            .collect();
        found.sort_by(|a, b| (b.held_on, &b.title).cmp(&(a.held_on, &a.title)));
        found
    }
}

impl Projection for Meetings {
    fn name(&self) -> &'static str {
        "meetings"
    }

    fn apply(&self, events: &[Applied]) {
        let mut model = self.model.write();
        for applied in events {
            let Event::Meeting(event) = &applied.event else {
                continue;
            };
            match event {
                MeetingEvent::Convened {
                    meeting_id,
                    org_id,
                    title,
                    held_on,
                } => {
                    model.insert(
                        *meeting_id,
                        MeetingView {
                            meeting_id: *meeting_id,
                            org_id: *org_id,
                            title: title.clone(),
                            held_on: *held_on,
                            version: applied.stored.version,
                            attendees: Vec::new(),
                        },
                    );
                }
                MeetingEvent::AttendanceRecorded {
                    meeting_id,
                    person_id,
                    number,
                    recorded_on,
                } => {
                    if let Some(meeting) = model.get_mut(meeting_id) {
                        meeting.version = applied.stored.version;
                        meeting.attendees.push(Attendee {
                            person_id: *person_id,
                            number: *number,
                            recorded_on: *recorded_on,
                            position: applied.stored.position,
                        });
                    }
                }
            }
        }
    }

    fn digest(&self) -> u64 {
        let model = self.model.read();
        let mut meetings: Vec<&MeetingView> = model.values().collect();
        meetings.sort_by_key(|m| m.meeting_id);
        let mut hasher = DefaultHasher::new();
        meetings.hash(&mut hasher);
        hasher.finish()
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        snapshot::save(self.name(), &*self.model.read(), out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let model: HashMap<MeetingId, MeetingView> = snapshot::restore(self.name(), bytes)?;
        Ok(Box::new(move || *self.model.write() = model))
    }
}
