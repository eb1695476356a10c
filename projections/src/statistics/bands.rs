//! Day numbers, bucket names and the band bounds of one report date.
//!
//! The hot loop never converts a day number back to a calendar date: for a
//! report date it compares birth days with four precomputed cutoffs (age bands)
//! and tenure days with four integer thresholds (tenure bands). Both are derived
//! from `domain::calendar` itself and tested against it over long ranges.

use chrono::{Datelike, NaiveDate};
use domain::calendar::tenure_years;
use domain::vocabulary::organization::Sector;
use domain::vocabulary::person::{EndReason, Gender, MemberCategory, Profession};

/// The day number of "never" (an open spell's end).
pub(crate) const FOREVER: i32 = i32::MAX;

/// Bucket keys of `byGender`, in the contract's enum order.
pub const GENDERS: [&str; 2] = ["FEMALE", "MALE"];
/// Bucket keys of `byCategory`.
pub const CATEGORIES: [&str; 4] = ["WORKER", "STUDENT", "PENSIONER", "UNEMPLOYED"];
/// Bucket keys of `byProfession`.
pub const PROFESSIONS: [&str; 7] = [
    "TEACHER",
    "PRESCHOOL_EDUCATOR",
    "LECTURER",
    "HEAD",
    "OTHER_PEDAGOGICAL",
    "SUPPORT_STAFF",
    "OTHER",
];
/// Bucket keys of `byAgeBand`.
pub const AGE_BANDS: [&str; 5] = [
    "AGE_UP_TO_35",
    "AGE_36_TO_45",
    "AGE_46_TO_55",
    "AGE_56_TO_65",
    "AGE_66_PLUS",
];
/// Bucket keys of `byTenureBand`.
pub const TENURE_BANDS: [&str; 5] = [
    "TENURE_UNDER_1",
    "TENURE_1_TO_5",
    "TENURE_5_TO_10",
    "TENURE_10_TO_20",
    "TENURE_20_PLUS",
];
/// Bucket keys of `bySector`.
pub const SECTORS: [&str; 7] = [
    "PRESCHOOL",
    "SCHOOL",
    "COLLEGE",
    "UNIVERSITY",
    "SUPPLEMENTARY",
    "GOVERNANCE",
    "OTHER",
];
/// Bucket keys of `endedByReason`.
pub const END_REASONS: [&str; 4] = ["VOLUNTARY_EXIT", "EXPULSION", "LEFT_EDUCATION", "DEATH"];

/// The first age of each band after the first: AGE_36_TO_45 starts at 36, …
const AGE_BAND_STARTS: [i32; 4] = [36, 46, 56, 66];
/// The first tenure in years of each band after the first.
const TENURE_BAND_STARTS: [f64; 4] = [1.0, 5.0, 10.0, 20.0];

/// A date as a day number (days from the common era), the unit of every column.
pub(crate) fn day(date: NaiveDate) -> i32 {
    date.num_days_from_ce()
}

/// The date of a day number.
pub(crate) fn date(day: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day).unwrap_or(NaiveDate::MIN)
}

/// The birth day used for a person whose birth date is gone (erased): 1 July of
/// the birth year, the middle of the year, so that the age is off by at most
/// half a year either way.
pub(crate) fn erased_birth_day(birth_year: i32) -> i32 {
    NaiveDate::from_ymd_opt(birth_year, 7, 1).map_or(0, day)
}

/// The band bounds of one report date.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    /// The report date's day number.
    pub on: i32,
    /// `age_cutoffs[k]`: the last birth day whose age on `on` is at least
    /// `AGE_BAND_STARTS[k]`; age band = how many cutoffs a birth day is ≤.
    pub age_cutoffs: [i32; 4],
    /// `tenure_thresholds[k]`: the fewest tenure days whose years reach
    /// `TENURE_BAND_STARTS[k]`; tenure band = how many thresholds are ≤ the days.
    pub tenure_thresholds: [u32; 4],
}

impl Bounds {
    /// The bounds for `on`.
    pub fn new(on: NaiveDate) -> Bounds {
        Bounds {
            on: day(on),
            age_cutoffs: AGE_BAND_STARTS.map(|years| last_birth_day_of_age(on, years)),
            tenure_thresholds: TENURE_BAND_STARTS.map(first_tenure_days_of_years),
        }
    }

    /// The age band (index into [`AGE_BANDS`]) of someone born on `birth_day`.
    #[inline(always)]
    pub fn age_band(&self, birth_day: i32) -> usize {
        let c = &self.age_cutoffs;
        usize::from(birth_day <= c[0])
            + usize::from(birth_day <= c[1])
            + usize::from(birth_day <= c[2])
            + usize::from(birth_day <= c[3])
    }

    /// The tenure band (index into [`TENURE_BANDS`]) of `tenure_days`.
    #[inline(always)]
    pub fn tenure_band(&self, tenure_days: u32) -> usize {
        let t = &self.tenure_thresholds;
        usize::from(tenure_days >= t[0])
            + usize::from(tenure_days >= t[1])
            + usize::from(tenure_days >= t[2])
            + usize::from(tenure_days >= t[3])
    }
}

