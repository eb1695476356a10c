//! The processes sharing one log (several API nodes on one database): who else
//! writes, what they committed, and exclusive turns among them.

use async_trait::async_trait;

use std::sync::Arc;

use crate::error::Error;
use crate::files::FileStore;
use crate::log::EventLog;
use crate::turn::Turn;

/// What the processes sharing a log coordinate by. A log one process owns
/// (SQLite) keeps the defaults: nobody else writes, its head is exact, and a
/// turn is immediate.
#[async_trait]
pub trait Coordination: EventLog {
    /// Whether other processes may append to this log as well (several API
    /// nodes on one database). Then [`EventLog::head`] hears of their commits
    /// late, and [`Coordination::committed_head`] asks the storage.
    fn shared(&self) -> bool {
        false
    }

    /// The position of the last event committed by any process, as the storage
    /// has it now (and [`EventLog::head`] is moved up to it). For a log only
    /// this process writes, [`EventLog::head`] is exact already.
    ///
    /// # Errors
    /// Storage failures.
    async fn committed_head(&self) -> Result<u64, Error> {
        Ok(*self.head().borrow())
    }

    /// Waits for an exclusive [`Turn`] on `topic` among every process sharing
    /// this log; it ends when dropped. For a log only this process writes the
    /// turn is immediate: the caller serialises its own commands on a topic.
    ///
    /// # Errors
    /// Storage failures.
    async fn turn(&self, topic: &[u8]) -> Result<Turn, Error> {
        let _ = topic;
        Ok(Turn::immediate(*self.head().borrow()))
    }

    /// Where the files the log's events name by hash are kept (the library's
    /// documents): beside an embedded log's file, in a shared log's database.
    /// `None` for a log with no place of its own (the caller keeps them in
    /// memory).
    fn files(&self) -> Option<Arc<dyn FileStore>> {
        None
    }
}
