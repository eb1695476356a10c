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
    /// Who you are, recorded as the actor of every event a command here
    /// appends (init, token, command, generate's and demo's grants).
    #[arg(
        long,
        global = true,
        env = "REESTR_OPERATOR",
        default_value = app::operator::OPERATOR
    )]
    pub operator: String,
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
    /// The log's database instead of the data directory: sqlite://PATH or
    /// postgres://USER[:PASSWORD]@HOST[:PORT]/DB (the database must exist; its
    /// tables are created on first use).
    #[arg(long, global = true, env = "REESTR_DATABASE_URL")]
    pub database_url: Option<String>,
    /// The key file whose key wraps the embedded log's personal-data keys
    /// (created 0600 for a new log). Default: beside the data directory,
    /// e.g. ./reestr-data.key, so a copy of the directory alone opens no
    /// personal data. Back it up apart from the data: without it the
    /// personal data in the log is lost.
    #[arg(long, global = true, env = "REESTR_KEY_FILE")]
    pub key_file: Option<PathBuf>,
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
    /// Serve the GraphQL API: POST /graphql (GraphiQL on GET), subscriptions on
    /// /graphql/ws, /health, /metrics. Prints the address it listens on; stops
    /// gracefully on SIGTERM or Ctrl-C.
    Serve(ServeArgs),
    /// Try the registry: on an empty log, generate a synthetic union first
    /// (with a progress bar), then serve it; prints the URL and a fresh root
    /// ADMIN token.
    Demo(DemoArgs),
    /// Issue a token offline (the server stopped): grant a role over an
    /// organisation's subtree to a new holder; prints the token alone on the
    /// last line (shown once: only its hash is kept).
    Token(TokenArgs),
    /// Run one command of the registry (admit, transfer, register, grant, …)
    /// through the same application layer as the API, as the operator (or as
    /// --token's holder): the read models are folded from the log first.
    /// Prints the answer as one JSON line; a refusal prints the API's code and
    /// rule (e.g. `RULE_VIOLATION SAME_HOME (charter rule 3): …`) and exits
    /// with status 2.
    #[command(name = "command")]
    Run(CommandArgs),
    /// Write a report of the report builder to a file (XLSX, CSV or PDF), as
    /// the operator or --token's holder: the same report as the API's `report`
    /// query and its download route. Prints one JSON line with the file.
    Report(ReportArgs),
    /// Print the served GraphQL schema (SDL); needs no registry.
    Schema,
    /// Copy a whole log to another database (SQLite to PostgreSQL or back):
    /// events with their positions, ids and times, the commands, the vault
    /// (erased stays erased). Resumes an interrupted copy; verifies both logs by
    /// count and digest at the end. Ignores --data-dir and --database-url.
    Copy(CopyArgs),
}

#[derive(Debug, Args)]
pub struct CommandArgs {
    /// The command: the GraphQL mutation of the same name.
    #[arg(value_enum)]
    pub name: CommandName,
    /// Its arguments as JSON, named as the schema names them, e.g.
    /// '{"memberId": "…", "toOrgId": "…", "effectiveOn": "2025-09-01"}'; a
    /// mutation whose one argument is `input` takes the input object itself.
    #[arg(long)]
    pub input: String,
    /// Act as this token's holder (role and subtree) instead of the operator.
    #[arg(long, env = "REESTR_TOKEN")]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The `report` query's arguments as JSON, named as the schema names them,
    /// e.g. '{"orgId": "…", "rows": "CHILD", "columns": "GENDER", "dates":
    /// ["2025-01-01", "2026-01-01"], "filter": {"categories": ["WORKER"]}}'.
    #[arg(long)]
    pub input: String,
    /// xlsx, csv or pdf.
    #[arg(long, default_value = "xlsx")]
    pub format: String,
    /// The file to write.
    #[arg(short = 'o', long)]
    pub output: std::path::PathBuf,
    /// Act as this token's holder (role and subtree) instead of the operator.
    #[arg(long, env = "REESTR_TOKEN")]
    pub token: Option<String>,
}

