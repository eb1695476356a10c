//! `WithdrawDocument`: a document taken out of the library.

use chrono::NaiveDate;

use crate::ids::DocumentId;
use crate::library::{Document, DocumentEvent, LibraryRefusal, MAX_TITLE, bounded};

/// Withdraw a document (it lost force, was replaced, was put in by mistake).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WithdrawDocument {
    /// The document.
    pub document_id: DocumentId,
    /// Why.
    pub reason: String,
}

/// # Errors
/// [`LibraryRefusal::NotFound`], [`LibraryRefusal::Withdrawn`],
/// [`LibraryRefusal::Reason`].
pub(crate) fn decide(
    document: &Document,
    c: &WithdrawDocument,
    today: NaiveDate,
) -> Result<Vec<DocumentEvent>, LibraryRefusal> {
    if !document.uploaded {
        return Err(LibraryRefusal::NotFound);
    }
    if document.withdrawn {
        return Err(LibraryRefusal::Withdrawn);
    }
    bounded(&c.reason, MAX_TITLE, LibraryRefusal::Reason)?;
    Ok(vec![DocumentEvent::Withdrawn {
        document_id: c.document_id,
        reason: c.reason.trim().to_string(),
        withdrawn_on: today,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::fixtures::{DOCUMENT, given, uploaded, withdrawn};

    fn withdraw(reason: &str) -> WithdrawDocument {
        WithdrawDocument {
            document_id: DOCUMENT,
            reason: reason.into(),
        }
    }

    #[test]
    fn a_document_is_withdrawn_once_with_its_reason() {
        let state = given([uploaded()])
            .when(withdraw("Утратил силу"))
            .then([withdrawn()]);
        assert!(state.withdrawn);
        given([uploaded(), withdrawn()])
            .when(withdraw("Ещё раз"))
            .then_err(LibraryRefusal::Withdrawn);
        given([uploaded()])
            .when(withdraw(" "))
            .then_err(LibraryRefusal::Reason);
        given([])
            .when(withdraw("Нет"))
            .then_err(LibraryRefusal::NotFound);
    }
}
