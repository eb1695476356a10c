//! `reestr events`: the journal as JSON lines.
//!
//! Personal data is shown only to a token's holder (`--token`), through the
//! same application layer as the API's `events`: their role and subtree
//! apply, and each page's reads are recorded in the audit trail before it is
//! printed. Without a token the operator reads every event with its personal
//! part withheld: trusted with the log, not with reading identities unrecorded.

use std::io::Write;
use std::sync::Arc;

use app::App;
use app::journal::JournalQuery;
use eventlog::{Backend, Personal, StoredEvent, read_all};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::cli::EventsArgs;
use crate::refusal::Refused;

/// Events a page of the token holder's journal holds.
const PAGE: i64 = 500;

/// Writes every event after `args.after` (of one stream, if given) to stdout.
pub async fn print(log: &Arc<dyn Backend>, args: &EventsArgs) -> anyhow::Result<()> {
    if let Some(token) = &args.token {
        return print_as_holder(log, args, token).await;
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut withheld = false;
    let mut write = |out: &mut std::io::BufWriter<_>, event: &StoredEvent| {
        withheld |= matches!(event.personal, Personal::Plain(_));
        writeln!(out, "{}", line(event, withheld_data(event)))
    };
    match &args.stream {
        Some(stream) => {
            for event in log.read_stream(stream, 0).await? {
                if event.position > args.after {
                    write(&mut out, &event)?;
                }
            }
        }
        None => {
            let mut events = read_all(log.clone(), args.after);
            while let Some(event) = events.next().await {
                write(&mut out, &event?)?;
            }
        }
    }
    out.flush()?;
    if withheld {
        eprintln!(
            "personal data withheld (\"personal\": \"WITHHELD\"): give --token of an ADMIN or \
             AUDITOR to see it, each read recorded"
        );
    }
    Ok(())
}

/// The journal as `token`'s holder reads it through the API: page by page,
/// each page's personal-data reads recorded before it is printed.
async fn print_as_holder(
    log: &Arc<dyn Backend>,
    args: &EventsArgs,
    token: &str,
) -> anyhow::Result<()> {
    let app = App::open(log.clone()).await.map_err(Refused)?;
    let viewer = app.authenticate(Some(token)).await.map_err(Refused)?;
    let from_position = i64::try_from(args.after).unwrap_or(i64::MAX);
    let mut after = None;
    loop {
        let query = JournalQuery {
            from_position,
            stream: args.stream.clone(),
            first: PAGE,
            after: after.take(),
            count_total: false,
        };
        let page = app.events(&viewer, query).await.map_err(Refused)?;
        let reads = app.personal_reads(&viewer);
        let mut lines = Vec::with_capacity(page.items.len());
        for (_, event) in &page.items {
            let data = event.data(Some(&reads)).map_err(Refused)?;
            lines.push(line(&event.stored, data));
        }
        // Not recorded, not shown.
        reads.record().await.map_err(Refused)?;
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        for line in lines {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        if !page.has_next_page {
            break;
        }
        after = page.end_cursor;
    }
    app.shutdown().await?;
    Ok(())
}

/// The payload with its personal part marked withheld, or erased.
fn withheld_data(event: &StoredEvent) -> Value {
    let mut data: Value = serde_json::from_str(&event.payload).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut data {
        match &event.personal {
            Personal::None => {}
            Personal::Plain(_) => {
                fields.insert("personal".into(), json!("WITHHELD"));
            }
            Personal::Erased => {
                fields.insert("personal".into(), json!("ERASED"));
            }
        }
    }
    data
}

/// One event with its envelope and `data`.
fn line(event: &StoredEvent, data: Value) -> Value {
    json!({
        "position": event.position,
        "stream": event.stream,
        "version": event.version,
        "eventId": event.event_id,
        "type": event.event_type,
        "schemaVersion": event.schema_version,
        "effectiveOn": event.effective_on,
        "recordedAt": event.recorded_at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        "actor": event.actor,
        "correlationId": event.correlation_id,
        "causationId": event.causation_id,
        "data": data,
    })
}
