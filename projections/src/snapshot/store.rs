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
    /// Read, and deleted on an erasure, but never written (see [`SnapshotStore::read_only`]).
    pub(crate) read_only: bool,
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
            read_only: false,
        }
    }

    /// This store for a process that starts from the snapshot but never
    /// writes one (the command line beside a node on the same directory):
    /// a snapshot it folded before an erasure must not replace the node's.
    /// It still deletes the snapshot when it applies an erasure.
    pub fn read_only(mut self) -> SnapshotStore {
        self.read_only = true;
        self
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
        let written = self
            .write_to(&temporary, projections, position, event_id)
            .and_then(|file| Ok(file.metadata()?.len()))
            .and_then(|size| {
                std::fs::rename(&temporary, self.path())?;
                Ok(size)
            });
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        let size = written?;
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

    /// Deletes what a write left half done when its process was killed: a
    /// start is the one moment no write of this directory's node runs. (Such
    /// a file is as sealed as a snapshot, and an erasure deletes it too.)
    ///
    /// # Errors
    /// IO errors other than there being none.
    pub(crate) fn sweep(&self) -> Result<(), SnapshotError> {
        self.remove(|name| name != FILE)
    }

    /// Deletes the snapshot (and any file a write left half done), so that
    /// nothing on disk holds what it held.
    ///
    /// # Errors
    /// IO errors other than there being none.
    pub fn discard(&self) -> Result<(), SnapshotError> {
        self.remove(|_| true)
    }

    /// Deletes the snapshot's files whose names `which` picks.
    fn remove(&self, which: impl Fn(&str) -> bool) -> Result<(), SnapshotError> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == ErrorKind::NotFound => return Ok(()),
            Err(error) => return Err(error.into()),
        };
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with(FILE) && which(&name) {
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
    let read = |after: u64, limit: usize| {
        runtime
            .block_on(log.read_batch(after, limit))
            .map_err(|error| SnapshotError::Io(std::io::Error::other(error.to_string())))
    };
    match read(header.position - 1, 1)?.first() {
        Some(event) if event.event_id == header.event_id => {}
        _ => {
            return Err(SnapshotError::Stale(format!(
                "the log holds another event at position {}",
                header.position
            )));
        }
    }
    // An erasure after it (by another node, the command line, or a start
    // without snapshots): the snapshot holds what it removed, and its
    // models must not answer even until the fold reaches it.
    let mut after = header.position;
    while after < head {
        let batch = read(after, TAIL_BATCH)?;
        let Some(last) = batch.last() else {
            break;
        };
        if batch.iter().any(|event| event.event_type == ERASED) {
            return Err(SnapshotError::Stale(
                "an erasure in the log follows it".into(),
            ));
        }
        after = last.position;
    }
    Ok(())
}

/// The stored type of the event that erases personal data.
const ERASED: &str = "PersonalDataErased";

/// Events of the log after the snapshot read at once while looking for an erasure.
const TAIL_BATCH: usize = 4096;

fn sync_dir(dir: &Path) -> Result<(), SnapshotError> {
    File::open(dir)?.sync_all()?;
    Ok(())
}
