//! Opening the log the command line points at.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use eventlog::{EventLog, SqliteLog};

use crate::cli::StoreArgs;

/// The embedded log's file inside a data directory.
pub const SQLITE_FILE: &str = "reestr.sqlite";

/// Opens the log named by `--database-url`, else the one in `--data-dir`.
pub fn open(store: &StoreArgs) -> anyhow::Result<Arc<dyn EventLog>> {
    let path = match &store.database_url {
        Some(url) => sqlite_path(url)?,
        None => store.data_dir.join(SQLITE_FILE),
    };
    let log =
        SqliteLog::open(&path).with_context(|| format!("opening the log at {}", path.display()))?;
    Ok(Arc::new(log))
}

fn sqlite_path(url: &str) -> anyhow::Result<PathBuf> {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        if path.is_empty() {
            bail!("{url}: the sqlite URL names no file");
        }
        return Ok(PathBuf::from(path));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        bail!("{url}: the PostgreSQL backend is not built yet; use sqlite://PATH or --data-dir");
    }
    bail!("{url}: unknown database URL; expected sqlite://PATH")
}
