//! Consultations (issue 16): `askConsultation` by a member in the cabinet
//! or a CHAIR, addressed to the legal or methodological service of their
//! regional organisation; the service's `consultations` desk,
//! `answerConsultation`, `closeConsultation`, `publishConsultation` (to the
//! library, without the asker's name). The asker and their text are shown
//! through the operation's recorded reads. Additions to the contract,
//! checked by name in `tests/schema.rs`.

use app::consultations::{
    AnswerConsultationInput as AnswerInput, AskConsultationInput as AskInput, ConsultationState,
    PublishConsultationInput as PublishInput, Question,
};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use crate::error::ApiError;
use crate::schema::mutation::id_text;
use crate::schema::scalars::Date;
use crate::schema::{app, reads, viewer};

/// Which service of the regional organisation a question is for.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::consultation::Service")]
pub enum ConsultationService {
    /// The legal service.
    Legal,
    /// The methodological service.
    Methodological,
}

/// Which questions a list shows.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq, Default)]
pub enum ConsultationFilter {
    /// Every one.
    #[default]
    All,
    /// Not answered and not closed.
    Open,
    /// Answered.
    Answered,
    /// Closed.
    Closed,
}

impl From<ConsultationFilter> for ConsultationState {
    fn from(filter: ConsultationFilter) -> ConsultationState {
        match filter {
            ConsultationFilter::All => ConsultationState::All,
            ConsultationFilter::Open => ConsultationState::Open,
            ConsultationFilter::Answered => ConsultationState::Answered,
            ConsultationFilter::Closed => ConsultationState::Closed,
        }
    }
}

/// A question to a region's service and its thread.
pub struct Consultation(pub Question);

/// One message of the service.
#[derive(SimpleObject)]
pub struct ConsultationAnswer {
    /// 1, 2, …
    pub message: i32,
    /// The day.
    pub on: Date,
    /// The text; null once the asker's personal data was erased.
    pub text: Option<String>,
}

#[Object]
impl Consultation {
    async fn id(&self) -> ID {
        ID(self.0.view.consultation_id.to_string())
    }

    /// The regional organisation it is addressed to.
    async fn region_id(&self) -> ID {
        ID(self.0.view.region_id.to_string())
    }

    /// Its name.
    async fn region_name(&self) -> &str {
        &self.0.region
    }

    async fn service(&self) -> ConsultationService {
        self.0.view.service.into()
    }

    async fn asked_on(&self) -> Date {
        Date(self.0.view.asked_on)
    }

    /// The topic; null once the asker's personal data was erased.
    async fn topic(&self) -> Option<&str> {
        self.0.view.asked.as_ref().map(|a| a.topic.as_str())
    }

    /// The question; null once erased.
    async fn text(&self) -> Option<&str> {
        self.0.view.asked.as_ref().map(|a| a.text.as_str())
    }

    /// Who asked (name and organisation), for the service only; null to
    /// the asker and once erased.
    async fn asker_name(&self) -> Option<&str> {
        self.0.asker_name.as_deref()
    }

    /// Whether the asker's personal data was erased (the question's text
    /// and answers with it).
    async fn erased(&self) -> bool {
        self.0.view.asked.is_none()
    }

    /// The attached file's name, if any.
    async fn attachment_name(&self) -> Option<&str> {
        self.0
            .view
            .asked
            .as_ref()
            .and_then(|a| a.attachment.as_ref())
            .map(|a| a.file.file_name.as_str())
    }

    /// The service's messages, oldest first.
    async fn answers(&self) -> Vec<ConsultationAnswer> {
        self.0
            .view
            .answers
            .iter()
            .map(|a| ConsultationAnswer {
                message: i32::try_from(a.message).unwrap_or(i32::MAX),
                on: Date(a.on),
                text: a.text.clone(),
            })
            .collect()
    }

    async fn closed_on(&self) -> Option<Date> {
        self.0.view.closed_on.map(Date)
    }

    /// The library document it was published as.
    async fn published_document_id(&self) -> Option<ID> {
        self.0.view.published.map(|(d, _)| ID(d.to_string()))
    }

    /// Whether the viewer is its service (answers and closes it).
    async fn may_answer(&self) -> bool {
        self.0.answers
    }

    /// Whether the viewer may publish it (an ADMIN over the region).
    async fn may_publish(&self) -> bool {
        self.0.publishes
    }
}

