//! Commands on an organisation: register, rename, move, passport, dissolve.

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::event::OrganizationEvent;
use domain::ids::OrgId;
use domain::organization::{
    self, DissolveOrganization, MoveOrganization, Organization, OrganizationCommand, ParentFacts,
    RegisterOrganization, RenameOrganization, UpdatePassport,
};
use domain::vocabulary::organization::{OrgLevel, Passport};
use eventlog::Appended;
use uuid::Uuid;

use crate::commands::load::Loaded;
use crate::commands::person::load_org;
use crate::commands::{Command, CommandError, Commands, Decision, Issued, check_expected};

/// A registration as the API takes it.
#[derive(Clone, Debug)]
pub struct NewOrganization {
    pub parent_id: Option<OrgId>,
    pub name: String,
    pub short_name: Option<String>,
    pub level: OrgLevel,
    pub region_code: Option<u8>,
    pub territorial_rights: bool,
}

/// Registers an organisation under its parent, from today. Returns its id.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn register_organization(
    commands: &Commands,
    issued: &Issued,
    new: NewOrganization,
) -> Result<(OrgId, Appended), CommandError> {
    let org_id = OrgId(Uuid::now_v7());
    let appended = commands.execute(issued, &Register { new, org_id }).await?;
    let org_id = appended
        .stream_versions
        .iter()
        .find_map(|(s, _)| OrgId::from_stream(s))
        .unwrap_or(org_id);
    Ok((org_id, appended))
}

struct Register {
    new: NewOrganization,
    org_id: OrgId,
}

#[async_trait]
impl Command for Register {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let org = load_org(commands, self.org_id).await?;
        let mut streams = Vec::new();
        let parent = match self.new.parent_id {
            Some(parent_id) => {
                let parent = load_org(commands, parent_id).await?;
                let facts = parent_facts(commands, parent_id, &parent);
                streams.push(parent.append::<OrganizationEvent>(vec![])?);
                facts
            }
            None => None,
        };
        let command = RegisterOrganization {
            org_id: self.org_id,
            parent_id: self.new.parent_id,
            name: self.new.name.clone(),
            short_name: self.new.short_name.clone(),
            level: self.new.level,
            region_code: self.new.region_code,
            territorial_rights: self.new.territorial_rights,
            registered_on: issued.today,
            parent,
            central_exists: commands.facts().central_exists(),
        };
        let events = organization::decide(&org.state, &command.into(), issued.today)?;
        streams.insert(0, org.append(events)?);
        Ok(Decision {
            streams,
            erase_personal_data_of: vec![],
        })
    }
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
) -> Result<Appended, CommandError> {
    let command = RenameOrganization {
        org_id,
        name,
        short_name,
        renamed_on: issued.today,
    };
    commands
        .execute(issued, &OnOrganization(org_id, command.into()))
        .await
}

/// Replaces an organisation's passport, from today.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn update_passport(
    commands: &Commands,
    issued: &Issued,
    org_id: OrgId,
    passport: Passport,
) -> Result<Appended, CommandError> {
    let command = UpdatePassport {
        org_id,
        passport,
        updated_on: issued.today,
    };
    commands
        .execute(issued, &OnOrganization(org_id, command.into()))
        .await
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
) -> Result<Appended, CommandError> {
    commands
        .execute(
            issued,
            &Dissolve {
                org_id,
                effective_on,
            },
        )
        .await
}

struct Dissolve {
    org_id: OrgId,
    effective_on: NaiveDate,
}

#[async_trait]
impl Command for Dissolve {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let active_members_in_subtree = commands.facts().active_members_in_subtree(self.org_id);
        let command = DissolveOrganization {
            org_id: self.org_id,
            effective_on: self.effective_on,
            active_members_in_subtree,
        };
        OnOrganization(self.org_id, command.into())
            .decide(commands, issued)
            .await
    }
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
) -> Result<Appended, CommandError> {
    commands
        .execute(
            issued,
            &Move {
                org_id,
                new_parent_id,
                effective_on,
            },
        )
        .await
}

struct Move {
    org_id: OrgId,
    new_parent_id: OrgId,
    effective_on: NaiveDate,
}

#[async_trait]
impl Command for Move {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let org = load_existing(commands, issued, self.org_id).await?;
        let parent = load_org(commands, self.new_parent_id).await?;
        let command = MoveOrganization {
            org_id: self.org_id,
            new_parent_id: self.new_parent_id,
            new_parent: parent_facts(commands, self.new_parent_id, &parent),
            effective_on: self.effective_on,
        };
        let events = organization::decide(&org.state, &command.into(), issued.today)?;
        Ok(Decision {
            streams: vec![
                org.append(events)?,
                parent.append::<OrganizationEvent>(vec![])?,
            ],
            erase_personal_data_of: vec![],
        })
    }
}

/// A command on one organisation that reads nothing else.
struct OnOrganization(OrgId, OrganizationCommand);

#[async_trait]
impl Command for OnOrganization {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let org = load_existing(commands, issued, self.0).await?;
        let events = organization::decide(&org.state, &self.1, issued.today)?;
        Ok(Decision {
            streams: vec![org.append(events)?],
            erase_personal_data_of: vec![],
        })
    }
}

async fn load_existing(
    commands: &Commands,
    issued: &Issued,
    org_id: OrgId,
) -> Result<Loaded<Option<Organization>>, CommandError> {
    let org = load_org(commands, org_id).await?;
    if org.version == 0 {
        return Err(domain::error::DomainError::NotFound {
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
    commands: &Commands,
    parent_id: OrgId,
    parent: &Loaded<Option<Organization>>,
) -> Option<ParentFacts> {
    let state = parent.state.as_ref()?;
    let ancestors = commands
        .facts()
        .parent(parent_id)
        .map(|p| p.ancestors)
        .unwrap_or_default();
    Some(ParentFacts {
        level: state.level,
        dissolved: state.dissolved_on.is_some(),
        ancestors,
    })
}
