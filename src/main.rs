//! The `reestr` binary: command line, configuration and wiring. No charter rule
//! lives here, and nothing is decided, encoded or appended here: every command
//! that writes goes through the application layer (`app`), which the charter
//! (`domain`) decides for.

mod allocator;
mod bench;
mod bench_api;
mod bench_reports;
mod bench_restart;
mod cli;
mod command;
mod copy;
mod demo;
mod document;
mod generate;
mod import;
mod init;
mod journal;
mod mail;
mod progress;
mod refusal;
mod report;
mod serve;
mod store;
mod token;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{BenchCommand, Cli, Command};
use crate::refusal::{REFUSED, Refused};

fn main() -> ExitCode {
    match start() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => match error.downcast_ref::<Refused>() {
            Some(refused) => {
                eprintln!("refused: {refused}");
                ExitCode::from(REFUSED)
            }
            None => {
                // The chain of causes, never a backtrace: these are the
                // operator's errors (a busy port, a missing file), and
                // RUST_BACKTRACE=1 in a shell would bury the one line that says so.
                eprintln!("Error: {error}");
                for cause in error.chain().skip(1) {
                    eprintln!("  caused by: {cause}");
                }
                ExitCode::FAILURE
            }
        },
    }
}

fn start() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("warn,projections::runtime=info")),
        )
        .with_writer(std::io::stderr)
        // Colours for a terminal; plain text for a file or a journal.
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    // A copy opens its own two logs, not the one of --data-dir.
    if let Command::Copy(args) = &cli.command {
        return copy::run(args).await;
    }
    // The schema needs no log: print it without opening (or creating) one.
    // Loading a server needs no log of its own either.
    if let Command::Bench(BenchCommand::Api(args)) = &cli.command {
        return bench_api::api(args).await;
    }
    if let Command::Bench(BenchCommand::Pages(args)) = &cli.command {
        return bench_api::pages(args).await;
    }
    // The server started is the log's one writer: this process opens nothing.
    if let Command::Bench(BenchCommand::Restart(args)) = &cli.command {
        return bench_restart::restart(&cli.store, args).await;
    }
    if let Command::Schema = &cli.command {
        print!("{}", graphql::schema::sdl());
        return Ok(());
    }
    let log = store::open(&cli.store).await?;
    // A command that folds the read models starts from the data directory's
    // snapshot, when one fits, and never writes one.
    let snapshot = || store::snapshot_to_read(&cli.store);
    let outcome = match &cli.command {
        Command::Init(args) => init::run(&log, args, &cli.operator).await,
        Command::Generate(args) => generate::run(&log, args, &cli.operator).await,
        Command::Events(args) => journal::print(&log, args).await,
        Command::Bench(BenchCommand::Append(args)) => bench::append(log.clone(), args).await,
        Command::Bench(BenchCommand::ReadSide(args)) => bench::read_side(log.clone(), args).await,
        Command::Bench(BenchCommand::Reports(args)) => {
            bench_reports::reports(log.clone(), args).await
        }
        Command::Serve(args) => serve::run(&log, args, &cli.store).await,
        Command::Demo(args) => demo::run(&log, args, &cli.store, &cli.operator).await,
        Command::Token(args) => token::run(&log, args, &cli.operator).await,
        Command::Run(args) => command::run(&log, args, &cli.operator, snapshot()).await,
        Command::Report(args) => report::run(&log, args, &cli.operator, snapshot()).await,
        Command::Import(args) => import::import(&log, args, &cli.operator, snapshot()).await,
        Command::Export(args) => import::export(&log, args, &cli.operator, snapshot()).await,
        Command::Document(args) => {
            document::run(&log, args, &cli.operator, &cli.store.data_dir, snapshot()).await
        }
        // Answered above, before any log is opened.
        Command::Copy(_)
        | Command::Schema
        | Command::Bench(
            BenchCommand::Api(_) | BenchCommand::Pages(_) | BenchCommand::Restart(_),
        ) => Ok(()),
    };
    log.shutdown().await?;
    outcome
}
