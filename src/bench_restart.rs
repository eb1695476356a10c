//! `reestr bench restart`: how long `reestr serve` takes, started on this
//! data directory (or database), until it listens and until `/health` says
//! 200, with its resident memory then; issue 15's restart figure, measured
//! from outside as an operator sees it.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::json;

use crate::cli::{BenchRestartArgs, StoreArgs};

/// How often `/health` is asked while the server folds the log.
const POLL: Duration = Duration::from_millis(50);

/// How long after `/health` said 200 the memory is read again.
const SETTLE: Duration = Duration::from_secs(2);

/// Starts and stops the server `args.repeat` times; prints one JSON line a start.
pub async fn restart(store: &StoreArgs, args: &BenchRestartArgs) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("finding the reestr binary")?;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()?;
    for run in 1..=args.repeat {
        let mut command = Command::new(&exe);
        command.arg("--data-dir").arg(&store.data_dir);
        if let Some(url) = &store.database_url {
            command.arg("--database-url").arg(url);
        }
        if let Some(key) = &store.key_file {
            command.arg("--key-file").arg(key);
        }
        let folding = args.alternate_snapshots && run % 2 == 1;
        command.args(["serve", "--listen", "127.0.0.1:0"]);
        if folding {
            command.arg("--no-snapshots");
        }
        let started = Instant::now();
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting reestr serve")?;
        let outcome = time_start(&client, &mut child, started, args.timeout).await;
        let stopping = Instant::now();
        stop(&mut child)?;
        let stop_seconds = stopping.elapsed().as_secs_f64();
        let start = outcome?;
        println!(
            "{}",
            json!({
                "run": run,
                "snapshots": !folding,
                "listeningSeconds": round(start.listening),
                "healthySeconds": round(start.healthy),
                "rssMiB": start.rss_kib / 1024,
                "settledRssMiB": start.settled_kib / 1024,
                "peakRssMiB": start.peak_kib / 1024,
                "stopSeconds": round(stop_seconds),
            })
        );
    }
    Ok(())
}

struct Start {
    listening: f64,
    healthy: f64,
    rss_kib: u64,
    settled_kib: u64,
    peak_kib: u64,
}

async fn time_start(
    client: &reqwest::Client,
    child: &mut Child,
    started: Instant,
    timeout: u64,
) -> anyhow::Result<Start> {
    let stdout = child.stdout.take().context("the server's output")?;
    // `serve` prints its address first; the rest of its output is drained
    // so that it never blocks on a full pipe.
    let (address_tx, address_rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().and_then(Result::ok);
        let _ = address_tx.send(first);
        for _ in lines {}
    });
    let deadline = Duration::from_secs(timeout);
    let line = tokio::time::timeout(deadline, address_rx)
        .await
        .context("the server did not say where it listens in time")??
        .context("the server stopped before it listened")?;
    let listening = started.elapsed().as_secs_f64();
    let address = line
        .strip_prefix("Listening on ")
        .with_context(|| format!("unexpected first line from serve: {line}"))?;
    let health = format!("{address}/health");
    loop {
        if let Ok(response) = client.get(&health).send().await
            && response.status() == reqwest::StatusCode::OK
        {
            break;
        }
        if let Some(status) = child.try_wait()? {
            bail!("the server exited with {status} before it was healthy");
        }
        if started.elapsed() > deadline {
            bail!("the server was not healthy within {timeout} s");
        }
        tokio::time::sleep(POLL).await;
    }
    let healthy = started.elapsed().as_secs_f64();
    let (rss_kib, peak_kib) = crate::bench::memory_kib(&child.id().to_string());
    if rss_kib == 0 {
        bail!("the server's memory could not be read from /proc");
    }
    // What it keeps once the start's garbage is given back (`serve` asks the
    // allocator for it once the read models first caught up).
    tokio::time::sleep(SETTLE).await;
    let (settled_kib, _) = crate::bench::memory_kib(&child.id().to_string());
    Ok(Start {
        listening,
        healthy,
        rss_kib,
        settled_kib,
        peak_kib,
    })
}

/// SIGTERM, then waits for the server to close its log.
fn stop(child: &mut Child) -> anyhow::Result<()> {
    if child.try_wait()?.is_none() {
        let pid = libc::pid_t::try_from(child.id()).context("the server's pid")?;
        // SAFETY: a signal to our own child, which has not been reaped yet.
        if unsafe { libc::kill(pid, libc::SIGTERM) } != 0 {
            bail!("stopping the server: {}", std::io::Error::last_os_error());
        }
    }
    child.wait().context("waiting for the server to stop")?;
    Ok(())
}

fn round(seconds: f64) -> f64 {
    (seconds * 100.0).round() / 100.0
}
