//! `reestr report --input JSON --format xlsx|csv|pdf -o FILE`: a report of the
//! report builder as a file, by the operator (or as a token's holder), through
//! the same application layer as the API's `report` query and its download
//! route. JSON is that query's arguments as the schema names them (`orgId`,
//! `rows`, `columns`, `dates`, `filter`, …). Prints one JSON line with the
//! file and its size; a refusal prints the API's code and exits with status 2.

use std::sync::Arc;

use anyhow::Context;
use app::reports::ReportQuery;
use app::{App, Viewer};
use documents::Format;
use eventlog::Backend;
use serde_json::json;

use crate::cli::ReportArgs;
use crate::refusal::Refused;

/// Folds the read models, renders the report and writes it to `args.output`.
pub async fn run(log: &Arc<dyn Backend>, args: &ReportArgs, operator: &str) -> anyhow::Result<()> {
    let format = Format::parse(&args.format).ok_or_else(|| {
        Refused(app::Error::invalid(
            "format",
            "a report file is xlsx, csv or pdf",
        ))
    })?;
    let query: ReportQuery = serde_json::from_str(&args.input).map_err(|e| {
        Refused(app::Error::invalid(
            "input",
            format!("--input is not a report query: {e}"),
        ))
    })?;
    let app = App::open(log.clone()).await.map_err(Refused)?;
    let viewer = match &args.token {
        Some(token) => app.authenticate(Some(token)).await.map_err(Refused)?,
        None => Viewer::Operator(operator.to_string()),
    };
    let file = app
        .report_file(&viewer, &query, format)
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
