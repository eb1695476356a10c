//! `submitApplication` (public, rate-limited per client address),
//! `approveApplication`, `rejectApplication`.

use app::ClientAddr;
use app::applications::{ApproveApplication, RejectApplication, SubmitApplication};
use async_graphql::{Context, ID, InputObject, Object};

use crate::error::ApiError;
use crate::schema::application::Application;
use crate::schema::enums::{CardKind, Gender, MemberCategory, Profession};
use crate::schema::member::Member;
use crate::schema::mutation::id_text;
use crate::schema::scalars::Date;
use crate::schema::{app, viewer};

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
    /// Public: no token needed. Limited per client address.
    async fn submit_application(
        &self,
        ctx: &Context<'_>,
        input: ApplicationInput,
    ) -> Result<Application, ApiError> {
        let submit = SubmitApplication {
            org_id: input.org_id.0,
            last_name: input.last_name,
            first_name: input.first_name,
            patronymic: input.patronymic,
            gender: input.gender.into(),
            birth_date: input.birth_date.0,
            snils: input.snils,
            email: input.email,
            phone: input.phone,
            category: input.category.into(),
            profession: input.profession.map(Into::into),
            position: input.position,
            consent: input.consent,
        };
        let client = ctx.data_opt::<ClientAddr>().copied();
        let submitted = app(ctx)
            .submit_application(viewer(ctx), client, submit)
            .await?;
        Ok(Application(submitted))
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
        let approve = ApproveApplication {
            id: id.0,
            decided_on: decided_on.map(|d| d.0),
            issue_card: issue_card.map(Into::into),
            command_id: id_text(command_id),
        };
        let member = app(ctx).approve_application(viewer(ctx), approve).await?;
        Ok(Member(member))
    }

    /// Rejects a pending application, with its reason, dated today.
    async fn reject_application(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
        command_id: Option<ID>,
    ) -> Result<Application, ApiError> {
        let reject = RejectApplication {
            id: id.0,
            reason,
            command_id: id_text(command_id),
        };
        let rejected = app(ctx).reject_application(viewer(ctx), reject).await?;
        Ok(Application(rejected))
    }
}
