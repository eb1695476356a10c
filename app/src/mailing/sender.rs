//! What the mailing sender (the worker beside the server) asks of the
//! registry: a turn as the one sender among the nodes, the mailing that is
//! due, its recipients listed once, each recipient's address at the moment
//! of sending, and the outcomes recorded exactly once.
//!
//! The sender reads addresses as the registry's own process, for the SMTP
//! server only: no viewer is shown them, so no read is recorded.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::ids::{MailingId, OrgId};
use domain::mailing::{
    self, Audience, Mailing, MailingCommand, MemberFacts, Outcome, Recipient, SkipReason,
};
use domain::vocabulary::organization::Sector;
use eventlog::{AppendRequest, Turn};
use projections::outbox::MailingView;
use projections::registry::{MemberFilter, MemberStatus};
use uuid::Uuid;

use crate::commands::MAX_ATTEMPTS;
use crate::commands::load::{Loaded, load};
use crate::error::Error;
use crate::mailing::refused;
use crate::{App, today};

/// The envelope's actor of what the sender records.
pub const SENDER_ACTOR: &str = "mailing-sender";
/// Recipients listed per event.
const LIST_CHUNK: usize = 5_000;
/// The turn every node's sender waits for: one sends at a time.
const TURN_TOPIC: &[u8] = b"mailing sender";

/// Where a recipient's message goes, looked up when it is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Address {
    /// Send it here.
    Send {
        /// The e-mail address.
        email: String,
        /// The recipient's name, for the greeting and the header.
        name: Option<String>,
        /// The token of the recipient's unsubscribe link (members only).
        unsubscribe: Option<String>,
    },
    /// Send nothing, and record why.
    Skip(SkipReason),
}

/// The sender's side of one mailing: its aggregate, kept between appends so
/// a campaign of 100,000 recipients is not folded again for each batch.
pub struct Campaign {
    id: MailingId,
    loaded: Loaded<Mailing>,
}

impl App {
    /// Waits to be the one sender among the processes sharing the log, then
    /// until the read models include everything the previous sender
    /// recorded. The turn lasts until the returned value is dropped (or the
    /// process dies: its session ends with it).
    ///
    /// # Errors
    /// The log failed.
    pub async fn sender_turn(&self) -> Result<Turn, Error> {
        let turn = self.commands.turn(TURN_TOPIC).await?;
        self.reach_committed().await?;
        self.reach(turn.head()).await?;
        Ok(turn)
    }

    /// The oldest mailing with messages to send at `now`.
    pub fn due_mailing(&self, now: DateTime<Utc>) -> Option<MailingView> {
        self.models.outbox.due(now)
    }

    /// Up to `limit` recipients of `id` whose outcome is not recorded.
    pub fn pending_recipients(&self, id: MailingId, limit: usize) -> Vec<Recipient> {
        self.models.outbox.pending(id, limit)
    }

    /// Where `recipient`'s message goes now: erased, unsubscribed and
    /// address-less recipients are skipped.
    ///
    /// # Errors
    /// The log failed (reading an applicant's application).
    pub async fn address_of(&self, recipient: Recipient) -> Result<Address, Error> {
        Ok(match recipient {
            Recipient::Applicant(application) => {
                let stored = self
                    .commands
                    .log()
                    .read_stream(&application.stream(), 0)
                    .await?;
                let personal = stored.first().map(eventlog::codec::decode).transpose()?;
                match personal {
                    Some(domain::event::Event::Application(
                        domain::event::ApplicationEvent::Submitted {
                            personal: Some(data),
                            ..
                        },
                    )) => match data.email {
                        Some(email) => Address::Send {
                            email,
                            name: Some(format!("{} {}", data.first_name, data.last_name)),
                            unsubscribe: None,
                        },
                        None => Address::Skip(SkipReason::NoAddress),
                    },
                    Some(_) => Address::Skip(SkipReason::Erased),
                    None => Address::Skip(SkipReason::NoAddress),
                }
            }
            other => self.address_now(other),
        })
    }

