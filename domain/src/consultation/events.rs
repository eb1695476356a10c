//! The events of a consultation (stream `consultation-<uuid>`).
//!
//! Who asked and what they asked (and the service's answers, which quote
//! the question) are personal data: each event's `personal` field is sealed
//! under the consultation's own vault key, which the asker's erasure deletes.
//! What stays in clear is where the question went and when, and the hash of
//! an attached file's ciphertext in the file store (not personal data: its
//! key is sealed), so a copy of the log takes the file along.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::consultation::{Asked, Service};
use crate::ids::{ConsultationId, DocumentId, OrgId};
use crate::library::FileHash;

/// Events of a question to a regional organisation's service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ConsultationEvent {
    /// A member or a chair asked a question of their region's service.
    #[serde(rename = "ConsultationAsked")]
    Asked {
        /// The question.
        consultation_id: ConsultationId,
        /// The regional organisation it is addressed to.
        region_id: OrgId,
        /// Which of its services.
        service: Service,
        /// The day it was asked.
        asked_on: NaiveDate,
        /// The attached file's ciphertext in the file store (the sealed
        /// attachment's `sha256`, whose key is sealed beside it); `None`
        /// without an attachment and for one stored in clear (schema v1).
        #[serde(default)]
        file: Option<FileHash>,
        /// Who asked and what, sealed; `None` once erased.
        personal: Option<Asked>,
    },
    /// The service answered (one message of the thread).
    #[serde(rename = "ConsultationAnswered")]
    Answered {
        /// The question.
        consultation_id: ConsultationId,
        /// The message's number in the thread (1, 2, …).
        message: u32,
        /// The day.
        answered_on: NaiveDate,
        /// The answer's text, sealed; `None` once erased.
        personal: Option<String>,
    },
    /// The service closed the question: no more answers.
    #[serde(rename = "ConsultationClosed")]
    Closed {
        /// The question.
        consultation_id: ConsultationId,
        /// The day.
        closed_on: NaiveDate,
    },
    /// The question and its answer, as the service approved them without
    /// the asker's name, were published to the library as `document_id`.
    #[serde(rename = "ConsultationPublished")]
    Published {
        /// The question.
        consultation_id: ConsultationId,
        /// The library's document.
        document_id: DocumentId,
        /// The day.
        published_on: NaiveDate,
    },
}

impl ConsultationEvent {
    /// Every stored type name of this enum (schema version 1, but
    /// `ConsultationAsked` 2: see `event::current_schema_version`).
    pub const TYPES: [&'static str; 4] = [
        "ConsultationAsked",
        "ConsultationAnswered",
        "ConsultationClosed",
        "ConsultationPublished",
    ];

    /// The stored type name.
    pub fn event_type(&self) -> &'static str {
        match self {
            ConsultationEvent::Asked { .. } => "ConsultationAsked",
            ConsultationEvent::Answered { .. } => "ConsultationAnswered",
            ConsultationEvent::Closed { .. } => "ConsultationClosed",
            ConsultationEvent::Published { .. } => "ConsultationPublished",
        }
    }

    /// The question the event is about.
    pub fn consultation_id(&self) -> ConsultationId {
        match self {
            ConsultationEvent::Asked {
                consultation_id, ..
            }
            | ConsultationEvent::Answered {
                consultation_id, ..
            }
            | ConsultationEvent::Closed {
                consultation_id, ..
            }
            | ConsultationEvent::Published {
                consultation_id, ..
            } => *consultation_id,
        }
    }

    /// The business date of the event.
    pub fn effective_on(&self) -> NaiveDate {
        match self {
            ConsultationEvent::Asked { asked_on, .. } => *asked_on,
            ConsultationEvent::Answered { answered_on, .. } => *answered_on,
            ConsultationEvent::Closed { closed_on, .. } => *closed_on,
            ConsultationEvent::Published { published_on, .. } => *published_on,
        }
    }

    /// The file of the file store the event names in clear: an encrypted
    /// attachment's ciphertext.
    pub fn file(&self) -> Option<&FileHash> {
        match self {
            ConsultationEvent::Asked { file, .. } => file.as_ref(),
            _ => None,
        }
    }

    /// Whether the event has a sealed part.
    pub fn has_personal(&self) -> bool {
        matches!(
            self,
            ConsultationEvent::Asked { .. } | ConsultationEvent::Answered { .. }
        )
    }
}
