//! The outbox: every mailing, who it is listed for, whose message is still
//! pending, and the progress counts; who unsubscribed and whose personal data
//! was erased.
//!
//! It holds recipients, never addresses: an address is looked up in the
//! registry when its message is sent, so an erasure takes it out of every
//! pending message at once and no address stays in clear here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use domain::event::{ApplicationEvent, ConsultationEvent, Event, PersonEvent};
use domain::ids::{ApplicationId, MailingId, OrgId, PersonId};
use domain::mailing::notify::NotificationKind;
use domain::mailing::{MailingEvent, Recipient, Segment, SkipReason};
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::runtime::{Applied, Projection};
use crate::snapshot::{self, Install, Section, SnapshotError};

/// Where a mailing is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MailingStatus {
    /// Waiting for its time.
    Scheduled,
    /// Recipients listed, messages going out.
    Sending,
    /// Every recipient's outcome recorded.
    Finished,
    /// Cancelled.
    Cancelled,
}

/// A mailing and its progress.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailingView {
    /// The mailing.
    pub mailing_id: MailingId,
    /// Who it goes to.
    pub segment: Segment,
    /// The subject line.
    pub subject: String,
    /// The body, in Markdown.
    pub body: String,
    /// When sending may begin.
    pub send_at: DateTime<Utc>,
    /// The day it was scheduled.
    pub scheduled_on: NaiveDate,
    /// Who scheduled it (the envelope's actor).
    pub scheduled_by: String,
    /// Where it is.
    pub status: MailingStatus,
    /// Recipients listed.
    pub listed: u64,
    /// Messages the SMTP server accepted.
    pub delivered: u64,
    /// Messages refused for good.
    pub failed: u64,
    /// Recipients not sent to (no address, erased, unsubscribed).
    pub skipped: u64,
}

impl MailingView {
    /// Listed recipients without an outcome yet.
    pub fn queued(&self) -> u64 {
        self.listed - self.delivered - self.failed - self.skipped
    }
}

#[derive(Serialize, Deserialize)]
struct Campaign {
    view: MailingView,
    listing_complete: bool,
    recipients: Vec<Recipient>,
    index: HashMap<Recipient, usize>,
    done: Vec<bool>,
    /// Each recipient's outcome, once recorded.
    outcomes: HashMap<usize, Delivery>,
    /// No recipient before this index is pending.
    cursor: usize,
}

