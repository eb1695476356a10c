//! The audit trail of reads of personal data: who looked at whose identity.
//!
//! DESIGN.md §4 asks that every read of a member's personal data be logged. The
//! reads of many requests are recorded together in one [`AuditEvent`] on the
//! [`AUDIT_STREAM`], so the trail lives in the same append-only log as the
//! registry (copied, replicated and kept as long), at a fraction of an event per
//! read. The envelope's `recordedAt` says when; each entry says who and whom.

use serde::{Deserialize, Serialize};

use crate::ids::{ApplicationId, PersonId, UserId};

/// The one stream of the audit trail.
pub const AUDIT_STREAM: &str = "audit-personal-data";

/// Events of the audit trail (stream [`AUDIT_STREAM`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum AuditEvent {
    /// Personal data was shown to viewers.
    #[serde(rename = "PersonalDataRead")]
    PersonalDataRead {
        /// Each viewer and the person whose data they were shown.
        reads: Vec<PersonalDataRead>,
    },
}

/// One viewer shown one subject's personal data. Stored as
/// `{"viewer": …, "person": …}` (as since the first version) or, for an
/// applicant, `{"viewer": …, "application": …}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonalDataRead {
    /// The token holder who read.
    pub viewer: UserId,
    /// Whose data was shown.
    #[serde(flatten)]
    pub subject: DataSubject,
}

/// Whose personal data: a person's, or an applicant's as their application
/// holds it (under the application's own key, before or after approval).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataSubject {
    /// A member or former member.
    Person(PersonId),
    /// An applicant.
    Application(ApplicationId),
}

impl PersonalDataRead {
    /// `viewer` shown `person`'s data.
    pub fn of_person(viewer: UserId, person: PersonId) -> PersonalDataRead {
        PersonalDataRead {
            viewer,
            subject: DataSubject::Person(person),
        }
    }

    /// `viewer` shown the applicant's data of `application`.
    pub fn of_application(viewer: UserId, application: ApplicationId) -> PersonalDataRead {
        PersonalDataRead {
            viewer,
            subject: DataSubject::Application(application),
        }
    }
}

/// The event recording `reads`; `None` when there is nothing to record.
pub fn record_reads(reads: Vec<PersonalDataRead>) -> Option<AuditEvent> {
    (!reads.is_empty()).then_some(AuditEvent::PersonalDataRead { reads })
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn nothing_read_records_nothing() {
        assert_eq!(record_reads(vec![]), None);
        let read =
            PersonalDataRead::of_person(UserId(Uuid::from_u128(1)), PersonId(Uuid::from_u128(2)));
        assert_eq!(
            record_reads(vec![read]),
            Some(AuditEvent::PersonalDataRead { reads: vec![read] })
        );
    }
}
