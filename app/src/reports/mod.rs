//! The report builder: tables of members of a subtree by chosen dimensions,
//! on one date or a series, known at a position, filtered on member
//! attributes. Counts only: a report never shows a person, so every role that
//! reads statistics (ANALYST among them) may ask for one, in its subtree. The
//! member lists of [`members`] are the exception, and guard themselves.
//!
//! - [`ReportQuery`]: the API's argument set, checked by [`ReportQuery::spec`].
//! - [`labels`]: the headings in the union's Russian words, shared by every door
//!   (GraphQL, the files of `documents`, the command line).
//! - [`files`]: a report as the plain sheets `documents` renders, and
//!   [`files::ReportKind`], every report a file can be made of.
//! - [`statistical`]: the union's statistical report (a row per child
//!   organisation, the totals, the movement of the year);
//!   [`statistical_file`] its sheets.
//! - [`members`]: member lists, personal fields only where the role may,
//!   each recorded as a personal-data read.

pub mod files;
pub mod labels;
pub mod members;
pub mod statistical;
pub mod statistical_file;

use chrono::NaiveDate;
use domain::ids::OrgId;
use domain::vocabulary::organization::{OrgLevel, Sector};
use domain::vocabulary::person::{Gender, MemberCategory, Profession};
use projections::statistics::{Dimension, MemberFilter, Table, TableSpec};
use serde::Deserialize;

use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::input;
use crate::running::{App, today};

/// How many dates one report may cover (a monthly series over three years).
pub const MAX_REPORT_DATES: usize = 36;
/// How many edges a custom band list may have.
pub const MAX_BAND_EDGES: usize = 12;
/// The age bands of `AgeBand` in the contract: 35 or younger, 36..45, …
pub const DEFAULT_AGE_EDGES: [u32; 4] = [36, 46, 56, 66];
/// The tenure bands of `TenureBand` in the contract, in years.
pub const DEFAULT_TENURE_EDGES: [f64; 4] = [1.0, 5.0, 10.0, 20.0];

/// `report(orgId, asOf, dates, knownAt, filter, rows, columns, ageEdges, tenureEdges)`.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportQuery {
    /// The subtree's root.
    pub org_id: String,
    /// One date (today when neither this nor `dates` is given).
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub as_of: Option<NaiveDate>,
    /// A series of dates, one table each (overrides `asOf`).
    #[serde(default)]
    pub dates: Option<Vec<String>>,
    /// What the log held at this position (now when absent).
    pub known_at: Option<i64>,
    /// Which members.
    #[serde(default)]
    pub filter: ReportFilter,
    /// The rows.
    pub rows: ReportDimension,
    /// The columns (absent: one column, the count).
    pub columns: Option<ReportDimension>,
    /// First ages of the age bands after the first, ascending.
    pub age_edges: Option<Vec<i64>>,
    /// First tenures in years of the tenure bands after the first, ascending.
    pub tenure_edges: Option<Vec<f64>>,
}

/// The dimensions of the API (`ReportDimension`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReportDimension {
    /// By gender.
    Gender,
    /// By category on the date.
    Category,
    /// By profession on the date.
    Profession,
    /// By age band.
    AgeBand,
    /// By tenure band.
    TenureBand,
    /// By the sector of the primary organisation.
    Sector,
    /// By region.
    Region,
    /// By the home's level.
    Level,
    /// By direct child organisation of the root.
    Child,
}

/// `MemberFilterInput`: every part left out lets everyone through.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReportFilter {
    /// Only these genders.
    pub genders: Option<Vec<Gender>>,
    /// Only these categories.
    pub categories: Option<Vec<MemberCategory>>,
    /// Only these professions.
    pub professions: Option<Vec<Profession>>,
    /// Age at least.
    pub age_from: Option<i64>,
    /// Age at most.
    pub age_to: Option<i64>,
    /// Tenure in years at least.
    pub tenure_from_years: Option<f64>,
    /// Tenure in years less than.
    pub tenure_under_years: Option<f64>,
    /// Only these sectors.
    pub sectors: Option<Vec<Sector>>,
    /// Only these regions.
    pub region_codes: Option<Vec<i64>>,
    /// Only homes of these levels.
    pub levels: Option<Vec<OrgLevel>>,
}

/// A report: one table per date, with the headings in words.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportView {
    /// The subtree's root.
    pub org: OrgId,
    /// Its name.
    pub org_name: String,
    /// The log position every table reflects.
    pub known_at: u64,
    /// The rows' dimension.
    pub rows: ReportDimension,
    /// The columns' dimension.
    pub columns: Option<ReportDimension>,
    /// The filter in words (empty: all members).
    pub filter_words: Vec<String>,
    /// One table per date, in the order asked.
    pub tables: Vec<TableView>,
}

