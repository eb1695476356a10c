//! `GET /health`: whether the read models answer from the log as it stands.
//!
//! At start the read models fold the whole log: until they first reach its
//! head the answer is 503, so a load balancer sends no traffic to a server
//! that would answer from a half-built registry. After that it is 200 while
//! they keep up, even with a few events in flight between commit and apply.

use std::sync::atomic::Ordering;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::server::ServerState;

/// Lag, in events, past which a server that had caught up counts as unhealthy
/// again: a live registry applies a commit within milliseconds, so this many
/// events behind means the projector is stuck or far slower than the writes.
pub const MAX_LIVE_LAG: u64 = 100_000;

/// `GET /health`: 200 with the lag once caught up, 503 with it while catching
/// up (or when stuck far behind). 503 `failed` with the reason when the read
/// models stopped on a corrupt event or key (they will not catch up); 503
/// `degraded` with the reason while appends fail (a full disk: reads still
/// answer), re-checked by a small write at each call, so it clears once
/// space returns.
pub async fn health(State(state): State<ServerState>) -> (StatusCode, Json<Value>) {
    state.app.probe_writes().await;
    let lag = state.app.lag();
    let checkpoint = state.app.checkpoint();
    if lag == 0 {
        state.caught_up.store(true, Ordering::Relaxed);
    }
    let caught_up = state.caught_up.load(Ordering::Relaxed);
    let stopped = state.app.stopped();
    let write_fault = state.app.write_fault();
    let (status, word) = match (&stopped, &write_fault, caught_up, lag <= MAX_LIVE_LAG) {
        (Some(_), _, _, _) => (StatusCode::SERVICE_UNAVAILABLE, "failed"),
        (None, Some(_), _, _) => (StatusCode::SERVICE_UNAVAILABLE, "degraded"),
        (None, None, true, true) => (StatusCode::OK, "ok"),
        (None, None, true, false) => (StatusCode::SERVICE_UNAVAILABLE, "behind"),
        (None, None, false, _) => (StatusCode::SERVICE_UNAVAILABLE, "catching up"),
    };
    let reason = stopped.or(write_fault);
    let body = json!({
        "status": word,
        "reason": reason,
        "lag": lag,
        "checkpoint": checkpoint,
        "applied": state.app.applied(),
        "head": state.app.head(),
    });
    (status, Json(body))
}
