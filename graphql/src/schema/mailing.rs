//! Mailings (an addition to the contract): `scheduleMailing`,
//! `cancelMailing`, and `mailings` with their progress counts.

use app::mailing::{Delivery, MailingStatus as Status, MailingView, ScheduleMailing};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use domain::mailing::Audience as DomainAudience;
use domain::mailing::{Recipient, SkipReason};

use crate::error::ApiError;
use crate::schema::connection::{self, PageInfo};
use crate::schema::enums::{MemberCategory, Profession, Sector};
use crate::schema::organization::{Organization, saturating_i32};
use crate::schema::scalars::{Date, DateTime};
use crate::schema::{app, viewer};

/// Whom a mailing addresses.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::mailing::Audience")]
pub enum MailingAudience {
    /// Active members of the subtree.
    Members,
    /// Holders of roles and the chairs of the subtree's organisations.
    Activists,
}

/// Where a mailing is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "app::mailing::MailingStatus")]
pub enum MailingStatus {
    /// Waiting for its time.
    Scheduled,
    /// Messages going out.
    Sending,
    /// Every recipient's outcome recorded.
    Finished,
    /// Cancelled.
    Cancelled,
}

/// Input of `scheduleMailing`.
#[derive(InputObject)]
pub struct ScheduleMailingInput {
    /// The root of the subtree mailed.
    org_id: ID,
    #[graphql(default_with = "MailingAudience::Members")]
    audience: MailingAudience,
    #[graphql(default)]
    categories: Vec<MemberCategory>,
    #[graphql(default)]
    professions: Vec<Profession>,
    #[graphql(default)]
    sectors: Vec<Sector>,
    min_age: Option<i32>,
    max_age: Option<i32>,
    subject: String,
    /// Markdown, sent as HTML and plain text.
    body: String,
    /// When sending may begin; now when null.
    send_at: Option<DateTime>,
    command_id: Option<ID>,
}

/// A mailing and its progress.
pub struct Mailing(MailingView);

/// The segment of a mailing.
#[derive(SimpleObject)]
pub struct MailingSegment {
    organization: Organization,
    audience: MailingAudience,
    categories: Vec<MemberCategory>,
    professions: Vec<Profession>,
    sectors: Vec<Sector>,
    min_age: Option<i32>,
    max_age: Option<i32>,
}

#[Object]
impl Mailing {
    async fn id(&self) -> ID {
        ID(self.0.mailing_id.to_string())
    }
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    async fn body(&self) -> &str {
        &self.0.body
    }
    async fn send_at(&self) -> DateTime {
        DateTime(self.0.send_at)
    }
    async fn scheduled_on(&self) -> Date {
        Date(self.0.scheduled_on)
    }
    async fn status(&self) -> MailingStatus {
        self.0.status.into()
    }
    async fn segment(&self, ctx: &Context<'_>) -> Result<MailingSegment, ApiError> {
        let segment = &self.0.segment;
        Ok(MailingSegment {
            organization: Organization::known(ctx, segment.org_id)?,
            audience: segment.audience.into(),
            categories: segment.categories.iter().map(|&c| c.into()).collect(),
            professions: segment.professions.iter().map(|&p| p.into()).collect(),
            sectors: segment.sectors.iter().map(|&s| s.into()).collect(),
            min_age: segment.min_age.map(i32::from),
            max_age: segment.max_age.map(i32::from),
        })
    }
    /// Recipients listed when sending began.
    async fn recipients(&self) -> i32 {
        saturating_i32(self.0.listed)
    }
    /// Listed recipients whose message has not gone out yet.
    async fn queued(&self) -> i32 {
        saturating_i32(self.0.queued())
    }
    /// Messages the SMTP server accepted.
    async fn sent(&self) -> i32 {
        saturating_i32(self.0.delivered)
    }
    async fn failed(&self) -> i32 {
        saturating_i32(self.0.failed)
    }
    /// Not sent: no address, erased, unsubscribed.
    async fn skipped(&self) -> i32 {
        saturating_i32(self.0.skipped)
    }
    /// Each recipient and where their message is, in the order listed (ids
    /// only: no address).
    #[graphql(complexity = "crate::schema::connection::page_cost(first, last, child_complexity)")]
    async fn recipient_statuses(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        #[graphql(
            desc = "Backward paging: the last recipients (before `before`, else of the list); not with `first` (an addition)."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Backward paging: the page ends before this cursor (an edge's, or `startCursor`) (an addition)."
        )]
        before: Option<String>,
    ) -> Result<MailingRecipientPage, ApiError> {
        let window = connection::window(ctx, first, after, last, before, 50)?;
        let page =
            app(ctx).mailing_recipients(viewer(ctx), &self.0.mailing_id.to_string(), &window)?;
        let page_info = PageInfo::of(&page);
        Ok(MailingRecipientPage {
            nodes: page
                .items
                .iter()
                .map(|(_, item)| recipient_status(item.clone()))
                .collect(),
            edges: page
                .items
                .into_iter()
                .map(|(inner, item)| MailingRecipientEdge {
                    cursor: connection::cursor(&inner),
                    node: recipient_status(item),
                })
                .collect(),
            end_cursor: page_info
                .end_cursor
                .clone()
                .filter(|_| page_info.has_next_page),
            has_next_page: page_info.has_next_page,
            page_info,
            total_count: saturating_i32(page.total_count),
        })
    }
}

/// Where one recipient's message is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Not sent yet.
    Queued,
    /// Accepted by the SMTP server.
    Sent,
    /// Refused for good.
    Failed,
    /// Not sent: no address.
    SkippedNoAddress,
    /// Not sent: the personal data was erased.
    SkippedErased,
    /// Not sent: unsubscribed.
    SkippedUnsubscribed,
}

