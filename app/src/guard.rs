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

use domain::ids::{OrgId, PersonId};
use domain::library::{Audience, Readers};
use domain::vocabulary::access::Role;
use projections::access::Holder;
use projections::registry::Registry;

use crate::error::{Error, Refusal};

/// The envelope's actor of what an anonymous client does (submitting an
/// application).
pub const PUBLIC_ACTOR: &str = "public";

/// The envelope's actor of what a member does in their cabinet:
/// `member:<person uuid>`.
pub const MEMBER_ACTOR_PREFIX: &str = "member:";

/// Who sends a request: a token's holder, the operator, or nobody.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// No token (public operations only).
    Anonymous,
    /// A valid token's holder.
    Holder(Holder),
    /// A member signed in to their cabinet with a one-time code: reads
    /// their own record and nothing else (see `App::member`), acts only
    /// through the cabinet's own calls.
    Member(PersonId),
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
    /// Schedule, cancel and follow mailings to the subtree.
    SendMailings,
    /// Read the library's documents (who reads which: [`Viewer::reads_library`]).
    ReadLibrary,
    /// Upload, revise and withdraw the library's documents for the subtree.
    WriteLibrary,
    /// Ask a region's consultation service (a CHAIR; members from the cabinet).
    AskConsultation,
    /// Be the consultation service of the regions in the subtree: read the
    /// questions addressed there, answer, close (`app::consultations`).
    AnswerConsultations,
}

impl Action {
    /// Whether `role` may do this at all (the subtree is checked apart).
    pub fn allowed_to(self, role: Role) -> bool {
        use Action::*;
        match role {
            Role::Admin => true,
            Role::Auditor => matches!(
                self,
                ReadOrganization
                    | ReadStatistics
                    | ReadMembers
                    | ReadEvents
                    | ReadAudit
                    | ReadLibrary
            ),
            Role::Chair => matches!(
                self,
                ReadOrganization
                    | ReadStatistics
                    | ReadMembers
                    | WriteMembers
                    | WritePassport
                    | SendMailings
                    | ReadLibrary
                    | AskConsultation
                    | AnswerConsultations
            ),
            Role::Analyst => matches!(self, ReadOrganization | ReadStatistics | ReadLibrary),
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
            Action::SendMailings => "send mailings",
            Action::ReadLibrary => "read this library document",
            Action::WriteLibrary => "change the library",
            Action::AskConsultation => "ask the consultation services",
            Action::AnswerConsultations => "answer consultations",
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
            Viewer::Member(_) => Err(Refusal::Member.into()),
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
            Viewer::Member(_) => Err(Refusal::Member.into()),
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

    /// Whether the viewer reads library documents for `audience`: a holder
    /// whose subtree meets the audience's (one holds the other: a region's
    /// holders read the union's documents and their territories'), and for a
    /// chairs-only document a CHAIR or an ADMIN; a member in the cabinet
    /// reads documents for everyone whose subtree holds their home; the
    /// operator reads every document, nobody without a token any.
    pub fn reads_library(&self, audience: Audience, registry: &Registry) -> bool {
        match self {
            Viewer::Anonymous => false,
            Viewer::Operator(_) => true,
            Viewer::Holder(holder) => {
                let role_reads = match audience.readers {
                    Readers::Everyone => Action::ReadLibrary.allowed_to(holder.role),
                    Readers::Chairs => matches!(holder.role, Role::Chair | Role::Admin),
                };
                role_reads
                    && (registry.within(holder.org_id, audience.org_id)
                        || registry.within(audience.org_id, holder.org_id))
            }
            // A member signed in to the cabinet reads what is for everyone
            // in an organisation their home is in.
            Viewer::Member(person) => {
                audience.readers == Readers::Everyone
                    && registry
                        .member(*person)
                        .is_some_and(|m| registry.within(m.home, audience.org_id))
            }
        }
    }

    /// Whether personal data may be shown to this viewer at all (a holder
    /// whose role reads members; its reads are recorded).
    pub fn sees_personal_data(&self) -> bool {
        matches!(self, Viewer::Holder(h) if Action::ReadMembers.allowed_to(h.role))
    }

    /// Whether `person`'s personal data may be shown to this viewer: as
    /// [`Viewer::sees_personal_data`], or the member themselves.
    pub fn sees_personal_data_of(&self, person: PersonId) -> bool {
        self.sees_personal_data() || *self == Viewer::Member(person)
    }

    /// The member of a cabinet session, or `FORBIDDEN` (`UNAUTHENTICATED`
    /// without any session).
    ///
    /// # Errors
    /// As said.
    pub fn member(&self) -> Result<PersonId, Error> {
        match self {
            Viewer::Member(person) => Ok(*person),
            Viewer::Anonymous => Err(Error::Unauthenticated),
            Viewer::Holder(_) | Viewer::Operator(_) => Err(Refusal::NotAMember.into()),
        }
    }

    /// The envelope's actor of what this viewer does: the holder's user id,
    /// the operator's name, or `public`.
    pub fn actor(&self) -> String {
        match self {
            Viewer::Holder(holder) => holder.user_id.to_string(),
            Viewer::Operator(name) => name.clone(),
            Viewer::Member(person) => format!("{MEMBER_ACTOR_PREFIX}{}", person.0),
            Viewer::Anonymous => PUBLIC_ACTOR.to_string(),
        }
    }

    /// The role and subtree the viewer grants with (`None`: the operator or nobody).
    pub fn role(&self) -> Option<(Role, OrgId)> {
        match self {
            Viewer::Holder(holder) => Some((holder.role, holder.org_id)),
            Viewer::Anonymous | Viewer::Operator(_) | Viewer::Member(_) => None,
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
