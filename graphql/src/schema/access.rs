//! `Viewer`, `AccessToken`, `grantRole`, `revokeRole`, and the audit trail of
//! personal-data reads (`personalDataReads`, an addition to the contract).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::ids::UserId;
use projections::audit::{Read, ReadsOf};

use crate::commands::{grant_role, revoke_role};
use crate::error::ApiError;
use crate::guard::{Action, Viewer};
use crate::schema::enums::Role;
use crate::schema::member::Member;
use crate::schema::organization::{Organization, saturating_i32};
use crate::schema::scalars::DateTime;
use crate::schema::{app, issued, org_id, parse_uuid, person_id, viewer};

/// Who the request's token belongs to; all null without one.
#[derive(SimpleObject)]
#[graphql(name = "Viewer")]
pub struct ViewerObject {
    user_id: Option<ID>,
    role: Option<Role>,
    organization: Option<Organization>,
    /// The label given at the grant, e.g. a name or e-mail.
    holder: Option<String>,
}

/// A role just granted, with its token.
#[derive(SimpleObject)]
pub struct AccessToken {
    user_id: ID,
    role: Role,
    organization: Organization,
    /// Shown once; only its hash is kept. Empty when a repeated commandId
    /// answers a grant made before (the token cannot be shown twice).
    token: String,
}

/// Input of `grantRole`.
#[derive(InputObject)]
pub struct GrantRoleInput {
    role: Role,
    org_id: ID,
    /// A label for the holder, e.g. a name or e-mail.
    holder: String,
    /// Idempotency key (an addition to the contract).
    command_id: Option<ID>,
}

/// One read of a member's personal data.
pub struct PersonalDataRead(Read);

#[Object]
impl PersonalDataRead {
    /// The log position of the event that recorded it.
    async fn position(&self) -> i32 {
        saturating_i32(self.0.position)
    }

    /// When it was recorded.
    async fn read_at(&self) -> DateTime {
        DateTime(self.0.at)
    }

    /// The token holder who read.
    async fn viewer_id(&self) -> ID {
        ID(self.0.viewer.to_string())
    }

    /// The label of the holder who read (while their role is active).
    async fn viewer_holder(&self, ctx: &Context<'_>) -> Option<String> {
        app(ctx).access.holder(self.0.viewer).map(|h| h.holder)
    }

    /// The person whose data was shown.
    async fn member_id(&self) -> ID {
        ID(self.0.person.to_string())
    }

    /// The person, as the viewer may see them.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>, ApiError> {
        match Member::load(ctx, self.0.person) {
            Ok(member) => Ok(Some(member)),
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// A page of the audit trail, newest first.
#[derive(SimpleObject)]
pub struct PersonalDataReadConnection {
    nodes: Vec<PersonalDataRead>,
    /// Pass as `after` to go on to older reads; null at the end.
    end_cursor: Option<String>,
    has_next_page: bool,
    total_count: i32,
}

/// `viewer` and `personalDataReads`.
#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    async fn viewer(&self, ctx: &Context<'_>) -> Result<ViewerObject, ApiError> {
        Ok(match viewer(ctx) {
            Viewer::Anonymous => ViewerObject {
                user_id: None,
                role: None,
                organization: None,
                holder: None,
            },
            Viewer::Holder(holder) => ViewerObject {
                user_id: Some(ID(holder.user_id.to_string())),
                role: Some(holder.role.into()),
                organization: Organization::known(ctx, holder.org_id).ok(),
                holder: Some(holder.holder.clone()),
            },
        })
    }

