//! Mailings: scheduling and cancelling (who may mail whom follows the roles
//! and subtrees of [`Action::SendMailings`]), the list with progress, and
//! what the sender needs ([`sender`]); consent ([`consent`]: signed
//! unsubscribe links).

pub mod consent;
pub mod digest;
pub mod notices;
pub mod sender;

use chrono::{DateTime, Utc};
use domain::ids::MailingId;
use domain::mailing::{self, Audience, MailingCommand, MailingRefusal, Segment};
use domain::vocabulary::organization::Sector;
use domain::vocabulary::person::{MemberCategory, Profession};
use serde::Serialize;
use uuid::Uuid;

use crate::commands::Decision;
use crate::commands::load::load;
use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::page::{Page, Window};
use crate::{App, input};

pub use projections::outbox::{Delivery, MailingStatus, MailingView};

/// What notifications are, for the sender.
pub mod notify_types {
    pub use domain::mailing::notify::{NotificationKind, NotificationOutcome};
    pub use projections::outbox::Notice;
}

/// `scheduleMailing`'s input.
#[derive(Clone, Debug, Serialize)]
pub struct ScheduleMailing {
    /// The root of the subtree mailed.
    pub org_id: String,
    /// Members or activists.
    pub audience: Audience,
    /// Members of these categories (none: any).
    pub categories: Vec<MemberCategory>,
    /// Members of these professions (none: any).
    pub professions: Vec<Profession>,
    /// Home organisations of these sectors (none: any).
    pub sectors: Vec<Sector>,
    /// The youngest age.
    pub min_age: Option<i64>,
    /// The oldest age.
    pub max_age: Option<i64>,
    /// The subject line.
    pub subject: String,
    /// The body, in Markdown.
    pub body: String,
    /// When sending may begin (none: now).
    pub send_at: Option<DateTime<Utc>>,
    /// The client's idempotency key.
    pub command_id: Option<String>,
}

fn age(value: Option<i64>, field: &'static str) -> Result<Option<u8>, Error> {
    value
        .map(|v| {
            u8::try_from(v).map_err(|_| Error::invalid(field, format!("{field} must be 0..255")))
        })
        .transpose()
}

/// A mailing refusal in the contract's categories.
pub(crate) fn refused(refusal: MailingRefusal) -> Error {
    match refusal {
        MailingRefusal::NotFound => Error::NotFound { what: "mailing" },
        MailingRefusal::Exists => Error::Conflict(crate::Conflict::Exists { what: "mailing" }),
        MailingRefusal::Subject => Error::invalid("subject", refusal.to_string()),
        MailingRefusal::Body => Error::invalid("body", refusal.to_string()),
        MailingRefusal::Segment(_) => Error::invalid("segment", refusal.to_string()),
        MailingRefusal::Cancelled
        | MailingRefusal::Finished
        | MailingRefusal::ListingClosed
        | MailingRefusal::NotListed => Error::invalid("id", refusal.to_string()),
    }
}

impl App {
    /// `scheduleMailing`: by a holder who may send mailings over the
    /// segment's organisation (ADMIN, CHAIR in their subtree).
    ///
    /// # Errors
    /// `FORBIDDEN` outside the role's subtree, `VALIDATION` for a blank
    /// subject or body or filters that contradict each other, `NOT_FOUND`
    /// for an unknown organisation.
    pub async fn schedule_mailing(
        &self,
        viewer: &Viewer,
        input: ScheduleMailing,
    ) -> Result<MailingView, Error> {
        viewer.may(Action::SendMailings)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let org_id = input::id(&input.org_id, "orgId")?;
        self.models
            .registry
            .organization(org_id)
            .ok_or(Error::NotFound {
                what: "organisation",
            })?;
        viewer.may_at(Action::SendMailings, org_id, &self.models.registry)?;
        let segment = Segment {
            org_id,
            audience: input.audience,
            categories: input.categories,
            professions: input.professions,
            sectors: input.sectors,
            min_age: age(input.min_age, "minAge")?,
            max_age: age(input.max_age, "maxAge")?,
        };
        let command = MailingCommand::Schedule {
            segment,
            subject: input.subject,
            body: input.body,
            send_at: input.send_at.unwrap_or_else(Utc::now),
        };
        let id = MailingId(Uuid::now_v7());
        let appended = self.mailing_command(&issued, id, &command).await?;
        let id = appended
            .stream_versions
            .iter()
            .find_map(|(s, _)| MailingId::from_stream(s))
            .unwrap_or(id);
        self.reach(appended.last_position).await?;
        self.mailing(viewer, id)
    }

