//! Commands on access: grant a role (minting its token), revoke it.

use chrono::NaiveDate;
use domain::access::{self, Grant, GrantRole, GrantTarget, GranterFacts, RevokeRole};
use domain::ids::{OrgId, UserId};
use domain::organization::Organization;
use domain::vocabulary::access::Role;
use eventlog::{Appended, EventLog};
use uuid::Uuid;

use crate::commands::load::{Loaded, load};
use crate::commands::person::load_org;
use crate::commands::{Commands, Decision, Facts, Issued};
use crate::error::Error;
use crate::tokens;

/// A granted role and its token, shown once.
#[derive(Clone, Debug)]
pub struct GrantedRole {
    /// The new holder's id.
    pub user_id: UserId,
    /// The bearer token; empty when a repeated command id answered a grant
    /// made before (only its hash was kept).
    pub token: String,
    /// What the log stored.
    pub appended: Appended,
}

/// Grants `role` over `org_id`'s subtree to a new holder: by the issuing
/// ADMIN, or by the operator (`issued.role` is `None`).
///
/// # Errors
/// `NOT_AN_ADMIN`, `OUTSIDE_SUBTREE`, `ROLE_OVER_DISSOLVED`, `NOT_FOUND` for an
/// unknown organisation, malformed input, log failures.
pub async fn grant_role(
    commands: &Commands,
    issued: &Issued,
    role: Role,
    org_id: OrgId,
    holder: String,
) -> Result<GrantedRole, Error> {
    let minted = tokens::mint();
    let user_id = UserId(Uuid::now_v7());
    let log = commands.log();
    let (holder, token_hash) = (&holder, &minted.hash);
    let appended = commands
        .execute(issued, || async move {
            let grant = Loaded::minted(user_id.stream());
            // The organisation as read: had it changed since (dissolved,
            // say), the append is a conflict rather than a grant over it.
            let target = load_org(log, org_id).await?;
            let command = GrantRole {
                user_id,
                role,
                org_id,
                holder: holder.clone(),
                token_hash: token_hash.clone(),
                by: granter(commands, issued, org_id)?,
                target: grant_target(&target.state, issued.today),
            };
            let events = access::decide(&grant.state, &command.into(), issued.today)?;
            Ok(Decision::of(vec![grant.append(events)?, target.guard()?]))
        })
        .await?;
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

/// Revokes a holder's role; their token stops working.
///
/// # Errors
/// `NOT_AN_ADMIN`, `OUTSIDE_SUBTREE`, `ALREADY_REVOKED`, `NOT_FOUND`, log failures.
pub async fn revoke_role(
    commands: &Commands,
    issued: &Issued,
    user_id: UserId,
) -> Result<Appended, Error> {
    let log = commands.log();
    commands
        .execute(issued, || async move {
            let grant = load_grant(log, user_id).await?;
            let by = match grant.state.as_ref() {
                Some(granted) => granter(commands, issued, granted.org_id)?,
                None => None,
            };
            let command = RevokeRole { user_id, by };
            let events = access::decide(&grant.state, &command.into(), issued.today)?;
            Ok(Decision::of(vec![grant.append(events)?]))
        })
        .await
}

/// The issuer as a granter over `target`; `None` for the operator, whom the
/// charter lets grant (its bootstrap) and who holds no role.
fn granter(
    commands: &Commands,
    issued: &Issued,
    target: OrgId,
) -> Result<Option<GranterFacts>, Error> {
    let Some((role, subtree)) = issued.role else {
        return Ok(None);
    };
    let facts: &dyn Facts = commands.facts()?;
    Ok(Some(GranterFacts {
        role,
        subtree_contains_target: facts.within(target, subtree),
    }))
}

/// The organisation a role covers, as of `today`.
pub(crate) fn grant_target(org: &Option<Organization>, today: NaiveDate) -> GrantTarget {
    match org {
        None => GrantTarget::Unknown,
        Some(org) if org.dissolved_on.is_some_and(|day| day <= today) => GrantTarget::Dissolved,
        Some(_) => GrantTarget::Open,
    }
}

async fn load_grant(log: &dyn EventLog, user_id: UserId) -> Result<Loaded<Option<Grant>>, Error> {
    load(log, user_id.stream(), access::evolve).await
}
