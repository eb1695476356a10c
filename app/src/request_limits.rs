//! Limits on every request, per holder and per network address (issue 11,
//! item 5): a pace (requests a minute, with a burst) and a number of requests
//! in flight at once. One client, with one token or none, cannot take the
//! server from everybody else: past either limit its requests are refused with
//! `RATE_LIMITED` before any work is done, while other holders and addresses
//! go on.
//!
//! A request takes a [`RequestPermit`] at each front door (GraphQL, the pages)
//! and holds it until answered. An authenticated request counts against its
//! holder and its address (many tokens from one address are still one
//! address); an anonymous one against its address; the operator at the
//! command line against nothing.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use domain::ids::UserId;
use governor::{DefaultKeyedRateLimiter, Quota};
use parking_lot::Mutex;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::Error;
use crate::guard::Viewer;
use crate::rate_limit::ClientAddr;

/// How one kind of client (a holder, an address) is limited. Zero in a field
/// means no limit of that kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientLimit {
    /// Requests a minute, sustained.
    pub per_minute: u32,
    /// Requests in a quick burst before the per-minute pace applies.
    pub burst: u32,
    /// Requests in flight at once; [`WAITING_PER_PLACE`] times as many more
    /// wait for a place.
    pub concurrent: u32,
}

/// The limits of every request: per holder and per address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLimitConfig {
    /// Each token holder's.
    pub holder: ClientLimit,
    /// Each network address's, authenticated or not.
    pub address: ClientLimit,
}

impl RequestLimitConfig {
    /// No limit at all (in-process callers and load benchmarks).
    pub const UNLIMITED: RequestLimitConfig = RequestLimitConfig {
        holder: ClientLimit {
            per_minute: 0,
            burst: 0,
            concurrent: 0,
        },
        address: ClientLimit {
            per_minute: 0,
            burst: 0,
            concurrent: 0,
        },
    };
}

impl Default for RequestLimitConfig {
    /// A person at a desk sends a request every few seconds, a page a handful
    /// at once; a chair's script re-checking a roster a few a second. An
    /// address may be a school office or a regional committee behind one
    /// NAT, so it gets more than one holder.
    fn default() -> RequestLimitConfig {
        RequestLimitConfig {
            holder: ClientLimit {
                per_minute: 1_200,
                burst: 200,
                concurrent: 8,
            },
            address: ClientLimit {
                per_minute: 3_000,
                burst: 500,
                concurrent: 32,
            },
        }
    }
}

/// Every this many requests, clients whose bucket is full again are forgotten,
/// so a stream of one-off addresses does not grow memory without bound.
const HOUSEKEEPING_EVERY: u64 = 4096;

/// How many requests of one client may wait for a place, per place: a page's
/// few parallel requests or a script's worker pool wait their turn; a flood
/// past this is refused at once, so waiting costs bounded memory.
pub const WAITING_PER_PLACE: u32 = 8;

/// One client's places for requests in flight.
struct Places {
    free: Arc<Semaphore>,
    /// Requests holding or waiting for a place.
    admitted: u32,
}

/// One kind of client's buckets and places for requests in flight.
struct Limiter<K: Hash + Eq + Clone> {
    pace: Option<DefaultKeyedRateLimiter<K>>,
    concurrent: u32,
    places: Mutex<HashMap<K, Places>>,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    fn new(limit: ClientLimit) -> Limiter<K> {
        let pace = NonZeroU32::new(limit.per_minute).map(|per_minute| {
            let burst = NonZeroU32::new(limit.burst).unwrap_or(NonZeroU32::MIN);
            DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute).allow_burst(burst))
        });
        Limiter {
            pace,
            concurrent: limit.concurrent,
            places: Mutex::new(HashMap::new()),
            checks: AtomicU64::new(0),
        }
    }

    /// Takes one request of `key` from its bucket and counts it as admitted;
    /// the place itself is waited for in [`Limiter::place`].
    fn enter(&self, key: &K) -> Result<Option<Arc<Semaphore>>, Error> {
        if let Some(pace) = &self.pace {
            if self.checks.fetch_add(1, Ordering::Relaxed) % HOUSEKEEPING_EVERY
                == HOUSEKEEPING_EVERY - 1
            {
                pace.retain_recent();
                pace.shrink_to_fit();
            }
            pace.check_key(key).map_err(|_| Error::RateLimited)?;
        }
        if self.concurrent == 0 {
            return Ok(None);
        }
        let mut places = self.places.lock();
        let client = places.entry(key.clone()).or_insert_with(|| Places {
            free: Arc::new(Semaphore::new(self.concurrent as usize)),
            admitted: 0,
        });
        if client.admitted >= self.concurrent.saturating_mul(WAITING_PER_PLACE + 1) {
            return Err(Error::RateLimited);
        }
        client.admitted += 1;
        Ok(Some(Arc::clone(&client.free)))
    }

    fn leave(&self, key: &K) {
        if self.concurrent == 0 {
            return;
        }
        let mut places = self.places.lock();
        if let Some(client) = places.get_mut(key) {
            client.admitted -= 1;
            if client.admitted == 0 {
                // Only clients with requests admitted stay in the map.
                places.remove(key);
            }
        }
    }

    fn admitted(&self, key: &K) -> u32 {
        self.places
            .lock()
            .get(key)
            .map_or(0, |client| client.admitted)
    }
}

