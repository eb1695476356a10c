//! `reestr bench`: measured scenarios on this machine (the workloads live in
//! `reestr-benches`, shared with the criterion benches).

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use domain::ids::OrgId;
use domain::vocabulary::organization::OrgLevel;
use eventlog::Backend;
use projections::archive::Archive;
use projections::registry::Registry;
use projections::runtime::{Projection, Projector};
use projections::statistics::Statistics;

use crate::cli::{BenchAppendArgs, BenchReadSideArgs};

/// Durable single-event commands from concurrent writers; prints the rate.
pub async fn append(log: Arc<dyn Backend>, args: &BenchAppendArgs) -> anyhow::Result<()> {
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

/// Rebuilds registry, archive and statistics from the log, then times the
/// reports of the read-side targets (BENCHMARKS.md, issue 3).
pub async fn read_side(log: Arc<dyn Backend>, args: &BenchReadSideArgs) -> anyhow::Result<()> {
    let registry = Arc::new(Registry::new());
    let statistics = Arc::new(Statistics::new());
    let archive = Arc::new(Archive::new());
    let projections: Vec<Arc<dyn Projection>> =
        vec![registry.clone(), archive.clone(), statistics.clone()];
    let projector = Projector::new(log.clone(), projections, 0);
    let started = Instant::now();
    let events = projector.catch_up().await?;
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "rebuild of all projections: {events} events in {seconds:.1} s = {:.0} events/s",
        events as f64 / seconds
    );
    println!("memory after the rebuild: {}", memory());
    let central = first_of_level(&registry, OrgLevel::Central)?;
    let members = registry.member_count(central).unwrap_or(0);
    let mut total = 0;
    for (model, report) in [
        ("registry", registry.heap_report()),
        ("archive", archive.heap_report()),
        ("statistics", statistics.heap_report()),
    ] {
        let held: usize = report
            .iter()
            .filter(|(table, _)| !table.ends_with("(used)"))
            .map(|(_, bytes)| bytes)
            .sum();
        total += held;
        println!(
            "  {model}: {} ({:.0} bytes per active member)",
            mb(held),
            held as f64 / members.max(1) as f64
        );
        for (table, bytes) in report {
            println!("    {table}: {}", mb(bytes));
        }
    }
    println!(
        "  all models: {} ({:.0} bytes per active member, {members} active members)",
        mb(total),
        total as f64 / members.max(1) as f64
    );
    println!("  allocator: {}", allocator());

    let territorial = first_of_level(&registry, OrgLevel::Territorial)?;
    let as_of = args.as_of;
    let year_before = as_of - chrono::Days::new(365);
    let timed = [
        (
            "statistics, whole union, with breakdown",
            central,
            Query::Report,
        ),
        (
            "statistics, one territorial, with breakdown",
            territorial,
            Query::Report,
        ),
        ("movement for a year, whole union", central, Query::Movement),
        (
            "movement for a year, one territorial",
            territorial,
            Query::Movement,
        ),
    ];
    for (label, org, query) in timed {
        let mut times = Vec::with_capacity(args.repeat);
        let mut members = 0;
        for _ in 0..args.repeat.max(1) {
            let started = Instant::now();
            members = match query {
                Query::Report => statistics.report(org, as_of, None)?.members,
                Query::Movement => statistics.movement(org, year_before, as_of)?.admitted,
            };
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "{label} on {as_of}: median {:.3} ms, slowest {:.3} ms ({members} {})",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            if matches!(query, Query::Report) {
                "members"
            } else {
                "admitted"
            },
        );
    }
    println!("peak memory: {}", memory());
    Ok(())
}

#[derive(Clone, Copy)]
enum Query {
    Report,
    Movement,
}

fn first_of_level(registry: &Registry, level: OrgLevel) -> anyhow::Result<OrgId> {
    let page = registry.organizations(None, Some(level), None, 1, None)?;
    page.items
        .first()
        .map(|(_, org)| org.org_id)
        .ok_or_else(|| anyhow::anyhow!("the log holds no {level:?} organisation"))
}

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// What glibc's malloc holds: in use, free inside its heaps (fragmentation),
/// and mapped on its own (large blocks).
#[cfg(all(target_os = "linux", target_env = "gnu", not(feature = "mimalloc")))]
fn allocator() -> String {
    // SAFETY: both take no arguments and return plain values; SQLite's counter
    // (of the bytes the bundled SQLite has allocated) is thread-safe.
    let (info, sqlite) = unsafe { (libc::mallinfo2(), libsqlite3_sys::sqlite3_memory_used()) };
    format!(
        "in use {} (of which mapped {}, SQLite's page caches and statements {}), free in heaps {}",
        mb(info.uordblks + info.hblkhd),
        mb(info.hblkhd),
        mb(usize::try_from(sqlite).unwrap_or(0)),
        mb(info.fordblks)
    )
}

/// What the bundled SQLite holds (mimalloc keeps no glibc-style counters:
/// the resident figure below is the whole story).
#[cfg(feature = "mimalloc")]
fn allocator() -> String {
    // SAFETY: takes no arguments, returns a plain value, thread-safe.
    let sqlite = unsafe { libsqlite3_sys::sqlite3_memory_used() };
    format!(
        "mimalloc; SQLite's page caches and statements {}",
        mb(usize::try_from(sqlite).unwrap_or(0))
    )
}

#[cfg(not(any(feature = "mimalloc", all(target_os = "linux", target_env = "gnu"))))]
fn allocator() -> String {
    "not glibc".into()
}

/// Resident and peak resident memory of this process, from /proc.
fn memory() -> String {
    let (resident, peak) = memory_kib("self");
    format!("resident {resident} kB, peak {peak} kB")
}

/// The resident and the peak resident memory (`VmRSS`, `VmHWM`) of
/// `/proc/{process}` in KiB (`self`, or a pid); 0 where /proc does not say.
pub(crate) fn memory_kib(process: &str) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{process}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|kib| kib.parse::<u64>().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
