//! ErasePersonalData: crypto-shredding, a legal right of every person.

use chrono::NaiveDate;

use crate::error::{DomainError, InvalidInput, non_blank};
use crate::event::PersonEvent;
use crate::ids::PersonId;
use crate::person::{Person, PersonCommand};
use crate::rules::RuleViolation;

/// Erase the person's personal data (the handler deletes the vault key of every
/// stream in [`Person::personal_data_streams`]); history and statistics stay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasePersonalData {
    /// The person.
    pub person_id: PersonId,
    /// The legal basis of the erasure.
    pub basis: String,
}

impl From<ErasePersonalData> for PersonCommand {
    fn from(command: ErasePersonalData) -> PersonCommand {
        PersonCommand::Erase(command)
    }
}

/// Decides an erasure, dated today. Accepted for active and former members alike:
/// erasure is a legal right, not a change of membership.
///
/// # Errors
/// [`DomainError::NotFound`] for a person never admitted;
/// [`RuleViolation::AlreadyErased`]; [`InvalidInput::EmptyBasis`].
pub(crate) fn decide(
    person: &Person,
    command: &ErasePersonalData,
    today: NaiveDate,
) -> Result<Vec<PersonEvent>, DomainError> {
    let person_id = person.id()?;
    if person.erased {
        return Err(RuleViolation::AlreadyErased.into());
    }
    non_blank(&command.basis, InvalidInput::EmptyBasis)?;
    Ok(vec![PersonEvent::PersonalDataErased {
        person_id,
        basis: Some(command.basis.trim().to_string()),
        erased_on: today,
    }])
}

#[cfg(test)]
mod tests {
    use crate::error::{DomainError, InvalidInput};
    use crate::event::PersonEvent;
    use crate::person::ErasePersonalData;
    use crate::person::fixtures::*;
    use crate::rules::RuleViolation;
    use crate::testing::{d, today};

    fn erase() -> ErasePersonalData {
        ErasePersonalData {
            person_id: ANNA,
            basis: "заявление от 01.06.2024".into(),
        }
    }

    fn erased() -> PersonEvent {
        PersonEvent::PersonalDataErased {
            person_id: ANNA,
            basis: Some("заявление от 01.06.2024".into()),
            erased_on: today(),
        }
    }

    #[test]
    fn a_former_member_s_personal_data_is_erased_and_the_profile_stays() {
        let anna = given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
        ])
        .when(erase())
        .then([erased()]);
        assert!(anna.erased && anna.personal.is_none() && anna.snils.is_none());
        assert!(anna.profile.is_some());
    }

    #[test]
    fn an_applicant_turned_member_is_erased_with_the_application_s_data() {
        let application = crate::ids::ApplicationId(uuid::Uuid::from_u128(7));
        let admitted = match admitted(ANNA, SCHOOL, d(2020, 9, 1)) {
            PersonEvent::Admitted {
                person_id,
                home_org,
                effective_on,
                profile,
                personal,
                ..
            } => PersonEvent::Admitted {
                person_id,
                home_org,
                effective_on,
                profile,
                personal,
                application_id: Some(application),
            },
            other => other,
        };
        let anna = given([admitted]).when(erase()).then([erased()]);
        assert_eq!(
            anna.personal_data_streams(),
            [ANNA.stream(), application.stream()]
        );
    }

    #[test]
    fn personal_data_is_erased_once() {
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1)), erased()])
            .when(erase())
            .then_err(RuleViolation::AlreadyErased);
    }

    #[test]
    fn an_erasure_needs_its_basis() {
        given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(ErasePersonalData {
                basis: " ".into(),
                ..erase()
            })
            .then_err(InvalidInput::EmptyBasis);
    }

    #[test]
    fn nobody_is_erased_who_was_never_admitted() {
        given([])
            .when(erase())
            .then_err(DomainError::NotFound { what: "person" });
    }
}
