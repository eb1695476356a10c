//! ApproveApplication: the chair approves; the person is admitted beside it.

use chrono::NaiveDate;

use crate::application::{Application, ApplicationCommand, pending};
use crate::error::DomainError;
use crate::event::ApplicationEvent;
use crate::ids::{ApplicationId, PersonId};
use crate::person::{AdmitMember, HomeFacts};
use crate::rules::RuleViolation;

/// Approve a pending application: `person_id` is admitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApproveApplication {
    /// The application.
    pub application_id: ApplicationId,
    /// The person admitted: new, or the former member found by SNILS.
    pub person_id: PersonId,
    /// The day of the decision.
    pub decided_on: NaiveDate,
}

impl From<ApproveApplication> for ApplicationCommand {
    fn from(command: ApproveApplication) -> ApplicationCommand {
        ApplicationCommand::Approve(command)
    }
}

/// The admission an approval makes: `person_id` admitted to the organisation
/// applied to, effective on the application's date. The caller decides it on the
/// person's state and appends both decisions atomically.
///
/// `home` is what the registry knows about the organisation now (it may have been
/// dissolved since the submission); `snils_holder` is who has the applicant's SNILS.
///
/// # Errors
/// [`RuleViolation::AlreadyErased`] when the application's personal data was erased.
pub fn admission(
    application: &Application,
    person_id: PersonId,
    home: HomeFacts,
    snils_holder: Option<PersonId>,
) -> Result<AdmitMember, DomainError> {
    let personal = application
        .personal
        .clone()
        .ok_or(RuleViolation::AlreadyErased)?;
    Ok(AdmitMember {
        person_id,
        home_org: application.org_id,
        home,
        effective_on: application.submitted_on,
        profile: application.profile.clone(),
        personal,
        snils_holder,
        application_id: Some(application.application_id),
    })
}

/// Decides an approval.
///
/// # Errors
/// [`DomainError::NotFound`]; [`RuleViolation::ApplicationDecided`] unless pending;
/// [`InvalidInput::DecidedBeforeSubmission`](crate::error::InvalidInput::DecidedBeforeSubmission);
/// [`RuleViolation::FutureDate`].
pub(crate) fn decide(
    application: &Option<Application>,
    command: &ApproveApplication,
    today: NaiveDate,
) -> Result<Vec<ApplicationEvent>, DomainError> {
    let application = pending(application, command.decided_on, today)?;
    Ok(vec![ApplicationEvent::Approved {
        application_id: application.application_id,
        person_id: command.person_id,
        decided_on: command.decided_on,
    }])
}

#[cfg(test)]
mod tests {
    use crate::application::fixtures::*;
    use crate::application::{ApplicationStatus, ApproveApplication, admission};
    use crate::error::{DomainError, InvalidInput};
    use crate::event::{ApplicationEvent, PersonEvent};
    use crate::person::HomeFacts;
    use crate::person::fixtures::{ANNA, SCHOOL, admitted};
    use crate::rules::RuleViolation;
    use crate::testing::{d, today};
    use crate::vocabulary::organization::OrgLevel;

    fn approve(decided_on: chrono::NaiveDate) -> ApproveApplication {
        ApproveApplication {
            application_id: anna_s(),
            person_id: ANNA,
            decided_on,
        }
    }

    fn approved() -> ApplicationEvent {
        ApplicationEvent::Approved {
            application_id: anna_s(),
            person_id: ANNA,
            decided_on: today(),
        }
    }

    #[test]
    fn a_pending_application_is_approved_and_admits_from_its_date() {
        let application = given([submitted()])
            .when(approve(today()))
            .then([approved()])
            .unwrap();
        assert_eq!(
            application.status,
            ApplicationStatus::Approved {
                person_id: ANNA,
                decided_on: today()
            }
        );
        let admit =
            admission(&application, ANNA, HomeFacts::open(OrgLevel::Primary), None).unwrap();
        let PersonEvent::Admitted {
            profile, personal, ..
        } = admitted(ANNA, SCHOOL, d(2024, 5, 20))
        else {
            unreachable!()
        };
        crate::person::fixtures::given([])
            .when(admit)
            .then([PersonEvent::Admitted {
                person_id: ANNA,
                home_org: SCHOOL,
                effective_on: d(2024, 5, 20),
                profile,
                personal,
                application_id: Some(anna_s()),
            }]);
    }

    #[test]
    fn a_decided_application_is_not_approved_again() {
        given([submitted(), approved()])
            .when(approve(today()))
            .then_err(RuleViolation::ApplicationDecided);
    }

    #[test]
    fn an_approval_is_dated_between_submission_and_today() {
        given([submitted()])
            .when(approve(d(2024, 5, 19)))
            .then_err(InvalidInput::DecidedBeforeSubmission);
        let tomorrow = today().succ_opt().unwrap();
        given([submitted()])
            .when(approve(tomorrow))
            .then_err(RuleViolation::FutureDate {
                date: tomorrow,
                today: today(),
            });
    }

    #[test]
    fn an_unknown_application_is_not_found() {
        given([])
            .when(approve(today()))
            .then_err(DomainError::NotFound {
                what: "application",
            });
    }
}
