//! The organisation tree: who may see which organisation, lists of them, and
//! the commands that change the tree and passports.
//!
//! A viewer sees its subtree and the path above it (names, so its place in the
//! tree makes sense); an organisation named by something it may see (a
//! member's home, an event) is shown by [`App::named_organization`].

use chrono::NaiveDate;
use domain::ids::OrgId;
use domain::vocabulary::organization::{OrgLevel, Passport, Sector};
use projections::registry::OrganizationView;
use serde::{Deserialize, Serialize};

use crate::commands::{self, NewOrganization};
use crate::error::{Error, Refusal};
use crate::guard::{Action, Viewer};
use crate::input::{self, MAX_NAME_CHARS, MAX_TEXT_CHARS};
use crate::page::{Page, Window};
use crate::running::App;

/// `organizations(parentId, level, search, first, after)`.
#[derive(Clone, Debug, Default)]
pub struct OrganizationsQuery {
    /// The children of this organisation; absent: the viewer's whole subtree.
    pub parent_id: Option<String>,
    /// Only this level.
    pub level: Option<OrgLevel>,
    /// A part of the name or short name (any case, ё = е).
    pub search: Option<String>,
    /// Page size.
    pub first: i64,
    /// The cursor to go on after.
    pub after: Option<String>,
}

