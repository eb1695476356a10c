//! `reestr serve`'s mailing options: the SMTP server, the sender's address
//! and pace, and the key unsubscribe links are signed with.

use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use app::App;
use clap::Args;

#[derive(Debug, Args)]
pub struct MailArgs {
    /// The SMTP server mailings go to, HOST:PORT (plain SMTP: a local relay);
    /// without it nothing is sent. With several nodes on one database, one
    /// sends at a time and another takes over when it stops.
    #[arg(long, env = "REESTR_SMTP")]
    pub smtp: Option<String>,
    /// The From of every message.
    #[arg(
        long,
        env = "REESTR_MAIL_FROM",
        default_value = "Профсоюз <noreply@reestr.invalid>"
    )]
    pub mail_from: String,
    /// The address members reach the pages at, for unsubscribe links
    /// (default: the address this server listens on).
    #[arg(long, env = "REESTR_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Messages per second at most.
    #[arg(long, default_value_t = 2_500)]
    pub mail_rate: u32,
    /// SMTP connections at once.
    #[arg(long, default_value_t = 8)]
    pub mail_connections: u32,
    /// Messages sent before their outcomes are recorded (at most this many
    /// are sent again after a crash).
    #[arg(long, default_value_t = 256)]
    pub mail_batch: usize,
    /// The file of the key unsubscribe links are signed with (32 bytes,
    /// created 0600 when missing); every node needs the same file. Needed
    /// with --smtp.
    #[arg(long, env = "REESTR_MAIL_KEY_FILE")]
    pub mail_key_file: Option<PathBuf>,
    /// How long a member's one-time code to the cabinet signs in, in seconds.
    #[arg(long, default_value_t = 600)]
    pub cabinet_code_seconds: u64,
    /// The hour (local time) each day's digest of new applications goes to
    /// the chairs who chose one, the next morning.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(0..24))]
    pub digest_hour: u32,
}

/// Reads (or creates) the mail key, then starts the sender when --smtp is
/// given: its task, to be stopped before the log closes (it holds the
/// sender's turn, on PostgreSQL a connection the log waits for at close).
///
/// # Errors
/// A key file that cannot be read or made, a bad --smtp or --mail-from.
pub fn start(
    app: &mut App,
    args: &MailArgs,
    listening: std::net::SocketAddr,
) -> anyhow::Result<Option<tokio::task::JoinHandle<()>>> {
    app.set_cabinet_code_lifetime(std::time::Duration::from_secs(
        args.cabinet_code_seconds.max(1),
    ));
    app.set_digest_hour(args.digest_hour);
    if let Some(path) = &args.mail_key_file {
        app.set_mail_key(key(path)?);
    } else if args.smtp.is_some() {
        bail!(
            "--smtp needs --mail-key-file: unsubscribe links must stay valid across restarts and nodes"
        );
    }
    let Some(smtp) = &args.smtp else {
        return Ok(None);
    };
    let (host, port) = smtp
        .rsplit_once(':')
        .and_then(|(h, p)| Some((h.to_string(), p.parse().ok()?)))
        .with_context(|| format!("--smtp {smtp:?} is not HOST:PORT"))?;
    let mut options = mailer::MailerOptions::new(host, port);
    options.from = args.mail_from.clone();
    options.public_url = args
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{listening}"));
    options.rate = args.mail_rate;
    options.connections = args.mail_connections;
    options.batch = args.mail_batch.max(1);
    let sender = mailer::run(app.clone(), options).map_err(anyhow::Error::msg)?;
    eprintln!("Mailings go to smtp://{smtp}");
    Ok(Some(sender))
}

fn key(path: &Path) -> anyhow::Result<[u8; 32]> {
    match std::fs::read(path) {
        Ok(bytes) => bytes
            .try_into()
            .map_err(|_| anyhow::anyhow!("{} is not a 32-byte mail key", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key: [u8; 32] = rand::random();
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("creating {}", path.display()))?;
            file.write_all(&key)?;
            file.sync_all()?;
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}
