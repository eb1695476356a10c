//! The organisation aggregate (stream `org-<uuid>`): one node of the union's tree.
//!
//! The state is `Option<Organization>`: `None` until registered. [`decide`]
//! dispatches an [`OrganizationCommand`] to the file of its command; [`evolve`]
//! folds an [`OrganizationEvent`] in. What a rule needs from other streams (the
//! parent, the CENTRAL organisation, the members inside) comes in as facts.

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
    /// The day it was registered.
    pub registered_on: NaiveDate,
    /// The first day under the current parent (registration or the last move).
    pub placed_since: NaiveDate,
    /// The passport (primary organisations).
    pub passport: Passport,
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
            placed_since: *registered_on,
            passport: Passport::default(),
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
            organization.placed_since = *effective_on;
        }
        OrganizationEvent::PassportUpdated { passport, .. } => {
            organization.passport = passport.clone();
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

/// Refuses a date after today or before the organisation's registration.
fn check_dated(
    organization: &Organization,
    date: NaiveDate,
    today: NaiveDate,
) -> Result<(), RuleViolation> {
    if date < organization.registered_on {
        return Err(RuleViolation::BeforeRegistration {
            date,
            registered_on: organization.registered_on,
        });
    }
    crate::rules::not_after_today(date, today)
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
