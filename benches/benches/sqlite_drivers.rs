//! Issue 2: which SQLite driver should the embedded event log use, sqlx or rusqlite?
//!
//! Both drivers write the same `events` table (WAL, `synchronous=FULL`) with the same rows:
//! one `person-<uuid>` stream per row, 16-byte uuid event ids and a ~200-byte
//! `MemberTransferred` JSON payload.
//!
//! * `insert_1000_rows`: every iteration inserts 1,000 new rows in one transaction and commits
//!   (one WAL fsync), i.e. one group commit of 1,000 appends. Row generation is outside the
//!   timed region (`iter_custom`).
//!   Every insert variant starts from its own copy of a 200,000-row log (random streams).
//!   `insert_1000_rows` appends to random person streams (realistic: a random leaf of the
//!   `UNIQUE(stream, version)` index per row); `insert_1000_rows_ordered_streams` appends to
//!   time-ordered streams (uuid v7), which takes the index write amplification out and leaves
//!   the driver's own cost. After each variant the share of time spent in COMMIT is printed.
//! * `scan`: 200,000 rows inserted once; every iteration reads them all in position order,
//!   decodes the envelope into owned fields and the payload with serde_json.
//!
//! Run: `cargo bench -p reestr-benches --bench sqlite_drivers`

use std::hint::black_box;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use futures::TryStreamExt;
use rusqlite::params_from_iter;
use serde::Deserialize;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, Row};
use tempfile::TempDir;
use uuid::Uuid;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY, stream TEXT NOT NULL, version INTEGER NOT NULL,
  event_id BLOB NOT NULL UNIQUE, event_type TEXT NOT NULL, schema_version INTEGER NOT NULL,
  effective_on TEXT, recorded_at INTEGER NOT NULL, actor TEXT NOT NULL, correlation_id BLOB, causation_id BLOB,
  payload TEXT NOT NULL, UNIQUE(stream, version))";

const INSERT_COLUMNS: &str = "INSERT INTO events (stream, version, event_id, event_type, schema_version, \
  effective_on, recorded_at, actor, correlation_id, causation_id, payload) VALUES ";
const ROW_PLACEHOLDERS: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
/// Bound parameters per row; SQLite allows 32,766 per statement, so at most 2,978 rows.
const PARAMS_PER_ROW: usize = 11;

const SELECT_ALL: &str = "SELECT position, stream, version, event_id, event_type, schema_version, \
  effective_on, recorded_at, actor, correlation_id, causation_id, payload FROM events ORDER BY position";
const SELECT_PAGE: &str = "SELECT position, stream, version, event_id, event_type, schema_version, \
  effective_on, recorded_at, actor, correlation_id, causation_id, payload FROM events \
  WHERE position > ?1 ORDER BY position LIMIT 10000";
const PAGE: usize = 10_000;

/// Time spent in COMMIT (WAL write + fsync + any auto-checkpoint), summed over a bench.
static COMMIT_NANOS: AtomicU64 = AtomicU64::new(0);
/// Time spent in the timed region, summed over a bench.
static TIMED_NANOS: AtomicU64 = AtomicU64::new(0);

fn add_nanos(counter: &AtomicU64, since: Instant) -> Duration {
    let elapsed = since.elapsed();
    counter.fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    elapsed
}

/// Prints and resets the share of the timed region spent committing.
fn report_commit_share(name: &str) {
    let commit = COMMIT_NANOS.swap(0, Ordering::Relaxed) as f64;
    let timed = TIMED_NANOS.swap(0, Ordering::Relaxed) as f64;
    if timed > 0.0 {
        println!(
            "{name}: COMMIT share of insert time {:.0}%",
            100.0 * commit / timed
        );
    }
}

const ROWS_PER_ITERATION: usize = 1_000;
const SCAN_ROWS: usize = 200_000;
const MULTI_ROW_SIZES: [usize; 2] = [100, 500];

// ---------------------------------------------------------------------------------------------
// Fixture rows
// ---------------------------------------------------------------------------------------------

