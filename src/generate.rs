//! `reestr generate`: a whole synthetic union in an empty log, then a root ADMIN.

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use eventlog::Backend;
use generator::Config;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use projections::access_token::MintedToken;

use crate::cli::GenerateArgs;
use crate::init;

/// Generates the union, grants the root ADMIN over its CENTRAL organisation and
/// prints a summary, then the token alone on the last line.
pub async fn run(log: &Arc<dyn Backend>, args: &GenerateArgs) -> anyhow::Result<()> {
    let token = union(log, args).await?;
    init::print_token(&args.holder, &token);
    Ok(())
}

/// Generates the union with a progress bar on stderr, grants the root ADMIN
/// and prints a summary; returns the ADMIN's token.
pub async fn union(log: &Arc<dyn Backend>, args: &GenerateArgs) -> anyhow::Result<MintedToken> {
    let today = args
        .today
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let config = Config {
        members: args.members,
        seed: args.seed,
        today,
    };
    let progress = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} {bar:40} {pos}/{len} actions ({per_sec}, {eta}) {msg}",
        )
        .context("the progress bar's template")?,
    );
    let started = Instant::now();
    let summary = generator::generate(log.clone(), &config, &progress)
        .await
        .context("generating the union")?;
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    let token = init::grant_root_admin(log, summary.central, &args.holder, today).await?;
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
    Ok(token)
}
