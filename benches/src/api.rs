//! Load on the GraphQL API over HTTP: many concurrent clients, each sending one
//! request after another, for a fixed time; the rate and the latency
//! distribution (HDR histogram) of the successful ones.
//!
//! The clients run in this process, on the same machine as the server: on two
//! cores they take CPU from it, so the figures are a floor.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde_json::{Value, json};

/// A GraphQL request body for the `n`-th request.
pub type Body = Arc<dyn Fn(u64) -> Value + Send + Sync>;

/// Where and how hard to load.
#[derive(Clone, Debug)]
pub struct Load {
    /// The GraphQL endpoint, e.g. `http://127.0.0.1:8080/graphql`.
    pub url: String,
    /// The bearer token.
    pub token: String,
    /// Concurrent clients.
    pub clients: usize,
    /// How long to send.
    pub duration: Duration,
}

/// What a load run measured.
#[derive(Clone, Debug)]
pub struct LoadReport {
    /// Requests answered without a GraphQL error.
    pub succeeded: u64,
    /// Requests that failed (HTTP status, transport, or GraphQL errors).
    pub failed: u64,
    /// The first failure seen, to tell why.
    pub first_failure: Option<String>,
    /// Wall time of the run.
    pub seconds: f64,
    /// Latency percentiles of successful requests, in milliseconds.
    pub p50_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

impl LoadReport {
    /// Successful requests per second.
    pub fn rate(&self) -> f64 {
        self.succeeded as f64 / self.seconds
    }
}

/// An HTTP client for the API.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(1024)
        .tcp_nodelay(true)
        .build()
        .unwrap_or_default()
}

/// Sends one GraphQL request; the `data` of the answer.
///
/// # Errors
/// Transport failures, a non-200 status, or GraphQL errors in the answer.
pub async fn graphql(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<Value, String> {
    let response = client
        .post(url)
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let answer: Value = response.json().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("HTTP {status}: {answer}"));
    }
    if let Some(errors) = answer.get("errors") {
        return Err(errors.to_string());
    }
    Ok(answer.get("data").cloned().unwrap_or(Value::Null))
}

/// A query with variables, as a request body.
pub fn request(query: &str, variables: Value) -> Value {
    json!({ "query": query, "variables": variables })
}

/// Runs `load`, each client sending `body(n)` for a global counter `n`.
pub async fn run(load: &Load, body: Body) -> LoadReport {
    let client = client();
    let counter = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let deadline = started + load.duration;
    let clients: Vec<_> = (0..load.clients)
        .map(|_| {
            let (client, counter, body) = (client.clone(), counter.clone(), body.clone());
            let (url, token) = (load.url.clone(), load.token.clone());
            tokio::spawn(async move {
                let mut latencies = new_histogram();
                let mut failed = 0u64;
                let mut first_failure = None;
                while Instant::now() < deadline {
                    let n = counter.fetch_add(1, Ordering::Relaxed);
                    let sent = Instant::now();
                    match graphql(&client, &url, &token, &body(n)).await {
                        Ok(_) => {
                            let micros = sent.elapsed().as_micros() as u64;
                            let _ = latencies.record(micros.max(1));
                        }
                        Err(error) => {
                            failed += 1;
                            first_failure.get_or_insert(error);
                        }
                    }
                }
                (latencies, failed, first_failure)
            })
        })
        .collect();
    let mut latencies = new_histogram();
    let mut failed = 0;
    let mut first_failure = None;
    for client in clients {
        if let Ok((own, own_failed, own_failure)) = client.await {
            let _ = latencies.add(&own);
            failed += own_failed;
            if first_failure.is_none() {
                first_failure = own_failure;
            }
        }
    }
    let ms = |micros: u64| micros as f64 / 1000.0;
    LoadReport {
        succeeded: latencies.len(),
        failed,
        first_failure,
        seconds: started.elapsed().as_secs_f64(),
        p50_ms: ms(latencies.value_at_quantile(0.50)),
        p99_ms: ms(latencies.value_at_quantile(0.99)),
        max_ms: ms(latencies.max()),
    }
}

fn new_histogram() -> Histogram<u64> {
    // 1 µs to 60 s at 3 significant digits; the bounds are valid constants.
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("constant bounds are valid")
}
