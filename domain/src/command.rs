//! What every command carries besides its own fields: who, when, and which command.

use chrono::NaiveDate;

/// Who sent a command and the registry's today (DESIGN.md rule 7).
///
/// `decide` takes only [`CommandMeta::today`]: the actor is recorded in the event
/// envelope (`actor`), not in payloads, so the charter never depends on who asked
/// (permissions are checked by the caller, or passed in as facts, as for
/// [`GrantRole`](crate::access::GrantRole)). The command handler reads the clock
/// once, here, so that `decide` stays pure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandMeta {
    /// Who did it, as the envelope records it (a user id or `system`).
    pub actor: String,
    /// The idempotency key: a repeated command with the same id has its effect once.
    pub command_id: Option<String>,
    /// Today's date in the union's calendar: no effective date may lie after it.
    pub today: NaiveDate,
}
