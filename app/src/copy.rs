//! Copying a whole log to another backend (`reestr copy`), resumable and
//! verified.
//!
//! The events travel as stored ([`BulkLog::export`] → [`BulkLog::import_raw`]):
//! positions, ids, recorded times and sealed personal data byte for byte, with
//! the commands (retries stay duplicates) and the vault keys; an erased
//! stream's sealed bytes travel without a key, so it stays erased. Each batch
//! is one durable transaction in the target, so an interrupted copy resumes
//! after the target's head, once the overlap is checked to be the same log. At
//! the end both logs are read again and compared by count and digest.
//!
//! The files the events name by hash (the library's documents) live in each
//! log's file store, not in the log: each batch's files are copied into the
//! target's store before the batch's events (so no event there ever names a
//! file its store lacks, as on the command path), read back from the source
//! checked against their hash; a resumed copy takes along the files of what
//! the target holds already too. Verifying reads every file the target's
//! events name from the target's store, checked against its hash.

use std::collections::HashSet;
use std::sync::Arc;

use domain::event::names_file;
use domain::library::FileHash;
use eventlog::bulk::digest_log;
use eventlog::codec;
use eventlog::raw::RawEvent;
use eventlog::{Backend, BulkLog, Digest, FileStore, Personal, RawBatch, StoredEvent};

/// Events compared before resuming: the target's last ones against the source's.
pub const OVERLAP: u64 = 1_000;

/// Why a copy stopped. What was copied before stays (each batch is durable).
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// The target holds more than the source: it is not a copy of it.
    #[error("the target holds {target} events, more than the source ({held})")]
    TargetAhead {
        /// The target's head.
        target: u64,
        /// The source's head.
        held: u64,
    },
    /// The target's last events differ from the source's at those positions.
    #[error("the target is not an interrupted copy of the source: positions {from}..={to} differ")]
    NotACopy {
        /// The first position compared.
        from: u64,
        /// The last.
        to: u64,
    },
    /// The source ended before its head.
    #[error("the source ends at {at}, before its head {head}")]
    SourceShort {
        /// Where it ended.
        at: u64,
        /// Its head.
        head: u64,
    },
    /// The two logs differ after the copy.
    #[error("verification failed: {0}")]
    Verification(String),
    /// An event names a file the source's file store does not hold.
    #[error(
        "the event at position {position} names the file {sha256}, which the source does not hold"
    )]
    MissingFile {
        /// The event's position.
        position: u64,
        /// The file's SHA-256.
        sha256: String,
    },
    /// A log has no file store of its own to copy files from or into.
    #[error("the {0} has no file store, so its library files cannot be copied")]
    NoFileStore(&'static str),
    /// A log failed.
    #[error(transparent)]
    Log(#[from] eventlog::Error),
}

/// One copy from `source` to `target`, in batches of `batch` events, the
/// files their events name from one's file store to the other's.
pub struct LogCopy<'a> {
    source: &'a dyn BulkLog,
    target: &'a dyn BulkLog,
    files: Files,
    batch: usize,
}

/// The two file stores, or which log has none.
type Files = Result<(Arc<dyn FileStore>, Arc<dyn FileStore>), &'static str>;

/// The source's and the target's file stores, borrowed.
type Stores<'s> = (&'s Arc<dyn FileStore>, &'s Arc<dyn FileStore>);

/// What a verified copy holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The digest both logs have.
    pub digest: String,
    /// The distinct files the target's events name, each read back from its
    /// store and checked against its hash.
    pub files: usize,
    /// Their bytes.
    pub file_bytes: u64,
}

/// What a copy will do: positions `start + 1 ..= until`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyPlan {
    /// The target's head: what it holds already.
    pub start: u64,
    /// The source's head: where the copy ends.
    pub until: u64,
}

