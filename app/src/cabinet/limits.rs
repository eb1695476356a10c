//! The cabinet's limits, per network address and per e-mail given, the same
//! for members and for anyone else (so they tell nobody who is a member).
//! Per node, as every rate limit; the per-person limits that hold across
//! nodes and restarts are the charter's (`domain::mailing::cabinet`).

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use domain::mailing::cabinet::{CODES_PER_WINDOW, MAX_WRONG_TRIES};
use governor::{DefaultKeyedRateLimiter, Quota};
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::rate_limit::{ClientAddr, SubmissionLimit};

/// Code requests one address may make per minute (bursts of five).
pub const REQUESTS_PER_MINUTE: u32 = 10;

/// Tries with a code one address may make per minute (bursts of as many): an
/// office behind one address signs in a few members a minute.
pub const TRIES_PER_MINUTE: u32 = 30;

/// One try with a code, or one code request, comes back per this long.
const REFILL: Duration = Duration::from_secs(120);

/// The cabinet's limits; clones share them.
#[derive(Clone)]
pub struct CabinetLimits {
    addresses: SubmissionLimit,
    tries_by_address: SubmissionLimit,
    requests: Arc<DefaultKeyedRateLimiter<[u8; 32]>>,
    tries: Arc<DefaultKeyedRateLimiter<[u8; 32]>>,
}

fn nonzero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN)
}

fn keyed(burst: u32) -> Arc<DefaultKeyedRateLimiter<[u8; 32]>> {
    let quota = Quota::with_period(REFILL)
        .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
        .allow_burst(nonzero(burst));
    Arc::new(DefaultKeyedRateLimiter::keyed(quota))
}

/// The key an e-mail is limited under (not kept in clear in memory either).
fn email_key(email: &str) -> [u8; 32] {
    Sha256::digest(email.trim().to_lowercase().as_bytes()).into()
}

impl Default for CabinetLimits {
    fn default() -> CabinetLimits {
        CabinetLimits {
            addresses: SubmissionLimit::new(nonzero(REQUESTS_PER_MINUTE), nonzero(5)),
            tries_by_address: SubmissionLimit::new(
                nonzero(TRIES_PER_MINUTE),
                nonzero(TRIES_PER_MINUTE),
            ),
            requests: keyed(CODES_PER_WINDOW as u32),
            tries: keyed(MAX_WRONG_TRIES),
        }
    }
}

impl CabinetLimits {
    /// Takes one code request of `client` for `email`.
    ///
    /// # Errors
    /// [`Error::RateLimited`] past either pace.
    pub fn request(&self, client: Option<ClientAddr>, email: &str) -> Result<(), Error> {
        self.addresses.check(client)?;
        self.requests
            .check_key(&email_key(email))
            .map_err(|_| Error::RateLimited)
    }

    /// Takes one try with a code; `false`: too many tries for now.
    pub fn try_code(&self, client: Option<ClientAddr>, email: &str) -> bool {
        self.tries_by_address.check(client).is_ok()
            && self.tries.check_key(&email_key(email)).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_gets_three_requests_and_five_tries_whoever_it_is() {
        let limits = CabinetLimits::default();
        for _ in 0..CODES_PER_WINDOW {
            assert!(limits.request(None, "a@b.ru").is_ok());
        }
        assert!(limits.request(None, " A@B.ru").is_err());
        assert!(limits.request(None, "c@b.ru").is_ok());
        for _ in 0..MAX_WRONG_TRIES {
            assert!(limits.try_code(None, "x@y.ru"));
        }
        assert!(!limits.try_code(None, "x@y.ru"));
        assert!(limits.try_code(None, "z@y.ru"));
    }
}
