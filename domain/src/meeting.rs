//! The meeting aggregate (stream `meeting-<uuid>`): a conference, plenum or
//! seminar of an organisation, and the members present at it, recorded by
//! their card (DESIGN.md "Meetings").
//!
//! Convening names the organisation and the day; the caller reads the
//! organisation ([`MeetingOrg`]). Each member present is one
//! `AttendanceRecorded`: the card must be an active card of a member whose
//! home is inside the meeting's organisation ([`AttendeeCard`], looked up by
//! the caller), and a member is recorded once however often their card is
//! scanned.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use crate::card_number::CardNumber;
use crate::error::DomainError;
use crate::event::MeetingEvent;
use crate::ids::{MeetingId, OrgId, PersonId};
use crate::rules::{RuleViolation, not_after_today};

/// A meeting as the charter sees it: folded from its stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meeting {
    /// The meeting, once convened (`None`: no event yet).
    pub convened: Option<Convened>,
    /// The members recorded present.
    pub present: BTreeSet<PersonId>,
}

/// What convening fixed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Convened {
    /// The meeting.
    pub meeting_id: MeetingId,
    /// The organisation holding it.
    pub org_id: OrgId,
    /// The day it is held.
    pub held_on: NaiveDate,
}

/// The organisation a meeting is convened by, as the caller read it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingOrg {
    /// It exists and is not dissolved on the day.
    Open,
    /// It was dissolved on or before the day.
    Dissolved,
}

/// The card presented at the door, as the caller looked it up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttendeeCard {
    /// No card has the number.
    Unknown,
    /// The card is blocked (replaced, lost, membership ended).
    Blocked,
    /// The active card of `person_id`, whose home is inside the meeting's
    /// organisation or not.
    Active {
        /// The holder.
        person_id: PersonId,
        /// Whether the holder's home is in the meeting organisation's subtree.
        inside: bool,
    },
}

/// Convene a meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConveneMeeting {
    /// The new meeting's id, chosen by the caller.
    pub meeting_id: MeetingId,
    /// The organisation holding it.
    pub org_id: OrgId,
    /// What it is, e.g. «Отчётно-выборная конференция».
    pub title: String,
    /// The day it is held.
    pub held_on: NaiveDate,
    /// The organisation, as read.
    pub org: MeetingOrg,
}

/// Record that the holder of `number` is present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordAttendance {
    /// The number presented.
    pub number: CardNumber,
    /// Its card, as read.
    pub card: AttendeeCard,
    /// The day it is recorded.
    pub recorded_on: NaiveDate,
}

/// Every command on a meeting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MeetingCommand {
    /// [`ConveneMeeting`].
    Convene(ConveneMeeting),
    /// [`RecordAttendance`].
    Record(RecordAttendance),
}

impl From<ConveneMeeting> for MeetingCommand {
    fn from(command: ConveneMeeting) -> MeetingCommand {
        MeetingCommand::Convene(command)
    }
}

impl From<RecordAttendance> for MeetingCommand {
    fn from(command: RecordAttendance) -> MeetingCommand {
        MeetingCommand::Record(command)
    }
}

/// Decides a command on a meeting.
///
/// # Errors
/// Convening: [`RuleViolation::MeetingOfDissolved`], [`RuleViolation::FutureDate`],
/// [`RuleViolation::MeetingConvened`] for a second convening of one id.
/// Recording: [`RuleViolation::MeetingNotConvened`], [`RuleViolation::UnknownCard`],
/// [`RuleViolation::CardNotActive`], [`RuleViolation::OutsideMeeting`],
/// [`RuleViolation::AlreadyPresent`], [`RuleViolation::FutureDate`].
pub fn decide(
    meeting: &Meeting,
    command: &MeetingCommand,
    today: NaiveDate,
) -> Result<Vec<MeetingEvent>, DomainError> {
    match command {
        MeetingCommand::Convene(c) => {
            if meeting.convened.is_some() {
                return Err(RuleViolation::MeetingConvened.into());
            }
            if c.org == MeetingOrg::Dissolved {
                return Err(RuleViolation::MeetingOfDissolved.into());
            }
            not_after_today(c.held_on, today)?;
            Ok(vec![MeetingEvent::Convened {
                meeting_id: c.meeting_id,
                org_id: c.org_id,
                title: c.title.clone(),
                held_on: c.held_on,
            }])
        }
        MeetingCommand::Record(c) => {
            let convened = meeting
                .convened
                .as_ref()
                .ok_or(RuleViolation::MeetingNotConvened)?;
            not_after_today(c.recorded_on, today)?;
            let person_id = match c.card {
                AttendeeCard::Unknown => return Err(RuleViolation::UnknownCard.into()),
                AttendeeCard::Blocked => return Err(RuleViolation::CardNotActive.into()),
                AttendeeCard::Active { inside: false, .. } => {
                    return Err(RuleViolation::OutsideMeeting.into());
                }
                AttendeeCard::Active { person_id, .. } => person_id,
            };
            if meeting.present.contains(&person_id) {
                return Err(RuleViolation::AlreadyPresent.into());
            }
            Ok(vec![MeetingEvent::AttendanceRecorded {
                meeting_id: convened.meeting_id,
                person_id,
                number: c.number,
                recorded_on: c.recorded_on,
            }])
        }
    }
}