    /// Who read whose personal data, newest first (ADMIN and AUDITOR): the reads
    /// of one member's data, or by one viewer, or (without either) all reads of
    /// members of the viewer's subtree.
    async fn personal_data_reads(
        &self,
        ctx: &Context<'_>,
        member_id: Option<ID>,
        viewer_id: Option<ID>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
    ) -> Result<PersonalDataReadConnection, ApiError> {
        let app = app(ctx);
        let holder = viewer(ctx).may(Action::ReadAudit)?;
        let first = super::connection::page_size(first.unwrap_or(50))?;
        let before = after
            .map(|cursor| {
                cursor.parse::<u32>().map_err(|_| ApiError::Validation {
                    message: "the cursor is not one this list gave out".into(),
                    field: Some("after"),
                })
            })
            .transpose()?;
        let of = match (member_id, viewer_id) {
            (Some(_), Some(_)) => {
                return Err(ApiError::Validation {
                    message: "give memberId or viewerId, not both".into(),
                    field: Some("viewerId"),
                });
            }
            (Some(id), None) => {
                let person = person_id(&id)?;
                // The member must be one the viewer may read.
                Member::load(ctx, person)?;
                ReadsOf::Person(person)
            }
            (None, Some(id)) => {
                let user = UserId(parse_uuid(&id, "viewerId")?);
                if let Some(reader) = app.access.holder(user) {
                    viewer(ctx).may_at(Action::ReadAudit, reader.org_id, &app.registry)?;
                }
                ReadsOf::Viewer(user)
            }
            (None, None) => ReadsOf::All,
        };
        // Below the root, only reads of the subtree's members are shown.
        let subtree_only = app
            .registry
            .organization(holder.org_id)
            .is_none_or(|org| org.parent_id.is_some());
        let visible = |read: &Read| {
            !subtree_only
                || app
                    .registry
                    .member(read.person)
                    .is_some_and(|m| app.registry.within(m.home, holder.org_id))
        };
        let (page, total) = if subtree_only {
            // Filter, then page: the trail's own pages would count other subtrees.
            let (all, _) = app.audit.reads(of, before, usize::MAX);
            let visible: Vec<(u32, Read)> = all.into_iter().filter(|(_, r)| visible(r)).collect();
            let total = visible.len();
            (
                visible.into_iter().take(first + 1).collect::<Vec<_>>(),
                total,
            )
        } else {
            app.audit.reads(of, before, first + 1)
        };
        let has_next_page = page.len() > first;
        let nodes: Vec<(u32, Read)> = page.into_iter().take(first).collect();
        let end_cursor = has_next_page
            .then(|| nodes.last().map(|(n, _)| n.to_string()))
            .flatten();
        Ok(PersonalDataReadConnection {
            nodes: nodes
                .into_iter()
                .map(|(_, r)| PersonalDataRead(r))
                .collect(),
            end_cursor,
            has_next_page,
            total_count: saturating_i32(total),
        })
    }
}

/// `grantRole` and `revokeRole`.
#[derive(Default)]
pub struct AccessMutation;

#[Object]
impl AccessMutation {
    /// Grants a role over a subtree inside the granting ADMIN's own; the token
    /// is shown once.
    async fn grant_role(
        &self,
        ctx: &Context<'_>,
        input: GrantRoleInput,
    ) -> Result<AccessToken, ApiError> {
        let app = app(ctx);
        let org = org_id(&input.org_id)?;
        if app.registry.organization(org).is_none() {
            return Err(ApiError::NotFound {
                what: "organisation",
            });
        }
        viewer(ctx).may_at(Action::WriteRoles, org, &app.registry)?;
        let issued = issued(ctx, input.command_id.as_ref(), None)?;
        let granted =
            grant_role(&app.commands, &issued, input.role.into(), org, input.holder).await?;
        app.include(&granted.appended).await?;
        Ok(AccessToken {
            user_id: ID(granted.user_id.to_string()),
            role: input.role,
            organization: Organization::known(ctx, org)?,
            token: granted.token,
        })
    }

    /// Revokes a holder's role; their token stops working at once.
    async fn revoke_role(&self, ctx: &Context<'_>, user_id: ID) -> Result<bool, ApiError> {
        let app = app(ctx);
        let user = UserId(parse_uuid(&user_id, "userId")?);
        viewer(ctx).may(Action::WriteRoles)?;
        let target = app.access.holder(user).ok_or(ApiError::NotFound {
            what: "role holder",
        })?;
        viewer(ctx).may_at(Action::WriteRoles, target.org_id, &app.registry)?;
        let issued = issued(ctx, None, None)?;
        let appended = revoke_role(&app.commands, &issued, user).await?;
        app.include(&appended).await?;
        Ok(true)
    }
}