impl Campaign {
    fn status(&mut self) {
        let finished = self.listing_complete && self.view.queued() == 0;
        self.view.status = match self.view.status {
            MailingStatus::Cancelled => MailingStatus::Cancelled,
            _ if finished => MailingStatus::Finished,
            _ if self.listing_complete || self.view.listed > 0 => MailingStatus::Sending,
            _ => MailingStatus::Scheduled,
        };
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Model {
    mailings: BTreeMap<MailingId, Campaign>,
    unsubscribed: HashSet<PersonId>,
    erased: HashSet<PersonId>,
    position: u64,
    /// Notifications begin after this position, once started.
    notify_from: Option<u64>,
    /// Notifications not yet recorded, by source position and kind.
    notices: BTreeMap<(u64, NotificationKind), Recipient>,
    /// Members' requests to erase their data waiting for a decision, by day.
    erasure_requests: BTreeMap<PersonId, NaiveDate>,
    /// Organisations whose chair takes new applications as a daily digest.
    digest_daily: HashSet<OrgId>,
    /// Digests not yet recorded: the applications of each day and organisation.
    digests: BTreeMap<(NaiveDate, OrgId), Vec<ApplicationId>>,
    /// Digests recorded (an application of such a day arriving later, as a
    /// backdated one would, is told at once instead).
    digests_recorded: HashSet<(NaiveDate, OrgId)>,
}

/// The outbox read model.
#[derive(Default)]
pub struct Outbox {
    model: RwLock<Model>,
}

impl Outbox {
    /// An empty outbox, to be fed from position 0.
    pub fn new() -> Outbox {
        Outbox::default()
    }

    /// The mailing `id`.
    pub fn mailing(&self, id: MailingId) -> Option<MailingView> {
        self.model.read().mailings.get(&id).map(|c| c.view.clone())
    }

    /// Every mailing, oldest first.
    pub fn mailings(&self) -> Vec<MailingView> {
        let model = self.model.read();
        model.mailings.values().map(|c| c.view.clone()).collect()
    }

    /// The oldest mailing with work left at `now`: due, not cancelled, not
    /// finished.
    pub fn due(&self, now: DateTime<Utc>) -> Option<MailingView> {
        let model = self.model.read();
        model
            .mailings
            .values()
            .find(|c| {
                c.view.send_at <= now
                    && matches!(
                        c.view.status,
                        MailingStatus::Scheduled | MailingStatus::Sending
                    )
            })
            .map(|c| c.view.clone())
    }

    /// Whether the mailing's list of recipients is complete.
    pub fn listing_complete(&self, id: MailingId) -> bool {
        let model = self.model.read();
        model.mailings.get(&id).is_some_and(|c| c.listing_complete)
    }

    /// Up to `limit` listed recipients of `id` without an outcome, in the
    /// order they were listed.
    pub fn pending(&self, id: MailingId, limit: usize) -> Vec<Recipient> {
        let model = self.model.read();
        let Some(campaign) = model.mailings.get(&id) else {
            return vec![];
        };
        (campaign.cursor..campaign.recipients.len())
            .filter(|&i| !campaign.done[i])
            .take(limit)
            .map(|i| campaign.recipients[i])
            .collect()
    }

    /// Whether `person` asked for no more mailings.
    pub fn unsubscribed(&self, person: PersonId) -> bool {
        self.model.read().unsubscribed.contains(&person)
    }

    /// Members' requests to erase their data waiting for a decision, oldest
    /// person id first, with the day each was made.
    pub fn erasure_requests(&self) -> Vec<(PersonId, NaiveDate)> {
        let model = self.model.read();
        model
            .erasure_requests
            .iter()
            .map(|(p, d)| (*p, *d))
            .collect()
    }

    /// The day `person` asked for erasure, while the request waits.
    pub fn erasure_requested(&self, person: PersonId) -> Option<NaiveDate> {
        self.model.read().erasure_requests.get(&person).copied()
    }

    /// Whether `person`'s personal data was erased.
    pub fn erased(&self, person: PersonId) -> bool {
        self.model.read().erased.contains(&person)
    }
}

/// Where one recipient's message is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// Not sent yet.
    Queued,
    /// The SMTP server accepted it.
    Sent,
    /// Refused for good, with the reason.
    Failed(String),
    /// Not sent, and why.
    Skipped(SkipReason),
}

impl Outbox {
    /// Up to `first` recipients of `id` from the `after`-th on, in the order
    /// they were listed, each with where their message is; and the total.
    pub fn recipients(
        &self,
        id: MailingId,
        after: usize,
        first: usize,
    ) -> (Vec<(Recipient, Delivery)>, usize) {
        let model = self.model.read();
        let Some(campaign) = model.mailings.get(&id) else {
            return (vec![], 0);
        };
        let page = (after..campaign.recipients.len())
            .take(first)
            .map(|i| {
                let delivery = campaign
                    .outcomes
                    .get(&i)
                    .cloned()
                    .unwrap_or(Delivery::Queued);
                (campaign.recipients[i], delivery)
            })
            .collect();
        (page, campaign.recipients.len())
    }
}

/// The notifications an event calls for.
fn notices(event: &Event) -> Vec<(NotificationKind, Recipient)> {
    match event {
        Event::Application(ApplicationEvent::Submitted {
            application_id,
            org_id,
            ..
        }) => vec![
            (
                NotificationKind::ApplicationReceived,
                Recipient::Applicant(*application_id),
            ),
            (NotificationKind::NewApplication, Recipient::Chair(*org_id)),
        ],
        Event::Application(ApplicationEvent::Approved { application_id, .. }) => vec![(
            NotificationKind::ApplicationApproved,
            Recipient::Applicant(*application_id),
        )],
        Event::Application(ApplicationEvent::Rejected { application_id, .. }) => vec![(
            NotificationKind::ApplicationRejected,
            Recipient::Applicant(*application_id),
        )],
        Event::Person(PersonEvent::CardIssued { person_id, .. }) => {
            vec![(NotificationKind::CardIssued, Recipient::Member(*person_id))]
        }
        Event::Mailing(MailingEvent::CabinetCodeIssued { person_id, .. }) => {
            vec![(NotificationKind::CabinetCode, Recipient::Member(*person_id))]
        }
        Event::Consultation(ConsultationEvent::Answered {
            consultation_id, ..
        }) => vec![(
            NotificationKind::ConsultationAnswered,
            Recipient::Asker(*consultation_id),
        )],
        _ => vec![],
    }
}

/// A notification to send: the position of the event it tells of, what, to whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The event's position.
    pub source: u64,
    /// What it tells.
    pub kind: NotificationKind,
    /// To whom.
    pub recipient: Recipient,
}

