//! The mailing benchmark (see BENCHMARKS.md); ignored by default.

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::mailing::{SCHEDULE, Sink, mail_server, mailing};
use support::smtp_counter::SmtpCounter;
use support::{Server, stdout};
use tempfile::TempDir;

/// The SMTP server the campaign goes to: `REESTR_BENCH_SINK=aiosmtpd` for
/// the Python one of the other mailing tests, otherwise the Rust counter
/// (the two side by side say which side bounds the rate).
enum BenchSink {
    Python(Sink),
    Rust(SmtpCounter),
}

impl BenchSink {
    fn start(dir: &std::path::Path) -> Option<BenchSink> {
        if std::env::var("REESTR_BENCH_SINK").as_deref() == Ok("aiosmtpd") {
            let python = mail_server()?;
            return Some(BenchSink::Python(Sink::start_counting(&python, dir)));
        }
        Some(BenchSink::Rust(SmtpCounter::start()))
    }

    fn name(&self) -> &'static str {
        match self {
            BenchSink::Python(_) => "aiosmtpd",
            BenchSink::Rust(_) => "smtp_counter",
        }
    }

    fn address(&self) -> &str {
        match self {
            BenchSink::Python(sink) => &sink.address,
            BenchSink::Rust(sink) => &sink.address,
        }
    }

    fn count(&self) -> u64 {
        match self {
            BenchSink::Python(sink) => sink.count(),
            BenchSink::Rust(sink) => sink.count(),
        }
    }
}

