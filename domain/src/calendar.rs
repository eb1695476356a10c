//! Day arithmetic of membership, exactly as DESIGN.md §1 states it.
//!
//! A [`Spell`] covers the days from its start up to but not including its end.
//! Admitted on D: a member on D. Exit effective on D: no longer a member on D.
//! Transferred on D: at the new home on D.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::ids::OrgId;

/// A stretch of membership at one home: the days in `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Spell {
    /// The home organisation during the spell.
    pub home_org: OrgId,
    /// The first day of the spell.
    pub start: NaiveDate,
    /// The first day after the spell; `None` while it goes on.
    pub end: Option<NaiveDate>,
}

/// The youngest age counted as youth.
pub const YOUTH_MAX_AGE: u32 = 35;

/// The minimum age on the admission date (DESIGN.md rule 2).
pub const MIN_ADMISSION_AGE: u32 = 14;

/// Days in a year of tenure: tenure in years is tenure days divided by this.
pub const DAYS_PER_TENURE_YEAR: f64 = 365.25;

impl Spell {
    /// Whether the spell covers `day`: `start <= day < end`.
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|end| day < end)
    }

    /// The number of the spell's days that lie before `day`.
    pub fn days_before(&self, day: NaiveDate) -> u32 {
        let until = self.end.map_or(day, |end| end.min(day));
        let days = (until - self.start).num_days();
        u32::try_from(days.max(0)).unwrap_or(u32::MAX)
    }
}

/// Whether some spell covers `day`.
pub fn is_member_on(spells: &[Spell], day: NaiveDate) -> bool {
    spells.iter().any(|spell| spell.covers(day))
}

/// The home on `day`, or `None` when not a member on that day.
pub fn home_on(spells: &[Spell], day: NaiveDate) -> Option<OrgId> {
    spells
        .iter()
        .find(|spell| spell.covers(day))
        .map(|spell| spell.home_org)
}

/// Union tenure on `day` in days: the days of all spells before `day`
/// (0 on the day of admission).
pub fn tenure_days(spells: &[Spell], day: NaiveDate) -> u32 {
    spells
        .iter()
        .map(|spell| spell.days_before(day))
        .fold(0, u32::saturating_add)
}

/// Tenure in years: tenure days divided by 365.25, a real number.
pub fn tenure_years(tenure_days: u32) -> f64 {
    f64::from(tenure_days) / DAYS_PER_TENURE_YEAR
}

/// Age on `day` in full years: a birthday on `day` counts; a 29 February birthday
/// turns on 1 March in common years. 0 for days before the birth.
pub fn age_on(birth_date: NaiveDate, day: NaiveDate) -> u32 {
    let mut years = day.year() - birth_date.year();
    if (day.month(), day.day()) < (birth_date.month(), birth_date.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// Whether a person of `age` counts as youth (35 or younger).
pub fn is_youth(age: u32) -> bool {
    age <= YOUTH_MAX_AGE
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    fn d(year: i32, month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, day).unwrap()
    }

    fn org(n: u128) -> OrgId {
        OrgId(Uuid::from_u128(n))
    }

    fn spell(home: u128, start: NaiveDate, end: Option<NaiveDate>) -> Spell {
        Spell {
            home_org: org(home),
            start,
            end,
        }
    }

    #[test]
    fn a_person_admitted_on_a_day_is_a_member_on_that_day() {
        let spells = [spell(1, d(2020, 9, 1), None)];
        assert!(is_member_on(&spells, d(2020, 9, 1)));
        assert!(!is_member_on(&spells, d(2020, 8, 31)));
    }

    #[test]
    fn a_person_whose_exit_is_effective_on_a_day_is_no_longer_a_member_on_it() {
        let spells = [spell(1, d(2020, 9, 1), Some(d(2023, 5, 10)))];
        assert!(is_member_on(&spells, d(2023, 5, 9)));
        assert!(!is_member_on(&spells, d(2023, 5, 10)));
        assert_eq!(home_on(&spells, d(2023, 5, 10)), None);
    }

    #[test]
    fn a_member_transferred_on_a_day_is_at_the_new_home_on_that_day() {
        let spells = [
            spell(1, d(2020, 9, 1), Some(d(2024, 1, 10))),
            spell(2, d(2024, 1, 10), None),
        ];
        assert_eq!(home_on(&spells, d(2024, 1, 9)), Some(org(1)));
        assert_eq!(home_on(&spells, d(2024, 1, 10)), Some(org(2)));
    }

    #[test]
    fn tenure_is_zero_on_the_day_of_admission_and_one_the_day_after() {
        let spells = [spell(1, d(2020, 9, 1), None)];
        assert_eq!(tenure_days(&spells, d(2020, 9, 1)), 0);
        assert_eq!(tenure_days(&spells, d(2020, 9, 2)), 1);
        assert_eq!(tenure_days(&spells, d(2020, 1, 1)), 0);
    }

    #[test]
    fn tenure_adds_up_every_spell_and_skips_the_gaps() {
        let spells = [
            spell(1, d(2020, 1, 1), Some(d(2020, 1, 11))),
            spell(2, d(2021, 1, 1), None),
        ];
        assert_eq!(tenure_days(&spells, d(2020, 6, 1)), 10);
        assert_eq!(tenure_days(&spells, d(2021, 1, 6)), 15);
    }

    #[test]
    fn a_transfer_does_not_change_tenure() {
        let one_home = [spell(1, d(2020, 9, 1), None)];
        let two_homes = [
            spell(1, d(2020, 9, 1), Some(d(2022, 3, 3))),
            spell(2, d(2022, 3, 3), None),
        ];
        let day = d(2024, 2, 29);
        assert_eq!(tenure_days(&one_home, day), tenure_days(&two_homes, day));
    }

    #[test]
    fn tenure_years_divide_by_365_25_so_a_common_year_is_under_one() {
        assert!(tenure_years(365) < 1.0);
        assert!(tenure_years(366) >= 1.0);
        assert_eq!(tenure_years(1461), 4.0);
    }

    #[test]
    fn a_birthday_on_the_day_counts() {
        assert_eq!(age_on(d(2010, 5, 20), d(2024, 5, 19)), 13);
        assert_eq!(age_on(d(2010, 5, 20), d(2024, 5, 20)), 14);
    }

    #[test]
    fn a_29_february_birthday_turns_on_1_march_in_common_years() {
        let birth = d(2008, 2, 29);
        assert_eq!(age_on(birth, d(2022, 2, 28)), 13);
        assert_eq!(age_on(birth, d(2022, 3, 1)), 14);
        assert_eq!(age_on(birth, d(2024, 2, 28)), 15);
        assert_eq!(age_on(birth, d(2024, 2, 29)), 16);
    }

    #[test]
    fn age_before_birth_is_zero() {
        assert_eq!(age_on(d(2010, 5, 20), d(2000, 1, 1)), 0);
    }

    #[test]
    fn youth_is_35_or_younger() {
        assert!(is_youth(35));
        assert!(!is_youth(36));
    }
}
