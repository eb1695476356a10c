//! Consultations (stream `consultation-<uuid>`): a member or a chair asks the
//! legal or methodological service of their regional organisation a question;
//! the service answers (a thread of messages), closes it, and may publish it
//! to the library without the asker's name.
//!
//! Who may ask, to which region, and who answers are the caller's checks
//! (`app`); what a question may go through is decided here.

mod answer;
mod ask;
mod close;
mod events;
mod publish;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::ids::{DocumentId, OrgId, PersonId, UserId};
use crate::library::{FileHash, StoredFile};

pub use answer::AnswerConsultation;
pub use ask::AskConsultation;
pub use close::CloseConsultation;
pub use events::ConsultationEvent;
pub use publish::PublishConsultation;

/// The longest topic, in characters.
pub const MAX_TOPIC: usize = 200;
/// The longest question or answer, in characters.
pub const MAX_MESSAGE: usize = 10_000;

/// Which service of the regional organisation a question is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Service {
    /// The legal service (правовая инспекция труда).
    Legal,
    /// The methodological service (методическая служба).
    Methodological,
}

/// Who asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Asker {
    /// A member, from their cabinet.
    Member(PersonId),
    /// A chair, by their role's token.
    Holder(UserId),
}

/// What was asked and by whom: the sealed part of `ConsultationAsked`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Asked {
    /// Who asked.
    pub asker: Asker,
    /// The topic, e.g. «Оплата сверхурочной работы».
    pub topic: String,
    /// The question.
    pub text: String,
    /// A file attached (in the file store by its hash).
    pub attachment: Option<Attachment>,
}

/// A question's attached file: what the asker uploaded, and the key its bytes
/// are encrypted with in the file store. Sealed with the question, so the
/// asker's erasure (which deletes the question's vault key) leaves the stored
/// bytes unreadable for good.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    /// The file: `sha256` is its key in the file store (the ciphertext's hash
    /// when `key` is there), `size`, `format` and `file_name` the upload's.
    #[serde(flatten)]
    pub file: StoredFile,
    /// The key its stored bytes are encrypted with; `None` for a question
    /// asked before attachments were encrypted (its bytes stored in clear).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<FileKey>,
}

impl Attachment {
    /// The file it keeps in the file store when that is ciphertext, which
    /// the event names in clear ([`ConsultationEvent::file`]); `None` for a
    /// file stored in clear, whose hash would tell what it is.
    pub fn encrypted_file(&self) -> Option<&FileHash> {
        self.key.as_ref().map(|_| &self.file.sha256)
    }
}

/// Bytes of a [`FileKey`].
pub const FILE_KEY_LEN: usize = 32;

/// A 256-bit key one attached file is encrypted with, chosen at random by the
/// caller (the charter makes no randomness); stored as 64 hexadecimal digits.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FileKey([u8; FILE_KEY_LEN]);

impl FileKey {
    /// The key whose bytes are `bytes`.
    pub fn from_bytes(bytes: [u8; FILE_KEY_LEN]) -> FileKey {
        FileKey(bytes)
    }

    /// Its bytes.
    pub fn as_bytes(&self) -> &[u8; FILE_KEY_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for FileKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FileKey(..)")
    }
}

impl TryFrom<String> for FileKey {
    type Error = &'static str;
    fn try_from(hex: String) -> Result<FileKey, &'static str> {
        const BAD: &str = "a file key is 64 hexadecimal digits";
        let digits = hex.as_bytes();
        if digits.len() != 2 * FILE_KEY_LEN {
            return Err(BAD);
        }
        let mut key = [0; FILE_KEY_LEN];
        for (byte, pair) in key.iter_mut().zip(digits.chunks_exact(2)) {
            let high = char::from(pair[0]).to_digit(16).ok_or(BAD)?;
            let low = char::from(pair[1]).to_digit(16).ok_or(BAD)?;
            *byte = u8::try_from(high * 16 + low).map_err(|_| BAD)?;
        }
        Ok(FileKey(key))
    }
}

impl From<FileKey> for String {
    fn from(key: FileKey) -> String {
        key.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// A question as its rules see it: folded from its stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Consultation {
    /// Whether it was asked (a stream without it is no question).
    pub asked: bool,
    /// The region it is addressed to.
    pub region_id: Option<OrgId>,
    /// Messages of the service so far.
    pub answers: u32,
    /// Whether it was closed.
    pub closed: bool,
    /// Its document in the library, once published.
    pub published: Option<DocumentId>,
}

/// Every command on a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConsultationCommand {
    /// [`AskConsultation`].
    Ask(AskConsultation),
    /// [`AnswerConsultation`].
    Answer(AnswerConsultation),
    /// [`CloseConsultation`].
    Close(CloseConsultation),
    /// [`PublishConsultation`].
    Publish(PublishConsultation),
}

