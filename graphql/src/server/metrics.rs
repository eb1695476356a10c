//! `GET /metrics`: the server's figures in the Prometheus text format.
//!
//! Requests by route and status, GraphQL operations by kind with their
//! latency (a mutation's is its command's: decide, append, read-your-writes),
//! errors by `extensions.code`, open WebSockets, and the read models' lag
//! and checkpoint.

use std::time::Instant;

use async_graphql::{Response, Value};
use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::IntoResponse;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::server::ServerState;
use app::App;

/// The server's metrics and the registry that exposes them.
pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    graphql_operations: Family<OperationLabels, Counter>,
    graphql_duration: Family<OperationLabels, Histogram, fn() -> Histogram>,
    graphql_errors: Family<ErrorLabels, Counter>,
    websockets: Gauge,
    subscriptions: Gauge,
    projection_lag: Gauge,
    projection_checkpoint: Gauge,
    projection_applied: Gauge,
    log_head: Gauge,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct HttpLabels {
    path: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    code: String,
}

/// Latency buckets from 1 ms to about 33 s: a read is milliseconds, a
/// mutation waits for an fsync, a report on the whole union takes hundreds.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

impl Metrics {
    /// Registers every metric under the `reestr_` prefix, `app`'s append
    /// latencies among them.
    pub fn new(app: &App) -> Metrics {
        let http_requests = Family::<HttpLabels, Counter>::default();
        let graphql_operations = Family::<OperationLabels, Counter>::default();
        let graphql_duration = Family::new_with_constructor(latency_histogram as fn() -> _);
        let graphql_errors = Family::<ErrorLabels, Counter>::default();
        let websockets = Gauge::default();
        let subscriptions = Gauge::default();
        let projection_lag = Gauge::default();
        let projection_checkpoint = Gauge::default();
        let projection_applied = Gauge::default();
        let log_head = Gauge::default();
        let mut registry = Registry::with_prefix("reestr");
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and status",
            http_requests.clone(),
        );
        registry.register(
            "graphql_operations",
            "GraphQL operations answered, by kind (query, mutation, subscription, invalid)",
            graphql_operations.clone(),
        );
        registry.register_with_unit(
            "graphql_duration",
            "Time to answer a GraphQL operation, by kind; a mutation's is its command's",
            Unit::Seconds,
            graphql_duration.clone(),
        );
        registry.register_with_unit(
            "log_append_duration",
            "Time from handing an append to the log to its durable acknowledgement \
             (commands and the audit trail of personal-data reads)",
            Unit::Seconds,
            app.append_latency(),
        );
        registry.register(
            "graphql_errors",
            "GraphQL errors returned, by extensions.code",
            graphql_errors.clone(),
        );
        registry.register(
            "websocket_connections",
            "Subscription WebSockets open now",
            websockets.clone(),
        );
        registry.register(
            "graphql_subscriptions",
            "Subscriptions running now (graphql-transport-ws)",
            subscriptions.clone(),
        );
        registry.register(
            "projection_lag",
            "Events committed and not yet applied by every read model",
            projection_lag.clone(),
        );
        registry.register(
            "projection_checkpoint",
            "The log position every read model has applied",
            projection_checkpoint.clone(),
        );
        registry.register(
            "projection_events_applied",
            "Events every read model has applied since the node started (the checkpoint, \
             less where it started, when none was skipped or repeated)",
            projection_applied.clone(),
        );
        registry.register(
            "log_head",
            "The log position of the last committed event",
            log_head.clone(),
        );
        Metrics {
            registry,
            http_requests,
            graphql_operations,
            graphql_duration,
            graphql_errors,
            websockets,
            subscriptions,
            projection_lag,
            projection_checkpoint,
            projection_applied,
            log_head,
        }
    }

    /// Counts a GraphQL answer of kind `operation`, its errors by code, and
    /// its latency since `started`.
    pub fn graphql_answered(&self, operation: &'static str, response: &Response, started: Instant) {
        let labels = OperationLabels { operation };
        self.graphql_operations.get_or_create(&labels).inc();
        self.graphql_duration
            .get_or_create(&labels)
            .observe(started.elapsed().as_secs_f64());
        for error in &response.errors {
            let code = match error.extensions.as_ref().and_then(|e| e.get("code")) {
                Some(Value::String(code)) => code.clone(),
                _ => "NONE".to_string(),
            };
            self.graphql_errors
                .get_or_create(&ErrorLabels { code })
                .inc();
        }
    }

    /// Counts an open WebSocket until the returned guard drops.
    pub fn websocket_opened(&self) -> OpenWebSocket {
        self.websockets.inc();
        OpenWebSocket(self.websockets.clone())
    }

    /// Counts a subscription started (among the operations, by kind) and
    /// running until the returned guard drops.
    pub fn subscription_started(&self) -> Running {
        let labels = OperationLabels {
            operation: "subscription",
        };
        self.graphql_operations.get_or_create(&labels).inc();
        self.subscriptions.inc();
        Running(self.subscriptions.clone())
    }

    /// The exposition, with the read models' gauges as of now.
    fn encode(&self, state: &ServerState) -> Result<String, std::fmt::Error> {
        let gauge = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        self.projection_lag.set(gauge(state.app.lag()));
        self.projection_checkpoint
            .set(gauge(state.app.checkpoint()));
        self.projection_applied.set(gauge(state.app.applied()));
        self.log_head.set(gauge(state.app.head()));
        let mut text = String::new();
        prometheus_text::encode(&mut text, &self.registry)?;
        Ok(text)
    }
}

/// An open WebSocket, counted until dropped.
pub struct OpenWebSocket(Gauge);

impl Drop for OpenWebSocket {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// A running subscription, counted until dropped.
pub struct Running(Gauge);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// `GET /metrics`.
pub async fn metrics(State(state): State<ServerState>) -> axum::response::Response {
    match state.metrics.encode(&state) {
        Ok(text) => ([(CONTENT_TYPE, prometheus_text::CONTENT_TYPE)], text).into_response(),
        Err(error) => {
            tracing::error!(%error, "encoding the metrics");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// Middleware counting every routed request by its route and status.
pub async fn count_requests(
    State(state): State<ServerState>,
    request: Request,
    next: Next,
) -> axum::response::Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |path| path.as_str().to_string());
    let response = next.run(request).await;
    let labels = HttpLabels {
        path,
        status: response.status().as_u16(),
    };
    state.metrics.http_requests.get_or_create(&labels).inc();
    response
}
