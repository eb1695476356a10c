//! Seeded randomness: dates, draws, weighted choice and deterministic uuids.

use chrono::{Days, NaiveDate, NaiveTime};
use rand::Rng;
use uuid::{Builder, Uuid};

/// True with probability `p`.
pub fn chance(rng: &mut impl Rng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// A standard normal draw (Box–Muller).
pub fn normal(rng: &mut impl Rng) -> f64 {
    let u = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let v = rng.random::<f64>();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Years until an event that happens at `rate` per year (exponential).
pub fn years_until(rng: &mut impl Rng, rate: f64) -> f64 {
    -rng.random::<f64>().max(f64::MIN_POSITIVE).ln() / rate
}

/// `date` plus `days` (saturating at the calendar's end).
pub fn plus_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).unwrap_or(date)
}

/// `date` minus `days`.
pub fn minus_days(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

/// `date` moved by `years` (fractional, may be negative).
pub fn plus_years(date: NaiveDate, years: f64) -> NaiveDate {
    let days = (years * 365.25).round() as i64;
    if days >= 0 {
        plus_days(date, days as u64)
    } else {
        minus_days(date, days.unsigned_abs())
    }
}

/// A day drawn uniformly from `from..=to` (`from` when the range is empty).
pub fn day_between(rng: &mut impl Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days();
    if span <= 0 {
        return from;
    }
    plus_days(from, rng.random_range(0..=span as u64))
}

/// A uuid v7 whose time is a moment of `date` and whose other bits come from
/// `rng`: ids made in date order sort in date order, like those the registry makes.
pub fn uuid_on(rng: &mut impl Rng, date: NaiveDate) -> Uuid {
    let midnight = date.and_time(NaiveTime::MIN).and_utc().timestamp_millis();
    let millis = midnight.max(0) as u64 + rng.random_range(0..86_400_000);
    Builder::from_unix_timestamp_millis(millis, &rng.random()).into_uuid()
}

/// Choice among items in proportion to their weights.
pub struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    /// The distribution of `weights` (negative ones count as zero).
    pub fn new(weights: impl IntoIterator<Item = f64>) -> Weighted {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w.max(0.0);
                total
            })
            .collect();
        Weighted { cumulative }
    }

    /// The index of a drawn item; `None` when every weight is zero.
    pub fn pick(&self, rng: &mut impl Rng) -> Option<usize> {
        let total = *self.cumulative.last()?;
        if total <= 0.0 {
            return None;
        }
        let x = rng.random::<f64>() * total;
        let idx = self.cumulative.partition_point(|&c| c <= x);
        Some(idx.min(self.cumulative.len() - 1))
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;

    #[test]
    fn weighted_choice_follows_the_weights_and_skips_zeros() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let weighted = Weighted::new([1.0, 0.0, 3.0]);
        let mut counts = [0; 3];
        for _ in 0..10_000 {
            counts[weighted.pick(&mut rng).unwrap()] += 1;
        }
        assert_eq!(counts[1], 0);
        assert!((2_300..2_700).contains(&counts[0]), "{counts:?}");
        assert_eq!(Weighted::new([0.0]).pick(&mut rng), None);
    }

    #[test]
    fn uuids_are_seeded_and_dated() {
        let day = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let a = uuid_on(&mut ChaCha8Rng::seed_from_u64(1), day);
        let b = uuid_on(&mut ChaCha8Rng::seed_from_u64(1), day);
        assert_eq!(a, b);
        assert_eq!(a.get_version_num(), 7);
        let later = uuid_on(&mut ChaCha8Rng::seed_from_u64(1), plus_days(day, 2));
        assert!(later > a);
    }
}