/// A question to ask.
#[derive(InputObject)]
pub struct AskConsultationInput {
    pub service: ConsultationService,
    pub topic: String,
    pub text: String,
    /// An attached file's name (its type is judged by its content).
    pub file_name: Option<String>,
    /// The attached file (PDF, DOCX, ODT or UTF-8 text), base64.
    pub content_base64: Option<String>,
    pub command_id: Option<ID>,
}

/// The service's next message.
#[derive(InputObject)]
pub struct AnswerConsultationInput {
    pub consultation_id: ID,
    pub text: String,
    pub command_id: Option<ID>,
}

/// A question to close.
#[derive(InputObject)]
pub struct CloseConsultationInput {
    pub consultation_id: ID,
    pub command_id: Option<ID>,
}

/// A question and its answer to publish, as the service approved them.
#[derive(InputObject)]
pub struct PublishConsultationInput {
    pub consultation_id: ID,
    pub title: String,
    /// The question, without the asker's name.
    pub question: String,
    pub answer: String,
    pub command_id: Option<ID>,
}

/// Consultation queries.
#[derive(Default)]
pub struct ConsultationQuery;

#[Object]
impl ConsultationQuery {
    /// The viewer's questions (a member in the cabinet, a chair) and, for a
    /// region's service (ADMIN or CHAIR over the region), every question
    /// addressed to it; newest first.
    async fn consultations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which questions (all when null).")] state: Option<ConsultationFilter>,
        service: Option<ConsultationService>,
    ) -> Result<Vec<Consultation>, ApiError> {
        let found = app(ctx).consultations(
            viewer(ctx),
            state.unwrap_or_default().into(),
            service.map(Into::into),
            reads(ctx)?,
        )?;
        Ok(found.into_iter().map(Consultation).collect())
    }

    /// A question, for its asker and its service.
    async fn consultation(&self, ctx: &Context<'_>, id: ID) -> Result<Consultation, ApiError> {
        Ok(Consultation(app(ctx).consultation(
            viewer(ctx),
            &id.0,
            reads(ctx)?,
        )?))
    }
}

/// Consultation mutations.
#[derive(Default)]
pub struct ConsultationMutation;

#[Object]
impl ConsultationMutation {
    /// Asks the region's service a question.
    async fn ask_consultation(
        &self,
        ctx: &Context<'_>,
        input: AskConsultationInput,
    ) -> Result<Consultation, ApiError> {
        let input = AskInput {
            service: input.service.into(),
            topic: input.topic,
            text: input.text,
            file_name: input.file_name,
            content: input.content_base64,
            command_id: id_text(input.command_id),
        };
        let asked = app(ctx).ask_consultation(viewer(ctx), input).await?;
        shown(ctx, &asked.consultation_id.to_string())
    }

    /// The service answers (one more message; the asker is notified by e-mail).
    async fn answer_consultation(
        &self,
        ctx: &Context<'_>,
        input: AnswerConsultationInput,
    ) -> Result<Consultation, ApiError> {
        let input = AnswerInput {
            consultation_id: input.consultation_id.0,
            text: input.text,
            command_id: id_text(input.command_id),
        };
        let answered = app(ctx).answer_consultation(viewer(ctx), input).await?;
        shown(ctx, &answered.consultation_id.to_string())
    }

    /// The service closes a question.
    async fn close_consultation(
        &self,
        ctx: &Context<'_>,
        input: CloseConsultationInput,
    ) -> Result<Consultation, ApiError> {
        let closed = app(ctx)
            .close_consultation(
                viewer(ctx),
                &input.consultation_id.0,
                id_text(input.command_id),
            )
            .await?;
        shown(ctx, &closed.consultation_id.to_string())
    }

    /// An ADMIN over the region publishes an answered question to the
    /// library (kind CONSULTATION, for everyone in the region), as the text
    /// given: no name of the asker goes with it.
    async fn publish_consultation(
        &self,
        ctx: &Context<'_>,
        input: PublishConsultationInput,
    ) -> Result<Consultation, ApiError> {
        let input = PublishInput {
            consultation_id: input.consultation_id.0,
            title: input.title,
            question: input.question,
            answer: input.answer,
            command_id: id_text(input.command_id),
        };
        let published = app(ctx).publish_consultation(viewer(ctx), input).await?;
        shown(ctx, &published.consultation_id.to_string())
    }
}

/// The question as the viewer sees it after a command.
fn shown(ctx: &Context<'_>, id: &str) -> Result<Consultation, ApiError> {
    Ok(Consultation(app(ctx).consultation(
        viewer(ctx),
        id,
        reads(ctx)?,
    )?))
}
