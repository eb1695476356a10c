//! The report builder: `report` and its types. Counts only, in the viewer's
//! subtree (the application layer's guard, as for `statistics`).

use app::reports::{
    Heading, ReportDimension as Dimension, ReportFilter, ReportQuery, ReportView, TableView,
};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use crate::error::ApiError;
use crate::schema::enums::{Gender, MemberCategory, OrgLevel, Profession, Sector};
use crate::schema::organization::{Organization, saturating_i32};
use crate::schema::scalars::Date;
use crate::schema::{app, viewer};

/// What a report's rows or columns count members by.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "app::reports::ReportDimension")]
pub enum ReportDimension {
    Gender,
    Category,
    Profession,
    /// Age on the date, in bands cut at `ageEdges`.
    AgeBand,
    /// Union tenure on the date, in bands cut at `tenureEdges`.
    TenureBand,
    /// The sector of the primary organisation containing the home.
    Sector,
    /// The region of the regional organisation above the home.
    Region,
    /// The home's level.
    Level,
    /// The direct child organisations of the report's organisation (and the
    /// organisation itself, for members whose home it is).
    Child,
}

/// Which members a report counts; every part left out lets everyone through.
#[derive(InputObject, Default)]
pub struct MemberFilterInput {
    pub genders: Option<Vec<Gender>>,
    pub categories: Option<Vec<MemberCategory>>,
    pub professions: Option<Vec<Profession>>,
    /// Age on the date at least this many full years.
    pub age_from: Option<i32>,
    /// Age on the date at most this many full years.
    pub age_to: Option<i32>,
    /// Tenure on the date at least this many years (days / 365.25).
    pub tenure_from_years: Option<f64>,
    /// Tenure on the date less than this many years.
    pub tenure_under_years: Option<f64>,
    pub sectors: Option<Vec<Sector>>,
    pub region_codes: Option<Vec<i32>>,
    /// Only members whose home is of these levels.
    pub levels: Option<Vec<OrgLevel>>,
}

/// A row or column heading.
#[derive(SimpleObject)]
pub struct ReportHeading {
    /// Stable key: an enum value's name, a band such as `AGE_36_45`, a region
    /// code, an organisation id, `NONE` or `ITSELF`.
    key: String,
    /// In words, as the report files show it.
    label: String,
    /// The organisation id, for a heading of the `CHILD` dimension.
    organization_id: Option<ID>,
}

/// One row of a table.
#[derive(SimpleObject)]
pub struct ReportRow {
    heading: ReportHeading,
    /// One count per column (one cell when the report has no columns).
    cells: Vec<i32>,
    total: i32,
}

/// The table of one date.
#[derive(SimpleObject)]
pub struct ReportTable {
    as_of: Date,
    /// Column headings; empty when the report has no columns.
    columns: Vec<ReportHeading>,
    rows: Vec<ReportRow>,
    column_totals: Vec<i32>,
    /// Members counted: the filter's members in the subtree on the date.
    total: i32,
}

/// A report: one table per date.
pub struct Report(ReportView);

fn heading(h: &Heading) -> ReportHeading {
    ReportHeading {
        key: h.key.clone(),
        label: h.label.clone(),
        organization_id: h.organization.map(|o| ID(o.0.to_string())),
    }
}

fn table(t: &TableView) -> ReportTable {
    let counts = |v: Vec<u64>| v.into_iter().map(saturating_i32).collect();
    ReportTable {
        as_of: Date(t.as_of),
        columns: t.columns.iter().map(heading).collect(),
        rows: t
            .rows
            .iter()
            .zip(&t.cells)
            .map(|(h, cells)| ReportRow {
                heading: heading(h),
                cells: counts(cells.clone()),
                total: saturating_i32(cells.iter().sum::<u64>()),
            })
            .collect(),
        column_totals: counts(t.column_totals()),
        total: saturating_i32(t.total()),
    }
}

#[Object]
impl Report {
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization, ApiError> {
        Organization::known(ctx, self.0.org)
    }

    /// The log position every table reflects.
    async fn known_at(&self) -> i32 {
        saturating_i32(self.0.known_at)
    }

    async fn rows(&self) -> ReportDimension {
        self.0.rows.into()
    }

    async fn columns(&self) -> Option<ReportDimension> {
        self.0.columns.map(Into::into)
    }

    /// The filter in words, one line per part given.
    async fn filter_words(&self) -> &[String] {
        &self.0.filter_words
    }

    /// One table per date, in the order asked.
    async fn tables(&self) -> Vec<ReportTable> {
        self.0.tables.iter().map(table).collect()
    }
}

/// `report`.
#[derive(Default)]
pub struct ReportQueryRoot;

#[Object]
impl ReportQueryRoot {
    /// Members of the subtree counted by `rows` (and `columns`), on `asOf` or
    /// on each of `dates` (today when neither is given), from what the log
    /// held at `knownAt`, filtered on member attributes. Counts only.
    #[allow(clippy::too_many_arguments)]
    async fn report(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        as_of: Option<Date>,
        dates: Option<Vec<Date>>,
        known_at: Option<i32>,
        filter: Option<MemberFilterInput>,
        rows: ReportDimension,
        columns: Option<ReportDimension>,
        age_edges: Option<Vec<i32>>,
        tenure_edges: Option<Vec<f64>>,
    ) -> Result<Report, ApiError> {
        let query = report_query(
            org_id,
            as_of,
            dates,
            known_at,
            filter,
            rows,
            columns,
            age_edges,
            tenure_edges,
        );
        Ok(Report(app(ctx).report(viewer(ctx), &query).await?))
    }
}

/// The application layer's query from the GraphQL arguments.
#[allow(clippy::too_many_arguments)]
pub(crate) fn report_query(
    org_id: ID,
    as_of: Option<Date>,
    dates: Option<Vec<Date>>,
    known_at: Option<i32>,
    filter: Option<MemberFilterInput>,
    rows: ReportDimension,
    columns: Option<ReportDimension>,
    age_edges: Option<Vec<i32>>,
    tenure_edges: Option<Vec<f64>>,
) -> ReportQuery {
    let filter = filter.unwrap_or_default();
    let list = |v: Option<Vec<i32>>| v.map(|v| v.into_iter().map(i64::from).collect());
    let into = |v: Option<Vec<_>>| v.map(|v: Vec<_>| v.into_iter().map(Into::into).collect());
    ReportQuery {
        org_id: org_id.0,
        as_of: as_of.map(|d| d.0),
        dates: dates.map(|d| d.into_iter().map(|d| d.0.to_string()).collect()),
        known_at: known_at.map(i64::from),
        filter: ReportFilter {
            genders: filter
                .genders
                .map(|v| v.into_iter().map(Into::into).collect()),
            categories: filter
                .categories
                .map(|v| v.into_iter().map(Into::into).collect()),
            professions: filter
                .professions
                .map(|v| v.into_iter().map(Into::into).collect()),
            age_from: filter.age_from.map(i64::from),
            age_to: filter.age_to.map(i64::from),
            tenure_from_years: filter.tenure_from_years,
            tenure_under_years: filter.tenure_under_years,
            sectors: filter
                .sectors
                .map(|v| v.into_iter().map(Into::into).collect()),
            region_codes: list(filter.region_codes),
            levels: into(filter.levels),
        },
        rows: Dimension::from(rows),
        columns: columns.map(Dimension::from),
        age_edges: list(age_edges),
        tenure_edges,
    }
}
