//! Document templates over HTTP, the bearer token as for GraphQL:
//! - `POST /documents/{template}/{format}` (`docx` or `pdf`) with a JSON body
//!   naming the member (`memberId`) or, for `card-register`, the
//!   organisation (`orgId`), and `minutesNumber`, `minutesDate` for the
//!   extract: the document filled in (`App::document`);
//! - `GET /documents/templates/{template}`: the template as a DOCX, with its
//!   placeholders (to edit in Word);
//! - `PUT /documents/templates/{template}` with a DOCX body: an ADMIN of the
//!   whole union replaces it; `DELETE` goes back to the built-in one.
//!
//! A refusal is `{"code": …, "message": …}` with its status, as for reports.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use documents::docx::CONTENT_TYPE as DOCX;

use app::templates::{DocumentFormat, DocumentQuery, Template};

use crate::error::ApiError;
use crate::server::ServerState;
use crate::server::auth::viewer_from_headers;
use crate::server::reports::refusal;

/// `POST /documents/{template}/{format}`.
pub async fn fill(
    State(state): State<ServerState>,
    Path((template, format)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let filled = async {
        let viewer = viewer_from_headers(&state.app, &headers).await?;
        let template = Template::parse(&template)?;
        let format = DocumentFormat::parse(&format)?;
        let query: DocumentQuery = serde_json::from_slice(&body)
            .map_err(|e| app::Error::invalid("query", format!("not a document query: {e}")))?;
        let file = state
            .app
            .document(&viewer, template, &query, format)
            .await?;
        attachment(file.content_type, &file.file_name, file.bytes)
    };
    filled.await.unwrap_or_else(|error| refusal(&error))
}

/// `GET /documents/templates/{template}`.
pub async fn get(
    State(state): State<ServerState>,
    Path(template): Path<String>,
    headers: HeaderMap,
) -> Response {
    let blank = async {
        let viewer = viewer_from_headers(&state.app, &headers).await?;
        let template = Template::parse(&template)?;
        let bytes = state.app.template(&viewer, template)?;
        attachment(DOCX, &format!("{}.docx", template.id()), bytes)
    };
    blank.await.unwrap_or_else(|error| refusal(&error))
}

/// `PUT /documents/templates/{template}`.
pub async fn put(
    State(state): State<ServerState>,
    Path(template): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let replaced = async {
        let viewer = viewer_from_headers(&state.app, &headers).await?;
        let template = Template::parse(&template)?;
        state.app.replace_template(&viewer, template, &body)?;
        Ok::<_, ApiError>(StatusCode::NO_CONTENT.into_response())
    };
    replaced.await.unwrap_or_else(|error| refusal(&error))
}

/// `DELETE /documents/templates/{template}`.
pub async fn delete(
    State(state): State<ServerState>,
    Path(template): Path<String>,
    headers: HeaderMap,
) -> Response {
    let reset = async {
        let viewer = viewer_from_headers(&state.app, &headers).await?;
        let template = Template::parse(&template)?;
        state.app.reset_template(&viewer, template)?;
        Ok::<_, ApiError>(StatusCode::NO_CONTENT.into_response())
    };
    reset.await.unwrap_or_else(|error| refusal(&error))
}

fn attachment(
    content_type: &'static str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Response, ApiError> {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .map_err(app::Error::internal)?;
    Ok((
        StatusCode::OK,
        [
            (CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}
