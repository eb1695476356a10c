//! The mailing aggregate (stream `mailing-<uuid>`): a message to every
//! recipient of a segment, each recipient's outcome recorded exactly once.
//!
//! A mailing is scheduled with its segment and text; when it is due the
//! sender lists its recipients (fixed from then on, so a restart goes on with
//! the same people) and records one outcome per recipient: delivered, failed
//! or skipped. Who may mail which subtree is the caller's check (`app`'s
//! guard); what a mailing may go through is decided here.

pub mod cabinet;
mod events;
pub mod notify;
mod segment;

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, Utc};

use crate::ids::MailingId;

pub use events::{
    CONSENT_PREFIX, DIGEST_PREFIX, MailingEvent, Recipient, SkipReason, consent_stream,
    digest_stream,
};
pub use segment::{Audience, MemberFacts, Segment};

/// The longest subject line, in characters.
pub const MAX_SUBJECT: usize = 300;
/// The longest body, in characters.
pub const MAX_BODY: usize = 100_000;

/// A mailing as the charter sees it: folded from its stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mailing {
    /// Whether it was scheduled (a stream without it is no mailing).
    pub scheduled: bool,
    /// When sending may begin.
    pub send_at: Option<DateTime<Utc>>,
    /// Whether it was cancelled.
    pub cancelled: bool,
    /// Whether the list of recipients is complete.
    pub listing_complete: bool,
    /// Every recipient listed.
    pub listed: HashSet<Recipient>,
    /// Every recipient whose outcome is recorded.
    pub done: HashSet<Recipient>,
}

impl Mailing {
    /// Listed, complete, and every recipient's outcome recorded.
    pub fn finished(&self) -> bool {
        self.listing_complete && self.done.len() == self.listed.len()
    }
}

/// One recipient's outcome, as the sender reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The SMTP server accepted the message.
    Delivered,
    /// Refused for good, with the reason.
    Failed(String),
    /// Not sent.
    Skipped(SkipReason),
}

/// Every command on a mailing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailingCommand {
    /// Schedule a new mailing.
    Schedule {
        /// Who it goes to.
        segment: Segment,
        /// The subject line.
        subject: String,
        /// The body, in Markdown.
        body: String,
        /// When sending may begin.
        send_at: DateTime<Utc>,
    },
    /// Cancel it: no further message.
    Cancel,
    /// List recipients (a chunk; `complete` on the last).
    List {
        /// The recipients.
        recipients: Vec<Recipient>,
        /// Whether this is the last chunk.
        complete: bool,
    },
    /// Record outcomes of recipients.
    Record {
        /// Each recipient's outcome.
        outcomes: Vec<(Recipient, Outcome)>,
    },
}

/// Why a command on a mailing was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MailingRefusal {
    /// No such mailing.
    #[error("mailing not found")]
    NotFound,
    /// A mailing with this id exists.
    #[error("the mailing exists already")]
    Exists,
    /// An empty or too long subject line.
    #[error("the subject must have 1 to {MAX_SUBJECT} characters")]
    Subject,
    /// An empty or too long body.
    #[error("the body must have 1 to {MAX_BODY} characters")]
    Body,
    /// A segment whose filters make no sense (see [`Segment::check`]).
    #[error("{0}")]
    Segment(&'static str),
    /// The mailing was cancelled.
    #[error("the mailing was cancelled")]
    Cancelled,
    /// Every message of the mailing went out already.
    #[error("the mailing is finished")]
    Finished,
    /// The list of recipients is complete: nobody is added after.
    #[error("the list of recipients is complete")]
    ListingClosed,
    /// An outcome for someone the mailing was not listed for.
    #[error("the recipient is not on the mailing's list")]
    NotListed,
}

/// Folds one event into the state.
pub fn evolve(state: &mut Mailing, event: &MailingEvent) {
    match event {
        MailingEvent::Scheduled { send_at, .. } => {
            state.scheduled = true;
            state.send_at = Some(*send_at);
        }
        MailingEvent::Cancelled { .. } => state.cancelled = true,
        MailingEvent::RecipientsListed {
            recipients,
            complete,
            ..
        } => {
            state.listed.extend(recipients.iter().copied());
            state.listing_complete |= *complete;
        }
        MailingEvent::Delivered { recipient, .. }
        | MailingEvent::Failed { recipient, .. }
        | MailingEvent::Skipped { recipient, .. } => {
            state.done.insert(*recipient);
        }
        // Events of other streams (consent, notifications, cabinets, digests).
        _ => {}
    }
}

