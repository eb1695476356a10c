//! Consultations: a member (from the cabinet) or a chair asks the legal or
//! methodological service of their regional organisation a question (the
//! REGIONAL organisation on the path above their home or their role's
//! organisation); the service answers in a thread, closes it and may
//! publish it to the library without the asker's name.
//!
//! Who is the service: a holder of ADMIN or CHAIR whose subtree holds the
//! addressed region (the region's own, or above it). Who sees a question:
//! its asker and that service; nobody else. The asker and their text are
//! personal data: each question shown with its member asker is a recorded
//! read (`PersonalReads::show`), and the erasure of the member deletes the
//! questions' keys (`App::erase_personal_data`).

use domain::consultation::{
    self, AnswerConsultation, AskConsultation, Asker, Attachment, CloseConsultation,
    ConsultationCommand, ConsultationRefusal, MAX_MESSAGE, MAX_TOPIC, PublishConsultation, Service,
};
use domain::ids::{ConsultationId, DocumentId, OrgId};
use domain::library::{
    self, Audience, DocumentCommand, DocumentKind, FileFormat, MAX_TITLE, Readers, StoredFile,
    UploadDocument,
};
use domain::vocabulary::access::Role;
use domain::vocabulary::organization::OrgLevel;
use projections::consultations::ConsultationView;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::PersonalReads;
use crate::commands::load::load;
use crate::commands::{Decision, Issued};
use crate::error::{Error, Refusal};
use crate::guard::{Action, Viewer};
use crate::input;
use crate::library::LibraryFile;
use crate::running::App;

/// The envelope's actor of a member's question: not their id, which would
/// name the asker in clear beside the sealed question.
pub const ASKER_ACTOR: &str = "member";

