//! `reestr report [--kind builder|statistical|members] --input JSON --format
//! xlsx|csv|pdf -o FILE`: a report as a file, by the operator (or as a
//! token's holder), through the same application layer as the API's queries
//! and the download route (`App::file`). JSON is that query's arguments as
//! the schema names them (`orgId`, `rows`, `columns`, `dates`, `filter`, …).
//! Prints one JSON line with the file and its size; a refusal prints the
//! API's code and exits with status 2.

use std::sync::Arc;

use anyhow::Context;
use app::reports::files::ReportKind;
use app::{App, Viewer};
use documents::Format;
use eventlog::Backend;
use projections::snapshot::SnapshotStore;
use serde_json::json;

use crate::cli::ReportArgs;
use crate::refusal::Refused;

/// Folds the read models, renders the report and writes it to `args.output`.
pub async fn run(
    log: &Arc<dyn Backend>,
    args: &ReportArgs,
    operator: &str,
    snapshots: Option<SnapshotStore>,
) -> anyhow::Result<()> {
    let format = Format::parse(&args.format).ok_or_else(|| {
        Refused(app::Error::invalid(
            "format",
            "a report file is xlsx, csv or pdf",
        ))
    })?;
    let kind = ReportKind::parse(&args.kind).ok_or_else(|| {
        Refused(app::Error::invalid(
            "kind",
            "a report is builder, statistical or members",
        ))
    })?;
    let app = App::open_with_snapshots(log.clone(), snapshots)
        .await
        .map_err(Refused)?;
    let viewer = match &args.token {
        Some(token) => app.authenticate(Some(token)).await.map_err(Refused)?,
        None => Viewer::Operator(operator.to_string()),
    };
    let file = app
        .file(&viewer, kind, args.input.as_bytes(), format)
        .await
        .map_err(Refused)?;
    std::fs::write(&args.output, &file.bytes)
        .with_context(|| format!("writing {}", args.output.display()))?;
    println!(
        "{}",
        json!({ "file": args.output, "bytes": file.bytes.len(), "contentType": file.content_type })
    );
    app.shutdown().await?;
    Ok(())
}
