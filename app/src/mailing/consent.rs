//! Consent to mailings: signed unsubscribe links and unsubscribing.
//!
//! A link carries the person's id and an HMAC-SHA256 of it under the
//! registry's mail key (a file the server reads at start, so links outlive
//! restarts): whoever holds the link may unsubscribe that person, nobody can
//! forge one for another. Unsubscribing is an event on the person's consent
//! stream; the sender skips them from then on.

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::ids::PersonId;
use domain::mailing::{self, MailingEvent, consent_stream};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

use crate::App;
use crate::commands::Decision;
use crate::commands::load::load;
use crate::error::Error;
use crate::guard::Viewer;

/// Bytes of the signature a link carries (128 bits).
const SIGNATURE_BYTES: usize = 16;

fn signature(key: &[u8; 32], person: PersonId) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(b"reestr unsubscribe\0");
    mac.update(person.0.as_bytes());
    mac.finalize().into_bytes()[..SIGNATURE_BYTES].to_vec()
}

/// Whether the person is unsubscribed now: the last word of their consent stream.
fn fold_consent(unsubscribed: &mut bool, event: &MailingEvent) {
    match event {
        MailingEvent::Unsubscribed { .. } => *unsubscribed = true,
        MailingEvent::Resubscribed { .. } => *unsubscribed = false,
        _ => {}
    }
}

impl App {
    /// Replaces the key unsubscribe links are signed with.
    pub fn set_mail_key(&mut self, key: [u8; 32]) {
        self.mail_key = Arc::new(key);
    }

    /// The token of `person`'s unsubscribe link: their id and its signature.
    pub fn unsubscribe_token(&self, person: PersonId) -> String {
        let signed = signature(&self.mail_key, person);
        format!("{}.{}", person.0.simple(), URL_SAFE_NO_PAD.encode(signed))
    }

    /// The person a token names, when its signature holds.
    ///
    /// # Errors
    /// `VALIDATION` (field `token`) for a malformed or forged token.
    pub fn unsubscribe_subject(&self, token: &str) -> Result<PersonId, Error> {
        let bad = || Error::invalid("token", "the unsubscribe link is not valid");
        let (id, signed) = token.split_once('.').ok_or_else(bad)?;
        let person = PersonId(Uuid::try_parse(id).map_err(|_| bad())?);
        let signed = URL_SAFE_NO_PAD.decode(signed).map_err(|_| bad())?;
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.mail_key.as_ref()).expect("any key length");
        mac.update(b"reestr unsubscribe\0");
        mac.update(person.0.as_bytes());
        mac.verify_truncated_left(&signed)
            .map_err(|_| bad())
            .and_then(|()| {
                if signed.len() == SIGNATURE_BYTES {
                    Ok(person)
                } else {
                    Err(bad())
                }
            })
    }

    /// Unsubscribes the person a signed link names (anyone holding the link
    /// may); a second time changes nothing.
    ///
    /// # Errors
    /// As [`App::unsubscribe_subject`]; `NOT_FOUND` for nobody known.
    pub async fn unsubscribe(&self, token: &str) -> Result<PersonId, Error> {
        let person = self.unsubscribe_subject(token)?;
        self.models
            .registry
            .member(person)
            .ok_or(Error::NotFound { what: "member" })?;
        let issued = self.issue(&Viewer::Anonymous, &person, None, None)?;
        let log = self.commands.log();
        let appended = self
            .commands
            .execute(&issued, || async move {
                let loaded = load(log, consent_stream(person), fold_consent).await?;
                let events = mailing::unsubscribe(person, loaded.state, issued.today);
                Ok(Decision::of(vec![loaded.append(events)?]))
            })
            .await?;
        self.reach(appended.last_position).await?;
        Ok(person)
    }

    /// `person` takes mailings again (from their cabinet); nothing when they
    /// never unsubscribed.
    ///
    /// # Errors
    /// The log failed.
    pub(crate) async fn resubscribe(&self, viewer: &Viewer, person: PersonId) -> Result<(), Error> {
        let issued = self.issue(viewer, &person, None, None)?;
        let log = self.commands.log();
        let appended = self
            .commands
            .execute(&issued, || async move {
                let loaded = load(log, consent_stream(person), fold_consent).await?;
                let events = mailing::resubscribe(person, loaded.state, issued.today);
                Ok(Decision::of(vec![loaded.append(events)?]))
            })
            .await?;
        self.reach(appended.last_position).await
    }

    /// Whether `person` unsubscribed from mailings.
    pub fn unsubscribed(&self, person: PersonId) -> bool {
        self.models.outbox.unsubscribed(person)
    }
}