/// One row as the writer receives it.
struct NewEvent {
    stream: String,
    version: i64,
    event_id: [u8; 16],
    event_type: &'static str,
    schema_version: i64,
    effective_on: Option<String>,
    recorded_at: i64,
    actor: String,
    correlation_id: Option<[u8; 16]>,
    causation_id: Option<[u8; 16]>,
    payload: String,
}

/// How person stream ids are drawn.
#[derive(Clone, Copy)]
enum StreamKeys {
    /// `person-<uuid v4>`: every row lands on a random leaf of the `UNIQUE(stream, version)`
    /// index, as appends to existing members of a large registry do.
    Random,
    /// `person-<uuid v7>`: new streams sort together, so the index grows at one spot.
    TimeOrdered,
}

/// Generates fresh, unique rows (new person stream per row, uuid v7 event ids).
struct Generator {
    keys: StreamKeys,
    counter: u64,
    orgs: Vec<Uuid>,
    actors: Vec<String>,
}

impl Generator {
    fn new(keys: StreamKeys) -> Self {
        Self {
            keys,
            counter: 0,
            orgs: (0..256).map(|_| Uuid::new_v4()).collect(),
            actors: (0..64)
                .map(|_| format!("user-{}", Uuid::new_v4()))
                .collect(),
        }
    }

    fn next(&mut self) -> NewEvent {
        let n = self.counter;
        self.counter += 1;
        let person = match self.keys {
            StreamKeys::Random => Uuid::new_v4(),
            StreamKeys::TimeOrdered => Uuid::now_v7(),
        };
        let from_org = self.orgs[(n % 256) as usize];
        let to_org = self.orgs[((n * 7 + 3) % 256) as usize];
        let payload = format!(
            r#"{{"person_id":"{person}","from_org":"{from_org}","to_org":"{to_org}","effective_on":"2024-09-01","basis":"application 2024/{n:06}"}}"#
        );
        NewEvent {
            stream: format!("person-{person}"),
            version: 1 + (n % 5) as i64,
            event_id: *Uuid::now_v7().as_bytes(),
            event_type: "MemberTransferred",
            schema_version: 1,
            effective_on: Some("2024-09-01".to_owned()),
            recorded_at: 1_790_000_000_000_000 + n as i64,
            actor: self.actors[(n % 64) as usize].clone(),
            correlation_id: Some(*Uuid::now_v7().as_bytes()),
            causation_id: None,
            payload,
        }
    }

    fn batch(&mut self, rows: usize) -> Vec<NewEvent> {
        (0..rows).map(|_| self.next()).collect()
    }
}

/// The INSERT text for `rows` rows, leaked once so sqlx can take it as `&'static str` (its
/// zero-copy, statement-cached path).
fn static_insert_sql(rows: usize) -> &'static str {
    Box::leak(multi_row_insert_sql(rows).into_boxed_str())
}

fn multi_row_insert_sql(rows: usize) -> String {
    assert!(rows * PARAMS_PER_ROW <= 32_766, "SQLite bind limit");
    let mut sql = String::from(INSERT_COLUMNS);
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(ROW_PLACEHOLDERS);
    }
    sql
}

// ---------------------------------------------------------------------------------------------
// Decoded rows (what read-all hands to projections)
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[allow(dead_code)] // fields are read through black_box only
struct MemberTransferred {
    person_id: Uuid,
    from_org: Uuid,
    to_org: Uuid,
    effective_on: String,
}

#[allow(dead_code)] // fields are read through black_box only
struct RecordedEvent {
    position: i64,
    stream: String,
    version: i64,
    event_id: Uuid,
    event_type: String,
    schema_version: i64,
    effective_on: Option<String>,
    recorded_at: i64,
    actor: String,
    correlation_id: Option<Uuid>,
    causation_id: Option<Uuid>,
    payload: MemberTransferred,
}

