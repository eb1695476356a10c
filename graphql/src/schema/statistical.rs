//! `statisticalReport`: the union's statistical report of an organisation on
//! a date, a row per child organisation with the totals. Counts only, in the
//! viewer's subtree (the application layer's guard, as for `statistics`).

use app::reports::statistical::{StatisticalQuery, StatisticalReport, StatisticalRow};
use async_graphql::{Context, ID, Object};

use crate::error::ApiError;
use crate::schema::organization::{Organization, saturating_i32};
use crate::schema::scalars::Date;
use crate::schema::statistics::{Movement, Statistics};
use crate::schema::{app, viewer};

/// The statistical report.
pub struct Statistical(StatisticalReport);

#[Object(name = "StatisticalReport")]
impl Statistical {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization, ApiError> {
        Organization::known(ctx, self.0.org)
    }

    /// The report date.
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }

    /// The first day of the movement counted (to asOf, both included).
    async fn from(&self) -> Date {
        Date(self.0.from)
    }

    /// The log position every figure reflects.
    async fn known_at(&self) -> i32 {
        saturating_i32(self.0.known_at)
    }

    /// One row per child organisation on asOf, then (when it holds anyone)
    /// the members whose home is the organisation itself.
    async fn rows(&self) -> Vec<Row> {
        self.0.rows.iter().cloned().map(Row).collect()
    }

    /// The organisation's own figures and movement (not a sum of the rows:
    /// a transfer between two children is movement of each, not of it).
    async fn total(&self) -> Row {
        Row(self.0.total.clone())
    }
}

/// One row of the statistical report.
pub struct Row(StatisticalRow);

#[Object(name = "StatisticalReportRow")]
impl Row {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization, ApiError> {
        Organization::known(ctx, self.0.org)
    }

    /// The row's heading, as the report's files show it.
    async fn label(&self) -> &str {
        &self.0.label
    }

    /// Whether the row holds the members whose home is the report's
    /// organisation itself (or a child not in the tree on asOf).
    async fn itself(&self) -> bool {
        self.0.itself
    }

    /// The figures on asOf (`breakdown` empty).
    async fn statistics(&self) -> Statistics {
        Statistics(self.0.figures.clone())
    }

    /// The movement from `from` to asOf; null for the organisation-itself row.
    async fn movement(&self) -> Option<Movement> {
        self.0.movement.clone().map(Movement)
    }
}

/// `statisticalReport`.
#[derive(Default)]
pub struct StatisticalQueryRoot;

#[Object]
impl StatisticalQueryRoot {
    /// The union's statistical report of the organisation on asOf (today when
    /// omitted), movement from `from` (1 January of asOf's year when omitted),
    /// from what the log held at knownAt (now when omitted). Counts only.
    async fn statistical_report(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        as_of: Option<Date>,
        from: Option<Date>,
        known_at: Option<i32>,
    ) -> Result<Statistical, ApiError> {
        let query = StatisticalQuery {
            org_id: org_id.0,
            as_of: as_of.map(|d| d.0),
            from: from.map(|d| d.0),
            known_at: known_at.map(i64::from),
        };
        Ok(Statistical(
            app(ctx).statistical_report(viewer(ctx), &query).await?,
        ))
    }
}
