//! What the end-to-end tests share: a registry made with `reestr init` in a
//! temporary directory, a `reestr serve` child on a free port spoken to over
//! HTTP and WebSocket like any client would, and small helpers for the API.
//!
//! Each test file includes it with `mod support;` and uses a part of it.
#![allow(dead_code)]

mod fixtures;
pub mod mailing;
pub mod matrix;
pub mod pages;
pub mod smtp_counter;
pub mod tools;

pub use fixtures::*;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Longest a server may take to start and catch up on a freshly initialised log.
pub const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A client of one server's `/graphql`; cheap to clone into tasks.
#[derive(Clone)]
pub struct Api {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    client: reqwest::Client,
}

impl Api {
    /// POSTs `query` with `variables`, with `token` as the bearer if any; the
    /// whole answer (`data` and `errors`).
    pub async fn graphql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.url))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("the server answers");
        assert_eq!(response.status(), StatusCode::OK, "{query}");
        response.json().await.unwrap()
    }

    /// The `data` of a request that must succeed without any error.
    pub async fn ok(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let response = self.graphql(query, variables, token).await;
        assert!(response["errors"].is_null(), "{query}\nfailed: {response}");
        response["data"].clone()
    }
}

/// A `reestr serve` child on a free port of 127.0.0.1; killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`, as the server printed it.
    pub url: String,
    api: Api,
    /// Kept open so the server's later lines have somewhere to go.
    _stdout: BufReader<ChildStdout>,
}

impl Server {
    /// Starts `reestr serve --listen 127.0.0.1:0` on `data_dir` and waits until
    /// `/health` answers 200.
    pub async fn start(data_dir: &Path) -> Server {
        let (server, _) = Server::run(data_dir, &["serve"], "GraphQL and GraphiQL").await;
        server
    }

    /// Runs `reestr <command> --listen 127.0.0.1:0` on `data_dir`, reads its
    /// output up to the line starting with `last`, and waits until `/health`
    /// answers 200; returns the lines read.
    pub async fn run(data_dir: &Path, command: &[&str], last: &str) -> (Server, Vec<String>) {
        Server::spawn(reestr(data_dir).args(command), last).await
    }

    /// As [`Server::run`], with environment variables set (e.g. `TZ`, the
    /// registry's calendar).
    pub async fn run_with_env(
        data_dir: &Path,
        command: &[&str],
        last: &str,
        env: &[(&str, &str)],
    ) -> (Server, Vec<String>) {
        let mut child = reestr(data_dir);
        child.args(command).envs(env.iter().copied());
        Server::spawn(&mut child, last).await
    }

    /// Starts `reestr --database-url <url> serve` (a log in PostgreSQL, shared
    /// with any other server on `url`) and waits until `/health` answers 200.
    pub async fn on_database(url: &str) -> Server {
        let mut command = reestr(Path::new("/nonexistent"));
        command.args(["--database-url", url, "serve"]);
        Server::spawn(&mut command, "GraphQL and GraphiQL").await.0
    }

    /// [`Server::on_database`] for a node with a data directory of its own,
    /// where it keeps its snapshot of the read models.
    pub async fn on_database_in(url: &str, data_dir: &Path) -> Server {
        let mut command = reestr(data_dir);
        command.args(["--database-url", url, "serve"]);
        Server::spawn(&mut command, "GraphQL and GraphiQL").await.0
    }

    /// Starts `reestr serve` on `data_dir` and returns once it listens,
    /// without waiting for `/health` (for a server that will not be healthy).
    pub async fn start_listening(data_dir: &Path) -> Server {
        Server::spawn_listening(reestr(data_dir).arg("serve"), "GraphQL and GraphiQL")
            .await
            .0
    }

    /// `GET /health`: its status code and body.
    pub async fn health(&self) -> (StatusCode, Value) {
        let health = reqwest::get(format!("{}/health", self.url)).await.unwrap();
        let status = health.status();
        (status, health.json().await.unwrap())
    }

    async fn spawn(command: &mut Command, last: &str) -> (Server, Vec<String>) {
        let (server, lines) = Server::spawn_listening(command, last).await;
        server.wait_until_healthy().await;
        (server, lines)
    }