fn uuid_from(bytes: &[u8]) -> Uuid {
    Uuid::from_slice(bytes).expect("16-byte uuid")
}

// ---------------------------------------------------------------------------------------------
// rusqlite
// ---------------------------------------------------------------------------------------------

fn rusqlite_open(path: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode, "wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("synchronous");
    let sync: i64 = conn
        .pragma_query_value(None, "synchronous", |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    conn.execute_batch(SCHEMA).expect("schema");
    conn.set_prepared_statement_cache_capacity(32);
    conn
}

fn rusqlite_row_params(ev: &NewEvent) -> [rusqlite::types::ToSqlOutput<'_>; PARAMS_PER_ROW] {
    use rusqlite::types::{ToSqlOutput, Value, ValueRef};
    fn blob(b: &Option<[u8; 16]>) -> ToSqlOutput<'_> {
        match b {
            Some(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            None => ToSqlOutput::Owned(Value::Null),
        }
    }
    [
        ToSqlOutput::Borrowed(ValueRef::Text(ev.stream.as_bytes())),
        ToSqlOutput::Owned(Value::Integer(ev.version)),
        ToSqlOutput::Borrowed(ValueRef::Blob(&ev.event_id)),
        ToSqlOutput::Borrowed(ValueRef::Text(ev.event_type.as_bytes())),
        ToSqlOutput::Owned(Value::Integer(ev.schema_version)),
        match &ev.effective_on {
            Some(d) => ToSqlOutput::Borrowed(ValueRef::Text(d.as_bytes())),
            None => ToSqlOutput::Owned(Value::Null),
        },
        ToSqlOutput::Owned(Value::Integer(ev.recorded_at)),
        ToSqlOutput::Borrowed(ValueRef::Text(ev.actor.as_bytes())),
        blob(&ev.correlation_id),
        blob(&ev.causation_id),
        ToSqlOutput::Borrowed(ValueRef::Text(ev.payload.as_bytes())),
    ]
}

/// One transaction, the cached prepared single-row INSERT executed once per row, commit.
fn rusqlite_insert_per_row(conn: &mut rusqlite::Connection, rows: &[NewEvent]) {
    let tx = conn.transaction().expect("begin");
    {
        let single = multi_row_insert_sql(1);
        let mut stmt = tx.prepare_cached(&single).expect("prepare");
        for ev in rows {
            stmt.execute(params_from_iter(rusqlite_row_params(ev)))
                .expect("insert");
        }
    }
    let start = Instant::now();
    tx.commit().expect("commit");
    add_nanos(&COMMIT_NANOS, start);
}

/// One transaction, cached prepared multi-row INSERTs of `per_stmt` rows each, commit.
fn rusqlite_insert_multi(
    conn: &mut rusqlite::Connection,
    rows: &[NewEvent],
    sql: &str,
    per_stmt: usize,
) {
    let tx = conn.transaction().expect("begin");
    for chunk in rows.chunks(per_stmt) {
        let owned;
        let sql = if chunk.len() == per_stmt {
            sql
        } else {
            owned = multi_row_insert_sql(chunk.len());
            &owned
        };
        let mut stmt = tx.prepare_cached(sql).expect("prepare");
        stmt.execute(params_from_iter(chunk.iter().flat_map(rusqlite_row_params)))
            .expect("insert");
    }
    let start = Instant::now();
    tx.commit().expect("commit");
    add_nanos(&COMMIT_NANOS, start);
}

/// Reads everything in position order, in pages of 10,000 (`position > ? LIMIT 10000`).
fn rusqlite_scan(conn: &rusqlite::Connection) -> usize {
    let mut stmt = conn.prepare_cached(SELECT_PAGE).expect("prepare");
    let mut after = 0_i64;
    let mut total = 0;
    loop {
        let mut rows = stmt.query([after]).expect("query");
        let mut in_page = 0;
        while let Some(row) = rows.next().expect("row") {
            let text = |i: usize| row.get_ref(i).and_then(|v| Ok(v.as_str()?)).expect("text");
            let blob = |i: usize| {
                row.get_ref(i)
                    .and_then(|v| Ok(v.as_blob_or_null()?))
                    .expect("blob")
            };
            let ev = RecordedEvent {
                position: row.get(0).expect("position"),
                stream: text(1).to_owned(),
                version: row.get(2).expect("version"),
                event_id: uuid_from(blob(3).expect("event_id")),
                event_type: text(4).to_owned(),
                schema_version: row.get(5).expect("schema_version"),
                effective_on: row
                    .get_ref(6)
                    .and_then(|v| Ok(v.as_str_or_null()?))
                    .expect("effective_on")
                    .map(str::to_owned),
                recorded_at: row.get(7).expect("recorded_at"),
                actor: text(8).to_owned(),
                correlation_id: blob(9).map(uuid_from),
                causation_id: blob(10).map(uuid_from),
                payload: serde_json::from_str(text(11)).expect("payload"),
            };
            after = ev.position;
            black_box(&ev);
            in_page += 1;
        }
        total += in_page;
        if in_page < PAGE {
            return total;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// sqlx
// ---------------------------------------------------------------------------------------------

async fn sqlx_open(path: &Path) -> SqlitePool {
    let options = SqliteConnectOptions::from_str("sqlite://")
        .expect("options")
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    // One connection: the log has a single writer.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("connect");
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    sqlx::query(SCHEMA).execute(&pool).await.expect("schema");
    pool
}

fn sqlx_bind_row<'q>(
    q: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
    ev: &'q NewEvent,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    q.bind(ev.stream.as_str())
        .bind(ev.version)
        .bind(&ev.event_id[..])
        .bind(ev.event_type)
        .bind(ev.schema_version)
        .bind(ev.effective_on.as_deref())
        .bind(ev.recorded_at)
        .bind(ev.actor.as_str())
        .bind(ev.correlation_id.as_ref().map(|b| &b[..]))
        .bind(ev.causation_id.as_ref().map(|b| &b[..]))
        .bind(ev.payload.as_str())
}

/// One transaction, one single-row INSERT per row (sqlx caches the prepared statement), commit.
async fn sqlx_insert_per_row(pool: &SqlitePool, rows: &[NewEvent], single: &'static str) {
    let mut tx = pool.begin().await.expect("begin");
    for ev in rows {
        sqlx_bind_row(sqlx::query(single), ev)
            .execute(&mut *tx)
            .await
            .expect("insert");
    }
    let start = Instant::now();
    tx.commit().await.expect("commit");
    add_nanos(&COMMIT_NANOS, start);
}

/// One transaction, multi-row INSERTs of `per_stmt` rows each, commit.
async fn sqlx_insert_multi(
    pool: &SqlitePool,
    rows: &[NewEvent],
    sql: &'static str,
    per_stmt: usize,
) {
    let mut tx = pool.begin().await.expect("begin");
    for chunk in rows.chunks(per_stmt) {
        let mut q = if chunk.len() == per_stmt {
            sqlx::query(sql)
        } else {
            sqlx::query(AssertSqlSafe(multi_row_insert_sql(chunk.len())))
        };
        for ev in chunk {
            q = sqlx_bind_row(q, ev);
        }
        q.execute(&mut *tx).await.expect("insert");
    }
    let start = Instant::now();
    tx.commit().await.expect("commit");
    add_nanos(&COMMIT_NANOS, start);
}

/// Reads everything in position order through one streamed `fetch`.
async fn sqlx_scan(pool: &SqlitePool) -> usize {
    let mut rows = sqlx::query(SELECT_ALL).fetch(pool);
    let mut total = 0;
    while let Some(row) = rows.try_next().await.expect("row") {
        let ev = RecordedEvent {
            position: row.try_get(0).expect("position"),
            stream: row.try_get::<&str, _>(1).expect("stream").to_owned(),
            version: row.try_get(2).expect("version"),
            event_id: uuid_from(row.try_get::<&[u8], _>(3).expect("event_id")),
            event_type: row.try_get::<&str, _>(4).expect("event_type").to_owned(),
            schema_version: row.try_get(5).expect("schema_version"),
            effective_on: row
                .try_get::<Option<&str>, _>(6)
                .expect("effective_on")
                .map(str::to_owned),
            recorded_at: row.try_get(7).expect("recorded_at"),
            actor: row.try_get::<&str, _>(8).expect("actor").to_owned(),
            correlation_id: row
                .try_get::<Option<&[u8]>, _>(9)
                .expect("corr")
                .map(uuid_from),
            causation_id: row
                .try_get::<Option<&[u8]>, _>(10)
                .expect("caus")
                .map(uuid_from),
            payload: serde_json::from_str(row.try_get::<&str, _>(11).expect("payload"))
                .expect("payload"),
        };
        black_box(&ev);
        total += 1;
    }
    total
}

// ---------------------------------------------------------------------------------------------
// Benches
// ---------------------------------------------------------------------------------------------

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// The six insert variants; every one starts from a copy of the prefilled template log.
fn insert_variants(c: &mut Criterion, group_name: &str, keys: StreamKeys, template: &Path) {
    let rt = runtime();
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Elements(ROWS_PER_ITERATION as u64));
    group.measurement_time(Duration::from_secs(5));

    // 1. sqlx, one INSERT per row.
    {
        let dir = copy_of(template);
        let pool = rt.block_on(sqlx_open(&dir.path().join("log.db")));
        let single = static_insert_sql(1);
        let mut generator = Generator::new(keys);
        group.bench_function("sqlx/row_per_statement", |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let batches: Vec<_> = (0..iters)
                    .map(|_| generator.batch(ROWS_PER_ITERATION))
                    .collect();
                let pool = pool.clone();
                async move {
                    let start = Instant::now();
                    for batch in &batches {
                        sqlx_insert_per_row(&pool, batch, single).await;
                    }
                    add_nanos(&TIMED_NANOS, start)
                }
            });
        });
        rt.block_on(pool.close());
        report_commit_share(&format!("{group_name}/sqlx/row_per_statement"));
    }

    // 2. sqlx, multi-row INSERTs.
    for per_stmt in MULTI_ROW_SIZES {
        let dir = copy_of(template);
        let pool = rt.block_on(sqlx_open(&dir.path().join("log.db")));
        let sql = static_insert_sql(per_stmt);
        let mut generator = Generator::new(keys);
        group.bench_function(BenchmarkId::new("sqlx/multi_row", per_stmt), |b| {
            b.to_async(&rt).iter_custom(|iters| {
                let batches: Vec<_> = (0..iters)
                    .map(|_| generator.batch(ROWS_PER_ITERATION))
                    .collect();
                let pool = pool.clone();
                async move {
                    let start = Instant::now();
                    for batch in &batches {
                        sqlx_insert_multi(&pool, batch, sql, per_stmt).await;
                    }
                    add_nanos(&TIMED_NANOS, start)
                }
            });
        });
        rt.block_on(pool.close());
        report_commit_share(&format!("{group_name}/sqlx/multi_row/{per_stmt}"));
    }

    // 3. rusqlite, cached prepared statement, one execute per row.
    {
        let dir = copy_of(template);
        let mut conn = rusqlite_open(&dir.path().join("log.db"));
        let mut generator = Generator::new(keys);
        group.bench_function("rusqlite/row_per_statement", |b| {
            b.iter_custom(|iters| {
                let batches: Vec<_> = (0..iters)
                    .map(|_| generator.batch(ROWS_PER_ITERATION))
                    .collect();
                let start = Instant::now();
                for batch in &batches {
                    rusqlite_insert_per_row(&mut conn, batch);
                }
                add_nanos(&TIMED_NANOS, start)
            });
        });
        report_commit_share(&format!("{group_name}/rusqlite/row_per_statement"));
    }

    // 4. rusqlite, multi-row INSERTs.
    for per_stmt in MULTI_ROW_SIZES {
        let dir = copy_of(template);
        let mut conn = rusqlite_open(&dir.path().join("log.db"));
        let sql = multi_row_insert_sql(per_stmt);
        let mut generator = Generator::new(keys);
        group.bench_function(BenchmarkId::new("rusqlite/multi_row", per_stmt), |b| {
            b.iter_custom(|iters| {
                let batches: Vec<_> = (0..iters)
                    .map(|_| generator.batch(ROWS_PER_ITERATION))
                    .collect();
                let start = Instant::now();
                for batch in &batches {
                    rusqlite_insert_multi(&mut conn, batch, &sql, per_stmt);
                }
                add_nanos(&TIMED_NANOS, start)
            });
        });
        report_commit_share(&format!("{group_name}/rusqlite/multi_row/{per_stmt}"));
    }

    group.finish();
}

