//! `registerOrganization`, `renameOrganization`, `moveOrganization`,
//! `updatePassport`, `dissolveOrganization`.

use app::organizations::{
    DissolveOrganization, MoveOrganization, PassportForm, RegisterOrganization, RenameOrganization,
    UpdatePassport,
};
use async_graphql::{Context, ID, InputObject, Object};

use crate::error::ApiError;
use crate::schema::enums::{OrgLevel, Sector};
use crate::schema::mutation::id_text;
use crate::schema::organization::Organization;
use crate::schema::scalars::Date;
use crate::schema::{app, viewer};

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
    /// The day it was established; absent: an organisation found in place,
    /// which takes backdated admissions, moves and passports.
    pub established_on: Option<Date>,
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

/// Organisation mutations.
#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// Registers an organisation under its parent, established on `establishedOn`
    /// (absent: found in place).
    async fn register_organization(
        &self,
        ctx: &Context<'_>,
        input: RegisterOrganizationInput,
    ) -> Result<Organization, ApiError> {
        let register = RegisterOrganization {
            parent_id: id_text(input.parent_id),
            name: input.name,
            short_name: input.short_name,
            level: input.level.into(),
            region_code: input.region_code.map(i64::from),
            territorial_rights: input.territorial_rights,
            established_on: input.established_on.map(|d| d.0),
            command_id: id_text(input.command_id),
        };
        let view = app(ctx)
            .register_organization(viewer(ctx), register)
            .await?;
        Ok(Organization(view))
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
        let rename = RenameOrganization {
            id: id.0,
            name,
            short_name,
            expected_version: expected_version.map(i64::from),
            command_id: id_text(command_id),
        };
        let view = app(ctx).rename_organization(viewer(ctx), rename).await?;
        Ok(Organization(view))
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
        let moved = MoveOrganization {
            id: id.0,
            new_parent_id: new_parent_id.0,
            effective_on: effective_on.map(|d| d.0),
            expected_version: expected_version.map(i64::from),
            command_id: id_text(command_id),
        };
        let view = app(ctx).move_organization(viewer(ctx), moved).await?;
        Ok(Organization(view))
    }

    /// Replaces a primary organisation's passport from `effectiveOn`; undated,
    /// the first passport describes the organisation from its beginning and a
    /// later one applies from today.
    async fn update_passport(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: PassportInput,
        expected_version: Option<i32>,
        command_id: Option<ID>,
        effective_on: Option<Date>,
    ) -> Result<Organization, ApiError> {
        let update = UpdatePassport {
            id: id.0,
            input: PassportForm {
                sector: input.sector.map(Into::into),
                employees: input.employees.map(i64::from),
                students: input.students.map(i64::from),
                chair_name: input.chair_name,
                address: input.address,
                phone: input.phone,
                email: input.email,
            },
            effective_on: effective_on.map(|d| d.0),
            expected_version: expected_version.map(i64::from),
            command_id: id_text(command_id),
        };
        let view = app(ctx).update_passport(viewer(ctx), update).await?;
        Ok(Organization(view))
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
        let dissolve = DissolveOrganization {
            id: id.0,
            effective_on: effective_on.0,
            expected_version: expected_version.map(i64::from),
            command_id: id_text(command_id),
        };
        let view = app(ctx)
            .dissolve_organization(viewer(ctx), dissolve)
            .await?;
        Ok(Organization(view))
    }
}
