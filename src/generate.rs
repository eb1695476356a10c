//! `reestr generate`: a whole synthetic union in an empty log, then a root ADMIN.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use app::Operator;
use eventlog::Backend;
use generator::Config;
use indicatif::{ProgressBar, ProgressDrawTarget};

use crate::cli::GenerateArgs;
use crate::refusal::Refused;
use crate::{init, progress};

/// Generates the union, grants the root ADMIN over its CENTRAL organisation and
/// prints a summary, then the token alone on the last line.
pub async fn run(
    log: &Arc<dyn Backend>,
    args: &GenerateArgs,
    operator: &str,
) -> anyhow::Result<()> {
    let token = union(log, args, operator).await?;
    init::print_token(&args.holder, &token);
    Ok(())
}

/// Generates the union with a progress bar on stderr (the generator's bulk
/// load, every event decided by the charter), grants the root ADMIN through
/// the application layer as `operator`, and prints a summary; returns the
/// ADMIN's token.
pub async fn union(
    log: &Arc<dyn Backend>,
    args: &GenerateArgs,
    operator: &str,
) -> anyhow::Result<String> {
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let config = Config {
        members: args.members,
        seed: args.seed,
        today,
    };
    let progress = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    progress.set_style(progress::style(
        "{elapsed_precise} {bar:40} {pos}/{len} actions ({rate}, {eta} left) {msg}",
    )?);
    let started = Instant::now();
    let summary = generator::generate(log.clone(), &config, &progress)
        .await
        .context("generating the union")?;
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let granted = Operator::new(log.clone(), operator)
        .grant_role(
            domain::vocabulary::access::Role::Admin,
            summary.central,
            args.holder.clone(),
        )
        .await
        .map_err(Refused)?;
    println!(
        "Generated {} events in {seconds:.1} s ({:.0} events/s): {} organisations, {} people, {} active members (seed {}, today {today})",
        summary.events,
        summary.events as f64 / seconds,
        summary.organizations,
        summary.people,
        summary.active_members,
        args.seed,
    );
    println!("CENTRAL organisation: {}", summary.central);
    Ok(granted.token)
}