/// The limits of every request, shared by every front door. Clones share
/// the counts.
#[derive(Clone)]
pub struct RequestLimits {
    config: RequestLimitConfig,
    holders: Arc<Limiter<UserId>>,
    addresses: Arc<Limiter<IpAddr>>,
}

impl RequestLimits {
    /// Limits as `config` says.
    pub fn new(config: RequestLimitConfig) -> RequestLimits {
        RequestLimits {
            config,
            holders: Arc::new(Limiter::new(config.holder)),
            addresses: Arc::new(Limiter::new(config.address)),
        }
    }

    /// What these limits are.
    pub fn config(&self) -> RequestLimitConfig {
        self.config
    }

    /// Admits one request of `viewer` from `client`, to be held until it is
    /// answered: waits while the holder or the address has all its places
    /// in flight taken.
    ///
    /// # Errors
    /// [`Error::RateLimited`] when the holder or the address is past its pace
    /// or has as many requests waiting as it may; nothing stays admitted then.
    pub async fn admit(
        &self,
        viewer: &Viewer,
        client: Option<ClientAddr>,
    ) -> Result<RequestPermit, Error> {
        let mut permit = RequestPermit {
            limits: self.clone(),
            holder: None,
            address: None,
            places: Vec::new(),
        };
        let holder = match viewer {
            Viewer::Holder(holder) => Some(holder.user_id),
            // A member's requests count against their address, as an anonymous one's.
            Viewer::Anonymous | Viewer::Member(_) => None,
            Viewer::Operator(_) => return Ok(permit),
        };
        let mut waits = Vec::new();
        if let Some(ClientAddr(address)) = client {
            waits.extend(self.addresses.enter(&address)?);
            permit.address = Some(address);
        }
        if let Some(holder) = holder {
            // A refusal here drops `permit`, which gives the address back.
            waits.extend(self.holders.enter(&holder)?);
            permit.holder = Some(holder);
        }
        for places in waits {
            let place = places
                .acquire_owned()
                .await
                .map_err(|_| Error::internal("the request limits were closed"))?;
            permit.places.push(place);
        }
        Ok(permit)
    }

    /// Requests of `holder` admitted now, running or waiting (for tests and
    /// metrics).
    pub fn holder_admitted(&self, holder: UserId) -> u32 {
        self.holders.admitted(&holder)
    }
}

impl Default for RequestLimits {
    fn default() -> RequestLimits {
        RequestLimits::new(RequestLimitConfig::default())
    }
}

/// One admitted request; its places are given back when dropped.
pub struct RequestPermit {
    limits: RequestLimits,
    holder: Option<UserId>,
    address: Option<IpAddr>,
    places: Vec<OwnedSemaphorePermit>,
}

impl Drop for RequestPermit {
    fn drop(&mut self) {
        self.places.clear();
        if let Some(holder) = &self.holder {
            self.limits.holders.leave(holder);
        }
        if let Some(address) = &self.address {
            self.limits.addresses.leave(address);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::time::Duration;

    use domain::vocabulary::access::Role;
    use projections::access::Holder;
    use uuid::Uuid;

    use super::*;

    fn holder(n: u128) -> Viewer {
        Viewer::Holder(Holder {
            user_id: UserId(Uuid::from_u128(n)),
            role: Role::Chair,
            org_id: domain::ids::OrgId(Uuid::from_u128(1)),
            holder: format!("holder {n}"),
        })
    }

    fn addr(last: u8) -> Option<ClientAddr> {
        Some(ClientAddr(IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))))
    }

