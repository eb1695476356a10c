//! `reestr init`: a new registry with its CENTRAL organisation and a root ADMIN.

use std::sync::Arc;

use anyhow::bail;
use app::Operator;
use eventlog::Backend;

use crate::cli::InitArgs;
use crate::refusal::Refused;

/// Registers the CENTRAL organisation and grants a root ADMIN over it, in one
/// atomic append (the application layer's [`Operator::initialise`]); prints
/// the organisation's id and, last, the token.
pub async fn run(log: &Arc<dyn Backend>, args: &InitArgs, operator: &str) -> anyhow::Result<()> {
    let head = *log.head().borrow();
    let operator = Operator::new(log.clone(), operator);
    let initialised = match operator
        .initialise(
            args.name.clone(),
            Some(args.short_name.clone()),
            args.holder.clone(),
        )
        .await
    {
        Err(app::Error::Conflict(app::Conflict::Exists { .. })) => {
            bail!("this registry is initialised already: its log holds {head} events")
        }
        other => other.map_err(Refused)?,
    };
    println!("CENTRAL organisation: {}", initialised.central);
    print_token(&args.holder, &initialised.token);
    Ok(())
}

/// Prints the token alone on the last line (it is shown once).
pub fn print_token(holder: &str, token: &str) {
    println!("Root ADMIN token for {holder} (shown once; only its hash is kept):");
    println!("{token}");
}