    fn address_now(&self, recipient: Recipient) -> Address {
        match recipient {
            Recipient::Member(person) => {
                let outbox = &self.models.outbox;
                if outbox.erased(person) {
                    return Address::Skip(SkipReason::Erased);
                }
                if outbox.unsubscribed(person) {
                    return Address::Skip(SkipReason::Unsubscribed);
                }
                let Some(member) = self.models.registry.member(person) else {
                    return Address::Skip(SkipReason::NoAddress);
                };
                match member.personal {
                    None => Address::Skip(SkipReason::Erased),
                    Some(data) => match data.email {
                        None => Address::Skip(SkipReason::NoAddress),
                        Some(email) => Address::Send {
                            email,
                            name: Some(format!("{} {}", data.first_name, data.last_name)),
                            unsubscribe: Some(self.unsubscribe_token(person)),
                        },
                    },
                }
            }
            Recipient::Chair(org) => {
                let org = self.models.registry.organization(org);
                match org
                    .and_then(|o| o.passport)
                    .and_then(|(p, _)| p.email.map(|e| (e, p.chair_name)))
                {
                    Some((email, name)) => Address::Send {
                        email,
                        name,
                        unsubscribe: None,
                    },
                    None => Address::Skip(SkipReason::NoAddress),
                }
            }
            Recipient::Holder(user) => match self.models.access.holder(user) {
                Some(holder) if holder.holder.contains('@') => Address::Send {
                    email: holder.holder.trim().to_string(),
                    name: None,
                    unsubscribe: None,
                },
                _ => Address::Skip(SkipReason::NoAddress),
            },
            Recipient::Applicant(_) => Address::Skip(SkipReason::NoAddress),
            // The asker of a question, as they are now: an answer goes to
            // them whatever their consent (they asked), none once erased.
            Recipient::Asker(question) => {
                let asker = self
                    .models
                    .consultations
                    .question(question)
                    .and_then(|q| q.asked)
                    .map(|a| a.asker);
                match asker {
                    None => Address::Skip(SkipReason::Erased),
                    Some(domain::consultation::Asker::Member(person)) => {
                        if self.models.outbox.erased(person) {
                            Address::Skip(SkipReason::Erased)
                        } else {
                            self.member_notice_address(person)
                        }
                    }
                    Some(domain::consultation::Asker::Holder(user)) => {
                        self.address_now(Recipient::Holder(user))
                    }
                }
            }
        }
    }

    /// The sender's handle on mailing `id`, folded from its stream.
    ///
    /// # Errors
    /// The log failed.
    pub async fn campaign(&self, id: MailingId) -> Result<Campaign, Error> {
        let loaded = load(self.commands.log(), id.stream(), mailing::evolve).await?;
        Ok(Campaign { id, loaded })
    }

    /// Lists the recipients of the mailing: the segment as the registry has
    /// it now, minus those listed before (a restart in the middle of listing
    /// goes on where it stopped).
    ///
    /// # Errors
    /// The log failed; the mailing was cancelled meanwhile.
    pub async fn list_recipients(&self, campaign: &mut Campaign) -> Result<usize, Error> {
        let view = self.mailing_of_sender(campaign.id)?;
        let recipients = self.segment_recipients(&view)?;
        let total = recipients.len();
        let mut chunks: Vec<&[Recipient]> = recipients.chunks(LIST_CHUNK).collect();
        if chunks.is_empty() {
            chunks.push(&[]);
        }
        let last = chunks.len() - 1;
        for (i, chunk) in chunks.into_iter().enumerate() {
            let command = MailingCommand::List {
                recipients: chunk.to_vec(),
                complete: i == last,
            };
            self.record(campaign, &command).await?;
        }
        Ok(total)
    }

    /// Records `outcomes`; one already recorded (by a sender before a
    /// restart or on another node) is not recorded again.
    ///
    /// # Errors
    /// The log failed.
    pub async fn record_outcomes(
        &self,
        campaign: &mut Campaign,
        outcomes: Vec<(Recipient, Outcome)>,
    ) -> Result<(), Error> {
        self.record(campaign, &MailingCommand::Record { outcomes })
            .await
    }

    fn mailing_of_sender(&self, id: MailingId) -> Result<MailingView, Error> {
        self.models
            .outbox
            .mailing(id)
            .ok_or(Error::NotFound { what: "mailing" })
    }

