//! TransferMember: a member moves to another home; membership goes on.

use chrono::NaiveDate;

use crate::error::DomainError;
use crate::event::PersonEvent;
use crate::ids::{OrgId, PersonId};
use crate::person::{HomeFacts, Person, PersonCommand, check_effective_on};
use crate::rules::RuleViolation;

/// Transfer the member to `to_org` from `effective_on` (the first day at the new home).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransferMember {
    /// The member.
    pub person_id: PersonId,
    /// The new home.
    pub to_org: OrgId,
    /// What the registry knows about `to_org`.
    pub to: HomeFacts,
    /// The first day at the new home.
    pub effective_on: NaiveDate,
}

impl From<TransferMember> for PersonCommand {
    fn from(command: TransferMember) -> PersonCommand {
        PersonCommand::Transfer(command)
    }
}

/// Decides a transfer.
///
/// # Errors
/// [`DomainError::NotFound`] for a person never admitted;
/// [`RuleViolation::NotAMember`] after the membership ended;
/// [`RuleViolation::SameHome`]; the new home's rule 2 refusals and
/// [`RuleViolation::BeforeEstablishment`] before it was established;
/// [`RuleViolation::BeforeCurrentSpell`] or [`RuleViolation::FutureDate`].
pub(crate) fn decide(
    person: &Person,
    command: &TransferMember,
    today: NaiveDate,
) -> Result<Vec<PersonEvent>, DomainError> {
    let (person_id, home, spell_start) = person.active()?;
    if command.to_org == home {
        return Err(RuleViolation::SameHome.into());
    }
    command.to.check_on(command.effective_on)?;
    check_effective_on(command.effective_on, spell_start, today)?;
    Ok(vec![PersonEvent::Transferred {
        person_id,
        from_org: home,
        to_org: command.to_org,
        effective_on: command.effective_on,
    }])
}

#[cfg(test)]
mod tests {
    use crate::error::DomainError;
    use crate::person::fixtures::*;
    use crate::person::{HomeFacts, TransferMember};
    use crate::rules::RuleViolation;
    use crate::testing::{d, today};
    use crate::vocabulary::organization::OrgLevel;

    #[test]
    fn a_member_is_transferred_to_another_home() {
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(transfer(ANNA, KINDERGARTEN, d(2024, 1, 10)))
            .then([transferred(ANNA, SCHOOL, KINDERGARTEN, d(2024, 1, 10))]);
    }

    #[test]
    fn a_transfer_is_not_dated_before_the_new_home_was_established() {
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(TransferMember {
                to: HomeFacts::open(OrgLevel::Primary).established(Some(d(2024, 2, 1))),
                ..transfer(ANNA, KINDERGARTEN, d(2024, 1, 10))
            })
            .then_err(RuleViolation::BeforeEstablishment {
                date: d(2024, 1, 10),
                established_on: d(2024, 2, 1),
            });
    }

    #[test]
    fn transfer_to_the_same_home_is_refused() {
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(transfer(ANNA, SCHOOL, d(2024, 1, 10)))
            .then_err(RuleViolation::SameHome);
    }

    #[test]
    fn a_transfer_of_a_former_member_is_refused() {
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
        ])
        .when(transfer(ANNA, KINDERGARTEN, d(2023, 1, 10)))
        .then_err(RuleViolation::NotAMember);
    }

    #[test]
    fn a_transfer_of_someone_never_admitted_finds_nobody() {
        given([])
            .when(transfer(ANNA, KINDERGARTEN, d(2023, 1, 10)))
            .then_err(DomainError::NotFound { what: "person" });
    }

    #[test]
    fn a_transfer_dated_before_the_current_spell_is_refused() {
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            transferred(ANNA, SCHOOL, COLLEGE, d(2023, 1, 1)),
        ])
        .when(transfer(ANNA, KINDERGARTEN, d(2022, 12, 31)))
        .then_err(RuleViolation::BeforeCurrentSpell {
            effective_on: d(2022, 12, 31),
            spell_start: d(2023, 1, 1),
        });
    }

    #[test]
    fn a_transfer_dated_after_today_is_refused() {
        let tomorrow = today().succ_opt().unwrap();
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(transfer(ANNA, KINDERGARTEN, tomorrow))
            .then_err(RuleViolation::FutureDate {
                date: tomorrow,
                today: today(),
            });
    }

    #[test]
    fn a_transfer_into_a_dissolved_or_non_home_organisation_is_refused() {
        let dissolved = TransferMember {
            to: HomeFacts::dissolved(OrgLevel::Group),
            ..transfer(ANNA, KINDERGARTEN, d(2024, 1, 10))
        };
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(dissolved)
            .then_err(RuleViolation::HomeDissolved);
        let regional = TransferMember {
            to: HomeFacts::open(OrgLevel::Regional),
            ..transfer(ANNA, KINDERGARTEN, d(2024, 1, 10))
        };
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(regional)
            .then_err(RuleViolation::NotAHomeLevel {
                level: OrgLevel::Regional,
            });
    }
}
