//! Notifications, the sender's side: starting them, what is pending, what
//! each tells (read from the event it tells of), and their outcomes recorded
//! once.

use chrono::NaiveDate;
use domain::card_number::CardNumber;
use domain::event::{ApplicationEvent, Event, PersonEvent};
use domain::ids::OrgId;
use domain::mailing::notify::{
    self, NOTIFICATIONS_STREAM, NotificationKind, NotificationOutcome, Notifications,
};
use domain::mailing::{MailingEvent, Recipient};
use eventlog::AppendRequest;
use projections::outbox::Notice;
use uuid::Uuid;

use crate::App;
use crate::commands::MAX_ATTEMPTS;
use crate::commands::load::{Loaded, load};
use crate::error::Error;
use crate::mailing::sender::SENDER_ACTOR;

/// The sender's handle on the notifications stream, kept between appends.
pub struct NoticeBook {
    loaded: Loaded<Notifications>,
}

/// What a notification tells, read from its event.
#[derive(Clone, Debug, Default)]
pub struct NoticeFacts {
    /// The organisation concerned (applied to, admitting, issuing).
    pub organization: Option<String>,
    /// The application's number (its id), for the applicant.
    pub application: Option<String>,
    /// The rejection's reason.
    pub reason: Option<String>,
    /// The card's number.
    pub card: Option<CardNumber>,
    /// The event's day.
    pub on: Option<NaiveDate>,
    /// A cabinet's one-time code (derived when sent, never stored).
    pub code: Option<String>,
    /// The topic of a question answered.
    pub topic: Option<String>,
    /// The answer's text.
    pub answer: Option<String>,
}

impl NoticeBook {
    /// The notifications as recorded so far.
    pub(crate) fn state(&self) -> &Notifications {
        &self.loaded.state
    }

    /// Folds the stream again (after a conflict).
    pub(crate) async fn reload(&mut self, app: &App) -> Result<(), Error> {
        self.loaded = load(
            app.commands.log(),
            NOTIFICATIONS_STREAM.into(),
            notify::evolve,
        )
        .await?;
        Ok(())
    }
}

impl App {
    /// Starts notifications, once in the registry's life: events after the
    /// log's head now are notified, none before.
    ///
    /// # Errors
    /// The log failed.
    pub async fn notice_book(&self) -> Result<NoticeBook, Error> {
        let mut book = NoticeBook {
            loaded: load(
                self.commands.log(),
                NOTIFICATIONS_STREAM.into(),
                notify::evolve,
            )
            .await?,
        };
        let head = self.head();
        let events = notify::start(&book.loaded.state, head);
        self.append_notices(&mut book, events).await?;
        Ok(book)
    }

    /// Up to `limit` notifications to send.
    pub fn pending_notices(&self, limit: usize) -> Vec<Notice> {
        self.models.outbox.pending_notices(limit)
    }

    /// What `notice` tells, from the event at its position.
    ///
    /// # Errors
    /// The log failed.
    pub async fn notice_facts(&self, notice: &Notice) -> Result<NoticeFacts, Error> {
        let stored = self.commands.log().read_batch(notice.source - 1, 1).await?;
        let Some(stored) = stored.first() else {
            return Ok(NoticeFacts::default());
        };
        let name = |org: OrgId| self.models.registry.organization(org).map(|o| o.name);
        let mut facts = NoticeFacts {
            on: stored.effective_on,
            ..NoticeFacts::default()
        };
        match eventlog::codec::decode(stored)? {
            Event::Application(ApplicationEvent::Submitted {
                application_id,
                org_id,
                ..
            }) => {
                facts.organization = name(org_id);
                facts.application = Some(application_id.0.to_string());
            }
            Event::Application(ApplicationEvent::Approved {
                application_id,
                person_id,
                ..
            }) => {
                facts.application = Some(application_id.0.to_string());
                facts.organization = self
                    .models
                    .registry
                    .member(person_id)
                    .and_then(|m| name(m.home));
            }
            Event::Application(ApplicationEvent::Rejected {
                application_id,
                reason,
                ..
            }) => {
                facts.application = Some(application_id.0.to_string());
                facts.reason = Some(reason);
            }
            Event::Person(PersonEvent::CardIssued {
                person_id, number, ..
            }) => {
                facts.card = Some(number);
                facts.organization = self
                    .models
                    .registry
                    .member(person_id)
                    .and_then(|m| name(m.home));
            }
            Event::Mailing(MailingEvent::CabinetCodeIssued {
                person_id, nonce, ..
            }) => facts.code = Some(self.cabinet_code(person_id, &nonce)),
            Event::Consultation(domain::event::ConsultationEvent::Answered {
                consultation_id,
                personal,
                ..
            }) => {
                let question = self.models.consultations.question(consultation_id);
                facts.organization = question.as_ref().and_then(|q| name(q.region_id));
                facts.topic = question.and_then(|q| q.asked).map(|a| a.topic);
                facts.answer = personal;
            }
            _ => {}
        }
        Ok(facts)
    }