/// One recipient of a mailing.
#[derive(SimpleObject)]
pub struct MailingRecipientStatus {
    /// The member, when the recipient is one.
    member_id: Option<ID>,
    /// The organisation whose passport's chair it is.
    organization_id: Option<ID>,
    /// The role holder.
    holder_id: Option<ID>,
    status: DeliveryStatus,
    /// The SMTP server's answer, for a failed message.
    reason: Option<String>,
}

/// One recipient of a page with its cursor (an addition).
#[derive(SimpleObject)]
pub struct MailingRecipientEdge {
    /// Pass as `after` to continue after this recipient, or as `before` to
    /// go back before it.
    cursor: String,
    node: MailingRecipientStatus,
}

/// A page of a mailing's recipients: `nodes` with the page's fields beside
/// them, as first served, and a Relay connection (`edges`, `pageInfo`: an
/// addition).
#[derive(SimpleObject)]
pub struct MailingRecipientPage {
    nodes: Vec<MailingRecipientStatus>,
    edges: Vec<MailingRecipientEdge>,
    page_info: PageInfo,
    /// Pass as `after` to go on; null at the end.
    end_cursor: Option<String>,
    has_next_page: bool,
    total_count: i32,
}

fn recipient_status((recipient, delivery): (Recipient, Delivery)) -> MailingRecipientStatus {
    let (mut member_id, mut organization_id, mut holder_id) = (None, None, None);
    match recipient {
        Recipient::Member(p) => member_id = Some(ID(p.to_string())),
        Recipient::Chair(o) => organization_id = Some(ID(o.to_string())),
        Recipient::Holder(u) => holder_id = Some(ID(u.to_string())),
        Recipient::Applicant(_) | Recipient::Asker(_) => {}
    }
    let (status, reason) = match delivery {
        Delivery::Queued => (DeliveryStatus::Queued, None),
        Delivery::Sent => (DeliveryStatus::Sent, None),
        Delivery::Failed(reason) => (DeliveryStatus::Failed, Some(reason)),
        Delivery::Skipped(SkipReason::NoAddress) => (DeliveryStatus::SkippedNoAddress, None),
        Delivery::Skipped(SkipReason::Erased) => (DeliveryStatus::SkippedErased, None),
        Delivery::Skipped(SkipReason::Unsubscribed) => (DeliveryStatus::SkippedUnsubscribed, None),
    };
    MailingRecipientStatus {
        member_id,
        organization_id,
        holder_id,
        status,
        reason,
    }
}

/// `mailings`.
#[derive(Default)]
pub struct MailingQuery;

#[Object]
impl MailingQuery {
    /// Mailings over the viewer's subtree (or `orgId`'s inside it), newest first.
    async fn mailings(
        &self,
        ctx: &Context<'_>,
        org_id: Option<ID>,
    ) -> Result<Vec<Mailing>, ApiError> {
        let org = org_id.map(|id| id.0);
        let views = app(ctx).mailings(viewer(ctx), org.as_deref())?;
        Ok(views.into_iter().map(Mailing).collect())
    }
}

/// `scheduleMailing`, `cancelMailing`.
#[derive(Default)]
pub struct MailingMutation;

#[Object]
impl MailingMutation {
    /// Schedules a mailing to a segment of the viewer's subtree (ADMIN, CHAIR).
    async fn schedule_mailing(
        &self,
        ctx: &Context<'_>,
        input: ScheduleMailingInput,
    ) -> Result<Mailing, ApiError> {
        let input = ScheduleMailing {
            org_id: input.org_id.0,
            audience: DomainAudience::from(input.audience),
            categories: input.categories.into_iter().map(Into::into).collect(),
            professions: input.professions.into_iter().map(Into::into).collect(),
            sectors: input.sectors.into_iter().map(Into::into).collect(),
            min_age: input.min_age.map(i64::from),
            max_age: input.max_age.map(i64::from),
            subject: input.subject,
            body: input.body,
            send_at: input.send_at.map(|at| at.0),
            command_id: input.command_id.map(|id| id.0),
        };
        Ok(Mailing(
            app(ctx).schedule_mailing(viewer(ctx), input).await?,
        ))
    }

    /// Cancels a mailing: no further message of it is sent.
    async fn cancel_mailing(
        &self,
        ctx: &Context<'_>,
        id: ID,
        command_id: Option<ID>,
    ) -> Result<Mailing, ApiError> {
        let command = command_id.map(|id| id.0);
        let view = app(ctx)
            .cancel_mailing(viewer(ctx), &id.0, command.as_deref())
            .await?;
        Ok(Mailing(view))
    }
}

/// `mailingProgress`.
#[derive(Default)]
pub struct MailingSubscription;

/// How often progress is looked at.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

#[async_graphql::Subscription]
impl MailingSubscription {
    /// The mailing now, then each time its counts or status change, until it
    /// is finished or cancelled (an addition to the contract).
    async fn mailing_progress(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<impl futures::Stream<Item = Mailing> + use<>, ApiError> {
        let app = app(ctx).clone();
        let viewer = viewer(ctx).clone();
        let id = app::input::id(&id.0, "id")?;
        app.mailing(&viewer, id)?;
        let stream = futures::stream::unfold((None::<MailingView>, false), move |(last, ended)| {
            let (app, viewer) = (app.clone(), viewer.clone());
            async move {
                if ended {
                    return None;
                }
                loop {
                    let view = app.mailing(&viewer, id).ok()?;
                    if last.as_ref() != Some(&view) {
                        let done = matches!(view.status, Status::Finished | Status::Cancelled);
                        return Some((Mailing(view.clone()), (Some(view), done)));
                    }
                    tokio::time::sleep(PROGRESS_EVERY).await;
                }
            }
        });
        Ok(stream)
    }
}
