//! `admitMember`, `transferMember`, `endMembership`, `updateMember`,
//! `issueCard`, `blockCard`, `erasePersonalData`.

use async_graphql::{Context, ID, InputObject, Object};
use domain::card_number::CardNumber;
use domain::ids::PersonId;
use domain::vocabulary::person::{PersonalDataPatch, ProfilePatch};
use eventlog::Appended;

use crate::commands::{self, NewMember};
use crate::error::ApiError;
use crate::guard::Action;
use crate::schema::enums::{CardKind, EndReason, Gender, MemberCategory, Profession};
use crate::schema::member::{Card, Member, card_number};
use crate::schema::mutation::{
    MAX_NAME_CHARS, MAX_TEXT_CHARS, date_or, member_target, optional_email, optional_snils,
    optional_text, org_id_in, organization_target, person_id_in, personal_data, text,
};
use crate::schema::scalars::Date;
use crate::schema::{app, issued, viewer};

/// An admission, on the date of the written application.
#[derive(InputObject)]
pub struct AdmitMemberInput {
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
    /// The date of the application: membership and tenure start on it.
    pub admitted_on: Date,
    /// Issue a card in the same command.
    pub issue_card: Option<CardKind>,
    pub command_id: Option<ID>,
}

/// Changes to a member; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateMemberInput {
    pub last_name: Option<String>,
    pub first_name: Option<String>,
    pub patronymic: Option<String>,
    pub snils: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub category: Option<MemberCategory>,
    pub profession: Option<Profession>,
    pub position: Option<String>,
}

impl UpdateMemberInput {
    fn into_patches(self) -> Result<(ProfilePatch, PersonalDataPatch), ApiError> {
        // A name cannot be cleared: a blank one goes on to the charter's refusal.
        let name = |value: Option<String>, field| {
            value
                .map(|value| text(value, field, MAX_NAME_CHARS))
                .transpose()
        };
        let profile = ProfilePatch {
            category: self.category.map(Into::into),
            profession: self.profession.map(Into::into),
            position: optional_text(self.position, "position", MAX_NAME_CHARS)?,
        };
        let personal = PersonalDataPatch {
            last_name: name(self.last_name, "lastName")?,
            first_name: name(self.first_name, "firstName")?,
            patronymic: optional_text(self.patronymic, "patronymic", MAX_NAME_CHARS)?,
            snils: optional_snils(self.snils)?,
            email: optional_email(self.email)?,
            phone: optional_text(self.phone, "phone", MAX_NAME_CHARS)?,
        };
        Ok((profile, personal))
    }
}

/// Member and card mutations.
#[derive(Default)]
pub struct MemberMutation;

