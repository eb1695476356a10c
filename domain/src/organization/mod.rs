//! The organisation aggregate (stream `org-<uuid>`): one node of the union's tree.
//!
//! The state is `Option<Organization>`: `None` until registered. [`decide`]
//! dispatches an [`OrganizationCommand`] to the file of its command; [`evolve`]
//! folds an [`OrganizationEvent`] in. What a rule needs from other streams (the
//! parent, the CENTRAL organisation, the members inside) comes in as facts.

pub mod dates;
mod dissolve;
#[cfg(test)]
mod fixtures;
mod move_under;
mod passport;
mod register;
mod rename;

use chrono::NaiveDate;

use crate::error::DomainError;
use crate::event::OrganizationEvent;
use crate::ids::OrgId;
use crate::rules::RuleViolation;
use crate::vocabulary::organization::{OrgLevel, Passport};

pub use dates::PassportFrom;
pub use dissolve::DissolveOrganization;
pub use move_under::MoveOrganization;
pub use passport::UpdatePassport;
pub use register::RegisterOrganization;
pub use rename::RenameOrganization;

/// An organisation as the charter sees it: folded from its stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organization {
    /// The organisation.
    pub org_id: OrgId,
    /// Its parent now; `None` only for the CENTRAL organisation.
    pub parent_id: Option<OrgId>,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Level in the tree.
    pub level: OrgLevel,
    /// Region code, for regional organisations.
    pub region_code: Option<u8>,
    /// A primary with the rights of a territorial organisation.
    pub territorial_rights: bool,
    /// The day it was entered in the registry.
    pub registered_on: NaiveDate,
    /// The day it was established; `None`: found in place (see [`dates`]).
    pub established_on: Option<NaiveDate>,
    /// The first day under the current parent: the last move, else its
    /// establishment (`None`: found in place and never moved).
    pub placed_since: Option<NaiveDate>,
    /// The passport (primary organisations).
    pub passport: Passport,
    /// Where the passport in effect now begins; `None` before the first one.
    pub passport_from: Option<PassportFrom>,
    /// The first day it no longer exists, once dissolved.
    pub dissolved_on: Option<NaiveDate>,
}

/// What the registry knows about the organisation a command names as the parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParentFacts {
    /// The parent's level.
    pub level: OrgLevel,
    /// Whether the parent is dissolved.
    pub dissolved: bool,
    /// The parent's ancestors, from its own parent up to the root (the parent
    /// itself not included). A move is a cycle when the moved organisation is the
    /// new parent or among these.
    pub ancestors: Vec<OrgId>,
    /// The day the parent was established; `None`: found in place.
    pub established_on: Option<NaiveDate>,
}

/// Every command on an organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrganizationCommand {
    /// Add an organisation to the tree.
    Register(RegisterOrganization),
    /// Give it a new name.
    Rename(RenameOrganization),
    /// Put it under another parent.
    Move(MoveOrganization),
    /// Replace its passport.
    UpdatePassport(UpdatePassport),
    /// Dissolve it.
    Dissolve(DissolveOrganization),
}

/// Decides `command` on `organization` (`None`: not registered), with `today` as
/// the registry's date.
///
/// # Errors
/// The command's [`RuleViolation`], [`DomainError::Validation`] for malformed
/// input, [`DomainError::NotFound`] for a command on an unregistered organisation
/// and [`DomainError::AlreadyExists`] for registering one twice. Each command's own
/// `decide` lists its refusals.
pub fn decide(
    organization: &Option<Organization>,
    command: &OrganizationCommand,
    today: NaiveDate,
) -> Result<Vec<OrganizationEvent>, DomainError> {
    match command {
        OrganizationCommand::Register(c) => register::decide(organization, c, today),
        OrganizationCommand::Rename(c) => rename::decide(organization, c, today),
        OrganizationCommand::Move(c) => move_under::decide(organization, c, today),
        OrganizationCommand::UpdatePassport(c) => passport::decide(organization, c, today),
        OrganizationCommand::Dissolve(c) => dissolve::decide(organization, c, today),
    }
}

/// Folds `event` into `organization`. Validates nothing: the log is history.
pub fn evolve(organization: &mut Option<Organization>, event: &OrganizationEvent) {
    if let OrganizationEvent::Registered {
        org_id,
        parent_id,
        name,
        short_name,
        level,
        region_code,
        territorial_rights,
        registered_on,
        established_on,
    } = event
    {
        *organization = Some(Organization {
            org_id: *org_id,
            parent_id: *parent_id,
            name: name.clone(),
            short_name: short_name.clone(),
            level: *level,
            region_code: *region_code,
            territorial_rights: *territorial_rights,
            registered_on: *registered_on,
            established_on: *established_on,
            placed_since: *established_on,
            passport: Passport::default(),
            passport_from: None,
            dissolved_on: None,
        });
        return;
    }
    let Some(organization) = organization else {
        return;
    };
    match event {
        OrganizationEvent::Registered { .. } => {}
        OrganizationEvent::Renamed {
            name, short_name, ..
        } => {
            organization.name = name.clone();
            organization.short_name = short_name.clone();
        }
        OrganizationEvent::Moved {
            to_parent,
            effective_on,
            ..
        } => {
            organization.parent_id = Some(*to_parent);
            organization.placed_since = Some(*effective_on);
        }
        OrganizationEvent::PassportUpdated {
            passport,
            updated_on,
            effective_on,
            ..
        } => {
            let first = organization.passport_from.is_none();
            organization.passport = passport.clone();
            organization.passport_from = Some(PassportFrom::of(first, *effective_on, *updated_on));
        }
        OrganizationEvent::Dissolved { effective_on, .. } => {
            organization.dissolved_on = Some(*effective_on);
        }
    }
}

/// The registered, not dissolved organisation a command changes.
fn open(organization: &Option<Organization>) -> Result<&Organization, DomainError> {
    let organization = organization.as_ref().ok_or(DomainError::NotFound {
        what: "organisation",
    })?;
    if organization.dissolved_on.is_some() {
        return Err(RuleViolation::AlreadyDissolved.into());
    }
    Ok(organization)
}

/// Refuses a date after today or before the organisation's establishment.
fn check_dated(
    organization: &Organization,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<(), RuleViolation> {
    dates::check_begun(organization.established_on, date)?;
    crate::rules::not_after_today(date, today)
}

/// Refuses a move or dissolution dated before the organisation's current place
/// began (its last move or its establishment).
fn check_placed(organization: &Organization, effective_on: NaiveDate) -> Result<(), RuleViolation> {
    match organization.placed_since {
        Some(since) if effective_on < since => Err(RuleViolation::BeforeCurrentPlacement {
            effective_on,
            since,
        }),
        _ => Ok(()),
    }
}

/// Checks that an organisation of `level` may sit under the parent described by `parent`.
fn check_parent(
    level: OrgLevel,
    territorial_rights: bool,
    parent: Option<&ParentFacts>,
) -> Result<(), RuleViolation> {
    let parent = parent.ok_or(RuleViolation::ParentNotFound)?;
    if parent.dissolved {
        return Err(RuleViolation::ParentDissolved);
    }
    if !level.may_sit_under(parent.level, territorial_rights) {
        return Err(RuleViolation::ParentLevel {
            level,
            parent_level: Some(parent.level),
        });
    }
    Ok(())
}
