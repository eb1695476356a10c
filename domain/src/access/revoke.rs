//! RevokeRole: the holder's token stops working.

use crate::access::{AccessCommand, Grant, GranterFacts, check_granter};
use crate::error::DomainError;
use crate::event::AccessEvent;
use crate::ids::UserId;
use crate::rules::RuleViolation;

/// Revoke the role of `user_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevokeRole {
    /// The holder.
    pub user_id: UserId,
    /// Who revokes (facts about the holder's organisation); `None` only for the operator.
    pub by: Option<GranterFacts>,
}

impl From<RevokeRole> for AccessCommand {
    fn from(command: RevokeRole) -> AccessCommand {
        AccessCommand::Revoke(command)
    }
}

/// Decides a revocation.
///
/// # Errors
/// [`DomainError::NotFound`] for an unknown holder; [`RuleViolation::AlreadyRevoked`];
/// [`RuleViolation::NotAnAdmin`], [`RuleViolation::OutsideSubtree`].
pub(crate) fn decide(
    grant: &Option<Grant>,
    command: &RevokeRole,
) -> Result<Vec<AccessEvent>, DomainError> {
    let grant = grant.as_ref().ok_or(DomainError::NotFound {
        what: "access holder",
    })?;
    if grant.revoked {
        return Err(RuleViolation::AlreadyRevoked.into());
    }
    check_granter(command.by)?;
    Ok(vec![AccessEvent::RoleRevoked {
        user_id: grant.user_id,
    }])
}

#[cfg(test)]
mod tests {
    use crate::access::RevokeRole;
    use crate::access::fixtures::*;
    use crate::error::DomainError;
    use crate::event::AccessEvent;
    use crate::rules::RuleViolation;
    use crate::testing::user;

    fn revoke() -> RevokeRole {
        RevokeRole {
            user_id: user(1),
            by: admin_over_target(),
        }
    }

    #[test]
    fn an_admin_revokes_a_role() {
        let grant = given([granted()])
            .when(revoke())
            .then([AccessEvent::RoleRevoked { user_id: user(1) }]);
        assert!(grant.is_some_and(|grant| grant.revoked));
    }

    #[test]
    fn a_revoked_role_is_not_revoked_again() {
        given([granted(), AccessEvent::RoleRevoked { user_id: user(1) }])
            .when(revoke())
            .then_err(RuleViolation::AlreadyRevoked);
    }

    #[test]
    fn an_unknown_holder_is_not_found() {
        given([]).when(revoke()).then_err(DomainError::NotFound {
            what: "access holder",
        });
    }
}
