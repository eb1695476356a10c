//! The member's cabinet (stream `cabinet-<person uuid>`): one-time sign-in
//! codes, each try with one, and the member's request that their personal
//! data be erased.
//!
//! A code is never in the log: the event keeps a random nonce, and the code
//! is derived from it under the registry's mail key (by `app`), so only the
//! key's holder can tell it, and the sender can write it into the message.
//! The rules here are pure: the moment is an argument.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::ids::PersonId;
use crate::mailing::MailingEvent;

/// The prefix of cabinet streams: `cabinet-<person uuid>`.
pub const CABINET_PREFIX: &str = "cabinet-";

/// How long a code may be used after it is issued, unless told otherwise.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);

/// Codes one person may be sent within [`CODE_WINDOW`]; a request beyond it
/// sends nothing (and says nothing different: no oracle).
pub const CODES_PER_WINDOW: usize = 3;

/// The window [`CODES_PER_WINDOW`] counts in.
pub const CODE_WINDOW: Duration = Duration::minutes(15);

/// Wrong tries a code survives; the next try with it is refused whatever it is.
pub const MAX_WRONG_TRIES: u32 = 5;

/// The stream of `person`'s cabinet.
pub fn cabinet_stream(person: PersonId) -> String {
    format!("{CABINET_PREFIX}{}", person.0)
}

/// One code issued.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCode {
    /// What the code is derived from.
    pub nonce: String,
    /// When it was issued.
    pub issued_at: DateTime<Utc>,
    /// The first moment it no longer signs in.
    pub expires_at: DateTime<Utc>,
    /// Wrong tries since it was issued.
    pub wrong_tries: u32,
    /// Whether it signed in already (single use).
    pub used: bool,
}

/// A person's cabinet as the rules see it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cabinet {
    /// Every code issued, oldest first.
    pub codes: Vec<IssuedCode>,
    /// Whether an erasure request waits for a decision.
    pub erasure_pending: bool,
}

impl Cabinet {
    /// The code a try is checked against: the latest one.
    pub fn latest(&self) -> Option<&IssuedCode> {
        self.codes.last()
    }
}

/// Folds one event of the cabinet stream.
pub fn evolve(state: &mut Cabinet, event: &MailingEvent) {
    match event {
        MailingEvent::CabinetCodeIssued {
            nonce,
            issued_at,
            expires_at,
            ..
        } => state.codes.push(IssuedCode {
            nonce: nonce.clone(),
            issued_at: *issued_at,
            expires_at: *expires_at,
            wrong_tries: 0,
            used: false,
        }),
        MailingEvent::CabinetCodeRefused { .. } => {
            if let Some(code) = state.codes.last_mut() {
                code.wrong_tries += 1;
            }
        }
        MailingEvent::CabinetSignedIn { .. } => {
            if let Some(code) = state.codes.last_mut() {
                code.used = true;
            }
        }
        MailingEvent::ErasureRequested { .. } => state.erasure_pending = true,
        MailingEvent::ErasureDeclined { .. } => state.erasure_pending = false,
        _ => {}
    }
}

/// A new code for `person` at `now` from `nonce`, valid for `lifetime`;
/// nothing when [`CODES_PER_WINDOW`] were sent within the last [`CODE_WINDOW`].
pub fn request_code(
    state: &Cabinet,
    person: PersonId,
    now: DateTime<Utc>,
    lifetime: Duration,
    nonce: String,
) -> Vec<MailingEvent> {
    let recent = state
        .codes
        .iter()
        .filter(|c| c.issued_at > now - CODE_WINDOW && c.issued_at <= now)
        .count();
    if recent >= CODES_PER_WINDOW {
        return vec![];
    }
    vec![MailingEvent::CabinetCodeIssued {
        person_id: person,
        nonce,
        issued_at: now,
        expires_at: now + lifetime,
    }]
}

/// What a try with a code comes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Signed in; the code is used up.
    SignedIn,
    /// Not the code (or no code, or one used already).
    Wrong,
    /// The right code, too late.
    Expired,
    /// The code had its tries: a new one is needed.
    TooManyTries,
}

/// A try at `now`, `matches` telling whether what was entered is the latest
/// code: the events to record and the verdict. Only the holder of the right
/// code learns that it expired; anyone else hears "wrong", as for a person
/// who is no member.
pub fn sign_in(
    state: &Cabinet,
    person: PersonId,
    now: DateTime<Utc>,
    matches: bool,
) -> (Vec<MailingEvent>, Verdict) {
    let Some(code) = state.latest() else {
        return (vec![], Verdict::Wrong);
    };
    if code.wrong_tries >= MAX_WRONG_TRIES {
        return (vec![], Verdict::TooManyTries);
    }
    if code.used {
        return (vec![], Verdict::Wrong);
    }
    if !matches {
        let refused = MailingEvent::CabinetCodeRefused {
            person_id: person,
            at: now,
        };
        return (vec![refused], Verdict::Wrong);
    }
    if now >= code.expires_at {
        return (vec![], Verdict::Expired);
    }
    let signed_in = MailingEvent::CabinetSignedIn {
        person_id: person,
        at: now,
    };
    (vec![signed_in], Verdict::SignedIn)
}

