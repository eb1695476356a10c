//! `reestr token`: a role granted offline, from the command line.

use std::sync::Arc;

use app::Operator;
use domain::vocabulary::access::Role;
use eventlog::Backend;

use crate::cli::{RoleArg, TokenArgs};
use crate::refusal::Refused;

/// Grants the role over the organisation's subtree to a new holder (the
/// application layer's [`Operator::grant_role`]: the charter refuses a grant
/// over a dissolved organisation, as through the API); prints what was
/// granted, then the token alone on the last line.
pub async fn run(log: &Arc<dyn Backend>, args: &TokenArgs, operator: &str) -> anyhow::Result<()> {
    let operator = Operator::new(log.clone(), operator);
    let role = role(args.role);
    let granted = operator
        .grant_role(role, args.org, args.holder.clone())
        .await
        .map_err(Refused)?;
    let name = operator
        .organization_name(args.org)
        .await
        .map_err(Refused)?;
    println!(
        "{role:?} token for {} over {name} ({}) (shown once; only its hash is kept):",
        args.holder, args.org
    );
    println!("{}", granted.token);
    Ok(())
}

fn role(role: RoleArg) -> Role {
    match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::Chair => Role::Chair,
        RoleArg::Auditor => Role::Auditor,
        RoleArg::Analyst => Role::Analyst,
    }
}