/// Folds `event` into the meeting. Validates nothing: the log is history.
pub fn evolve(meeting: &mut Meeting, event: &MeetingEvent) {
    match event {
        MeetingEvent::Convened {
            meeting_id,
            org_id,
            held_on,
            ..
        } => {
            meeting.convened = Some(Convened {
                meeting_id: *meeting_id,
                org_id: *org_id,
                held_on: *held_on,
            });
        }
        MeetingEvent::AttendanceRecorded { person_id, .. } => {
            meeting.present.insert(*person_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::*;
    use crate::testing::{Given, TestHarness, d, org, person, today};

    const MEETING: MeetingId = MeetingId(Uuid::from_u128(900));

    fn number(n: u64) -> CardNumber {
        CardNumber::new(77, n).unwrap()
    }

    fn convened() -> MeetingEvent {
        MeetingEvent::Convened {
            meeting_id: MEETING,
            org_id: org(1),
            title: "Конференция".into(),
            held_on: d(2024, 5, 1),
        }
    }

    fn convene(org_state: MeetingOrg) -> ConveneMeeting {
        ConveneMeeting {
            meeting_id: MEETING,
            org_id: org(1),
            title: "Конференция".into(),
            held_on: d(2024, 5, 1),
            org: org_state,
        }
    }

    fn scan(n: u64, card: AttendeeCard) -> RecordAttendance {
        RecordAttendance {
            number: number(n),
            card,
            recorded_on: d(2024, 5, 1),
        }
    }

    fn active(n: u128) -> AttendeeCard {
        AttendeeCard::Active {
            person_id: person(n),
            inside: true,
        }
    }

    fn present(n: u128) -> MeetingEvent {
        MeetingEvent::AttendanceRecorded {
            meeting_id: MEETING,
            person_id: person(n),
            number: number(n as u64),
            recorded_on: d(2024, 5, 1),
        }
    }

    fn given(
        events: impl IntoIterator<Item = MeetingEvent>,
    ) -> Given<Meeting, MeetingCommand, MeetingEvent> {
        TestHarness::new(decide, evolve, today()).given(events)
    }

    #[test]
    fn a_meeting_is_convened_once_by_an_open_organisation() {
        given([]).when(convene(MeetingOrg::Open)).then([convened()]);
        given([convened()])
            .when(convene(MeetingOrg::Open))
            .then_err(RuleViolation::MeetingConvened);
        given([])
            .when(convene(MeetingOrg::Dissolved))
            .then_err(RuleViolation::MeetingOfDissolved);
    }

    #[test]
    fn a_member_with_an_active_card_is_recorded_present_once() {
        given([convened()])
            .when(scan(1, active(1)))
            .then([present(1)]);
        given([convened(), present(1)])
            .when(scan(1, active(1)))
            .then_err(RuleViolation::AlreadyPresent);
    }

    #[test]
    fn unknown_blocked_and_outside_cards_are_refused() {
        given([convened()])
            .when(scan(5, AttendeeCard::Unknown))
            .then_err(RuleViolation::UnknownCard);
        given([convened()])
            .when(scan(5, AttendeeCard::Blocked))
            .then_err(RuleViolation::CardNotActive);
        let outside = AttendeeCard::Active {
            person_id: person(5),
            inside: false,
        };
        given([convened()])
            .when(scan(5, outside))
            .then_err(RuleViolation::OutsideMeeting);
        given([])
            .when(scan(1, active(1)))
            .then_err(RuleViolation::MeetingNotConvened);
    }

    fn any_card() -> impl Strategy<Value = AttendeeCard> {
        prop_oneof![
            Just(AttendeeCard::Unknown),
            Just(AttendeeCard::Blocked),
            (0u128..6, any::<bool>()).prop_map(|(n, inside)| AttendeeCard::Active {
                person_id: person(n),
                inside,
            }),
        ]
    }

    proptest! {
        /// Whatever cards are scanned in whatever order, each member is
        /// recorded at most once, and only from an active card of a member
        /// inside the meeting's organisation.
        #[test]
        fn attendance_is_one_event_per_member_present(cards in prop::collection::vec(any_card(), 0..40)) {
            let mut meeting = Meeting::default();
            evolve(&mut meeting, &convened());
            let mut recorded = Vec::new();
            for (i, card) in cards.iter().enumerate() {
                let command = scan(i as u64 + 1, *card).into();
                if let Ok(events) = decide(&meeting, &command, today()) {
                    let AttendeeCard::Active { person_id, inside } = *card else {
                        panic!("a {card:?} card was recorded");
                    };
                    prop_assert!(inside);
                    for event in &events {
                        evolve(&mut meeting, event);
                    }
                    recorded.push(person_id);
                }
            }
            let distinct: BTreeSet<PersonId> = recorded.iter().copied().collect();
            prop_assert_eq!(distinct.len(), recorded.len());
            let expected: BTreeSet<PersonId> = cards
                .iter()
                .filter_map(|card| match card {
                    AttendeeCard::Active { person_id, inside: true } => Some(*person_id),
                    _ => None,
                })
                .collect();
            prop_assert_eq!(distinct, expected);
        }
    }
}
