//! SubmitApplication: anyone applies online to join.

use chrono::{Datelike, NaiveDate};

use crate::application::{Application, ApplicationCommand};
use crate::calendar::{MIN_ADMISSION_AGE, age_on};
use crate::error::{DomainError, InvalidInput, non_blank};
use crate::event::ApplicationEvent;
use crate::ids::{ApplicationId, OrgId};
use crate::person::HomeFacts;
use crate::rules::{RuleViolation, not_after_today};
use crate::vocabulary::person::{PersonalData, Profile};

/// Apply to join `org_id`.
///
/// The organisation must be one that can be a home (PRIMARY, SUBDIVISION or
/// GROUP): the same rule as admission, so that every application can be approved
/// as it stands. DESIGN.md says "a primary organisation"; a subdivision or group
/// lies inside one and its chair decides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmitApplication {
    /// The new application's id.
    pub application_id: ApplicationId,
    /// The organisation applied to: the future home.
    pub org_id: OrgId,
    /// What the registry knows about `org_id`.
    pub org: HomeFacts,
    /// The day of submission.
    pub submitted_on: NaiveDate,
    /// Non-identifying attributes; the birth year must be the birth date's.
    pub profile: Profile,
    /// Personal data.
    pub personal: PersonalData,
    /// Consent to the processing of personal data; must be true.
    pub consent: bool,
}

impl From<SubmitApplication> for ApplicationCommand {
    fn from(command: SubmitApplication) -> ApplicationCommand {
        ApplicationCommand::Submit(command)
    }
}

/// Decides a submission.
///
/// # Errors
/// [`DomainError::AlreadyExists`]; [`InvalidInput::NoConsent`];
/// [`InvalidInput::EmptyName`], [`InvalidInput::BirthYearMismatch`]; the home's
/// rule 2 refusals; [`RuleViolation::TooYoung`] under 14 on `submitted_on`;
/// [`RuleViolation::FutureDate`].
pub(crate) fn decide(
    application: &Option<Application>,
    command: &SubmitApplication,
    today: NaiveDate,
) -> Result<Vec<ApplicationEvent>, DomainError> {
    if application.is_some() {
        return Err(DomainError::AlreadyExists {
            what: "application",
        });
    }
    if !command.consent {
        return Err(InvalidInput::NoConsent.into());
    }
    let personal = &command.personal;
    non_blank(&personal.last_name, InvalidInput::EmptyName)?;
    non_blank(&personal.first_name, InvalidInput::EmptyName)?;
    if command.profile.birth_year != personal.birth_date.year() {
        return Err(InvalidInput::BirthYearMismatch.into());
    }
    command.org.check()?;
    let age = age_on(personal.birth_date, command.submitted_on);
    if age < MIN_ADMISSION_AGE {
        return Err(RuleViolation::TooYoung { age }.into());
    }
    not_after_today(command.submitted_on, today)?;
    Ok(vec![ApplicationEvent::Submitted {
        application_id: command.application_id,
        org_id: command.org_id,
        submitted_on: command.submitted_on,
        profile: command.profile.clone(),
        personal: Some(personal.clone()),
    }])
}

#[cfg(test)]
mod tests {
    use crate::application::SubmitApplication;
    use crate::application::fixtures::*;
    use crate::error::DomainError;
    use crate::person::HomeFacts;
    use crate::person::fixtures::{SCHOOL, personal, personal_born, profile_of};
    use crate::rules::RuleViolation;
    use crate::testing::d;
    use crate::vocabulary::organization::OrgLevel;

    fn submit() -> SubmitApplication {
        SubmitApplication {
            application_id: anna_s(),
            org_id: SCHOOL,
            org: HomeFacts::open(OrgLevel::Primary),
            submitted_on: d(2024, 5, 20),
            profile: profile_of(&personal()),
            personal: personal(),
            consent: true,
        }
    }

    #[test]
    fn an_application_with_consent_is_pending() {
        given([]).when(submit()).then([submitted()]);
    }

    #[test]
    fn an_application_without_consent_is_refused() {
        given([])
            .when(SubmitApplication {
                consent: false,
                ..submit()
            })
            .then_err(crate::error::InvalidInput::NoConsent);
    }

    #[test]
    fn an_application_goes_to_an_open_home_level_organisation() {
        given([])
            .when(SubmitApplication {
                org: HomeFacts::open(OrgLevel::Territorial),
                ..submit()
            })
            .then_err(RuleViolation::NotAHomeLevel {
                level: OrgLevel::Territorial,
            });
        given([])
            .when(SubmitApplication {
                org: HomeFacts::dissolved(OrgLevel::Primary),
                ..submit()
            })
            .then_err(RuleViolation::HomeDissolved);
    }

    #[test]
    fn an_applicant_under_14_is_refused() {
        let young = personal_born(d(2010, 5, 21));
        given([])
            .when(SubmitApplication {
                profile: profile_of(&young),
                personal: young,
                ..submit()
            })
            .then_err(RuleViolation::TooYoung { age: 13 });
    }

    #[test]
    fn an_application_is_submitted_once() {
        given([submitted()])
            .when(submit())
            .then_err(DomainError::AlreadyExists {
                what: "application",
            });
    }
}
