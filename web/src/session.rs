//! Staff sessions: a bearer token, given once at sign-in, exchanged for a
//! session cookie. Sessions live in this process's memory (a restart signs
//! everyone out); the map is keyed by the SHA-256 of the cookie's value, so
//! the ids themselves are kept nowhere. A session ends after an hour without
//! a request, twelve hours after sign-in, at sign-out, or when its token is
//! revoked (each request authenticates the token again through `app`).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// The session cookie's name.
pub const COOKIE: &str = "reestr_session";

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::from_secs(60 * 60);

/// A session ends this long after sign-in, however busy.
pub const ABSOLUTE: Duration = Duration::from_secs(12 * 60 * 60);

/// Random bytes in a session id: 256 bits.
const ID_BYTES: usize = 32;

/// The SHA-256 of a session id: what the store keys by, and what CSRF tokens
/// of the session are bound to.
pub type IdHash = [u8; 32];

struct Session {
    token: String,
    started: Instant,
    last_seen: Instant,
}

/// Every open session.
pub struct Sessions {
    open: Mutex<HashMap<IdHash, Session>>,
    idle: Duration,
    absolute: Duration,
}

impl Default for Sessions {
    fn default() -> Sessions {
        Sessions::with_limits(IDLE, ABSOLUTE)
    }
}

/// The hash a session id is kept under.
pub fn id_hash(id: &str) -> IdHash {
    Sha256::digest(id.as_bytes()).into()
}

impl Sessions {
    /// Sessions that end after `idle` without a request or `absolute` after sign-in.
    pub fn with_limits(idle: Duration, absolute: Duration) -> Sessions {
        Sessions {
            open: Mutex::new(HashMap::new()),
            idle,
            absolute,
        }
    }

    /// Opens a session for `token`'s holder; returns the cookie's value.
    pub fn open(&self, token: String, now: Instant) -> String {
        let mut bytes = [0u8; ID_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        let id = hex::encode(bytes);
        let mut open = self.open.lock();
        // Sign-ins are rare: forgetting ended sessions here keeps the map small.
        open.retain(|_, session| self.live(session, now));
        open.insert(
            id_hash(&id),
            Session {
                token,
                started: now,
                last_seen: now,
            },
        );
        id
    }

    /// The token of the live session `id` (and the session is seen now), or
    /// `None`: unknown, expired (then forgotten), or ended.
    pub fn token(&self, id: &str, now: Instant) -> Option<String> {
        let key = id_hash(id);
        let mut open = self.open.lock();
        let session = open.get_mut(&key)?;
        if !self.live(session, now) {
            open.remove(&key);
            return None;
        }
        session.last_seen = now;
        Some(session.token.clone())
    }

    /// Ends the session `id` (sign-out, or a token no longer valid).
    pub fn end(&self, id: &str) {
        self.open.lock().remove(&id_hash(id));
    }

    /// Sessions open now (including expired ones not yet forgotten).
    #[cfg(test)]
    pub fn count(&self) -> usize {
        self.open.lock().len()
    }

    fn live(&self, session: &Session, now: Instant) -> bool {
        now.saturating_duration_since(session.last_seen) < self.idle
            && now.saturating_duration_since(session.started) < self.absolute
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_ends_when_idle_too_long_after_its_absolute_limit_and_at_sign_out() {
        let sessions = Sessions::with_limits(Duration::from_secs(10), Duration::from_secs(25));
        let start = Instant::now();
        let id = sessions.open("reestr_abc".into(), start);
        assert_eq!(id.len(), 64);
        let at = |s| start + Duration::from_secs(s);
        assert_eq!(sessions.token(&id, at(9)).as_deref(), Some("reestr_abc"));
        assert_eq!(sessions.token(&id, at(18)).as_deref(), Some("reestr_abc"));
        assert_eq!(sessions.token(&id, at(24)).as_deref(), Some("reestr_abc"));
        assert_eq!(sessions.token(&id, at(26)), None, "absolute limit");
        assert_eq!(sessions.count(), 0, "an expired session is forgotten");

        let idle = sessions.open("reestr_def".into(), start);
        assert_eq!(sessions.token(&idle, at(11)), None, "idle limit");

        let out = sessions.open("reestr_ghi".into(), start);
        sessions.end(&out);
        assert_eq!(sessions.token(&out, at(1)), None, "signed out");
        assert_eq!(sessions.token("not a session", at(1)), None);
    }

    #[test]
    fn the_store_keeps_hashes_of_ids_not_the_ids() {
        let sessions = Sessions::default();
        let id = sessions.open("reestr_abc".into(), Instant::now());
        let open = sessions.open.lock();
        assert!(open.contains_key(&id_hash(&id)));
        assert_eq!(open.len(), 1);
    }
}
