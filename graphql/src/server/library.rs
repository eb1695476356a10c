//! `GET /library/{id}/file` (`?version=N` for an earlier one): a library
//! document's file with its media type, the bearer token as for GraphQL
//! (`App::library_file`: only for a viewer of the document's audience).
//! A refusal is `{"code": …, "message": …}` with its status, as for reports.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::error::ApiError;
use crate::server::ServerState;
use crate::server::auth::viewer_from_headers;
use crate::server::reports::refusal;

/// `GET /library/{id}/file`.
pub async fn file(
    State(state): State<ServerState>,
    Path(id): Path<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let served = async {
        let viewer = viewer_from_headers(&state.app, &headers).await?;
        let version = match query.get("version") {
            None => None,
            Some(v) => Some(v.parse::<u32>().map_err(|_| {
                ApiError(app::Error::invalid(
                    "version",
                    "a version is a number 1, 2, …",
                ))
            })?),
        };
        let file = state.app.library_file(&viewer, &id, version).await?;
        Ok::<_, ApiError>(attachment(file.content_type, &file.file_name, file.bytes))
    };
    served.await.unwrap_or_else(|error| refusal(&error))
}

/// The file as an attachment under its own name: Cyrillic names go in
/// RFC 6266's `filename*` (UTF-8, percent-encoded), with an ASCII
/// `filename` beside it for old clients.
pub fn attachment(content_type: &'static str, name: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') => c,
            _ => '_',
        })
        .collect();
    let encoded = utf8_percent_encode(name, NON_ALPHANUMERIC);
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    let disposition = HeaderValue::from_str(&disposition)
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}
