//! `Application` and the queries `application` and `applications`.

use async_graphql::{Context, ID, Object};
use domain::ids::ApplicationId;
use projections::registry::{ApplicantNames, ApplicationStatus as Status, ApplicationView};

use crate::error::ApiError;
use crate::guard::Action;
use crate::schema::connection::{ApplicationConnection, page_size};
use crate::schema::enums::ApplicationStatus;
use crate::schema::member::Member;
use crate::schema::organization::Organization;
use crate::schema::scalars::Date;
use crate::schema::{app, org_id, parse_uuid, viewer};

/// An online application.
pub struct Application {
    view: ApplicationView,
    /// Answered to the applicant who just submitted it: they see their own names.
    to_applicant: bool,
}

impl Application {
    /// The application `id` as `ctx`'s viewer may see it.
    ///
    /// # Errors
    /// `NOT_FOUND`; `FORBIDDEN` for a role that reads no applications or an
    /// organisation outside the viewer's subtree.
    pub fn load(ctx: &Context<'_>, id: ApplicationId) -> Result<Application, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::ReadMembers)?;
        let view = app.registry.application(id).ok_or(ApiError::NotFound {
            what: "application",
        })?;
        viewer(ctx).may_at(Action::ReadMembers, view.org_id, &app.registry)?;
        Ok(Application {
            view,
            to_applicant: false,
        })
    }

    /// The application just submitted, as its applicant sees it.
    pub fn submitted(ctx: &Context<'_>, id: ApplicationId) -> Result<Application, ApiError> {
        let view = app(ctx)
            .registry
            .application(id)
            .ok_or(ApiError::NotFound {
                what: "application",
            })?;
        Ok(Application {
            view,
            to_applicant: true,
        })
    }

    fn names(&self, ctx: &Context<'_>) -> Result<Option<&ApplicantNames>, ApiError> {
        if !self.to_applicant && !viewer(ctx).sees_personal_data() {
            return Err(ApiError::Forbidden(
                "personal data is not shown to this role".into(),
            ));
        }
        Ok(self.view.names.as_ref())
    }
}

#[Object]
impl Application {
    async fn id(&self) -> ID {
        ID(self.view.application_id.to_string())
    }

    async fn status(&self) -> ApplicationStatus {
        projections::registry::ApplicationStatusKind::from(&self.view.status).into()
    }

    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization, ApiError> {
        Organization::known(ctx, self.view.org_id)
    }

    async fn submitted_on(&self) -> Date {
        Date(self.view.submitted_on)
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
        match &self.view.status {
            Status::Pending => None,
            Status::Approved { decided_on, .. } | Status::Rejected { decided_on, .. } => {
                Some(Date(*decided_on))
            }
        }
    }

    async fn rejection_reason(&self) -> Option<&str> {
        match &self.view.status {
            Status::Rejected { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// The member created on approval.
    async fn member(&self, ctx: &Context<'_>) -> Result<Option<Member>, ApiError> {
        match &self.view.status {
            Status::Approved { person_id, .. } => Member::load(ctx, *person_id).map(Some),
            _ => Ok(None),
        }
    }

    /// Version of the application's stream.
    async fn version(&self) -> i32 {
        i32::try_from(self.view.version).unwrap_or(i32::MAX)
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
        let id = ApplicationId(parse_uuid(&id, "id")?);
        match Application::load(ctx, id) {
            Ok(found) => Ok(Some(found)),
            Err(ApiError::NotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    async fn applications(
        &self,
        ctx: &Context<'_>,
        org_id: ID,
        #[graphql(default_with = "Some(ApplicationStatus::Pending)")] status: Option<
            ApplicationStatus,
        >,
        #[graphql(default = 50)] first: Option<i32>,
        after: Option<String>,
    ) -> Result<ApplicationConnection, ApiError> {
        let app = app(ctx);
        let org = org_id_of(&org_id)?;
        let first = page_size(first.unwrap_or(50))?;
        if app.registry.organization(org).is_none() {
            return Err(ApiError::NotFound {
                what: "organisation",
            });
        }
        viewer(ctx).may_at(Action::ReadMembers, org, &app.registry)?;
        let page = app.registry.applications(
            org,
            status.unwrap_or(ApplicationStatus::Pending).into(),
            first,
            after.as_deref(),
        )?;
        Ok(ApplicationConnection::from_page(page, |view| Application {
            view,
            to_applicant: false,
        }))
    }
}

fn org_id_of(id: &ID) -> Result<domain::ids::OrgId, ApiError> {
    org_id(id)
}
