//! The processes sharing one log (several API nodes on one database): who else
//! writes, what they committed, and exclusive turns among them.

use async_trait::async_trait;

use crate::error::Error;
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
}