/// Why a command on a question was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConsultationRefusal {
    /// No question was asked under this id.
    #[error("no such question")]
    NotFound,
    /// A question was asked under this id already.
    #[error("the question exists already")]
    Exists,
    /// The question is closed: it takes no more answers and is not closed twice.
    #[error("the question is closed")]
    Closed,
    /// A question published before, or one with no answer to publish.
    #[error("only an answered question is published, once")]
    NotPublishable,
    /// A blank or overlong topic.
    #[error("the topic must be 1..{MAX_TOPIC} characters")]
    Topic,
    /// A blank or overlong question or answer.
    #[error("the text must be 1..{MAX_MESSAGE} characters")]
    Text,
}

impl From<AskConsultation> for ConsultationCommand {
    fn from(command: AskConsultation) -> ConsultationCommand {
        ConsultationCommand::Ask(command)
    }
}

impl From<AnswerConsultation> for ConsultationCommand {
    fn from(command: AnswerConsultation) -> ConsultationCommand {
        ConsultationCommand::Answer(command)
    }
}

impl From<CloseConsultation> for ConsultationCommand {
    fn from(command: CloseConsultation) -> ConsultationCommand {
        ConsultationCommand::Close(command)
    }
}

impl From<PublishConsultation> for ConsultationCommand {
    fn from(command: PublishConsultation) -> ConsultationCommand {
        ConsultationCommand::Publish(command)
    }
}

/// Decides a command on a question.
///
/// # Errors
/// A [`ConsultationRefusal`]: see each command.
pub fn decide(
    consultation: &Consultation,
    command: &ConsultationCommand,
    today: NaiveDate,
) -> Result<Vec<ConsultationEvent>, ConsultationRefusal> {
    match command {
        ConsultationCommand::Ask(c) => ask::decide(consultation, c, today),
        ConsultationCommand::Answer(c) => answer::decide(consultation, c, today),
        ConsultationCommand::Close(c) => close::decide(consultation, c, today),
        ConsultationCommand::Publish(c) => publish::decide(consultation, c, today),
    }
}

/// Folds `event` into the question. Validates nothing: the log is history.
pub fn evolve(consultation: &mut Consultation, event: &ConsultationEvent) {
    match event {
        ConsultationEvent::Asked { region_id, .. } => {
            consultation.asked = true;
            consultation.region_id = Some(*region_id);
        }
        ConsultationEvent::Answered { message, .. } => consultation.answers = *message,
        ConsultationEvent::Closed { .. } => consultation.closed = true,
        ConsultationEvent::Published { document_id, .. } => {
            consultation.published = Some(*document_id);
        }
    }
}

/// Refuses a blank text or one over `max` characters with `refusal`.
fn bounded(
    text: &str,
    max: usize,
    refusal: ConsultationRefusal,
) -> Result<(), ConsultationRefusal> {
    let chars = text.trim().chars().count();
    if chars == 0 || chars > max {
        return Err(refusal);
    }
    Ok(())
}

/// Refuses a command on a question never asked.
fn existing(consultation: &Consultation) -> Result<(), ConsultationRefusal> {
    if !consultation.asked {
        return Err(ConsultationRefusal::NotFound);
    }
    Ok(())
}

/// Shared fixtures of the commands' tests.
#[cfg(test)]
pub(crate) mod fixtures {
    use uuid::Uuid;

    use super::*;
    use crate::ids::ConsultationId;
    use crate::testing::{Given, TestHarness, org, today};

    pub const QUESTION: ConsultationId = ConsultationId(Uuid::from_u128(800));

    pub fn asked() -> ConsultationEvent {
        ConsultationEvent::Asked {
            consultation_id: QUESTION,
            region_id: org(1),
            service: Service::Legal,
            asked_on: today(),
            file: None,
            personal: Some(Asked {
                asker: Asker::Member(PersonId(Uuid::from_u128(5))),
                topic: "Сверхурочная работа".into(),
                text: "Как оплачивается работа сверх нормы?".into(),
                attachment: None,
            }),
        }
    }

    pub fn answered(message: u32) -> ConsultationEvent {
        ConsultationEvent::Answered {
            consultation_id: QUESTION,
            message,
            answered_on: today(),
            personal: Some("По статье 152 ТК РФ.".into()),
        }
    }

    pub fn closed() -> ConsultationEvent {
        ConsultationEvent::Closed {
            consultation_id: QUESTION,
            closed_on: today(),
        }
    }

    pub fn given(
        events: impl IntoIterator<Item = ConsultationEvent>,
    ) -> Given<Consultation, ConsultationCommand, ConsultationEvent, ConsultationRefusal> {
        TestHarness::new(decide, evolve, today()).given(events)
    }
}
