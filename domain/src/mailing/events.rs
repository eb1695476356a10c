//! The events of mailings (stream `mailing-<uuid>`) and of a person's consent
//! to them (stream `consent-<person uuid>`).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ApplicationId, ConsultationId, MailingId, OrgId, PersonId, UserId};
use crate::mailing::Segment;
use crate::mailing::cabinet::cabinet_stream;
use crate::mailing::notify::{NOTIFICATIONS_STREAM, NotificationKind, NotificationOutcome};

/// Who a message goes to: a member, an organisation's chair (at the contact
/// e-mail of its passport), or a role holder (at the e-mail of their label).
/// Never an address: the address is looked up when the message is sent, so
/// none stays in the log or the outbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// A member, at the e-mail of their personal data.
    Member(PersonId),
    /// The chair named in an organisation's passport, at its contact e-mail.
    Chair(OrgId),
    /// A holder of a role, at the e-mail their label is.
    Holder(UserId),
    /// An applicant, at the e-mail of their application.
    Applicant(ApplicationId),
    /// Whoever asked a question, found from the question when sent (so the
    /// log names the question, never its asker, in clear).
    Asker(ConsultationId),
}

/// Why a message was not sent, recorded instead of a delivery.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SkipReason {
    /// The recipient has no e-mail address.
    NoAddress,
    /// The person's personal data was erased.
    Erased,
    /// The person unsubscribed from mailings.
    Unsubscribed,
}

