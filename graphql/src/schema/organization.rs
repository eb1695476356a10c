//! `Organization`, `Passport`, and the queries `organization` and `organizations`.

use app::organizations::OrganizationsQuery;
use app::views::OrganizationView;
use async_graphql::{Context, ID, Object, SimpleObject};
use domain::ids::OrgId;
use domain::organization::PassportFrom;

use crate::error::ApiError;
use crate::schema::connection::{self, OrganizationConnection};
use crate::schema::enums::{OrgLevel, Sector};
use crate::schema::scalars::Date;
use crate::schema::{app, viewer};

/// An organisation of the tree, as it stands now.
pub struct Organization(pub OrganizationView);

impl Organization {
    /// The organisation `org` as `ctx`'s viewer may see it.
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown organisation, `FORBIDDEN` outside the viewer's
    /// subtree and the path above it.
    pub fn load(ctx: &Context<'_>, org: OrgId) -> Result<Organization, ApiError> {
        Ok(Organization(app(ctx).organization(viewer(ctx), org)?))
    }

    /// The organisation `org`, already known to be visible (a member's home,
    /// a statistics root checked by its resolver).
    pub fn known(ctx: &Context<'_>, org: OrgId) -> Result<Organization, ApiError> {
        Ok(Organization(app(ctx).named_organization(org)?))
    }
}

#[Object]
impl Organization {
    pub async fn id(&self) -> ID {
        ID(self.0.org_id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn short_name(&self) -> Option<&str> {
        self.0.short_name.as_deref()
    }

    async fn level(&self) -> OrgLevel {
        self.0.level.into()
    }

    /// Region code of the subject of the federation (01..99), inherited from the regional organisation.
    async fn region_code(&self) -> Option<i32> {
        self.0.region_code.map(i32::from)
    }

    async fn territorial_rights(&self) -> bool {
        self.0.territorial_rights
    }

    async fn parent(&self, ctx: &Context<'_>) -> Result<Option<Organization>, ApiError> {
        self.0
            .parent_id
            .map(|parent| Organization::known(ctx, parent))
            .transpose()
    }

    /// From the root down to this organisation, both included.
    async fn path(&self, ctx: &Context<'_>) -> Vec<Organization> {
        app(ctx)
            .path(self.0.org_id)
            .into_iter()
            .map(Organization)
            .collect()
    }

    #[graphql(complexity = "crate::schema::connection::page_cost(first, last, child_complexity)")]
    async fn children(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 100)] first: Option<i32>,
        after: Option<String>,
        #[graphql(
            desc = "Backward paging: the last items (before `before`, else of the list); not with `first` (an addition)."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Backward paging: the page ends before this cursor (an edge's, or `startCursor`) (an addition)."
        )]
        before: Option<String>,
    ) -> Result<OrganizationConnection, ApiError> {
        let window = connection::window(ctx, first, after, last, before, 100)?;
        let page = app(ctx).children_window(viewer(ctx), self.0.org_id, &window)?;
        Ok(OrganizationConnection::from_page(page, Organization))
    }

    async fn passport(&self) -> Option<PassportObject> {
        self.0
            .passport
            .as_ref()
            .map(|(passport, updated_on)| PassportObject {
                sector: passport.sector.map(Sector::from),
                employees: passport.employees.map(saturating_i32),
                students: passport.students.map(saturating_i32),
                chair_name: passport.chair_name.clone(),
                address: passport.address.clone(),
                phone: passport.phone.clone(),
                email: passport.email.clone(),
                updated_on: Some(Date(*updated_on)),
                effective_on: match self.0.passport_from {
                    Some(PassportFrom::On(from)) => Some(Date(from)),
                    Some(PassportFrom::Beginning) | None => None,
                },
            })
    }

    /// The day it was established; null: registered without one, an
    /// organisation the registry found in place (it takes backdated admissions,
    /// moves and passports).
    async fn established_on(&self) -> Option<Date> {
        self.0.established_on.map(Date)
    }

    async fn dissolved(&self) -> bool {
        self.0.dissolved_on.is_some()
    }

    /// The first day it no longer exists, once dissolved.
    async fn dissolved_on(&self) -> Option<Date> {
        self.0.dissolved_on.map(Date)
    }

    /// Active members whose home is in this subtree, now.
    async fn member_count(&self) -> i32 {
        saturating_i32(self.0.member_count)
    }

    /// Version of the organisation's stream, for expectedVersion.
    async fn version(&self) -> i32 {
        saturating_i32(self.0.version)
    }
}

/// A primary organisation's passport.
#[derive(SimpleObject)]
#[graphql(name = "Passport")]
pub struct PassportObject {
    sector: Option<Sector>,
    employees: Option<i32>,
    students: Option<i32>,
    chair_name: Option<String>,
    address: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    updated_on: Option<Date>,
    /// The first day this passport describes; null: since the organisation's
    /// beginning (an undated first passport).
    effective_on: Option<Date>,
}

/// A count as a GraphQL `Int` (counts here stay far below its limit).
pub(crate) fn saturating_i32<N: TryInto<i32>>(n: N) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

/// `organization` and `organizations`.
#[derive(Default)]
pub struct OrganizationQuery;

#[Object]
impl OrganizationQuery {
    async fn organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<Organization>, ApiError> {
        let org = app::input::id(&id, "id")?;
        match Organization::load(ctx, org) {
            Ok(found) => Ok(Some(found)),
            Err(ApiError(app::Error::NotFound { .. })) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// The children of `parentId` by name, or every organisation of the viewer's
    /// subtree; of `level`, matching `search` (a part of the name, any case, ё = е).
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::schema::connection::page_cost(first, last, child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        parent_id: Option<ID>,
        level: Option<OrgLevel>,
        search: Option<String>,
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
    ) -> Result<OrganizationConnection, ApiError> {
        let window = connection::window(ctx, first, after, last, before, 50)?;
        let query = OrganizationsQuery {
            parent_id: parent_id.map(|id| id.0),
            level: level.map(Into::into),
            search,
            first: 0,
            after: None,
        };
        let page = app(ctx).organizations_window(viewer(ctx), query, &window)?;
        Ok(OrganizationConnection::from_page(page, Organization))
    }
}
