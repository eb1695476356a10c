//! Where the snapshot is kept, and how it is read back into the models.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use eventlog::EventLog;
use eventlog::snapshot_key::SnapshotKey;
use uuid::Uuid;

use crate::runtime::Projection;
use crate::snapshot::file::{Header, SnapshotReader, SnapshotWriter};
use crate::snapshot::{FINGERPRINT, Install, SNAPSHOT_EVERY, SNAPSHOT_INTERVAL, SnapshotError};

/// The snapshot's file in the store's directory.
const FILE: &str = "read-models.snapshot";

/// A directory holding one snapshot of the read models, sealed with `key`.
#[derive(Clone)]
pub struct SnapshotStore {
    dir: PathBuf,
    key: SnapshotKey,
    /// Events after which the projector writes the next on its own.
    pub(crate) every: u64,
    /// The least time between two it writes on its own.
    pub(crate) interval: Duration,
}

/// A snapshot read back: its position and the models, to be put in place.
pub struct Loaded {
    /// The position every model is at once installed.
    pub position: u64,
    /// The id of the event at `position`.
    pub event_id: Uuid,
    install: Vec<Install>,
}

impl Loaded {
    /// Puts every model in place.
    pub fn install(self) {
        self.install.into_iter().for_each(|install| install());
    }
}

impl SnapshotStore {
    /// The store in `dir` (made `0700` when first written).
    pub fn new(dir: impl Into<PathBuf>, key: SnapshotKey) -> SnapshotStore {
        SnapshotStore {
            dir: dir.into(),
            key,
            every: SNAPSHOT_EVERY,
            interval: SNAPSHOT_INTERVAL,
        }
    }

    /// This store, the projector writing a snapshot on its own after `every`
    /// events, at most once per `interval` (by default [`SNAPSHOT_EVERY`] and
    /// [`SNAPSHOT_INTERVAL`]).
    pub fn with_cadence(mut self, every: u64, interval: Duration) -> SnapshotStore {
        self.every = every;
        self.interval = interval;
        self
    }

