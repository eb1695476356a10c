//! Online applications: submitted by anyone (limited per client address),
//! read and decided by those who read and change members of the organisation.

use chrono::NaiveDate;
use domain::ids::ApplicationId;
use domain::vocabulary::card::CardKind;
use domain::vocabulary::person::{Gender, MemberCategory, Profession};
use projections::registry::{ApplicantNames, ApplicationStatusKind, ApplicationView, MemberView};
use serde::{Deserialize, Serialize};

use crate::audit::PersonalReads;
use crate::commands::{self, NewApplication};
use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::input::{self, MAX_NAME_CHARS, MAX_TEXT_CHARS, PersonalForm};
use crate::page::{Page, Window};
use crate::rate_limit::ClientAddr;
use crate::running::App;

/// An application as a viewer sees it.
#[derive(Clone, Debug)]
pub struct Application {
    /// The application.
    pub view: ApplicationView,
    /// Whether this answers the applicant who just submitted it: they see
    /// their own names whatever their role.
    pub to_applicant: bool,
}

impl Application {
    /// The applicant's names (`None` after erasure), for a viewer who may see
    /// personal data (noted in `reads`, recorded before the answer leaves), or
    /// the applicant themselves.
    ///
    /// # Errors
    /// `FORBIDDEN` for anyone else.
    pub fn names(&self, reads: &PersonalReads) -> Result<Option<&ApplicantNames>, Error> {
        if !self.to_applicant {
            reads.show_application(self.view.application_id)?;
        }
        Ok(self.view.names.as_ref())
    }
}

/// `submitApplication(input)`: an application to join, as the public form
/// sends it.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SubmitApplication {
    /// The primary organisation applied to.
    pub org_id: String,
    /// Surname.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
    /// Patronymic.
    pub patronymic: Option<String>,
    /// Gender.
    pub gender: Gender,
    /// Birth date.
    #[serde(deserialize_with = "input::deserialize_date")]
    pub birth_date: NaiveDate,
    /// SNILS.
    pub snils: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Category.
    pub category: MemberCategory,
    /// Profession, for workers.
    pub profession: Option<Profession>,
    /// Position held.
    pub position: Option<String>,
    /// Consent to the processing of personal data; must be true.
    pub consent: bool,
}

