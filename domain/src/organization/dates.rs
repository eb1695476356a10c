//! When an organisation and its passports take effect (DESIGN.md §7): the one
//! rule that the charter, the state and the read models all use.
//!
//! - An organisation registered with `established_on` begins on that day:
//!   nothing about it (admission, transfer in, move, passport, dissolution) takes
//!   effect before it. Registered without one, it is an organisation the registry
//!   found in place: it has been there as long as anything the registry knows,
//!   and backdated admissions, moves and passports are accepted.
//! - A passport version applies from its `effective_on` when it has one. Undated,
//!   the organisation's *first* passport describes it back to its beginning (a
//!   union entering its tree and passports today gets sectors and coverage in
//!   past reports), and a later one applies from the day it was entered.
//! - Passport versions follow one another: a dated one may not begin before the
//!   version in effect now began (as a move may not precede the current place).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rules::RuleViolation;

/// The first day a passport version describes the organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum PassportFrom {
    /// Since the organisation's beginning (its first passport, undated).
    Beginning,
    /// From this day on.
    On(NaiveDate),
}

impl PassportFrom {
    /// Where a version begins: `effective_on` when dated; undated, the
    /// beginning for the organisation's first passport (`first`), else the day
    /// it was entered (`updated_on`).
    pub fn of(first: bool, effective_on: Option<NaiveDate>, updated_on: NaiveDate) -> PassportFrom {
        match (effective_on, first) {
            (Some(day), _) => PassportFrom::On(day),
            (None, true) => PassportFrom::Beginning,
            (None, false) => PassportFrom::On(updated_on),
        }
    }

    /// Whether the version has begun on `day`.
    pub fn covers(self, day: NaiveDate) -> bool {
        match self {
            PassportFrom::Beginning => true,
            PassportFrom::On(from) => from <= day,
        }
    }
}

/// Whether an organisation established on `established_on` (`None`: found in
/// place) exists on `day` as far as dates go (dissolution aside).
pub fn begun_on(established_on: Option<NaiveDate>, day: NaiveDate) -> bool {
    established_on.is_none_or(|established| established <= day)
}

/// Refuses `date` before the beginning of an organisation established on
/// `established_on`.
///
/// # Errors
/// [`RuleViolation::BeforeEstablishment`].
pub fn check_begun(
    established_on: Option<NaiveDate>,
    date: NaiveDate,
) -> Result<(), RuleViolation> {
    match established_on {
        Some(established_on) if date < established_on => Err(RuleViolation::BeforeEstablishment {
            date,
            established_on,
        }),
        _ => Ok(()),
    }
}

/// Refuses a passport version dated `effective_on` that would begin before the
/// version in effect now (`current`, `None` when there is none).
///
/// # Errors
/// [`RuleViolation::BeforeCurrentPassport`].
pub fn check_passport_order(
    current: Option<PassportFrom>,
    effective_on: NaiveDate,
) -> Result<(), RuleViolation> {
    match current {
        Some(PassportFrom::On(since)) if effective_on < since => {
            Err(RuleViolation::BeforeCurrentPassport {
                effective_on,
                since,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::d;

    #[test]
    fn an_undated_first_passport_describes_the_organisation_from_its_beginning() {
        let entered = d(2026, 3, 1);
        assert_eq!(
            PassportFrom::of(true, None, entered),
            PassportFrom::Beginning
        );
        assert!(PassportFrom::Beginning.covers(d(1991, 1, 1)));
        assert_eq!(
            PassportFrom::of(false, None, entered),
            PassportFrom::On(entered)
        );
        assert_eq!(
            PassportFrom::of(true, Some(d(2020, 1, 1)), entered),
            PassportFrom::On(d(2020, 1, 1))
        );
        assert!(!PassportFrom::On(d(2020, 1, 1)).covers(d(2019, 12, 31)));
        assert!(PassportFrom::Beginning < PassportFrom::On(d(1900, 1, 1)));
    }

    #[test]
    fn an_organisation_found_in_place_has_begun_on_any_day() {
        assert!(begun_on(None, d(1900, 1, 1)));
        assert!(!begun_on(Some(d(2020, 1, 1)), d(2019, 12, 31)));
        assert!(begun_on(Some(d(2020, 1, 1)), d(2020, 1, 1)));
        assert_eq!(check_begun(None, d(1900, 1, 1)), Ok(()));
        assert_eq!(
            check_begun(Some(d(2020, 1, 1)), d(2019, 12, 31)),
            Err(RuleViolation::BeforeEstablishment {
                date: d(2019, 12, 31),
                established_on: d(2020, 1, 1)
            })
        );
    }
}
