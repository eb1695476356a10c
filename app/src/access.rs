//! Access: who a request's token belongs to, granting and revoking roles, and
//! the audit trail of personal-data reads (who read whose data, when).

use domain::audit::DataSubject;
use domain::ids::{OrgId, UserId};
use domain::vocabulary::access::Role;
use projections::audit::{Read, ReadsOf};
use serde::{Deserialize, Serialize};

use crate::commands::{self, GrantedRole};
use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::input;
use crate::running::App;
use crate::tokens;

/// `grantRole(input)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GrantRole {
    /// The role.
    pub role: Role,
    /// The root of the subtree it covers.
    pub org_id: String,
    /// A label for the holder, e.g. a name or e-mail.
    pub holder: String,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `revokeRole(userId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RevokeRole {
    /// The holder.
    pub user_id: String,
}

/// A role just granted: its holder, the organisation, and the token shown once.
#[derive(Clone, Debug)]
pub struct Granted {
    /// The new holder.
    pub user_id: UserId,
    /// The role.
    pub role: Role,
    /// The root of the subtree it covers.
    pub org_id: OrgId,
    /// The bearer token; empty when a repeated command id answered a grant
    /// made before (it cannot be shown twice).
    pub token: String,
}

/// `personalDataReads(memberId, viewerId, first, after)`.
#[derive(Clone, Debug, Default)]
pub struct ReadsQuery {
    /// The reads of this member's data.
    pub member_id: Option<String>,
    /// The reads by this holder.
    pub viewer_id: Option<String>,
    /// Page size.
    pub first: i64,
    /// The cursor to go on after (older reads).
    pub after: Option<String>,
}

/// A page of the audit trail, newest first.
#[derive(Clone, Debug)]
pub struct ReadsPage {
    /// The reads.
    pub reads: Vec<Read>,
    /// Each read's cursor, in the same order: pass one as `after` to go on
    /// after that read.
    pub cursors: Vec<String>,
    /// Pass as `after` to go on to older reads; `None` at the end.
    pub end_cursor: Option<String>,
    /// Whether older reads follow.
    pub has_next_page: bool,
    /// Reads in the whole list.
    pub total_count: usize,
}

impl App {
    /// The viewer holding `token` (`None`: no token, anonymous). On a log
    /// shared with other nodes, a token this node does not know yet is looked
    /// up again once the read models include every commit made anywhere: a
    /// role granted through one node works at once on all.
    ///
    /// # Errors
    /// [`Error::Unauthenticated`] for a token no active holder has: a bad
    /// token is refused, never taken for anonymous.
    pub async fn authenticate(&self, token: Option<&str>) -> Result<Viewer, Error> {
        let Some(token) = token else {
            return Ok(Viewer::Anonymous);
        };
        let lookup = || {
            tokens::holder_of(&self.models.access, token)
                .map(Viewer::Holder)
                .ok_or(Error::Unauthenticated)
        };
        match lookup() {
            Err(Error::Unauthenticated) if self.shared() => {
                self.reach_committed().await?;
                lookup()
            }
            known => known,
        }
    }

    /// The label given at the grant of `user` (while their role is active).
    pub fn holder_label(&self, user: UserId) -> Option<String> {
        self.models.access.holder(user).map(|holder| holder.holder)
    }

    /// `grantRole`: a role over a subtree inside the granting ADMIN's own (or
    /// anywhere, by the operator); the token is shown once.
    ///
    /// # Errors
    /// Bad input; `NOT_FOUND`; `FORBIDDEN` outside the subtree; the charter's
    /// refusals (`NOT_AN_ADMIN`, `ROLE_OVER_DISSOLVED`, …).
    pub async fn grant_role(&self, viewer: &Viewer, input: GrantRole) -> Result<Granted, Error> {
        let org = input::id(&input.org_id, "id")?;
        self.organization_target(viewer, Action::WriteRoles, org)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let GrantedRole {
            user_id,
            token,
            appended,
        } = commands::grant_role(&self.commands, &issued, input.role, org, input.holder).await?;
        self.reach(appended.last_position).await?;
        Ok(Granted {
            user_id,
            role: input.role,
            org_id: org,
            token,
        })
    }

    /// `revokeRole`: the holder's token stops working at once.
    ///
    /// # Errors
    /// Bad input; `NOT_FOUND`; `FORBIDDEN` outside the subtree; the charter's
    /// refusals.
    pub async fn revoke_role(&self, viewer: &Viewer, input: RevokeRole) -> Result<(), Error> {
        let user = input::id(&input.user_id, "userId")?;
        viewer.may(Action::WriteRoles)?;
        let target = self.models.access.holder(user).ok_or(Error::NotFound {
            what: "role holder",
        })?;
        viewer.may_at(Action::WriteRoles, target.org_id, &self.models.registry)?;
        let issued = self.issue(viewer, &(), None, None)?;
        let appended = commands::revoke_role(&self.commands, &issued, user).await?;
        self.reach(appended.last_position).await
    }

    /// `personalDataReads`: who read whose personal data, newest first (ADMIN
    /// and AUDITOR): the reads of one member's data, or by one holder, or
    /// (without either) all reads of members of the viewer's subtree.
    ///
    /// # Errors
    /// Bad input; `FORBIDDEN`; as [`App::member`] for the member.
    pub fn personal_data_reads(
        &self,
        viewer: &Viewer,
        query: ReadsQuery,
    ) -> Result<ReadsPage, Error> {
        let registry = &self.models.registry;
        let holder = viewer.holder()?;
        viewer.may(Action::ReadAudit)?;
        let first = input::page_size(query.first)?;
        let before = query
            .after
            .map(|cursor| {
                cursor.parse::<u32>().map_err(|_| {
                    Error::invalid("after", "the cursor is not one this list gave out")
                })
            })
            .transpose()?;
        let of = match (query.member_id, query.viewer_id) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "viewerId",
                    "give memberId or viewerId, not both",
                ));
            }
            (Some(id), None) => {
                let person = input::id(&id, "id")?;
                // The member must be one the viewer may read.
                self.member(viewer, person)?;
                ReadsOf::Person(person)
            }
            (None, Some(id)) => {
                let user: UserId = input::id(&id, "viewerId")?;
                if let Some(reader) = self.models.access.holder(user) {
                    viewer.may_at(Action::ReadAudit, reader.org_id, registry)?;
                }
                ReadsOf::Viewer(user)
            }
            (None, None) => ReadsOf::All,
        };
        // Below the root, only reads of the subtree's members are shown.
        let subtree_only = !self.is_root(holder.org_id);
        let visible = |read: &Read| {
            !subtree_only
                || match read.subject {
                    DataSubject::Person(person) => registry
                        .member(person)
                        .is_some_and(|m| registry.within(m.home, holder.org_id)),
                    DataSubject::Application(application) => registry
                        .application(application)
                        .is_some_and(|a| registry.within(a.org_id, holder.org_id)),
                }
        };
        let (page, total) = if subtree_only {
            // Filter, then page: the trail's own pages would count other subtrees.
            let (all, _) = self.models.audit.reads(of, before, usize::MAX);
            let visible: Vec<(u32, Read)> = all.into_iter().filter(|(_, r)| visible(r)).collect();
            let total = visible.len();
            (
                visible.into_iter().take(first + 1).collect::<Vec<_>>(),
                total,
            )
        } else {
            self.models.audit.reads(of, before, first + 1)
        };
        let has_next_page = page.len() > first;
        let shown: Vec<(u32, Read)> = page.into_iter().take(first).collect();
        let end_cursor = has_next_page
            .then(|| shown.last().map(|(n, _)| n.to_string()))
            .flatten();
        Ok(ReadsPage {
            cursors: shown.iter().map(|(n, _)| n.to_string()).collect(),
            reads: shown.into_iter().map(|(_, read)| read).collect(),
            end_cursor,
            has_next_page,
            total_count: total,
        })
    }
}