/// The last birth date whose age on `on` is at least `years`, as a day number.
///
/// `age_on` is `on.year - birth.year`, less one when (month, day) of `on` comes
/// before the birthday's, so the latest birth date of that age lies in year
/// `on.year - years` on `on`'s own (month, day), or on 28 February when `on` is
/// a 29 February and that year is common (a 29 February birth would be a day
/// younger in such a year: it turns on 1 March).
pub(crate) fn last_birth_day_of_age(on: NaiveDate, years: i32) -> i32 {
    let year = on.year() - years;
    let birth = NaiveDate::from_ymd_opt(year, on.month(), on.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
        .unwrap_or(NaiveDate::MIN);
    day(birth)
}

/// The fewest tenure days whose `tenure_years` is at least `years`, found with
/// `tenure_years` itself so the integer comparison is the f64 one exactly.
pub(crate) fn first_tenure_days_of_years(years: f64) -> u32 {
    // Start a little below the real-valued bound and step up: a handful of steps.
    let mut days = ((years * 365.25) as u32).saturating_sub(2);
    while tenure_years(days) < years {
        days += 1;
    }
    days
}

/// Index of a gender in [`GENDERS`].
pub(crate) fn gender_index(gender: Gender) -> u8 {
    match gender {
        Gender::Female => 0,
        Gender::Male => 1,
    }
}

/// Index of a category in [`CATEGORIES`].
pub fn category_index(category: MemberCategory) -> u8 {
    match category {
        MemberCategory::Worker => 0,
        MemberCategory::Student => 1,
        MemberCategory::Pensioner => 2,
        MemberCategory::Unemployed => 3,
    }
}

/// Index of a profession in [`PROFESSIONS`].
pub fn profession_index(profession: Profession) -> u8 {
    match profession {
        Profession::Teacher => 0,
        Profession::PreschoolEducator => 1,
        Profession::Lecturer => 2,
        Profession::Head => 3,
        Profession::OtherPedagogical => 4,
        Profession::SupportStaff => 5,
        Profession::Other => 6,
    }
}

/// Index of a sector in [`SECTORS`].
pub fn sector_index(sector: Sector) -> u8 {
    match sector {
        Sector::Preschool => 0,
        Sector::School => 1,
        Sector::College => 2,
        Sector::University => 3,
        Sector::Supplementary => 4,
        Sector::Governance => 5,
        Sector::Other => 6,
    }
}

/// Index of an end reason in [`END_REASONS`].
pub(crate) fn end_reason_index(reason: EndReason) -> u8 {
    match reason {
        EndReason::VoluntaryExit => 0,
        EndReason::Expulsion => 1,
        EndReason::LeftEducation => 2,
        EndReason::Death => 3,
    }
}

#[cfg(test)]
mod tests {
    use domain::calendar::age_on;

    use super::*;

    /// The age band of `age` in years, straight from the contract's words.
    fn age_band_of(age: u32) -> usize {
        match age {
            0..=35 => 0,
            36..=45 => 1,
            46..=55 => 2,
            56..=65 => 3,
            _ => 4,
        }
    }

    /// The tenure band of `tenure_days`, straight from the contract's words.
    fn tenure_band_of(tenure_days: u32) -> usize {
        let years = tenure_years(tenure_days);
        if years < 1.0 {
            0
        } else if years < 5.0 {
            1
        } else if years < 10.0 {
            2
        } else if years < 20.0 {
            3
        } else {
            4
        }
    }

    #[test]
    fn age_cutoffs_give_the_bands_of_calendar_age_on_every_pair_of_dates() {
        // Report dates over eight years (two leap days) against birth dates
        // around each cutoff, where an off-by-one would show.
        let first = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        for offset in 0..(8 * 366) {
            let on = first + chrono::Days::new(offset);
            let bounds = Bounds::new(on);
            for cutoff in bounds.age_cutoffs {
                for delta in -3..=3 {
                    let birth = date(cutoff + delta);
                    assert_eq!(
                        bounds.age_band(day(birth)),
                        age_band_of(age_on(birth, on)),
                        "born {birth}, on {on}"
                    );
                }
            }
            for birth in [date(day(on) - 35 * 365), date(day(on) - 70 * 365)] {
                assert_eq!(bounds.age_band(day(birth)), age_band_of(age_on(birth, on)));
            }
        }
    }

    #[test]
    fn a_29_february_birthday_turns_46_on_1_march_in_a_common_year() {
        let birth = NaiveDate::from_ymd_opt(1980, 2, 29).unwrap();
        let feb28 = NaiveDate::from_ymd_opt(2026, 2, 28).unwrap();
        let mar1 = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(Bounds::new(feb28).age_band(day(birth)), 1);
        assert_eq!(Bounds::new(mar1).age_band(day(birth)), 2);
    }

    #[test]
    fn tenure_thresholds_give_the_bands_of_tenure_years_for_every_day_count() {
        let bounds = Bounds::new(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
        assert_eq!(bounds.tenure_thresholds, [366, 1827, 3653, 7305]);
        for days in 0..40_000 {
            assert_eq!(
                bounds.tenure_band(days),
                tenure_band_of(days),
                "{days} days"
            );
        }
    }

    #[test]
    fn an_erased_birth_date_is_read_as_1_july() {
        assert_eq!(
            date(erased_birth_day(1980)),
            NaiveDate::from_ymd_opt(1980, 7, 1).unwrap()
        );
    }
}