/// `approveApplication(id, decidedOn, issueCard, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApproveApplication {
    /// The application.
    pub id: String,
    /// The day of the decision (today when absent).
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub decided_on: Option<NaiveDate>,
    /// A card to issue in the same command.
    pub issue_card: Option<CardKind>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `rejectApplication(id, reason, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RejectApplication {
    /// The application.
    pub id: String,
    /// Why.
    pub reason: String,
    /// Idempotency key.
    pub command_id: Option<String>,
}

impl App {
    /// The application `id` as `viewer` may see it.
    ///
    /// # Errors
    /// `NOT_FOUND`; `FORBIDDEN` for a role that reads no applications or an
    /// organisation outside the viewer's subtree.
    pub fn application(&self, viewer: &Viewer, id: ApplicationId) -> Result<Application, Error> {
        viewer.may(Action::ReadMembers)?;
        let view = self.application_view(id)?;
        viewer.may_at(Action::ReadMembers, view.org_id, &self.models.registry)?;
        Ok(Application {
            view,
            to_applicant: false,
        })
    }

    /// A page of the applications to `org_id` of one status.
    ///
    /// # Errors
    /// Bad ids, pages, cursors; `NOT_FOUND`; `FORBIDDEN` outside the subtree.
    pub fn applications(
        &self,
        viewer: &Viewer,
        org_id: &str,
        status: ApplicationStatusKind,
        first: i64,
        after: Option<&str>,
    ) -> Result<Page<Application>, Error> {
        let window = Window::forward(first, after.map(str::to_owned));
        self.applications_window(viewer, org_id, status, &window)
    }

    /// [`App::applications`] either way (see [`Window`]).
    ///
    /// # Errors
    /// As [`App::applications`].
    pub fn applications_window(
        &self,
        viewer: &Viewer,
        org_id: &str,
        status: ApplicationStatusKind,
        window: &Window,
    ) -> Result<Page<Application>, Error> {
        let org = input::id(org_id, "id")?;
        let checked = window.checked()?;
        self.organization_target(viewer, Action::ReadMembers, org)?;
        let page: Page<ApplicationView> = self
            .models
            .registry
            .applications_window(org, status, checked)
            .map_err(|e| window.refused(e))?
            .into();
        Ok(page.map(|view| Application {
            view,
            to_applicant: false,
        }))
    }

    /// `submitApplication`: public, dated today, limited per client address
    /// (counted before anything else: malformed submissions load the server
    /// too). Answers the applicant.
    ///
    /// # Errors
    /// `RATE_LIMITED`; bad input; `NOT_FOUND`; the charter's refusals.
    pub async fn submit_application(
        &self,
        viewer: &Viewer,
        client: Option<ClientAddr>,
        input: SubmitApplication,
    ) -> Result<Application, Error> {
        self.submit_application_as(viewer, client, input, None)
            .await
    }

    /// `submitApplication` with an idempotency key (the receipt's, see
    /// [`crate::joining`]).
    pub(crate) async fn submit_application_as(
        &self,
        viewer: &Viewer,
        client: Option<ClientAddr>,
        input: SubmitApplication,
        command_id: Option<String>,
    ) -> Result<Application, Error> {
        self.submissions.check(client)?;
        let issued = self.issue(viewer, &(), command_id.as_deref(), None)?;
        let org_id = input::id(&input.org_id, "orgId")?;
        let new = NewApplication {
            org_id,
            personal: input::personal_data(PersonalForm {
                last_name: input.last_name,
                first_name: input.first_name,
                patronymic: input.patronymic,
                birth_date: input.birth_date,
                snils: input.snils,
                email: input.email,
                phone: input.phone,
            })?,
            gender: input.gender,
            category: input.category,
            profession: input.profession,
            position: input::optional_text(input.position, "position", MAX_NAME_CHARS)?,
            consent: input.consent,
        };
        self.named_organization(org_id)?;
        let (id, appended) = commands::submit_application(&self.commands, &issued, new).await?;
        self.reach(appended.last_position).await?;
        Ok(Application {
            view: self.application_view(id)?,
            to_applicant: true,
        })
    }

    /// `approveApplication`: the applicant is admitted on the application's
    /// date. Returns the member.
    ///
    /// # Errors
    /// Bad input; `NOT_FOUND`, `FORBIDDEN`; the charter's refusals; conflicts.
    pub async fn approve_application(
        &self,
        viewer: &Viewer,
        input: ApproveApplication,
    ) -> Result<MemberView, Error> {
        viewer.may(Action::WriteMembers)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let application = input::id(&input.id, "id")?;
        let decided_on = input::date_or(input.decided_on, issued.today);
        self.application_target(viewer, application)?;
        let snils = commands::application_snils(&self.commands, application).await?;
        self.look_up_snils(viewer, snils).await?;
        let (person, appended) = commands::approve_application(
            &self.commands,
            &issued,
            application,
            decided_on,
            input.issue_card,
        )
        .await?;
        if appended.duplicate {
            // As for an admission: the first result, if the viewer may read it now.
            self.member(viewer, person)?;
        }
        self.member_after(person, appended.last_position).await
    }

    /// `rejectApplication`, with its reason, dated today.
    ///
    /// # Errors
    /// As [`App::approve_application`].
    pub async fn reject_application(
        &self,
        viewer: &Viewer,
        input: RejectApplication,
    ) -> Result<Application, Error> {
        viewer.may(Action::WriteMembers)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let application = input::id(&input.id, "id")?;
        let reason = input::text(input.reason, "reason", MAX_TEXT_CHARS)?;
        self.application_target(viewer, application)?;
        let appended =
            commands::reject_application(&self.commands, &issued, application, reason).await?;
        self.reach(appended.last_position).await?;
        self.application(viewer, application)
    }

    /// The application `id`, which the viewer may decide: its organisation is
    /// in the viewer's subtree.
    fn application_target(&self, viewer: &Viewer, id: ApplicationId) -> Result<(), Error> {
        let view = self.application_view(id)?;
        viewer.may_at(Action::WriteMembers, view.org_id, &self.models.registry)
    }

    fn application_view(&self, id: ApplicationId) -> Result<ApplicationView, Error> {
        self.models.registry.application(id).ok_or(Error::NotFound {
            what: "application",
        })
    }
}
