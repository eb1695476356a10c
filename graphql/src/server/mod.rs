//! The HTTP server: GraphQL over `POST /graphql` and `GET /graphql` (the
//! GraphQL-over-HTTP specification), GraphiQL on `GET /graphql` with its
//! assets under `/graphiql/`, subscriptions over WebSocket on `/graphql/ws`
//! (graphql-transport-ws), report files on `/reports/{format}` and `/reports/{kind}/{format}` (`reports.rs`), document templates on `/documents/…` (`documents.rs`),
//! `GET /health` and `GET /metrics` (Prometheus text);
//! CORS for the origins allowed.
//!
//! Layout: [`serve`] binds nothing itself: it runs the [`router`] on a listener
//! until the shutdown future resolves, lets requests in flight finish (for at
//! most [`ServeOptions::shutdown_grace`]), then stops the registry with
//! [`App::shutdown`]. `auth.rs` turns a bearer token into the request's
//! [`Viewer`](app::Viewer), `graphql.rs` holds the GraphQL handlers over
//! `http.rs` (media types, parameters, status codes) and `persisted.rs`
//! (automatic persisted queries), `graphiql.rs` the page and its assets,
//! `cors.rs` the allowed origins, `health.rs` and `metrics.rs` the operator's
//! endpoints.
//!
//! Not here: what a request may do (the application layer's [`app::guard`]),
//! the limits on a query's depth and complexity (the [`schema`] applies them).

mod auth;
mod cors;
mod graphiql;
mod graphql;
mod http;
mod persisted;
mod transport_ws;

pub use self::cors::Origins;
pub use self::graphql::ParsedQueries;
mod documents;
mod health;
mod library;
mod metrics;
mod reports;

use std::convert::Infallible;
use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::timeout::TimeoutLayer;

use app::App;

use crate::schema::{self, Limits, ReestrSchema};
use crate::server::metrics::Metrics;

/// Largest request body accepted (413 above it): a GraphQL document with its
/// variables is a few KiB; a mebibyte leaves room for bulk inputs and stops a
/// client from making the server buffer gigabytes.
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Longest a request may take, body upload included (408 past it): far above
/// the slowest report on the full union (a few hundred milliseconds), short
/// of the usual client and proxy timeouts.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a shutdown waits for requests in flight: a request that started
/// just before it has [`REQUEST_TIMEOUT`] to finish, plus a little to send its
/// answer.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(35);

/// How the server runs; [`Default`] gives the named constants.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
    /// Whether one trusted reverse proxy stands in front: then a client's
    /// address is the last `X-Forwarded-For` entry, else the peer's address
    /// (a client could write any `X-Forwarded-For` itself).
    pub trust_proxy: bool,
    /// Limits on a query's depth and complexity.
    pub limits: Limits,
    /// Web origins (`https://host[:port]`) whose pages may call the API from a
    /// browser (CORS) and open its WebSocket; none by default.
    pub allowed_origins: Origins,
}

impl Default for ServeOptions {
    fn default() -> ServeOptions {
        ServeOptions {
            body_limit: BODY_LIMIT,
            request_timeout: REQUEST_TIMEOUT,
            shutdown_grace: SHUTDOWN_GRACE,
            trust_proxy: false,
            limits: Limits::default(),
            allowed_origins: Origins::default(),
        }
    }
}

/// Why the server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Accepting or serving connections failed.
    #[error("serving HTTP: {0}")]
    Io(#[from] std::io::Error),
    /// Closing the log failed.
    #[error("closing the log: {0}")]
    Log(#[from] eventlog::Error),
}

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting,
/// lets requests in flight finish (at most `options.shutdown_grace`), closes
/// the WebSocket connections and stops the registry with [`App::shutdown`]:
/// every acknowledged mutation is in the log when this returns.
///
/// # Errors
/// [`ServeError::Io`] when the listener fails; [`ServeError::Log`] when the
/// log fails to close.
pub async fn serve(
    app: App,
    listener: TcpListener,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    serve_with(app, listener, options, Router::new(), shutdown).await
}

/// As [`serve`], with `pages` (another door's routes, the web pages) served
/// beside the API by the same server, stopped by the same shutdown.
///
/// # Errors
/// As [`serve`].
pub async fn serve_with(
    app: App,
    listener: TcpListener,
    options: ServeOptions,
    pages: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let schema = schema::build(app.clone(), options.limits);
    let state = ServerState::new(app.clone(), schema, &options);
    let stop = Arc::clone(&state.stop);
    let signal = Arc::clone(&stop);
    let router = routes(state, &options).merge(pages);
    let serving = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: no new connections, finishing requests in flight");
        signal.send_replace(true);
    })
    .into_future();
    tokio::pin!(serving);
    let mut stopping = stop.subscribe();
    let stopped = async move {
        let _ = stopping.wait_for(|stopped| *stopped).await;
    };
    let served_before_stop = tokio::select! {
        served = &mut serving => Some(served),
        () = stopped => None,
    };
    let served = match served_before_stop {
        Some(served) => served,
        None => {
            // Requests in flight finish, and every WebSocket (each holds a
            // receiver of `stop` until its close frame is sent) says goodbye.
            let finished = async {
                let served = (&mut serving).await;
                stop.closed().await;
                served
            };
            match tokio::time::timeout(options.shutdown_grace, finished).await {
                Ok(served) => served,
                Err(_) => {
                    tracing::warn!(
                        grace = ?options.shutdown_grace,
                        "requests still in flight after the grace period; stopping anyway"
                    );
                    Ok(())
                }
            }
        }
    };
    // Whatever happened to the listener, what was acknowledged is flushed.
    let closed = app.shutdown().await;
    served?;
    closed?;
    Ok(())
}

