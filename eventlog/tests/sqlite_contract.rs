//! The SQLite backend against the event log's contract.

use std::sync::Arc;

use async_trait::async_trait;
use eventlog::contract::TestBackend;
use eventlog::{Backend, SqliteLog};
use tempfile::TempDir;

struct SqliteBackend {
    dir: TempDir,
}

#[async_trait]
impl TestBackend for SqliteBackend {
    async fn open(&self) -> Arc<dyn Backend> {
        Arc::new(SqliteLog::open(self.dir.path().join("log.sqlite")).unwrap())
    }
}

async fn backend() -> Option<SqliteBackend> {
    Some(SqliteBackend {
        dir: TempDir::new().unwrap(),
    })
}

eventlog::contract_suite!(backend());
