//! `reestr copy`: a whole log from one backend to another, with the files its
//! events name, verified: the
//! application layer's [`LogCopy`] (resumable, checked, verified by digest),
//! with progress bars.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use app::copy::{CopyPlan, LogCopy};
use eventlog::{Backend, PostgresLog};
use indicatif::{ProgressBar, ProgressDrawTarget};

use crate::cli::CopyArgs;
use crate::progress;
use crate::store::{Location, redacted};

/// Copies `--from` into `--to`, then verifies the copy.
pub async fn run(args: &CopyArgs) -> anyhow::Result<()> {
    let from = Location::parse(&args.from)?;
    let to = Location::parse(&args.to)?;
    if from == to {
        bail!("{from} is both the source and the target");
    }
    if let Location::Postgres(url) = &to
        && PostgresLog::create_database(url)
            .await
            .with_context(|| format!("creating the database {}", redacted(url)))?
    {
        eprintln!("created the database {to}");
    }
    let source = from.open(args.from_key_file.as_deref()).await?;
    let target = to.open(args.to_key_file.as_deref()).await?;
    let outcome = copy(&source, &target, &from, &to, args.batch.max(1)).await;
    let closed = (source.shutdown().await, target.shutdown().await);
    outcome?;
    closed.0?;
    closed.1?;
    Ok(())
}

async fn copy(
    source: &Arc<dyn Backend>,
    target: &Arc<dyn Backend>,
    from: &Location,
    to: &Location,
    batch_size: usize,
) -> anyhow::Result<()> {
    let copy = LogCopy::new(source.as_ref(), target.as_ref(), batch_size);
    let plan = copy
        .plan()
        .await
        .with_context(|| format!("{to} is not an interrupted copy of {from}"))?;
    let CopyPlan { start, until } = plan;
    if start > 0 {
        eprintln!("{to} already holds positions 1..={start}; resuming after {start}");
    }

    let started = Instant::now();
    let progress = progress_bar(until - start, "events")?;
    copy.run(plan, |after| progress.set_position(after - start))
        .await
        .with_context(|| format!("copying {from} to {to}"))?;
    progress.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    if until == start {
        println!("nothing to copy: {to} already holds the {until} events of {from}");
    } else {
        println!(
            "copied {} events (positions {}..={until}) from {from} to {to} in {seconds:.1} s ({:.0} events/s)",
            until - start,
            start + 1,
            (until - start) as f64 / seconds.max(1e-9),
        );
    }

    let verifying = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    verifying.set_message("verifying: reading both logs");
    verifying.enable_steady_tick(Duration::from_millis(200));
    let started = Instant::now();
    let verified = copy.verify(until).await;
    verifying.finish_and_clear();
    let verified = verified.with_context(|| format!("verifying {to} against {from}"))?;
    println!(
        "verified in {:.1} s: {until} events in both and the {} files they name ({} bytes) in {to}, digest {}",
        started.elapsed().as_secs_f64(),
        verified.files,
        verified.file_bytes,
        verified.digest
    );
    Ok(())
}

fn progress_bar(length: u64, unit: &str) -> anyhow::Result<ProgressBar> {
    let progress = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    progress.set_style(progress::style(&format!(
        "{{elapsed_precise}} {{bar:40}} {{pos}}/{{len}} {unit} ({{rate}}, {{eta}} left)"
    ))?);
    Ok(progress)
}
