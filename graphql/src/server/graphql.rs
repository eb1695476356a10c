//! The GraphQL endpoints: queries and mutations over `POST /graphql`, the
//! GraphiQL page on `GET /graphql`, subscriptions on `/graphql/ws`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use async_graphql::http::{
    ALL_WEBSOCKET_PROTOCOLS, GraphiQLSource, MultipartOptions, receive_batch_body,
};

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Data, ErrorExtensions, Request, Response, ServerError};
use async_graphql_axum::{GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use axum::body::Bytes;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{ConnectInfo, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse};
use futures::{SinkExt, StreamExt};
use parking_lot::Mutex;

use app::{ClientAddr, Viewer};

use crate::error::ApiError;
use crate::server::ServerState;
use crate::server::auth;

/// Where the GraphiQL page sends queries and opens subscriptions.
const ENDPOINT: &str = "/graphql";
const SUBSCRIPTION_ENDPOINT: &str = "/graphql/ws";

/// `GET /graphql`: the GraphiQL page.
pub async fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint(ENDPOINT)
            .subscription_endpoint(SUBSCRIPTION_ENDPOINT)
            .title("reestr")
            .finish(),
    )
}

/// `POST /graphql`: one query or mutation, as the bearer token's holder.
/// The body is already within the size limit (axum's `Bytes` answers 413
/// past it).
pub async fn execute(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let started = Instant::now();
    let mut request = match parse(&headers, &body).await {
        Ok(request) => request,
        Err(error) => {
            let response = Response::from_errors(vec![error]);
            state
                .metrics
                .graphql_answered("invalid", &response, started);
            return (StatusCode::BAD_REQUEST, GraphQLResponse::from(response)).into_response();
        }
    };
    let kind = operation_kind(&state.parsed, &mut request);
    let response = match ready(&state, &headers, kind).await {
        Ok(viewer) => {
            let client = auth::client_addr(peer, &headers, state.trust_proxy);
            state
                .schema
                .execute(request.data(viewer).data(client))
                .await
        }
        Err(error) => Response::from_errors(vec![error.server_error()]),
    };
    state.metrics.graphql_answered(kind, &response, started);
    GraphQLResponse::from(response).into_response()
}

/// The request's viewer; for a mutation, once the read models include every
/// commit made before it arrived, through any node sharing the log, so a
/// command decides on what its client may already have been told elsewhere
/// (a no-op where this node alone writes the log).
async fn ready(state: &ServerState, headers: &HeaderMap, kind: &str) -> Result<Viewer, ApiError> {
    let viewer = auth::viewer_from_headers(&state.app, headers).await?;
    if kind == "mutation" {
        state.app.reach_committed().await?;
    }
    Ok(viewer)
}

/// `GET /graphql/ws`: a WebSocket for subscriptions (graphql-transport-ws, or
/// the older graphql-ws). The viewer comes from the `connection_init` payload.
pub async fn subscribe(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> axum::response::Response {
    let client = auth::client_addr(peer, &headers, state.trust_proxy);
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| connection(state, socket, protocol, client))
}

/// Serves one WebSocket until the client leaves or the server stops; on a
/// stop the client gets a close frame saying so ("going away").
async fn connection(
    state: ServerState,
    socket: WebSocket,
    protocol: GraphQLProtocol,
    client: ClientAddr,
) {
    let _open = state.metrics.websocket_opened();
    let (mut sink, stream) = socket.split();
    // Held until the close frame is sent: the shutdown waits for every one.
    let connected = state.stop.subscribe();
    let mut stopping = connected.clone();
    let stopped = async move {
        // An error means the server is gone: stop as well.
        let _ = stopping.wait_for(|stopped| *stopped).await;
    };
    let app = state.app.clone();
    GraphQLWebSocket::new_with_pair(
        &mut sink,
        stream.take_until(stopped),
        state.schema.clone(),
        protocol,
    )
    .on_connection_init(move |payload| async move {
        let viewer = auth::viewer_from_init(&app, &payload)
            .await
            .map_err(|error| error.extend())?;
        let mut data = Data::default();
        data.insert(viewer);
        data.insert(client);
        Ok(data)
    })
    .serve()
    .await;
    if *connected.borrow() {
        let close = CloseFrame {
            code: close_code::AWAY,
            reason: "the server is shutting down".into(),
        };
        let _ = sink.send(Message::Close(Some(close))).await;
    }
    drop(connected);
}

/// The GraphQL request in `body` (JSON, or multipart as the GraphQL multipart
/// request spec has it); batches are not served.
async fn parse(headers: &HeaderMap, body: &Bytes) -> Result<Request, ServerError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let invalid = |message: String| {
        ApiError(app::Error::Validation {
            message,
            field: None,
        })
        .server_error()
    };
    receive_batch_body(content_type, body.as_ref(), MultipartOptions::default())
        .await
        .and_then(|batch| batch.into_single())
        .map_err(|error| invalid(format!("not a GraphQL request: {error}")))
}

/// Parsed query texts: clients send the same few texts (with different
/// variables) over and over, and parsing one costs more than copying it.
#[derive(Default)]
pub struct ParsedQueries(Mutex<HashMap<String, ExecutableDocument>>);

/// Distinct texts kept before starting over (someone builds queries by string).
const PARSED_QUERIES: usize = 1024;

impl ParsedQueries {
    /// The document of `query`; `None` when it does not parse (execution will
    /// parse it again and say why).
    pub fn parse(&self, query: &str) -> Option<ExecutableDocument> {
        if let Some(document) = self.0.lock().get(query) {
            return Some(document.clone());
        }
        let document = async_graphql::parser::parse_query(query).ok()?;
        let mut parsed = self.0.lock();
        if parsed.len() >= PARSED_QUERIES {
            parsed.clear();
        }
        parsed.insert(query.to_string(), document.clone());
        Some(document)
    }
}

/// The kind of operation `request` runs, for the metrics; `invalid` when it
/// does not parse or names no operation it holds (execution reports why).
fn operation_kind(parsed: &ParsedQueries, request: &mut Request) -> &'static str {
    let name = request.operation_name.clone();
    let Some(document) = parsed.parse(&request.query) else {
        return "invalid";
    };
    // Execution reuses the document (and still checks its limits).
    request.set_parsed_query(document);
    let Ok(document) = request.parsed_query() else {
        return "invalid";
    };
    let operation = match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name.as_str()),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    };
    match operation.map(|operation| operation.node.ty) {
        Some(OperationType::Query) => "query",
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        None => "invalid",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operation_kind_follows_the_operation_name() {
        let parsed = ParsedQueries::default();
        let kind = |query: &str, name: Option<&str>| {
            let mut request = Request::new(query);
            request.operation_name = name.map(str::to_owned);
            operation_kind(&parsed, &mut request)
        };
        assert_eq!(kind("{ viewer { role } }", None), "query");
        assert_eq!(
            kind("mutation { revokeRole(userId: \"x\") }", None),
            "mutation"
        );
        let both = "query A { viewer { role } } mutation B { revokeRole(userId: \"x\") }";
        assert_eq!(kind(both, Some("B")), "mutation");
        assert_eq!(kind(both, None), "invalid");
        assert_eq!(kind("{ viewer {", None), "invalid");
    }
}
