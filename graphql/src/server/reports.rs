//! Report files over HTTP: `POST /reports/{format}` with the `report` query's
//! arguments as a JSON body (the API's names: `orgId`, `rows`, `columns`,
//! `dates`, `filter`, …), or `GET /reports/{format}?q=<that JSON>` for a link
//! on a page; `format` is `xlsx`, `csv` or `pdf`. `/reports/{kind}/{format}`
//! is the same for every kind of report `app::reports::files::ReportKind`
//! names (`builder`, `statistical`, `members`), each with its query's
//! arguments. The bearer token is the same as for GraphQL, and `App::file`
//! checks it as the report's query does.
//!
//! A refusal is a JSON body `{"code": …, "message": …}` with the status of
//! its code (400, 401, 403, 404, 500).

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use documents::Format;
use serde::Deserialize;
use serde_json::json;

use app::reports::files::ReportKind;

use crate::error::{ApiError, Code};
use crate::server::ServerState;
use crate::server::auth::viewer_from_headers;

/// `?q=` of the GET form.
#[derive(Deserialize)]
pub struct Linked {
    q: String,
}

/// `POST /reports/{format}`.
pub async fn post(
    State(state): State<ServerState>,
    Path(format): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(&state, "builder", &format, &headers, &body).await
}

/// `GET /reports/{format}?q=…`.
pub async fn get(
    State(state): State<ServerState>,
    Path(format): Path<String>,
    headers: HeaderMap,
    Query(linked): Query<Linked>,
) -> Response {
    respond(&state, "builder", &format, &headers, linked.q.as_bytes()).await
}

/// `POST /reports/{kind}/{format}`.
pub async fn post_kind(
    State(state): State<ServerState>,
    Path((kind, format)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    respond(&state, &kind, &format, &headers, &body).await
}

/// `GET /reports/{kind}/{format}?q=…`.
pub async fn get_kind(
    State(state): State<ServerState>,
    Path((kind, format)): Path<(String, String)>,
    headers: HeaderMap,
    Query(linked): Query<Linked>,
) -> Response {
    respond(&state, &kind, &format, &headers, linked.q.as_bytes()).await
}

async fn respond(
    state: &ServerState,
    kind: &str,
    format: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    match file(state, kind, format, headers, body).await {
        Ok(response) => response,
        Err(error) => refusal(&error),
    }
}

async fn file(
    state: &ServerState,
    kind: &str,
    format: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let viewer = viewer_from_headers(&state.app, headers).await?;
    let format = Format::parse(format)
        .ok_or_else(|| app::Error::invalid("format", "a report file is xlsx, csv or pdf"))?;
    let kind = ReportKind::parse(kind).ok_or_else(|| {
        app::Error::invalid("kind", "a report is builder, statistical or members")
    })?;
    let file = state.app.file(&viewer, kind, body, format).await?;
    let disposition =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name))
            .map_err(app::Error::internal)?;
    Ok((
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static(file.content_type)),
            (CONTENT_DISPOSITION, disposition),
        ],
        file.bytes,
    )
        .into_response())
}

pub(crate) fn refusal(error: &ApiError) -> Response {
    let code = error.code();
    let status = match code {
        Code::Validation | Code::RuleViolation | Code::PersistedQueryNotFound => {
            StatusCode::BAD_REQUEST
        }
        Code::Timeout => StatusCode::REQUEST_TIMEOUT,
        Code::Unauthenticated => StatusCode::UNAUTHORIZED,
        Code::Forbidden => StatusCode::FORBIDDEN,
        Code::NotFound => StatusCode::NOT_FOUND,
        Code::Conflict => StatusCode::CONFLICT,
        Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let message = match code {
        Code::Internal => "internal error".to_string(),
        _ => error.0.to_string(),
    };
    (
        status,
        Json(json!({ "code": code.as_str(), "message": message })),
    )
        .into_response()
}
