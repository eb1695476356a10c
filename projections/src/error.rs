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
}
