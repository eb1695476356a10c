//! `Member`, `Card`, `CardCheck`, `HistoryEntry`, and the queries `member`,
//! `memberByCard`, `members` and `verifyCard`.
//!
//! Personal fields go through the operation's [`PersonalReads`](app::PersonalReads):
//! refused to roles that may not see them, recorded in the audit trail for
//! those who may.

use app::ClientAddr;
use app::members::MembersQuery;
use app::views::{CardCheck as CardCheckView, CardView, MemberView};
use async_graphql::{Context, ID, Object};
use domain::card_number::CardNumber;
use domain::ids::PersonId;

use crate::error::ApiError;
use crate::schema::connection::{self, MemberConnection};
use crate::schema::enums::{
    CardCheckResult, CardKind, CardStatus, EndReason, Gender, MemberCategory, MembershipStatus,
    Profession,
};
use crate::schema::organization::{Organization, saturating_i32};
use crate::schema::scalars::{Date, DateTime};
use crate::schema::{app, reads, viewer};

/// A person: member or former member.
pub struct Member(pub MemberView);

impl Member {
    /// The person `person` as `ctx`'s viewer may see them.
    ///
    /// # Errors
    /// `NOT_FOUND`, or `FORBIDDEN` for a role that reads no members or a person
    /// whose (last) home is outside the viewer's subtree.
    pub fn load(ctx: &Context<'_>, person: PersonId) -> Result<Member, ApiError> {
        Ok(Member(app(ctx).member(viewer(ctx), person)?))
    }

    fn personal(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<&domain::vocabulary::person::PersonalData>, ApiError> {
        reads(ctx)?.show(self.0.person_id)?;
        Ok(self.0.personal.as_ref())
    }
}

#[Object]
impl Member {
    pub async fn id(&self) -> ID {
        ID(self.0.person_id.to_string())
    }

    /// Null after erasure; FORBIDDEN for viewers who may not see personal data.
    async fn last_name(&self, ctx: &Context<'_>) -> Result<Option<&str>, ApiError> {
        Ok(self.personal(ctx)?.map(|p| p.last_name.as_str()))
    }

    async fn first_name(&self, ctx: &Context<'_>) -> Result<Option<&str>, ApiError> {
        Ok(self.personal(ctx)?.map(|p| p.first_name.as_str()))
    }

    async fn patronymic(&self, ctx: &Context<'_>) -> Result<Option<&str>, ApiError> {
        Ok(self.personal(ctx)?.and_then(|p| p.patronymic.as_deref()))
    }

    async fn birth_date(&self, ctx: &Context<'_>) -> Result<Option<Date>, ApiError> {
        Ok(self.personal(ctx)?.map(|p| Date(p.birth_date)))
    }

    async fn snils(&self, ctx: &Context<'_>) -> Result<Option<String>, ApiError> {
        Ok(self
            .personal(ctx)?
            .and_then(|p| p.snils.map(|s| s.to_string())))
    }

    async fn email(&self, ctx: &Context<'_>) -> Result<Option<&str>, ApiError> {
        Ok(self.personal(ctx)?.and_then(|p| p.email.as_deref()))
    }

    async fn phone(&self, ctx: &Context<'_>) -> Result<Option<&str>, ApiError> {
        Ok(self.personal(ctx)?.and_then(|p| p.phone.as_deref()))
    }

    async fn gender(&self) -> Gender {
        self.0.gender.into()
    }

    async fn birth_year(&self) -> i32 {
        self.0.birth_year
    }

    async fn category(&self) -> MemberCategory {
        self.0.category.into()
    }

    async fn profession(&self) -> Option<Profession> {
        self.0.profession.map(Into::into)
    }

    async fn position(&self) -> Option<&str> {
        self.0.position.as_deref()
    }

    async fn status(&self) -> MembershipStatus {
        self.0.status.into()
    }

    /// Current home, or the last one when membership has ended.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization, ApiError> {
        Organization::known(ctx, self.0.home)
    }

    /// First day of the current (or last) continuous membership.
    async fn joined_on(&self) -> Date {
        Date(self.0.joined_on)
    }

    async fn ended_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date)
    }

    async fn end_reason(&self) -> Option<EndReason> {
        self.0.end_reason.map(Into::into)
    }

    /// Union tenure in whole days on the given date (today when omitted).
    async fn tenure_days(&self, as_of: Option<Date>) -> i32 {
        let as_of = as_of.map_or_else(app::today, |d| d.0);
        saturating_i32(self.0.tenure_days(as_of))
    }

    /// The active card, if any.
    async fn card(&self) -> Option<Card> {
        self.0.card().cloned().map(Card)
    }

    async fn cards(&self) -> Vec<Card> {
        self.0.cards.iter().cloned().map(Card).collect()
    }

    /// Every event of this person, oldest first: the membership archive.
    async fn history(&self, ctx: &Context<'_>) -> Result<Vec<HistoryEntry>, ApiError> {
        let entries = app(ctx).history(viewer(ctx), self.0.person_id).await?;
        Ok(entries.into_iter().map(HistoryEntry).collect())
    }

    async fn erased(&self) -> bool {
        self.0.erased
    }

    async fn version(&self) -> i32 {
        saturating_i32(self.0.version)
    }
}

