//! `Statistics`, `Movement`, `Bucket`, and the queries `statistics` and `movement`.

use app::views::{Movement as MovementView, Report};
use async_graphql::{Context, EnumType, ID, Object, SimpleObject};

use crate::error::ApiError;
use crate::schema::enums::{AgeBand, TenureBand};
use crate::schema::organization::{Organization, saturating_i32};
use crate::schema::scalars::Date;
use crate::schema::{app, viewer};

/// One bucket of a breakdown: the enum value's name and its count.
#[derive(SimpleObject, Clone, Debug)]
pub struct Bucket {
    /// The enum value's name, e.g. FEMALE, AGE_UP_TO_35, TEACHER.
    key: String,
    count: i32,
}

fn buckets(counts: &[(&'static str, u64)]) -> Vec<Bucket> {
    counts
        .iter()
        .map(|&(key, count)| Bucket {
            key: key.to_string(),
            count: saturating_i32(count),
        })
        .collect()
}

/// Members of one age band (`byAgeBand` with the band typed).
#[derive(SimpleObject, Clone, Debug)]
pub struct AgeBandCount {
    band: AgeBand,
    count: i32,
}

/// Members of one tenure band (`byTenureBand` with the band typed).
#[derive(SimpleObject, Clone, Debug)]
pub struct TenureBandCount {
    band: TenureBand,
    count: i32,
}

/// The counts of `counts` whose key names a value of `E`, typed; the
/// application layer's keys are the enums' names, so none is dropped (a test
/// holds them to it).
fn typed<E: EnumType, T>(counts: &[(&'static str, u64)], make: impl Fn(E, i32) -> T) -> Vec<T> {
    counts
        .iter()
        .filter_map(|&(key, count)| {
            E::items()
                .iter()
                .find(|item| item.name == key)
                .map(|item| make(item.value, saturating_i32(count)))
        })
        .collect()
}

/// The figures of a subtree on a date.
pub struct Statistics(pub Report);

#[Object]
impl Statistics {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization, ApiError> {
        Organization::known(ctx, self.0.org)
    }

    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }

    /// The log position the answer reflects.
    async fn known_at(&self) -> i32 {
        saturating_i32(self.0.known_at)
    }

    /// Active members whose home is in the subtree on asOf.
    async fn members(&self) -> i32 {
        saturating_i32(self.0.members)
    }

    async fn youth(&self) -> i32 {
        saturating_i32(self.0.youth)
    }

    /// Sums of the passports in the subtree.
    async fn employees(&self) -> i32 {
        saturating_i32(self.0.employees)
    }

    async fn students(&self) -> i32 {
        saturating_i32(self.0.students)
    }

    /// Members of category WORKER divided by employees; null when employees is 0.
    async fn worker_coverage(&self) -> Option<f64> {
        self.0.worker_coverage
    }

    /// Members of category STUDENT divided by students; null when students is 0.
    async fn student_coverage(&self) -> Option<f64> {
        self.0.student_coverage
    }

    async fn by_gender(&self) -> Vec<Bucket> {
        buckets(&self.0.by_gender)
    }

    async fn by_category(&self) -> Vec<Bucket> {
        buckets(&self.0.by_category)
    }

    async fn by_profession(&self) -> Vec<Bucket> {
        buckets(&self.0.by_profession)
    }

    async fn by_age_band(&self) -> Vec<Bucket> {
        buckets(&self.0.by_age_band)
    }

    async fn by_tenure_band(&self) -> Vec<Bucket> {
        buckets(&self.0.by_tenure_band)
    }

    /// `byAgeBand` with the bands as the `AgeBand` enum (an addition).
    async fn age_bands(&self) -> Vec<AgeBandCount> {
        typed(&self.0.by_age_band, |band, count| AgeBandCount {
            band,
            count,
        })
    }

    /// `byTenureBand` with the bands as the `TenureBand` enum (an addition).
    async fn tenure_bands(&self) -> Vec<TenureBandCount> {
        typed(&self.0.by_tenure_band, |band, count| TenureBandCount {
            band,
            count,
        })
    }

    async fn by_sector(&self) -> Vec<Bucket> {
        buckets(&self.0.by_sector)
    }

    /// The same figures for each direct child organisation.
    async fn breakdown(&self) -> Vec<Statistics> {
        self.0.breakdown.iter().cloned().map(Statistics).collect()
    }
}

/// Movement of a subtree over a period.
pub struct Movement(pub MovementView);

#[Object]
impl Movement {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization, ApiError> {
        Organization::known(ctx, self.0.org)
    }

    async fn from(&self) -> Date {
        Date(self.0.from)
    }

    async fn to(&self) -> Date {
        Date(self.0.to)
    }

    /// Counted between from and to, both included, for homes inside the subtree.
    async fn admitted(&self) -> i32 {
        saturating_i32(self.0.admitted)
    }

    async fn transferred_in(&self) -> i32 {
        saturating_i32(self.0.transferred_in)
    }

    async fn transferred_out(&self) -> i32 {
        saturating_i32(self.0.transferred_out)
    }

    async fn ended(&self) -> i32 {
        saturating_i32(self.0.ended)
    }

    async fn ended_by_reason(&self) -> Vec<Bucket> {
        buckets(&self.0.ended_by_reason)
    }

    /// Members on `to` minus members on the day before `from`.
    async fn net(&self) -> i32 {
        i32::try_from(self.0.net).unwrap_or(if self.0.net < 0 { i32::MIN } else { i32::MAX })
    }

    /// The log position the figures reflect.
    async fn known_at(&self) -> i32 {
        saturating_i32(self.0.known_at)
    }
}

/// `statistics` and `movement`.
#[derive(Default)]
pub struct StatisticsQuery;

#[Object]
impl StatisticsQuery {
    /// Figures on asOf (today when omitted), from what the log held at knownAt (now when omitted).
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        as_of: Option<Date>,
        known_at: Option<i32>,
    ) -> Result<Statistics, ApiError> {
        let report = app(ctx)
            .statistics(
                viewer(ctx),
                &org_id,
                as_of.map(|d| d.0),
                known_at.map(i64::from),
            )
            .await?;
        Ok(Statistics(report))
    }

    async fn movement(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        from: Date,
        to: Date,
    ) -> Result<Movement, ApiError> {
        let movement = app(ctx)
            .movement(viewer(ctx), &org_id, from.0, to.0)
            .await?;
        Ok(Movement(movement))
    }
}

#[cfg(test)]
mod tests {
    use projections::statistics::bands::{AGE_BANDS, TENURE_BANDS};

    use super::*;

    #[test]
    fn every_band_key_of_the_read_models_is_a_value_of_its_enum() {
        let counts = |keys: &[&'static str]| -> Vec<(&'static str, u64)> {
            keys.iter().map(|&key| (key, 1)).collect()
        };
        let ages = typed(&counts(&AGE_BANDS), |band: AgeBand, _| band);
        assert_eq!(ages.len(), AGE_BANDS.len());
        let tenures = typed(&counts(&TENURE_BANDS), |band: TenureBand, _| band);
        assert_eq!(tenures.len(), TENURE_BANDS.len());
    }
}