/// The member asks that their personal data be erased; once while one waits.
pub fn request_erasure(state: &Cabinet, person: PersonId, today: NaiveDate) -> Vec<MailingEvent> {
    if state.erasure_pending {
        return vec![];
    }
    vec![MailingEvent::ErasureRequested {
        person_id: person,
        requested_on: today,
    }]
}

/// A chair or admin declines the waiting request with `reason`; nothing when
/// none waits.
pub fn decline_erasure(
    state: &Cabinet,
    person: PersonId,
    reason: String,
    today: NaiveDate,
) -> Vec<MailingEvent> {
    if !state.erasure_pending {
        return vec![];
    }
    vec![MailingEvent::ErasureDeclined {
        person_id: person,
        reason,
        declined_on: today,
    }]
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000, 0).unwrap() + Duration::minutes(minutes)
    }

    fn fold(events: &[MailingEvent]) -> Cabinet {
        let mut state = Cabinet::default();
        for e in events {
            evolve(&mut state, e);
        }
        state
    }

    #[test]
    fn a_code_signs_in_once_before_it_expires() {
        let p = PersonId(Uuid::from_u128(1));
        let mut log = request_code(&Cabinet::default(), p, at(0), CODE_LIFETIME, "n1".into());
        assert_eq!(log.len(), 1);
        let (events, verdict) = sign_in(&fold(&log), p, at(9), true);
        assert_eq!(verdict, Verdict::SignedIn);
        log.extend(events);
        assert_eq!(sign_in(&fold(&log), p, at(9), true).1, Verdict::Wrong);
    }

    #[test]
    fn an_expired_code_is_told_only_to_who_has_it() {
        let p = PersonId(Uuid::from_u128(1));
        let log = request_code(&Cabinet::default(), p, at(0), CODE_LIFETIME, "n1".into());
        assert_eq!(sign_in(&fold(&log), p, at(10), true).1, Verdict::Expired);
        assert_eq!(sign_in(&fold(&log), p, at(10), false).1, Verdict::Wrong);
        assert_eq!(
            sign_in(&Cabinet::default(), p, at(0), true).1,
            Verdict::Wrong
        );
    }

    #[test]
    fn five_wrong_tries_use_up_a_code_and_a_new_one_starts_afresh() {
        let p = PersonId(Uuid::from_u128(1));
        let mut log = request_code(&Cabinet::default(), p, at(0), CODE_LIFETIME, "n1".into());
        for _ in 0..MAX_WRONG_TRIES {
            let (events, verdict) = sign_in(&fold(&log), p, at(1), false);
            assert_eq!(verdict, Verdict::Wrong);
            log.extend(events);
        }
        assert_eq!(
            sign_in(&fold(&log), p, at(1), true).1,
            Verdict::TooManyTries
        );
        log.extend(request_code(
            &fold(&log),
            p,
            at(2),
            CODE_LIFETIME,
            "n2".into(),
        ));
        assert_eq!(sign_in(&fold(&log), p, at(3), true).1, Verdict::SignedIn);
    }

    #[test]
    fn three_codes_a_quarter_of_an_hour() {
        let p = PersonId(Uuid::from_u128(1));
        let mut log = vec![];
        for minute in 0..3 {
            log.extend(request_code(
                &fold(&log),
                p,
                at(minute),
                CODE_LIFETIME,
                "n".into(),
            ));
        }
        assert!(request_code(&fold(&log), p, at(5), CODE_LIFETIME, "n".into()).is_empty());
        assert_eq!(
            request_code(&fold(&log), p, at(15), CODE_LIFETIME, "n".into()).len(),
            1
        );
    }

    #[test]
    fn one_erasure_request_waits_until_declined() {
        let p = PersonId(Uuid::from_u128(1));
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let mut log = request_erasure(&Cabinet::default(), p, today);
        assert!(request_erasure(&fold(&log), p, today).is_empty());
        assert!(decline_erasure(&Cabinet::default(), p, "x".into(), today).is_empty());
        log.extend(decline_erasure(&fold(&log), p, "нет".into(), today));
        assert!(!fold(&log).erasure_pending);
        assert_eq!(request_erasure(&fold(&log), p, today).len(), 1);
    }
}