/// The commands `reestr command` runs, named as the API's mutations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "camelCase")]
pub enum CommandName {
    RegisterOrganization,
    RenameOrganization,
    MoveOrganization,
    UpdatePassport,
    DissolveOrganization,
    AdmitMember,
    TransferMember,
    EndMembership,
    UpdateMember,
    IssueCard,
    BlockCard,
    ErasePersonalData,
    SubmitApplication,
    ApproveApplication,
    RejectApplication,
    GrantRole,
    RevokeRole,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The log to copy: sqlite://PATH, postgres://USER@HOST/DB, or the path of
    /// a data directory (its reestr.sqlite).
    #[arg(long)]
    pub from: String,
    /// Where to copy it, in the same forms. Must be empty or an interrupted copy
    /// of the same log; a missing PostgreSQL database is created.
    #[arg(long)]
    pub to: String,
    /// Events per transaction in the target.
    #[arg(long, default_value_t = 10_000)]
    pub batch: usize,
    /// The key file of an SQLite source (default: beside its directory).
    #[arg(long)]
    pub from_key_file: Option<PathBuf>,
    /// The key file of an SQLite target, created for a new one (default:
    /// beside its directory). The copy's personal-data keys are wrapped by it.
    #[arg(long)]
    pub to_key_file: Option<PathBuf>,
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
pub struct ServeArgs {
    /// The address to listen on (port 0: any free port; the address is printed).
    #[arg(long, env = "REESTR_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Largest request body, in bytes (413 above it).
    #[arg(long, default_value_t = graphql::server::BODY_LIMIT)]
    pub body_limit: usize,
    /// Longest a request may take, in seconds (408 past it).
    #[arg(long, default_value_t = graphql::server::REQUEST_TIMEOUT.as_secs())]
    pub request_timeout: u64,
    /// How long a shutdown waits for requests in flight, in seconds.
    #[arg(long, default_value_t = graphql::server::SHUTDOWN_GRACE.as_secs())]
    pub shutdown_grace: u64,
    /// One trusted reverse proxy stands in front: take the client's address
    /// from the last X-Forwarded-For entry (for rate limits).
    #[arg(long)]
    pub trust_proxy: bool,
    /// Deepest nesting of selections a query may have.
    #[arg(long, default_value_t = graphql::schema::Limits::default().depth)]
    pub max_depth: usize,
    /// Highest complexity a query may have.
    #[arg(long, default_value_t = graphql::schema::Limits::default().complexity)]
    pub max_complexity: usize,
    /// Web origins whose pages may call the API from a browser and open its
    /// WebSocket, comma-separated (`https://app.example,http://localhost:3000`);
    /// none by default.
    #[arg(long, env = "REESTR_ALLOWED_ORIGINS", default_value = "")]
    pub allowed_origins: graphql::server::Origins,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Active members of the union generated on the first run (about).
    #[arg(long, default_value_t = 3_910_407)]
    pub members: u64,
    /// The seed of the generated union.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    /// The role.
    #[arg(long, value_enum, ignore_case = true)]
    pub role: RoleArg,
    /// The id of the organisation whose subtree the role covers.
    #[arg(long)]
    pub org: domain::ids::OrgId,
    /// A label for the holder (a name or e-mail).
    #[arg(long)]
    pub holder: String,
}

/// A role, as the command line spells it.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RoleArg {
    Admin,
    Chair,
    Auditor,
    Analyst,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// Start after this position (0: from the first event).
    #[arg(long = "from", default_value_t = 0)]
    pub after: u64,
    /// Only this stream, e.g. person-<uuid>.
    #[arg(long)]
    pub stream: Option<String>,
    /// Show personal data as this token's holder sees it (an ADMIN or
    /// AUDITOR: their subtree's events, each read recorded in the audit trail
    /// before it is printed). Without it, personal data is withheld.
    #[arg(long)]
    pub token: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Durable single-event appends (member transfers) from concurrent writers.
    Append(BenchAppendArgs),
    /// Rebuild every read model from the log, then time statistics and movement
    /// for the whole union and one territorial organisation; prints peak memory.
    ReadSide(BenchReadSideArgs),
    /// Load a running server's GraphQL API from concurrent clients (member
    /// lookups, statistics or admissions); prints the rate and latency.
    Api(BenchApiArgs),
}

/// What `reestr bench api` sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ApiScenario {
    /// `member(id)` without personal fields.
    Lookup,
    /// `member(id)` with names and birth date (each read recorded in the audit trail).
    LookupPersonal,
    /// `statistics` of a territorial organisation.
    Statistics,
    /// `admitMember` of new persons into primary organisations.
    Admit,
    /// `events(first: 20) { totalCount … }`: the journal's first page and its
    /// total as the token's holder sees them (an AUDITOR token of a territorial
    /// or primary organisation measures the subtree journal).
    Journal,
}

#[derive(Debug, Args)]
pub struct BenchApiArgs {
    /// The server's GraphQL endpoint.
    #[arg(long, default_value = "http://127.0.0.1:8080/graphql")]
    pub url: String,
    /// An ADMIN token of the root (as `reestr generate` or `demo` print); for
    /// `journal`, any token that reads the journal.
    #[arg(long, env = "REESTR_TOKEN")]
    pub token: String,
    /// What to send.
    #[arg(long, value_enum, default_value = "lookup")]
    pub scenario: ApiScenario,
    /// Concurrent clients.
    #[arg(long, default_value_t = 64)]
    pub clients: usize,
    /// Seconds of load.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
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
