//! Who may do what (DESIGN.md §4): a request's [`Viewer`] and the checks every
//! resolver makes before it reads or writes.
//!
//! Roles are bound to a subtree: a holder acts on the organisation its role
//! names and everything below it, and sees the path above (names only) so its
//! place in the tree makes sense. `ANALYST` reads statistics and movement and
//! organisations, never a member; `AUDITOR` reads everything including the
//! journal and writes nothing; `CHAIR` reads and changes members, applications
//! and cards (and its passport); `ADMIN` does everything, grants included.

use domain::ids::OrgId;
use domain::vocabulary::access::Role;
use projections::access::Holder;
use projections::registry::Registry;

use crate::error::ApiError;

/// The network address a request came from (for per-client rate limits); the
/// server puts it in the request data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddr(pub std::net::IpAddr);

/// Who sends a request: a token's holder, or nobody.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// No token (public operations only).
    Anonymous,
    /// A valid token's holder.
    Holder(Holder),
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

    fn describe(self) -> &'static str {
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
    /// The holder, or `UNAUTHENTICATED`.
    ///
    /// # Errors
    /// [`ApiError::Unauthenticated`] without a valid token.
    pub fn holder(&self) -> Result<&Holder, ApiError> {
        match self {
            Viewer::Holder(holder) => Ok(holder),
            Viewer::Anonymous => Err(ApiError::Unauthenticated),
        }
    }

    /// Checks that the viewer may do `action` at all, wherever.
    ///
    /// # Errors
    /// `UNAUTHENTICATED` without a token, `FORBIDDEN` for a role that may not.
    pub fn may(&self, action: Action) -> Result<&Holder, ApiError> {
        let holder = self.holder()?;
        if action.allowed_to(holder.role) {
            Ok(holder)
        } else {
            Err(ApiError::Forbidden(format!(
                "the {:?} role may not {}",
                holder.role,
                action.describe()
            )))
        }
    }

    /// Checks that the viewer may do `action` on `org` (in its subtree).
    ///
    /// # Errors
    /// As [`Viewer::may`], and `FORBIDDEN` outside the viewer's subtree.
    pub fn may_at(
        &self,
        action: Action,
        org: OrgId,
        registry: &Registry,
    ) -> Result<&Holder, ApiError> {
        let holder = self.may(action)?;
        if registry.within(org, holder.org_id) {
            Ok(holder)
        } else {
            Err(outside(action))
        }
    }

    /// Checks that the viewer may read the organisation `org`: inside its
    /// subtree, or on the path above it.
    ///
    /// # Errors
    /// As [`Viewer::may_at`].
    pub fn may_see_organization(
        &self,
        org: OrgId,
        registry: &Registry,
    ) -> Result<&Holder, ApiError> {
        let holder = self.may(Action::ReadOrganization)?;
        if registry.within(org, holder.org_id) || registry.within(holder.org_id, org) {
            Ok(holder)
        } else {
            Err(outside(Action::ReadOrganization))
        }
    }

    /// Whether personal data may be shown to this viewer at all.
    pub fn sees_personal_data(&self) -> bool {
        matches!(self, Viewer::Holder(h) if Action::ReadMembers.allowed_to(h.role))
    }
}

fn outside(action: Action) -> ApiError {
    ApiError::Forbidden(format!(
        "outside the subtree of your role: you may not {} there",
        action.describe()
    ))
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
