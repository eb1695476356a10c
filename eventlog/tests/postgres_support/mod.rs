//! A fresh PostgreSQL database per test, dropped at its end.
//!
//! The server is `REESTR_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets its own database
//! `reestr_t_<random>` on it. When the server cannot be reached, a test is
//! skipped with a loud warning, except under `CI=true`, where it fails.
//! (Shared by `eventlog/tests/postgres_*.rs` and, by path, `tests/postgres_*.rs`.)

#![allow(dead_code)]

use std::io::Write;

use eventlog::PostgresLog;

/// The server tests use when `REESTR_TEST_POSTGRES_URL` is not set.
pub const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database that exists for one test; dropped (connections closed) on drop.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
}

/// A new empty database, or `None` (after a warning) when there is no server
/// and this is not CI.
pub async fn fresh_database() -> Option<TestDatabase> {
    let base = std::env::var("REESTR_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.into());
    let name = format!("reestr_t_{}", uuid::Uuid::new_v4().simple());
    let url = with_database(&base, &name);
    match PostgresLog::create_database(&url).await {
        Ok(_) => Some(TestDatabase { url }),
        Err(error) if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("PostgreSQL at {base} is required on CI: {error}")
        }
        Err(error) => {
            // Straight to the process's stderr: the test harness captures
            // `eprintln!` of a passing test, and this must be seen.
            let warning = format!(
                "\n!!!!!!!! WARNING: PostgreSQL at {base} is unreachable ({error});\n\
                 !!!!!!!! this PostgreSQL test is SKIPPED. Set REESTR_TEST_POSTGRES_URL or start the server.\n"
            );
            let _ = std::io::stderr().write_all(warning.as_bytes());
            None
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let url = self.url.clone();
        // Drop runs inside the test's runtime, which must not block on itself.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for dropping the test database");
            runtime.block_on(PostgresLog::drop_database(&url))
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: the test database {} was not dropped", self.url);
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (without_query, query) = match url.split_once('?') {
        Some((before, after)) => (before, Some(after)),
        None => (url, None),
    };
    let authority_start = without_query.find("://").map_or(0, |i| i + 3);
    let base = match without_query[authority_start..].find('/') {
        Some(slash) => &without_query[..authority_start + slash],
        None => without_query,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}
