//! The GraphQL endpoints: queries and mutations over `POST /graphql`, queries
//! over `GET /graphql` (the GraphiQL page when it names none), subscriptions
//! on `/graphql/ws`. What GraphQL over HTTP asks of a request and an answer is
//! `http.rs`'s; persisted queries are `persisted.rs`'s.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Instant;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{Data, ErrorExtensions, Request, Response, ServerError};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::body::Body;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade, close_code};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::header::{ALLOW, SEC_WEBSOCKET_PROTOCOL};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use futures::{SinkExt, StreamExt};
use parking_lot::Mutex;

use app::{ClientAddr, RequestPermit, Viewer};

use crate::error::{ApiError, Code};
use crate::server::http::{self, MediaType, Params};
use crate::server::{ServerState, auth, graphiql, transport_ws};

/// `POST /graphql`: one query or mutation, as the bearer token's holder.
pub async fn execute(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> axum::response::Response {
    let started = Instant::now();
    let Some(media) = MediaType::negotiate(&headers) else {
        return not_acceptable(&state, started);
    };
    let answered = tokio::time::timeout(state.request_timeout, async {
        match http::is_json(&headers) {
            Some(true) => {}
            Some(false) => {
                return Err(refusal(
                    &state,
                    started,
                    media,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "the body must be application/json".into(),
                ));
            }
            None => {
                return Err(refusal(
                    &state,
                    started,
                    media,
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "the request says no Content-Type (application/json)".into(),
                ));
            }
        }
        let body = read_body(&state, started, body, media).await?;
        let params = Params::from_json(&body).map_err(|message| {
            refusal(
                &state,
                started,
                media,
                StatusCode::BAD_REQUEST,
                format!("not a GraphQL request: {message}"),
            )
        })?;
        Ok(run(&state, peer, &headers, media, params, Method::Post, started).await)
    })
    .await;
    match answered {
        Ok(Ok(answer) | Err(answer)) => answer,
        Err(_) => timed_out(&state, media, started),
    }
}

/// `GET /graphql`: a query in the query string (never a mutation: 405), or,
/// without one, the GraphiQL page.
pub async fn get(
    State(state): State<ServerState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Query(pairs): Query<Vec<(String, String)>>,
) -> axum::response::Response {
    let started = Instant::now();
    let asks = pairs
        .iter()
        .any(|(key, _)| key == "query" || key == "extensions");
    if !asks {
        return graphiql::page().into_response();
    }
    let Some(media) = MediaType::negotiate(&headers) else {
        return not_acceptable(&state, started);
    };
    let params = match Params::from_query_string(&pairs) {
        Ok(params) => params,
        Err(message) => {
            return refusal(
                &state,
                started,
                media,
                StatusCode::BAD_REQUEST,
                format!("not a GraphQL request: {message}"),
            );
        }
    };
    match tokio::time::timeout(
        state.request_timeout,
        run(&state, peer, &headers, media, params, Method::Get, started),
    )
    .await
    {
        Ok(answer) => answer,
        Err(_) => timed_out(&state, media, started),
    }
}

/// How a request came: a GET may only read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// Runs the request of `params` as the bearer token's holder and answers it as
/// `media`.
async fn run(
    state: &ServerState,
    peer: SocketAddr,
    headers: &HeaderMap,
    media: MediaType,
    params: Params,
    method: Method,
    started: Instant,
) -> axum::response::Response {
    let query = match state
        .persisted
        .document(params.query.clone(), &params.extensions)
    {
        Ok(query) => query,
        Err(refused) => {
            let (message, code) = refused.message_and_code();
            let response = Response::from_errors(vec![coded(message, code)]);
            state
                .metrics
                .graphql_answered("invalid", &response, started);
            return http::answer(media, response);
        }
    };
    let mut request = params.into_request(query);
    let kind = operation_kind(&state.parsed, &mut request);
    if method == Method::Get && kind == "mutation" {
        let mut answer = refusal(
            state,
            started,
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            "a mutation must be sent with POST".into(),
        );
        answer
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return answer;
    }
    if let Err(error) = check_shape(&mut request) {
        let response = Response::from_errors(vec![error]);
        state.metrics.graphql_answered(kind, &response, started);
        return http::answer(media, response);
    }
    let client = auth::client_addr(peer, headers, state.trust_proxy);
    let response = match admitted(state, headers, kind, client).await {
        Ok((viewer, _permit)) => {
            state
                .schema
                .execute(request.data(viewer).data(client))
                .await
        }
        Err(error) => Response::from_errors(vec![error.server_error()]),
    };
    state.metrics.graphql_answered(kind, &response, started);
    http::answer(media, readable(response))
}

/// The body, at most `limit` bytes (413 past it, as a GraphQL error).
async fn read_body(
    state: &ServerState,
    started: Instant,
    body: Body,
    media: MediaType,
) -> Result<Vec<u8>, axum::response::Response> {
    let limit = state.body_limit;
    let too_large = || {
        refusal(
            state,
            started,
            media,
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the request is larger than {limit} bytes"),
        )
    };
    let mut read = Vec::new();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            refusal(
                state,
                started,
                media,
                StatusCode::BAD_REQUEST,
                format!("reading the request: {error}"),
            )
        })?;
        if read.len() + chunk.len() > limit {
            return Err(too_large());
        }
        read.extend_from_slice(&chunk);
    }
    Ok(read)
}

