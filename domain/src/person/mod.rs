//! The person aggregate (stream `person-<uuid>`): membership spells, profile,
//! personal data, cards and erasure.
//!
//! [`decide`] dispatches a [`PersonCommand`] to the file of its command; [`evolve`]
//! folds a [`PersonEvent`] into [`Person`]. The stream version is not in the state:
//! the log keeps it.

mod admit;
mod card;
mod end;
mod erase;
#[cfg(test)]
pub(crate) mod fixtures;
mod transfer;
mod update;

use chrono::NaiveDate;

use crate::calendar::Spell;
use crate::card_number::CardNumber;
use crate::error::DomainError;
use crate::event::PersonEvent;
use crate::ids::{ApplicationId, OrgId, PersonId};
use crate::rules::RuleViolation;
use crate::snils::Snils;
use crate::vocabulary::card::{CardBlockReason, CardKind};
use crate::vocabulary::organization::OrgLevel;
use crate::vocabulary::person::{EndReason, PersonalData, Profile};

pub use admit::AdmitMember;
pub use card::{BlockCard, IssueCard};
pub use end::EndMembership;
pub use erase::ErasePersonalData;
pub use transfer::TransferMember;
pub use update::UpdateMember;

/// A person as the charter sees them: folded from their stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Person {
    /// The person's id; `None` before the first event.
    pub person_id: Option<PersonId>,
    /// Where the membership stands.
    pub status: MembershipStatus,
    /// Every spell of membership, oldest first; the last one is open while active.
    pub spells: Vec<Spell>,
    /// The home organisation while active.
    pub home: Option<OrgId>,
    /// Non-identifying attributes; kept after erasure.
    pub profile: Option<Profile>,
    /// Personal data; `None` once erased.
    pub personal: Option<PersonalData>,
    /// The SNILS, when known and not erased.
    pub snils: Option<Snils>,
    /// The number of the active card, if any.
    pub active_card: Option<CardNumber>,
    /// Every card ever issued to the person, oldest first.
    pub cards: Vec<Card>,
    /// Whether the personal data was erased.
    pub erased: bool,
    /// The online applications the person was admitted from, oldest first:
    /// each holds the person's data under its own key, erased with theirs.
    pub applications: Vec<ApplicationId>,
}

/// Where a person's membership stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MembershipStatus {
    /// No event yet: the person is being admitted for the first time.
    #[default]
    NeverAdmitted,
    /// An active member.
    Active,
    /// The membership ended; only re-admission (or erasure) is accepted.
    Ended {
        /// Why.
        reason: EndReason,
        /// The first day no longer a member.
        effective_on: NaiveDate,
    },
}

/// A union card of the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Card {
    /// The card's number.
    pub number: CardNumber,
    /// Plastic or virtual.
    pub kind: CardKind,
    /// The day of issue.
    pub issued_on: NaiveDate,
    /// Why it was blocked, once it is.
    pub blocked: Option<CardBlockReason>,
}

/// What the registry knows about an organisation a command names as a home
/// (admission, transfer, application). Looked up by the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HomeFacts {
    /// Whether the organisation is registered.
    pub exists: bool,
    /// Whether it is dissolved (on the command's effective date or earlier).
    pub dissolved: bool,
    /// Its level; meaningless when `exists` is false.
    pub level: OrgLevel,
    /// The day it was established; `None`: found in place, any past date fits.
    pub established_on: Option<NaiveDate>,
}

impl HomeFacts {
    /// An open organisation of `level`.
    pub fn open(level: OrgLevel) -> HomeFacts {
        HomeFacts {
            exists: true,
            dissolved: false,
            level,
            established_on: None,
        }
    }

    /// A dissolved organisation of `level`.
    pub fn dissolved(level: OrgLevel) -> HomeFacts {
        HomeFacts {
            exists: true,
            dissolved: true,
            level,
            established_on: None,
        }
    }

    /// An organisation the registry does not know.
    pub fn not_found() -> HomeFacts {
        HomeFacts {
            exists: false,
            dissolved: false,
            level: OrgLevel::Primary,
            established_on: None,
        }
    }