/// The server's routes over `app` and `schema`, for embedding or tests;
/// [`serve`] runs the same routes.
pub fn router(app: App, schema: ReestrSchema, options: &ServeOptions) -> Router {
    routes(ServerState::new(app, schema, options), options)
}

/// What every handler shares; cheap to clone.
#[derive(Clone)]
struct ServerState {
    app: App,
    schema: ReestrSchema,
    metrics: Arc<Metrics>,
    /// Set once the read models first reached the log's head (see `health.rs`).
    caught_up: Arc<AtomicBool>,
    /// Turns `true` when the server shuts down: WebSocket connections, which
    /// the HTTP graceful shutdown does not wait for, close on it.
    stop: Arc<watch::Sender<bool>>,
    trust_proxy: bool,
    /// Parsed query texts (see `ParsedQueries`).
    parsed: Arc<ParsedQueries>,
    /// Documents of automatic persisted queries, by hash.
    persisted: Arc<persisted::PersistedQueries>,
    body_limit: usize,
    request_timeout: Duration,
    origins: Origins,
}

impl ServerState {
    fn new(app: App, schema: ReestrSchema, options: &ServeOptions) -> ServerState {
        ServerState {
            metrics: Arc::new(Metrics::new(&app)),
            app,
            schema,
            caught_up: Arc::new(AtomicBool::new(false)),
            stop: Arc::new(watch::Sender::new(false)),
            trust_proxy: options.trust_proxy,
            parsed: Arc::new(ParsedQueries::default()),
            persisted: Arc::new(persisted::PersistedQueries::default()),
            body_limit: options.body_limit,
            request_timeout: options.request_timeout,
            origins: options.allowed_origins.clone(),
        }
    }
}

fn routes(state: ServerState, options: &ServeOptions) -> Router {
    // The GraphQL handlers bound their own body and time, to answer 413 and
    // 408 as GraphQL errors.
    let router = Router::new()
        .route("/graphql", get(graphql::get).post(graphql::execute))
        .route("/graphql/ws", get(graphql::subscribe))
        .route("/graphiql/{file}", get(graphiql::asset))
        .route(
            "/reports/{format}",
            get(reports::get)
                .post(reports::post)
                .layer::<_, Infallible>(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    options.request_timeout,
                ))
                .layer(DefaultBodyLimit::max(options.body_limit)),
        )
        .route(
            "/reports/{kind}/{format}",
            get(reports::get_kind)
                .post(reports::post_kind)
                .layer::<_, Infallible>(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    options.request_timeout,
                ))
                .layer(DefaultBodyLimit::max(options.body_limit)),
        )
        .route(
            "/documents/templates/{template}",
            get(documents::get)
                .put(documents::put)
                .delete(documents::delete)
                .layer(DefaultBodyLimit::max(app::templates::MAX_TEMPLATE_BYTES)),
        )
        .route(
            "/documents/{template}/{format}",
            post(documents::fill)
                .layer::<_, Infallible>(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    options.request_timeout,
                ))
                .layer(DefaultBodyLimit::max(options.body_limit)),
        )
        .route("/library/{id}/file", get(library::file))
        .route("/health", get(health::health))
        .route("/metrics", get(metrics::metrics))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::count_requests,
        ))
        .with_state(state);
    match options.allowed_origins.cors() {
        Some(cors) => router.layer(cors),
        None => router,
    }
}
