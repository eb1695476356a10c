//! `reestr init`: a new registry with its CENTRAL organisation and a root ADMIN.

use std::sync::Arc;

use anyhow::bail;
use domain::access::{self, GrantRole};
use domain::event::Event;
use domain::ids::{OrgId, UserId};
use domain::organization::{self, RegisterOrganization};
use domain::vocabulary::access::Role;
use domain::vocabulary::organization::OrgLevel;
use eventlog::{AppendRequest, EventLog, ExpectedVersion, StreamAppend, codec};
use projections::access_token;
use uuid::Uuid;

use crate::cli::InitArgs;

/// The envelope's actor for what the operator does from the command line.
const OPERATOR: &str = "operator";

/// Registers the CENTRAL organisation and grants a root ADMIN over it, in one
/// atomic append; prints the organisation's id and, last, the token.
pub async fn run(log: &Arc<dyn EventLog>, args: &InitArgs) -> anyhow::Result<()> {
    let head = *log.head().borrow();
    if head > 0 {
        bail!("this registry is initialised already: its log holds {head} events");
    }
    // The registry's calendar is the server's local date; read once, passed in.
    let today = chrono::Local::now().date_naive();
    let org_id = OrgId(Uuid::now_v7());
    let register = RegisterOrganization {
        org_id,
        parent_id: None,
        name: args.name.clone(),
        short_name: Some(args.short_name.clone()),
        level: OrgLevel::Central,
        region_code: None,
        territorial_rights: false,
        registered_on: today,
        parent: None,
        central_exists: false,
    };
    let registered = organization::decide(&None, &register.into(), today)?;

    let token = access_token::mint();
    let grant = GrantRole {
        user_id: UserId(Uuid::now_v7()),
        role: Role::Admin,
        org_id,
        holder: args.holder.clone(),
        token_hash: token.hash,
        by: None,
    };
    let granted = access::decide(&None, &grant.into(), today)?;

    let org_events: Vec<Event> = registered.into_iter().map(Event::from).collect();
    let access_events: Vec<Event> = granted.into_iter().map(Event::from).collect();
    let request = AppendRequest {
        streams: vec![new_stream(&org_events)?, new_stream(&access_events)?],
        command_id: None,
        actor: OPERATOR.into(),
        correlation_id: Some(Uuid::now_v7()),
        causation_id: None,
        erase_personal_data_of: vec![],
    };
    log.append(request).await?;
    println!("CENTRAL organisation: {org_id}");
    println!(
        "Root ADMIN token for {} (shown once; only its hash is kept):",
        args.holder
    );
    println!("{}", token.token);
    Ok(())
}

/// The events of one new stream (all of `events` share it).
fn new_stream(events: &[Event]) -> anyhow::Result<StreamAppend> {
    let Some(first) = events.first() else {
        bail!("the decision produced no event");
    };
    Ok(StreamAppend {
        stream: first.stream(),
        expected: ExpectedVersion::NoStream,
        events: events.iter().map(codec::encode).collect::<Result<_, _>>()?,
    })
}
