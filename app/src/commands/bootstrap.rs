//! Initialising a registry: its CENTRAL organisation and a root ADMIN, one append.

use domain::access::{self, GrantRole, GrantTarget};
use domain::error::DomainError;
use domain::event::Event;
use domain::ids::{OrgId, UserId};
use domain::organization::{self, RegisterOrganization};
use domain::vocabulary::access::Role;
use domain::vocabulary::organization::OrgLevel;
use eventlog::{Appended, ExpectedVersion, StreamAppend, codec};
use uuid::Uuid;

use crate::commands::{Commands, Decision, Issued};
use crate::error::{Conflict, Error};
use crate::tokens;

/// A registry just initialised.
#[derive(Clone, Debug)]
pub struct Initialised {
    /// The CENTRAL organisation.
    pub central: OrgId,
    /// The root ADMIN's id.
    pub admin: UserId,
    /// The root ADMIN's bearer token, shown once.
    pub token: String,
    /// What the log stored.
    pub appended: Appended,
}

/// Registers the CENTRAL organisation (`name`, `short_name`) and grants a root
/// ADMIN over it to `holder`, in one atomic append of an empty log. The
/// charter decides both: the organisation as the first of the tree, the grant
/// as the operator's bootstrap (granted by no one).
///
/// # Errors
/// [`Conflict::Exists`] when the log holds events already; the charter's
/// refusals of the names; log failures.
pub async fn initialise(
    commands: &Commands,
    issued: &Issued,
    name: String,
    short_name: Option<String>,
    holder: String,
) -> Result<Initialised, Error> {
    let head = *commands.log().head().borrow();
    if head > 0 {
        return Err(Error::Conflict(Conflict::Exists {
            what: "registry (its log holds events)",
        }));
    }
    let central = OrgId(Uuid::now_v7());
    let admin = UserId(Uuid::now_v7());
    let minted = tokens::mint();
    let (name, short_name, holder, token_hash) = (&name, &short_name, &holder, &minted.hash);
    let appended = commands
        .execute(issued, || async move {
            let register = RegisterOrganization {
                org_id: central,
                parent_id: None,
                name: name.clone(),
                short_name: short_name.clone(),
                level: OrgLevel::Central,
                region_code: None,
                territorial_rights: false,
                registered_on: issued.today,
                // The union was there before its registry: found in place.
                established_on: None,
                parent: None,
                central_exists: false,
            };
            let registered = organization::decide(&None, &register.into(), issued.today)?;
            let grant = GrantRole {
                user_id: admin,
                role: Role::Admin,
                org_id: central,
                holder: holder.clone(),
                token_hash: token_hash.clone(),
                by: None,
                target: GrantTarget::Open,
            };
            let granted = access::decide(&None, &grant.into(), issued.today)?;
            Ok(Decision::of(vec![
                new_stream(registered.into_iter().map(Event::from).collect())?,
                new_stream(granted.into_iter().map(Event::from).collect())?,
            ]))
        })
        .await?;
    Ok(Initialised {
        central,
        admin,
        token: minted.token,
        appended,
    })
}

/// The events of one new stream (all of `events` share it).
fn new_stream(events: Vec<Event>) -> Result<StreamAppend, Error> {
    let first = events.first().ok_or(DomainError::NotFound {
        what: "an event to store",
    })?;
    Ok(StreamAppend {
        stream: first.stream(),
        expected: ExpectedVersion::NoStream,
        events: events.iter().map(codec::encode).collect::<Result<_, _>>()?,
    })
}
