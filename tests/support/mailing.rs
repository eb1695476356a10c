//! A real SMTP server for the mailing tests: `tests/tools/smtp_sink.py`
//! (aiosmtpd) on a free port, each message one file; and the messages read back.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::Server;

/// `python3` when it has aiosmtpd; `None` with a warning, or a panic under CI.
pub fn mail_server() -> Option<String> {
    let has = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if has {
        return Some("python3".into());
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "python3 with aiosmtpd is missing, and CI must run this test (.ci/run installs it)"
    );
    eprintln!(
        "warning: python3 with aiosmtpd is missing (pip install aiosmtpd); skipping this test"
    );
    None
}

/// The SMTP server, killed when dropped.
pub struct Sink {
    python: String,
    port: u16,
    /// `127.0.0.1:PORT`.
    pub address: String,
    /// Where messages are stored.
    pub dir: PathBuf,
    child: Option<Child>,
    /// Counting only, storing nothing.
    counting: bool,
}

impl Sink {
    /// Starts it on a free port, storing into `base/mail`.
    pub fn start(python: &str, base: &Path) -> Sink {
        Sink::started(python, base, false)
    }

    /// Starts one that only counts (its count in `base/mail/count`, each second).
    pub fn start_counting(python: &str, base: &Path) -> Sink {
        Sink::started(python, base, true)
    }

    /// Messages counted so far by a counting sink (as of its last second).
    pub fn count(&self) -> u64 {
        std::fs::read_to_string(self.dir.join("count"))
            .ok()
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or(0)
    }

    fn started(python: &str, base: &Path, counting: bool) -> Sink {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = base.join("mail");
        std::fs::create_dir_all(&dir).unwrap();
        let mut sink = Sink {
            python: python.to_string(),
            port,
            address: format!("127.0.0.1:{port}"),
            dir,
            child: None,
            counting,
        };
        sink.restart();
        sink
    }

    /// Starts it again (on the same port, into the same directory).
    pub fn restart(&mut self) {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/smtp_sink.py");
        let mut child = Command::new(&self.python)
            .arg(script)
            .args(["--port", &self.port.to_string(), "--dir"])
            .arg(&self.dir)
            .args(self.counting.then_some("--count-only"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "the SMTP server did not start");
        self.child = Some(child);
    }

    /// Kills it (SIGKILL).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Forgets every message received so far.
    pub fn clear(&self) {
        for entry in std::fs::read_dir(&self.dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "eml") {
                std::fs::remove_file(path).unwrap();
            }
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.kill();
    }
}

/// One message as received.
#[derive(Clone, Debug)]
pub struct Received {
    /// The envelope's recipient.
    pub to: String,
    /// `Message-ID`.
    pub message_id: String,
    /// `Subject`, decoded.
    pub subject: String,
    /// The address in `List-Unsubscribe`, if any.
    pub unsubscribe: Option<String>,
}

/// Every message stored in `dir`.
pub fn messages(dir: &Path) -> Vec<Received> {
    let mut all = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).unwrap();
        let parsed = mailparse::parse_mail(&raw).unwrap();
        let header = |name: &str| {
            parsed
                .headers
                .iter()
                .find(|h| h.get_key().eq_ignore_ascii_case(name))
                .map(|h| h.get_value())
        };
        all.push(Received {
            to: header("X-Envelope-To").unwrap(),
            message_id: header("Message-ID").unwrap_or_default(),
            subject: header("Subject").unwrap_or_default(),
            unsubscribe: header("List-Unsubscribe").map(|v| {
                v.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            }),
        });
    }
    all
}

/// `scheduleMailing`, answering its id and status.
pub const SCHEDULE: &str = "mutation($input: ScheduleMailingInput!) {
  scheduleMailing(input: $input) { id status }
}";
pub const MAILINGS: &str = "query($org: ID) {
  mailings(orgId: $org) { id status recipients queued sent failed skipped }
}";

/// The mailing `id` with its progress, as the root ADMIN `admin` sees it.
pub async fn mailing(server: &Server, admin: &str, id: &str) -> Value {
    let data = server
        .ok(MAILINGS, json!({ "org": null }), Some(admin))
        .await;
    data["mailings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .cloned()
        .unwrap()
}

/// Waits until `done` holds, at most `within`.
pub async fn until(within: Duration, what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `serve` with the SMTP server `sink`, the mail key file `key`, `rate`
/// messages a second and batches of 25.
pub fn serve_args<'a>(sink: &'a Sink, key: &'a str, rate: &'a str) -> Vec<&'a str> {
    vec![
        "serve",
        "--smtp",
        &sink.address,
        "--mail-key-file",
        key,
        "--mail-rate",
        rate,
        "--mail-batch",
        "25",
    ]
}

/// The plain-text bodies of the messages to `to` whose subject is `subject`,
/// oldest first.
pub fn bodies(dir: &Path, to: &str, subject: &str) -> Vec<String> {
    let mut found = vec![];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).unwrap();
        let mail = mailparse::parse_mail(&raw).unwrap();
        let header = |name: &str| {
            mail.headers
                .iter()
                .find(|h| h.get_key().eq_ignore_ascii_case(name))
                .map(|h| h.get_value())
        };
        if header("X-Envelope-To").as_deref() != Some(to)
            || header("Subject").as_deref() != Some(subject)
        {
            continue;
        }
        let text = mail
            .subparts
            .first()
            .map_or_else(|| mail.get_body(), |p| p.get_body())
            .unwrap();
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        found.push((modified, text));
    }
    found.sort();
    found.into_iter().map(|(_, text)| text).collect()
}

/// The cabinet's sign-in codes sent to `to`, oldest first.
pub fn cabinet_codes(dir: &Path, to: &str) -> Vec<String> {
    bodies(dir, to, "Код входа в личный кабинет")
        .iter()
        .filter_map(|text| {
            let digits: Vec<char> = text.chars().collect();
            digits.windows(6).enumerate().find_map(|(i, w)| {
                let boundary = |j: Option<&char>| j.is_none_or(|c| !c.is_ascii_digit());
                (w.iter().all(char::is_ascii_digit)
                    && boundary(i.checked_sub(1).and_then(|k| digits.get(k)))
                    && boundary(digits.get(i + 6)))
                .then(|| w.iter().collect())
            })
        })
        .collect()
}
