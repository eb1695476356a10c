//! The library aggregate (stream `document-<uuid>`): a normative or teaching
//! document of the union (a law, the charter, a collective agreement, a
//! method guide, …), its versions and its withdrawal.
//!
//! The file itself is not in the log: each version names its file by the
//! SHA-256 of its bytes ([`FileHash`]), kept in a content-addressed store
//! beside the log. Who may upload (an ADMIN over the audience's subtree) and
//! who may read (the [`Audience`]) are the caller's checks (`app`'s guard);
//! what a document may go through is decided here.

mod events;
mod revise;
mod upload;
mod withdraw;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::OrgId;

pub use events::DocumentEvent;
pub use revise::ReviseDocument;
pub use upload::UploadDocument;
pub use withdraw::WithdrawDocument;

/// The longest title, in characters.
pub const MAX_TITLE: usize = 500;
/// The longest issuer's name, in characters.
pub const MAX_ISSUER: usize = 300;

/// What kind of document it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DocumentKind {
    /// A federal or regional law.
    Law,
    /// The union's charter.
    Charter,
    /// A regulation (положение), by the union or another body.
    Regulation,
    /// A collective agreement or a sectoral agreement.
    CollectiveAgreement,
    /// Methodological recommendations.
    MethodGuide,
    /// A template (образец) of a document.
    Template,
    /// A consultation: a member's question (without their name) and the
    /// service's answer, published from the consultation desk.
    Consultation,
    /// Anything else.
    Other,
}

impl DocumentKind {
    /// Every kind, in the order pages list them.
    pub const ALL: [DocumentKind; 8] = [
        DocumentKind::Law,
        DocumentKind::Charter,
        DocumentKind::Regulation,
        DocumentKind::CollectiveAgreement,
        DocumentKind::MethodGuide,
        DocumentKind::Template,
        DocumentKind::Consultation,
        DocumentKind::Other,
    ];

    /// The API's spelling, e.g. `COLLECTIVE_AGREEMENT`.
    pub fn code(self) -> &'static str {
        match self {
            DocumentKind::Law => "LAW",
            DocumentKind::Charter => "CHARTER",
            DocumentKind::Regulation => "REGULATION",
            DocumentKind::CollectiveAgreement => "COLLECTIVE_AGREEMENT",
            DocumentKind::MethodGuide => "METHOD_GUIDE",
            DocumentKind::Template => "TEMPLATE",
            DocumentKind::Consultation => "CONSULTATION",
            DocumentKind::Other => "OTHER",
        }
    }

    /// The kind spelt [`DocumentKind::code`].
    pub fn from_code(code: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Who among the signed-in holders reads a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Readers {
    /// Every holder of a role whose subtree meets the audience's.
    Everyone,
    /// Chairs (and ADMINs) only.
    Chairs,
}

/// Who a document is for: the subtree of `org_id` (the CENTRAL organisation:
/// the whole union) and which of its holders.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Audience {
    /// The root of the subtree the document is for.
    pub org_id: OrgId,
    /// Which holders read it.
    pub readers: Readers,
}

/// What a file is, judged by its content (not by its name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FileFormat {
    /// PDF.
    Pdf,
    /// Word's DOCX (Office Open XML).
    Docx,
    /// OpenDocument text.
    Odt,
    /// Plain UTF-8 text.
    Text,
}

/// The SHA-256 of a file's bytes, 64 lowercase hexadecimal digits: the file's
/// key in the file store.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FileHash(String);

impl FileHash {
    /// The hash spelt `hex` (64 hexadecimal digits, either case).
    ///
    /// # Errors
    /// [`LibraryRefusal::FileHash`] for anything else.
    pub fn parse(hex: &str) -> Result<FileHash, LibraryRefusal> {
        if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(FileHash(hex.to_ascii_lowercase()))
        } else {
            Err(LibraryRefusal::FileHash)
        }
    }

    /// The 64 lowercase hexadecimal digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for FileHash {
    type Error = LibraryRefusal;
    fn try_from(hex: String) -> Result<FileHash, LibraryRefusal> {
        FileHash::parse(&hex)
    }
}

impl From<FileHash> for String {
    fn from(hash: FileHash) -> String {
        hash.0
    }
}

impl std::fmt::Display for FileHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One version's file, as the event names it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredFile {
    /// Its key in the file store.
    pub sha256: FileHash,
    /// What it is, by its content.
    pub format: FileFormat,
    /// Its length in bytes.
    pub size: u64,
    /// The name it was uploaded under (for the download), e.g. `Устав.pdf`.
    pub file_name: String,
}

/// A document as the library's rules see it: folded from its stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Document {
    /// Whether it was uploaded (a stream without it is no document).
    pub uploaded: bool,
    /// The day it was issued.
    pub issued_on: Option<NaiveDate>,
    /// The current version (1 after the upload).
    pub version: u32,
    /// The current version's file.
    pub file: Option<FileHash>,
    /// Whether it was withdrawn.
    pub withdrawn: bool,
}

/// Every command on a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DocumentCommand {
    /// [`UploadDocument`].
    Upload(UploadDocument),
    /// [`ReviseDocument`].
    Revise(ReviseDocument),
    /// [`WithdrawDocument`].
    Withdraw(WithdrawDocument),
}