/// An error of `message` with `code`.
fn coded(message: String, code: Code) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
    error
}

/// A refusal before any GraphQL: `status` with one VALIDATION error,
/// counted as an invalid operation.
fn refusal(
    state: &ServerState,
    started: Instant,
    media: MediaType,
    status: StatusCode,
    message: String,
) -> axum::response::Response {
    let errors = vec![coded(message, Code::Validation)];
    state
        .metrics
        .graphql_answered("invalid", &Response::from_errors(errors.clone()), started);
    http::refuse(media, status, errors)
}

/// 408 as a GraphQL error with its code.
fn timed_out(state: &ServerState, media: MediaType, started: Instant) -> axum::response::Response {
    let error = coded(
        format!(
            "the request took longer than {} s",
            state.request_timeout.as_secs_f64()
        ),
        Code::Timeout,
    );
    let response = Response::from_errors(vec![error.clone()]);
    state
        .metrics
        .graphql_answered("invalid", &response, started);
    http::refuse(media, StatusCode::REQUEST_TIMEOUT, vec![error])
}

/// 406: the client accepts neither media type served.
fn not_acceptable(state: &ServerState, started: Instant) -> axum::response::Response {
    refusal(
        state,
        started,
        MediaType::Json,
        StatusCode::NOT_ACCEPTABLE,
        "the answer is application/graphql-response+json or application/json; \
         Accept allows neither"
            .into(),
    )
}

/// A syntax error as one readable line: the parser's message lists every
/// token it expected (a dump of its grammar); the position is in `locations`.
fn readable(mut response: Response) -> Response {
    for error in &mut response.errors {
        if let Some(rest) = error.message.strip_prefix(" --> ") {
            // " --> 1:3\n  |\n1 | {\n  |   ^---\n  |\n  = expected selection"
            let expected = rest
                .lines()
                .find_map(|line| line.trim().strip_prefix("= "))
                .unwrap_or("unexpected input");
            error.message = format!("Syntax error: {expected}");
        }
    }
    response
}