    /// The same organisation, established on `established_on`.
    pub fn established(self, established_on: Option<NaiveDate>) -> HomeFacts {
        HomeFacts {
            established_on,
            ..self
        }
    }

    /// Checks DESIGN.md rule 2 for a home: it exists, is not dissolved and is of
    /// a home level.
    ///
    /// # Errors
    /// [`RuleViolation::HomeNotFound`], [`RuleViolation::HomeDissolved`] or
    /// [`RuleViolation::NotAHomeLevel`].
    pub fn check(&self) -> Result<(), RuleViolation> {
        if !self.exists {
            return Err(RuleViolation::HomeNotFound);
        }
        if self.dissolved {
            return Err(RuleViolation::HomeDissolved);
        }
        if !self.level.is_home_level() {
            return Err(RuleViolation::NotAHomeLevel { level: self.level });
        }
        Ok(())
    }

    /// [`HomeFacts::check`], and that the organisation had begun on `effective_on`
    /// (DESIGN.md §7).
    ///
    /// # Errors
    /// As [`HomeFacts::check`]; [`RuleViolation::BeforeEstablishment`].
    pub fn check_on(&self, effective_on: NaiveDate) -> Result<(), RuleViolation> {
        self.check()?;
        crate::organization::dates::check_begun(self.established_on, effective_on)
    }
}

/// Every command on a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PersonCommand {
    /// Admit a new person or re-admit a former member.
    Admit(AdmitMember),
    /// Move a member to another home.
    Transfer(TransferMember),
    /// End a membership.
    End(EndMembership),
    /// Change profile or personal data.
    Update(UpdateMember),
    /// Crypto-shred the personal data.
    Erase(ErasePersonalData),
    /// Issue a card (blocking the active one).
    IssueCard(IssueCard),
    /// Block a card on request.
    BlockCard(BlockCard),
}

/// Decides `command` on `person`, with `today` as the registry's date.
///
/// # Errors
/// The command's [`RuleViolation`], [`DomainError::Validation`] for malformed
/// input, or [`DomainError::NotFound`] for a command on a person never admitted.
/// Each command's own `decide` lists its refusals.
pub fn decide(
    person: &Person,
    command: &PersonCommand,
    today: NaiveDate,
) -> Result<Vec<PersonEvent>, DomainError> {
    match command {
        PersonCommand::Admit(c) => admit::decide(person, c, today),
        PersonCommand::Transfer(c) => transfer::decide(person, c, today),
        PersonCommand::End(c) => end::decide(person, c, today),
        PersonCommand::Update(c) => update::decide(person, c, today),
        PersonCommand::Erase(c) => erase::decide(person, c, today),
        PersonCommand::IssueCard(c) => card::decide_issue(person, c, today),
        PersonCommand::BlockCard(c) => card::decide_block(person, c, today),
    }
}

/// Folds `event` into `person`. Validates nothing: the log is history.
pub fn evolve(person: &mut Person, event: &PersonEvent) {
    match event {
        PersonEvent::Admitted {
            person_id,
            home_org,
            effective_on,
            profile,
            personal,
            application_id,
        } => {
            person.person_id = Some(*person_id);
            if let Some(application) = application_id {
                person.applications.push(*application);
            }
            person.status = MembershipStatus::Active;
            person.spells.push(Spell {
                home_org: *home_org,
                start: *effective_on,
                end: None,
            });
            person.home = Some(*home_org);
            person.profile = Some(profile.clone());
            if let Some(personal) = personal {
                person.snils = personal.snils;
                person.personal = Some(personal.clone());
            }
        }
        PersonEvent::Transferred {
            to_org,
            effective_on,
            ..
        } => {
            close_spell(person, *effective_on);
            person.spells.push(Spell {
                home_org: *to_org,
                start: *effective_on,
                end: None,
            });
            person.home = Some(*to_org);
        }
        PersonEvent::ProfileUpdated {
            profile, personal, ..
        } => {
            if let Some(current) = &mut person.profile {
                profile.apply_to(current);
            }
            if let (Some(patch), Some(current)) = (personal, &mut person.personal) {
                patch.apply_to(current);
                person.snils = current.snils;
            }
        }
        PersonEvent::MembershipEnded {
            reason,
            effective_on,
            ..
        } => {
            close_spell(person, *effective_on);
            person.status = MembershipStatus::Ended {
                reason: *reason,
                effective_on: *effective_on,
            };
            person.home = None;
        }
        PersonEvent::PersonalDataErased { .. } => {
            person.personal = None;
            person.snils = None;
            person.erased = true;
        }
        PersonEvent::CardIssued {
            number,
            kind,
            issued_on,
            ..
        } => {
            person.cards.push(Card {
                number: *number,
                kind: *kind,
                issued_on: *issued_on,
                blocked: None,
            });
            person.active_card = Some(*number);
        }
        PersonEvent::CardBlocked { number, reason, .. } => {
            if let Some(card) = person.cards.iter_mut().find(|card| card.number == *number) {
                card.blocked = Some(reason.clone());
            }
            if person.active_card == Some(*number) {
                person.active_card = None;
            }
        }
    }
}

