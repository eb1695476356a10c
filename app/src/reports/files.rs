//! A report as a file: the plain [`Document`] that `documents` renders, one
//! sheet per date, and [`App::report_file`]; [`App::file`] makes a file of any
//! [`ReportKind`] from its query as JSON, what the download route and the
//! command line both call, so both know the same kinds.

use documents::{Cell, Document, Format, Sheet};

use crate::error::Error;
use crate::guard::Viewer;
use crate::reports::labels::dimension_words;
use crate::reports::members::{self, MemberListQuery};
use crate::reports::statistical::StatisticalQuery;
use crate::reports::{ReportQuery, ReportView, statistical_file};
use crate::running::App;

/// A rendered report file.
#[derive(Clone, Debug)]
pub struct ReportFile {
    /// A file name for it, e.g. `report-2025-01-01.xlsx`.
    pub file_name: String,
    /// Its media type.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// The reports a file can be made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    /// The report builder (`report`'s arguments).
    Builder,
    /// The union's statistical report (`statisticalReport`'s arguments).
    Statistical,
    /// A member list (`reports::members::MemberListQuery`).
    Members,
}

impl ReportKind {
    /// Reads `builder`, `statistical` or `members`.
    pub fn parse(text: &str) -> Option<ReportKind> {
        match text {
            "builder" => Some(ReportKind::Builder),
            "statistical" => Some(ReportKind::Statistical),
            "members" => Some(ReportKind::Members),
            _ => None,
        }
    }
}

/// The document of `report`: its title and filter, then one sheet per date
/// with a row per heading, a column per column heading, totals last.
pub fn document(report: &ReportView) -> Document {
    let by = match report.columns {
        Some(columns) => format!(
            "{} × {}",
            dimension_words(report.rows),
            dimension_words(columns).to_lowercase()
        ),
        None => dimension_words(report.rows).to_string(),
    };
    let dates: Vec<String> = report
        .tables
        .iter()
        .map(|t| t.as_of.format("%d.%m.%Y").to_string())
        .collect();
    let mut subtitle = vec![
        report.org_name.clone(),
        format!("По состоянию на {}", dates.join(", ")),
    ];
    if report.filter_words.is_empty() {
        subtitle.push("Все члены профсоюза".to_string());
    } else {
        subtitle.extend(report.filter_words.iter().cloned());
    }
    subtitle.push(format!("По данным журнала на позиции {}", report.known_at));
    let sheets = report
        .tables
        .iter()
        .map(|table| {
            let mut header = vec![dimension_words(report.rows).to_string()];
            header.extend(table.columns.iter().map(|c| c.label.clone()));
            header.push("Всего".to_string());
            let row_totals = table.row_totals();
            let mut rows: Vec<Vec<Cell>> = table
                .rows
                .iter()
                .zip(&table.cells)
                .zip(&row_totals)
                .map(|((heading, cells), total)| {
                    let mut row = vec![Cell::Text(heading.label.clone())];
                    if !table.columns.is_empty() {
                        row.extend(cells.iter().map(|&n| Cell::Count(n)));
                    }
                    row.push(Cell::Count(*total));
                    row
                })
                .collect();
            let mut total_row = vec![Cell::Text("Всего".to_string())];
            if !table.columns.is_empty() {
                total_row.extend(table.column_totals().into_iter().map(Cell::Count));
            }
            total_row.push(Cell::Count(table.total()));
            rows.push(total_row);
            Sheet {
                name: format!("на {}", table.as_of.format("%d.%m.%Y")),
                caption: vec![format!("Члены профсоюза: {by}")],
                header,
                rows,
                last_row_is_total: true,
            }
        })
        .collect();
    Document {
        title: format!("Численность членов профсоюза: {by}"),
        subtitle,
        sheets,
    }
}

impl App {
    /// The report `query` asks for as a file of `format`.
    ///
    /// # Errors
    /// As [`App::report`]; `INTERNAL` when the file cannot be written.
    pub async fn report_file(
        &self,
        viewer: &Viewer,
        query: &ReportQuery,
        format: Format,
    ) -> Result<ReportFile, Error> {
        let report = self.report(viewer, query).await?;
        let document = document(&report);
        let bytes = tokio::task::spawn_blocking(move || documents::render(&document, format))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        let first = report.tables.first().map(|t| t.as_of.to_string());
        Ok(ReportFile {
            file_name: format!(
                "report-{}.{}",
                first.unwrap_or_default(),
                format.extension()
            ),
            content_type: format.content_type(),
            bytes,
        })
    }

    /// A file of `kind` from its query as JSON (the API's argument names),
    /// in `format`.
    ///
    /// # Errors
    /// `VALIDATION` for JSON that is not that query; as the report's own call.
    pub async fn file(
        &self,
        viewer: &Viewer,
        kind: ReportKind,
        query: &[u8],
        format: Format,
    ) -> Result<ReportFile, Error> {
        match kind {
            ReportKind::Builder => {
                let query: ReportQuery = parse(query)?;
                self.report_file(viewer, &query, format).await
            }
            ReportKind::Statistical => {
                let query: StatisticalQuery = parse(query)?;
                let report = self.statistical_report(viewer, &query).await?;
                let name = format!("statistical-report-{}", report.as_of);
                rendered(statistical_file::document(&report), &name, format).await
            }
            ReportKind::Members => {
                let query: MemberListQuery = parse(query)?;
                let list = self.member_list(viewer, &query).await?;
                let registry = &self.models.registry;
                let document = members::document(&list, |m| {
                    registry
                        .organization(m.home)
                        .map_or_else(|| m.home.0.to_string(), |o| o.name)
                });
                rendered(document, &format!("members-{}", list.on), format).await
            }
        }
    }
}

fn parse<T: serde::de::DeserializeOwned>(query: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(query)
        .map_err(|e| Error::invalid("query", format!("not a query of this report: {e}")))
}

/// `document` rendered as `format`, named `name` and the format's extension.
pub(crate) async fn rendered(
    document: Document,
    name: &str,
    format: Format,
) -> Result<ReportFile, Error> {
    let bytes = tokio::task::spawn_blocking(move || documents::render(&document, format))
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)?;
    Ok(ReportFile {
        file_name: format!("{name}.{}", format.extension()),
        content_type: format.content_type(),
        bytes,
    })
}
