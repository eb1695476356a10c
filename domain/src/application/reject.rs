//! RejectApplication: the chair rejects, with a reason.

use chrono::NaiveDate;

use crate::application::{Application, ApplicationCommand, pending};
use crate::error::{DomainError, InvalidInput, non_blank};
use crate::event::ApplicationEvent;
use crate::ids::ApplicationId;

/// Reject a pending application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectApplication {
    /// The application.
    pub application_id: ApplicationId,
    /// Why; must not be blank.
    pub reason: String,
    /// The day of the decision.
    pub decided_on: NaiveDate,
}

impl From<RejectApplication> for ApplicationCommand {
    fn from(command: RejectApplication) -> ApplicationCommand {
        ApplicationCommand::Reject(command)
    }
}

/// Decides a rejection.
///
/// # Errors
/// [`DomainError::NotFound`]; [`InvalidInput::EmptyReason`];
/// [`RuleViolation::ApplicationDecided`](crate::rules::RuleViolation::ApplicationDecided)
/// unless pending; [`InvalidInput::DecidedBeforeSubmission`];
/// [`RuleViolation::FutureDate`](crate::rules::RuleViolation::FutureDate).
pub(crate) fn decide(
    application: &Option<Application>,
    command: &RejectApplication,
    today: NaiveDate,
) -> Result<Vec<ApplicationEvent>, DomainError> {
    let application = pending(application, command.decided_on, today)?;
    non_blank(&command.reason, InvalidInput::EmptyReason)?;
    Ok(vec![ApplicationEvent::Rejected {
        application_id: application.application_id,
        reason: command.reason.trim().to_string(),
        decided_on: command.decided_on,
    }])
}

#[cfg(test)]
mod tests {
    use crate::application::RejectApplication;
    use crate::application::fixtures::*;
    use crate::error::InvalidInput;
    use crate::event::ApplicationEvent;
    use crate::rules::RuleViolation;
    use crate::testing::today;

    fn reject(reason: &str) -> RejectApplication {
        RejectApplication {
            application_id: anna_s(),
            reason: reason.into(),
            decided_on: today(),
        }
    }

    fn rejected() -> ApplicationEvent {
        ApplicationEvent::Rejected {
            application_id: anna_s(),
            reason: "не работает в организации".into(),
            decided_on: today(),
        }
    }

    #[test]
    fn a_pending_application_is_rejected_with_a_reason() {
        given([submitted()])
            .when(reject("не работает в организации"))
            .then([rejected()]);
    }

    #[test]
    fn a_rejection_needs_a_reason() {
        given([submitted()])
            .when(reject("  "))
            .then_err(InvalidInput::EmptyReason);
    }

    #[test]
    fn a_rejected_application_is_not_rejected_again() {
        given([submitted(), rejected()])
            .when(reject("не работает в организации"))
            .then_err(RuleViolation::ApplicationDecided);
    }
}
