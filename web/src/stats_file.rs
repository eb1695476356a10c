//! The dashboard's download: the same subtree, date and "as known at" as a
//! report file (XLSX, CSV or PDF) of the report builder, by the rows and
//! columns chosen beside the button. Served here, from the session, calling
//! `App::report_file` as `/reports/{format}` does for bearer tokens.

use app::Error;
use app::reports::{ReportDimension, ReportFilter, ReportQuery};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use documents::Format;
use maud::{Markup, html};
use serde::Deserialize;

use crate::form::choice;
use crate::visit::Visit;
use crate::{Web, fail};

/// The dimensions a dashboard's report may be broken down by, with their names.
pub const DIMENSIONS: &[(&str, &str)] = &[
    ("CHILD", "организации в составе"),
    ("GENDER", "пол"),
    ("CATEGORY", "категории"),
    ("PROFESSION", "профессии"),
    ("AGE_BAND", "возраст"),
    ("TENURE_BAND", "профсоюзный стаж"),
    ("SECTOR", "типы организаций"),
    ("LEVEL", "уровень организации"),
];

/// `?asOf=…&knownAt=…&rows=…&columns=…`
#[derive(Debug, Default, Deserialize)]
pub struct FileQuery {
    #[serde(rename = "asOf")]
    as_of: Option<String>,
    #[serde(rename = "knownAt")]
    known_at: Option<String>,
    rows: Option<String>,
    columns: Option<String>,
}

/// The download form under the figures.
pub fn form(org: &str, as_of: &str, known_at: Option<i64>, has_children: bool) -> Markup {
    let rows = if has_children { "CHILD" } else { "GENDER" };
    html! {
        form.panel.noprint #report-file method="get" action={ "/stats/org/" (org) "/report/xlsx" } {
            h2 { "Выгрузить отчёт (XLSX)" }
            input type="hidden" name="asOf" value=(as_of);
            @if let Some(k) = known_at { input type="hidden" name="knownAt" value=(k); }
            div.row {
                div { label for="report-rows" { "Строки" }
                    select #report-rows name="rows" { @for (value, text) in DIMENSIONS {
                        option value=(value) selected[*value == rows] { (text) } } } }
                div { label for="report-columns" { "Столбцы" }
                    select #report-columns name="columns" {
                        option value="" { "— только численность —" }
                        @for (value, text) in DIMENSIONS { option value=(value) selected[*value == "AGE_BAND"] { (text) } } } }
            }
            div.actions { button type="submit" #report-download { "Скачать XLSX" } }
        }
    }
}

/// `GET /stats/org/{id}/report/{format}`.
pub async fn download(
    visit: Visit,
    State(web): State<Web>,
    Path((id, format)): Path<(String, String)>,
    Query(query): Query<FileQuery>,
) -> Response {
    match file(&visit, &web, id, &format, query).await {
        Ok(response) => response,
        Err(error) => fail::page(&visit, &web, &error),
    }
}

async fn file(
    visit: &Visit,
    web: &Web,
    id: String,
    format: &str,
    query: FileQuery,
) -> Result<Response, Error> {
    let format = Format::parse(format).ok_or_else(|| Error::invalid("format", "xlsx, csv, pdf"))?;
    let dimension = |text: Option<&str>| -> Result<Option<ReportDimension>, Error> {
        match text.map(str::trim).filter(|t| !t.is_empty()) {
            None => Ok(None),
            Some(text) => choice(text)
                .map(Some)
                .ok_or_else(|| Error::invalid("rows", "not a dimension")),
        }
    };
    let as_of = match query
        .as_of
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(text) => {
            Some(app::input::date(text).map_err(|_| Error::invalid("asOf", "not a date"))?)
        }
    };
    let known_at = match query
        .known_at
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        None => None,
        Some(text) => Some(
            text.parse::<i64>()
                .map_err(|_| Error::invalid("knownAt", "not a position"))?,
        ),
    };
    let report = ReportQuery {
        org_id: id,
        as_of,
        dates: None,
        known_at,
        filter: ReportFilter::default(),
        rows: dimension(query.rows.as_deref())?.unwrap_or(ReportDimension::Child),
        columns: dimension(query.columns.as_deref())?,
        age_edges: None,
        tenure_edges: None,
    };
    let file = web.app.report_file(&visit.viewer, &report, format).await?;
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name))
            .map_err(Error::internal)?;
    Ok((
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.content_type),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.bytes,
    )
        .into_response())
}
