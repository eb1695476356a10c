//! `reestr demo`: a synthetic union, served, with a token to try it.

use std::sync::Arc;

use app::Operator;
use eventlog::Backend;

use crate::cli::{DemoArgs, GenerateArgs, StoreArgs};
use crate::refusal::Refused;
use crate::{generate, serve, store};

/// The label of the ADMINs the demo grants.
const HOLDER: &str = "demo";

/// On an empty log generates the union first; on a log that holds one grants
/// a fresh root ADMIN instead. Then serves, printing the URL and the token.
pub async fn run(
    log: &Arc<dyn Backend>,
    args: &DemoArgs,
    store: &StoreArgs,
    operator: &str,
) -> anyhow::Result<()> {
    // The address first: a busy port is found before minutes of generating.
    let listener = serve::bind(&args.serve).await?;
    let snapshots = store::snapshot_store(store, &args.serve)?;
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
        generate::union(log, &generate, operator).await?
    } else {
        println!("The registry holds {head} events: serving them.");
        Operator::new(log.clone(), operator)
            .grant_root_admin(HOLDER.into())
            .await
            .map_err(Refused)?
            .token
    };
    serve::serve(log, &args.serve, listener, None, snapshots, |address| {
        println!("Open http://{address}/graphql; the read models catch up from the log first (/health says when).");
        println!("Send the header `Authorization: Bearer <token>` with this root ADMIN token (shown once):");
        println!("{token}");
    })
    .await
}