/// One table of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct TableView {
    /// The date.
    pub as_of: NaiveDate,
    /// Row headings.
    pub rows: Vec<Heading>,
    /// Column headings (none: one column, the count).
    pub columns: Vec<Heading>,
    /// Counts, `cells[row][column]`.
    pub cells: Vec<Vec<u64>>,
}

impl TableView {
    /// The sum of each row.
    pub fn row_totals(&self) -> Vec<u64> {
        self.cells.iter().map(|row| row.iter().sum()).collect()
    }

    /// The sum of each column.
    pub fn column_totals(&self) -> Vec<u64> {
        let width = self
            .cells
            .first()
            .map_or(self.columns.len().max(1), Vec::len);
        (0..width)
            .map(|c| self.cells.iter().map(|row| row[c]).sum())
            .collect()
    }

    /// Every member counted.
    pub fn total(&self) -> u64 {
        self.cells.iter().flatten().sum()
    }
}

/// A row or column heading.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    /// Stable key: an enum value's name, a band like `AGE_36_45`, a region
    /// code, an organisation id, `NONE`, `ITSELF`.
    pub key: String,
    /// In words, e.g. «36–45 лет».
    pub label: String,
    /// The organisation, for a child heading.
    pub organization: Option<OrgId>,
}

impl ReportDimension {
    fn dimension(self) -> Dimension {
        match self {
            ReportDimension::Gender => Dimension::Gender,
            ReportDimension::Category => Dimension::Category,
            ReportDimension::Profession => Dimension::Profession,
            ReportDimension::AgeBand => Dimension::AgeBand,
            ReportDimension::TenureBand => Dimension::TenureBand,
            ReportDimension::Sector => Dimension::Sector,
            ReportDimension::Region => Dimension::Region,
            ReportDimension::Level => Dimension::Level,
            ReportDimension::Child => Dimension::Child,
        }
    }
}

/// A report checked: the root, its dates, and the table to count on each.
#[derive(Clone, Debug)]
pub struct CheckedReport {
    /// The root.
    pub org: OrgId,
    /// The dates, in the order asked.
    pub dates: Vec<NaiveDate>,
    /// The position, if pinned.
    pub known_at: Option<u64>,
    /// The table.
    pub spec: TableSpec,
    /// The dimensions as asked.
    pub rows: ReportDimension,
    /// The columns as asked.
    pub columns: Option<ReportDimension>,
}

impl ReportQuery {
    /// Checks every argument, naming the one at fault.
    ///
    /// # Errors
    /// `VALIDATION` for a bad id, date, position, edge list, range or code, for
    /// too many dates, or for the same dimension as rows and columns.
    pub fn check(&self) -> Result<CheckedReport, Error> {
        let org: OrgId = input::id(&self.org_id, "orgId")?;
        let known_at = self
            .known_at
            .map(|k| input::non_negative(k, "knownAt"))
            .transpose()?;
        let dates = match &self.dates {
            Some(dates) if dates.is_empty() => {
                return Err(Error::invalid("dates", "give at least one date"));
            }
            Some(dates) if dates.len() > MAX_REPORT_DATES => {
                return Err(Error::invalid(
                    "dates",
                    format!("at most {MAX_REPORT_DATES} dates in one report"),
                ));
            }
            Some(dates) => dates
                .iter()
                .map(|d| input::date(d).map_err(|message| Error::invalid("dates", message)))
                .collect::<Result<Vec<_>, _>>()?,
            None => vec![self.as_of.unwrap_or_else(today)],
        };
        if Some(self.rows) == self.columns {
            return Err(Error::invalid(
                "columns",
                "rows and columns are the same dimension",
            ));
        }
        let age_edges = match &self.age_edges {
            None => DEFAULT_AGE_EDGES.to_vec(),
            Some(edges) => {
                let edges = edges
                    .iter()
                    .map(|&e| u32::try_from(e).ok().filter(|e| (1..=120).contains(e)))
                    .collect::<Option<Vec<u32>>>()
                    .ok_or_else(|| Error::invalid("ageEdges", "ages are whole years 1..120"))?;
                ascending(&edges, "ageEdges")?;
                edges
            }
        };
        let tenure_edges = match &self.tenure_edges {
            None => DEFAULT_TENURE_EDGES.to_vec(),
            Some(edges) => {
                if edges
                    .iter()
                    .any(|e| !(e.is_finite() && *e > 0.0 && *e <= 80.0))
                {
                    return Err(Error::invalid(
                        "tenureEdges",
                        "tenures are years above 0, at most 80",
                    ));
                }
                ascending(edges, "tenureEdges")?;
                edges.clone()
            }
        };
        Ok(CheckedReport {
            org,
            dates,
            known_at,
            spec: TableSpec {
                filter: self.filter.check()?,
                rows: self.rows.dimension(),
                columns: self.columns.map(ReportDimension::dimension),
                age_edges,
                tenure_edges,
            },
            rows: self.rows,
            columns: self.columns,
        })
    }
}