#[Object]
impl MemberMutation {
    /// Admits a newcomer, or re-admits the former member with the same SNILS.
    async fn admit_member(
        &self,
        ctx: &Context<'_>,
        input: AdmitMemberInput,
    ) -> Result<Member, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteMembers)?;
        let issued = issued(ctx, input.command_id.as_ref(), None)?;
        let home_org = org_id_in(&input.org_id, "orgId")?;
        let member = NewMember {
            home_org,
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
            admitted_on: input.admitted_on.0,
            issue_card: input.issue_card.map(Into::into),
        };
        organization_target(ctx, Action::WriteMembers, home_org)?;
        let (person, appended) = commands::admit_member(&app.commands, &issued, member).await?;
        answer(ctx, person, &appended).await
    }

    /// Transfers a member to another home from `effectiveOn`. The viewer must
    /// hold both homes: a chair changes only its own subtree, so a transfer
    /// between two subtrees is made by a holder above both.
    async fn transfer_member(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        to_org_id: ID,
        effective_on: Date,
        expected_version: Option<i32>,
        command_id: Option<ID>,
    ) -> Result<Member, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteMembers)?;
        let issued = issued(ctx, command_id.as_ref(), expected_version.map(i64::from))?;
        let person = person_id_in(&member_id, "memberId")?;
        let to_org = org_id_in(&to_org_id, "toOrgId")?;
        member_target(ctx, person)?;
        if app.registry.organization(to_org).is_none() {
            return Err(ApiError::NotFound {
                what: "organisation",
            });
        }
        viewer(ctx).may_at(Action::WriteMembers, to_org, &app.registry)?;
        let appended =
            commands::transfer_member(&app.commands, &issued, person, to_org, effective_on.0)
                .await?;
        answer(ctx, person, &appended).await
    }

    /// Voluntary exit, expulsion (basis required), leaving education, death.
    #[allow(clippy::too_many_arguments)]
    async fn end_membership(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        reason: EndReason,
        effective_on: Date,
        basis: Option<String>,
        expected_version: Option<i32>,
        command_id: Option<ID>,
    ) -> Result<Member, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteMembers)?;
        let issued = issued(ctx, command_id.as_ref(), expected_version.map(i64::from))?;
        let person = person_id_in(&member_id, "memberId")?;
        let basis = optional_text(basis, "basis", MAX_TEXT_CHARS)?;
        member_target(ctx, person)?;
        let appended = commands::end_membership(
            &app.commands,
            &issued,
            person,
            reason.into(),
            basis,
            effective_on.0,
        )
        .await?;
        answer(ctx, person, &appended).await
    }

    /// Changes a member's profile and personal data, from today.
    async fn update_member(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        input: UpdateMemberInput,
        expected_version: Option<i32>,
        command_id: Option<ID>,
    ) -> Result<Member, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteMembers)?;
        let issued = issued(ctx, command_id.as_ref(), expected_version.map(i64::from))?;
        let person = person_id_in(&member_id, "memberId")?;
        let (profile, personal) = input.into_patches()?;
        member_target(ctx, person)?;
        let appended =
            commands::update_member(&app.commands, &issued, person, profile, personal).await?;
        answer(ctx, person, &appended).await
    }

    /// Issues a card, blocking the active one as replaced.
    async fn issue_card(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        #[graphql(default_with = "Some(CardKind::Plastic)")] kind: Option<CardKind>,
        issued_on: Option<Date>,
        command_id: Option<ID>,
    ) -> Result<Card, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteMembers)?;
        let issued = issued(ctx, command_id.as_ref(), None)?;
        let person = person_id_in(&member_id, "memberId")?;
        let issued_on = date_or(issued_on, issued.today);
        member_target(ctx, person)?;
        let kind = kind.unwrap_or(CardKind::Plastic).into();
        let (number, appended) =
            commands::issue_card(&app.commands, &issued, person, kind, issued_on).await?;
        card_answer(ctx, number, &appended).await
    }

    /// Blocks a card on request.
    async fn block_card(
        &self,
        ctx: &Context<'_>,
        number: String,
        reason: String,
        command_id: Option<ID>,
    ) -> Result<Card, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteMembers)?;
        let issued = issued(ctx, command_id.as_ref(), None)?;
        let number = card_number(&number)?;
        let reason = text(reason, "reason", MAX_TEXT_CHARS)?;
        let card = app
            .registry
            .card(number)
            .ok_or(ApiError::NotFound { what: "card" })?;
        member_target(ctx, card.holder)?;
        let (_, appended) = commands::block_card(&app.commands, &issued, number, reason).await?;
        card_answer(ctx, number, &appended).await
    }

    /// Crypto-shreds the person's personal data; history and statistics remain.
    async fn erase_personal_data(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        basis: String,
        command_id: Option<ID>,
    ) -> Result<Member, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteMembers)?;
        let issued = issued(ctx, command_id.as_ref(), None)?;
        let person = person_id_in(&member_id, "memberId")?;
        let basis = text(basis, "basis", MAX_TEXT_CHARS)?;
        member_target(ctx, person)?;
        let appended = commands::erase_personal_data(&app.commands, &issued, person, basis).await?;
        answer(ctx, person, &appended).await
    }
}

/// The person once the read models include `appended`. Access was checked
/// before the command ran; a transfer may take them out of the viewer's
/// subtree, and the answer still shows the result.
pub(super) async fn answer(
    ctx: &Context<'_>,
    person: PersonId,
    appended: &Appended,
) -> Result<Member, ApiError> {
    let app = app(ctx);
    app.include(appended).await?;
    app.registry
        .member(person)
        .map(Member)
        .ok_or(ApiError::NotFound { what: "member" })
}

/// The card once the read models include `appended`.
async fn card_answer(
    ctx: &Context<'_>,
    number: CardNumber,
    appended: &Appended,
) -> Result<Card, ApiError> {
    let app = app(ctx);
    app.include(appended).await?;
    app.registry
        .card(number)
        .map(Card)
        .ok_or(ApiError::NotFound { what: "card" })
}
