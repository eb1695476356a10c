//! Turns: exclusive, short, across every process sharing a log.
//!
//! Some decisions read a read model that lags the log, and no stream's version
//! guards what they read: two admissions naming one SNILS each see no holder
//! and would make two persons. Such commands take a turn on their topic first;
//! the turn comes with the committed head, so the caller can wait until its
//! read models include everything the previous holder committed.

/// An exclusive turn on one topic; the next holder's begins once this drops.
pub struct Turn {
    head: u64,
    /// Whatever holds the turn in the storage (a session lock), released on drop.
    _held: Option<Box<dyn Send>>,
}

impl Turn {
    /// A turn nothing else contends for: the log has one process, which
    /// serialises its own commands. `head` is its head now.
    pub fn immediate(head: u64) -> Turn {
        Turn { head, _held: None }
    }

    /// A turn held in the storage by `held` until it drops.
    pub(crate) fn held(head: u64, held: impl Send + 'static) -> Turn {
        Turn {
            head,
            _held: Some(Box::new(held)),
        }
    }

    /// The position of the last event committed when the turn began: every
    /// append of an earlier holder of the topic is at or below it.
    pub fn head(&self) -> u64 {
        self.head
    }
}

impl std::fmt::Debug for Turn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Turn")
            .field("head", &self.head)
            .field("held", &self._held.is_some())
            .finish()
    }
}
