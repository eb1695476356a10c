//! Every page request is admitted by the same per-holder and per-address
//! limits as the API's (`app::RequestLimits`), so a script cannot take the
//! server through the pages instead of GraphQL. Assets are not limited: they
//! are served from memory and a page needs several at once.

use axum::extract::{FromRequestParts, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Web;
use crate::visit::Visit;

/// Admits the request, or answers it with the page saying why not (429).
pub async fn admit(State(web): State<Web>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let visit = match Visit::from_request_parts(&mut parts, &web).await {
        Ok(visit) => visit,
        Err(refused) => return refused,
    };
    let permit = match web.app.admit_request(&visit.viewer, visit.client).await {
        Ok(permit) => permit,
        Err(error) => return crate::fail::page(&visit, &web, &error).into_response(),
    };
    let response = next.run(Request::from_parts(parts, body)).await;
    drop(permit);
    response
}
