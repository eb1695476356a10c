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

use eventlog::bulk::digest_log;
use eventlog::{BulkLog, RawBatch};

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
    /// A log failed.
    #[error(transparent)]
    Log(#[from] eventlog::Error),
}

/// One copy from `source` to `target`, in batches of `batch` events.
pub struct LogCopy<'a> {
    source: &'a dyn BulkLog,
    target: &'a dyn BulkLog,
    batch: usize,
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
    /// A copy in batches of `batch` events (at least 1).
    pub fn new(source: &'a dyn BulkLog, target: &'a dyn BulkLog, batch: usize) -> LogCopy<'a> {
        LogCopy {
            source,
            target,
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

    /// Copies `plan`'s positions, then every erasure, and finishes the
    /// target's bulk load; `progress` hears the target's head after each batch.
    ///
    /// # Errors
    /// [`CopyError::SourceShort`], log failures.
    pub async fn run(
        &self,
        plan: CopyPlan,
        mut progress: impl FnMut(u64),
    ) -> Result<(), CopyError> {
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
    /// digest; returns the digest.
    ///
    /// # Errors
    /// [`CopyError::Verification`] when they differ; log failures.
    pub async fn verify(&self, until: u64) -> Result<String, CopyError> {
        let (expected, found) = tokio::join!(
            digest_log(self.source, until, self.batch),
            digest_log(self.target, until, self.batch),
        );
        let (expected, found) = (expected?, found?);
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
        Ok(found)
    }
}
