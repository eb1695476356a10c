//! `reestr token`: a role granted offline, from the command line.

use std::sync::Arc;

use anyhow::bail;
use domain::event::Event;
use domain::organization::{self, Organization};
use domain::vocabulary::access::Role;
use eventlog::{Backend, ExpectedVersion, StreamAppend, codec};

use crate::cli::{RoleArg, TokenArgs};
use crate::init;

/// Grants the role over the organisation's subtree to a new holder; prints
/// what was granted, then the token alone on the last line.
pub async fn run(log: &Arc<dyn Backend>, args: &TokenArgs) -> anyhow::Result<()> {
    let stream = args.org.stream();
    let stored = log.read_stream(&stream, 0).await?;
    let mut state: Option<Organization> = None;
    for event in &stored {
        if let Event::Organization(event) = codec::decode(event)? {
            organization::evolve(&mut state, &event);
        }
    }
    let Some(organization) = state else {
        bail!("no organisation {} in this registry", args.org);
    };
    let today = chrono::Local::now().date_naive();
    if organization.dissolved_on.is_some_and(|day| day <= today) {
        bail!(
            "organisation {} ({}) is dissolved",
            args.org,
            organization.name
        );
    }
    // Grant against the organisation as read: had it changed since, the
    // append would be a conflict rather than a grant over something else.
    let guard = StreamAppend {
        stream,
        expected: ExpectedVersion::Exact(stored.last().map_or(0, |event| event.version)),
        events: vec![],
    };
    let role = role(args.role);
    let token = init::grant_role(log, role, args.org, &args.holder, today, vec![guard]).await?;
    println!(
        "{role:?} token for {} over {} ({}) (shown once; only its hash is kept):",
        args.holder, organization.name, args.org
    );
    println!("{}", token.token);
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
