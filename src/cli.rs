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
    /// Fill in one of the union's documents (admission-application,
    /// admission-minutes, record-card, card-register, exit-application) as
    /// DOCX or PDF, as --token's holder; or, as an ADMIN of the whole union
    /// or the operator, replace its template with your own DOCX (--replace),
    /// go back to the built-in one (--reset), or write the template (--blank).
    Document(DocumentArgs),
    /// Print the served GraphQL schema (SDL); needs no registry.
    Schema,
    /// Copy a whole log to another database (SQLite to PostgreSQL or back):
    /// events with their positions, ids and times, the commands, the vault
    /// (erased stays erased), and the library's files its events name (from the
    /// files/ directory beside an SQLite file or PostgreSQL's table, checked by
    /// hash). Resumes an interrupted copy; verifies both logs by count and
    /// digest and every file by hash at the end. Ignores --data-dir and
    /// --database-url.
    Copy(CopyArgs),
    /// Move a registry in from spreadsheets (XLSX or CSV, see docs/import.md):
    /// every row decided by the charter; nothing written while any row is bad
    /// (--skip-invalid writes the good ones); bad rows go to a report file.
    /// A second run writes nothing; an interrupted one continues. Prints one
    /// JSON line with the counts and the time.
    Import(ImportArgs),
    /// Write the registry as of a date in the import format (needs a --token
    /// over the whole union that reads members: every person is a recorded read).
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Write empty templates with one example row into this directory instead.
    #[arg(long)]
    pub template: Option<PathBuf>,
    /// The organisations' table.
    #[arg(long)]
    pub org_file: Option<PathBuf>,
    /// A members' table (may repeat).
    #[arg(long)]
    pub member_file: Vec<PathBuf>,
    /// Other spellings of headings: `spelling = Heading` per line.
    #[arg(long)]
    pub mapping: Option<PathBuf>,
    /// Only check: write nothing, report every bad row.
    #[arg(long)]
    pub check: bool,
    /// Write the good rows and report the bad ones.
    #[arg(long)]
    pub skip_invalid: bool,
    /// The report of bad rows (CSV, or XLSX by extension).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Events per append.
    #[arg(long, default_value_t = app::import::BATCH_EVENTS)]
    pub batch_events: usize,
    /// Append every row on its own, one commit each (to compare with batches).
    #[arg(long)]
    pub one_by_one: bool,
    /// Batches through ordinary appends (with idempotency lookups) instead of
    /// the log's bulk path (to compare with it).
    #[arg(long)]
    pub appends: bool,
    /// Act as this token's holder (a root ADMIN) instead of the operator.
    #[arg(long, env = "REESTR_TOKEN")]
    pub token: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The directory to write организации.csv and члены.csv (or .xlsx) into.
    #[arg(long)]
    pub dir: PathBuf,
    /// The registry as of this day (YYYY-MM-DD; default today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// csv or xlsx.
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// The holder who reads the members (a root ADMIN or AUDITOR).
    #[arg(long, env = "REESTR_TOKEN")]
    pub token: Option<String>,
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
    /// The report: `builder` (the `report` query), `statistical` (the
    /// `statisticalReport` query) or `members` (a member list).
    #[arg(long, default_value = "builder")]
    pub kind: String,
    /// The report's query arguments as JSON, named as the schema names them,
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

