//! The access aggregate (stream `user-<uuid>`): one holder, one role over one subtree.
//!
//! Who may grant is a fact the caller looks up ([`GranterFacts`]): only an ADMIN,
//! and only inside its own subtree (DESIGN.md §4). So is the organisation the
//! role covers ([`GrantTarget`]): a role over a dissolved organisation covers
//! nothing, so none is granted.

mod grant;
mod revoke;

use chrono::NaiveDate;

use crate::error::DomainError;
use crate::event::AccessEvent;
use crate::ids::{OrgId, UserId};
use crate::rules::RuleViolation;
use crate::vocabulary::access::Role;

pub use grant::GrantRole;
pub use revoke::RevokeRole;

/// A holder's role as the charter sees it: folded from the stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    /// The holder.
    pub user_id: UserId,
    /// The role.
    pub role: Role,
    /// The root of the subtree the role covers.
    pub org_id: OrgId,
    /// A label for the holder.
    pub holder: String,
    /// SHA-256 of the bearer token, hex.
    pub token_hash: String,
    /// Whether the role was revoked.
    pub revoked: bool,
}

/// What the registry knows about whoever grants or revokes a role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GranterFacts {
    /// The granter's role.
    pub role: Role,
    /// Whether the granter's subtree contains the role's organisation.
    pub subtree_contains_target: bool,
}

/// The organisation a role is to cover, as the caller read it from its own
/// stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantTarget {
    /// No such organisation.
    Unknown,
    /// It exists and is not dissolved (as of today).
    Open,
    /// It was dissolved on or before today.
    Dissolved,
}

/// Every command on an access holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccessCommand {
    /// Grant a role.
    Grant(GrantRole),
    /// Revoke it.
    Revoke(RevokeRole),
}

/// Decides `command` on the holder's `grant` (`None`: nothing granted yet).
/// `today` is unused: access events carry no business date.
///
/// # Errors
/// [`RuleViolation::NotAnAdmin`], [`RuleViolation::OutsideSubtree`],
/// [`RuleViolation::AlreadyRevoked`], [`DomainError::Validation`],
/// [`DomainError::NotFound`] and [`DomainError::AlreadyExists`], as each
/// command's own `decide` lists them.
pub fn decide(
    grant: &Option<Grant>,
    command: &AccessCommand,
    today: NaiveDate,
) -> Result<Vec<AccessEvent>, DomainError> {
    let _ = today;
    match command {
        AccessCommand::Grant(c) => grant::decide(grant, c),
        AccessCommand::Revoke(c) => revoke::decide(grant, c),
    }
}

/// Folds `event` into the holder's grant. Validates nothing: the log is history.
pub fn evolve(grant: &mut Option<Grant>, event: &AccessEvent) {
    match event {
        AccessEvent::RoleGranted {
            user_id,
            role,
            org_id,
            holder,
            token_hash,
        } => {
            *grant = Some(Grant {
                user_id: *user_id,
                role: *role,
                org_id: *org_id,
                holder: holder.clone(),
                token_hash: token_hash.clone(),
                revoked: false,
            });
        }
        AccessEvent::RoleRevoked { .. } => {
            if let Some(grant) = grant {
                grant.revoked = true;
            }
        }
    }
}

/// Checks that `by` may grant or revoke a role over its target: an ADMIN whose
/// subtree contains it. `None` is the operator bootstrapping the first ADMIN from
/// the command line; the API always passes `Some`.
fn check_granter(by: Option<GranterFacts>) -> Result<(), RuleViolation> {
    let Some(by) = by else {
        return Ok(());
    };
    if by.role != Role::Admin {
        return Err(RuleViolation::NotAnAdmin);
    }
    if !by.subtree_contains_target {
        return Err(RuleViolation::OutsideSubtree);
    }
    Ok(())
}

#[cfg(test)]
pub(crate) mod fixtures {
    //! Fixtures for the access tests.

    use crate::access::{AccessCommand, Grant, GrantTarget, GranterFacts};
    use crate::event::AccessEvent;
    use crate::testing::{Given, TestHarness, org, today, user};
    use crate::vocabulary::access::Role;

    pub fn given(
        events: impl IntoIterator<Item = AccessEvent>,
    ) -> Given<Option<Grant>, AccessCommand, AccessEvent> {
        TestHarness::new(crate::access::decide, crate::access::evolve, today()).given(events)
    }

    pub fn admin_over_target() -> Option<GranterFacts> {
        Some(GranterFacts {
            role: Role::Admin,
            subtree_contains_target: true,
        })
    }

    pub fn token_hash() -> String {
        "ab".repeat(32)
    }

    pub fn open_target() -> GrantTarget {
        GrantTarget::Open
    }

    pub fn granted() -> AccessEvent {
        AccessEvent::RoleGranted {
            user_id: user(1),
            role: Role::Chair,
            org_id: org(17),
            holder: "chair@school17.ru".into(),
            token_hash: token_hash(),
        }
    }
}
