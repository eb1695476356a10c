//! Notifications (stream `notifications`): one message per registry event
//! that concerns someone (an application received, decided; a card issued;
//! a new application for the chair), each recorded once.
//!
//! The stream begins with `NotificationsStarted`: only events after its
//! position are notified, so a registry that starts sending does not write
//! to everyone about its past.

use std::collections::HashSet;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::ids::{ApplicationId, OrgId};
use crate::mailing::{MailingEvent, Recipient, SkipReason};

/// The one stream of notifications.
pub const NOTIFICATIONS_STREAM: &str = "notifications";

/// What a notification tells.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotificationKind {
    /// To the applicant: the application was received.
    ApplicationReceived,
    /// To the chair of the organisation applied to: a new application.
    NewApplication,
    /// To the applicant: approved, they are a member.
    ApplicationApproved,
    /// To the applicant: rejected, with the reason.
    ApplicationRejected,
    /// To the member: a card was issued.
    CardIssued,
    /// To the chair: the day's new applications in one message (recorded as
    /// `ApplicationDigestRecorded`, not per application).
    NewApplicationsDigest,
    /// To the member: the one-time code to sign in to their cabinet (sent
    /// whatever their consent to mailings: they asked for it).
    CabinetCode,
    /// To whoever asked a question: the service answered it.
    ConsultationAnswered,
}

/// How a notification ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NotificationOutcome {
    /// The SMTP server accepted it.
    Delivered,
    /// Refused for good, with the reason.
    Failed(String),
    /// Not sent.
    Skipped(SkipReason),
}

/// The notifications as the charter sees them: where they start, which are
/// recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Notifications {
    /// The position after which events are notified, once started.
    pub from_position: Option<u64>,
    /// Every (source position, kind) recorded.
    pub done: HashSet<(u64, NotificationKind)>,
    /// Every (organisation, day) whose digest is recorded.
    pub digests: HashSet<(OrgId, NaiveDate)>,
}

/// Folds one event.
pub fn evolve(state: &mut Notifications, event: &MailingEvent) {
    match event {
        MailingEvent::NotificationsStarted { from_position } => {
            state.from_position.get_or_insert(*from_position);
        }
        MailingEvent::NotificationRecorded { source, kind, .. } => {
            state.done.insert((*source, *kind));
        }
        MailingEvent::DigestRecorded { org_id, day, .. } => {
            state.digests.insert((*org_id, *day));
        }
        _ => {}
    }
}

/// Whether the digest of `day` is due at `now` (the registry's local time):
/// from `hour` o'clock of the next day on.
pub fn digest_due(day: NaiveDate, now: NaiveDateTime, hour: u32) -> bool {
    let at = NaiveTime::from_hms_opt(hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN);
    day.checked_add_days(Days::new(1))
        .is_some_and(|next| now >= next.and_time(at))
}

/// Records the digest of `day` to `org`'s chair, once: nothing when it is
/// recorded already, or lists no application.
pub fn record_digest(
    state: &Notifications,
    org_id: OrgId,
    day: NaiveDate,
    applications: Vec<ApplicationId>,
    outcome: NotificationOutcome,
) -> Vec<MailingEvent> {
    if applications.is_empty() || state.digests.contains(&(org_id, day)) {
        return vec![];
    }
    vec![MailingEvent::DigestRecorded {
        org_id,
        day,
        applications,
        outcome,
    }]
}

/// Starting at `head`: nothing once started.
pub fn start(state: &Notifications, head: u64) -> Vec<MailingEvent> {
    match state.from_position {
        Some(_) => vec![],
        None => vec![MailingEvent::NotificationsStarted {
            from_position: head,
        }],
    }
}

/// Records outcomes of notifications of events after the start; one
/// recorded before (or twice in `outcomes`) is dropped, one of an event
/// before the start or before starting at all is dropped too.
pub fn record(
    state: &Notifications,
    outcomes: Vec<(u64, NotificationKind, Recipient, NotificationOutcome)>,
) -> Vec<MailingEvent> {
    let Some(from) = state.from_position else {
        return vec![];
    };
    let mut seen = HashSet::new();
    outcomes
        .into_iter()
        .filter(|(source, kind, _, _)| {
            *source > from
                && !state.done.contains(&(*source, *kind))
                && seen.insert((*source, *kind))
        })
        .map(
            |(source, kind, recipient, outcome)| MailingEvent::NotificationRecorded {
                source,
                kind,
                recipient,
                outcome,
            },
        )
        .collect()
}