impl Outbox {
    /// Whether notifications have started.
    pub fn notifications_started(&self) -> bool {
        self.model.read().notify_from.is_some()
    }

    /// Digests not recorded yet, oldest day first: the day, the organisation
    /// whose chair it goes to, the applications it lists.
    pub fn pending_digests(&self) -> Vec<(NaiveDate, OrgId, Vec<ApplicationId>)> {
        let model = self.model.read();
        model
            .digests
            .iter()
            .map(|(&(day, org), apps)| (day, org, apps.clone()))
            .collect()
    }

    /// Whether `org`'s chair takes new applications as a daily digest.
    pub fn digest_daily(&self, org: OrgId) -> bool {
        self.model.read().digest_daily.contains(&org)
    }

    /// Up to `limit` notifications not recorded yet, oldest first.
    pub fn pending_notices(&self, limit: usize) -> Vec<Notice> {
        let model = self.model.read();
        model
            .notices
            .iter()
            .take(limit)
            .map(|(&(source, kind), &recipient)| Notice {
                source,
                kind,
                recipient,
            })
            .collect()
    }
}

impl Model {
    fn apply(&mut self, applied: &Applied) {
        self.position = applied.stored.position;
        match &applied.event {
            Event::Person(PersonEvent::PersonalDataErased { person_id, .. }) => {
                self.erased.insert(*person_id);
                self.erasure_requests.remove(person_id);
            }
            Event::Mailing(event) => self.apply_mailing(event, &applied.stored.actor),
            _ => {}
        }
        let position = applied.stored.position;
        if self.notify_from.is_some_and(|from| position > from) {
            for (kind, recipient) in notices(&applied.event) {
                if let Some(key) = self.digested(kind, recipient, &applied.event) {
                    if let Event::Application(ApplicationEvent::Submitted {
                        application_id, ..
                    }) = &applied.event
                    {
                        self.digests.entry(key).or_default().push(*application_id);
                    }
                    continue;
                }
                self.notices.insert((position, kind), recipient);
            }
        }
    }

    /// The digest a notice goes into instead of its own message, if any.
    fn digested(
        &self,
        kind: NotificationKind,
        recipient: Recipient,
        event: &Event,
    ) -> Option<(NaiveDate, OrgId)> {
        let (NotificationKind::NewApplication, Recipient::Chair(org)) = (kind, recipient) else {
            return None;
        };
        let Event::Application(ApplicationEvent::Submitted { submitted_on, .. }) = event else {
            return None;
        };
        let key = (*submitted_on, org);
        (self.digest_daily.contains(&org) && !self.digests_recorded.contains(&key)).then_some(key)
    }

