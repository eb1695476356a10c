//! A report as a file: the plain [`Document`] that `documents` renders, one
//! sheet per date, and [`App::report_file`], what the download route and the
//! command line both call.

use documents::{Cell, Document, Format, Sheet};

use crate::error::Error;
use crate::guard::Viewer;
use crate::reports::labels::dimension_words;
use crate::reports::{ReportQuery, ReportView};
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
}
