//! The library's files in the table `files` of the log's database.

use async_trait::async_trait;
use domain::library::FileHash;

use crate::error::Error;
use crate::files::{FileStore, checked, hash_of};
use crate::postgres::sql;

/// Files in the PostgreSQL table `files` (the log's own database), shared by
/// every node.
pub struct PostgresFiles {
    pool: sqlx::PgPool,
}

impl PostgresFiles {
    /// The store in the database of `pool` (the table is the log's migration's).
    pub fn new(pool: sqlx::PgPool) -> PostgresFiles {
        PostgresFiles { pool }
    }
}

#[async_trait]
impl FileStore for PostgresFiles {
    async fn put(&self, bytes: &[u8]) -> Result<FileHash, Error> {
        let hash = hash_of(bytes);
        sqlx::query(sql::PUT_FILE)
            .bind(hash.as_str())
            .bind(bytes)
            .execute(&self.pool)
            .await?;
        Ok(hash)
    }

    async fn get(&self, hash: &FileHash) -> Result<Option<Vec<u8>>, Error> {
        let bytes: Option<Vec<u8>> = sqlx::query_scalar(sql::GET_FILE)
            .bind(hash.as_str())
            .fetch_optional(&self.pool)
            .await?;
        bytes.map(|b| checked(hash, b)).transpose()
    }
}
