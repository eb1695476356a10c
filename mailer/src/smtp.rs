//! The SMTP connections the sender keeps open.
//!
//! A message takes an idle connection (or opens one, up to the limit) and
//! gives it back the moment the server has answered. lettre's own pool hands
//! a connection back from a spawned task and sends a NOOP before each reuse:
//! at a campaign's pace the next message found the pool empty, opened another
//! connection and the pool closed the spare again, so most messages paid a
//! TCP handshake, a greeting and an EHLO (BENCHMARKS.md, "Mailings").
//! A kept connection must not wait on Nagle's algorithm: lettre writes the
//! message's end in a write of its own, which the kernel held until the
//! server's delayed acknowledgement, 40 ms a message.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use lettre::Message;
use lettre::transport::smtp::client::AsyncSmtpConnection;
use lettre::transport::smtp::extension::ClientId;
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// Why a message did not go.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The server refused it for good (5xx): record it as failed.
    #[error("{0}")]
    Permanent(String),
    /// The server refused it for now (4xx): try again a few times.
    #[error("{0}")]
    Transient(String),
    /// The server could not be reached or talked to: the message is not the
    /// cause, so it waits for the server.
    #[error("{0}")]
    Unavailable(String),
}

impl From<lettre::transport::smtp::Error> for Failure {
    fn from(error: lettre::transport::smtp::Error) -> Failure {
        if error.is_permanent() {
            Failure::Permanent(error.to_string())
        } else if error.is_transient() {
            Failure::Transient(error.to_string())
        } else {
            Failure::Unavailable(error.to_string())
        }
    }
}

/// Open connections to one SMTP server, at most `limit` at once.
pub struct Connections {
    host: String,
    port: u16,
    timeout: Duration,
    hello: ClientId,
    idle: Mutex<Vec<AsyncSmtpConnection>>,
    permits: Semaphore,
}

impl Connections {
    /// Connections to `host:port`, at most `limit` (at least one).
    pub fn new(host: &str, port: u16, limit: u32, timeout: Duration) -> Connections {
        let limit = usize::try_from(limit.max(1)).unwrap_or(1);
        Connections {
            host: host.to_string(),
            port,
            timeout,
            hello: ClientId::default(),
            idle: Mutex::new(Vec::with_capacity(limit)),
            permits: Semaphore::new(limit),
        }
    }

    /// Sends `message` over an idle connection or a new one, within the
    /// timeout. A connection the exchange broke is dropped; when the server
    /// could not be reached or talked to, the idle ones are dropped too (a
    /// restarted server closed them all).
    ///
    /// # Errors
    /// See [`Failure`].
    pub async fn send(&self, message: &Message) -> Result<(), Failure> {
        // The semaphore is never closed: without a permit, send anyway.
        let _permit = self.permits.acquire().await.ok();
        let sent = match tokio::time::timeout(self.timeout, self.exchange(message)).await {
            Ok(sent) => sent,
            Err(_) => Err(Failure::Unavailable(format!(
                "no answer from the SMTP server in {} s",
                self.timeout.as_secs()
            ))),
        };
        if let Err(Failure::Unavailable(_)) = &sent {
            let stale: Vec<_> = self.idle().drain(..).collect();
            for mut connection in stale {
                connection.abort().await;
            }
        }
        sent
    }

    /// One message over one connection; the connection is kept unless the
    /// exchange broke it (one cut by the timeout is dropped with its future).
    async fn exchange(&self, message: &Message) -> Result<(), Failure> {
        let idle = self.idle().pop();
        let mut connection = match idle {
            Some(connection) => connection,
            None => self.connect().await?,
        };
        let sent = connection
            .send(message.envelope(), &message.formatted())
            .await;
        if connection.has_broken() {
            connection.abort().await;
        } else {
            self.idle().push(connection);
        }
        sent.map(|_| ()).map_err(Failure::from)
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, Failure> {
        let unavailable =
            |e: std::io::Error| Failure::Unavailable(format!("{}:{}: {e}", self.host, self.port));
        let stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(unavailable)?;
        stream.set_nodelay(true).map_err(unavailable)?;
        Ok(AsyncSmtpConnection::connect_with_transport(Box::new(stream), &self.hello).await?)
    }

    fn idle(&self) -> std::sync::MutexGuard<'_, Vec<AsyncSmtpConnection>> {
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::{Connections, Failure};

    fn message() -> lettre::Message {
        lettre::Message::builder()
            .from("Профсоюз <noreply@reestr.invalid>".parse().unwrap())
            .to("member@example.org".parse().unwrap())
            .subject("Проверка")
            .body(String::from("Текст"))
            .unwrap()
    }

    /// A server that greets and then answers every command with `reply`
    /// (`None`: greets and never says anything more).
    async fn server(reply: Option<&'static str>) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let _ = write.write_all(b"220 test ESMTP\r\n").await;
                    let mut lines = BufReader::new(read).lines();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let Some(reply) = reply else { continue };
                        let answer = if line.starts_with("EHLO") {
                            "250 test"
                        } else if line.starts_with("MAIL") {
                            "250 ok"
                        } else {
                            reply
                        };
                        let _ = write.write_all(format!("{answer}\r\n").as_bytes()).await;
                    }
                });
            }
        });
        port
    }

    #[tokio::test]
    async fn a_server_that_stops_answering_is_unavailable_within_the_timeout() {
        let port = server(None).await;
        let connections = Connections::new("127.0.0.1", port, 2, Duration::from_millis(300));
        let started = Instant::now();
        let sent = connections.send(&message()).await;
        assert!(matches!(sent, Err(Failure::Unavailable(_))), "{sent:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(connections.idle().is_empty(), "no silent connection kept");
    }

    #[tokio::test]
    async fn a_refused_recipient_is_permanent_or_transient_by_the_servers_code() {
        let port = server(Some("550 no such mailbox")).await;
        let connections = Connections::new("127.0.0.1", port, 2, Duration::from_secs(5));
        let sent = connections.send(&message()).await;
        assert!(
            matches!(&sent, Err(Failure::Permanent(m)) if m.contains("no such mailbox")),
            "{sent:?}"
        );
        let port = server(Some("451 try later")).await;
        let connections = Connections::new("127.0.0.1", port, 2, Duration::from_secs(5));
        let sent = connections.send(&message()).await;
        assert!(matches!(sent, Err(Failure::Transient(_))), "{sent:?}");
    }

    #[tokio::test]
    async fn no_server_is_unavailable() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().port()
        };
        let connections = Connections::new("127.0.0.1", port, 1, Duration::from_secs(5));
        let sent = connections.send(&message()).await;
        assert!(matches!(sent, Err(Failure::Unavailable(_))), "{sent:?}");
    }
}