    /// The snapshot's file.
    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// Reads the snapshot into `projections` (not yet installed), when there
    /// is one of this build and of `log`; `Ok(None)` when there is none.
    /// Blocks for as long as the models take to read.
    ///
    /// # Errors
    /// [`SnapshotError::Stale`] for another build's or another log's (or one
    /// past the log's head), [`SnapshotError::Damaged`] for a changed or cut
    /// file, IO errors. The caller discards it and folds from position 0.
    pub fn load(
        &self,
        projections: &[Arc<dyn Projection>],
        log: &dyn EventLog,
        runtime: &tokio::runtime::Handle,
    ) -> Result<Option<Loaded>, SnapshotError> {
        let file = match File::open(self.path()) {
            Ok(file) => file,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        let mut reader = SnapshotReader::open(file, self.key.clone())?;
        let header = reader.header().clone();
        if header.fingerprint != FINGERPRINT {
            return Err(SnapshotError::Stale(
                "written by another build of the read models".into(),
            ));
        }
        if header.sections as usize != projections.len() {
            return Err(SnapshotError::Stale(format!(
                "{} models in the file, {} here",
                header.sections,
                projections.len()
            )));
        }
        check_log(&header, log, runtime)?;
        // Each model is read on a thread of its own while the next section
        // is opened: the registry's and the statistics' take about as long.
        let install = std::thread::scope(|scope| {
            let mut reading = Vec::with_capacity(projections.len());
            let mut opened = Ok(());
            for projection in projections {
                let bytes = match reader.next_section() {
                    Ok(Some((name, _))) if name != projection.name() => Err(SnapshotError::Stale(
                        format!("the file has {name} where {} belongs", projection.name()),
                    )),
                    Ok(Some((_, bytes))) => Ok(bytes),
                    Ok(None) => Err(SnapshotError::Damaged("a section is missing".into())),
                    Err(error) => Err(error),
                };
                let bytes = match bytes {
                    Ok(bytes) => bytes,
                    Err(error) => {
                        opened = Err(error);
                        break;
                    }
                };
                let projection = Arc::clone(projection);
                reading.push(scope.spawn(move || projection.restore(&bytes)));
            }
            // Every thread joined, whatever happened: none outlives the scope.
            let read: Vec<Result<Install, SnapshotError>> = reading
                .into_iter()
                .map(|read| {
                    read.join().unwrap_or_else(|_| {
                        Err(SnapshotError::Damaged("a model panicked while read".into()))
                    })
                })
                .collect();
            opened?;
            read.into_iter()
                .collect::<Result<Vec<Install>, SnapshotError>>()
        })?;
        reader.finish()?;
        Ok(Some(Loaded {
            position: header.position,
            event_id: header.event_id,
            install,
        }))
    }

    /// Writes every model of `projections`, all at `position` (the event
    /// `event_id`), in place of the snapshot there was; returns the file's
    /// size. The models must not change meanwhile: the projector holds back
    /// its batches while this runs.
    ///
    /// # Errors
    /// IO errors and a model that does not encode; the earlier snapshot, if
    /// any, is then still in place.
    pub fn write(
        &self,
        projections: &[Arc<dyn Projection>],
        position: u64,
        event_id: Uuid,
    ) -> Result<u64, SnapshotError> {
        std::fs::create_dir_all(&self.dir)?;
        std::fs::set_permissions(&self.dir, std::fs::Permissions::from_mode(0o700))?;
        let temporary = self.dir.join(format!(
            "{FILE}.{}.{}",
            std::process::id(),
            Uuid::new_v4().simple()
        ));
        let written = self.write_to(&temporary, projections, position, event_id);
        let file = match written {
            Ok(file) => file,
            Err(error) => {
                let _ = std::fs::remove_file(&temporary);
                return Err(error);
            }
        };
        let size = file.metadata()?.len();
        std::fs::rename(&temporary, self.path())?;
        sync_dir(&self.dir)?;
        Ok(size)
    }

    fn write_to(
        &self,
        path: &Path,
        projections: &[Arc<dyn Projection>],
        position: u64,
        event_id: Uuid,
    ) -> Result<File, SnapshotError> {
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)?;
        let header = Header {
            fingerprint: FINGERPRINT,
            position,
            event_id,
            sections: u32::try_from(projections.len()).unwrap_or(u32::MAX),
        };
        let mut writer = SnapshotWriter::new(file, self.key.clone(), &header)?;
        for projection in projections {
            let mut section = writer.section(projection.name())?;
            projection.save(&mut section)?;
            section.finish()?;
        }
        writer.finish()
    }

    /// Deletes the snapshot (and any file a write left half done), so that
    /// nothing on disk holds what it held.
    ///
    /// # Errors
    /// IO errors other than there being none.
    pub fn discard(&self) -> Result<(), SnapshotError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error.into()),
        };
        for entry in entries {
            let entry = entry?;
            if entry.file_name().to_string_lossy().starts_with(FILE) {
                match std::fs::remove_file(entry.path()) {
                    Err(error) if error.kind() != ErrorKind::NotFound => return Err(error.into()),
                    _ => {}
                }
            }
        }
        sync_dir(&self.dir)
    }
}

/// The snapshot is of `log`: the log reaches its position and holds the same
/// event there.
fn check_log(
    header: &Header,
    log: &dyn EventLog,
    runtime: &tokio::runtime::Handle,
) -> Result<(), SnapshotError> {
    let head = *log.head().borrow();
    if header.position == 0 || header.position > head {
        return Err(SnapshotError::Stale(format!(
            "it is at position {}, the log ends at {head}",
            header.position
        )));
    }
    let there = runtime
        .block_on(log.read_batch(header.position - 1, 1))
        .map_err(|error| SnapshotError::Io(std::io::Error::other(error.to_string())))?;
    match there.first() {
        Some(event) if event.event_id == header.event_id => Ok(()),
        _ => Err(SnapshotError::Stale(format!(
            "the log holds another event at position {}",
            header.position
        ))),
    }
}

fn sync_dir(dir: &Path) -> Result<(), SnapshotError> {
    File::open(dir)?.sync_all()?;
    Ok(())
}
