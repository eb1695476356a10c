//! `reestr copy`: a whole log from one backend to another, verified.
//!
//! The events travel as stored ([`EventLog::export`] → [`EventLog::import_raw`]):
//! positions, ids, recorded times and sealed personal data byte for byte, with
//! the commands (retries stay duplicates) and the vault keys; an erased stream's
//! sealed bytes travel without a key, so it stays erased. Each batch is one
//! durable transaction in the target, so an interrupted copy resumes after the
//! target's head, once the overlap is checked to be the same log. At the end
//! both logs are read again and compared by count and digest.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use eventlog::bulk::digest_log;
use eventlog::{Backend, PostgresLog, RawBatch};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::CopyArgs;
use crate::store::{Location, redacted};

/// Events compared before resuming: the target's last ones against the source's.
const OVERLAP: u64 = 1_000;

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
    let source = from.open().await?;
    let target = to.open().await?;
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
    let until = *source.head().borrow();
    let start = *target.head().borrow();
    if start > until {
        bail!("{to} holds {start} events, more than {from} ({until}): it is not a copy of it");
    }
    if start > 0 {
        check_overlap(source.as_ref(), target.as_ref(), start)
            .await
            .with_context(|| format!("{to} is not an interrupted copy of {from}"))?;
        eprintln!("{to} already holds positions 1..={start}; resuming after {start}");
    }

    let started = Instant::now();
    let progress = progress_bar(until - start, "events")?;
    let mut after = start;
    while after < until {
        let limit = batch_size.min(usize::try_from(until - after).unwrap_or(usize::MAX));
        let batch = source.export(after, limit).await?;
        if batch.events.is_empty() {
            bail!("{from} ends at {after}, before its head {until}");
        }
        after = target
            .import_raw(batch)
            .await
            .with_context(|| format!("storing positions after {after} in {to}"))?;
        progress.set_position(after - start);
    }
    target
        .import_raw(RawBatch {
            erasures: source.erasures().await?,
            ..RawBatch::default()
        })
        .await?;
    target.finish_import().await?;
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
    let (expected, found) = tokio::join!(
        digest_log(source.as_ref(), until, batch_size),
        digest_log(target.as_ref(), until, batch_size),
    );
    verifying.finish_and_clear();
    let (expected, found) = (expected?, found?);
    let target_head = *target.head().borrow();
    if expected.events() != until || found.events() != until || target_head != until {
        bail!(
            "verification failed: {from} has {} events up to {until}, {to} has {} (head {target_head})",
            expected.events(),
            found.events()
        );
    }
    let (expected, found) = (expected.finish(), found.finish());
    if expected != found {
        bail!("verification failed: digest of {from} {expected}, of {to} {found}");
    }
    println!(
        "verified in {:.1} s: {until} events in both, digest {found}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The target's last events (up to [`OVERLAP`]) must be the source's, as stored.
async fn check_overlap(
    source: &dyn Backend,
    target: &dyn Backend,
    head: u64,
) -> anyhow::Result<()> {
    let count = head.min(OVERLAP);
    let limit = usize::try_from(count).unwrap_or(usize::MAX);
    let ours = source.export(head - count, limit).await?;
    let theirs = target.export(head - count, limit).await?;
    if ours.events != theirs.events || ours.commands != theirs.commands {
        bail!("positions {}..={head} differ", head - count + 1);
    }
    Ok(())
}

fn progress_bar(length: u64, unit: &str) -> anyhow::Result<ProgressBar> {
    let progress = ProgressBar::with_draw_target(Some(length), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} {{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}})"
        ))
        .context("the progress bar's template")?,
    );
    Ok(progress)
}
