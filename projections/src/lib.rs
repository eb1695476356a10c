//! Read models folded from the event log.
//!
//! Every projection here is derived state: the [`runtime`] folds the log into it
//! from its checkpoint, and the same code rebuilds it from position 0.
//!
//! Layout:
//! - [`runtime`]: the [`Projection`](runtime::Projection) trait and the
//!   [`Projector`](runtime::Projector) that feeds every model, live or rebuilding.
//! - [`registry`]: the current state: organisation tree, members, cards, applications.
//! - [`archive`]: the membership history, one plain-words line per event.
//! - [`statistics`]: figures for any subtree on any date, known at any position; movement.
//! - [`access`]: who a bearer token belongs to (role, subtree) until revoked.
//! - [`audit`]: who read whose personal data, and when.
//! - [`meetings`]: meetings and the members recorded present by their card.
//! - [`library`]: the union's documents, their versions, and a Russian full-text
//!   index of those in force (tantivy).
//! - [`consultations`]: questions to a region's services and their threads.
//! - `columns`: what the models' tables share (segmented columns, heap sizes).
//!
//! What it does not do: write to the log, mint or check tokens, decide who may
//! read what, or know HTTP and GraphQL.

pub mod access;
pub mod archive;
pub mod audit;
mod columns;
pub mod consultations;
pub mod error;
pub mod library;
pub mod meetings;
pub mod outbox;
pub mod registry;
pub mod runtime;
pub mod snapshot;
pub mod statistics;
mod window;

pub use crate::window::Window;
