//! `reestr events`: the journal as JSON lines.

use std::io::Write;
use std::sync::Arc;

use eventlog::{Backend, Personal, StoredEvent, read_all};
use futures::StreamExt;
use serde_json::{Value, json};

use crate::cli::EventsArgs;

/// Writes every event after `args.after` (of one stream, if given) to stdout.
pub async fn print(log: Arc<dyn Backend>, args: &EventsArgs) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match &args.stream {
        Some(stream) => {
            for event in log.read_stream(stream, 0).await? {
                if event.position > args.after {
                    writeln!(out, "{}", line(&event))?;
                }
            }
        }
        None => {
            let mut events = read_all(log, args.after);
            while let Some(event) = events.next().await {
                writeln!(out, "{}", line(&event?))?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// One event with its envelope; personal data decrypted, or marked erased.
fn line(event: &StoredEvent) -> Value {
    let mut data: Value = serde_json::from_str(&event.payload).unwrap_or(Value::Null);
    if let Value::Object(fields) = &mut data {
        match &event.personal {
            Personal::None => {}
            Personal::Plain(plain) => {
                let personal = serde_json::from_str(plain).unwrap_or(Value::Null);
                fields.insert("personal".into(), personal);
            }
            Personal::Erased => {
                fields.insert("personal".into(), json!("ERASED"));
            }
        }
    }
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
