//! The events of a library document (stream `document-<uuid>`).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::DocumentId;
use crate::library::{Audience, DocumentKind, FileHash, StoredFile};

/// Events of a document of the union's library.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum DocumentEvent {
    /// An ADMIN put a document in the library: what it is, who it is for, and
    /// its file (by hash; the bytes are in the file store).
    #[serde(rename = "DocumentUploaded")]
    Uploaded {
        /// The document.
        document_id: DocumentId,
        /// Its title, e.g. «Коллективный договор МБОУ СОШ № 17».
        title: String,
        /// What kind of document it is.
        kind: DocumentKind,
        /// The day it was issued (signed, adopted).
        issued_on: NaiveDate,
        /// Who issued it, e.g. «Государственная Дума» or an organisation's name.
        issuer: String,
        /// Who may read it.
        audience: Audience,
        /// The file: version 1.
        file: StoredFile,
        /// The day it was put in the library.
        uploaded_on: NaiveDate,
    },
    /// A new version of the document's file replaced the current one.
    #[serde(rename = "DocumentRevised")]
    Revised {
        /// The document.
        document_id: DocumentId,
        /// The version this file is (2, 3, …).
        version: u32,
        /// The new file.
        file: StoredFile,
        /// What changed, as the ADMIN put it (may be empty).
        note: String,
        /// The day it was revised.
        revised_on: NaiveDate,
    },
    /// The document was withdrawn from the library: no longer found or read.
    #[serde(rename = "DocumentWithdrawn")]
    Withdrawn {
        /// The document.
        document_id: DocumentId,
        /// Why, e.g. «Утратил силу».
        reason: String,
        /// The day it was withdrawn.
        withdrawn_on: NaiveDate,
    },
}

impl DocumentEvent {
    /// Every stored type name of this enum (schema version 1).
    pub const TYPES: [&'static str; 3] =
        ["DocumentUploaded", "DocumentRevised", "DocumentWithdrawn"];

    /// The stored type name.
    pub fn event_type(&self) -> &'static str {
        match self {
            DocumentEvent::Uploaded { .. } => "DocumentUploaded",
            DocumentEvent::Revised { .. } => "DocumentRevised",
            DocumentEvent::Withdrawn { .. } => "DocumentWithdrawn",
        }
    }

    /// The document the event is about.
    pub fn document_id(&self) -> DocumentId {
        match self {
            DocumentEvent::Uploaded { document_id, .. }
            | DocumentEvent::Revised { document_id, .. }
            | DocumentEvent::Withdrawn { document_id, .. } => *document_id,
        }
    }

    /// The business date of the event.
    pub fn effective_on(&self) -> NaiveDate {
        match self {
            DocumentEvent::Uploaded { uploaded_on, .. } => *uploaded_on,
            DocumentEvent::Revised { revised_on, .. } => *revised_on,
            DocumentEvent::Withdrawn { withdrawn_on, .. } => *withdrawn_on,
        }
    }

    /// The file of the file store the event names, if any (a copy of the
    /// log takes it along).
    pub fn file(&self) -> Option<&FileHash> {
        match self {
            DocumentEvent::Uploaded { file, .. } | DocumentEvent::Revised { file, .. } => {
                Some(&file.sha256)
            }
            DocumentEvent::Withdrawn { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::event::{Event, names_file};
    use crate::library::fixtures::{file, revised, uploaded, withdrawn};

    #[test]
    fn the_events_that_name_a_file_are_the_ones_a_copy_decodes() {
        for (event, named) in [
            (uploaded(), Some(file(1).sha256)),
            (revised(2, 2), Some(file(2).sha256)),
            (withdrawn(), None),
        ] {
            let event = Event::from(event);
            assert_eq!(event.file(), named.as_ref());
            assert_eq!(names_file(event.event_type()), named.is_some());
        }
    }
}