fn ascending<T: PartialOrd>(edges: &[T], field: &'static str) -> Result<(), Error> {
    if edges.len() > MAX_BAND_EDGES {
        return Err(Error::invalid(
            field,
            format!("at most {MAX_BAND_EDGES} edges"),
        ));
    }
    if edges.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::invalid(field, "edges must be strictly ascending"));
    }
    Ok(())
}

impl ReportFilter {
    fn check(&self) -> Result<MemberFilter, Error> {
        use projections::statistics::bands::{category_index, profession_index, sector_index};
        let age = |value: Option<i64>, field| {
            value
                .map(|v| {
                    u32::try_from(v)
                        .ok()
                        .filter(|v| *v <= 150)
                        .ok_or_else(|| Error::invalid(field, "an age is whole years 0..150"))
                })
                .transpose()
        };
        let (age_from, age_to) = (age(self.age_from, "ageFrom")?, age(self.age_to, "ageTo")?);
        if let (Some(from), Some(to)) = (age_from, age_to)
            && from > to
        {
            return Err(Error::invalid("ageTo", "ageTo is below ageFrom"));
        }
        let years = |value: Option<f64>, field| match value {
            Some(v) if !(v.is_finite() && (0.0..=100.0).contains(&v)) => {
                Err(Error::invalid(field, "a tenure is years 0..100"))
            }
            other => Ok(other),
        };
        let tenure_from = years(self.tenure_from_years, "tenureFromYears")?;
        let tenure_under = years(self.tenure_under_years, "tenureUnderYears")?;
        if let (Some(from), Some(under)) = (tenure_from, tenure_under)
            && from >= under
        {
            return Err(Error::invalid(
                "tenureUnderYears",
                "tenureUnderYears is not above tenureFromYears",
            ));
        }
        let region_codes = self
            .region_codes
            .iter()
            .flatten()
            .map(|&code| input::region_code(Some(code)).map(|c| c.unwrap_or(0)))
            .collect::<Result<Vec<u8>, _>>()?;
        Ok(MemberFilter {
            genders: self
                .genders
                .iter()
                .flatten()
                .map(|g| match g {
                    Gender::Female => 0,
                    Gender::Male => 1,
                })
                .collect(),
            categories: self
                .categories
                .iter()
                .flatten()
                .map(|&c| category_index(c))
                .collect(),
            professions: self
                .professions
                .iter()
                .flatten()
                .map(|&p| profession_index(p))
                .collect(),
            age_from,
            age_to,
            tenure_from_years: tenure_from,
            tenure_under_years: tenure_under,
            sectors: self
                .sectors
                .iter()
                .flatten()
                .map(|&s| sector_index(s))
                .collect(),
            region_codes,
            levels: self.levels.clone().unwrap_or_default(),
        })
    }
}

impl App {
    /// The report `query` asks for: one table per date of the subtree's members.
    ///
    /// # Errors
    /// Bad input; `NOT_FOUND`; `FORBIDDEN` outside the subtree (a report is
    /// read as statistics are: `Action::ReadStatistics`); a date the
    /// organisation did not exist on.
    pub async fn report(&self, viewer: &Viewer, query: &ReportQuery) -> Result<ReportView, Error> {
        let checked = query.check()?;
        let root = self.organization_target(viewer, Action::ReadStatistics, checked.org)?;
        let statistics = self.models.statistics.clone();
        let known_at = checked
            .known_at
            .map_or(statistics.applied(), |k| k.min(statistics.applied()));
        let (spec, dates, org) = (checked.spec.clone(), checked.dates.clone(), checked.org);
        // Whole-union tables scan millions of spells: off the async threads.
        let tables: Vec<Table> = tokio::task::spawn_blocking(move || {
            dates
                .iter()
                .map(|&on| statistics.table(org, on, Some(known_at), &spec))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(Error::internal)??;
        let names = labels::Names::new(&self.models.registry);
        Ok(ReportView {
            org: checked.org,
            org_name: root.name,
            known_at,
            rows: checked.rows,
            columns: checked.columns,
            filter_words: labels::filter_words(&checked.spec.filter),
            tables: tables
                .into_iter()
                .map(|table| TableView {
                    as_of: table.as_of,
                    rows: table.rows.iter().map(|k| names.heading(k)).collect(),
                    columns: table.columns.iter().map(|k| names.heading(k)).collect(),
                    cells: table.cells,
                })
                .collect(),
        })
    }
}
