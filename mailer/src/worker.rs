//! The sending loop.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use app::App;
use app::mailing::notices::NoticeBook;
use app::mailing::notify_types::{Notice, NotificationOutcome};
use app::mailing::sender::{Address, Campaign};
use chrono::Utc;
use domain::ids::MailingId;
use domain::mailing::{Outcome, Recipient};
use futures::StreamExt;
use governor::{Quota, RateLimiter};
use lettre::message::Mailbox;

use crate::MailerOptions;
use crate::outgoing::{Letter, Outgoing};
use crate::render::Content;
use crate::smtp::Connections;
use crate::templates;

/// The sender: decides what goes to whom, on the server's runtime; the
/// messages themselves leave from [`Outgoing`]'s thread.
pub struct Sender {
    app: App,
    options: MailerOptions,
    outgoing: Outgoing,
}

/// Starts the sender in the background; it runs until the process ends.
///
/// # Errors
/// A `from` that is no mailbox.
pub fn run(app: App, options: MailerOptions) -> Result<tokio::task::JoinHandle<()>, String> {
    let sender = Sender::new(app, options)?;
    Ok(tokio::spawn(async move { sender.serve().await }))
}

impl Sender {
    /// A sender with `options`.
    ///
    /// # Errors
    /// A `from` that is no mailbox; no thread to send from.
    pub fn new(app: App, options: MailerOptions) -> Result<Sender, String> {
        let from: Mailbox = options
            .from
            .parse()
            .map_err(|e| format!("--mail-from {:?}: {e}", options.from))?;
        let smtp = Connections::new(
            &options.smtp_host,
            options.smtp_port,
            options.connections,
            Duration::from_secs(10),
        );
        let rate = NonZeroU32::new(options.rate.max(1)).unwrap_or(NonZeroU32::MIN);
        let pace = Arc::new(RateLimiter::direct(Quota::per_second(rate)));
        let outgoing = Outgoing::start(from, smtp, pace)
            .map_err(|e| format!("starting the sending thread: {e}"))?;
        Ok(Sender {
            app,
            options,
            outgoing,
        })
    }

