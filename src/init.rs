//! `reestr init`: a new registry with its CENTRAL organisation and a root ADMIN.

use std::sync::Arc;

use anyhow::bail;
use chrono::NaiveDate;
use domain::access::{self, GrantRole};
use domain::event::Event;
use domain::ids::{OrgId, UserId};
use domain::organization::{self, RegisterOrganization};
use domain::vocabulary::access::Role;
use domain::vocabulary::organization::OrgLevel;
use eventlog::{AppendRequest, Backend, ExpectedVersion, StreamAppend, codec};
use projections::access_token::{self, MintedToken};
use uuid::Uuid;

use crate::cli::InitArgs;

/// The envelope's actor for what the operator does from the command line.
const OPERATOR: &str = "operator";

/// Registers the CENTRAL organisation and grants a root ADMIN over it, in one
/// atomic append; prints the organisation's id and, last, the token.
pub async fn run(log: &Arc<dyn Backend>, args: &InitArgs) -> anyhow::Result<()> {
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
    let org_events: Vec<Event> = registered.into_iter().map(Event::from).collect();
    let (grant, token) = granted(Role::Admin, org_id, &args.holder, today)?;
    let request = operator_request(vec![new_stream(&org_events)?, grant]);
    log.append(request).await?;
    println!("CENTRAL organisation: {org_id}");
    print_token(&args.holder, &token);
    Ok(())
}

/// Grants a root ADMIN over `org_id` (the CENTRAL organisation) in its own
/// append, as `reestr generate` does once the union is loaded; returns the token.
pub async fn grant_root_admin(
    log: &Arc<dyn Backend>,
    org_id: OrgId,
    holder: &str,
    today: NaiveDate,
) -> anyhow::Result<MintedToken> {
    grant_role(log, Role::Admin, org_id, holder, today, vec![]).await
}

/// Grants `role` over `org_id`'s subtree to a new holder in one append with
/// `guards` (pure version checks of the streams the caller read, so a change
/// to them since is a conflict); returns the token.
pub async fn grant_role(
    log: &Arc<dyn Backend>,
    role: Role,
    org_id: OrgId,
    holder: &str,
    today: NaiveDate,
    guards: Vec<StreamAppend>,
) -> anyhow::Result<MintedToken> {
    let (grant, token) = granted(role, org_id, holder, today)?;
    let mut streams = guards;
    streams.push(grant);
    log.append(operator_request(streams)).await?;
    Ok(token)
}

/// Prints the token alone on the last line (it is shown once).
pub fn print_token(holder: &str, token: &MintedToken) {
    println!("Root ADMIN token for {holder} (shown once; only its hash is kept):");
    println!("{}", token.token);
}

/// The decided grant of `role` over `org_id` (a new holder's stream) and the
/// token minted for it. The operator grants as no one (`by: None`): the
/// command line is trusted with the data directory already.
fn granted(
    role: Role,
    org_id: OrgId,
    holder: &str,
    today: NaiveDate,
) -> anyhow::Result<(StreamAppend, MintedToken)> {
    let token = access_token::mint();
    let grant = GrantRole {
        user_id: UserId(Uuid::now_v7()),
        role,
        org_id,
        holder: holder.to_string(),
        token_hash: token.hash.clone(),
        by: None,
    };
    let granted = access::decide(&None, &grant.into(), today)?;
    let access_events: Vec<Event> = granted.into_iter().map(Event::from).collect();
    Ok((new_stream(&access_events)?, token))
}

/// One operator command's atomic append.
fn operator_request(streams: Vec<StreamAppend>) -> AppendRequest {
    AppendRequest {
        streams,
        command_id: None,
        actor: OPERATOR.into(),
        correlation_id: Some(Uuid::now_v7()),
        causation_id: None,
        erase_personal_data_of: vec![],
    }
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
