//! The audit trail of reads of personal data: who looked at whose identity.
//!
//! DESIGN.md §4 asks that every read of a member's personal data be logged. The
//! reads of many requests are recorded together in one [`AuditEvent`] on the
//! [`AUDIT_STREAM`], so the trail lives in the same append-only log as the
//! registry (copied, replicated and kept as long), at a fraction of an event per
//! read. The envelope's `recordedAt` says when; each entry says who and whom.

use serde::{Deserialize, Serialize};

use crate::ids::{PersonId, UserId};

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

/// One viewer shown one person's personal data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonalDataRead {
    /// The token holder who read.
    pub viewer: UserId,
    /// The person whose data was shown.
    pub person: PersonId,
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
        let read = PersonalDataRead {
            viewer: UserId(Uuid::from_u128(1)),
            person: PersonId(Uuid::from_u128(2)),
        };
        assert_eq!(
            record_reads(vec![read]),
            Some(AuditEvent::PersonalDataRead { reads: vec![read] })
        );
    }
}
