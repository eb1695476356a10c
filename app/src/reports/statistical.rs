//! The union's statistical report of an organisation on a date: one row per
//! child organisation (members, employees and students with coverage, youth,
//! gender, categories, professions, age and tenure bands, and the movement
//! from the first of the year), with the organisation's totals, as the
//! union's staff fill it in by hand today. Counts only, guarded as
//! statistics are (`Action::ReadStatistics`).
//!
//! The figures are `Statistics::report` (its breakdown gives the rows) and
//! `Statistics::movement_known_at` per row, both at one log position. The
//! totals row is the organisation's own report and movement, not a sum of the
//! rows: a transfer between two children is movement of each child but not
//! of the organisation. Members whose home is the organisation itself (a
//! primary with subdivisions) or a child not in the tree on the date are one
//! more row, «непосредственно», whose counts are the totals less the
//! children's; it has no movement of its own.

use chrono::{Datelike, NaiveDate};
use domain::ids::OrgId;
use projections::statistics::{Movement, Report};
use serde::Deserialize;

use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::input;
use crate::running::{App, today};

/// `statisticalReport(orgId, asOf, from, knownAt)`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StatisticalQuery {
    /// The organisation.
    pub org_id: String,
    /// The report date (today when absent).
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub as_of: Option<NaiveDate>,
    /// The first day of the movement counted (1 January of `asOf`'s year
    /// when absent).
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub from: Option<NaiveDate>,
    /// What the log held at this position (now when absent).
    pub known_at: Option<i64>,
}

/// The statistical report.
#[derive(Clone, Debug, PartialEq)]
pub struct StatisticalReport {
    /// The organisation.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// The report date.
    pub as_of: NaiveDate,
    /// The first day of the movement.
    pub from: NaiveDate,
    /// The log position every figure reflects.
    pub known_at: u64,
    /// One row per child organisation on the date, as the breakdown lists
    /// them, then the «непосредственно» row when it holds anyone.
    pub rows: Vec<StatisticalRow>,
    /// The organisation's own figures.
    pub total: StatisticalRow,
}

/// One row: an organisation's figures and movement.
#[derive(Clone, Debug, PartialEq)]
pub struct StatisticalRow {
    /// The organisation (the report's own for the totals and the
    /// «непосредственно» row).
    pub org: OrgId,
    /// Its name in the report's words.
    pub label: String,
    /// Whether this is the «непосредственно» row.
    pub itself: bool,
    /// The figures on the date (with an empty breakdown).
    pub figures: Report,
    /// The movement from `from` to the date; `None` for the «непосредственно» row.
    pub movement: Option<Movement>,
}

impl StatisticalQuery {
    fn check(&self) -> Result<(OrgId, NaiveDate, NaiveDate, Option<u64>), Error> {
        let org: OrgId = input::id(&self.org_id, "orgId")?;
        let as_of = self.as_of.unwrap_or_else(today);
        let from = self
            .from
            .unwrap_or_else(|| NaiveDate::from_ymd_opt(as_of.year(), 1, 1).unwrap_or(as_of));
        if from > as_of {
            return Err(Error::invalid("from", "the period starts after asOf"));
        }
        let known_at = self
            .known_at
            .map(|k| input::non_negative(k, "knownAt"))
            .transpose()?;
        Ok((org, as_of, from, known_at))
    }
}

impl App {
    /// The statistical report `query` asks for.
    ///
    /// # Errors
    /// Bad input; `NOT_FOUND`; `FORBIDDEN` outside the viewer's subtree or
    /// for a role that reads no statistics; a date the organisation did not
    /// exist on.
    pub async fn statistical_report(
        &self,
        viewer: &Viewer,
        query: &StatisticalQuery,
    ) -> Result<StatisticalReport, Error> {
        let (org, as_of, from, known_at) = query.check()?;
        let root = self.organization_target(viewer, Action::ReadStatistics, org)?;
        let statistics = self.models.statistics.clone();
        let known_at = known_at.map_or(statistics.applied(), |k| k.min(statistics.applied()));
        // A whole-union report scans millions of spells per child: off the
        // async threads.
        let (mut report, movements, total_movement) = tokio::task::spawn_blocking(move || {
            let report = statistics.report(org, as_of, Some(known_at))?;
            let movements = report
                .breakdown
                .iter()
                .map(|child| statistics.movement_known_at(child.org, from, as_of, Some(known_at)))
                .collect::<Result<Vec<_>, _>>()?;
            let total = statistics.movement_known_at(org, from, as_of, Some(known_at))?;
            Ok::<_, projections::statistics::StatisticsError>((report, movements, total))
        })
        .await
        .map_err(Error::internal)??;
        let breakdown = std::mem::take(&mut report.breakdown);
        let registry = &self.models.registry;
        let mut rows: Vec<StatisticalRow> = breakdown
            .into_iter()
            .zip(movements)
            .map(|(figures, movement)| StatisticalRow {
                org: figures.org,
                label: registry
                    .organization(figures.org)
                    .map_or_else(|| figures.org.0.to_string(), |o| o.name),
                itself: false,
                figures,
                movement: Some(movement),
            })
            .collect();
        let itself = remainder(&report, rows.iter().map(|r| &r.figures));
        if itself.members > 0 || itself.employees > 0 || itself.students > 0 {
            rows.push(StatisticalRow {
                org,
                label: format!("{} (непосредственно)", root.name),
                itself: true,
                figures: itself,
                movement: None,
            });
        }
        Ok(StatisticalReport {
            org,
            org_name: root.name.clone(),
            as_of,
            from,
            known_at,
            rows,
            total: StatisticalRow {
                org,
                label: "Всего".to_string(),
                itself: false,
                figures: report,
                movement: Some(total_movement),
            },
        })
    }
}

/// `total` less `children`, count by count: the figures of the root's own
/// segment (its own members and those of children not listed on the date).
fn remainder<'a>(total: &Report, children: impl Iterator<Item = &'a Report>) -> Report {
    let mut left = total.clone();
    left.breakdown = Vec::new();
    for child in children {
        left.members -= child.members;
        left.youth -= child.youth;
        left.employees -= child.employees;
        left.students -= child.students;
        for (mine, theirs) in [
            (&mut left.by_gender, &child.by_gender),
            (&mut left.by_category, &child.by_category),
            (&mut left.by_profession, &child.by_profession),
            (&mut left.by_age_band, &child.by_age_band),
            (&mut left.by_tenure_band, &child.by_tenure_band),
            (&mut left.by_sector, &child.by_sector),
        ] {
            for ((_, n), (_, m)) in mine.iter_mut().zip(theirs) {
                *n -= m;
            }
        }
    }
    let coverage = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
    let count = |buckets: &[(&str, u64)], key: &str| {
        buckets
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(0, |(_, n)| *n)
    };
    left.worker_coverage = coverage(count(&left.by_category, "WORKER"), left.employees);
    left.student_coverage = coverage(count(&left.by_category, "STUDENT"), left.students);
    left
}
