//! Opening the log the command line points at.

use std::fmt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use eventlog::snapshot_key::SnapshotKey;
use eventlog::{Backend, PostgresLog, SqliteLog};
use projections::snapshot::SnapshotStore;

use crate::cli::StoreArgs;

/// The embedded log's file inside a data directory.
pub const SQLITE_FILE: &str = "reestr.sqlite";

/// Where a log is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database, by URL.
    Postgres(String),
}

/// The directory of the read models' snapshot inside a data directory.
pub const SNAPSHOTS_DIR: &str = "snapshots";

/// Where a node keeps its snapshot of the read models: `snapshots/` in its
/// data directory (each node its own, whichever log it serves), sealed with
/// a key derived from the key file (`--key-file`, else the one beside the
/// data directory, created for a PostgreSQL node that has none); none with
/// `--no-snapshots`, or when the data directory does not exist (a
/// PostgreSQL node given none: it folds the log at every start).
pub fn snapshot_store(
    store: &StoreArgs,
    args: &crate::cli::ServeArgs,
) -> anyhow::Result<Option<SnapshotStore>> {
    if args.no_snapshots {
        return Ok(None);
    }
    if !store.data_dir.is_dir() {
        eprintln!(
            "No data directory at {}: no snapshot of the read models is kept, every start folds the whole log.",
            store.data_dir.display()
        );
        return Ok(None);
    }
    let key_file = snapshot_key_file(store)?;
    let kek = match eventlog::key_file::read(&key_file)? {
        Some(kek) => kek,
        None => eventlog::key_file::create(&key_file)?,
    };
    Ok(Some(SnapshotStore::new(
        store.data_dir.join(SNAPSHOTS_DIR),
        SnapshotKey::derive(&kek),
    )))
}

/// The snapshot of the data directory for a command-line process: read when
/// it fits, deleted by an erasure the process applies, never written (a
/// node may be serving the same directory's log). None when there is no
/// snapshot to read or no key file to open it.
pub fn snapshot_to_read(store: &StoreArgs) -> Option<SnapshotStore> {
    let dir = store.data_dir.join(SNAPSHOTS_DIR);
    if !dir.is_dir() {
        return None;
    }
    let kek = eventlog::key_file::read(&snapshot_key_file(store).ok()?).ok()??;
    Some(SnapshotStore::new(dir, SnapshotKey::derive(&kek)).read_only())
}

fn snapshot_key_file(store: &StoreArgs) -> anyhow::Result<PathBuf> {
    Ok(match &store.key_file {
        Some(path) => path.clone(),
        None => eventlog::key_file::beside(&store.data_dir.join(SQLITE_FILE))?,
    })
}

/// Mode of a data directory: the owner's alone.
const DATA_DIR_MODE: u32 = 0o700;

/// Opens the log named by `--database-url`, else the one in `--data-dir`
/// (with `--key-file`, else the key file beside the data directory).
pub async fn open(store: &StoreArgs) -> anyhow::Result<Arc<dyn Backend>> {
    Location::of(store)?.open(store.key_file.as_deref()).await
}

impl Location {
    /// The log `--database-url` names, else the one in `--data-dir`.
    pub fn of(store: &StoreArgs) -> anyhow::Result<Location> {
        match &store.database_url {
            Some(url) => Location::from_url(url),
            None => Ok(Location::in_data_dir(&store.data_dir)),
        }
    }

    /// `sqlite://PATH` or `postgres://…` (`postgresql://…`); anything else is the
    /// path of a data directory, whose log is its `reestr.sqlite`.
    pub fn parse(text: &str) -> anyhow::Result<Location> {
        if text.contains("://") || text.starts_with("sqlite:") {
            Location::from_url(text)
        } else {
            Ok(Location::in_data_dir(Path::new(text)))
        }
    }

    fn in_data_dir(data_dir: &Path) -> Location {
        Location::Sqlite(data_dir.join(SQLITE_FILE))
    }

    fn from_url(url: &str) -> anyhow::Result<Location> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                bail!("{url}: the sqlite URL names no file");
            }
            return Ok(Location::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Location::Postgres(url.to_string()));
        }
        bail!("{url}: unknown database URL; expected sqlite://PATH or postgres://USER@HOST/DB")
    }

    /// Opens the log, creating an SQLite file or the tables of a PostgreSQL
    /// database as needed (the database itself must exist). An SQLite log's
    /// keys are wrapped by `key_file`'s key, by default the key file beside its
    /// directory; a data directory (holding `reestr.sqlite`) is made `0700`.
    pub async fn open(&self, key_file: Option<&Path>) -> anyhow::Result<Arc<dyn Backend>> {
        Ok(match self {
            Location::Sqlite(path) => {
                let opened = match key_file {
                    Some(key_file) => SqliteLog::open_with_key_file(path, key_file),
                    None => SqliteLog::open(path),
                };
                let log =
                    opened.with_context(|| format!("opening the log at {}", path.display()))?;
                if path.file_name() == Some(SQLITE_FILE.as_ref())
                    && let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty())
                {
                    // A data directory of an earlier version may be 0755.
                    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(DATA_DIR_MODE))
                        .with_context(|| format!("restricting {}", dir.display()))?;
                }
                Arc::new(log)
            }
            Location::Postgres(url) => Arc::new(
                PostgresLog::open(url)
                    .await
                    .with_context(|| format!("opening the log at {}", redacted(url)))?,
            ),
        })
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Sqlite(path) => write!(f, "sqlite://{}", path.display()),
            Location::Postgres(url) => f.write_str(&redacted(url)),
        }
    }
}

/// `url` without its password, for messages.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user_info, host)) if user_info.contains(':') => {
            let user = user_info.split(':').next().unwrap_or_default();
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_string(),
    }
}
