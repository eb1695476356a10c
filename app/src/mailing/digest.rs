//! The chair's daily digest of new applications: the chair's choice (an
//! event on `digest-<org>`), the digests due at the sender's moment, and each
//! recorded once on the notifications stream (as a notification is).

use chrono::{NaiveDate, NaiveDateTime};
use domain::ids::{ApplicationId, OrgId};
use domain::mailing::notify::{self, NotificationOutcome};
use domain::mailing::{self, MailingEvent, digest_stream};
use serde::Serialize;

use crate::App;
use crate::commands::load::load;
use crate::commands::{Decision, MAX_ATTEMPTS};
use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::mailing::notices::NoticeBook;

/// The hour (registry's local time) the digest of a day goes out, the next
/// morning, unless told otherwise.
pub const DIGEST_HOUR: u32 = 7;

/// A digest to send: the day, the organisation whose chair it goes to, and
/// the applications it lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    /// The day whose applications it lists.
    pub day: NaiveDate,
    /// The organisation.
    pub org: OrgId,
    /// Its name, for the message.
    pub org_name: String,
    /// The applications.
    pub applications: Vec<ApplicationId>,
}

#[derive(Serialize)]
struct Choice {
    org: OrgId,
    daily: bool,
}

impl App {
    /// Sets the hour the day's digest goes out the next morning.
    pub fn set_digest_hour(&mut self, hour: u32) {
        self.digest_hour = hour.min(23);
    }

    /// `setApplicationDigest`: whether `org`'s chair takes new applications
    /// one by one (`false`) or as one digest a day; a CHAIR or ADMIN over it.
    ///
    /// # Errors
    /// `NOT_FOUND`; `FORBIDDEN` outside the subtree; the log failed.
    pub async fn set_application_digest(
        &self,
        viewer: &Viewer,
        org: OrgId,
        daily: bool,
    ) -> Result<(), Error> {
        self.named_organization(org)?;
        viewer.may_at(Action::WritePassport, org, &self.models.registry)?;
        let issued = self.issue(viewer, &Choice { org, daily }, None, None)?;
        let log = self.commands.log();
        let appended = self
            .commands
            .execute(&issued, || async move {
                let loaded = load(log, digest_stream(org), |d: &mut bool, e| {
                    if let MailingEvent::DigestChosen { daily, .. } = e {
                        *d = *daily;
                    }
                })
                .await?;
                let events = mailing::choose_digest(org, loaded.state, daily, issued.today);
                Ok(Decision::of(vec![loaded.append(events)?]))
            })
            .await?;
        self.reach(appended.last_position).await
    }

    /// Whether `org`'s chair takes new applications as a daily digest.
    pub fn application_digest(&self, org: OrgId) -> bool {
        self.models.outbox.digest_daily(org)
    }

    /// The digests due at `now` (the registry's local time), oldest first.
    pub fn due_digests(&self, now: NaiveDateTime) -> Vec<Digest> {
        self.models
            .outbox
            .pending_digests()
            .into_iter()
            .filter(|(day, _, _)| notify::digest_due(*day, now, self.digest_hour))
            .map(|(day, org, applications)| Digest {
                day,
                org,
                org_name: self
                    .models
                    .registry
                    .organization(org)
                    .map(|o| o.name)
                    .unwrap_or_default(),
                applications,
            })
            .collect()
    }

    /// Records a digest's outcome; one recorded before is not again.
    ///
    /// # Errors
    /// The log failed.
    pub async fn record_digest(
        &self,
        book: &mut NoticeBook,
        digest: &Digest,
        outcome: NotificationOutcome,
    ) -> Result<(), Error> {
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                book.reload(self).await?;
            }
            let events = notify::record_digest(
                book.state(),
                digest.org,
                digest.day,
                digest.applications.clone(),
                outcome.clone(),
            );
            match self.append_notices(book, events).await {
                Err(Error::Conflict(_)) => continue,
                other => return other,
            }
        }
        Err(Error::internal("the notifications stream stayed busy"))
    }
}
