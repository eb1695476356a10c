//! UpdateMember: changes to the profile or to personal data.

use chrono::NaiveDate;

use crate::error::{DomainError, InvalidInput, non_blank};
use crate::event::PersonEvent;
use crate::ids::PersonId;
use crate::person::{Person, PersonCommand};
use crate::rules::RuleViolation;
use crate::vocabulary::person::{PersonalDataPatch, ProfilePatch};

/// Change an active member's profile and/or personal data, as of today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateMember {
    /// The member.
    pub person_id: PersonId,
    /// Changes to the non-identifying profile.
    pub profile: ProfilePatch,
    /// Changes to personal data.
    pub personal: PersonalDataPatch,
    /// Who already has `personal.snils` in the registry, if anyone.
    pub snils_holder: Option<PersonId>,
}

impl From<UpdateMember> for PersonCommand {
    fn from(command: UpdateMember) -> PersonCommand {
        PersonCommand::Update(command)
    }
}

/// Decides an update; the event is dated today.
///
/// # Errors
/// [`DomainError::NotFound`] for a person never admitted;
/// [`RuleViolation::NotAMember`] after the membership ended;
/// [`InvalidInput::NothingToChange`] or [`InvalidInput::EmptyName`];
/// [`RuleViolation::AlreadyErased`] for personal data of an erased person;
/// [`RuleViolation::SnilsTaken`] when another person has the new SNILS.
pub(crate) fn decide(
    person: &Person,
    command: &UpdateMember,
    today: NaiveDate,
) -> Result<Vec<PersonEvent>, DomainError> {
    let (person_id, _, _) = person.active()?;
    let patch = &command.personal;
    if command.profile.is_empty() && patch.is_empty() {
        return Err(InvalidInput::NothingToChange.into());
    }
    for name in [&patch.last_name, &patch.first_name].into_iter().flatten() {
        non_blank(name, InvalidInput::EmptyName)?;
    }
    if !patch.is_empty() && person.erased {
        return Err(RuleViolation::AlreadyErased.into());
    }
    if let (Some(_), Some(holder)) = (patch.snils, command.snils_holder)
        && holder != person_id
    {
        return Err(RuleViolation::SnilsTaken { holder }.into());
    }
    Ok(vec![PersonEvent::ProfileUpdated {
        person_id,
        profile: command.profile.clone(),
        personal: (!patch.is_empty()).then(|| patch.clone()),
        updated_on: today,
    }])
}

#[cfg(test)]
mod tests {
    use crate::error::InvalidInput;
    use crate::event::PersonEvent;
    use crate::person::UpdateMember;
    use crate::person::fixtures::*;
    use crate::rules::RuleViolation;
    use crate::snils::Snils;
    use crate::testing::{d, today};
    use crate::vocabulary::person::{MemberCategory, PersonalDataPatch, ProfilePatch};

    fn update(profile: ProfilePatch, personal: PersonalDataPatch) -> UpdateMember {
        UpdateMember {
            person_id: ANNA,
            profile,
            personal,
            snils_holder: None,
        }
    }

    fn new_snils() -> PersonalDataPatch {
        PersonalDataPatch {
            snils: Snils::from_number(123_456_789),
            ..PersonalDataPatch::default()
        }
    }

    #[test]
    fn a_member_s_category_and_snils_change_as_of_today() {
        let profile = ProfilePatch {
            category: Some(MemberCategory::Pensioner),
            ..ProfilePatch::default()
        };
        let anna = given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(update(profile.clone(), new_snils()))
            .then([PersonEvent::ProfileUpdated {
                person_id: ANNA,
                profile,
                personal: Some(new_snils()),
                updated_on: today(),
            }]);
        assert_eq!(anna.snils, Snils::from_number(123_456_789));
        assert_eq!(
            anna.profile.map(|p| p.category),
            Some(MemberCategory::Pensioner)
        );
    }

    #[test]
    fn a_snils_another_person_has_is_refused() {
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(UpdateMember {
                snils_holder: Some(BORIS),
                ..update(ProfilePatch::default(), new_snils())
            })
            .then_err(RuleViolation::SnilsTaken { holder: BORIS });
    }

    #[test]
    fn an_update_that_changes_nothing_is_malformed() {
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(update(
                ProfilePatch::default(),
                PersonalDataPatch::default(),
            ))
            .then_err(InvalidInput::NothingToChange);
    }

    #[test]
    fn a_former_member_cannot_be_updated() {
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
        ])
        .when(update(ProfilePatch::default(), new_snils()))
        .then_err(RuleViolation::NotAMember);
    }

    #[test]
    fn erased_personal_data_cannot_be_written_again() {
        let erased = PersonEvent::PersonalDataErased {
            person_id: ANNA,
            basis: Some("152-ФЗ".into()),
            erased_on: d(2023, 1, 1),
        };
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1)), erased])
            .when(update(ProfilePatch::default(), new_snils()))
            .then_err(RuleViolation::AlreadyErased);
    }
}
