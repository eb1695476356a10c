//! Access roles.

use serde::{Deserialize, Serialize};

/// A role, always bound to an organisation subtree (DESIGN.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Role {
    /// Everything in the subtree; grants roles below itself.
    Admin,
    /// Members, applications and cards of the subtree.
    Chair,
    /// Reads everything in the subtree, including the event journal; writes nothing.
    Auditor,
    /// Statistics only; never a personal field.
    Analyst,
}