    fn limits(holder: ClientLimit, address: ClientLimit) -> RequestLimits {
        RequestLimits::new(RequestLimitConfig { holder, address })
    }

    const NONE: ClientLimit = ClientLimit {
        per_minute: 0,
        burst: 0,
        concurrent: 0,
    };

    /// Whether `admit` is still waiting after a moment (it is cancelled then,
    /// as a timed-out request is).
    async fn waits(limits: &RequestLimits, viewer: &Viewer, client: Option<ClientAddr>) -> bool {
        tokio::time::timeout(Duration::from_millis(30), limits.admit(viewer, client))
            .await
            .is_err()
    }

    #[tokio::test]
    async fn a_holder_s_requests_past_its_places_wait_and_past_the_waiting_room_are_refused() {
        let limits = limits(
            ClientLimit {
                concurrent: 1,
                ..NONE
            },
            NONE,
        );
        let first = limits.admit(&holder(1), addr(1)).await.unwrap();
        assert!(waits(&limits, &holder(1), addr(2)).await);
        // The cancelled wait gave its admission back.
        assert_eq!(limits.holder_admitted(UserId(Uuid::from_u128(1))), 1);
        // Another holder is not held back by the first.
        assert!(limits.admit(&holder(2), addr(1)).await.is_ok());

        let mut waiting = tokio::task::JoinSet::new();
        for _ in 0..WAITING_PER_PLACE {
            let limits = limits.clone();
            waiting.spawn(async move { limits.admit(&holder(1), None).await.map(drop) });
        }
        while limits.holder_admitted(UserId(Uuid::from_u128(1))) < WAITING_PER_PLACE + 1 {
            tokio::task::yield_now().await;
        }
        assert!(matches!(
            limits.admit(&holder(1), None).await,
            Err(Error::RateLimited)
        ));
        drop(first);
        for served in waiting.join_all().await {
            assert!(served.is_ok());
        }
        assert_eq!(limits.holder_admitted(UserId(Uuid::from_u128(1))), 0);
    }

    #[tokio::test]
    async fn an_address_is_limited_whatever_tokens_it_sends() {
        let limits = limits(
            NONE,
            ClientLimit {
                per_minute: 1,
                burst: 3,
                concurrent: 0,
            },
        );
        for n in 0..3 {
            drop(limits.admit(&holder(n), addr(1)).await.unwrap());
        }
        assert!(matches!(
            limits.admit(&holder(9), addr(1)).await,
            Err(Error::RateLimited)
        ));
        assert!(matches!(
            limits.admit(&Viewer::Anonymous, addr(1)).await,
            Err(Error::RateLimited)
        ));
        assert!(limits.admit(&Viewer::Anonymous, addr(2)).await.is_ok());
    }

    #[tokio::test]
    async fn a_request_the_holder_s_pace_refuses_gives_its_address_place_back() {
        let limits = limits(
            ClientLimit {
                per_minute: 1,
                burst: 1,
                concurrent: 0,
            },
            ClientLimit {
                concurrent: 1,
                ..NONE
            },
        );
        drop(limits.admit(&holder(1), addr(1)).await.unwrap());
        for _ in 0..10 {
            assert!(matches!(
                limits.admit(&holder(1), addr(1)).await,
                Err(Error::RateLimited)
            ));
        }
        // The address's one place is free: the refusals hold none of it.
        let _held = limits.admit(&holder(2), addr(1)).await.unwrap();
        assert!(waits(&limits, &holder(3), addr(1)).await);
    }

    #[tokio::test]
    async fn the_operator_and_zero_limits_pass_freely() {
        let limits = RequestLimits::new(RequestLimitConfig::UNLIMITED);
        let mut held = Vec::new();
        for _ in 0..1000 {
            held.push(limits.admit(&holder(1), addr(1)).await.unwrap());
        }
        let strict = self::limits(
            ClientLimit {
                per_minute: 1,
                burst: 1,
                concurrent: 1,
            },
            ClientLimit {
                per_minute: 1,
                burst: 1,
                concurrent: 1,
            },
        );
        let operator = Viewer::Operator("root".into());
        let _a = strict.admit(&operator, None).await.unwrap();
        let _b = strict.admit(&operator, None).await.unwrap();
    }
}