    /// Where `notice` goes: as [`App::address_of`], but a cabinet's code
    /// goes to the member whatever their consent to mailings (they asked
    /// for it), without an unsubscribe link.
    ///
    /// # Errors
    /// The log failed.
    pub async fn notice_address(
        &self,
        notice: &Notice,
    ) -> Result<crate::mailing::sender::Address, Error> {
        match (notice.kind, notice.recipient) {
            (NotificationKind::CabinetCode, Recipient::Member(person)) => {
                Ok(self.member_notice_address(person))
            }
            (_, recipient) => self.address_of(recipient).await,
        }
    }

    /// A member's address for what they asked for (a code, an answer):
    /// whatever their consent to mailings, without an unsubscribe link.
    pub(crate) fn member_notice_address(
        &self,
        person: domain::ids::PersonId,
    ) -> crate::mailing::sender::Address {
        use crate::mailing::sender::Address;
        use domain::mailing::SkipReason;
        let member = self.models.registry.member(person);
        match member.and_then(|m| m.personal) {
            None => Address::Skip(SkipReason::Erased),
            Some(data) => match data.email {
                None => Address::Skip(SkipReason::NoAddress),
                Some(email) => Address::Send {
                    email,
                    name: Some(format!("{} {}", data.first_name, data.last_name)),
                    unsubscribe: None,
                },
            },
        }
    }

    /// Records notifications' outcomes; one recorded before is not again.
    ///
    /// # Errors
    /// The log failed.
    pub async fn record_notices(
        &self,
        book: &mut NoticeBook,
        outcomes: Vec<(Notice, NotificationOutcome)>,
    ) -> Result<(), Error> {
        let outcomes: Vec<(u64, NotificationKind, Recipient, NotificationOutcome)> = outcomes
            .into_iter()
            .map(|(n, o)| (n.source, n.kind, n.recipient, o))
            .collect();
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                book.loaded = load(
                    self.commands.log(),
                    NOTIFICATIONS_STREAM.into(),
                    notify::evolve,
                )
                .await?;
            }
            let events = notify::record(&book.loaded.state, outcomes.clone());
            match self.append_notices(book, events).await {
                Err(Error::Conflict(_)) => continue,
                other => return other,
            }
        }
        Err(Error::internal("the notifications stream stayed busy"))
    }

    pub(crate) async fn append_notices(
        &self,
        book: &mut NoticeBook,
        events: Vec<MailingEvent>,
    ) -> Result<(), Error> {
        if events.is_empty() {
            return Ok(());
        }
        let request = AppendRequest {
            streams: vec![book.loaded.append(events.clone())?],
            command_id: None,
            actor: SENDER_ACTOR.to_string(),
            correlation_id: Some(Uuid::now_v7()),
            causation_id: None,
            erase_personal_data_of: vec![],
        };
        let appended = self.commands.append(request).await?;
        for event in &events {
            notify::evolve(&mut book.loaded.state, event);
        }
        book.loaded.version = appended
            .stream_versions
            .first()
            .map_or(book.loaded.version, |(_, v)| *v);
        self.reach(appended.last_position).await
    }
}
