//! Who may do what (DESIGN.md §4): a request's [`Viewer`] and the checks every
//! application call makes before it reads or writes.
//!
//! Roles are bound to a subtree: a holder acts on the organisation its role
//! names and everything below it, and sees the path above (names only) so its
//! place in the tree makes sense. `ANALYST` reads statistics and movement and
//! organisations, never a member; `AUDITOR` reads everything including the
//! journal and writes nothing; `CHAIR` reads and changes members, applications
//! and cards (and its passport); `ADMIN` does everything, grants included.
//! The operator at the command line, trusted with the log already, does
//! everything too, and grants as no one (the charter's bootstrap).

use domain::ids::OrgId;
use domain::vocabulary::access::Role;
use projections::access::Holder;
use projections::registry::Registry;

use crate::error::{Error, Refusal};

/// The envelope's actor of what an anonymous client does (submitting an
/// application).
pub const PUBLIC_ACTOR: &str = "public";

/// Who sends a request: a token's holder, the operator, or nobody.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// No token (public operations only).
    Anonymous,
    /// A valid token's holder.
    Holder(Holder),
    /// The operator at the command line, by the name they gave (recorded as
    /// the actor of what they do). Trusted with the log itself, so bound to
    /// no subtree; reads of personal data are not offered to them.
    Operator(String),
}

/// What a request wants to do with something in the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Read an organisation (name, level, passport, counts).
    ReadOrganization,
    /// Read statistics and movement.
    ReadStatistics,
    /// Read members, cards and applications, personal data included.
    ReadMembers,
    /// Read the event journal.
    ReadEvents,
    /// Read the audit trail of personal-data reads.
    ReadAudit,
    /// Admit, transfer, end, update, erase; issue and block cards; decide applications.
    WriteMembers,
    /// Update an organisation's passport.
    WritePassport,
    /// Register, rename, move, dissolve organisations.
    WriteOrganizations,
    /// Grant and revoke roles.
    WriteRoles,
}

impl Action {
    /// Whether `role` may do this at all (the subtree is checked apart).
    pub fn allowed_to(self, role: Role) -> bool {
        use Action::*;
        match role {
            Role::Admin => true,
            Role::Auditor => matches!(
                self,
                ReadOrganization | ReadStatistics | ReadMembers | ReadEvents | ReadAudit
            ),
            Role::Chair => matches!(
                self,
                ReadOrganization | ReadStatistics | ReadMembers | WriteMembers | WritePassport
            ),
            Role::Analyst => matches!(self, ReadOrganization | ReadStatistics),
        }
    }

    /// What the action is, in the words of a refusal.
    pub fn describe(self) -> &'static str {
        match self {
            Action::ReadOrganization => "read organisations",
            Action::ReadStatistics => "read statistics",
            Action::ReadMembers => "read members, cards and applications",
            Action::ReadEvents => "read the event journal",
            Action::ReadAudit => "read the audit trail",
            Action::WriteMembers => "change members, cards and applications",
            Action::WritePassport => "update passports",
            Action::WriteOrganizations => "change the organisation tree",
            Action::WriteRoles => "grant or revoke roles",
        }
    }
}

impl Viewer {
    /// The holder, or `UNAUTHENTICATED`: for what only a token's holder does
    /// (the journal, the audit trail), the operator included in nothing.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] without a valid token.
    pub fn holder(&self) -> Result<&Holder, Error> {
        match self {
            Viewer::Holder(holder) => Ok(holder),
            Viewer::Anonymous | Viewer::Operator(_) => Err(Error::Unauthenticated),
        }
    }

    /// Checks that the viewer may do `action` at all, wherever; returns the
    /// subtree it may do it in (`None`: everywhere, the operator).
    ///
    /// # Errors
    /// `UNAUTHENTICATED` without a token, `FORBIDDEN` for a role that may not.
    pub fn may(&self, action: Action) -> Result<Option<OrgId>, Error> {
        match self {
            Viewer::Anonymous => Err(Error::Unauthenticated),
            Viewer::Operator(_) => Ok(None),
            Viewer::Holder(holder) if action.allowed_to(holder.role) => Ok(Some(holder.org_id)),
            Viewer::Holder(holder) => Err(Refusal::Role {
                role: holder.role,
                action,
            }
            .into()),
        }
    }

    /// Checks that the viewer may do `action` on `org` (in its subtree).
    ///
    /// # Errors
    /// As [`Viewer::may`], and `FORBIDDEN` outside the viewer's subtree.
    pub fn may_at(&self, action: Action, org: OrgId, registry: &Registry) -> Result<(), Error> {
        match self.may(action)? {
            Some(subtree) if !registry.within(org, subtree) => {
                Err(Refusal::OutsideSubtree { action }.into())
            }
            _ => Ok(()),
        }
    }

    /// Checks that the viewer may read the organisation `org`: inside its
    /// subtree, or on the path above it.
    ///
    /// # Errors
    /// As [`Viewer::may_at`].
    pub fn may_see_organization(&self, org: OrgId, registry: &Registry) -> Result<(), Error> {
        match self.may(Action::ReadOrganization)? {
            Some(subtree) if !registry.within(org, subtree) && !registry.within(subtree, org) => {
                Err(Refusal::OutsideSubtree {
                    action: Action::ReadOrganization,
                }
                .into())
            }
            _ => Ok(()),
        }
    }

    /// Whether personal data may be shown to this viewer at all (a holder
    /// whose role reads members; its reads are recorded).
    pub fn sees_personal_data(&self) -> bool {
        matches!(self, Viewer::Holder(h) if Action::ReadMembers.allowed_to(h.role))
    }

    /// The envelope's actor of what this viewer does: the holder's user id,
    /// the operator's name, or `public`.
    pub fn actor(&self) -> String {
        match self {
            Viewer::Holder(holder) => holder.user_id.to_string(),
            Viewer::Operator(name) => name.clone(),
            Viewer::Anonymous => PUBLIC_ACTOR.to_string(),
        }
    }

    /// The role and subtree the viewer grants with (`None`: the operator or nobody).
    pub fn role(&self) -> Option<(Role, OrgId)> {
        match self {
            Viewer::Holder(holder) => Some((holder.role, holder.org_id)),
            Viewer::Anonymous | Viewer::Operator(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysts_never_read_members_and_auditors_never_write() {
        for action in [
            Action::ReadMembers,
            Action::ReadEvents,
            Action::WriteMembers,
        ] {
            assert!(!action.allowed_to(Role::Analyst), "{action:?}");
        }
        for action in [
            Action::WriteMembers,
            Action::WritePassport,
            Action::WriteOrganizations,
            Action::WriteRoles,
        ] {
            assert!(!action.allowed_to(Role::Auditor), "{action:?}");
        }
        assert!(!Action::WriteRoles.allowed_to(Role::Chair));
        assert!(!Action::ReadEvents.allowed_to(Role::Chair));
        assert!(Action::ReadStatistics.allowed_to(Role::Analyst));
    }
}
