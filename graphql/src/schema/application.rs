//! `Application` and the queries `application` and `applications`.

use app::views::{ApplicantNames, ApplicationStatus as Status, ApplicationStatusKind};
use async_graphql::{Context, ID, Object};
use domain::ids::ApplicationId;

use crate::error::ApiError;
use crate::schema::connection::{self, ApplicationConnection};
use crate::schema::enums::ApplicationStatus;
use crate::schema::member::Member;
use crate::schema::organization::Organization;
use crate::schema::scalars::Date;
use crate::schema::{app, reads, viewer};

/// An online application.
pub struct Application(pub app::applications::Application);

impl Application {
    /// The application `id` as `ctx`'s viewer may see it.
    ///
    /// # Errors
    /// `NOT_FOUND`; `FORBIDDEN` for a role that reads no applications or an
    /// organisation outside the viewer's subtree.
    pub fn load(ctx: &Context<'_>, id: ApplicationId) -> Result<Application, ApiError> {
        Ok(Application(app(ctx).application(viewer(ctx), id)?))
    }

    fn names(&self, ctx: &Context<'_>) -> Result<Option<&ApplicantNames>, ApiError> {
        Ok(self.0.names(reads(ctx)?)?)
    }
}

#[Object]
impl Application {
    pub async fn id(&self) -> ID {
        ID(self.0.view.application_id.to_string())
    }

    async fn status(&self) -> ApplicationStatus {
        ApplicationStatusKind::from(&self.0.view.status).into()
    }

    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization, ApiError> {
        Organization::known(ctx, self.0.view.org_id)
    }

    async fn submitted_on(&self) -> Date {
        Date(self.0.view.submitted_on)
    }

    async fn last_name(&self, ctx: &Context<'_>) -> Result<Option<&str>, ApiError> {
        Ok(self.names(ctx)?.map(|n| n.last_name.as_str()))
    }

    async fn first_name(&self, ctx: &Context<'_>) -> Result<Option<&str>, ApiError> {
        Ok(self.names(ctx)?.map(|n| n.first_name.as_str()))
    }

    async fn patronymic(&self, ctx: &Context<'_>) -> Result<Option<&str>, ApiError> {
        Ok(self.names(ctx)?.and_then(|n| n.patronymic.as_deref()))
    }

    async fn decided_on(&self) -> Option<Date> {
        match &self.0.view.status {
            Status::Pending => None,
            Status::Approved { decided_on, .. } | Status::Rejected { decided_on, .. } => {
                Some(Date(*decided_on))
            }
        }
    }

    async fn rejection_reason(&self) -> Option<&str> {
        match &self.0.view.status {
            Status::Rejected { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The member created on approval.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>, ApiError> {
        match &self.0.view.status {
            Status::Approved { person_id, .. } => Member::load(ctx, *person_id).map(Some),
            _ => Ok(None),
        }
    }

    /// Version of the application's stream.
    async fn version(&self) -> i32 {
        i32::try_from(self.0.view.version).unwrap_or(i32::MAX)
    }
}

/// `application` and `applications`.
#[derive(Default)]
pub struct ApplicationQuery;

#[Object]
impl ApplicationQuery {
    async fn application(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<Option<Application>, ApiError> {
        let id = app::input::id(&id, "id")?;
        match Application::load(ctx, id) {
            Ok(found) => Ok(Some(found)),
            Err(ApiError(app::Error::NotFound { .. })) => Ok(None),
            Err(other) => Err(other),
        }
    }

    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::schema::connection::page_cost(first, last, child_complexity)")]
    async fn applications(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        #[graphql(default_with = "Some(ApplicationStatus::Pending)")] status: Option<
            ApplicationStatus,
        >,
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
    ) -> Result<ApplicationConnection, ApiError> {
        let window = connection::window(ctx, first, after, last, before, 50)?;
        let page = app(ctx).applications_window(
            viewer(ctx),
            &org_id,
            status.unwrap_or(ApplicationStatus::Pending).into(),
            &window,
        )?;
        Ok(ApplicationConnection::from_page(page, Application))
    }
}
