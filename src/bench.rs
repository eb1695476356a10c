//! `reestr bench`: measured scenarios on this machine (the workloads live in
//! `reestr-benches`, shared with the criterion benches).

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use eventlog::EventLog;

use crate::cli::BenchAppendArgs;

/// Durable single-event commands from concurrent writers; prints the rate.
pub async fn append(log: Arc<dyn EventLog>, args: &BenchAppendArgs) -> anyhow::Result<()> {
    let print_acks = args.print_acks;
    let started = Instant::now();
    reestr_benches::append_transfers(
        log,
        args.writers,
        args.events,
        move |(position, event_id)| {
            if print_acks {
                let mut out = std::io::stdout().lock();
                // A closed stdout (the reader went away) must not stop the appends.
                let _ = writeln!(out, "ack {position} {event_id}").and_then(|()| out.flush());
            }
        },
    )
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    let rate = args.events as f64 / seconds;
    eprintln!(
        "appended {} single-event commands with {} writers in {seconds:.2} s: {rate:.0} durable appends/s",
        args.events, args.writers
    );
    Ok(())
}