impl Person {
    /// Whether the person is an active member now.
    pub fn is_active(&self) -> bool {
        self.status == MembershipStatus::Active
    }

    /// Every stream whose vault key seals this person's personal data: their
    /// own and each application they were admitted from. An erasure deletes
    /// all of these keys, so no copy of the identity outlives it.
    pub fn personal_data_streams(&self) -> Vec<String> {
        self.person_id
            .map(|id| id.stream())
            .into_iter()
            .chain(self.applications.iter().map(|a| a.stream()))
            .collect()
    }

    /// The first day of the open spell, while active.
    pub fn current_spell_start(&self) -> Option<NaiveDate> {
        match self.status {
            MembershipStatus::Active => self.spells.last().map(|spell| spell.start),
            _ => None,
        }
    }

    /// The person's id, or `NotFound` before the first event.
    fn id(&self) -> Result<PersonId, DomainError> {
        self.person_id
            .ok_or(DomainError::NotFound { what: "person" })
    }

    /// The active member's id, home and current spell start; refuses anyone else.
    fn active(&self) -> Result<(PersonId, OrgId, NaiveDate), DomainError> {
        let person_id = self.id()?;
        match (self.status, self.home, self.current_spell_start()) {
            (MembershipStatus::Active, Some(home), Some(start)) => Ok((person_id, home, start)),
            _ => Err(RuleViolation::NotAMember.into()),
        }
    }
}

/// Refuses an effective date before `spell_start` or after `today` (rule 4).
fn check_effective_on(
    effective_on: NaiveDate,
    spell_start: NaiveDate,
    today: NaiveDate,
) -> Result<(), RuleViolation> {
    if effective_on < spell_start {
        return Err(RuleViolation::BeforeCurrentSpell {
            effective_on,
            spell_start,
        });
    }
    crate::rules::not_after_today(effective_on, today)
}

fn close_spell(person: &mut Person, end: NaiveDate) {
    if let Some(spell) = person.spells.last_mut() {
        spell.end = Some(end);
    }
}

#[cfg(test)]
mod tests {
    use crate::person::fixtures::*;
    use crate::testing::d;

    #[test]
    fn a_transfer_closes_one_spell_and_opens_the_next_on_the_same_day() {
        let anna = given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            transferred(ANNA, SCHOOL, KINDERGARTEN, d(2024, 1, 10)),
        ])
        .when(transfer(ANNA, COLLEGE, d(2024, 2, 1)))
        .then([transferred(ANNA, KINDERGARTEN, COLLEGE, d(2024, 2, 1))]);
        let starts: Vec<_> = anna
            .spells
            .iter()
            .map(|spell| (spell.start, spell.end))
            .collect();
        assert_eq!(
            starts,
            [
                (d(2020, 9, 1), Some(d(2024, 1, 10))),
                (d(2024, 1, 10), Some(d(2024, 2, 1))),
                (d(2024, 2, 1), None)
            ]
        );
    }
}