/// A union card.
pub struct Card(pub CardView);

#[Object]
impl Card {
    async fn number(&self) -> String {
        self.0.number.to_string()
    }

    async fn kind(&self) -> CardKind {
        self.0.kind.into()
    }

    async fn status(&self) -> CardStatus {
        self.0.status.into()
    }

    async fn issued_on(&self) -> Date {
        Date(self.0.issued_on)
    }

    async fn blocked_on(&self) -> Option<Date> {
        self.0.blocked_on.map(Date)
    }

    async fn block_reason(&self) -> Option<&str> {
        self.0.block_reason.as_deref()
    }

    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>, ApiError> {
        Member::load(ctx, self.0.holder).map(Some)
    }

    /// The card number as a QR code, SVG markup.
    async fn qr_svg(&self) -> Result<String, ApiError> {
        qr_svg(self.0.number)
    }
}

/// The QR code of a card number, as SVG.
fn qr_svg(number: CardNumber) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(number.to_string().as_bytes())
        .map_err(|e| app::Error::Internal(format!("QR code of {number}: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .build())
}

/// What checking a card answers.
pub struct CardCheck(pub CardCheckView);

#[Object]
impl CardCheck {
    async fn number(&self) -> String {
        self.0.number.to_string()
    }

    async fn result(&self) -> CardCheckResult {
        self.0.result.into()
    }

    /// Name of the organisation that issued the card, when VALID.
    async fn organization_name(&self) -> Option<&str> {
        self.0.organization_name.as_deref()
    }
}

/// One event of a person's history in plain words.
pub struct HistoryEntry(pub app::views::HistoryEntry);

#[Object]
impl HistoryEntry {
    async fn position(&self) -> i32 {
        saturating_i32(self.0.position)
    }

    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.0.event_type
    }

    async fn effective_on(&self) -> Option<Date> {
        self.0.effective_on.map(Date)
    }

    async fn recorded_at(&self) -> DateTime {
        DateTime(self.0.recorded_at)
    }

    async fn actor(&self) -> Option<&str> {
        Some(self.0.actor.as_str())
    }

    async fn organization(&self, ctx: &Context<'_>) -> Option<Organization> {
        // The organisation named by a past event may have left the viewer's
        // subtree since; the name is history, shown as the path is.
        self.0
            .organization
            .and_then(|org| Organization::known(ctx, org).ok())
    }

    /// One line in plain words, e.g. 'Transferred from X to Y'.
    async fn summary(&self) -> &str {
        &self.0.summary
    }
}

/// `member`, `memberByCard`, `members` and `verifyCard`.
#[derive(Default)]
pub struct MemberQuery;

#[Object]
impl MemberQuery {
    async fn member(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Member>, ApiError> {
        let person = app::input::id(&id, "id")?;
        match Member::load(ctx, person) {
            Ok(member) => Ok(Some(member)),
            Err(ApiError(app::Error::NotFound { .. })) => Ok(None),
            Err(other) => Err(other),
        }
    }

    async fn member_by_card(
        &self,
        ctx: &Context<'_>,
        number: String,
    ) -> Result<Option<Member>, ApiError> {
        let member = app(ctx).member_by_card(viewer(ctx), &number)?;
        Ok(member.map(Member))
    }

    /// Members whose home is the organisation (or, by default, anywhere in its subtree).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::schema::connection::page_cost(first, last, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        #[graphql(default_with = "Some(true)")] include_descendants: Option<bool>,
        #[graphql(default_with = "Some(MembershipStatus::Active)")] status: Option<
            MembershipStatus,
        >,
        search: Option<String>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        #[graphql(
            desc = "Backward paging: the last items (before `before`, else of the list); not with `first` (an addition)."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Backward paging: the page ends before this cursor (an edge's, or `startCursor`) (an addition)."
        )]
        before: Option<String>,
    ) -> Result<MemberConnection, ApiError> {
        let window = connection::window(ctx, first, after, last, before, 50)?;
        let query = MembersQuery {
            org_id: org_id.0,
            include_descendants: include_descendants.unwrap_or(true),
            status: status.unwrap_or(MembershipStatus::Active).into(),
            search,
            first: 0,
            after: None,
        };
        let page = app(ctx).members_window(reads(ctx)?, query, &window)?;
        Ok(MemberConnection::from_page(page, Member))
    }

    /// Public: VALID (with the issuing organisation), BLOCKED or UNKNOWN.
    async fn verify_card(&self, ctx: &Context<'_>, number: String) -> Result<CardCheck, ApiError> {
        let client = ctx.data_opt::<ClientAddr>().copied();
        Ok(CardCheck(app(ctx).verify_card(
            viewer(ctx),
            client,
            &number,
        )?))
    }
}
