//! Looking a SNILS up outside one's own subtree (issue 11, item 2).
//!
//! An admission or a change naming a SNILS must find its holder wherever they
//! are (DESIGN.md rule 5): re-admission finds the former member by it. When
//! the holder's record is kept outside the caller's subtree, the charter still
//! needs the distinction "someone has it" (the command is refused, or finds
//! the former member), so the lookup itself is a read of that person's data:
//! it is recorded like any other read and limited per holder, so nobody can
//! run a list of SNILS against the registry. The refusal says nothing more
//! (`SNILS_OUTSIDE_SUBTREE`, decided in the command path).

use std::num::NonZeroU32;
use std::sync::Arc;

use domain::audit::PersonalDataRead;
use domain::ids::UserId;
use domain::snils::Snils;
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::Error;
use crate::guard::Viewer;
use crate::running::App;

/// Lookups of SNILS held outside one's subtree a holder may make per hour,
/// sustained: a chair re-admitting members who come from elsewhere needs a
/// few a day, a script trying a list needs thousands.
pub const SNILS_LOOKUPS_PER_HOUR: u32 = 60;

/// Such lookups one holder may make in a quick burst.
pub const SNILS_LOOKUP_BURST: u32 = 10;

/// The per-holder limit on lookups of SNILS held outside the holder's
/// subtree. Clones share the buckets; the holders are few (one per role
/// granted), so the map needs no housekeeping.
#[derive(Clone)]
pub struct SnilsLookupLimit {
    limiter: Arc<DefaultKeyedRateLimiter<UserId>>,
}

impl SnilsLookupLimit {
    /// `per_hour` lookups an hour per holder, up to `burst` at once.
    pub fn new(per_hour: NonZeroU32, burst: NonZeroU32) -> SnilsLookupLimit {
        let quota = Quota::per_hour(per_hour).allow_burst(burst);
        SnilsLookupLimit {
            limiter: Arc::new(DefaultKeyedRateLimiter::keyed(quota)),
        }
    }

    /// Takes one lookup from `holder`'s bucket.
    ///
    /// # Errors
    /// [`Error::RateLimited`] when it is empty.
    pub fn check(&self, holder: UserId) -> Result<(), Error> {
        self.limiter
            .check_key(&holder)
            .map_err(|_| Error::RateLimited)
    }
}

impl Default for SnilsLookupLimit {
    /// [`SNILS_LOOKUPS_PER_HOUR`], bursts of [`SNILS_LOOKUP_BURST`].
    fn default() -> SnilsLookupLimit {
        SnilsLookupLimit::new(
            NonZeroU32::new(SNILS_LOOKUPS_PER_HOUR).unwrap_or(NonZeroU32::MIN),
            NonZeroU32::new(SNILS_LOOKUP_BURST).unwrap_or(NonZeroU32::MIN),
        )
    }
}

impl App {
    /// Before a command that names `snils` runs for `viewer`: when its holder's
    /// record is kept outside the viewer's subtree, takes one lookup from the
    /// viewer's bucket and records the lookup as a read of that person. The
    /// operator (no subtree) and a SNILS nobody has pass freely.
    ///
    /// # Errors
    /// [`Error::RateLimited`]; [`Error::Internal`] when the read could not be
    /// recorded (the command then does not run).
    pub(crate) async fn look_up_snils(
        &self,
        viewer: &Viewer,
        snils: Option<Snils>,
    ) -> Result<(), Error> {
        let (Some(snils), Viewer::Holder(holder)) = (snils, viewer) else {
            return Ok(());
        };
        let registry = &self.models.registry;
        let Some(person) = registry.snils_holder(snils) else {
            return Ok(());
        };
        let Some(member) = registry.member(person) else {
            return Ok(());
        };
        if registry.within(member.home, holder.org_id) {
            return Ok(());
        }
        self.snils_lookups.check(holder.user_id)?;
        let read = PersonalDataRead::of_person(holder.user_id, person);
        self.reads().record(vec![read]).await
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn each_holder_has_a_burst_of_its_own() {
        let limit = SnilsLookupLimit::new(NonZeroU32::MIN, NonZeroU32::new(2).unwrap());
        let (chair, other) = (UserId(Uuid::from_u128(1)), UserId(Uuid::from_u128(2)));
        assert!(limit.check(chair).is_ok() && limit.check(chair).is_ok());
        assert!(matches!(limit.check(chair), Err(Error::RateLimited)));
        assert!(limit.check(other).is_ok());
    }
}
