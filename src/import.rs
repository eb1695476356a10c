//! `reestr import` and `reestr export`: moving a registry in from spreadsheets
//! and writing it out in the same format, through `app::import` (every row
//! decided by the charter there). Here: arguments, the progress bar, the
//! report file, the summary line.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use app::import::report::render_report;
use app::import::{ImportFiles, ImportMode, ImportOptions, ImportProgress};
use app::{App, Viewer};
use eventlog::Backend;
use indicatif::{ProgressBar, ProgressDrawTarget};
use projections::snapshot::SnapshotStore;
use serde_json::json;

use crate::cli::{ExportArgs, ImportArgs};
use crate::progress;
use crate::refusal::Refused;

/// Where the report goes when `--report` names no file.
const DEFAULT_REPORT: &str = "reestr-import-report.csv";

/// The progress bar, and when each pass began (the summary times them).
struct Bar(ProgressBar, std::sync::Mutex<Vec<(String, Instant)>>);

impl Bar {
    /// Seconds of each pass, by name.
    fn passes(&self, end: Instant) -> serde_json::Map<String, serde_json::Value> {
        let passes = self.1.lock().map(|p| p.clone()).unwrap_or_default();
        let ends = passes.iter().skip(1).map(|(_, at)| *at).chain([end]);
        passes
            .iter()
            .zip(ends)
            .map(|((name, began), ended)| {
                let seconds = (ended - *began).as_secs_f64();
                (name.clone(), json!((seconds * 100.0).round() / 100.0))
            })
            .collect()
    }
}

impl ImportProgress for Bar {
    fn pass(&self, name: &str, total: Option<u64>) {
        if let Ok(mut passes) = self.1.lock() {
            passes.push((name.to_string(), Instant::now()));
        }
        self.0.reset();
        self.0.set_length(total.unwrap_or(0));
        self.0.set_prefix(name.to_string());
    }

    fn advance(&self, rows: u64) {
        self.0.inc(rows);
    }
}

/// Runs `reestr import`: the templates, or an import (or its check).
pub async fn import(
    log: &Arc<dyn Backend>,
    args: &ImportArgs,
    operator: &str,
    snapshots: Option<SnapshotStore>,
) -> anyhow::Result<()> {
    if let Some(dir) = &args.template {
        let files = app::import::template::write_templates(dir).map_err(anyhow::Error::msg)?;
        println!("{}", json!({ "templates": files }));
        return Ok(());
    }
    if args.org_file.is_none() && args.member_file.is_empty() {
        return Err(Refused(app::Error::invalid(
            "input",
            "name the files: --org-file, --member-file (or --template DIR)",
        ))
        .into());
    }
    let mode = match (args.check, args.skip_invalid) {
        (true, _) => ImportMode::Check,
        (false, true) => ImportMode::SkipInvalid,
        (false, false) => ImportMode::AllOrNothing,
    };
    let options = ImportOptions {
        mode,
        batch_events: if args.one_by_one {
            1
        } else {
            args.batch_events
        },
        bulk: (!args.appends).then(|| log.clone() as Arc<dyn eventlog::BulkLog>),
    };
    let files = ImportFiles {
        organizations: args.org_file.clone(),
        members: args.member_file.clone(),
        mapping: args.mapping.clone(),
    };
    let opening = Instant::now();
    let app = App::open_at_rest(log.clone(), snapshots)
        .await
        .map_err(Refused)?;
    let viewer = match &args.token {
        Some(token) => app.authenticate(Some(token)).await.map_err(Refused)?,
        None => Viewer::Operator(operator.to_string()),
    };
    let opened = opening.elapsed().as_secs_f64();
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    bar.set_style(progress::style(
        "{prefix} {elapsed_precise} {bar:40} {pos}/{len} строк ({rate}, осталось {eta})",
    )?);
    let started = Instant::now();
    let progress = Bar(bar.clone(), std::sync::Mutex::new(Vec::new()));
    let outcome = app
        .import(&viewer, &files, &options, &progress)
        .await
        .map_err(Refused)?;
    bar.finish_and_clear();
    let passes = progress.passes(Instant::now());
    let seconds = started.elapsed().as_secs_f64();
    let report = args
        .report
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_REPORT));
    if !outcome.bad.is_empty() {
        let xlsx = report
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        let bytes = render_report(&outcome.bad, xlsx).map_err(anyhow::Error::msg)?;
        std::fs::write(&report, bytes).with_context(|| format!("writing {}", report.display()))?;
    }
    let wrote = outcome.wrote(mode);
    println!(
        "{}",
        json!({
            "rows": outcome.rows,
            "memberRows": outcome.member_rows,
            "badRows": outcome.bad.len(),
            "report": (!outcome.bad.is_empty()).then_some(&report),
            "written": wrote,
            "writtenRows": if wrote { outcome.written_rows } else { 0 },
            "writtenMembers": if wrote { outcome.written_members } else { 0 },
            "alreadyImported": outcome.done_rows,
            "events": outcome.events,
            "appends": outcome.appends,
            "openSeconds": (opened * 100.0).round() / 100.0,
            "seconds": (seconds * 100.0).round() / 100.0,
            "passSeconds": passes,
            "membersPerSecond": (outcome.member_rows as f64 / seconds.max(1e-9)).round(),
        })
    );
    app.shutdown().await?;
    if !outcome.bad.is_empty() && mode != ImportMode::SkipInvalid {
        return Err(Refused(app::Error::invalid(
            "rows",
            format!(
                "{} bad rows, nothing written: see {}",
                outcome.bad.len(),
                report.display()
            ),
        ))
        .into());
    }
    Ok(())
}

/// Runs `reestr export`: the registry as of a date, as the import's tables.
pub async fn export(
    log: &Arc<dyn Backend>,
    args: &ExportArgs,
    operator: &str,
    snapshots: Option<SnapshotStore>,
) -> anyhow::Result<()> {
    let as_of = match &args.as_of {
        Some(text) => {
            app::input::date(text).map_err(|e| Refused(app::Error::invalid("asOf", e)))?
        }
        None => app::running::today(),
    };
    let xlsx = match args.format.as_str() {
        "csv" => false,
        "xlsx" => true,
        _ => {
            return Err(Refused(app::Error::invalid("format", "an export is csv or xlsx")).into());
        }
    };
    let app = App::open_with_snapshots(log.clone(), snapshots)
        .await
        .map_err(Refused)?;
    let viewer = match &args.token {
        Some(token) => app.authenticate(Some(token)).await.map_err(Refused)?,
        None => Viewer::Operator(operator.to_string()),
    };
    let started = Instant::now();
    let summary = app
        .export(&viewer, &args.dir, as_of, xlsx)
        .await
        .map_err(Refused)?;
    println!(
        "{}",
        json!({
            "files": summary.files,
            "organizations": summary.organizations,
            "members": summary.members,
            "erasedLeftOut": summary.erased,
            "asOf": as_of.to_string(),
            "seconds": (started.elapsed().as_secs_f64() * 100.0).round() / 100.0,
        })
    );
    app.shutdown().await?;
    Ok(())
}
