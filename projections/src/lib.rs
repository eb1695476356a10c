//! Read models folded from the event log.
//!
//! Every projection here is derived state: it consumes the log from its
//! checkpoint, and the same code rebuilds it from position 0. The registry, the
//! history archive and the statistics arrive with the read-side issue; today this
//! crate holds what the access read model is keyed by.
//!
//! Layout:
//! - [`access_token`]: bearer tokens: minted once, kept only as a hash.
//!
//! What it does not do: write to the log, or know HTTP and GraphQL.

pub mod access_token;