/// Events of a mailing and of consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum MailingEvent {
    /// A mailing was scheduled: who it goes to, what it says, when.
    #[serde(rename = "MailingScheduled")]
    Scheduled {
        /// The mailing.
        mailing_id: MailingId,
        /// Who it goes to.
        segment: Segment,
        /// The subject line.
        subject: String,
        /// The body, in Markdown.
        body: String,
        /// The moment sending may begin.
        send_at: DateTime<Utc>,
        /// The day it was scheduled.
        scheduled_on: NaiveDate,
    },
    /// The mailing was cancelled: no further message is sent.
    #[serde(rename = "MailingCancelled")]
    Cancelled {
        /// The mailing.
        mailing_id: MailingId,
        /// The day of cancelling.
        cancelled_on: NaiveDate,
    },
    /// Recipients the segment selected when sending began, in chunks; the
    /// last chunk is `complete`. Fixed once listed, so a restart sends to the
    /// same people.
    #[serde(rename = "MailingRecipientsListed")]
    RecipientsListed {
        /// The mailing.
        mailing_id: MailingId,
        /// Recipients not listed before.
        recipients: Vec<Recipient>,
        /// Whether the list is complete.
        complete: bool,
    },
    /// The SMTP server accepted the recipient's message.
    #[serde(rename = "MessageDelivered")]
    Delivered {
        /// The mailing.
        mailing_id: MailingId,
        /// To whom.
        recipient: Recipient,
    },
    /// The message could not be delivered, for good.
    #[serde(rename = "MessageFailed")]
    Failed {
        /// The mailing.
        mailing_id: MailingId,
        /// To whom.
        recipient: Recipient,
        /// The SMTP server's answer or the error.
        reason: String,
    },
    /// No message was sent to the recipient.
    #[serde(rename = "MessageSkipped")]
    Skipped {
        /// The mailing.
        mailing_id: MailingId,
        /// To whom.
        recipient: Recipient,
        /// Why.
        reason: SkipReason,
    },
    /// A person asked for no more mailings (stream `consent-<uuid>`).
    #[serde(rename = "MemberUnsubscribed")]
    Unsubscribed {
        /// The person.
        person_id: PersonId,
        /// The day.
        unsubscribed_on: NaiveDate,
    },
    /// Notifications begin: events after `from_position` are notified
    /// (stream `notifications`).
    #[serde(rename = "NotificationsStarted")]
    NotificationsStarted {
        /// The last position not notified.
        from_position: u64,
    },
    /// A notification's outcome (stream `notifications`).
    #[serde(rename = "NotificationRecorded")]
    NotificationRecorded {
        /// The position of the event notified.
        source: u64,
        /// What it told.
        kind: NotificationKind,
        /// To whom.
        recipient: Recipient,
        /// How it ended.
        outcome: NotificationOutcome,
    },
    /// A person who had unsubscribed takes mailings again (stream `consent-<uuid>`).
    #[serde(rename = "MemberResubscribed")]
    Resubscribed {
        /// The person.
        person_id: PersonId,
        /// The day.
        resubscribed_on: NaiveDate,
    },
    /// A one-time sign-in code was sent for (stream `cabinet-<uuid>`); the
    /// code is derived from the nonce under the mail key, never stored.
    #[serde(rename = "CabinetCodeIssued")]
    CabinetCodeIssued {
        /// The member.
        person_id: PersonId,
        /// Random, hex.
        nonce: String,
        /// When.
        issued_at: DateTime<Utc>,
        /// The first moment it no longer signs in.
        expires_at: DateTime<Utc>,
    },
    /// A try with a wrong code (stream `cabinet-<uuid>`).
    #[serde(rename = "CabinetCodeRefused")]
    CabinetCodeRefused {
        /// The member.
        person_id: PersonId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The member signed in with the latest code, using it up.
    #[serde(rename = "CabinetSignedIn")]
    CabinetSignedIn {
        /// The member.
        person_id: PersonId,
        /// When.
        at: DateTime<Utc>,
    },
    /// The member asked, in their cabinet, that their personal data be
    /// erased; a chair or admin over their home confirms (by erasing) or
    /// declines.
    #[serde(rename = "ErasureRequested")]
    ErasureRequested {
        /// The member.
        person_id: PersonId,
        /// The day.
        requested_on: NaiveDate,
    },
    /// A chair's choice of how an organisation's new applications reach them
    /// (stream `digest-<org uuid>`): each at once, or one digest a day.
    #[serde(rename = "ApplicationDigestChosen")]
    DigestChosen {
        /// The organisation whose passport's chair is told.
        org_id: OrgId,
        /// One digest a day (`false`: each application at once).
        daily: bool,
        /// The day of the choice.
        chosen_on: NaiveDate,
    },
    /// The day's digest of new applications to an organisation's chair, its
    /// outcome (stream `notifications`); once per organisation and day.
    #[serde(rename = "ApplicationDigestRecorded")]
    DigestRecorded {
        /// The organisation.
        org_id: OrgId,
        /// The day whose applications it lists.
        day: NaiveDate,
        /// The applications listed.
        applications: Vec<ApplicationId>,
        /// How it ended.
        outcome: NotificationOutcome,
    },
    /// The request to erase was declined.
    #[serde(rename = "ErasureDeclined")]
    ErasureDeclined {
        /// The member.
        person_id: PersonId,
        /// Why, for the member.
        reason: String,
        /// The day.
        declined_on: NaiveDate,
    },
}

/// The prefix of the streams of chairs' digest choices: `digest-<org uuid>`.
pub const DIGEST_PREFIX: &str = "digest-";

/// The stream of the choice of how `org`'s chair hears of new applications.
pub fn digest_stream(org: OrgId) -> String {
    format!("{DIGEST_PREFIX}{}", org.0)
}

/// The prefix of consent streams: `consent-<person uuid>`.
pub const CONSENT_PREFIX: &str = "consent-";

/// The stream of `person`'s consent to mailings.
pub fn consent_stream(person: PersonId) -> String {
    format!("{CONSENT_PREFIX}{}", person.0)
}