/// Why a command on a document was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LibraryRefusal {
    /// No document was uploaded under this id.
    #[error("no such document")]
    NotFound,
    /// A document was uploaded under this id already.
    #[error("the document exists already")]
    Exists,
    /// The document was withdrawn: it takes no new version and is not
    /// withdrawn twice.
    #[error("the document was withdrawn")]
    Withdrawn,
    /// A new version whose file is the current version's.
    #[error("the new version's file is the current one")]
    SameFile,
    /// A blank or overlong title.
    #[error("the title must be 1..{MAX_TITLE} characters")]
    Title,
    /// A blank or overlong issuer.
    #[error("the issuer must be 1..{MAX_ISSUER} characters")]
    Issuer,
    /// A withdrawal without its reason.
    #[error("a withdrawal needs its reason")]
    Reason,
    /// A document issued, uploaded or changed after today.
    #[error("the date {date} is after today")]
    FutureDate {
        /// The date given.
        date: NaiveDate,
    },
    /// A file hash that is not 64 hexadecimal digits.
    #[error("the file hash must be 64 hexadecimal digits")]
    FileHash,
}

impl From<UploadDocument> for DocumentCommand {
    fn from(command: UploadDocument) -> DocumentCommand {
        DocumentCommand::Upload(command)
    }
}

impl From<ReviseDocument> for DocumentCommand {
    fn from(command: ReviseDocument) -> DocumentCommand {
        DocumentCommand::Revise(command)
    }
}

impl From<WithdrawDocument> for DocumentCommand {
    fn from(command: WithdrawDocument) -> DocumentCommand {
        DocumentCommand::Withdraw(command)
    }
}

/// Decides a command on a document.
///
/// # Errors
/// A [`LibraryRefusal`]: see each command.
pub fn decide(
    document: &Document,
    command: &DocumentCommand,
    today: NaiveDate,
) -> Result<Vec<DocumentEvent>, LibraryRefusal> {
    match command {
        DocumentCommand::Upload(c) => upload::decide(document, c, today),
        DocumentCommand::Revise(c) => revise::decide(document, c, today),
        DocumentCommand::Withdraw(c) => withdraw::decide(document, c, today),
    }
}

/// Folds `event` into the document. Validates nothing: the log is history.
pub fn evolve(document: &mut Document, event: &DocumentEvent) {
    match event {
        DocumentEvent::Uploaded {
            issued_on, file, ..
        } => {
            document.uploaded = true;
            document.issued_on = Some(*issued_on);
            document.version = 1;
            document.file = Some(file.sha256.clone());
        }
        DocumentEvent::Revised { version, file, .. } => {
            document.version = *version;
            document.file = Some(file.sha256.clone());
        }
        DocumentEvent::Withdrawn { .. } => document.withdrawn = true,
    }
}

/// Refuses a date after today.
fn not_after_today(date: NaiveDate, today: NaiveDate) -> Result<(), LibraryRefusal> {
    if date > today {
        return Err(LibraryRefusal::FutureDate { date });
    }
    Ok(())
}

/// Refuses a blank text or one over `max` characters with `refusal`.
fn bounded(text: &str, max: usize, refusal: LibraryRefusal) -> Result<(), LibraryRefusal> {
    let chars = text.trim().chars().count();
    if chars == 0 || chars > max {
        return Err(refusal);
    }
    Ok(())
}

/// Shared fixtures of the commands' tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use uuid::Uuid;

    use super::*;
    use crate::ids::DocumentId;
    use crate::testing::{Given, TestHarness, d, org, today};

    pub const DOCUMENT: DocumentId = DocumentId(Uuid::from_u128(700));

    pub fn file(n: u8) -> StoredFile {
        StoredFile {
            sha256: FileHash::parse(&format!("{n:02x}").repeat(32)).unwrap(),
            format: FileFormat::Pdf,
            size: 1000 + u64::from(n),
            file_name: format!("v{n}.pdf"),
        }
    }

    pub fn uploaded() -> DocumentEvent {
        DocumentEvent::Uploaded {
            document_id: DOCUMENT,
            title: "Коллективный договор".into(),
            kind: DocumentKind::CollectiveAgreement,
            issued_on: d(2024, 1, 15),
            issuer: "ППО МБОУ СОШ № 17".into(),
            audience: Audience {
                org_id: org(1),
                readers: Readers::Everyone,
            },
            file: file(1),
            uploaded_on: today(),
        }
    }

    pub fn revised(version: u32, n: u8) -> DocumentEvent {
        DocumentEvent::Revised {
            document_id: DOCUMENT,
            version,
            file: file(n),
            note: String::new(),
            revised_on: today(),
        }
    }

    pub fn withdrawn() -> DocumentEvent {
        DocumentEvent::Withdrawn {
            document_id: DOCUMENT,
            reason: "Утратил силу".into(),
            withdrawn_on: today(),
        }
    }

    pub fn given(
        events: impl IntoIterator<Item = DocumentEvent>,
    ) -> Given<Document, DocumentCommand, DocumentEvent, LibraryRefusal> {
        TestHarness::new(decide, evolve, today()).given(events)
    }
}
