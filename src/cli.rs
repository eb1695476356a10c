//! The command line: what each command does, in the operator's words.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// reestr: the membership registry of the education trade union.
///
/// Every membership action is an event in an append-only log; the registry, the
/// history and the statistics are built from it. The log lives in a data
/// directory (embedded SQLite) unless --database-url points elsewhere.
#[derive(Debug, Parser)]
#[command(name = "reestr", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the log is.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Directory holding the embedded log (reestr.sqlite).
    #[arg(
        long,
        global = true,
        env = "REESTR_DATA_DIR",
        default_value = "./reestr-data"
    )]
    pub data_dir: PathBuf,
    /// The log's database instead of the data directory: sqlite://PATH (PostgreSQL
    /// arrives with its backend).
    #[arg(long, global = true, env = "REESTR_DATABASE_URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new registry: the log, the CENTRAL organisation and a root ADMIN
    /// token. Prints the organisation's id, then the token alone on the last line
    /// (shown once: only its hash is kept).
    Init(InitArgs),
    /// Print the event journal as JSON lines, oldest first, for auditors.
    Events(EventsArgs),
    /// Fill an empty log with a whole synthetic union (deterministic for a seed):
    /// the organisation tree, ten years of members' history, cards and
    /// applications. Shows progress on stderr; prints the root ADMIN token
    /// alone on the last line.
    Generate(GenerateArgs),
    /// Measure the registry on this machine.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Name of the CENTRAL organisation.
    #[arg(long, default_value = "Общероссийский Профсоюз образования")]
    pub name: String,
    /// Short name of the CENTRAL organisation.
    #[arg(long, default_value = "Профсоюз образования")]
    pub short_name: String,
    /// A label for the root administrator (a name or e-mail).
    #[arg(long, default_value = "root")]
    pub holder: String,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Active members at the end (about); organisation counts scale with it.
    #[arg(long, default_value_t = 3_910_407)]
    pub members: u64,
    /// The seed: the same seed gives the same events.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The last day of the history, YYYY-MM-DD (default: the local date).
    #[arg(long)]
    pub today: Option<chrono::NaiveDate>,
    /// A label for the root administrator (a name or e-mail).
    #[arg(long, default_value = "root")]
    pub holder: String,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Start after this position (0: from the first event).
    #[arg(long = "from", default_value_t = 0)]
    pub after: u64,
    /// Only this stream, e.g. person-<uuid>.
    #[arg(long)]
    pub stream: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Durable single-event appends (member transfers) from concurrent writers.
    Append(BenchAppendArgs),
    /// Rebuild every read model from the log, then time statistics and movement
    /// for the whole union and one territorial organisation; prints peak memory.
    ReadSide(BenchReadSideArgs),
}

#[derive(Debug, Args)]
pub struct BenchReadSideArgs {
    /// The report date (a past date).
    #[arg(long, default_value = "2024-01-01")]
    pub as_of: chrono::NaiveDate,
    /// Times each query runs; the median and the slowest are printed.
    #[arg(long, default_value_t = 21)]
    pub repeat: usize,
}

#[derive(Debug, Args)]
pub struct BenchAppendArgs {
    /// Concurrent writers (tasks), each appending one event per command.
    #[arg(long, default_value_t = 64)]
    pub writers: usize,
    /// Events in all.
    #[arg(long, default_value_t = 200_000)]
    pub events: u64,
    /// Print `ack <position> <event id>` as each append is acknowledged (the crash
    /// test reads these).
    #[arg(long)]
    pub print_acks: bool,
}
