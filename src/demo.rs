//! `reestr demo`: a synthetic union, served, with a token to try it.

use std::sync::Arc;

use anyhow::bail;
use domain::event::{Event, OrganizationEvent};
use domain::ids::OrgId;
use eventlog::{Backend, codec, read_all};
use futures::StreamExt;

use crate::cli::{DemoArgs, GenerateArgs};
use crate::{generate, init, serve};

/// The label of the ADMINs the demo grants.
const HOLDER: &str = "demo";

/// On an empty log generates the union first; on a log that holds one grants
/// a fresh root ADMIN instead. Then serves, printing the URL and the token.
pub async fn run(log: &Arc<dyn Backend>, args: &DemoArgs) -> anyhow::Result<()> {
    let head = *log.head().borrow();
    let token = if head == 0 {
        println!(
            "An empty registry: generating a synthetic union of about {} members first (once: later runs serve it again).",
            args.members
        );
        let generate = GenerateArgs {
            members: args.members,
            seed: args.seed,
            today: None,
            holder: HOLDER.into(),
        };
        generate::union(log, &generate).await?
    } else {
        println!("The registry holds {head} events: serving them.");
        let today = chrono::Local::now().date_naive();
        init::grant_root_admin(log, central(log).await?, HOLDER, today).await?
    };
    serve::serve(log, &args.serve, |address| {
        println!("Open http://{address}/graphql; the read models catch up from the log first (/health says when).");
        println!("Send the header `Authorization: Bearer <token>` with this root ADMIN token (shown once):");
        println!("{}", token.token);
    })
    .await
}

/// The CENTRAL organisation: the one registered without a parent (the first
/// event of every log `init` or `generate` made).
async fn central(log: &Arc<dyn Backend>) -> anyhow::Result<OrgId> {
    let mut events = read_all(log.clone(), 0);
    while let Some(stored) = events.next().await {
        if let Event::Organization(OrganizationEvent::Registered {
            org_id,
            parent_id: None,
            ..
        }) = codec::decode(&stored?)?
        {
            return Ok(org_id);
        }
    }
    bail!("the log holds no CENTRAL organisation")
}