/// Decides `command` on the mailing `id` as `state` has it, on `today`.
///
/// A recipient listed before is not listed again and an outcome recorded
/// before is not recorded again: both are dropped from the events, so a
/// sender resuming after a crash cannot double an entry.
///
/// # Errors
/// A [`MailingRefusal`].
pub fn decide(
    id: MailingId,
    state: &Mailing,
    command: &MailingCommand,
    today: NaiveDate,
) -> Result<Vec<MailingEvent>, MailingRefusal> {
    if !state.scheduled && !matches!(command, MailingCommand::Schedule { .. }) {
        return Err(MailingRefusal::NotFound);
    }
    match command {
        MailingCommand::Schedule {
            segment,
            subject,
            body,
            send_at,
        } => {
            if state.scheduled {
                return Err(MailingRefusal::Exists);
            }
            let subject = subject.trim();
            if subject.is_empty() || subject.chars().count() > MAX_SUBJECT {
                return Err(MailingRefusal::Subject);
            }
            if body.trim().is_empty() || body.chars().count() > MAX_BODY {
                return Err(MailingRefusal::Body);
            }
            segment.check().map_err(MailingRefusal::Segment)?;
            Ok(vec![MailingEvent::Scheduled {
                mailing_id: id,
                segment: segment.clone(),
                subject: subject.to_string(),
                body: body.clone(),
                send_at: *send_at,
                scheduled_on: today,
            }])
        }
        MailingCommand::Cancel => {
            if state.cancelled {
                return Err(MailingRefusal::Cancelled);
            }
            if state.finished() {
                return Err(MailingRefusal::Finished);
            }
            Ok(vec![MailingEvent::Cancelled {
                mailing_id: id,
                cancelled_on: today,
            }])
        }
        MailingCommand::List {
            recipients,
            complete,
        } => {
            if state.cancelled {
                return Err(MailingRefusal::Cancelled);
            }
            if state.listing_complete {
                return Err(MailingRefusal::ListingClosed);
            }
            let mut seen = HashSet::new();
            let recipients: Vec<Recipient> = recipients
                .iter()
                .copied()
                .filter(|r| !state.listed.contains(r) && seen.insert(*r))
                .collect();
            if recipients.is_empty() && !complete {
                return Ok(vec![]);
            }
            Ok(vec![MailingEvent::RecipientsListed {
                mailing_id: id,
                recipients,
                complete: *complete,
            }])
        }
        MailingCommand::Record { outcomes } => {
            let mut seen = HashSet::new();
            let mut events = Vec::with_capacity(outcomes.len());
            for (recipient, outcome) in outcomes {
                if !state.listed.contains(recipient) {
                    return Err(MailingRefusal::NotListed);
                }
                if state.done.contains(recipient) || !seen.insert(*recipient) {
                    continue;
                }
                let recipient = *recipient;
                events.push(match outcome {
                    Outcome::Delivered => MailingEvent::Delivered {
                        mailing_id: id,
                        recipient,
                    },
                    Outcome::Failed(reason) => MailingEvent::Failed {
                        mailing_id: id,
                        recipient,
                        reason: reason.clone(),
                    },
                    Outcome::Skipped(reason) => MailingEvent::Skipped {
                        mailing_id: id,
                        recipient,
                        reason: *reason,
                    },
                });
            }
            Ok(events)
        }
    }
}

/// `org`'s chair takes new applications as a daily digest (`daily`) or one
/// by one; nothing when that is the choice already (`daily_now`).
pub fn choose_digest(
    org_id: crate::ids::OrgId,
    daily_now: bool,
    daily: bool,
    today: NaiveDate,
) -> Vec<MailingEvent> {
    if daily_now == daily {
        return vec![];
    }
    vec![MailingEvent::DigestChosen {
        org_id,
        daily,
        chosen_on: today,
    }]
}

/// The person takes mailings again; nothing when they never unsubscribed.
pub fn resubscribe(
    person_id: crate::ids::PersonId,
    unsubscribed: bool,
    today: NaiveDate,
) -> Vec<MailingEvent> {
    if !unsubscribed {
        return vec![];
    }
    vec![MailingEvent::Resubscribed {
        person_id,
        resubscribed_on: today,
    }]
}

/// Whether a person who unsubscribed (`unsubscribed`) is unsubscribed again:
/// never twice in the log.
pub fn unsubscribe(
    person_id: crate::ids::PersonId,
    unsubscribed: bool,
    today: NaiveDate,
) -> Vec<MailingEvent> {
    if unsubscribed {
        return vec![];
    }
    vec![MailingEvent::Unsubscribed {
        person_id,
        unsubscribed_on: today,
    }]
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::ids::{OrgId, PersonId};

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    }

    fn scheduled() -> (MailingId, Mailing) {
        let id = MailingId(Uuid::from_u128(1));
        let command = MailingCommand::Schedule {
            segment: Segment::members(OrgId(Uuid::from_u128(2))),
            subject: "Собрание".into(),
            body: "Приходите".into(),
            send_at: DateTime::<Utc>::MIN_UTC,
        };
        let mut state = Mailing::default();
        for event in decide(id, &state, &command, day()).unwrap() {
            evolve(&mut state, &event);
        }
        (id, state)
    }

    #[test]
    fn an_outcome_needs_a_listed_recipient_and_is_recorded_once() {
        let (id, mut state) = scheduled();
        let someone = Recipient::Member(PersonId(Uuid::from_u128(3)));
        let record = MailingCommand::Record {
            outcomes: vec![(someone, Outcome::Delivered)],
        };
        assert_eq!(
            decide(id, &state, &record, day()),
            Err(MailingRefusal::NotListed)
        );
        let list = MailingCommand::List {
            recipients: vec![someone, someone],
            complete: true,
        };
        for event in decide(id, &state, &list, day()).unwrap() {
            evolve(&mut state, &event);
        }
        let events = decide(id, &state, &record, day()).unwrap();
        assert_eq!(events.len(), 1);
        evolve(&mut state, &events[0]);
        assert!(decide(id, &state, &record, day()).unwrap().is_empty());
        assert!(state.finished());
        assert_eq!(
            decide(id, &state, &MailingCommand::Cancel, day()),
            Err(MailingRefusal::Finished)
        );
    }

    #[test]
    fn a_blank_subject_is_refused() {
        let command = MailingCommand::Schedule {
            segment: Segment::members(OrgId(Uuid::from_u128(2))),
            subject: "  ".into(),
            body: "x".into(),
            send_at: DateTime::<Utc>::MIN_UTC,
        };
        let id = MailingId(Uuid::from_u128(1));
        assert_eq!(
            decide(id, &Mailing::default(), &command, day()),
            Err(MailingRefusal::Subject)
        );
    }
}
