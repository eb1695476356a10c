//! `UploadDocument`: a new document in the library, version 1.

use chrono::NaiveDate;

use crate::ids::DocumentId;
use crate::library::{
    Audience, Document, DocumentEvent, DocumentKind, LibraryRefusal, MAX_ISSUER, MAX_TITLE,
    StoredFile, bounded, not_after_today,
};

/// Put a document in the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadDocument {
    /// The new document's id, chosen by the caller.
    pub document_id: DocumentId,
    /// Its title.
    pub title: String,
    /// Its kind.
    pub kind: DocumentKind,
    /// The day it was issued.
    pub issued_on: NaiveDate,
    /// Who issued it.
    pub issuer: String,
    /// Who reads it.
    pub audience: Audience,
    /// Its file, already in the file store.
    pub file: StoredFile,
}

/// # Errors
/// [`LibraryRefusal::Exists`], [`LibraryRefusal::Title`],
/// [`LibraryRefusal::Issuer`], [`LibraryRefusal::FutureDate`].
pub(crate) fn decide(
    document: &Document,
    c: &UploadDocument,
    today: NaiveDate,
) -> Result<Vec<DocumentEvent>, LibraryRefusal> {
    if document.uploaded {
        return Err(LibraryRefusal::Exists);
    }
    bounded(&c.title, MAX_TITLE, LibraryRefusal::Title)?;
    bounded(&c.issuer, MAX_ISSUER, LibraryRefusal::Issuer)?;
    not_after_today(c.issued_on, today)?;
    Ok(vec![DocumentEvent::Uploaded {
        document_id: c.document_id,
        title: c.title.trim().to_string(),
        kind: c.kind,
        issued_on: c.issued_on,
        issuer: c.issuer.trim().to_string(),
        audience: c.audience,
        file: c.file.clone(),
        uploaded_on: today,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::Readers;
    use crate::library::fixtures::{DOCUMENT, file, given, uploaded};
    use crate::testing::{d, org};

    fn upload() -> UploadDocument {
        UploadDocument {
            document_id: DOCUMENT,
            title: "  Коллективный договор ".into(),
            kind: DocumentKind::CollectiveAgreement,
            issued_on: d(2024, 1, 15),
            issuer: "ППО МБОУ СОШ № 17".into(),
            audience: Audience {
                org_id: org(1),
                readers: Readers::Everyone,
            },
            file: file(1),
        }
    }

    #[test]
    fn a_document_is_uploaded_once_as_version_one() {
        let state = given([]).when(upload()).then([uploaded()]);
        assert_eq!(state.version, 1);
        given([uploaded()])
            .when(upload())
            .then_err(LibraryRefusal::Exists);
    }

    #[test]
    fn a_document_needs_a_title_an_issuer_and_a_past_date() {
        let blank = UploadDocument {
            title: "   ".into(),
            ..upload()
        };
        given([]).when(blank).then_err(LibraryRefusal::Title);
        let long = UploadDocument {
            title: "я".repeat(MAX_TITLE + 1),
            ..upload()
        };
        given([]).when(long).then_err(LibraryRefusal::Title);
        let nobody = UploadDocument {
            issuer: String::new(),
            ..upload()
        };
        given([]).when(nobody).then_err(LibraryRefusal::Issuer);
        let future = UploadDocument {
            issued_on: d(2030, 1, 1),
            ..upload()
        };
        given([]).when(future).then_err(LibraryRefusal::FutureDate {
            date: d(2030, 1, 1),
        });
    }
}
