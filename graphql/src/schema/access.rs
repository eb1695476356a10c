//! `Viewer`, `AccessToken`, `grantRole`, `revokeRole`, and the audit trail of
//! personal-data reads (`personalDataReads`, an addition to the contract).

use app::access::{GrantRole, ReadsQuery, RevokeRole};
use app::views::Read;
use app::{Page, Viewer};
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use domain::audit::DataSubject;

use crate::error::ApiError;
use crate::schema::cabinet::ViewerKind;
use crate::schema::connection::{self, PageInfo};
use crate::schema::enums::Role;
use crate::schema::member::Member;
use crate::schema::organization::{Organization, saturating_i32};
use crate::schema::scalars::DateTime;
use crate::schema::{app, viewer};

/// Who the request's token belongs to; all null without one.
#[derive(SimpleObject)]
#[graphql(name = "Viewer")]
pub struct ViewerObject {
    user_id: Option<ID>,
    role: Option<Role>,
    organization: Option<Organization>,
    /// The label given at the grant, e.g. a name or e-mail.
    holder: Option<String>,
    /// Nobody, staff, or a member in their cabinet.
    kind: ViewerKind,
    /// A member in their cabinet: their own record (null for anyone else).
    member: Option<Member>,
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
        app(ctx).holder_label(self.0.viewer)
    }

    /// The person whose data was shown; null for an applicant's.
    async fn member_id(&self) -> Option<ID> {
        match self.0.subject {
            DataSubject::Person(person) => Some(ID(person.to_string())),
            DataSubject::Application(_) => None,
        }
    }

    /// The application whose applicant's data was shown; null for a person's.
    async fn application_id(&self) -> Option<ID> {
        match self.0.subject {
            DataSubject::Application(application) => Some(ID(application.to_string())),
            DataSubject::Person(_) => None,
        }
    }

    /// The person, as the viewer may see them.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>, ApiError> {
        let DataSubject::Person(person) = self.0.subject else {
            return Ok(None);
        };
        match Member::load(ctx, person) {
            Ok(member) => Ok(Some(member)),
            Err(ApiError(app::Error::NotFound { .. })) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// One read of the audit trail with its cursor.
#[derive(SimpleObject)]
pub struct PersonalDataReadEdge {
    /// Pass as `after` to continue after this read.
    cursor: String,
    node: PersonalDataRead,
}

/// A page of the audit trail, newest first: a Relay connection (`edges`,
/// `pageInfo`), and, as first served, `nodes` with the page's fields beside
/// them.
#[derive(SimpleObject)]
pub struct PersonalDataReadConnection {
    edges: Vec<PersonalDataReadEdge>,
    page_info: PageInfo,
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
            Viewer::Anonymous | Viewer::Operator(_) => ViewerObject {
                user_id: None,
                role: None,
                organization: None,
                holder: None,
                kind: if matches!(viewer(ctx), Viewer::Anonymous) {
                    ViewerKind::Anonymous
                } else {
                    ViewerKind::Staff
                },
                member: None,
            },
            Viewer::Holder(holder) => ViewerObject {
                user_id: Some(ID(holder.user_id.to_string())),
                role: Some(holder.role.into()),
                organization: Organization::known(ctx, holder.org_id).ok(),
                holder: Some(holder.holder.clone()),
                kind: ViewerKind::Staff,
                member: None,
            },
            Viewer::Member(person) => ViewerObject {
                user_id: None,
                role: None,
                organization: None,
                holder: None,
                kind: ViewerKind::Member,
                member: Some(Member::load(ctx, *person)?),
            },
        })
    }

    /// Who read whose personal data, newest first (ADMIN and AUDITOR): the reads
    /// of one member's data, or by one viewer, or (without either) all reads of
    /// members of the viewer's subtree.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::schema::connection::page_cost(first, last, child_complexity)")]
    async fn personal_data_reads(
        &self,
        ctx: &Context<'_>,
        member_id: Option<ID>,
        viewer_id: Option<ID>,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
        #[graphql(
            desc = "Backward paging: the last items (before `before`, else of the list); not with `first` (an addition)."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Backward paging: the page ends before this cursor (an edge's, or `startCursor`) (an addition)."
        )]
        before: Option<String>,
    ) -> Result<PersonalDataReadConnection, ApiError> {
        let window = connection::window(ctx, first, after, last, before, 50)?;
        let query = ReadsQuery {
            member_id: member_id.map(|id| id.0),
            viewer_id: viewer_id.map(|id| id.0),
            ..ReadsQuery::default()
        };
        let reads = app(ctx)
            .personal_data_reads_window(viewer(ctx), query, &window)
            .await?;
        // `endCursor` beside `nodes` keeps its first meaning (null at the
        // end); pageInfo's names the last read shown, as Relay's does.
        let end_cursor = reads.end_cursor;
        let page = Page {
            end_cursor: reads.cursors.last().cloned(),
            start_cursor: reads.start_cursor,
            items: reads.cursors.into_iter().zip(reads.reads).collect(),
            has_next_page: reads.has_next_page,
            has_previous_page: reads.has_previous_page,
            total_count: u64::try_from(reads.total_count).unwrap_or(u64::MAX),
        };
        let page_info = PageInfo::of(&page);
        Ok(PersonalDataReadConnection {
            nodes: page
                .items
                .iter()
                .map(|(_, read)| PersonalDataRead(*read))
                .collect(),
            edges: page
                .items
                .into_iter()
                .map(|(inner, read)| PersonalDataReadEdge {
                    cursor: connection::cursor(&inner),
                    node: PersonalDataRead(read),
                })
                .collect(),
            end_cursor: end_cursor.as_deref().map(connection::cursor),
            has_next_page: page_info.has_next_page,
            page_info,
            total_count: saturating_i32(page.total_count),
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
        let grant = GrantRole {
            role: input.role.into(),
            org_id: input.org_id.0,
            holder: input.holder,
            command_id: input.command_id.map(|id| id.0),
        };
        let granted = app(ctx).grant_role(viewer(ctx), grant).await?;
        Ok(AccessToken {
            user_id: ID(granted.user_id.to_string()),
            role: granted.role.into(),
            organization: Organization::known(ctx, granted.org_id)?,
            token: granted.token,
        })
    }

    /// Revokes a holder's role; their token stops working at once.
    async fn revoke_role(&self, ctx: &Context<'_>, user_id: ID) -> Result<bool, ApiError> {
        let revoke = RevokeRole { user_id: user_id.0 };
        app(ctx).revoke_role(viewer(ctx), revoke).await?;
        Ok(true)
    }
}
