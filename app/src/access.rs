//! Access: who a request's token belongs to, granting and revoking roles, and
//! the audit trail of personal-data reads (who read whose data, when).

use domain::audit::DataSubject;
use domain::ids::{OrgId, UserId};
use domain::vocabulary::access::Role;
use projections::access::Holder;
use projections::audit::{Read, ReadsOf};
use serde::{Deserialize, Serialize};

use crate::commands::{self, GrantedRole};
use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::input;
use crate::page::Window;
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
    /// Whether newer reads precede.
    pub has_previous_page: bool,
    /// Pass as `before` to go back to newer reads; `None` on an empty page.
    pub start_cursor: Option<String>,
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
        if token.starts_with(crate::cabinet::SESSION_PREFIX) {
            return self.cabinet_session(token).ok_or(Error::Unauthenticated);
        }
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

    /// The active holders of roles over organisations in `org`'s subtree,
    /// for an ADMIN over it (who grants and revokes them).
    ///
    /// # Errors
    /// Bad id; `NOT_FOUND`; `FORBIDDEN` to other roles and outside the subtree.
    pub fn role_holders(&self, viewer: &Viewer, org: &str) -> Result<Vec<Holder>, Error> {
        let org: OrgId = input::id(org, "orgId")?;
        self.organization_target(viewer, Action::WriteRoles, org)?;
        let registry = &self.models.registry;
        Ok(self
            .models
            .access
            .holders()
            .into_iter()
            .filter(|holder| registry.within(holder.org_id, org))
            .collect())
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
    /// (without either) all reads of members of the viewer's subtree. Every
    /// read recorded before the question is in the answer: an answer that
    /// showed personal data was sent only once its read was durable, so the
    /// trail is first brought up to everything committed (reads by any holder
    /// through this node, or through any node sharing the log).
    ///
    /// # Errors
    /// Bad input; `FORBIDDEN`; as [`App::member`] for the member; the read
    /// models did not catch up in time.
    pub async fn personal_data_reads(
        &self,
        viewer: &Viewer,
        query: ReadsQuery,
    ) -> Result<ReadsPage, Error> {
        let window = Window::forward(query.first, query.after.clone());
        self.personal_data_reads_window(viewer, query, &window)
            .await
    }

    /// [`App::personal_data_reads`] either way: the page `window` asks for
    /// (the query's own `first` and `after` give way to it). Backward the
    /// page is the reads newer than the cursor nearest to it, newest first.
    ///
    /// # Errors
    /// As [`App::personal_data_reads`].
    pub async fn personal_data_reads_window(
        &self,
        viewer: &Viewer,
        query: ReadsQuery,
        window: &Window,
    ) -> Result<ReadsPage, Error> {
        let holder = viewer.holder()?;
        viewer.may(Action::ReadAudit)?;
        self.reach_committed().await?;
        self.reach(self.head()).await?;
        let registry = &self.models.registry;
        let field = window.cursor_field();
        let window = window.checked()?.try_map(|cursor| {
            cursor
                .parse::<u32>()
                .map_err(|_| Error::invalid(field, "the cursor is not one this list gave out"))
        })?;
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
        let (found, total) = if subtree_only {
            // Filter, then page: the trail's own pages would count other subtrees.
            let (all, _) = self.models.audit.reads(of, None, usize::MAX);
            let visible: Vec<(u32, Read)> = all.into_iter().filter(|(_, r)| visible(r)).collect();
            let total = visible.len();
            // Newest first: a read comes after the cursor's when it is older.
            let found = match window {
                projections::Window::After { first, after } => {
                    let start = after.map_or(0, |a| visible.partition_point(|&(n, _)| n >= a));
                    visible.into_iter().skip(start).take(first + 1).collect()
                }
                projections::Window::Before { last, before } => {
                    let end = before.map_or(total, |b| visible.partition_point(|&(n, _)| n > b));
                    visible[end.saturating_sub(last + 1)..end].to_vec()
                }
            };
            (found, total)
        } else {
            match window {
                projections::Window::After { first, after } => {
                    self.models.audit.reads(of, after, first + 1)
                }
                projections::Window::Before { last, before } => {
                    self.models.audit.reads_newer(of, before, last + 1)
                }
            }
        };
        let (shown, has_previous_page, has_next_page) = window.shape(found);
        let end_cursor = has_next_page
            .then(|| shown.last().map(|(n, _)| n.to_string()))
            .flatten();
        let start_cursor = shown.first().map(|(n, _)| n.to_string());
        Ok(ReadsPage {
            cursors: shown.iter().map(|(n, _)| n.to_string()).collect(),
            reads: shown.into_iter().map(|(_, read)| read).collect(),
            end_cursor,
            has_next_page,
            has_previous_page,
            start_cursor,
            total_count: total,
        })
    }
}
