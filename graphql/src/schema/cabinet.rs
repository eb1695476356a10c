//! The member's cabinet over GraphQL (an addition to the contract): the
//! one-time code asked for and exchanged for a session token (as a staff
//! token, sent as `Authorization: Bearer`), the member's own record as
//! `viewer { member }`, their contacts, mailings and erasure request, and a
//! desk's answer to such a request.

use app::cabinet::{CabinetSession as Session, ContactsUpdate, SignInRefused};
use app::{ClientAddr, Error};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use crate::error::ApiError;
use crate::schema::member::Member;
use crate::schema::scalars::{Date, DateTime};
use crate::schema::{app, reads, viewer};

/// Who the viewer is: nobody, a staff role's holder (or the operator), or a
/// member in their cabinet.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewerKind {
    /// No token.
    Anonymous,
    /// A role's holder, or the operator.
    Staff,
    /// A member signed in to their cabinet: reads their own record only.
    Member,
}

/// A cabinet session just opened.
#[derive(SimpleObject)]
pub struct CabinetSession {
    /// Send as `Authorization: Bearer`; valid until `expiresAt`.
    token: String,
    expires_at: DateTime,
    /// The member: read their record as `viewer { member }` with the token.
    member_id: ID,
}

/// Input of `updateMyContacts`; a blank field stays as it is.
#[derive(InputObject)]
pub struct MyContactsInput {
    email: Option<String>,
    phone: Option<String>,
}

/// A member's waiting request to erase their personal data.
#[derive(SimpleObject)]
pub struct ErasureRequest {
    member: Member,
    requested_on: Date,
}

fn refused(refusal: SignInRefused) -> ApiError {
    ApiError(match refusal {
        SignInRefused::TooManyTries => Error::RateLimited,
        other => Error::invalid("code", other.to_string()),
    })
}

/// The cabinet's mutations.
#[derive(Default)]
pub struct CabinetMutation;

#[Object]
impl CabinetMutation {
    /// Public: sends a one-time code to the e-mail when it and the SNILS are
    /// an active member's. Always true: the answer tells nobody who is a member.
    async fn request_cabinet_code(
        &self,
        ctx: &Context<'_>,
        snils: String,
        email: String,
    ) -> Result<bool, ApiError> {
        let client = ctx.data_opt::<ClientAddr>().copied();
        app(ctx)
            .request_cabinet_code(client, &snils, &email)
            .await?;
        Ok(true)
    }

    /// Public: the code from the e-mail for a session token. A wrong or
    /// expired code is VALIDATION (field `code`); too many tries RATE_LIMITED.
    async fn sign_in_to_cabinet(
        &self,
        ctx: &Context<'_>,
        snils: String,
        email: String,
        code: String,
    ) -> Result<CabinetSession, ApiError> {
        let client = ctx.data_opt::<ClientAddr>().copied();
        let Session {
            person,
            token,
            expires_at,
        } = app(ctx)
            .sign_in_to_cabinet(client, &snils, &email, &code)
            .await?
            .map_err(refused)?;
        Ok(CabinetSession {
            token,
            expires_at: DateTime(expires_at),
            member_id: ID(person.to_string()),
        })
    }

    /// The signed-in member's own phone and e-mail.
    async fn update_my_contacts(
        &self,
        ctx: &Context<'_>,
        input: MyContactsInput,
    ) -> Result<Member, ApiError> {
        let update = ContactsUpdate {
            email: input.email,
            phone: input.phone,
        };
        let member = app(ctx).update_my_contacts(viewer(ctx), update).await?;
        Ok(Member(member))
    }

    /// The signed-in member stops (`false`) or resumes (`true`) taking mailings.
    async fn set_my_mailings(&self, ctx: &Context<'_>, take: bool) -> Result<bool, ApiError> {
        app(ctx).set_my_mailings(viewer(ctx), take).await?;
        Ok(take)
    }

    /// The signed-in member asks that their personal data be erased.
    async fn request_my_erasure(&self, ctx: &Context<'_>) -> Result<bool, ApiError> {
        app(ctx).request_my_erasure(viewer(ctx)).await?;
        Ok(true)
    }

    /// How new applications to the organisation reach the chair of its
    /// passport: each at once (`daily: false`, the default) or one digest a
    /// day, sent the next morning (a CHAIR or ADMIN over it). Returns `daily`.
    async fn set_application_digest(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        daily: bool,
    ) -> Result<bool, ApiError> {
        let org = app::input::id(&org_id, "orgId")?;
        app(ctx)
            .set_application_digest(viewer(ctx), org, daily)
            .await?;
        Ok(daily)
    }

    /// Declines a member's waiting erasure request (a CHAIR or ADMIN over
    /// their home); confirming it is `erasePersonalData`.
    async fn decline_erasure(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        reason: String,
    ) -> Result<bool, ApiError> {
        let person = app::input::id(&member_id, "memberId")?;
        app(ctx)
            .decline_erasure(viewer(ctx), person, reason)
            .await?;
        Ok(true)
    }
}

/// The cabinet's queries.
#[derive(Default)]
pub struct CabinetQuery;

#[Object]
impl CabinetQuery {
    /// Members' waiting erasure requests in the viewer's subtree (CHAIR, ADMIN).
    async fn erasure_requests(&self, ctx: &Context<'_>) -> Result<Vec<ErasureRequest>, ApiError> {
        let requests = app(ctx).erasure_requests(reads(ctx)?)?;
        Ok(requests
            .into_iter()
            .map(|r| ErasureRequest {
                member: Member(r.member),
                requested_on: Date(r.requested_on),
            })
            .collect())
    }
}
