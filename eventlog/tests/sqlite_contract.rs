//! The SQLite backend against the event log's contract.

use std::sync::Arc;

use async_trait::async_trait;
use eventlog::contract::Backend;
use eventlog::{EventLog, SqliteLog};
use tempfile::TempDir;

struct SqliteBackend {
    dir: TempDir,
}

#[async_trait]
impl Backend for SqliteBackend {
    async fn open(&self) -> Arc<dyn EventLog> {
        Arc::new(SqliteLog::open(self.dir.path().join("log.sqlite")).unwrap())
    }
}

async fn backend() -> Option<SqliteBackend> {
    Some(SqliteBackend {
        dir: TempDir::new().unwrap(),
    })
}

eventlog::contract_suite!(backend());
