//! The member's cabinet: signing in with a one-time code sent to the e-mail
//! on record, the session it opens, and (`own.rs`) what a member sees and
//! does there, with the desks' side of erasure requests.
//!
//! A member names themselves by SNILS and e-mail; when both match an active
//! member, a code goes out through the sender's notifications (one sending
//! path). The answer is the same whether they match or not, and the limits
//! (per address, per e-mail, per person) refuse everyone alike, so the form
//! tells nobody who is a member. Codes are derived from a nonce in the log
//! under the mail key (`code_of`), never stored; a session is a token signed
//! under the same key, bound to the person and an expiry, so every node with
//! the key accepts it and nothing is kept per session.

mod limits;
mod own;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use domain::ids::PersonId;
use domain::mailing::cabinet::{self, Cabinet, Verdict, cabinet_stream};
use domain::snils::Snils;
use hmac::{Hmac, Mac};
use projections::registry::MemberStatus;
use rand::RngCore;
use sha2::Sha256;
use uuid::Uuid;

use crate::App;
use crate::commands::Decision;
use crate::commands::load::load;
use crate::error::Error;
use crate::guard::Viewer;
use crate::input;
use crate::rate_limit::ClientAddr;

pub use limits::CabinetLimits;
pub use own::{CabinetView, ContactsUpdate, ErasureRequest};

/// A cabinet session's token starts with this (a staff token with `reestr_`).
pub const SESSION_PREFIX: &str = "reestr_member.";

/// How long a cabinet session lasts.
pub const SESSION_LIFETIME: Duration = Duration::hours(1);

/// Digits in a code.
pub const CODE_DIGITS: usize = 6;

/// A cabinet session just opened.
#[derive(Clone, Debug)]
pub struct CabinetSession {
    /// The member.
    pub person: PersonId,
    /// The bearer token (also what the pages keep behind their cookie).
    pub token: String,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

/// Why a code did not sign in, in the words a door shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignInRefused {
    /// Not the code sent (or no code was sent to these details).
    #[error("the code is wrong")]
    Wrong,
    /// The right code, too late.
    #[error("the code has expired: ask for a new one")]
    Expired,
    /// Too many tries: ask for a new code later.
    #[error("too many tries: ask for a new code")]
    TooManyTries,
}

fn mac(key: &[u8; 32], purpose: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(purpose);
    mac
}

/// The code a nonce stands for, for `person`, under `key`.
fn code_of(key: &[u8; 32], person: PersonId, nonce: &str) -> String {
    let mut mac = mac(key, b"reestr cabinet code\0");
    mac.update(person.0.as_bytes());
    mac.update(nonce.as_bytes());
    let bytes = mac.finalize().into_bytes();
    let n = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) % 1_000_000;
    format!("{n:0CODE_DIGITS$}")
}

fn session_signature(key: &[u8; 32], person: PersonId, expires: i64) -> Hmac<Sha256> {
    let mut mac = mac(key, b"reestr cabinet session\0");
    mac.update(person.0.as_bytes());
    mac.update(&expires.to_be_bytes());
    mac
}