/// The request's viewer; for a mutation, once the read models include every
/// commit made before it arrived, through any node sharing the log, so a
/// command decides on what its client may already have been told elsewhere
/// (a no-op where this node alone writes the log). The viewer is admitted by
/// the holder's and the address's limits first; the permit is held until the
/// answer is ready.
async fn admitted(
    state: &ServerState,
    headers: &HeaderMap,
    kind: &str,
    client: ClientAddr,
) -> Result<(Viewer, RequestPermit), ApiError> {
    let viewer = auth::viewer_from_headers(&state.app, headers).await?;
    let permit = state.app.admit_request(&viewer, Some(client)).await?;
    if kind == "mutation" {
        state.app.reach_committed().await?;
    }
    Ok((viewer, permit))
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
    if !state.origins.admits_websocket(&headers) {
        // A page of another origin must not subscribe with its visitor's
        // browser (no CORS protects a WebSocket).
        return (
            StatusCode::FORBIDDEN,
            "this origin may not open a WebSocket here (see --allowed-origins)",
        )
            .into_response();
    }
    let client = auth::client_addr(peer, &headers, state.trust_proxy);
    let offers_transport_ws = headers
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|offered| offered.trim() == transport_ws::PROTOCOL);
    if offers_transport_ws {
        return upgrade
            .protocols([transport_ws::PROTOCOL])
            .on_upgrade(move |socket| async move {
                let _open = state.metrics.websocket_opened();
                // Held until the close frame is sent: the shutdown waits for every one.
                let connected = state.stop.subscribe();
                transport_ws::serve(state.clone(), socket, client, connected).await;
            });
    }
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| connection(state, socket, protocol, client))
}

/// Serves one WebSocket of the older subscriptions-transport-ws protocol
/// (`graphql-ws`) until the client leaves or the server stops; on a stop the
/// client gets a close frame saying so ("going away").
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

/// Parsed query texts: clients send the same few texts (with different
/// variables) over and over, and parsing one costs more than copying it.
/// Bounded by bytes, not entries: a document's memory grows with its text.
#[derive(Default)]
pub struct ParsedQueries(Mutex<Cached>);

#[derive(Default)]
struct Cached {
    documents: HashMap<String, ExecutableDocument>,
    /// Bytes of the texts kept.
    bytes: usize,
}

/// Longest query text whose document is kept: an application's queries are a
/// few kilobytes; a text past this is built by a script and parsed each time.
const MAX_CACHED_QUERY_BYTES: usize = 16 * 1024;

/// Bytes of query texts kept before starting over (someone builds queries by
/// string). A parsed document takes a bounded multiple of its text (measured
/// ≈ 20×), so the cache holds at most some tens of megabytes.
const PARSED_QUERY_BYTES: usize = 2 * 1024 * 1024;

/// Most fields at an operation's root (fragments spread there included):
/// a screen asks for a handful; 10,000 aliases of `statistics` are an attack.
pub const MAX_ROOT_FIELDS: usize = 64;

/// Most field selections a document may hold, counted as written: bounds the
/// work of validating it whatever its complexity.
pub const MAX_FIELDS: usize = 2_000;

impl ParsedQueries {
    /// The document of `query`; `None` when it does not parse (execution will
    /// parse it again and say why).
    pub fn parse(&self, query: &str) -> Option<ExecutableDocument> {
        if let Some(document) = self.0.lock().documents.get(query) {
            return Some(document.clone());
        }
        let document = async_graphql::parser::parse_query(query).ok()?;
        if query.len() <= MAX_CACHED_QUERY_BYTES {
            let mut parsed = self.0.lock();
            if parsed.bytes + query.len() > PARSED_QUERY_BYTES {
                parsed.documents.clear();
                parsed.bytes = 0;
            }
            parsed.bytes += query.len();
            parsed.documents.insert(query.to_string(), document.clone());
        }
        Some(document)
    }

    /// Bytes of the query texts kept.
    pub fn bytes(&self) -> usize {
        self.0.lock().bytes
    }
}