    /// Waits to be the one sender, then sends every due mailing, for as long
    /// as the process lives (the turn passes to another node when it dies).
    pub async fn serve(self) {
        let _turn = loop {
            match self.app.sender_turn().await {
                Ok(turn) => break turn,
                Err(error) => {
                    tracing::warn!(%error, "waiting for the sender's turn");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        };
        tracing::info!("this node sends the mailings");
        let mut book = loop {
            match self.app.notice_book().await {
                Ok(book) => break book,
                Err(error) => {
                    tracing::warn!(%error, "starting notifications");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        };
        loop {
            if let Err(error) = self.send_notices(&mut book).await {
                tracing::warn!(%error, "notifications interrupted; resuming");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            if let Err(error) = self.send_digests(&mut book).await {
                tracing::warn!(%error, "digests interrupted; resuming");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
            let Some(due) = self.app.due_mailing(Utc::now()) else {
                tokio::time::sleep(self.options.idle).await;
                continue;
            };
            let sent = self
                .send_mailing(&mut book, due.mailing_id, &due.subject, &due.body)
                .await;
            if let Err(error) = sent {
                tracing::warn!(%error, mailing = %due.mailing_id, "mailing interrupted; resuming");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }

    /// Sends mailing `id` to everyone listed without an outcome.
    ///
    /// # Errors
    /// The log failed (the loop goes on from the log after a pause).
    pub async fn send_mailing(
        &self,
        book: &mut NoticeBook,
        id: MailingId,
        subject: &str,
        body: &str,
    ) -> Result<(), app::Error> {
        let mut campaign: Campaign = self.app.campaign(id).await?;
        if campaign.cancelled() {
            return Ok(());
        }
        if !campaign.listed() {
            let listed = self.app.list_recipients(&mut campaign).await?;
            tracing::info!(mailing = %id, listed, "recipients listed");
        }
        let content = Arc::new(Content::render(subject, body));
        loop {
            let batch = self.app.pending_recipients(id, self.options.batch);
            if batch.is_empty() || campaign.cancelled() {
                return Ok(());
            }
            if self
                .app
                .due_mailing(Utc::now())
                .is_none_or(|due| due.mailing_id != id)
            {
                // Cancelled on another request: stop before the next batch.
                return Ok(());
            }
            let outcomes: Vec<(Recipient, Outcome)> = futures::stream::iter(batch)
                .map(|recipient| self.send_one(id, &content, recipient))
                .buffer_unordered(self.options.connections.max(1) as usize * 4)
                .filter_map(|o| async move { o })
                .collect()
                .await;
            self.app.record_outcomes(&mut campaign, outcomes).await?;
            // Notifications go between a campaign's batches, not after it.
            self.send_notices(book).await?;
        }
    }

    async fn send_one(
        &self,
        id: MailingId,
        content: &Arc<Content>,
        recipient: Recipient,
    ) -> Option<(Recipient, Outcome)> {
        let message_id = format!("<{}.{}@reestr>", id.0.simple(), recipient_key(recipient));
        let outcome = self.deliver(content, recipient, message_id).await?;
        Some((recipient, outcome))
    }

    /// Sends every pending notification, a batch at a time.
    ///
    /// # Errors
    /// The log failed.
    pub async fn send_notices(&self, book: &mut NoticeBook) -> Result<(), app::Error> {
        loop {
            let pending = self.app.pending_notices(self.options.batch);
            if pending.is_empty() {
                return Ok(());
            }
            let outcomes: Vec<(Notice, NotificationOutcome)> = futures::stream::iter(pending)
                .map(|notice| async move {
                    let facts = self.app.notice_facts(&notice).await.ok()?;
                    let content = Arc::new(templates::notice(notice.kind, &facts));
                    let message_id = format!(
                        "<n{}.{:?}.{}@reestr>",
                        notice.source,
                        notice.kind,
                        recipient_key(notice.recipient)
                    );
                    let address = self.app.notice_address(&notice).await;
                    let outcome = match self.deliver_to(&content, address, message_id).await? {
                        Outcome::Delivered => NotificationOutcome::Delivered,
                        Outcome::Failed(reason) => NotificationOutcome::Failed(reason),
                        Outcome::Skipped(reason) => NotificationOutcome::Skipped(reason),
                    };
                    Some((notice, outcome))
                })
                .buffer_unordered(self.options.connections.max(1) as usize * 4)
                .filter_map(|o| async move { o })
                .collect()
                .await;
            if outcomes.is_empty() {
                return Ok(());
            }
            self.app.record_notices(book, outcomes).await?;
        }
    }

    /// Sends every digest due now (the registry's local time: a day's digest
    /// goes out the next morning), each recorded once.
    ///
    /// # Errors
    /// The log failed.
    pub async fn send_digests(&self, book: &mut NoticeBook) -> Result<(), app::Error> {
        for digest in self.app.due_digests(chrono::Local::now().naive_local()) {
            let content = Arc::new(templates::digest(&digest));
            let message_id = format!("<d{}.{}@reestr>", digest.day, digest.org.0.simple());
            let Some(outcome) = self
                .deliver(&content, Recipient::Chair(digest.org), message_id)
                .await
            else {
                continue;
            };
            let outcome = match outcome {
                Outcome::Delivered => NotificationOutcome::Delivered,
                Outcome::Failed(reason) => NotificationOutcome::Failed(reason),
                Outcome::Skipped(reason) => NotificationOutcome::Skipped(reason),
            };
            self.app.record_digest(book, &digest, outcome).await?;
        }
        Ok(())
    }

    /// Sends `content` to `recipient`: the outcome, or `None` when the
    /// address could not be read (nothing is recorded; tried again later).
    async fn deliver(
        &self,
        content: &Arc<Content>,
        recipient: Recipient,
        message_id: String,
    ) -> Option<Outcome> {
        let address = self.app.address_of(recipient).await;
        self.deliver_to(content, address, message_id).await
    }

    /// Sends `content` to `address` as [`Sender::deliver`] does.
    async fn deliver_to(
        &self,
        content: &Arc<Content>,
        address: Result<Address, app::Error>,
        message_id: String,
    ) -> Option<Outcome> {
        let (email, name, unsubscribe) = match address {
            Err(error) => {
                tracing::warn!(%error, "reading an address");
                return None;
            }
            Ok(Address::Skip(reason)) => return Some(Outcome::Skipped(reason)),
            Ok(Address::Send {
                email,
                name,
                unsubscribe,
            }) => (email, name, unsubscribe),
        };
        let unsubscribe = unsubscribe.map(|token| {
            format!(
                "{}/unsubscribe/{token}",
                self.options.public_url.trim_end_matches('/')
            )
        });
        let letter = Letter {
            content: Arc::clone(content),
            email,
            name,
            message_id,
            unsubscribe,
        };
        self.outgoing.send(letter).await
    }
}

/// The recipient in a `Message-ID`.
fn recipient_key(recipient: Recipient) -> String {
    match recipient {
        Recipient::Member(p) => format!("m{}", p.0.simple()),
        Recipient::Chair(o) => format!("c{}", o.0.simple()),
        Recipient::Holder(u) => format!("h{}", u.0.simple()),
        Recipient::Applicant(a) => format!("a{}", a.0.simple()),
        Recipient::Asker(q) => format!("q{}", q.0.simple()),
    }
}
