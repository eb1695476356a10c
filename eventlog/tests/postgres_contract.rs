//! The PostgreSQL backend against the event log's contract: the same suite as
//! SQLite, each test in its own fresh database.

mod postgres_support;

use std::sync::Arc;

use async_trait::async_trait;
use eventlog::contract::TestBackend;
use eventlog::{Backend, PostgresLog};

use crate::postgres_support::{TestDatabase, fresh_database};

struct PostgresBackend {
    database: TestDatabase,
}

#[async_trait]
impl TestBackend for PostgresBackend {
    async fn open(&self) -> Arc<dyn Backend> {
        Arc::new(PostgresLog::open(&self.database.url).await.unwrap())
    }
}

async fn backend() -> Option<PostgresBackend> {
    fresh_database()
        .await
        .map(|database| PostgresBackend { database })
}

eventlog::contract_suite!(backend());