    /// Decides `command` on the kept aggregate and appends it, folding the
    /// stream again after a conflict (a cancellation, another sender); then
    /// waits for the read models, so the outbox shows it.
    async fn record(&self, campaign: &mut Campaign, command: &MailingCommand) -> Result<(), Error> {
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                *campaign = self.campaign(campaign.id).await?;
            }
            let events = mailing::decide(campaign.id, &campaign.loaded.state, command, today())
                .map_err(refused)?;
            if events.is_empty() {
                return Ok(());
            }
            let request = AppendRequest {
                streams: vec![campaign.loaded.append(events.clone())?],
                command_id: None,
                actor: SENDER_ACTOR.to_string(),
                correlation_id: Some(Uuid::now_v7()),
                causation_id: None,
                erase_personal_data_of: vec![],
            };
            match self.commands.append(request).await {
                Err(eventlog::Error::Conflict { .. }) => continue,
                Err(error) => return Err(error.into()),
                Ok(appended) => {
                    for event in &events {
                        mailing::evolve(&mut campaign.loaded.state, event);
                    }
                    campaign.loaded.version = appended
                        .stream_versions
                        .first()
                        .map_or(campaign.loaded.version, |(_, v)| *v);
                    return self.reach(appended.last_position).await;
                }
            }
        }
        Err(Error::internal("the mailing's stream stayed busy"))
    }

    /// Everyone the segment selects now, in tree order.
    fn segment_recipients(&self, view: &MailingView) -> Result<Vec<Recipient>, Error> {
        let segment = &view.segment;
        let registry = &self.models.registry;
        let mut sectors: HashMap<OrgId, Option<Sector>> = HashMap::new();
        let mut sector_of = |org: OrgId| {
            *sectors.entry(org).or_insert_with(|| {
                registry
                    .organization(org)
                    .and_then(|o| o.passport)
                    .and_then(|(p, _)| p.sector)
            })
        };
        let mut found = vec![];
        match segment.audience {
            Audience::Members => {
                let filter = MemberFilter {
                    org_id: segment.org_id,
                    include_descendants: true,
                    status: MemberStatus::Active,
                    search: None,
                };
                let today = today();
                let mut after: Option<String> = None;
                loop {
                    let page = registry
                        .members(&filter, projections::registry::MAX_PAGE, after.as_deref())
                        .map_err(|e| Error::internal(e.to_string()))?;
                    for (_, member) in &page.items {
                        let facts = MemberFacts {
                            category: member.category,
                            profession: member.profession,
                            birth_year: member.birth_year,
                            sector: sector_of(member.home),
                        };
                        if segment.admits(&facts, today) {
                            found.push(Recipient::Member(member.person_id));
                        }
                    }
                    match (page.has_next_page, page.items.last()) {
                        (true, Some((cursor, _))) => after = Some(cursor.clone()),
                        _ => break,
                    }
                }
            }
            Audience::Activists => {
                let mut holders = self.models.access.holders();
                holders.sort_by_key(|h| h.user_id);
                for holder in holders {
                    if registry.within(holder.org_id, segment.org_id)
                        && segment.admits_sector(sector_of(holder.org_id))
                    {
                        found.push(Recipient::Holder(holder.user_id));
                    }
                }
                let mut queue = vec![segment.org_id];
                while let Some(org) = queue.pop() {
                    let view = registry.organization(org);
                    if let Some((passport, _)) = view.and_then(|v| v.passport)
                        && passport.chair_name.is_some()
                        && segment.admits_sector(passport.sector)
                    {
                        found.push(Recipient::Chair(org));
                    }
                    let mut after: Option<String> = None;
                    loop {
                        let page = registry
                            .children(org, projections::registry::MAX_PAGE, after.as_deref())
                            .map_err(|e| Error::internal(e.to_string()))?;
                        queue.extend(page.items.iter().map(|(_, child)| child.org_id));
                        match (page.has_next_page, page.items.last()) {
                            (true, Some((cursor, _))) => after = Some(cursor.clone()),
                            _ => break,
                        }
                    }
                }
            }
        }
        Ok(found)
    }
}

impl Campaign {
    /// The mailing.
    pub fn id(&self) -> MailingId {
        self.id
    }

    /// Whether it was cancelled (as this sender last read it).
    pub fn cancelled(&self) -> bool {
        self.loaded.state.cancelled
    }

    /// Whether its list of recipients is complete.
    pub fn listed(&self) -> bool {
        self.loaded.state.listing_complete
    }
}
