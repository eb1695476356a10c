//! The read side's errors.

/// Why a projection could not go on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the log failed.
    #[error(transparent)]
    Log(#[from] eventlog::Error),
    /// A stored event does not decode: the log holds something this code cannot read.
    #[error("event at position {position} does not decode: {source}")]
    Decode {
        /// Its position.
        position: u64,
        /// Why.
        source: eventlog::codec::CodecError,
    },
    /// The log handed over an event out of order: a position was skipped or
    /// came twice. The read models stop rather than fold a history with a hole.
    #[error("expected the event at position {expected} next, but the log gave position {found}")]
    OutOfOrder {
        /// The position that had to come next.
        expected: u64,
        /// The position that came.
        found: u64,
    },
    /// The snapshot could not be deleted before an erasure: the read models
    /// stop rather than apply the erasure and leave its data on disk.
    #[error("the snapshot could not be deleted before an erasure at position {position}: {reason}")]
    SnapshotNotDeleted {
        /// The erasure's position.
        position: u64,
        /// Why.
        reason: String,
    },
}