    /// `cancelMailing`: no further message of it is sent.
    ///
    /// # Errors
    /// `NOT_FOUND`, `FORBIDDEN` outside the role's subtree, `VALIDATION`
    /// when it was cancelled or finished.
    pub async fn cancel_mailing(
        &self,
        viewer: &Viewer,
        id: &str,
        command_id: Option<&str>,
    ) -> Result<MailingView, Error> {
        let id: MailingId = input::id(id, "id")?;
        let issued = self.issue(viewer, &id, command_id, None)?;
        let view = self.mailing_of(id)?;
        viewer.may_at(
            Action::SendMailings,
            view.segment.org_id,
            &self.models.registry,
        )?;
        let appended = self
            .mailing_command(&issued, id, &MailingCommand::Cancel)
            .await?;
        self.reach(appended.last_position).await?;
        self.mailing(viewer, id)
    }

    /// The mailing `id`, to a holder who may send mailings over its subtree.
    ///
    /// # Errors
    /// `NOT_FOUND`, `FORBIDDEN`.
    pub fn mailing(&self, viewer: &Viewer, id: MailingId) -> Result<MailingView, Error> {
        let view = self.mailing_of(id)?;
        viewer.may_at(
            Action::SendMailings,
            view.segment.org_id,
            &self.models.registry,
        )?;
        Ok(view)
    }

    /// `mailings`: those over the viewer's subtree (or `org_id`'s, inside
    /// it), newest first.
    ///
    /// # Errors
    /// `FORBIDDEN` for a role that sends none, or an `org_id` outside.
    pub fn mailings(
        &self,
        viewer: &Viewer,
        org_id: Option<&str>,
    ) -> Result<Vec<MailingView>, Error> {
        let subtree = viewer.may(Action::SendMailings)?;
        let org = input::optional_id(org_id, "orgId")?;
        if let Some(org) = org {
            viewer.may_at(Action::SendMailings, org, &self.models.registry)?;
        }
        let registry = &self.models.registry;
        let mut views: Vec<MailingView> = self
            .models
            .outbox
            .mailings()
            .into_iter()
            .filter(|m| subtree.is_none_or(|s| registry.within(m.segment.org_id, s)))
            .filter(|m| org.is_none_or(|o| registry.within(m.segment.org_id, o)))
            .collect();
        views.reverse();
        Ok(views)
    }

    fn mailing_of(&self, id: MailingId) -> Result<MailingView, Error> {
        self.models
            .outbox
            .mailing(id)
            .ok_or(Error::NotFound { what: "mailing" })
    }

    /// Runs `command` on the mailing `id` through the command path.
    async fn mailing_command(
        &self,
        issued: &crate::commands::Issued,
        id: MailingId,
        command: &MailingCommand,
    ) -> Result<eventlog::Appended, Error> {
        let log = self.commands.log();
        self.commands
            .execute(issued, || async move {
                let loaded = load(log, id.stream(), mailing::evolve).await?;
                let events =
                    mailing::decide(id, &loaded.state, command, issued.today).map_err(refused)?;
                Ok(Decision::of(vec![loaded.append(events)?]))
            })
            .await
    }
}

/// One recipient of a mailing and where its message is.
pub type RecipientStatus = (domain::mailing::Recipient, projections::outbox::Delivery);

impl App {
    /// A page of the recipients of mailing `id` with each one's status, in
    /// the order they were listed, to a holder who may send mailings over
    /// its subtree (ids and statuses, no personal data). A cursor is the
    /// number of recipients up to its item, so a page either way is a range
    /// of the list.
    ///
    /// # Errors
    /// `NOT_FOUND`, `FORBIDDEN`, `VALIDATION` for a bad page size or cursor.
    pub fn mailing_recipients(
        &self,
        viewer: &Viewer,
        id: &str,
        window: &Window,
    ) -> Result<Page<RecipientStatus>, Error> {
        let id: MailingId = input::id(id, "id")?;
        self.mailing(viewer, id)?;
        let field = window.cursor_field();
        let window = window.checked()?.try_map(|cursor| {
            cursor
                .parse::<usize>()
                .map_err(|_| Error::invalid(field, "not a cursor of this list"))
        })?;
        let outbox = &self.models.outbox;
        let (from, items, total_count) = match window {
            projections::Window::After { first, after } => {
                let from = after.unwrap_or(0);
                let (items, total) = outbox.recipients(id, from, first);
                (from, items, total)
            }
            projections::Window::Before { last, before } => {
                let end = match before {
                    Some(cursor) => cursor.saturating_sub(1),
                    None => outbox.recipients(id, 0, 0).1,
                };
                let from = end.saturating_sub(last);
                let (items, total) = outbox.recipients(id, from, end - from);
                (from, items, total)
            }
        };
        let next = from + items.len();
        let items: Vec<(String, RecipientStatus)> = items
            .into_iter()
            .enumerate()
            .map(|(i, item)| ((from + i + 1).to_string(), item))
            .collect();
        Ok(Page {
            end_cursor: items.last().map(|(cursor, _)| cursor.clone()),
            start_cursor: items.first().map(|(cursor, _)| cursor.clone()),
            items,
            has_next_page: next < total_count,
            has_previous_page: from > 0,
            total_count: total_count as u64,
        })
    }
}
