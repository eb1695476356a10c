//! `admitMember`, `transferMember`, `endMembership`, `updateMember`,
//! `issueCard`, `blockCard`, `erasePersonalData`.

use app::members::{
    AdmitMember, BlockCard, EndMembership, ErasePersonalData, IssueCard, MemberChanges,
    TransferMember, UpdateMember,
};
use async_graphql::{Context, ID, InputObject, Object};

use crate::error::ApiError;
use crate::schema::enums::{CardKind, EndReason, Gender, MemberCategory, Profession};
use crate::schema::member::{Card, Member};
use crate::schema::mutation::id_text;
use crate::schema::scalars::Date;
use crate::schema::{app, viewer};

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
        let admission = AdmitMember {
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
            admitted_on: input.admitted_on.0,
            issue_card: input.issue_card.map(Into::into),
            command_id: id_text(input.command_id),
        };
        Ok(Member(app(ctx).admit_member(viewer(ctx), admission).await?))
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
        let transfer = TransferMember {
            member_id: member_id.0,
            to_org_id: to_org_id.0,
            effective_on: effective_on.0,
            expected_version: expected_version.map(i64::from),
            command_id: id_text(command_id),
        };
        Ok(Member(
            app(ctx).transfer_member(viewer(ctx), transfer).await?,
        ))
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
        let end = EndMembership {
            member_id: member_id.0,
            reason: reason.into(),
            effective_on: effective_on.0,
            basis,
            expected_version: expected_version.map(i64::from),
            command_id: id_text(command_id),
        };
        Ok(Member(app(ctx).end_membership(viewer(ctx), end).await?))
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
        let update = UpdateMember {
            member_id: member_id.0,
            input: MemberChanges {
                last_name: input.last_name,
                first_name: input.first_name,
                patronymic: input.patronymic,
                snils: input.snils,
                email: input.email,
                phone: input.phone,
                category: input.category.map(Into::into),
                profession: input.profession.map(Into::into),
                position: input.position,
            },
            expected_version: expected_version.map(i64::from),
            command_id: id_text(command_id),
        };
        Ok(Member(app(ctx).update_member(viewer(ctx), update).await?))
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
        let issue = IssueCard {
            member_id: member_id.0,
            kind: kind.map(Into::into),
            issued_on: issued_on.map(|d| d.0),
            command_id: id_text(command_id),
        };
        Ok(Card(app(ctx).issue_card(viewer(ctx), issue).await?))
    }

    /// Blocks a card on request.
    async fn block_card(
        &self,
        ctx: &Context<'_>,
        number: String,
        reason: String,
        command_id: Option<ID>,
    ) -> Result<Card, ApiError> {
        let block = BlockCard {
            number,
            reason,
            command_id: id_text(command_id),
        };
        Ok(Card(app(ctx).block_card(viewer(ctx), block).await?))
    }

    /// Crypto-shreds the person's personal data; history and statistics remain.
    async fn erase_personal_data(
        &self,
        ctx: &Context<'_>,
        member_id: ID,
        basis: String,
        command_id: Option<ID>,
    ) -> Result<Member, ApiError> {
        let erase = ErasePersonalData {
            member_id: member_id.0,
            basis,
            command_id: id_text(command_id),
        };
        Ok(Member(
            app(ctx).erase_personal_data(viewer(ctx), erase).await?,
        ))
    }
}