/// `registerOrganization(input)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RegisterOrganization {
    /// Absent only for the single CENTRAL organisation.
    pub parent_id: Option<String>,
    /// The full name.
    pub name: String,
    /// The short name.
    pub short_name: Option<String>,
    /// The level.
    pub level: OrgLevel,
    /// The region code (REGIONAL only).
    pub region_code: Option<i64>,
    /// The rights of a territorial organisation (PRIMARY only).
    #[serde(default)]
    pub territorial_rights: Option<bool>,
    /// The day it was established; absent: an organisation found in place,
    /// which takes backdated admissions, moves and passports (DESIGN.md §7).
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub established_on: Option<NaiveDate>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `renameOrganization(id, name, shortName, expectedVersion, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RenameOrganization {
    /// The organisation.
    pub id: String,
    /// The new full name.
    pub name: String,
    /// The new short name.
    pub short_name: Option<String>,
    /// The version the client expects the organisation to have.
    pub expected_version: Option<i64>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `moveOrganization(id, newParentId, effectiveOn, expectedVersion, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MoveOrganization {
    /// The organisation.
    pub id: String,
    /// Its new parent.
    pub new_parent_id: String,
    /// From when (today when absent).
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub effective_on: Option<NaiveDate>,
    /// The version the client expects the organisation to have.
    pub expected_version: Option<i64>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// A primary organisation's passport as a whole: absent fields are cleared.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PassportForm {
    /// The type of educational organisation.
    pub sector: Option<Sector>,
    /// Employees.
    pub employees: Option<i64>,
    /// Students.
    pub students: Option<i64>,
    /// The chair's name.
    pub chair_name: Option<String>,
    /// The address.
    pub address: Option<String>,
    /// The phone.
    pub phone: Option<String>,
    /// The e-mail.
    pub email: Option<String>,
}

/// `updatePassport(id, input, expectedVersion, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdatePassport {
    /// The organisation.
    pub id: String,
    /// The passport.
    pub input: PassportForm,
    /// From when; absent: undated (the first passport describes the
    /// organisation from its beginning, a later one applies from today).
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub effective_on: Option<NaiveDate>,
    /// The version the client expects the organisation to have.
    pub expected_version: Option<i64>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `dissolveOrganization(id, effectiveOn, expectedVersion, commandId)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DissolveOrganization {
    /// The organisation.
    pub id: String,
    /// From when.
    #[serde(deserialize_with = "input::deserialize_date")]
    pub effective_on: NaiveDate,
    /// The version the client expects the organisation to have.
    pub expected_version: Option<i64>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

impl PassportForm {
    fn into_passport(self) -> Result<Passport, Error> {
        Ok(Passport {
            sector: self.sector,
            employees: input::count(self.employees, "employees")?,
            students: input::count(self.students, "students")?,
            chair_name: input::optional_text(self.chair_name, "chairName", MAX_NAME_CHARS)?,
            address: input::optional_text(self.address, "address", MAX_TEXT_CHARS)?,
            phone: input::optional_text(self.phone, "phone", MAX_NAME_CHARS)?,
            email: input::optional_email(self.email)?,
        })
    }
}

impl App {
    /// The organisation `org` as `viewer` may see it: in its subtree or on
    /// the path above.
    ///
    /// # Errors
    /// `NOT_FOUND`; `FORBIDDEN` elsewhere.
    pub fn organization(&self, viewer: &Viewer, org: OrgId) -> Result<OrganizationView, Error> {
        let view = self.named_organization(org)?;
        viewer.may_see_organization(org, &self.models.registry)?;
        Ok(view)
    }

    /// The organisation `org`, named by something the viewer may see already
    /// (a member's home, a parent, a statistics root, a past event): shown
    /// without a subtree check, as a path is.
    ///
    /// # Errors
    /// `NOT_FOUND`.
    pub fn named_organization(&self, org: OrgId) -> Result<OrganizationView, Error> {
        self.models
            .registry
            .organization(org)
            .ok_or(Error::NotFound {
                what: "organisation",
            })
    }

    /// From the root down to `org`, both included (names for its place).
    pub fn path(&self, org: OrgId) -> Vec<OrganizationView> {
        self.models.registry.path(org)
    }

    /// A page of the children of `org`, by name.
    ///
    /// # Errors
    /// `FORBIDDEN` outside the viewer's subtree; a bad page.
    pub fn children(
        &self,
        viewer: &Viewer,
        org: OrgId,
        first: i64,
        after: Option<&str>,
    ) -> Result<Page<OrganizationView>, Error> {
        let window = Window::forward(first, after.map(str::to_owned));
        self.children_window(viewer, org, &window)
    }

    /// [`App::children`] either way (see [`Window`]).
    ///
    /// # Errors
    /// As [`App::children`].
    pub fn children_window(
        &self,
        viewer: &Viewer,
        org: OrgId,
        window: &Window,
    ) -> Result<Page<OrganizationView>, Error> {
        viewer.may_at(Action::ReadOrganization, org, &self.models.registry)?;
        let checked = window.checked()?;
        let page = self.models.registry.children_window(org, checked);
        Ok(page.map_err(|e| window.refused(e))?.into())
    }

    /// `organizations(…)`: the children of `parentId` by name, or every
    /// organisation of the viewer's subtree, of `level`, matching `search`.
    ///
    /// # Errors
    /// `FORBIDDEN` for a parent outside the subtree; bad ids, pages, cursors.
    pub fn organizations(
        &self,
        viewer: &Viewer,
        query: OrganizationsQuery,
    ) -> Result<Page<OrganizationView>, Error> {
        let window = Window::forward(query.first, query.after.clone());
        self.organizations_window(viewer, query, &window)
    }

    /// [`App::organizations`] either way: the page `window` asks for (the
    /// query's own `first` and `after` give way to it).
    ///
    /// # Errors
    /// As [`App::organizations`].
    pub fn organizations_window(
        &self,
        viewer: &Viewer,
        query: OrganizationsQuery,
        window: &Window,
    ) -> Result<Page<OrganizationView>, Error> {
        let registry = &self.models.registry;
        let subtree = viewer.may(Action::ReadOrganization)?;
        let checked = window.checked()?;
        let parent: Option<OrgId> = input::optional_id(query.parent_id.as_deref(), "id")?;
        // A viewer below the root lists within its subtree: its own root
        // stands in for "everything".
        let below_root = subtree.filter(|&org| !self.tops_the_tree(org));
        let parent = match parent {
            None if query.search.is_none() && query.level.is_none() => parent.or(below_root),
            other => other,
        };
        if let Some(parent) = parent {
            viewer.may_at(Action::ReadOrganization, parent, registry)?;
        }
        let mut page: Page<OrganizationView> = registry
            .organizations_window(parent, query.level, query.search.as_deref(), checked)
            .map_err(|e| window.refused(e))?
            .into();
        if let (None, Some(subtree)) = (parent, below_root) {
            // Searching the whole tree from below the root: keep only the
            // subtree (the cursors still go on from what was looked at),
            // and do not tell the whole tree's count.
            page.items
                .retain(|(_, view)| registry.within(view.org_id, subtree));
            page.total_count = page.items.len() as u64;
        }
        Ok(page)
    }

    /// `registerOrganization`: under its parent, from today. Returns the
    /// organisation once the read models include it.
    ///
    /// # Errors
    /// Bad input; `FORBIDDEN` outside the subtree (or, for a second root,
    /// below the root); the charter's refusals; conflicts.
    pub async fn register_organization(
        &self,
        viewer: &Viewer,
        input: RegisterOrganization,
    ) -> Result<OrganizationView, Error> {
        let subtree = viewer.may(Action::WriteOrganizations)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let parent_id = input::optional_id(input.parent_id.as_deref(), "parentId")?;
        let new = NewOrganization {
            parent_id,
            name: input::text(input.name, "name", MAX_NAME_CHARS)?,
            short_name: input::optional_text(input.short_name, "shortName", MAX_NAME_CHARS)?,
            level: input.level,
            region_code: input::region_code(input.region_code)?,
            territorial_rights: input.territorial_rights.unwrap_or(false),
            established_on: input.established_on,
        };
        match (parent_id, subtree) {
            (Some(parent), _) => {
                self.organization_target(viewer, Action::WriteOrganizations, parent)?;
            }
            // The root has no parent to be in the subtree of: once it exists,
            // only an ADMIN of the whole tree may even ask (and is refused
            // SECOND_CENTRAL by the charter).
            (None, Some(subtree)) => {
                if self.models.registry.central_exists() && !self.tops_the_tree(subtree) {
                    return Err(Refusal::RootOnly(
                        "only an ADMIN of the whole union may register its CENTRAL organisation",
                    )
                    .into());
                }
            }
            (None, None) => {}
        }
        let (org, appended) = commands::register_organization(&self.commands, &issued, new).await?;
        self.reach(appended.last_position).await?;
        self.named_organization(org)
    }

    /// `renameOrganization`, from today.
    ///
    /// # Errors
    /// As [`App::register_organization`].
    pub async fn rename_organization(
        &self,
        viewer: &Viewer,
        input: RenameOrganization,
    ) -> Result<OrganizationView, Error> {
        viewer.may(Action::WriteOrganizations)?;
        let issued = self.issue(
            viewer,
            &input,
            input.command_id.as_deref(),
            input.expected_version,
        )?;
        let org = input::id(&input.id, "id")?;
        let name = input::text(input.name, "name", MAX_NAME_CHARS)?;
        let short_name = input::optional_text(input.short_name, "shortName", MAX_NAME_CHARS)?;
        self.organization_target(viewer, Action::WriteOrganizations, org)?;
        let appended =
            commands::rename_organization(&self.commands, &issued, org, name, short_name).await?;
        self.organization_after(org, appended.last_position).await
    }

    /// `moveOrganization`, from `effectiveOn` (today when omitted). The viewer
    /// must hold the organisation and the new parent.
    ///
    /// # Errors
    /// As [`App::register_organization`].
    pub async fn move_organization(
        &self,
        viewer: &Viewer,
        input: MoveOrganization,
    ) -> Result<OrganizationView, Error> {
        viewer.may(Action::WriteOrganizations)?;
        let issued = self.issue(
            viewer,
            &input,
            input.command_id.as_deref(),
            input.expected_version,
        )?;
        let org = input::id(&input.id, "id")?;
        let new_parent = input::id(&input.new_parent_id, "newParentId")?;
        let effective_on = input::date_or(input.effective_on, issued.today);
        self.organization_target(viewer, Action::WriteOrganizations, org)?;
        self.organization_target(viewer, Action::WriteOrganizations, new_parent)?;
        let appended =
            commands::move_organization(&self.commands, &issued, org, new_parent, effective_on)
                .await?;
        self.organization_after(org, appended.last_position).await
    }

    /// `updatePassport`: replaces a primary organisation's passport, from
    /// `effectiveOn` or undated.
    ///
    /// # Errors
    /// As [`App::register_organization`].
    pub async fn update_passport(
        &self,
        viewer: &Viewer,
        input: UpdatePassport,
    ) -> Result<OrganizationView, Error> {
        viewer.may(Action::WritePassport)?;
        let issued = self.issue(
            viewer,
            &input,
            input.command_id.as_deref(),
            input.expected_version,
        )?;
        let org = input::id(&input.id, "id")?;
        let passport = input.input.into_passport()?;
        self.organization_target(viewer, Action::WritePassport, org)?;
        let appended =
            commands::update_passport(&self.commands, &issued, org, passport, input.effective_on)
                .await?;
        self.organization_after(org, appended.last_position).await
    }

    /// `dissolveOrganization`: an organisation no active member has a home in,
    /// from `effectiveOn`.
    ///
    /// # Errors
    /// As [`App::register_organization`].
    pub async fn dissolve_organization(
        &self,
        viewer: &Viewer,
        input: DissolveOrganization,
    ) -> Result<OrganizationView, Error> {
        viewer.may(Action::WriteOrganizations)?;
        let issued = self.issue(
            viewer,
            &input,
            input.command_id.as_deref(),
            input.expected_version,
        )?;
        let org = input::id(&input.id, "id")?;
        self.organization_target(viewer, Action::WriteOrganizations, org)?;
        let appended =
            commands::dissolve_organization(&self.commands, &issued, org, input.effective_on)
                .await?;
        self.organization_after(org, appended.last_position).await
    }

    /// The organisation `org`, which the viewer may `action` on.
    ///
    /// # Errors
    /// `NOT_FOUND` for an unknown organisation; `FORBIDDEN` outside the subtree.
    pub(crate) fn organization_target(
        &self,
        viewer: &Viewer,
        action: Action,
        org: OrgId,
    ) -> Result<OrganizationView, Error> {
        let view = self.named_organization(org)?;
        viewer.may_at(action, org, &self.models.registry)?;
        Ok(view)
    }

    /// The organisation once the read models include `position`. Access was
    /// checked before the command ran; a move may take it elsewhere, still shown.
    async fn organization_after(
        &self,
        org: OrgId,
        position: u64,
    ) -> Result<OrganizationView, Error> {
        self.reach(position).await?;
        self.named_organization(org)
    }

    /// Whether `org` stands at the top of its path (the CENTRAL organisation):
    /// a role there covers the whole union.
    fn tops_the_tree(&self, org: OrgId) -> bool {
        self.models.registry.path(org).first().map(|top| top.org_id) == Some(org)
    }

    /// Whether `org` is the CENTRAL organisation (its holders read the whole log).
    pub(crate) fn is_root(&self, org: OrgId) -> bool {
        self.models
            .registry
            .organization(org)
            .is_some_and(|view| view.parent_id.is_none())
    }
}