/// The throughput benchmark (not run by default; no figure is asserted):
/// `REESTR_BENCH_MEMBERS=100000 cargo test --release --test mailing_throughput -- --ignored --nocapture`
/// generates a union, sends one campaign to all of it through an SMTP sink
/// that only counts (`REESTR_BENCH_SINK`: see [`BenchSink`]), and prints messages per second and the latency of
/// member lookups (without personal data, and with a recorded read) idle, before and after, and during the campaign.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it in release, see BENCHMARKS.md"]
async fn campaign_throughput() {
    let members = std::env::var("REESTR_BENCH_MEMBERS").unwrap_or_else(|_| "3000".into());
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let out = stdout(
        support::reestr(&data)
            .args(["generate", "--members", &members, "--seed", "11"])
            .output()
            .unwrap(),
    );
    let admin = out.lines().last().unwrap().to_string();
    let central = out
        .lines()
        .find_map(|l| l.strip_prefix("CENTRAL organisation: "))
        .unwrap()
        .to_string();
    let key = dir.path().join("mail.key");
    // REESTR_BENCH_RATE: the pace (messages per second), unbounded by default.
    let rate = std::env::var("REESTR_BENCH_RATE").unwrap_or_else(|_| "1000000".into());
    let Some(sink) = BenchSink::start(dir.path()) else {
        return;
    };
    let args = [
        "serve",
        "--smtp",
        sink.address(),
        "--mail-key-file",
        key.to_str().unwrap(),
        "--mail-rate",
        &rate,
        "--mail-connections",
        "16",
        // The bench polls progress and times lookups as one holder, faster
        // than a person would: the request limits are not what it measures.
        "--no-request-limits",
    ];
    // REESTR_BENCH_SERVE_ARGS: more `serve` flags, to compare settings.
    let extra = std::env::var("REESTR_BENCH_SERVE_ARGS").unwrap_or_default();
    let args: Vec<&str> = args
        .iter()
        .copied()
        .chain(extra.split_whitespace())
        .collect();
    let (server, _) = Server::run(&data, &args, "GraphQL").await;
    let people = members_page(&server, &admin, &central).await;
    // One round: the mean of 50 lookups of one kind; the figures are medians
    // of rounds. Two kinds: without personal data (the API's own work) and
    // with an e-mail (a read recorded durably before the answer, so it also
    // waits on the log's commits, which the campaign's outcomes share).
    let lookup = async |server: &Server, kind: Lookup| {
        let started = Instant::now();
        for id in people.iter().take(50) {
            server
                .ok(kind.query(), json!({ "id": id }), Some(&admin))
                .await;
        }
        started.elapsed() / 50
    };
    let mut idle = Rounds::default();
    for _ in 0..10 {
        for kind in Lookup::BOTH {
            idle.push(kind, lookup(&server, kind).await);
        }
    }
    let started = Instant::now();
    let id = server
        .ok(SCHEDULE, json!({ "input": { "orgId": central, "subject": "Замер", "body": "Текст **письма**." } }), Some(&admin))
        .await["scheduleMailing"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Rounds while messages go out (the recipients listed, the rest not
    // yet sent), each one checked against the progress before and after;
    // the two kinds take turns.
    let mut busy = Rounds::default();
    let mut turn = 0;
    let view = loop {
        let view = mailing(&server, &admin, &id).await;
        if view["status"] == "FINISHED" {
            break view;
        }
        if view["sent"].as_u64() > Some(0) {
            let kind = Lookup::BOTH[turn % 2];
            turn += 1;
            let round = lookup(&server, kind).await;
            if mailing(&server, &admin, &id).await["status"] != "FINISHED" {
                busy.push(kind, round);
            }
        } else {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    let elapsed = started.elapsed();
    // Idle again after the campaign: the VM's disk and neighbours drift
    // within minutes, so the idle figure is taken on both sides.
    for _ in 0..10 {
        for kind in Lookup::BOTH {
            idle.push(kind, lookup(&server, kind).await);
        }
    }
    let sent = view["sent"].as_u64().unwrap();
    let counted = sink.count();
    eprintln!(
        "campaign to {} recipients: {sent} sent ({counted} counted by {}) in {:.1} s: {:.0} messages/s",
        view["recipients"],
        sink.name(),
        elapsed.as_secs_f64(),
        sent as f64 / elapsed.as_secs_f64(),
    );
    for kind in Lookup::BOTH {
        let (idle, busy, rounds) = (idle.median(kind), busy.median(kind), busy.len(kind));
        eprintln!(
            "member lookup {}: {idle:?} idle, {busy:?} during the campaign ({:.2}x, medians of 20 idle rounds and {rounds} during, 50 lookups each)",
            kind.name(),
            busy.as_secs_f64() / idle.as_secs_f64()
        );
    }
    drop(sink);
}

/// What a lookup asks.
#[derive(Clone, Copy)]
enum Lookup {
    /// Membership without personal data: nothing recorded.
    Plain,
    /// With the member's e-mail: the read recorded before the answer.
    Personal,
}

impl Lookup {
    const BOTH: [Lookup; 2] = [Lookup::Plain, Lookup::Personal];

    fn query(self) -> &'static str {
        match self {
            Lookup::Plain => {
                "query($id: ID!) { member(id: $id) { id status joinedOn category organization { name } } }"
            }
            Lookup::Personal => "query($id: ID!) { member(id: $id) { id email } }",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Lookup::Plain => "without personal data",
            Lookup::Personal => "with e-mail (a recorded read)",
        }
    }
}

/// Rounds' times of each kind of lookup.
#[derive(Default)]
struct Rounds([Vec<Duration>; 2]);

impl Rounds {
    fn push(&mut self, kind: Lookup, round: Duration) {
        self.0[kind as usize].push(round);
    }

    fn len(&self, kind: Lookup) -> usize {
        self.0[kind as usize].len()
    }

    /// The middle round (zero for none).
    fn median(&self, kind: Lookup) -> Duration {
        let mut rounds = self.0[kind as usize].clone();
        rounds.sort();
        rounds.get(rounds.len() / 2).copied().unwrap_or_default()
    }
}

/// Ids of the first members of `org`'s subtree.
async fn members_page(server: &Server, admin: &str, org: &str) -> Vec<String> {
    let data = server
        .ok(
            "query($org: ID!) { members(orgId: $org, first: 200) { edges { node { id } } } }",
            json!({ "org": org }),
            Some(admin),
        )
        .await;
    data["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap().to_string())
        .collect()
}