/// The template log: `SCAN_ROWS` rows with random person streams (rusqlite, 500-row
/// statements, 10,000-row commits), checkpointed into the main file. Built once per run.
fn template() -> &'static Path {
    static TEMPLATE: OnceLock<TempDir> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let dir = TempDir::new().unwrap();
            let mut conn = rusqlite_open(&dir.path().join("log.db"));
            let sql = multi_row_insert_sql(500);
            let mut generator = Generator::new(StreamKeys::Random);
            for _ in 0..SCAN_ROWS / 10_000 {
                rusqlite_insert_multi(&mut conn, &generator.batch(10_000), &sql, 500);
            }
            let n: i64 = conn
                .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
                .unwrap();
            assert_eq!(n as usize, SCAN_ROWS);
            conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
                .unwrap();
            drop(conn);
            // Prefill commits are not part of any measurement.
            COMMIT_NANOS.store(0, Ordering::Relaxed);
            dir
        })
        .path()
        .join("log.db")
        .leak()
}

/// A fresh TempDir holding a copy of the template log as `log.db`.
fn copy_of(template: &Path) -> TempDir {
    let dir = TempDir::new().unwrap();
    let copy = dir.path().join("log.db");
    std::fs::copy(template, &copy).expect("copy template");
    // Write the copy back now, so its writeback does not land in the first measured fsyncs.
    std::fs::File::open(&copy)
        .and_then(|f| f.sync_all())
        .expect("sync copy");
    dir
}

