//! Fixtures for the person tests: a few people, homes, and event/command builders.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::card_number::CardNumber;
use crate::event::PersonEvent;
use crate::ids::{OrgId, PersonId};
use crate::person::{
    AdmitMember, EndMembership, HomeFacts, IssueCard, Person, PersonCommand, TransferMember,
};
use crate::snils::Snils;
use crate::testing::{Given, TestHarness, d, today};
use crate::vocabulary::card::{CardBlockReason, CardKind};
use crate::vocabulary::organization::OrgLevel;
use crate::vocabulary::person::{EndReason, Gender, MemberCategory, PersonalData, Profile};

pub const ANNA: PersonId = PersonId(Uuid::from_u128(1));
pub const BORIS: PersonId = PersonId(Uuid::from_u128(2));
pub const SCHOOL: OrgId = OrgId(Uuid::from_u128(17));
pub const KINDERGARTEN: OrgId = OrgId(Uuid::from_u128(18));
pub const COLLEGE: OrgId = OrgId(Uuid::from_u128(19));

/// The person aggregate's harness, today being [`today`].
pub fn given(
    events: impl IntoIterator<Item = PersonEvent>,
) -> Given<Person, PersonCommand, PersonEvent> {
    TestHarness::new(crate::person::decide, crate::person::evolve, today()).given(events)
}

pub fn anna_snils() -> Snils {
    Snils::from_number(112_233_445).unwrap()
}

pub fn personal_born(birth_date: NaiveDate) -> PersonalData {
    PersonalData {
        last_name: "Иванова".into(),
        first_name: "Анна".into(),
        patronymic: Some("Петровна".into()),
        birth_date,
        snils: Some(anna_snils()),
        email: None,
        phone: None,
    }
}

pub fn personal() -> PersonalData {
    personal_born(d(1990, 4, 12))
}

pub fn profile_of(personal: &PersonalData) -> Profile {
    Profile::new(personal, Gender::Female, MemberCategory::Worker, None, None)
}

pub fn admitted(person_id: PersonId, home_org: OrgId, effective_on: NaiveDate) -> PersonEvent {
    PersonEvent::Admitted {
        person_id,
        home_org,
        effective_on,
        profile: profile_of(&personal()),
        personal: Some(personal()),
        application_id: None,
    }
}

pub fn admit(person_id: PersonId, home_org: OrgId, effective_on: NaiveDate) -> AdmitMember {
    AdmitMember {
        person_id,
        home_org,
        home: HomeFacts::open(OrgLevel::Primary),
        effective_on,
        profile: profile_of(&personal()),
        personal: personal(),
        snils_holder: None,
        application_id: None,
    }
}

pub fn transferred(
    person_id: PersonId,
    from_org: OrgId,
    to_org: OrgId,
    effective_on: NaiveDate,
) -> PersonEvent {
    PersonEvent::Transferred {
        person_id,
        from_org,
        to_org,
        effective_on,
    }
}

pub fn transfer(person_id: PersonId, to_org: OrgId, effective_on: NaiveDate) -> TransferMember {
    TransferMember {
        person_id,
        to_org,
        to: HomeFacts::open(OrgLevel::Primary),
        effective_on,
    }
}

pub fn ended(person_id: PersonId, home_org: OrgId, effective_on: NaiveDate) -> PersonEvent {
    PersonEvent::MembershipEnded {
        person_id,
        home_org,
        reason: EndReason::VoluntaryExit,
        basis: None,
        effective_on,
    }
}

pub fn end(person_id: PersonId, reason: EndReason, effective_on: NaiveDate) -> EndMembership {
    EndMembership {
        person_id,
        reason,
        basis: None,
        effective_on,
    }
}

pub fn card(sequence: u64) -> CardNumber {
    CardNumber::new(77, sequence).unwrap()
}

pub fn issued(person_id: PersonId, number: CardNumber, issued_on: NaiveDate) -> PersonEvent {
    PersonEvent::CardIssued {
        person_id,
        number,
        kind: CardKind::Plastic,
        issued_on,
    }
}

pub fn issue(person_id: PersonId, number: CardNumber, issued_on: NaiveDate) -> IssueCard {
    IssueCard {
        person_id,
        number,
        kind: CardKind::Plastic,
        issued_on,
    }
}

pub fn blocked(
    person_id: PersonId,
    number: CardNumber,
    reason: CardBlockReason,
    blocked_on: NaiveDate,
) -> PersonEvent {
    PersonEvent::CardBlocked {
        person_id,
        number,
        reason,
        blocked_on,
    }
}
