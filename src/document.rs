//! `reestr document TEMPLATE …`: the union's documents filled in from the
//! registry (`App::document`), and an ADMIN's own templates kept
//! (`App::replace_template`, `App::reset_template`), through the same
//! application layer as `/documents/…`. Replaced templates live in
//! `DATA_DIR/templates`. Prints one JSON line; a refusal prints the API's
//! code and exits with status 2.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use app::templates::{DocumentFormat, DocumentQuery, Template};
use app::{App, Viewer};
use eventlog::Backend;
use projections::snapshot::SnapshotStore;
use serde_json::json;

use crate::cli::DocumentArgs;
use crate::refusal::Refused;

/// Where replaced templates of the registry in `data_dir` are kept.
pub fn templates_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("templates")
}

/// Runs `args` on the registry of `log`.
pub async fn run(
    log: &Arc<dyn Backend>,
    args: &DocumentArgs,
    operator: &str,
    data_dir: &Path,
    snapshots: Option<SnapshotStore>,
) -> anyhow::Result<()> {
    let template = Template::parse(&args.template).map_err(Refused)?;
    let format = DocumentFormat::parse(&args.format).map_err(Refused)?;
    let query: DocumentQuery = match &args.input {
        Some(input) => serde_json::from_str(input).map_err(|e| {
            Refused(app::Error::invalid(
                "input",
                format!("--input is not a document query: {e}"),
            ))
        })?,
        None => DocumentQuery::default(),
    };
    let replacement = match &args.replace {
        Some(path) => {
            Some(std::fs::read(path).with_context(|| format!("reading {}", path.display()))?)
        }
        None => None,
    };
    let mut app = App::open_with_snapshots(log.clone(), snapshots)
        .await
        .map_err(Refused)?;
    app.set_templates_dir(templates_dir(data_dir));
    let viewer = match &args.token {
        Some(token) => app.authenticate(Some(token)).await.map_err(Refused)?,
        None => Viewer::Operator(operator.to_string()),
    };
    let output = || {
        args.output
            .clone()
            .ok_or_else(|| Refused(app::Error::invalid("output", "give -o FILE")))
    };
    let printed = if let Some(bytes) = replacement {
        app.replace_template(&viewer, template, &bytes)
            .map_err(Refused)?;
        json!({ "template": template.id(), "replaced": true, "bytes": bytes.len() })
    } else if args.reset {
        app.reset_template(&viewer, template).map_err(Refused)?;
        json!({ "template": template.id(), "reset": true })
    } else if args.blank {
        let bytes = app.template(&viewer, template).map_err(Refused)?;
        let out = output()?;
        std::fs::write(&out, &bytes).with_context(|| format!("writing {}", out.display()))?;
        json!({ "template": template.id(), "file": out, "bytes": bytes.len() })
    } else {
        let out = output()?;
        let file = app
            .document(&viewer, template, &query, format)
            .await
            .map_err(Refused)?;
        std::fs::write(&out, &file.bytes).with_context(|| format!("writing {}", out.display()))?;
        json!({ "file": out, "bytes": file.bytes.len(), "contentType": file.content_type })
    };
    println!("{printed}");
    app.shutdown().await?;
    Ok(())
}
