//! Commands on access: grant a role (minting its token), revoke it.

use async_trait::async_trait;
use domain::access::{self, Grant, GrantRole, GranterFacts, RevokeRole};
use domain::ids::{OrgId, UserId};
use domain::vocabulary::access::Role;
use eventlog::Appended;
use projections::access_token;
use uuid::Uuid;

use crate::commands::load::{Loaded, load};
use crate::commands::{Command, CommandError, Commands, Decision, Issued};

/// A granted role and its token, shown once.
#[derive(Clone, Debug)]
pub struct GrantedRole {
    pub user_id: UserId,
    pub token: String,
    pub appended: Appended,
}

/// Grants `role` over `org_id`'s subtree to a new holder, by the issuing ADMIN.
///
/// # Errors
/// `NOT_AN_ADMIN`, `OUTSIDE_SUBTREE`, malformed input, log failures.
pub async fn grant_role(
    commands: &Commands,
    issued: &Issued,
    role: Role,
    org_id: OrgId,
    holder: String,
) -> Result<GrantedRole, CommandError> {
    let minted = access_token::mint();
    let user_id = UserId(Uuid::now_v7());
    let command = GrantCommand {
        user_id,
        role,
        org_id,
        holder,
        token_hash: minted.hash,
    };
    let appended = commands.execute(issued, &command).await?;
    let user_id = appended
        .stream_versions
        .iter()
        .find_map(|(s, _)| UserId::from_stream(s))
        .unwrap_or(user_id);
    // A repeated grant (same command id) cannot show the first token again: only its hash was kept.
    let token = if appended.duplicate {
        String::new()
    } else {
        minted.token
    };
    Ok(GrantedRole {
        user_id,
        token,
        appended,
    })
}

struct GrantCommand {
    user_id: UserId,
    role: Role,
    org_id: OrgId,
    holder: String,
    token_hash: String,
}

#[async_trait]
impl Command for GrantCommand {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let grant = load_grant(commands, self.user_id).await?;
        let command = GrantRole {
            user_id: self.user_id,
            role: self.role,
            org_id: self.org_id,
            holder: self.holder.clone(),
            token_hash: self.token_hash.clone(),
            by: granter(commands, issued, self.org_id),
        };
        let events = access::decide(&grant.state, &command.into(), issued.today)?;
        Ok(Decision {
            streams: vec![grant.append(events)?],
            erase_personal_data_of: vec![],
        })
    }
}

/// Revokes a holder's role; their token stops working.
///
/// # Errors
/// `NOT_AN_ADMIN`, `OUTSIDE_SUBTREE`, `ALREADY_REVOKED`, `NOT_FOUND`, log failures.
pub async fn revoke_role(
    commands: &Commands,
    issued: &Issued,
    user_id: UserId,
) -> Result<Appended, CommandError> {
    commands.execute(issued, &Revoke { user_id }).await
}

struct Revoke {
    user_id: UserId,
}

#[async_trait]
impl Command for Revoke {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let grant = load_grant(commands, self.user_id).await?;
        let by = grant
            .state
            .as_ref()
            .and_then(|g| granter(commands, issued, g.org_id));
        let command = RevokeRole {
            user_id: self.user_id,
            by,
        };
        let events = access::decide(&grant.state, &command.into(), issued.today)?;
        Ok(Decision {
            streams: vec![grant.append(events)?],
            erase_personal_data_of: vec![],
        })
    }
}

/// The issuer as a granter over `target`; `None` when the issuer holds no role
/// (the domain refuses such a grant, save the operator's bootstrap).
fn granter(commands: &Commands, issued: &Issued, target: OrgId) -> Option<GranterFacts> {
    let (role, subtree) = issued.role?;
    Some(GranterFacts {
        role,
        subtree_contains_target: commands.facts().within(target, subtree),
    })
}

async fn load_grant(
    commands: &Commands,
    user_id: UserId,
) -> Result<Loaded<Option<Grant>>, CommandError> {
    load(commands.log(), user_id.stream(), access::evolve).await
}
