//! Per-client limits on public operations: `submitApplication` needs no token,
//! so its only brake is the client's network address.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::Error;

/// The network address a request came from, as the front door saw it (the
/// peer, or behind a trusted proxy the address it forwarded).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub IpAddr);

/// Submissions one address may make per minute, sustained: a family or a
/// school office behind one address applies a few times, a script hundreds.
pub const SUBMISSIONS_PER_MINUTE: u32 = 10;

/// Submissions one address may make in a quick burst before the per-minute
/// pace applies.
pub const SUBMISSION_BURST: u32 = 5;

/// Anonymous card checks one address may make per minute, sustained: a
/// guard at a door checks a card every few seconds; a roster of every card of
/// an organisation takes thousands.
pub const CARD_CHECKS_PER_MINUTE: u32 = 30;

/// Anonymous card checks one address may make in a quick burst.
pub const CARD_CHECK_BURST: u32 = 10;

/// Every this many checks, addresses whose bucket is full again are forgotten,
/// so a stream of one-off addresses does not grow memory without bound: at most
/// the addresses seen within one refill period plus this many stay.
const HOUSEKEEPING_EVERY: u64 = 1024;

/// The limit on application submissions, one bucket per client address.
///
/// Requests without a [`ClientAddr`] (in-process callers, tests) share one
/// anonymous bucket: they are limited together rather than not at all.
/// Clones share the buckets.
#[derive(Clone)]
pub struct SubmissionLimit {
    limiter: Arc<DefaultKeyedRateLimiter<Option<IpAddr>>>,
    /// Checks so far, to schedule housekeeping.
    checks: Arc<AtomicU64>,
}

impl SubmissionLimit {
    /// `per_minute` submissions a minute per address, up to `burst` at once.
    pub fn new(per_minute: NonZeroU32, burst: NonZeroU32) -> SubmissionLimit {
        let quota = Quota::per_minute(per_minute).allow_burst(burst);
        SubmissionLimit {
            limiter: Arc::new(DefaultKeyedRateLimiter::keyed(quota)),
            checks: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Takes one submission from `client`'s bucket.
    ///
    /// # Errors
    /// [`Error::RateLimited`] when the bucket is empty.
    pub fn check(&self, client: Option<ClientAddr>) -> Result<(), Error> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % HOUSEKEEPING_EVERY
            == HOUSEKEEPING_EVERY - 1
        {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter
            .check_key(&client.map(|ClientAddr(addr)| addr))
            .map_err(|_| Error::RateLimited)
    }

    /// Addresses currently remembered (for tests and metrics).
    pub fn tracked_addresses(&self) -> usize {
        self.limiter.len()
    }
}

impl SubmissionLimit {
    /// The limit on anonymous `verifyCard`: [`CARD_CHECKS_PER_MINUTE`] per
    /// minute per address, bursts of [`CARD_CHECK_BURST`].
    pub fn card_checks() -> SubmissionLimit {
        SubmissionLimit::new(
            NonZeroU32::new(CARD_CHECKS_PER_MINUTE).unwrap_or(NonZeroU32::MIN),
            NonZeroU32::new(CARD_CHECK_BURST).unwrap_or(NonZeroU32::MIN),
        )
    }
}

impl Default for SubmissionLimit {
    /// [`SUBMISSIONS_PER_MINUTE`] per minute, bursts of [`SUBMISSION_BURST`].
    fn default() -> SubmissionLimit {
        SubmissionLimit::new(
            NonZeroU32::new(SUBMISSIONS_PER_MINUTE).unwrap_or(NonZeroU32::MIN),
            NonZeroU32::new(SUBMISSION_BURST).unwrap_or(NonZeroU32::MIN),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn addr(last: u8) -> Option<ClientAddr> {
        Some(ClientAddr(IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))))
    }

    #[test]
    fn each_address_has_its_own_burst() {
        let limit = SubmissionLimit::new(NonZeroU32::MIN, NonZeroU32::new(2).unwrap());
        assert!(limit.check(addr(1)).is_ok());
        assert!(limit.check(addr(1)).is_ok());
        assert!(matches!(limit.check(addr(1)), Err(Error::RateLimited)));
        assert!(limit.check(addr(2)).is_ok());
        assert!(limit.check(None).is_ok());
    }

    #[test]
    fn housekeeping_forgets_addresses_whose_bucket_is_full_again() {
        // One per millisecond: a bucket is full again a millisecond after its use.
        let limit = SubmissionLimit::new(NonZeroU32::new(60_000).unwrap(), NonZeroU32::MIN);
        let client = |n: u64| {
            let octets = n.to_be_bytes();
            Some(ClientAddr(IpAddr::V4(Ipv4Addr::new(
                10, 0, octets[6], octets[7],
            ))))
        };
        let half = HOUSEKEEPING_EVERY / 2;
        for n in 0..half {
            assert!(limit.check(client(n)).is_ok());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        for n in half..HOUSEKEEPING_EVERY {
            assert!(limit.check(client(n)).is_ok());
        }
        // The first half was forgotten; at most the second half stays.
        assert!(
            limit.tracked_addresses() <= half as usize,
            "{} addresses kept",
            limit.tracked_addresses()
        );
    }
}
