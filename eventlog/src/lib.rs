//! The append-only event log: the registry's ground state.
//!
//! Every membership action is an event appended here; every read model is derived
//! from it. The [`EventLog`] trait is what backends offer: atomic appends to one or
//! several streams with expected versions, idempotent by command id and event ids,
//! durable before they are acknowledged; reads by stream and by global position;
//! a catch-up-then-live [`subscribe`].
//!
//! Layout:
//! - [`envelope`]: what goes in ([`AppendRequest`], [`NewEvent`]) and comes out ([`StoredEvent`]).
//! - [`log`]: the [`EventLog`] trait (append and read), [`read_all`] and [`subscribe`];
//!   [`bulk`]: [`BulkLog`], loading and copying whole logs; [`coordination`]:
//!   [`Coordination`], the processes sharing a log; [`backend`]: [`Backend`], all three.
//! - [`sqlite`]: the embedded backend (one file, WAL, a group-committing writer thread).
//! - [`postgres`]: the shared backend (several processes, one writer task each, LISTEN/NOTIFY).
//! - [`files`]: [`FileStore`], files kept beside the log by their SHA-256 (the library's
//!   documents), in a directory or a PostgreSQL table.
//! - [`raw`]: the log as stored, for copying it between backends.
//! - [`turn`]: exclusive turns on a topic among the processes sharing a log.
//! - [`codec`] and [`upcast`]: domain events to envelopes and back, old schemas read as new.
//! - [`vault`]: per-stream keys for personal data (crypto-shredding), wrapped by the
//!   key-encryption key of a [`key_file`] kept outside the database.
//! - `contract` (feature `contract`): the test suite every backend must pass.
//!
//! What it does not do: know any charter rule. It checks versions, not meaning.

pub mod backend;
pub mod bulk;
pub mod codec;
#[cfg(feature = "contract")]
pub mod contract;
pub mod coordination;
pub mod envelope;
pub mod error;
pub mod files;
pub mod key_file;
pub mod log;
pub mod postgres;
pub mod raw;
pub mod snapshot_key;
pub mod sqlite;
pub mod turn;
pub mod upcast;
mod validate;
pub mod vault;

pub use crate::backend::Backend;
pub use crate::bulk::BulkLog;
pub use crate::coordination::Coordination;
pub use crate::envelope::{
    AppendRequest, Appended, ExpectedVersion, NewEvent, Personal, StoredEvent, StreamAppend,
};
pub use crate::error::Error;
pub use crate::files::{DirectoryFiles, FileStore, MemoryFiles};
pub use crate::log::{EventLog, read_all, subscribe};
pub use crate::postgres::{PostgresFiles, PostgresLog};
pub use crate::raw::{Digest, RawBatch};
pub use crate::sqlite::SqliteLog;
pub use crate::turn::Turn;
