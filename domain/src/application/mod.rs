//! The application aggregate (stream `application-<uuid>`): an online application
//! to join, pending until the chair approves or rejects it.
//!
//! Approval is two decisions appended atomically by the caller:
//! [`ApproveApplication`] on the application and the [`AdmitMember`](crate::person::AdmitMember)
//! built by [`admission`] on the person.

mod approve;
mod reject;
mod submit;

use chrono::NaiveDate;

use crate::error::DomainError;
use crate::event::ApplicationEvent;
use crate::ids::{ApplicationId, OrgId, PersonId};
use crate::vocabulary::person::{PersonalData, Profile};

pub use approve::{ApproveApplication, admission};
pub use reject::RejectApplication;
pub use submit::SubmitApplication;

/// An application as the charter sees it: folded from its stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Application {
    /// The application.
    pub application_id: ApplicationId,
    /// The organisation applied to: the future home.
    pub org_id: OrgId,
    /// The day of submission: on approval, membership starts on it.
    pub submitted_on: NaiveDate,
    /// Non-identifying attributes.
    pub profile: Profile,
    /// Personal data; `None` once erased.
    pub personal: Option<PersonalData>,
    /// Pending, approved or rejected.
    pub status: ApplicationStatus,
}

/// Where an application stands.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ApplicationStatus {
    /// Waiting for the chair.
    Pending,
    /// Approved: the person was admitted.
    Approved {
        /// The admitted person.
        person_id: PersonId,
        /// The day of the decision.
        decided_on: NaiveDate,
    },
    /// Rejected.
    Rejected {
        /// Why.
        reason: String,
        /// The day of the decision.
        decided_on: NaiveDate,
    },
}

/// Every command on an application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ApplicationCommand {
    /// Apply to join.
    Submit(SubmitApplication),
    /// Approve (the admission is decided beside it).
    Approve(ApproveApplication),
    /// Reject, with a reason.
    Reject(RejectApplication),
}

/// Decides `command` on `application` (`None`: not submitted), with `today` as
/// the registry's date.
///
/// # Errors
/// The command's [`RuleViolation`](crate::rules::RuleViolation),
/// [`DomainError::Validation`], [`DomainError::NotFound`] for a decision on an
/// unknown application, [`DomainError::AlreadyExists`] for a second submission
/// under the same id. Each command's own `decide` lists its refusals.
pub fn decide(
    application: &Option<Application>,
    command: &ApplicationCommand,
    today: NaiveDate,
) -> Result<Vec<ApplicationEvent>, DomainError> {
    match command {
        ApplicationCommand::Submit(c) => submit::decide(application, c, today),
        ApplicationCommand::Approve(c) => approve::decide(application, c, today),
        ApplicationCommand::Reject(c) => reject::decide(application, c, today),
    }
}

/// Folds `event` into `application`. Validates nothing: the log is history.
pub fn evolve(application: &mut Option<Application>, event: &ApplicationEvent) {
    match event {
        ApplicationEvent::Submitted {
            application_id,
            org_id,
            submitted_on,
            profile,
            personal,
        } => {
            *application = Some(Application {
                application_id: *application_id,
                org_id: *org_id,
                submitted_on: *submitted_on,
                profile: profile.clone(),
                personal: personal.clone(),
                status: ApplicationStatus::Pending,
            });
        }
        ApplicationEvent::Approved {
            person_id,
            decided_on,
            ..
        } => {
            if let Some(application) = application {
                application.status = ApplicationStatus::Approved {
                    person_id: *person_id,
                    decided_on: *decided_on,
                };
            }
        }
        ApplicationEvent::Rejected {
            reason, decided_on, ..
        } => {
            if let Some(application) = application {
                application.status = ApplicationStatus::Rejected {
                    reason: reason.clone(),
                    decided_on: *decided_on,
                };
            }
        }
    }
}

/// The pending application a decision is about, checked and dated.
fn pending(
    application: &Option<Application>,
    decided_on: NaiveDate,
    today: NaiveDate,
) -> Result<&Application, DomainError> {
    let application = application.as_ref().ok_or(DomainError::NotFound {
        what: "application",
    })?;
    if application.status != ApplicationStatus::Pending {
        return Err(crate::rules::RuleViolation::ApplicationDecided.into());
    }
    if decided_on < application.submitted_on {
        return Err(crate::error::InvalidInput::DecidedBeforeSubmission.into());
    }
    crate::rules::not_after_today(decided_on, today)?;
    Ok(application)
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Fixtures for the application tests.

    use crate::application::{Application, ApplicationCommand};
    use crate::event::ApplicationEvent;
    use crate::ids::ApplicationId;
    use crate::person::fixtures::{SCHOOL, personal, profile_of};
    use crate::testing::{Given, TestHarness, application, d, today};

    pub fn given(
        events: impl IntoIterator<Item = ApplicationEvent>,
    ) -> Given<Option<Application>, ApplicationCommand, ApplicationEvent> {
        TestHarness::new(
            crate::application::decide,
            crate::application::evolve,
            today(),
        )
        .given(events)
    }

    pub fn anna_s() -> ApplicationId {
        application(1)
    }

    pub fn submitted() -> ApplicationEvent {
        ApplicationEvent::Submitted {
            application_id: anna_s(),
            org_id: SCHOOL,
            submitted_on: d(2024, 5, 20),
            profile: profile_of(&personal()),
            personal: Some(personal()),
        }
    }
}