/// `askConsultation(input)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AskConsultationInput {
    /// `LEGAL` or `METHODOLOGICAL`.
    pub service: Service,
    /// The topic.
    pub topic: String,
    /// The question.
    pub text: String,
    /// The attached file's name, if a file is attached.
    pub file_name: Option<String>,
    /// The attached file, base64 (its type judged by its content, as the
    /// library's).
    pub content: Option<String>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `answerConsultation(input)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AnswerConsultationInput {
    /// The question.
    pub consultation_id: String,
    /// The answer.
    pub text: String,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `publishConsultation(input)`: the text as the service approved it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PublishConsultationInput {
    /// The question.
    pub consultation_id: String,
    /// The document's title.
    pub title: String,
    /// The question as published, without the asker's name.
    pub question: String,
    /// The answer as published.
    pub answer: String,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// Which questions a list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConsultationState {
    /// Every one.
    #[default]
    All,
    /// Not closed and not answered yet.
    Open,
    /// Answered (closed or not).
    Answered,
    /// Closed.
    Closed,
}

/// A question as a viewer sees it.
#[derive(Clone, Debug)]
pub struct Question {
    /// The question and its thread.
    pub view: ConsultationView,
    /// The region's name.
    pub region: String,
    /// The asker's name and home, for the service (`None` to the asker,
    /// for a chair's question, and once erased).
    pub asker_name: Option<String>,
    /// Whether the viewer is the question's service (answers, closes).
    pub answers: bool,
    /// Whether the viewer may publish it (an ADMIN over the region).
    pub publishes: bool,
}

impl App {
    /// `askConsultation`: a member in the cabinet, or a CHAIR, asks their
    /// region's service.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`; `FORBIDDEN` for other roles; `VALIDATION` of
    /// `topic`, `text`, `content` (as the library's files), of `service`
    /// when no regional organisation is above the asker.
    pub async fn ask_consultation(
        &self,
        viewer: &Viewer,
        input: AskConsultationInput,
    ) -> Result<ConsultationView, Error> {
        let registry = &self.models.registry;
        let (asker, from) = match viewer {
            Viewer::Member(person) => {
                let member = registry
                    .member(*person)
                    .ok_or(Error::NotFound { what: "member" })?;
                (Asker::Member(*person), member.home)
            }
            Viewer::Holder(holder) if holder.role == Role::Chair => {
                (Asker::Holder(holder.user_id), holder.org_id)
            }
            Viewer::Holder(holder) => {
                return Err(Refusal::Role {
                    role: holder.role,
                    action: Action::AskConsultation,
                }
                .into());
            }
            Viewer::Anonymous => return Err(Error::Unauthenticated),
            Viewer::Operator(_) => return Err(Refusal::NotAMember.into()),
        };
        let region = self.region_above(from).ok_or_else(|| {
            Error::invalid("service", "no regional organisation is above yours to ask")
        })?;
        let topic = input::text(input.topic.clone(), "topic", MAX_TOPIC)?;
        let text = input::text(input.text.clone(), "text", MAX_MESSAGE)?;
        let attachment = match (&input.content, &input.file_name) {
            (Some(content), name) if !content.trim().is_empty() => Some(
                self.keep_attachment(name.as_deref().unwrap_or("вложение"), content)
                    .await?,
            ),
            _ => None,
        };
        let mut issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        if matches!(viewer, Viewer::Member(_)) {
            issued.actor = ASKER_ACTOR.to_string();
        }
        let consultation_id = ConsultationId(Uuid::now_v7());
        let command = ConsultationCommand::Ask(AskConsultation {
            consultation_id,
            region_id: region,
            service: input.service,
            asker,
            topic,
            text,
            attachment,
        });
        self.consultation_command(&issued, consultation_id, &command, None)
            .await
    }

    /// `answerConsultation`: the service's next message.
    ///
    /// # Errors
    /// `FORBIDDEN` but for the question's service; `NOT_FOUND`; `VALIDATION`
    /// of `text`, of `consultationId` for a closed question.
    pub async fn answer_consultation(
        &self,
        viewer: &Viewer,
        input: AnswerConsultationInput,
    ) -> Result<ConsultationView, Error> {
        let question = self.served_question(viewer, &input.consultation_id)?;
        let text = input::text(input.text.clone(), "text", MAX_MESSAGE)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let command = ConsultationCommand::Answer(AnswerConsultation {
            consultation_id: question.consultation_id,
            text,
        });
        self.consultation_command(&issued, question.consultation_id, &command, None)
            .await
    }

    /// `closeConsultation`.
    ///
    /// # Errors
    /// As [`App::answer_consultation`].
    pub async fn close_consultation(
        &self,
        viewer: &Viewer,
        consultation_id: &str,
        command_id: Option<String>,
    ) -> Result<ConsultationView, Error> {
        let question = self.served_question(viewer, consultation_id)?;
        let issued = self.issue(viewer, &consultation_id, command_id.as_deref(), None)?;
        let command = ConsultationCommand::Close(CloseConsultation {
            consultation_id: question.consultation_id,
        });
        self.consultation_command(&issued, question.consultation_id, &command, None)
            .await
    }

    /// `publishConsultation`: the question and answer as the service wrote
    /// them for publication (without the asker's name) become a library
    /// document of kind `CONSULTATION` for everyone in the region, a plain
    /// text file in the file store; by an ADMIN over the region.
    ///
    /// # Errors
    /// As [`App::answer_consultation`], and `FORBIDDEN` for a CHAIR;
    /// `VALIDATION` of `title`, `question`, `answer`, of `consultationId`
    /// for a question not answered or published already.
    pub async fn publish_consultation(
        &self,
        viewer: &Viewer,
        input: PublishConsultationInput,
    ) -> Result<ConsultationView, Error> {
        let question = self.served_question(viewer, &input.consultation_id)?;
        viewer.may_at(
            Action::WriteLibrary,
            question.region_id,
            &self.models.registry,
        )?;
        let title = input::text(input.title.clone(), "title", MAX_TITLE)?;
        let asked = input::text(input.question.clone(), "question", MAX_MESSAGE)?;
        let answer = input::text(input.answer.clone(), "answer", MAX_MESSAGE)?;
        let text = format!("{title}\n\nВопрос\n\n{asked}\n\nОтвет\n\n{answer}\n");
        let sha256 = self.files.put(text.as_bytes()).await.map_err(Error::from)?;
        let file = StoredFile {
            sha256,
            format: FileFormat::Text,
            size: text.len() as u64,
            file_name: "Консультация.txt".to_string(),
        };
        let issuer = self
            .models
            .registry
            .organization(question.region_id)
            .map(|o| o.name)
            .unwrap_or_else(|| "Региональная организация".to_string());
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let document_id = DocumentId(Uuid::now_v7());
        let document = DocumentCommand::Upload(UploadDocument {
            document_id,
            title,
            kind: DocumentKind::Consultation,
            issued_on: issued.today,
            issuer,
            audience: Audience {
                org_id: question.region_id,
                readers: Readers::Everyone,
            },
            file,
        });
        let command = ConsultationCommand::Publish(PublishConsultation {
            consultation_id: question.consultation_id,
            document_id,
        });
        self.consultation_command(
            &issued,
            question.consultation_id,
            &command,
            Some((document_id, &document)),
        )
        .await
    }

    /// `consultations`: the asker's own questions (a member in the cabinet,
    /// a chair's own), and for a service every question addressed to it;
    /// each member asker shown a recorded read.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`; `FORBIDDEN` for roles that neither ask nor answer.
    pub fn consultations(
        &self,
        viewer: &Viewer,
        state: ConsultationState,
        service: Option<Service>,
        reads: &PersonalReads,
    ) -> Result<Vec<Question>, Error> {
        self.consultation_viewer(viewer)?;
        let found = self.models.consultations.questions_where(|q| {
            self.sees_question(viewer, q)
                && service.is_none_or(|s| q.service == s)
                && match state {
                    ConsultationState::All => true,
                    ConsultationState::Open => q.closed_on.is_none() && !q.answered(),
                    ConsultationState::Answered => q.answered(),
                    ConsultationState::Closed => q.closed_on.is_some(),
                }
        });
        found
            .into_iter()
            .map(|view| self.question_for(viewer, view, reads))
            .collect()
    }

    /// `consultation(id)`, for its asker and its service.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`; `NOT_FOUND`; `FORBIDDEN` for anyone else.
    pub fn consultation(
        &self,
        viewer: &Viewer,
        id: &str,
        reads: &PersonalReads,
    ) -> Result<Question, Error> {
        self.consultation_viewer(viewer)?;
        let view = self.seen_question(viewer, id)?;
        self.question_for(viewer, view, reads)
    }

    /// A question's attached file, for its asker and its service, decrypted
    /// with the key sealed in the question (a question asked before
    /// attachments were encrypted has its file in clear).
    ///
    /// # Errors
    /// As [`App::consultation`]; `NOT_FOUND` without an attachment (and so
    /// once erased); `INTERNAL` when the stored file is corrupt or does not
    /// open with its key.
    pub async fn consultation_attachment(
        &self,
        viewer: &Viewer,
        id: &str,
        reads: &PersonalReads,
    ) -> Result<LibraryFile, Error> {
        let question = self.consultation(viewer, id, reads)?;
        let stored = question
            .view
            .asked
            .and_then(|a| a.attachment)
            .ok_or(Error::NotFound { what: "attachment" })?;
        let Attachment { file, key } = stored;
        let bytes = match &key {
            Some(key) => eventlog::files::get_sealed(self.files.as_ref(), &file.sha256, key).await,
            None => self.files.get(&file.sha256).await,
        }
        .map_err(Error::internal)?
        .ok_or(Error::NotFound { what: "file" })?;
        Ok(LibraryFile {
            file_name: file.file_name,
            content_type: projections::library::kind_of(file.format).content_type(),
            bytes,
        })
    }

    /// The attachment `content` (base64) checked as the library's files
    /// are, then encrypted under a fresh random key and kept in the file
    /// store as ciphertext: the key goes in the question's sealed part, so
    /// the asker's erasure leaves nothing readable in the store.
    async fn keep_attachment(&self, file_name: &str, content: &str) -> Result<Attachment, Error> {
        let (file_name, bytes, format) = crate::library::checked_file(file_name, content)?;
        let key = eventlog::vault::new_file_key();
        let sha256 = eventlog::files::put_sealed(self.files.as_ref(), &key, &bytes)
            .await
            .map_err(Error::from)?;
        Ok(Attachment {
            file: StoredFile {
                sha256,
                format,
                size: bytes.len() as u64,
                file_name,
            },
            key: Some(key),
        })
    }

    /// Whether the viewer asks questions (a member in the cabinet, a CHAIR).
    pub fn asks_consultations(&self, viewer: &Viewer) -> bool {
        matches!(viewer, Viewer::Member(_))
            || matches!(viewer, Viewer::Holder(h) if h.role == Role::Chair)
    }

    /// Whether the viewer is some region's service (an ADMIN or CHAIR over
    /// a subtree that holds a regional organisation or lies in one).
    pub fn answers_consultations(&self, viewer: &Viewer) -> bool {
        matches!(viewer, Viewer::Holder(h) if Action::AnswerConsultations.allowed_to(h.role))
    }

    /// The REGIONAL organisation on the path from the root down to `org`.
    fn region_above(&self, org: OrgId) -> Option<OrgId> {
        self.models
            .registry
            .path(org)
            .into_iter()
            .find(|o| o.level == OrgLevel::Regional)
            .map(|o| o.org_id)
    }

    fn consultation_viewer(&self, viewer: &Viewer) -> Result<(), Error> {
        match viewer {
            Viewer::Anonymous => Err(Error::Unauthenticated),
            Viewer::Operator(_) => Err(Refusal::NotAMember.into()),
            Viewer::Member(_) => Ok(()),
            Viewer::Holder(_)
                if self.asks_consultations(viewer) || self.answers_consultations(viewer) =>
            {
                Ok(())
            }
            Viewer::Holder(holder) => Err(Refusal::Role {
                role: holder.role,
                action: Action::AnswerConsultations,
            }
            .into()),
        }
    }

    /// Whether the viewer is the question's service.
    fn serves(&self, viewer: &Viewer, question: &ConsultationView) -> bool {
        match viewer {
            Viewer::Holder(holder) => {
                Action::AnswerConsultations.allowed_to(holder.role)
                    && self
                        .models
                        .registry
                        .within(question.region_id, holder.org_id)
            }
            _ => false,
        }
    }

    /// Whether the viewer asked the question.
    fn asked(viewer: &Viewer, question: &ConsultationView) -> bool {
        let asker = question.asked.as_ref().map(|a| a.asker);
        match viewer {
            Viewer::Member(person) => asker == Some(Asker::Member(*person)),
            Viewer::Holder(holder) => asker == Some(Asker::Holder(holder.user_id)),
            _ => false,
        }
    }

    fn sees_question(&self, viewer: &Viewer, question: &ConsultationView) -> bool {
        App::asked(viewer, question) || self.serves(viewer, question)
    }

    fn seen_question(&self, viewer: &Viewer, id: &str) -> Result<ConsultationView, Error> {
        self.question_where(viewer, id, App::sees_question)
    }

    /// Question `id`, of which the viewer is the service.
    fn served_question(&self, viewer: &Viewer, id: &str) -> Result<ConsultationView, Error> {
        viewer.may(Action::AnswerConsultations)?;
        self.question_where(viewer, id, App::serves)
    }

    /// Question `id` if `allowed` lets the viewer reach it; refused as
    /// outside the subtree otherwise.
    fn question_where(
        &self,
        viewer: &Viewer,
        id: &str,
        allowed: fn(&App, &Viewer, &ConsultationView) -> bool,
    ) -> Result<ConsultationView, Error> {
        let id: ConsultationId = input::id(id, "consultationId")?;
        let question = self
            .models
            .consultations
            .question(id)
            .ok_or(Error::NotFound {
                what: "consultation",
            })?;
        if !allowed(self, viewer, &question) {
            return Err(Refusal::OutsideSubtree {
                action: Action::AnswerConsultations,
            }
            .into());
        }
        Ok(question)
    }

    /// The question as `viewer` sees it; its member asker shown is a read.
    fn question_for(
        &self,
        viewer: &Viewer,
        view: ConsultationView,
        reads: &PersonalReads,
    ) -> Result<Question, Error> {
        let registry = &self.models.registry;
        let serves = self.serves(viewer, &view);
        if let Some(consultation::Asked {
            asker: Asker::Member(person),
            ..
        }) = &view.asked
        {
            reads.show(*person)?;
        }
        let asker_name = match (&view.asked, serves) {
            (Some(asked), true) => Some(match asked.asker {
                Asker::Member(person) => {
                    let member = registry.member(person);
                    let name = member
                        .as_ref()
                        .and_then(|m| m.personal.as_ref())
                        .map(|p| p.full_name())
                        .unwrap_or_else(|| "член профсоюза".to_string());
                    let home = member
                        .and_then(|m| registry.organization(m.home))
                        .map(|o| o.name);
                    match home {
                        Some(home) => format!("{name} ({home})"),
                        None => name,
                    }
                }
                Asker::Holder(user) => self
                    .models
                    .access
                    .holder(user)
                    .map(|h| format!("председатель: {}", h.holder))
                    .unwrap_or_else(|| "председатель".to_string()),
            }),
            _ => None,
        };
        let publishes = serves
            && viewer
                .may_at(Action::WriteLibrary, view.region_id, registry)
                .is_ok();
        Ok(Question {
            region: registry
                .organization(view.region_id)
                .map(|o| o.name)
                .unwrap_or_default(),
            asker_name,
            answers: serves,
            publishes,
            view,
        })
    }

    /// Runs `command` on question `id` (with the library document it
    /// publishes, in the same append) and answers the question once the read
    /// models include it.
    async fn consultation_command(
        &self,
        issued: &Issued,
        id: ConsultationId,
        command: &ConsultationCommand,
        document: Option<(DocumentId, &DocumentCommand)>,
    ) -> Result<ConsultationView, Error> {
        let log = self.commands.log();
        let appended = self
            .commands
            .execute(issued, || async move {
                let loaded = load(log, id.stream(), consultation::evolve).await?;
                let events =
                    consultation::decide(&loaded.state, command, issued.today).map_err(refused)?;
                let mut streams = vec![loaded.append(events)?];
                if let Some((document_id, document)) = document {
                    let shelf = load(log, document_id.stream(), library::evolve).await?;
                    let events = library::decide(&shelf.state, document, issued.today)
                        .map_err(crate::library::refused)?;
                    streams.push(shelf.append(events)?);
                }
                Ok(Decision::of(streams))
            })
            .await?;
        let id = appended
            .stream_versions
            .iter()
            .find_map(|(s, _)| ConsultationId::from_stream(s))
            .unwrap_or(id);
        self.reach(appended.last_position).await?;
        self.models
            .consultations
            .question(id)
            .ok_or(Error::NotFound {
                what: "consultation",
            })
    }
}

/// A consultation's refusal in the contract's categories.
fn refused(refusal: ConsultationRefusal) -> Error {
    let field = match refusal {
        ConsultationRefusal::NotFound => {
            return Error::NotFound {
                what: "consultation",
            };
        }
        ConsultationRefusal::Exists => {
            return Error::Conflict(crate::Conflict::Exists {
                what: "consultation",
            });
        }
        ConsultationRefusal::Closed | ConsultationRefusal::NotPublishable => "consultationId",
        ConsultationRefusal::Topic => "topic",
        ConsultationRefusal::Text => "text",
    };
    Error::invalid(field, refusal.to_string())
}
