//! [`Backend`]: a stored log in all its roles, as the binary opens it.

use crate::bulk::BulkLog;
use crate::coordination::Coordination;
use crate::log::EventLog;

/// A log that appends and reads ([`EventLog`]), loads and copies in bulk
/// ([`BulkLog`]) and coordinates the processes sharing it ([`Coordination`]):
/// what [`SqliteLog`](crate::SqliteLog) and [`PostgresLog`](crate::PostgresLog)
/// are. Whoever needs one role takes that trait; an `Arc<dyn Backend>` turns
/// into any of them.
pub trait Backend: EventLog + BulkLog + Coordination {}

impl<T: EventLog + BulkLog + Coordination> Backend for T {}