    async fn spawn_listening(command: &mut Command, last: &str) -> (Server, Vec<String>) {
        let mut child = command
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the reestr binary starts");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let read = stdout.read_line(&mut line).unwrap();
            assert!(read > 0, "the output ended early: {lines:?}");
            let line = line.trim_end().to_string();
            let done = line.starts_with(last);
            lines.push(line);
            if done {
                break;
            }
        }
        let url = lines
            .iter()
            .find_map(|line| line.strip_prefix("Listening on "))
            .unwrap_or_else(|| panic!("no address printed: {lines:?}"))
            .to_string();
        let api = Api {
            url: url.clone(),
            client: reqwest::Client::new(),
        };
        let server = Server {
            child,
            url,
            api,
            _stdout: stdout,
        };
        (server, lines)
    }

    /// Waits until `/health` answers 200 with no lag.
    pub async fn wait_until_healthy(&self) {
        let started = Instant::now();
        loop {
            let health = reqwest::get(format!("{}/health", self.url)).await;
            if let Ok(health) = health
                && health.status() == StatusCode::OK
            {
                let body: Value = health.json().await.unwrap();
                assert_eq!(body["lag"], 0, "{body}");
                return;
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "/health did not answer 200 within {START_TIMEOUT:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A client of this server, to clone into tasks.
    pub fn api(&self) -> Api {
        self.api.clone()
    }

    /// POSTs `query` with `variables`, with `token` as the bearer if any.
    pub async fn graphql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        self.api.graphql(query, variables, token).await
    }

    /// The `data` of a request that must succeed without any error.
    pub async fn ok(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        self.api.ok(query, variables, token).await
    }

    /// The log head as the root ADMIN `admin` sees it: the number of events.
    pub async fn head(&self, admin: &str) -> i64 {
        let data = self
            .ok(
                "{ events(first: 0) { totalCount } }",
                json!({}),
                Some(admin),
            )
            .await;
        data["events"]["totalCount"].as_i64().unwrap()
    }

    /// The first error of a request that must fail, checking (through the
    /// root ADMIN `admin`) that it appended nothing to the log.
    pub async fn refused(
        &self,
        query: &str,
        variables: Value,
        token: Option<&str>,
        admin: &str,
    ) -> Value {
        let before = self.head(admin).await;
        let response = self.graphql(query, variables, token).await;
        assert!(
            !response["errors"][0].is_null(),
            "{query}\nwas not refused: {response}"
        );
        assert_eq!(
            self.head(admin).await,
            before,
            "a refused request wrote to the log: {response}"
        );
        response["errors"][0].clone()
    }

    /// `ws://…/graphql/ws`.
    pub fn ws_url(&self) -> String {
        format!("{}/graphql/ws", self.url.replacen("http://", "ws://", 1))
    }

    /// Sends SIGTERM and waits (at most `within`) for the process to exit.
    pub fn terminate(mut self, within: Duration) -> ExitStatus {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                started.elapsed() < within,
                "still running {within:?} after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `reestr` binary on `data_dir`, with no configuration from the environment.
pub fn reestr(data_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_reestr"));
    command
        .arg("--data-dir")
        .arg(data_dir)
        .env_remove("RUST_BACKTRACE")
        .env_remove("REESTR_DATABASE_URL")
        .env_remove("REESTR_KEY_FILE")
        .env_remove("REESTR_LISTEN");
    command
}

/// The standard output of a command that must have succeeded.
pub fn stdout(output: Output) -> String {
    assert!(
        output.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A new registry in a temporary directory: its CENTRAL organisation's id and
/// the root ADMIN's token.
pub fn init() -> (TempDir, String, String) {
    let dir = TempDir::new().unwrap();
    let out = stdout(reestr(dir.path()).arg("init").output().unwrap());
    let central = out.lines().next().unwrap().rsplit(' ').next().unwrap();
    let token = out.lines().last().unwrap();
    (dir, central.to_string(), token.to_string())
}

/// A new registry (as [`init`]) with its server started without the
/// per-holder and per-address request limits: for a test that, as one client,
/// sends as many requests as a whole office would.
pub async fn started_unlimited() -> (TempDir, Server, String, String) {
    let (dir, central, token) = init();
    let (server, _) = Server::run(
        dir.path(),
        &["serve", "--no-request-limits"],
        "GraphQL and GraphiQL",
    )
    .await;
    (dir, server, central, token)
}

/// A new registry (as [`init`]) with its server started.
pub async fn started() -> (TempDir, Server, String, String) {
    let (dir, central, token) = init();
    let server = Server::start(dir.path()).await;
    (dir, server, central, token)
}

/// `extensions.code` of the first error of a response.
pub fn error_code(response: &Value) -> &Value {
    &response["errors"][0]["extensions"]["code"]
}

/// Asserts that `error` (one element of `errors`) has `code` and, for a
/// charter rule, `extensions.rule` = `rule`.
#[track_caller]
pub fn assert_refusal(error: &Value, code: &str, rule: Option<&str>) {
    assert_eq!(error["extensions"]["code"], code, "{error}");
    if let Some(rule) = rule {
        assert_eq!(error["extensions"]["rule"], rule, "{error}");
    }
}

/// A graphql-transport-ws connection.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Opens a graphql-transport-ws connection as `token`'s holder (anonymous
/// without) and subscribes with `query` and `variables` as operation "1".
pub async fn subscribe(
    server: &Server,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> Socket {
    let mut request = server.ws_url().into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let payload = match token {
        Some(token) => json!({ "Authorization": format!("Bearer {token}") }),
        None => json!({}),
    };
    let init = json!({ "type": "connection_init", "payload": payload });
    socket.send(Message::text(init.to_string())).await.unwrap();
    assert_eq!(next_message(&mut socket).await["type"], "connection_ack");
    let subscribe = json!({
        "id": "1",
        "type": "subscribe",
        "payload": { "query": query, "variables": variables },
    });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    socket
}

/// The next text message of the graphql-transport-ws conversation, as JSON
/// (pings are answered by the library, not seen here).
pub async fn next_message<S>(socket: &mut S) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match socket.next().await {
            Some(Ok(Message::Text(text))) => return serde_json::from_str(&text).unwrap(),
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
            other => panic!("the socket closed or failed: {other:?}"),
        }
    }
}

/// The next message within `within`, or `None` when none came.
pub async fn message_within(socket: &mut Socket, within: Duration) -> Option<Value> {
    tokio::time::timeout(within, next_message(socket))
        .await
        .ok()
}
