//! GrantRole: an ADMIN gives a new holder a role over a subtree.

use crate::access::{AccessCommand, Grant, GrantTarget, GranterFacts, check_granter};
use crate::error::{DomainError, InvalidInput, non_blank};
use crate::event::AccessEvent;
use crate::ids::{OrgId, UserId};
use crate::rules::RuleViolation;
use crate::vocabulary::access::Role;

/// Grant `role` over the subtree of `org_id` to a new holder `user_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantRole {
    /// The new holder.
    pub user_id: UserId,
    /// The role.
    pub role: Role,
    /// The root of the subtree the role covers.
    pub org_id: OrgId,
    /// A label for the holder, e.g. a name or e-mail.
    pub holder: String,
    /// SHA-256 of the bearer token, 64 hex digits (the token itself is never kept).
    pub token_hash: String,
    /// Who grants; `None` only for the operator's bootstrap from the command line.
    pub by: Option<GranterFacts>,
    /// The organisation `org_id`, as its own stream has it.
    pub target: GrantTarget,
}

impl From<GrantRole> for AccessCommand {
    fn from(command: GrantRole) -> AccessCommand {
        AccessCommand::Grant(command)
    }
}

/// Decides a grant.
///
/// # Errors
/// [`DomainError::AlreadyExists`] when the holder has a grant already (a new role
/// is a new holder with a new token); [`InvalidInput::EmptyHolder`],
/// [`InvalidInput::TokenHash`]; [`RuleViolation::NotAnAdmin`](crate::rules::RuleViolation::NotAnAdmin),
/// [`RuleViolation::OutsideSubtree`](crate::rules::RuleViolation::OutsideSubtree);
/// [`DomainError::NotFound`] for an unknown organisation and
/// [`RuleViolation::RoleOverDissolved`](crate::rules::RuleViolation::RoleOverDissolved)
/// for a dissolved one.
pub(crate) fn decide(
    grant: &Option<Grant>,
    command: &GrantRole,
) -> Result<Vec<AccessEvent>, DomainError> {
    if grant.is_some() {
        return Err(DomainError::AlreadyExists {
            what: "access holder",
        });
    }
    non_blank(&command.holder, InvalidInput::EmptyHolder)?;
    let hash = &command.token_hash;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(InvalidInput::TokenHash.into());
    }
    check_granter(command.by)?;
    match command.target {
        GrantTarget::Unknown => {
            return Err(DomainError::NotFound {
                what: "organisation",
            });
        }
        GrantTarget::Dissolved => return Err(RuleViolation::RoleOverDissolved.into()),
        GrantTarget::Open => {}
    }
    Ok(vec![AccessEvent::RoleGranted {
        user_id: command.user_id,
        role: command.role,
        org_id: command.org_id,
        holder: command.holder.trim().to_string(),
        token_hash: hash.to_ascii_lowercase(),
    }])
}

#[cfg(test)]
mod tests {
    use crate::access::fixtures::*;
    use crate::access::{GrantRole, GrantTarget, GranterFacts};
    use crate::error::{DomainError, InvalidInput};
    use crate::rules::RuleViolation;
    use crate::testing::{org, user};
    use crate::vocabulary::access::Role;

    fn grant() -> GrantRole {
        GrantRole {
            user_id: user(1),
            role: Role::Chair,
            org_id: org(17),
            holder: "chair@school17.ru".into(),
            token_hash: token_hash(),
            by: admin_over_target(),
            target: open_target(),
        }
    }

    #[test]
    fn an_admin_grants_a_role_inside_its_subtree() {
        given([]).when(grant()).then([granted()]);
    }

    #[test]
    fn only_an_admin_grants() {
        let chair = Some(GranterFacts {
            role: Role::Chair,
            subtree_contains_target: true,
        });
        given([])
            .when(GrantRole {
                by: chair,
                ..grant()
            })
            .then_err(RuleViolation::NotAnAdmin);
    }

    #[test]
    fn an_admin_grants_nothing_outside_its_subtree() {
        let elsewhere = Some(GranterFacts {
            role: Role::Admin,
            subtree_contains_target: false,
        });
        given([])
            .when(GrantRole {
                by: elsewhere,
                ..grant()
            })
            .then_err(RuleViolation::OutsideSubtree);
    }

    #[test]
    fn a_holder_is_granted_once_and_needs_a_label_and_a_hash() {
        given([granted()])
            .when(grant())
            .then_err(DomainError::AlreadyExists {
                what: "access holder",
            });
        given([])
            .when(GrantRole {
                holder: " ".into(),
                ..grant()
            })
            .then_err(InvalidInput::EmptyHolder);
        given([])
            .when(GrantRole {
                token_hash: "secret".into(),
                ..grant()
            })
            .then_err(InvalidInput::TokenHash);
    }

    #[test]
    fn no_role_is_granted_over_a_dissolved_or_unknown_organisation() {
        given([])
            .when(GrantRole {
                target: GrantTarget::Dissolved,
                ..grant()
            })
            .then_err(RuleViolation::RoleOverDissolved);
        given([])
            .when(GrantRole {
                target: GrantTarget::Unknown,
                ..grant()
            })
            .then_err(DomainError::NotFound {
                what: "organisation",
            });
    }

    #[test]
    fn the_operator_grants_over_any_open_organisation_but_no_dissolved_one() {
        given([])
            .when(GrantRole {
                by: None,
                ..grant()
            })
            .then([granted()]);
        given([])
            .when(GrantRole {
                by: None,
                target: GrantTarget::Dissolved,
                ..grant()
            })
            .then_err(RuleViolation::RoleOverDissolved);
    }
}
