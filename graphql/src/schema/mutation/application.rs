//! `submitApplication` (public, rate-limited per client address),
//! `approveApplication`, `rejectApplication`.

use async_graphql::{Context, ID, InputObject, Object};
use domain::ids::ApplicationId;
use projections::registry::ApplicationView;

use crate::commands::{self, NewApplication};
use crate::error::ApiError;
use crate::guard::{Action, ClientAddr};
use crate::schema::application::Application;
use crate::schema::enums::{CardKind, Gender, MemberCategory, Profession};
use crate::schema::member::Member;
use crate::schema::mutation::member::answer;
use crate::schema::mutation::{
    MAX_NAME_CHARS, MAX_TEXT_CHARS, date_or, optional_text, org_id_in, personal_data, text,
};
use crate::schema::scalars::Date;
use crate::schema::{app, issued, parse_uuid, viewer};

/// An application to join, as the public form sends it.
#[derive(InputObject)]
pub struct ApplicationInput {
    pub org_id: ID,
    pub last_name: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub gender: Gender,
    pub birth_date: Date,
    pub snils: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub category: MemberCategory,
    pub profession: Option<Profession>,
    pub position: Option<String>,
    /// Consent to the processing of personal data; must be true.
    pub consent: bool,
}

/// Application mutations.
#[derive(Default)]
pub struct ApplicationMutation;

#[Object]
impl ApplicationMutation {
    /// Public: no token needed. Limited per client address (see
    /// [`SubmissionLimit`](crate::rate_limit::SubmissionLimit)).
    async fn submit_application(
        &self,
        ctx: &Context<'_>,
        input: ApplicationInput,
    ) -> Result<Application, ApiError> {
        let app = app(ctx);
        // Counted before anything else: malformed submissions load the server too.
        app.submissions
            .check(ctx.data_opt::<ClientAddr>().copied())?;
        let issued = issued(ctx, None, None)?;
        let org_id = org_id_in(&input.org_id, "orgId")?;
        let new = NewApplication {
            org_id,
            personal: personal_data(
                input.last_name,
                input.first_name,
                input.patronymic,
                input.birth_date,
                input.snils,
                input.email,
                input.phone,
            )?,
            gender: input.gender.into(),
            category: input.category.into(),
            profession: input.profession.map(Into::into),
            position: optional_text(input.position, "position", MAX_NAME_CHARS)?,
            consent: input.consent,
        };
        if app.registry.organization(org_id).is_none() {
            return Err(ApiError::NotFound {
                what: "organisation",
            });
        }
        let (id, appended) = commands::submit_application(&app.commands, &issued, new).await?;
        app.include(&appended).await?;
        Application::submitted(ctx, id)
    }

    /// Approves a pending application: the applicant is admitted on the
    /// application's date. Returns the member.
    async fn approve_application(
        &self,
        ctx: &Context<'_>,
        id: ID,
        decided_on: Option<Date>,
        issue_card: Option<CardKind>,
        command_id: Option<ID>,
    ) -> Result<Member, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteMembers)?;
        let issued = issued(ctx, command_id.as_ref(), None)?;
        let application = ApplicationId(parse_uuid(&id, "id")?);
        let decided_on = date_or(decided_on, issued.today);
        application_target(ctx, application)?;
        let (person, appended) = commands::approve_application(
            &app.commands,
            &issued,
            application,
            decided_on,
            issue_card.map(Into::into),
        )
        .await?;
        answer(ctx, person, &appended).await
    }

    /// Rejects a pending application, with its reason, dated today.
    async fn reject_application(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
        command_id: Option<ID>,
    ) -> Result<Application, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteMembers)?;
        let issued = issued(ctx, command_id.as_ref(), None)?;
        let application = ApplicationId(parse_uuid(&id, "id")?);
        let reason = text(reason, "reason", MAX_TEXT_CHARS)?;
        application_target(ctx, application)?;
        let appended =
            commands::reject_application(&app.commands, &issued, application, reason).await?;
        app.include(&appended).await?;
        Application::load(ctx, application)
    }
}

/// The application `id`, which the viewer may decide: its organisation is in
/// the viewer's subtree.
///
/// # Errors
/// `NOT_FOUND` for an unknown application; `FORBIDDEN` outside the subtree.
fn application_target(ctx: &Context<'_>, id: ApplicationId) -> Result<ApplicationView, ApiError> {
    let app = app(ctx);
    let view = app.registry.application(id).ok_or(ApiError::NotFound {
        what: "application",
    })?;
    viewer(ctx).may_at(Action::WriteMembers, view.org_id, &app.registry)?;
    Ok(view)
}
