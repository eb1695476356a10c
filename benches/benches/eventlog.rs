//! The event log itself: durable appends with 1, 8 and 64 concurrent writers,
//! and reading the whole log back (with and without decoding the events).
//!
//! Run: `cargo bench -p reestr-benches --bench eventlog`

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use eventlog::{EventLog, SqliteLog, codec, read_all};
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

fn append(c: &mut Criterion) {
    let runtime = runtime();
    let mut group = c.benchmark_group("append");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.throughput(Throughput::Elements(1));
    for writers in [1usize, 8, 64] {
        let dir = TempDir::new().unwrap();
        let log: Arc<dyn EventLog> =
            Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
        group.bench_with_input(
            BenchmarkId::new("single_event_commands", writers),
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
    }
    group.finish();
}

fn read(c: &mut Criterion) {
    let runtime = runtime();
    let dir = TempDir::new().unwrap();
    let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
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
    group.bench_function("envelopes", |b| {
        b.to_async(&runtime).iter(|| async {
            let n = read_all(Arc::clone(&log), 0)
                .map(|e| e.unwrap().position)
                .count()
                .await;
            assert_eq!(n as u64, LOG_EVENTS);
        });
    });
    group.bench_function("decoded_events", |b| {
        b.to_async(&runtime).iter(|| async {
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
