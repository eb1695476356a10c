//! EndMembership: voluntary exit, expulsion, leaving education or death.

use chrono::NaiveDate;

use crate::error::DomainError;
use crate::event::PersonEvent;
use crate::ids::PersonId;
use crate::person::{Person, PersonCommand, check_effective_on};
use crate::rules::RuleViolation;
use crate::vocabulary::card::CardBlockReason;
use crate::vocabulary::person::EndReason;

/// End the membership from `effective_on` (the first day no longer a member).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndMembership {
    /// The member.
    pub person_id: PersonId,
    /// Why it ends.
    pub reason: EndReason,
    /// Which body decided, when: required for an expulsion.
    pub basis: Option<String>,
    /// The first day no longer a member (for a voluntary exit: the date of the
    /// exit application, which cannot be refused).
    pub effective_on: NaiveDate,
}

impl From<EndMembership> for PersonCommand {
    fn from(command: EndMembership) -> PersonCommand {
        PersonCommand::End(command)
    }
}

/// Decides the end of a membership. The active card is blocked in the same
/// decision (reason `MembershipEnded`), from the end date or, for a card issued
/// later, from its issue date.
///
/// # Errors
/// [`DomainError::NotFound`] for a person never admitted;
/// [`RuleViolation::NotAMember`] when already ended;
/// [`RuleViolation::ExpulsionWithoutBasis`];
/// [`RuleViolation::BeforeCurrentSpell`] or [`RuleViolation::FutureDate`].
pub(crate) fn decide(
    person: &Person,
    command: &EndMembership,
    today: NaiveDate,
) -> Result<Vec<PersonEvent>, DomainError> {
    let (person_id, home, spell_start) = person.active()?;
    let basis = command
        .basis
        .as_deref()
        .map(str::trim)
        .filter(|basis| !basis.is_empty());
    if command.reason == EndReason::Expulsion && basis.is_none() {
        return Err(RuleViolation::ExpulsionWithoutBasis.into());
    }
    check_effective_on(command.effective_on, spell_start, today)?;
    let mut events = vec![PersonEvent::MembershipEnded {
        person_id,
        home_org: home,
        reason: command.reason,
        basis: basis.map(str::to_string),
        effective_on: command.effective_on,
    }];
    if let Some(card) = person
        .cards
        .iter()
        .find(|card| Some(card.number) == person.active_card)
    {
        events.push(PersonEvent::CardBlocked {
            person_id,
            number: card.number,
            reason: CardBlockReason::MembershipEnded,
            blocked_on: command.effective_on.max(card.issued_on),
        });
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use crate::event::PersonEvent;
    use crate::person::EndMembership;
    use crate::person::fixtures::*;
    use crate::rules::RuleViolation;
    use crate::testing::d;
    use crate::vocabulary::card::CardBlockReason;
    use crate::vocabulary::person::EndReason;

    #[test]
    fn a_voluntary_exit_ends_the_membership_on_its_date() {
        let anna = given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(end(ANNA, EndReason::VoluntaryExit, d(2023, 5, 10)))
            .then([ended(ANNA, SCHOOL, d(2023, 5, 10))]);
        assert!(!anna.is_active());
        assert_eq!(anna.home, None);
    }

    #[test]
    fn ending_a_membership_blocks_the_active_card() {
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            issued(ANNA, card(1), d(2021, 1, 1)),
        ])
        .when(end(ANNA, EndReason::VoluntaryExit, d(2023, 5, 10)))
        .then([
            ended(ANNA, SCHOOL, d(2023, 5, 10)),
            blocked(
                ANNA,
                card(1),
                CardBlockReason::MembershipEnded,
                d(2023, 5, 10),
            ),
        ]);
    }

    #[test]
    fn an_expulsion_needs_its_basis() {
        for basis in [None, Some("   ".to_string())] {
            given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
                .when(EndMembership {
                    basis,
                    ..end(ANNA, EndReason::Expulsion, d(2023, 5, 10))
                })
                .then_err(RuleViolation::ExpulsionWithoutBasis);
        }
        let basis = "решение профкома №7 от 10.05.2023".to_string();
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(EndMembership {
                basis: Some(basis.clone()),
                ..end(ANNA, EndReason::Expulsion, d(2023, 5, 10))
            })
            .then([PersonEvent::MembershipEnded {
                person_id: ANNA,
                home_org: SCHOOL,
                reason: EndReason::Expulsion,
                basis: Some(basis),
                effective_on: d(2023, 5, 10),
            }]);
    }

    #[test]
    fn an_ended_membership_cannot_end_again() {
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
        ])
        .when(end(ANNA, EndReason::Death, d(2023, 1, 1)))
        .then_err(RuleViolation::NotAMember);
    }

    #[test]
    fn an_end_dated_before_the_current_spell_is_refused() {
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(end(ANNA, EndReason::LeftEducation, d(2020, 8, 31)))
            .then_err(RuleViolation::BeforeCurrentSpell {
                effective_on: d(2020, 8, 31),
                spell_start: d(2020, 9, 1),
            });
    }
}