/// Refuses a document with more than [`MAX_FIELDS`] fields, or an operation
/// with more than [`MAX_ROOT_FIELDS`] at its root, before anything runs.
fn check_shape(request: &mut Request) -> Result<(), ServerError> {
    let refuse = |message: String| {
        Err(ApiError(app::Error::Validation {
            message,
            field: None,
        })
        .server_error())
    };
    let Ok(document) = request.parsed_query() else {
        return Ok(());
    };
    let mut fields = 0;
    for (_, operation) in document.operations.iter() {
        fields += count_fields(&operation.node.selection_set.node);
    }
    for fragment in document.fragments.values() {
        fields += count_fields(&fragment.node.selection_set.node);
    }
    if fields > MAX_FIELDS {
        return refuse(format!(
            "the query selects {fields} fields; at most {MAX_FIELDS} are served"
        ));
    }
    for (_, operation) in document.operations.iter() {
        let roots = root_fields(document, &operation.node.selection_set.node, 0);
        if roots > MAX_ROOT_FIELDS {
            return refuse(format!(
                "the operation asks for {roots} fields at its root; at most {MAX_ROOT_FIELDS} are served"
            ));
        }
    }
    Ok(())
}

fn count_fields(selection_set: &SelectionSet) -> usize {
    selection_set
        .items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(field) => 1 + count_fields(&field.node.selection_set.node),
            Selection::InlineFragment(inline) => count_fields(&inline.node.selection_set.node),
            Selection::FragmentSpread(_) => 0,
        })
        .sum()
}

/// Fields at the level of `selection_set`, fragments expanded (to a depth of
/// 8: a cycle is refused by validation anyway).
fn root_fields(document: &ExecutableDocument, selection_set: &SelectionSet, depth: u8) -> usize {
    if depth > 8 {
        return 0;
    }
    selection_set
        .items
        .iter()
        .map(|selection| match &selection.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(inline) => {
                root_fields(document, &inline.node.selection_set.node, depth + 1)
            }
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |fragment| {
                    root_fields(document, &fragment.node.selection_set.node, depth + 1)
                }),
        })
        .sum::<usize>()
}

/// The kind of operation `request` runs, for the metrics; `invalid` when it
/// does not parse or names no operation it holds (execution reports why).
pub(super) fn operation_kind(parsed: &ParsedQueries, request: &mut Request) -> &'static str {
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

    #[test]
    fn the_cache_is_bounded_by_bytes_and_keeps_no_huge_text() {
        let parsed = ParsedQueries::default();
        let huge = format!("{{ {} }}", "viewer { role } ".repeat(2_000));
        assert!(parsed.parse(&huge).is_some());
        assert_eq!(parsed.bytes(), 0, "a huge text is parsed, not kept");
        for n in 0..2_000 {
            let text = format!("{{ a{n}: viewer {{ role }} b: viewer {{ role }} }}");
            assert!(parsed.parse(&text).is_some());
            assert!(parsed.bytes() <= PARSED_QUERY_BYTES);
        }
        assert!(parsed.bytes() > 0);
    }

    #[test]
    fn aliases_past_the_root_limit_and_fields_past_the_document_limit_are_refused() {
        let shape = |query: &str| {
            let mut request = Request::new(query);
            request.set_parsed_query(async_graphql::parser::parse_query(query).unwrap());
            check_shape(&mut request).is_ok()
        };
        let aliases = |n: usize| {
            let fields: String = (0..n)
                .map(|i| format!("a{i}: viewer {{ role }} "))
                .collect();
            format!("{{ {fields} }}")
        };
        assert!(shape(&aliases(MAX_ROOT_FIELDS)));
        assert!(!shape(&aliases(MAX_ROOT_FIELDS + 1)));
        let spread = format!(
            "{{ ...f ...f }} fragment f on Query {{ {} }}",
            (0..40)
                .map(|i| format!("a{i}: viewer {{ role }} "))
                .collect::<String>()
        );
        assert!(!shape(&spread), "fragments at the root count");
        let nested = format!("{{ viewer {{ {} }} }}", "role ".repeat(MAX_FIELDS + 1));
        assert!(!shape(&nested));
    }
}