impl<'a> LogCopy<'a> {
    /// A copy in batches of `batch` events (at least 1), with the files of
    /// each log's own store ([`eventlog::Coordination::files`]).
    pub fn new(source: &'a dyn Backend, target: &'a dyn Backend, batch: usize) -> LogCopy<'a> {
        let files = match (source.files(), target.files()) {
            (Some(from), Some(to)) => Ok((from, to)),
            (None, _) => Err("source"),
            (_, None) => Err("target"),
        };
        LogCopy {
            source,
            target,
            files,
            batch: batch.max(1),
        }
    }

    /// What is left to copy, once the target is found empty or an
    /// interrupted copy of the source (its last [`OVERLAP`] events the same).
    ///
    /// # Errors
    /// [`CopyError::TargetAhead`], [`CopyError::NotACopy`], log failures.
    pub async fn plan(&self) -> Result<CopyPlan, CopyError> {
        let until = *self.source.head().borrow();
        let start = *self.target.head().borrow();
        if start > until {
            return Err(CopyError::TargetAhead {
                target: start,
                held: until,
            });
        }
        if start > 0 {
            let count = start.min(OVERLAP);
            let limit = usize::try_from(count).unwrap_or(usize::MAX);
            let ours = self.source.export(start - count, limit).await?;
            let theirs = self.target.export(start - count, limit).await?;
            if ours.events != theirs.events || ours.commands != theirs.commands {
                return Err(CopyError::NotACopy {
                    from: start - count + 1,
                    to: start,
                });
            }
        }
        Ok(CopyPlan { start, until })
    }

    /// Copies `plan`'s positions (each batch's files first), then every
    /// erasure, and finishes the target's bulk load; `progress` hears the
    /// target's head after each batch. A resumed copy first takes along the
    /// files of the positions the target holds already (storing a file again
    /// changes nothing).
    ///
    /// # Errors
    /// [`CopyError::SourceShort`], [`CopyError::MissingFile`], log and file
    /// store failures.
    pub async fn run(
        &self,
        plan: CopyPlan,
        mut progress: impl FnMut(u64),
    ) -> Result<(), CopyError> {
        let mut copied = HashSet::new();
        let mut after = 0;
        while after < plan.start {
            let limit = self
                .batch
                .min(usize::try_from(plan.start - after).unwrap_or(usize::MAX));
            let batch = self.source.export(after, limit).await?;
            let Some(last) = batch.last_position() else {
                break;
            };
            self.copy_files(&batch.events, &mut copied).await?;
            after = last;
        }
        let mut after = plan.start;
        while after < plan.until {
            let limit = self
                .batch
                .min(usize::try_from(plan.until - after).unwrap_or(usize::MAX));
            let batch = self.source.export(after, limit).await?;
            if batch.events.is_empty() {
                return Err(CopyError::SourceShort {
                    at: after,
                    head: plan.until,
                });
            }
            self.copy_files(&batch.events, &mut copied).await?;
            after = self.target.import_raw(batch).await?;
            progress(after);
        }
        self.target
            .import_raw(RawBatch {
                erasures: self.source.erasures().await?,
                ..RawBatch::default()
            })
            .await?;
        self.target.finish_import().await?;
        Ok(())
    }

    /// Reads both logs up to `until` again and compares them by count and
    /// digest, and reads every file the target's events name from the
    /// target's store, checked against its hash.
    ///
    /// # Errors
    /// [`CopyError::Verification`] when the logs differ or a file is missing
    /// or corrupt in the target; log failures.
    pub async fn verify(&self, until: u64) -> Result<Verified, CopyError> {
        let (expected, found) = tokio::join!(
            digest_log(self.source, until, self.batch),
            self.read_target(until),
        );
        let (expected, (found, named)) = (expected?, found?);
        let target_head = *self.target.head().borrow();
        if expected.events() != until || found.events() != until || target_head != until {
            return Err(CopyError::Verification(format!(
                "the source has {} events up to {until}, the target {} (head {target_head})",
                expected.events(),
                found.events()
            )));
        }
        let (expected, found) = (expected.finish(), found.finish());
        if expected != found {
            return Err(CopyError::Verification(format!(
                "digest of the source {expected}, of the target {found}"
            )));
        }
        let mut file_bytes = 0;
        if !named.is_empty() {
            let (_, target) = self.stores()?;
            for hash in &named {
                match target.get(hash).await {
                    Ok(Some(bytes)) => file_bytes += bytes.len() as u64,
                    Ok(None) => {
                        return Err(CopyError::Verification(format!(
                            "the target's store lacks the file {hash}"
                        )));
                    }
                    Err(error) => {
                        return Err(CopyError::Verification(format!(
                            "the target's file {hash}: {error}"
                        )));
                    }
                }
            }
        }
        Ok(Verified {
            digest: found,
            files: named.len(),
            file_bytes,
        })
    }

    /// The target's digest up to `until` and the files its events name.
    async fn read_target(&self, until: u64) -> Result<(Digest, HashSet<FileHash>), CopyError> {
        let mut digest = Digest::new();
        let mut named = HashSet::new();
        let mut after = 0;
        while after < until {
            let limit = self
                .batch
                .min(usize::try_from(until - after).unwrap_or(usize::MAX));
            let batch = self.target.export(after, limit.max(1)).await?;
            let Some(last) = batch.last_position() else {
                break;
            };
            digest.update(&batch);
            for event in &batch.events {
                if let Some(hash) = file_named(event)? {
                    named.insert(hash);
                }
            }
            after = last;
        }
        digest.update(&RawBatch {
            erasures: self.target.erasures().await?,
            ..RawBatch::default()
        });
        Ok((digest, named))
    }

    /// The two file stores.
    fn stores(&self) -> Result<Stores<'_>, CopyError> {
        match &self.files {
            Ok((source, target)) => Ok((source, target)),
            Err(which) => Err(CopyError::NoFileStore(which)),
        }
    }

    /// Copies the files `events` name that are not in `copied` yet from the
    /// source's store into the target's.
    async fn copy_files(
        &self,
        events: &[RawEvent],
        copied: &mut HashSet<FileHash>,
    ) -> Result<(), CopyError> {
        for event in events {
            let Some(hash) = file_named(event)? else {
                continue;
            };
            if copied.contains(&hash) {
                continue;
            }
            let (source, target) = self.stores()?;
            // `get` checks the bytes against their hash.
            let bytes = source
                .get(&hash)
                .await?
                .ok_or_else(|| CopyError::MissingFile {
                    position: event.position,
                    sha256: hash.to_string(),
                })?;
            let kept = target.put(&bytes).await?;
            debug_assert_eq!(kept, hash, "bytes checked against a hash hash to it");
            copied.insert(hash);
        }
        Ok(())
    }
}

/// The file `event` names, decoded only for the types that name one.
fn file_named(event: &RawEvent) -> Result<Option<FileHash>, CopyError> {
    if !names_file(&event.event_type) {
        return Ok(None);
    }
    // The personal part stays sealed: a file is never named in it.
    let stored = StoredEvent {
        position: event.position,
        stream: event.stream.clone(),
        version: event.version,
        event_id: event.event_id,
        event_type: event.event_type.clone(),
        schema_version: event.schema_version,
        effective_on: event.effective_on,
        recorded_at: event.recorded_at,
        actor: event.actor.clone(),
        correlation_id: event.correlation_id,
        causation_id: event.causation_id,
        payload: event.payload.clone(),
        personal: Personal::None,
    };
    let decoded = codec::decode(&stored).map_err(eventlog::Error::from)?;
    Ok(decoded.file().cloned())
}