#[derive(Debug, Args)]
pub struct DocumentArgs {
    /// The template's id.
    pub template: String,
    /// What to fill it for, as JSON: '{"memberId": "…"}', for the card
    /// register '{"orgId": "…"}', for the extract also "minutesNumber" and
    /// "minutesDate".
    #[arg(long)]
    pub input: Option<String>,
    /// docx or pdf.
    #[arg(long, default_value = "pdf")]
    pub format: String,
    /// The file to write (the document, or the template with --blank).
    #[arg(short = 'o', long)]
    pub output: Option<std::path::PathBuf>,
    /// Replace the template with this DOCX.
    #[arg(long, conflicts_with_all = ["reset", "blank", "input"])]
    pub replace: Option<std::path::PathBuf>,
    /// Go back to the built-in template.
    #[arg(long, conflicts_with_all = ["blank", "input"])]
    pub reset: bool,
    /// Write the template itself (with its placeholders) to --output.
    #[arg(long, conflicts_with = "input")]
    pub blank: bool,
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
    ConveneMeeting,
    RecordAttendance,
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
    /// Requests a minute one token's holder may send, sustained (0: no limit;
    /// past it RATE_LIMITED).
    #[arg(long, default_value_t = app::RequestLimitConfig::default().holder.per_minute)]
    pub holder_requests_per_minute: u32,
    /// Requests one holder may send in a quick burst.
    #[arg(long, default_value_t = app::RequestLimitConfig::default().holder.burst)]
    pub holder_request_burst: u32,
    /// Requests of one holder in flight at once; eight times as many more wait
    /// for a place, and past those RATE_LIMITED (0: no limit).
    #[arg(long, default_value_t = app::RequestLimitConfig::default().holder.concurrent)]
    pub holder_concurrent_requests: u32,
    /// Requests a minute one network address may send, with any tokens or
    /// none (0: no limit).
    #[arg(long, default_value_t = app::RequestLimitConfig::default().address.per_minute)]
    pub address_requests_per_minute: u32,
    /// Requests one address may send in a quick burst.
    #[arg(long, default_value_t = app::RequestLimitConfig::default().address.burst)]
    pub address_request_burst: u32,
    /// Requests of one address in flight at once, eight times as many more
    /// waiting (0: no limit).
    #[arg(long, default_value_t = app::RequestLimitConfig::default().address.concurrent)]
    pub address_concurrent_requests: u32,
    /// No per-holder or per-address limit at all, whatever the flags above
    /// say: for load benchmarks, whose many clients share one token.
    #[arg(long)]
    pub no_request_limits: bool,
    /// Keep no snapshot of the read models (DATA_DIR/snapshots): every start
    /// folds the whole log, as a rebuild does.
    #[arg(long)]
    pub no_snapshots: bool,
    #[command(flatten)]
    pub mail: crate::mail::MailArgs,
}

impl ServeArgs {
    /// The limits of every request, per holder and per address, as the flags say.
    pub fn request_limits(&self) -> app::RequestLimitConfig {
        if self.no_request_limits {
            return app::RequestLimitConfig::UNLIMITED;
        }
        app::RequestLimitConfig {
            holder: app::request_limits::ClientLimit {
                per_minute: self.holder_requests_per_minute,
                burst: self.holder_request_burst,
                concurrent: self.holder_concurrent_requests,
            },
            address: app::request_limits::ClientLimit {
                per_minute: self.address_requests_per_minute,
                burst: self.address_request_burst,
                concurrent: self.address_concurrent_requests,
            },
        }
    }
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
    /// Fold the read models, then time the report builder (whole union by two
    /// dimensions, one territorial subtree), the statistical report and a
    /// report file through the application layer.
    Reports(BenchReportsArgs),
    /// Load a running server's GraphQL API from concurrent clients (member
    /// lookups, statistics or admissions); prints the rate and latency.
    Api(BenchApiArgs),
    /// Time each web page of a running server (its Server-Timing), signed
    /// in with a root ADMIN token; prints the median and slowest per page.
    Pages(BenchPagesArgs),
    /// Start `reestr serve` on this log and time it until it listens and
    /// until /health is 200 (the read models folded), with its memory then;
    /// stop it with SIGTERM. Prints one JSON line a start.
    Restart(BenchRestartArgs),
}

#[derive(Debug, Args)]
pub struct BenchRestartArgs {
    /// Starts to time.
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    /// Seconds a start may take before the bench gives up.
    #[arg(long, default_value_t = 1800)]
    pub timeout: u64,
    /// Alternate starts with and without the read models' snapshot (odd runs
    /// `--no-snapshots`, folding the whole log; even runs from the snapshot
    /// the stop before wrote), side by side in one run.
    #[arg(long)]
    pub alternate_snapshots: bool,
}

#[derive(Debug, Args)]
pub struct BenchPagesArgs {
    /// The server's address.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub url: String,
    /// A root ADMIN token (as `reestr generate` or `demo` print).
    #[arg(long, env = "REESTR_TOKEN")]
    pub token: String,
    /// Times each page is asked.
    #[arg(long, default_value_t = 21)]
    pub repeat: usize,
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
    /// `statistics` of the whole union with its breakdown by region (the
    /// whole union's dashboard figures).
    UnionStatistics,
    /// `movement` of the whole union over the year up to today.
    UnionMovement,
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
pub struct BenchReportsArgs {
    /// The report date (a past date).
    #[arg(long, default_value = "2024-01-01")]
    pub as_of: chrono::NaiveDate,
    /// Times each report runs; the median and the slowest are printed.
    #[arg(long, default_value_t = 11)]
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