/// Compares in constant time (a code is short, but its tries are counted
/// and a timing oracle is not worth having).
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl App {
    /// Sets how long a code signs in after it is sent.
    pub fn set_cabinet_code_lifetime(&mut self, lifetime: std::time::Duration) {
        self.cabinet_code_lifetime = Duration::from_std(lifetime).unwrap_or(cabinet::CODE_LIFETIME);
    }

    /// The active member with this SNILS whose e-mail on record is `email`
    /// (case and spaces aside).
    fn cabinet_person(&self, snils: Snils, email: &str) -> Option<PersonId> {
        let person = self.models.registry.snils_holder(snils)?;
        let member = self.models.registry.member(person)?;
        let on_record = member.personal.as_ref()?.email.as_deref()?;
        (member.status == MemberStatus::Active
            && !member.erased
            && on_record.trim().eq_ignore_ascii_case(email.trim()))
        .then_some(person)
    }

    /// Public: sends a one-time code to `email` when it and `snils` are an
    /// active member's. Answers the same either way.
    ///
    /// # Errors
    /// `VALIDATION` for what is no SNILS or e-mail; `RATE_LIMITED` past the
    /// address's or the e-mail's pace (for anyone alike); the log failed.
    pub async fn request_cabinet_code(
        &self,
        client: Option<ClientAddr>,
        snils: &str,
        email: &str,
    ) -> Result<(), Error> {
        let (snils, email) = details(snils, email)?;
        self.cabinet_limits.request(client, &email)?;
        let Some(person) = self.cabinet_person(snils, &email) else {
            return Ok(());
        };
        let mut nonce = [0u8; 16];
        rand::rng().fill_bytes(&mut nonce);
        let nonce = hex::encode(nonce);
        let lifetime = self.cabinet_code_lifetime;
        let issued = self.issue(&Viewer::Anonymous, &nonce, None, None)?;
        let log = self.commands.log();
        let appended = self
            .commands
            .execute(&issued, || {
                let nonce = nonce.clone();
                async move {
                    let loaded = load(log, cabinet_stream(person), cabinet::evolve).await?;
                    let events =
                        cabinet::request_code(&loaded.state, person, Utc::now(), lifetime, nonce);
                    Ok(Decision::of(vec![loaded.append(events)?]))
                }
            })
            .await?;
        self.reach(appended.last_position).await
    }

    /// Public: signs in with the code sent to `email`, opening a session.
    ///
    /// # Errors
    /// As [`App::request_cabinet_code`]; the inner `Err` says why the code
    /// did not sign in (the same for details that are nobody's).
    pub async fn sign_in_to_cabinet(
        &self,
        client: Option<ClientAddr>,
        snils: &str,
        email: &str,
        code: &str,
    ) -> Result<Result<CabinetSession, SignInRefused>, Error> {
        let (snils, email) = details(snils, email)?;
        let code = code.trim();
        if !self.cabinet_limits.try_code(client, &email) {
            return Ok(Err(SignInRefused::TooManyTries));
        }
        let Some(person) = self.cabinet_person(snils, &email) else {
            return Ok(Err(SignInRefused::Wrong));
        };
        let key = self.mail_key.clone();
        let issued = self.issue(&Viewer::Anonymous, &person, None, None)?;
        let log = self.commands.log();
        let verdict = std::sync::Mutex::new(Verdict::Wrong);
        let appended = self
            .commands
            .execute(&issued, || async {
                let loaded = load(log, cabinet_stream(person), cabinet::evolve).await?;
                let state: &Cabinet = &loaded.state;
                let matches = state
                    .latest()
                    .is_some_and(|c| same(&code_of(&key, person, &c.nonce), code));
                let (events, decided) = cabinet::sign_in(state, person, Utc::now(), matches);
                *verdict.lock().unwrap_or_else(|e| e.into_inner()) = decided;
                Ok(Decision::of(vec![loaded.append(events)?]))
            })
            .await?;
        self.reach(appended.last_position).await?;
        let verdict = *verdict.lock().unwrap_or_else(|e| e.into_inner());
        Ok(match verdict {
            Verdict::SignedIn => Ok(self.open_cabinet_session(person, Utc::now())),
            Verdict::Wrong => Err(SignInRefused::Wrong),
            Verdict::Expired => Err(SignInRefused::Expired),
            Verdict::TooManyTries => Err(SignInRefused::TooManyTries),
        })
    }

    fn open_cabinet_session(&self, person: PersonId, now: DateTime<Utc>) -> CabinetSession {
        let expires_at = now + SESSION_LIFETIME;
        let expires = expires_at.timestamp();
        let signed = session_signature(&self.mail_key, person, expires)
            .finalize()
            .into_bytes();
        CabinetSession {
            person,
            token: format!(
                "{SESSION_PREFIX}{}.{expires}.{}",
                person.0.simple(),
                URL_SAFE_NO_PAD.encode(signed)
            ),
            expires_at,
        }
    }

    /// The member a cabinet session's token names, while it lasts and the
    /// member is active and not erased; `None` for anything else.
    pub(crate) fn cabinet_session(&self, token: &str) -> Option<Viewer> {
        let rest = token.strip_prefix(SESSION_PREFIX)?;
        let mut parts = rest.splitn(3, '.');
        let person = PersonId(Uuid::try_parse(parts.next()?).ok()?);
        let expires: i64 = parts.next()?.parse().ok()?;
        let signed = URL_SAFE_NO_PAD.decode(parts.next()?).ok()?;
        session_signature(&self.mail_key, person, expires)
            .verify_slice(&signed)
            .ok()?;
        if Utc::now().timestamp() >= expires {
            return None;
        }
        let member = self.models.registry.member(person)?;
        (member.status == MemberStatus::Active && !member.erased).then_some(Viewer::Member(person))
    }

    /// The code of a cabinet's code notification, for the sender's message.
    pub(crate) fn cabinet_code(&self, person: PersonId, nonce: &str) -> String {
        code_of(&self.mail_key, person, nonce)
    }
}

/// The SNILS and e-mail as given, checked.
fn details(snils: &str, email: &str) -> Result<(Snils, String), Error> {
    let snils = input::optional_snils(Some(snils.to_string()))?
        .ok_or_else(|| Error::invalid("snils", "the SNILS is required"))?;
    let email = input::optional_email(Some(email.to_string()))?
        .ok_or_else(|| Error::invalid("email", "the e-mail is required"))?;
    Ok((snils, email.to_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_six_digits_and_depends_on_key_person_and_nonce() {
        let p = PersonId(Uuid::from_u128(7));
        let q = PersonId(Uuid::from_u128(8));
        let code = code_of(&[1; 32], p, "aa");
        assert_eq!(code.len(), CODE_DIGITS);
        assert!(code.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(code, code_of(&[1; 32], p, "aa"));
        let others = [
            code_of(&[2; 32], p, "aa"),
            code_of(&[1; 32], q, "aa"),
            code_of(&[1; 32], p, "ab"),
        ];
        // One in a million may collide; three at once would be a bug.
        assert!(others.iter().any(|o| *o != code));
    }

    #[test]
    fn same_compares_whole_strings() {
        assert!(same("123456", "123456"));
        assert!(!same("123456", "123457"));
        assert!(!same("12345", "123456"));
    }
}