/// Insert into a 200,000-row log, new rows on random person streams (the realistic case).
fn insert_1000_rows(c: &mut Criterion) {
    insert_variants(c, "insert_1000_rows", StreamKeys::Random, template());
}

/// The same, new rows on time-ordered person streams: little index write amplification, so
/// what remains is the driver's cost per statement and per row.
fn insert_1000_rows_ordered_streams(c: &mut Criterion) {
    insert_variants(
        c,
        "insert_1000_rows_ordered_streams",
        StreamKeys::TimeOrdered,
        template(),
    );
}

fn scan(c: &mut Criterion) {
    let rt = runtime();
    let mut group = c.benchmark_group("scan");
    group.throughput(Throughput::Elements(SCAN_ROWS as u64));
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(6));

    {
        let dir = copy_of(template());
        let pool = rt.block_on(sqlx_open(&dir.path().join("log.db")));
        assert_eq!(rt.block_on(sqlx_scan(&pool)), SCAN_ROWS);
        group.bench_function("sqlx/fetch_stream", |b| {
            b.to_async(&rt).iter(|| sqlx_scan(&pool));
        });
        rt.block_on(pool.close());
    }

    {
        let dir = copy_of(template());
        let conn = rusqlite_open(&dir.path().join("log.db"));
        assert_eq!(rusqlite_scan(&conn), SCAN_ROWS);
        group.bench_function("rusqlite/pages_of_10000", |b| {
            b.iter(|| rusqlite_scan(&conn));
        });
    }

    group.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = insert_1000_rows, insert_1000_rows_ordered_streams, scan
}
criterion_main!(benches);