impl MailingEvent {
    /// The stored type name.
    pub fn event_type(&self) -> &'static str {
        match self {
            MailingEvent::Scheduled { .. } => "MailingScheduled",
            MailingEvent::Cancelled { .. } => "MailingCancelled",
            MailingEvent::RecipientsListed { .. } => "MailingRecipientsListed",
            MailingEvent::Delivered { .. } => "MessageDelivered",
            MailingEvent::Failed { .. } => "MessageFailed",
            MailingEvent::Skipped { .. } => "MessageSkipped",
            MailingEvent::Unsubscribed { .. } => "MemberUnsubscribed",
            MailingEvent::NotificationsStarted { .. } => "NotificationsStarted",
            MailingEvent::NotificationRecorded { .. } => "NotificationRecorded",
            MailingEvent::Resubscribed { .. } => "MemberResubscribed",
            MailingEvent::CabinetCodeIssued { .. } => "CabinetCodeIssued",
            MailingEvent::CabinetCodeRefused { .. } => "CabinetCodeRefused",
            MailingEvent::CabinetSignedIn { .. } => "CabinetSignedIn",
            MailingEvent::ErasureRequested { .. } => "ErasureRequested",
            MailingEvent::ErasureDeclined { .. } => "ErasureDeclined",
            MailingEvent::DigestChosen { .. } => "ApplicationDigestChosen",
            MailingEvent::DigestRecorded { .. } => "ApplicationDigestRecorded",
        }
    }

    /// Every stored type name of this enum (schema version 1).
    pub const TYPES: [&'static str; 17] = [
        "NotificationsStarted",
        "NotificationRecorded",
        "MailingScheduled",
        "MailingCancelled",
        "MailingRecipientsListed",
        "MessageDelivered",
        "MessageFailed",
        "MessageSkipped",
        "MemberUnsubscribed",
        "MemberResubscribed",
        "CabinetCodeIssued",
        "CabinetCodeRefused",
        "CabinetSignedIn",
        "ErasureRequested",
        "ErasureDeclined",
        "ApplicationDigestChosen",
        "ApplicationDigestRecorded",
    ];

    /// The stream the event belongs to.
    pub fn stream(&self) -> String {
        match self {
            MailingEvent::Unsubscribed { person_id, .. }
            | MailingEvent::Resubscribed { person_id, .. } => consent_stream(*person_id),
            MailingEvent::CabinetCodeIssued { person_id, .. }
            | MailingEvent::CabinetCodeRefused { person_id, .. }
            | MailingEvent::CabinetSignedIn { person_id, .. }
            | MailingEvent::ErasureRequested { person_id, .. }
            | MailingEvent::ErasureDeclined { person_id, .. } => cabinet_stream(*person_id),
            MailingEvent::NotificationsStarted { .. }
            | MailingEvent::NotificationRecorded { .. }
            | MailingEvent::DigestRecorded { .. } => NOTIFICATIONS_STREAM.to_string(),
            MailingEvent::DigestChosen { org_id, .. } => digest_stream(*org_id),
            _ => self.mailing_id().map(|m| m.stream()).unwrap_or_default(),
        }
    }

    /// The mailing the event is about (`None` for consent).
    pub fn mailing_id(&self) -> Option<MailingId> {
        match self {
            MailingEvent::Scheduled { mailing_id, .. }
            | MailingEvent::Cancelled { mailing_id, .. }
            | MailingEvent::RecipientsListed { mailing_id, .. }
            | MailingEvent::Delivered { mailing_id, .. }
            | MailingEvent::Failed { mailing_id, .. }
            | MailingEvent::Skipped { mailing_id, .. } => Some(*mailing_id),
            _ => None,
        }
    }

    /// The business date, where the event has one.
    pub fn effective_on(&self) -> Option<NaiveDate> {
        match self {
            MailingEvent::Scheduled { scheduled_on, .. } => Some(*scheduled_on),
            MailingEvent::Cancelled { cancelled_on, .. } => Some(*cancelled_on),
            MailingEvent::Unsubscribed {
                unsubscribed_on, ..
            } => Some(*unsubscribed_on),
            MailingEvent::Resubscribed {
                resubscribed_on, ..
            } => Some(*resubscribed_on),
            MailingEvent::ErasureRequested { requested_on, .. } => Some(*requested_on),
            MailingEvent::ErasureDeclined { declined_on, .. } => Some(*declined_on),
            MailingEvent::DigestChosen { chosen_on, .. } => Some(*chosen_on),
            _ => None,
        }
    }

    /// The recipient of an outcome event.
    pub fn outcome_recipient(&self) -> Option<Recipient> {
        match self {
            MailingEvent::Delivered { recipient, .. }
            | MailingEvent::Failed { recipient, .. }
            | MailingEvent::Skipped { recipient, .. } => Some(*recipient),
            _ => None,
        }
    }
}
