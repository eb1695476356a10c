//! Read models folded from the event log.
//!
//! Every projection here is derived state: the [`runtime`] folds the log into it
//! from its checkpoint, and the same code rebuilds it from position 0.
//!
//! Layout:
//! - [`runtime`]: the [`Projection`](runtime::Projection) trait and the
//!   [`Projector`](runtime::Projector) that feeds every model, live or rebuilding.
//! - [`access_token`]: bearer tokens: minted once, kept only as a hash.
//!
//! What it does not do: write to the log, or know HTTP and GraphQL.

pub mod access_token;
pub mod error;
pub mod runtime;
