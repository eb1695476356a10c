//! The `reestr` binary: command line, configuration and wiring. No charter rule
//! lives here; commands are decided by `domain` and stored by `eventlog`.

mod bench;
mod cli;
mod generate;
mod init;
mod journal;
mod store;

use clap::Parser;
use tracing_subscriber::EnvFilter;

use crate::cli::{BenchCommand, Cli, Command};

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run(cli))
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let log = store::open(&cli.store)?;
    let outcome = match &cli.command {
        Command::Init(args) => init::run(&log, args).await,
        Command::Generate(args) => generate::run(&log, args).await,
        Command::Events(args) => journal::print(log.clone(), args).await,
        Command::Bench(BenchCommand::Append(args)) => bench::append(log.clone(), args).await,
        Command::Bench(BenchCommand::ReadSide(args)) => bench::read_side(log.clone(), args).await,
    };
    log.shutdown().await?;
    outcome
}
