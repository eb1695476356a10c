//! The event log itself: durable appends with 1, 8 and 64 concurrent writers,
//! and reading the whole log back (with and without decoding the events), on
//! SQLite and on PostgreSQL (`postgres_…` ids; a fresh database on the server
//! of `REESTR_BENCH_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`,
//! skipped with a warning when it is unreachable).
//!
//! Run: `cargo bench -p reestr-benches --bench eventlog`

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use eventlog::{EventLog, PostgresLog, SqliteLog, codec, read_all};
use futures::StreamExt;
use tempfile::TempDir;

/// Events in the log that the read benchmarks scan.
const LOG_EVENTS: u64 = 200_000;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A fresh PostgreSQL database for one benchmark, dropped by [`drop_database`];
/// `None` (with a warning) when the server is unreachable.
fn postgres_database(runtime: &tokio::runtime::Runtime) -> Option<String> {
    let base = std::env::var("REESTR_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let (server, _) = base.rsplit_once('/')?;
    let url = format!("{server}/reestr_bench_{}", uuid::Uuid::new_v4().simple());
    match runtime.block_on(PostgresLog::create_database(&url)) {
        Ok(_) => Some(url),
        Err(error) => {
            eprintln!("WARNING: no PostgreSQL at {base} ({error}); its benches are skipped");
            None
        }
    }
}

fn drop_database(runtime: &tokio::runtime::Runtime, url: &str) {
    if let Err(error) = runtime.block_on(PostgresLog::drop_database(url)) {
        eprintln!("warning: {url} was not dropped: {error}");
    }
}

/// The logs the benches compare: (id prefix, log, PostgreSQL database to drop).
fn logs(
    runtime: &tokio::runtime::Runtime,
    dir: &TempDir,
) -> Vec<(&'static str, Arc<dyn EventLog>, Option<String>)> {
    let sqlite: Arc<dyn EventLog> =
        Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
    let mut logs = vec![("", sqlite, None)];
    if let Some(url) = postgres_database(runtime) {
        let postgres: Arc<dyn EventLog> =
            Arc::new(runtime.block_on(PostgresLog::open(&url)).unwrap());
        logs.push(("postgres_", postgres, Some(url)));
    }
    logs
}

fn append(c: &mut Criterion) {
    let runtime = runtime();
    let mut group = c.benchmark_group("append");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(1));
    for writers in [1usize, 8, 64] {
        let dir = TempDir::new().unwrap();
        for (prefix, log, database) in logs(&runtime, &dir) {
            group.bench_with_input(
                BenchmarkId::new(format!("{prefix}single_event_commands"), writers),
                &writers,
                |b, &writers| {
                    b.to_async(&runtime).iter_custom(|iters| {
                        let log = Arc::clone(&log);
                        async move {
                            let started = Instant::now();
                            reestr_benches::append_transfers(log, writers, iters, |_| {})
                                .await
                                .unwrap();
                            started.elapsed()
                        }
                    });
                },
            );
            runtime.block_on(log.shutdown()).unwrap();
            if let Some(url) = database {
                drop_database(&runtime, &url);
            }
        }
    }
    group.finish();
}

fn read(c: &mut Criterion) {
    let runtime = runtime();
    let dir = TempDir::new().unwrap();
    for (prefix, log, database) in logs(&runtime, &dir) {
        read_one(c, &runtime, prefix, log);
        if let Some(url) = database {
            drop_database(&runtime, &url);
        }
    }
}

fn read_one(
    c: &mut Criterion,
    runtime: &tokio::runtime::Runtime,
    prefix: &str,
    log: Arc<dyn EventLog>,
) {
    runtime
        .block_on(reestr_benches::append_transfers(
            Arc::clone(&log),
            256,
            LOG_EVENTS,
            |_| {},
        ))
        .unwrap();

    let mut group = c.benchmark_group("read_all");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(LOG_EVENTS));
    group.bench_function(format!("{prefix}envelopes"), |b| {
        b.to_async(runtime).iter(|| async {
            let n = read_all(Arc::clone(&log), 0)
                .map(|e| e.unwrap().position)
                .count()
                .await;
            assert_eq!(n as u64, LOG_EVENTS);
        });
    });
    group.bench_function(format!("{prefix}decoded_events"), |b| {
        b.to_async(runtime).iter(|| async {
            let n = read_all(Arc::clone(&log), 0)
                .map(|e| codec::decode(&e.unwrap()).unwrap())
                .count()
                .await;
            assert_eq!(n as u64, LOG_EVENTS);
        });
    });
    group.finish();
    runtime.block_on(log.shutdown()).unwrap();
}

criterion_group!(benches, append, read);
criterion_main!(benches);
