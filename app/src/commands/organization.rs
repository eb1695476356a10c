//! Commands on an organisation: register, rename, move, passport, dissolve.

use chrono::NaiveDate;
use domain::error::DomainError;
use domain::ids::OrgId;
use domain::organization::{
    self, DissolveOrganization, MoveOrganization, Organization, OrganizationCommand, ParentFacts,
    RegisterOrganization, RenameOrganization, UpdatePassport,
};
use domain::vocabulary::organization::{OrgLevel, Passport};
use eventlog::{Appended, EventLog};
use uuid::Uuid;

use crate::commands::load::Loaded;
use crate::commands::person::load_org;
use crate::commands::{Commands, Decision, Facts, Issued, check_expected};
use crate::error::Error;

/// A registration, its input already checked.
#[derive(Clone, Debug)]
pub struct NewOrganization {
    /// The parent; `None` only for the CENTRAL organisation.
    pub parent_id: Option<OrgId>,
    /// The full name.
    pub name: String,
    /// The short name.
    pub short_name: Option<String>,
    /// The level in the tree.
    pub level: OrgLevel,
    /// The region code (REGIONAL organisations only).
    pub region_code: Option<u8>,
    /// Whether a PRIMARY organisation has the rights of a territorial one.
    pub territorial_rights: bool,
    /// The day it was established; `None`: found in place (DESIGN.md §7).
    pub established_on: Option<NaiveDate>,
}

/// Registers an organisation under its parent, entered today. Returns its id.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn register_organization(
    commands: &Commands,
    issued: &Issued,
    new: NewOrganization,
) -> Result<(OrgId, Appended), Error> {
    let facts = commands.facts()?;
    let log = commands.log();
    let org_id = OrgId(Uuid::now_v7());
    let new = &new;
    let appended = commands
        .execute(issued, || async move {
            let org = Loaded::minted(org_id.stream());
            let mut streams = Vec::new();
            let parent = match new.parent_id {
                Some(parent_id) => {
                    let parent = load_org(log, parent_id).await?;
                    let known = parent_facts(facts, parent_id, &parent);
                    streams.push(parent.guard()?);
                    known
                }
                None => None,
            };
            let command = RegisterOrganization {
                org_id,
                parent_id: new.parent_id,
                name: new.name.clone(),
                short_name: new.short_name.clone(),
                level: new.level,
                region_code: new.region_code,
                territorial_rights: new.territorial_rights,
                registered_on: issued.today,
                established_on: new.established_on,
                parent,
                central_exists: facts.central_exists(),
            };
            let events = organization::decide(&org.state, &command.into(), issued.today)?;
            streams.insert(0, org.append(events)?);
            Ok(Decision::of(streams))
        })
        .await?;
    let org_id = appended
        .stream_versions
        .iter()
        .find_map(|(s, _)| OrgId::from_stream(s))
        .unwrap_or(org_id);
    Ok((org_id, appended))
}

/// Renames an organisation from today.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn rename_organization(
    commands: &Commands,
    issued: &Issued,
    org_id: OrgId,
    name: String,
    short_name: Option<String>,
) -> Result<Appended, Error> {
    let command = RenameOrganization {
        org_id,
        name,
        short_name,
        renamed_on: issued.today,
    };
    on_organization(commands, issued, org_id, command.into()).await
}

/// Replaces an organisation's passport, from `effective_on` or undated
/// (DESIGN.md §7).
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn update_passport(
    commands: &Commands,
    issued: &Issued,
    org_id: OrgId,
    passport: Passport,
    effective_on: Option<NaiveDate>,
) -> Result<Appended, Error> {
    let command = UpdatePassport {
        org_id,
        passport,
        effective_on,
    };
    on_organization(commands, issued, org_id, command.into()).await
}

/// Dissolves an empty organisation from `effective_on`.
///
/// # Errors
/// The charter's refusals (`NOT_EMPTY` while an active member's home is inside),
/// conflicts, log failures.
pub async fn dissolve_organization(
    commands: &Commands,
    issued: &Issued,
    org_id: OrgId,
    effective_on: NaiveDate,
) -> Result<Appended, Error> {
    let facts = commands.facts()?;
    let log = commands.log();
    commands
        .execute(issued, || async move {
            let command = DissolveOrganization {
                org_id,
                effective_on,
                active_members_in_subtree: facts.active_members_in_subtree(org_id),
            };
            decide_on(log, issued, org_id, &command.into()).await
        })
        .await
}

/// Moves an organisation under another parent from `effective_on`.
///
/// # Errors
/// The charter's refusals (`MOVE_CREATES_CYCLE`, `PARENT_LEVEL`, …), conflicts, log failures.
pub async fn move_organization(
    commands: &Commands,
    issued: &Issued,
    org_id: OrgId,
    new_parent_id: OrgId,
    effective_on: NaiveDate,
) -> Result<Appended, Error> {
    let facts = commands.facts()?;
    let log = commands.log();
    commands
        .execute(issued, || async move {
            let org = load_existing(log, issued, org_id).await?;
            let parent = load_org(log, new_parent_id).await?;
            let command = MoveOrganization {
                org_id,
                new_parent_id,
                new_parent: parent_facts(facts, new_parent_id, &parent),
                effective_on,
            };
            let events = organization::decide(&org.state, &command.into(), issued.today)?;
            Ok(Decision::of(vec![org.append(events)?, parent.guard()?]))
        })
        .await
}

/// A command on one organisation that reads nothing else.
async fn on_organization(
    commands: &Commands,
    issued: &Issued,
    org_id: OrgId,
    command: OrganizationCommand,
) -> Result<Appended, Error> {
    let log = commands.log();
    let command = &command;
    commands
        .execute(issued, || decide_on(log, issued, org_id, command))
        .await
}

async fn decide_on(
    log: &dyn EventLog,
    issued: &Issued,
    org_id: OrgId,
    command: &OrganizationCommand,
) -> Result<Decision, Error> {
    let org = load_existing(log, issued, org_id).await?;
    let events = organization::decide(&org.state, command, issued.today)?;
    Ok(Decision::of(vec![org.append(events)?]))
}

async fn load_existing(
    log: &dyn EventLog,
    issued: &Issued,
    org_id: OrgId,
) -> Result<Loaded<Option<Organization>>, Error> {
    let org = load_org(log, org_id).await?;
    if org.version == 0 {
        return Err(DomainError::NotFound {
            what: "organisation",
        }
        .into());
    }
    check_expected(issued, &org.stream, org.version)?;
    Ok(org)
}

/// A parent as the charter sees it: level and dissolution from its own stream,
/// ancestors from the tree.
fn parent_facts(
    facts: &dyn Facts,
    parent_id: OrgId,
    parent: &Loaded<Option<Organization>>,
) -> Option<ParentFacts> {
    let state = parent.state.as_ref()?;
    let ancestors = facts
        .parent(parent_id)
        .map(|p| p.ancestors)
        .unwrap_or_default();
    Some(ParentFacts {
        level: state.level,
        dissolved: state.dissolved_on.is_some(),
        ancestors,
        established_on: state.established_on,
    })
}