    fn apply_mailing(&mut self, event: &MailingEvent, actor: &str) {
        match event {
            MailingEvent::Unsubscribed { person_id, .. } => {
                self.unsubscribed.insert(*person_id);
                return;
            }
            MailingEvent::Resubscribed { person_id, .. } => {
                self.unsubscribed.remove(person_id);
                return;
            }
            MailingEvent::ErasureRequested {
                person_id,
                requested_on,
            } => {
                if !self.erased.contains(person_id) {
                    self.erasure_requests.insert(*person_id, *requested_on);
                }
                return;
            }
            MailingEvent::ErasureDeclined { person_id, .. } => {
                self.erasure_requests.remove(person_id);
                return;
            }
            MailingEvent::DigestChosen { org_id, daily, .. } => {
                if *daily {
                    self.digest_daily.insert(*org_id);
                } else {
                    self.digest_daily.remove(org_id);
                }
                return;
            }
            MailingEvent::DigestRecorded { org_id, day, .. } => {
                self.digests.remove(&(*day, *org_id));
                self.digests_recorded.insert((*day, *org_id));
                return;
            }
            MailingEvent::NotificationsStarted { from_position } => {
                self.notify_from.get_or_insert(*from_position);
                return;
            }
            MailingEvent::NotificationRecorded { source, kind, .. } => {
                self.notices.remove(&(*source, *kind));
                return;
            }
            _ => {}
        }
        if let MailingEvent::Scheduled {
            mailing_id,
            segment,
            subject,
            body,
            send_at,
            scheduled_on,
        } = event
        {
            let view = MailingView {
                mailing_id: *mailing_id,
                segment: segment.clone(),
                subject: subject.clone(),
                body: body.clone(),
                send_at: *send_at,
                scheduled_on: *scheduled_on,
                scheduled_by: actor.to_string(),
                status: MailingStatus::Scheduled,
                listed: 0,
                delivered: 0,
                failed: 0,
                skipped: 0,
            };
            self.mailings.insert(
                *mailing_id,
                Campaign {
                    view,
                    listing_complete: false,
                    recipients: vec![],
                    index: HashMap::new(),
                    done: vec![],
                    outcomes: HashMap::new(),
                    cursor: 0,
                },
            );
            return;
        }
        let Some(campaign) = event.mailing_id().and_then(|id| self.mailings.get_mut(&id)) else {
            return;
        };
        match event {
            MailingEvent::Cancelled { .. } => campaign.view.status = MailingStatus::Cancelled,
            MailingEvent::RecipientsListed {
                recipients,
                complete,
                ..
            } => {
                for r in recipients {
                    if !campaign.index.contains_key(r) {
                        campaign.index.insert(*r, campaign.recipients.len());
                        campaign.recipients.push(*r);
                        campaign.done.push(false);
                    }
                }
                campaign.view.listed = campaign.recipients.len() as u64;
                campaign.listing_complete |= complete;
            }
            MailingEvent::Delivered { recipient, .. }
            | MailingEvent::Failed { recipient, .. }
            | MailingEvent::Skipped { recipient, .. } => {
                let Some(&i) = campaign.index.get(recipient) else {
                    return;
                };
                if std::mem::replace(&mut campaign.done[i], true) {
                    return;
                }
                let outcome = match event {
                    MailingEvent::Delivered { .. } => {
                        campaign.view.delivered += 1;
                        Delivery::Sent
                    }
                    MailingEvent::Failed { reason, .. } => {
                        campaign.view.failed += 1;
                        Delivery::Failed(reason.clone())
                    }
                    MailingEvent::Skipped { reason, .. } => {
                        campaign.view.skipped += 1;
                        Delivery::Skipped(*reason)
                    }
                    _ => return,
                };
                campaign.outcomes.insert(i, outcome);
                while campaign.cursor < campaign.done.len() && campaign.done[campaign.cursor] {
                    campaign.cursor += 1;
                }
            }
            _ => {}
        }
        campaign.status();
    }
}

impl Projection for Outbox {
    fn name(&self) -> &'static str {
        "outbox"
    }

    fn apply(&self, events: &[Applied]) {
        for slice in events.chunks(crate::runtime::APPLY_SLICE) {
            let mut model = self.model.write();
            for applied in slice {
                model.apply(applied);
            }
        }
    }

    fn digest(&self) -> u64 {
        let model = self.model.read();
        let mut hasher = DefaultHasher::new();
        for (id, campaign) in &model.mailings {
            id.hash(&mut hasher);
            campaign.view.status.hash(&mut hasher);
            campaign.recipients.hash(&mut hasher);
            campaign.done.hash(&mut hasher);
        }
        let mut unsubscribed: Vec<_> = model.unsubscribed.iter().collect();
        unsubscribed.sort();
        unsubscribed.hash(&mut hasher);
        let mut erased: Vec<_> = model.erased.iter().collect();
        erased.sort();
        erased.hash(&mut hasher);
        model.notify_from.hash(&mut hasher);
        model.notices.hash(&mut hasher);
        model.erasure_requests.hash(&mut hasher);
        model.digests.hash(&mut hasher);
        let mut daily: Vec<_> = model.digest_daily.iter().collect();
        daily.sort();
        daily.hash(&mut hasher);
        hasher.finish()
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        snapshot::save(self.name(), &*self.model.read(), out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let model: Model = snapshot::restore(self.name(), bytes)?;
        Ok(Box::new(move || *self.model.write() = model))
    }
}
