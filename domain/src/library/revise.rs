//! `ReviseDocument`: a new version of a document's file.

use chrono::NaiveDate;

use crate::ids::DocumentId;
use crate::library::{Document, DocumentEvent, LibraryRefusal, StoredFile};

/// Replace a document's file by a new version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviseDocument {
    /// The document.
    pub document_id: DocumentId,
    /// The new file, already in the file store.
    pub file: StoredFile,
    /// What changed (may be empty).
    pub note: String,
}

/// # Errors
/// [`LibraryRefusal::NotFound`], [`LibraryRefusal::Withdrawn`],
/// [`LibraryRefusal::SameFile`].
pub(crate) fn decide(
    document: &Document,
    c: &ReviseDocument,
    today: NaiveDate,
) -> Result<Vec<DocumentEvent>, LibraryRefusal> {
    if !document.uploaded {
        return Err(LibraryRefusal::NotFound);
    }
    if document.withdrawn {
        return Err(LibraryRefusal::Withdrawn);
    }
    if document.file.as_ref() == Some(&c.file.sha256) {
        return Err(LibraryRefusal::SameFile);
    }
    Ok(vec![DocumentEvent::Revised {
        document_id: c.document_id,
        version: document.version + 1,
        file: c.file.clone(),
        note: c.note.trim().to_string(),
        revised_on: today,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::fixtures::{DOCUMENT, file, given, revised, uploaded, withdrawn};

    fn revise(n: u8) -> ReviseDocument {
        ReviseDocument {
            document_id: DOCUMENT,
            file: file(n),
            note: String::new(),
        }
    }

    #[test]
    fn each_new_file_is_the_next_version() {
        given([uploaded()]).when(revise(2)).then([revised(2, 2)]);
        let state = given([uploaded(), revised(2, 2)])
            .when(revise(3))
            .then([revised(3, 3)]);
        assert_eq!(state.version, 3);
    }

    #[test]
    fn the_current_file_again_is_no_new_version() {
        given([uploaded()])
            .when(revise(1))
            .then_err(LibraryRefusal::SameFile);
        // An earlier version's file is a new version again (a revision undone).
        given([uploaded(), revised(2, 2)])
            .when(revise(1))
            .then([revised(3, 1)]);
    }

    #[test]
    fn a_withdrawn_or_unknown_document_takes_no_version() {
        given([uploaded(), withdrawn()])
            .when(revise(2))
            .then_err(LibraryRefusal::Withdrawn);
        given([]).when(revise(2)).then_err(LibraryRefusal::NotFound);
    }
}
