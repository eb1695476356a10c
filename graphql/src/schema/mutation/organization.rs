//! `registerOrganization`, `renameOrganization`, `moveOrganization`,
//! `updatePassport`, `dissolveOrganization`.

use async_graphql::{Context, ID, InputObject, Object};
use domain::ids::OrgId;
use domain::vocabulary::organization::Passport;
use eventlog::Appended;

use crate::commands::{self, NewOrganization};
use crate::error::ApiError;
use crate::guard::Action;
use crate::schema::enums::{OrgLevel, Sector};
use crate::schema::mutation::{
    MAX_NAME_CHARS, MAX_TEXT_CHARS, count, date_or, optional_email, optional_text,
    organization_target, text,
};
use crate::schema::organization::Organization;
use crate::schema::scalars::Date;
use crate::schema::{app, issued, org_id, parse_uuid, viewer};

/// A new organisation.
#[derive(InputObject)]
pub struct RegisterOrganizationInput {
    /// Absent only for the single CENTRAL organisation.
    pub parent_id: Option<ID>,
    pub name: String,
    pub short_name: Option<String>,
    pub level: OrgLevel,
    pub region_code: Option<i32>,
    #[graphql(default_with = "Some(false)")]
    pub territorial_rights: Option<bool>,
    pub command_id: Option<ID>,
}

/// A primary organisation's passport, as a whole: absent fields are cleared.
#[derive(InputObject)]
pub struct PassportInput {
    pub sector: Option<Sector>,
    pub employees: Option<i32>,
    pub students: Option<i32>,
    pub chair_name: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl PassportInput {
    fn into_passport(self) -> Result<Passport, ApiError> {
        Ok(Passport {
            sector: self.sector.map(Into::into),
            employees: count(self.employees, "employees")?,
            students: count(self.students, "students")?,
            chair_name: optional_text(self.chair_name, "chairName", MAX_NAME_CHARS)?,
            address: optional_text(self.address, "address", MAX_TEXT_CHARS)?,
            phone: optional_text(self.phone, "phone", MAX_NAME_CHARS)?,
            email: optional_email(self.email)?,
        })
    }
}

/// Organisation mutations.
#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// Registers an organisation under its parent, from today.
    async fn register_organization(
        &self,
        ctx: &Context<'_>,
        input: RegisterOrganizationInput,
    ) -> Result<Organization, ApiError> {
        let app = app(ctx);
        let holder = viewer(ctx).may(Action::WriteOrganizations)?;
        let issued = issued(ctx, input.command_id.as_ref(), None)?;
        let parent_id = input
            .parent_id
            .as_ref()
            .map(|id| parse_uuid(id, "parentId").map(OrgId))
            .transpose()?;
        let new = NewOrganization {
            parent_id,
            name: text(input.name, "name", MAX_NAME_CHARS)?,
            short_name: optional_text(input.short_name, "shortName", MAX_NAME_CHARS)?,
            level: input.level.into(),
            region_code: region_code(input.region_code)?,
            territorial_rights: input.territorial_rights.unwrap_or(false),
        };
        match parent_id {
            Some(parent) => {
                organization_target(ctx, Action::WriteOrganizations, parent)?;
            }
            // The root has no parent to be in the subtree of: once it exists,
            // only an ADMIN of the whole tree may even ask (and is refused
            // SECOND_CENTRAL by the charter).
            None => {
                let root = app.registry.path(holder.org_id).first().map(|o| o.org_id);
                if app.registry.central_exists() && root != Some(holder.org_id) {
                    return Err(ApiError::Forbidden(
                        "only an ADMIN of the whole union may register its CENTRAL organisation"
                            .into(),
                    ));
                }
            }
        }
        let (org, appended) = commands::register_organization(&app.commands, &issued, new).await?;
        answer(ctx, org, &appended).await
    }

    /// Renames an organisation from today.
    async fn rename_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: String,
        short_name: Option<String>,
        expected_version: Option<i32>,
        command_id: Option<ID>,
    ) -> Result<Organization, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteOrganizations)?;
        let issued = issued(ctx, command_id.as_ref(), expected_version.map(i64::from))?;
        let org = org_id(&id)?;
        let name = text(name, "name", MAX_NAME_CHARS)?;
        let short_name = optional_text(short_name, "shortName", MAX_NAME_CHARS)?;
        organization_target(ctx, Action::WriteOrganizations, org)?;
        let appended =
            commands::rename_organization(&app.commands, &issued, org, name, short_name).await?;
        answer(ctx, org, &appended).await
    }

    /// Moves an organisation under another parent from `effectiveOn` (today
    /// when omitted). The viewer must hold the organisation and the new parent.
    async fn move_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
        new_parent_id: ID,
        effective_on: Option<Date>,
        expected_version: Option<i32>,
        command_id: Option<ID>,
    ) -> Result<Organization, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteOrganizations)?;
        let issued = issued(ctx, command_id.as_ref(), expected_version.map(i64::from))?;
        let org = org_id(&id)?;
        let new_parent = parse_uuid(&new_parent_id, "newParentId").map(OrgId)?;
        let effective_on = date_or(effective_on, issued.today);
        organization_target(ctx, Action::WriteOrganizations, org)?;
        organization_target(ctx, Action::WriteOrganizations, new_parent)?;
        let appended =
            commands::move_organization(&app.commands, &issued, org, new_parent, effective_on)
                .await?;
        answer(ctx, org, &appended).await
    }

    /// Replaces a primary organisation's passport, from today.
    async fn update_passport(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: PassportInput,
        expected_version: Option<i32>,
        command_id: Option<ID>,
    ) -> Result<Organization, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WritePassport)?;
        let issued = issued(ctx, command_id.as_ref(), expected_version.map(i64::from))?;
        let org = org_id(&id)?;
        let passport = input.into_passport()?;
        organization_target(ctx, Action::WritePassport, org)?;
        let appended = commands::update_passport(&app.commands, &issued, org, passport).await?;
        answer(ctx, org, &appended).await
    }

    /// Dissolves an organisation in which no active member has a home, from `effectiveOn`.
    async fn dissolve_organization(
        &self,
        ctx: &Context<'_>,
        id: ID,
        effective_on: Date,
        expected_version: Option<i32>,
        command_id: Option<ID>,
    ) -> Result<Organization, ApiError> {
        let app = app(ctx);
        viewer(ctx).may(Action::WriteOrganizations)?;
        let issued = issued(ctx, command_id.as_ref(), expected_version.map(i64::from))?;
        let org = org_id(&id)?;
        organization_target(ctx, Action::WriteOrganizations, org)?;
        let appended =
            commands::dissolve_organization(&app.commands, &issued, org, effective_on.0).await?;
        answer(ctx, org, &appended).await
    }
}

/// A region code of the federation, 1..=99 (whether the level takes one is the
/// charter's question).
fn region_code(code: Option<i32>) -> Result<Option<u8>, ApiError> {
    code.map(|code| {
        u8::try_from(code)
            .ok()
            .filter(|code| (1..=99).contains(code))
            .ok_or_else(|| ApiError::Validation {
                message: format!("a region code is 1..99 (got {code})"),
                field: Some("regionCode"),
            })
    })
    .transpose()
}

/// The organisation once the read models include `appended`. Access was
/// checked before the command ran; a move may take it elsewhere, still shown.
async fn answer(
    ctx: &Context<'_>,
    org: OrgId,
    appended: &Appended,
) -> Result<Organization, ApiError> {
    app(ctx).include(appended).await?;
    Organization::known(ctx, org)
}
