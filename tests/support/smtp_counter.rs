//! A real SMTP server in Rust that only counts the messages it accepts, for
//! the throughput benchmark: the Python sink (aiosmtpd) spends more of the
//! two cores per message than the sender does, so a rate measured through it
//! is partly the sink's. One thread per connection, blocking sockets; it
//! speaks what lettre says (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
//! and answers pipelined commands in order.

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// The server, stopped when dropped.
pub struct SmtpCounter {
    /// `127.0.0.1:PORT`.
    pub address: String,
    count: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl SmtpCounter {
    /// Listens on a free port of 127.0.0.1.
    pub fn start() -> SmtpCounter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let count = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (counted, stopped) = (count.clone(), stop.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if stopped.load(Ordering::Relaxed) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let counted = counted.clone();
                std::thread::spawn(move || {
                    let _ = session(stream, &counted);
                });
            }
        });
        SmtpCounter {
            address,
            count,
            stop,
        }
    }

    /// Messages accepted so far (each counted before its `250` is sent).
    pub fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }
}

impl Drop for SmtpCounter {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // Wakes the accepting thread so it sees the flag.
        let _ = TcpStream::connect(&self.address);
    }
}

/// Where a session's transaction is (RFC 5321 §3.3).
#[derive(PartialEq)]
enum State {
    Greeted,
    Mail,
    Rcpt,
}

fn session(stream: TcpStream, count: &AtomicU64) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = BufWriter::new(stream);
    writer.write_all(b"220 127.0.0.1 ESMTP smtp_counter\r\n")?;
    writer.flush()?;
    let mut state: Option<State> = None;
    let mut line = Vec::with_capacity(1024);
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        let verb: String = line
            .iter()
            .take_while(|b| b.is_ascii_alphabetic())
            .map(|b| b.to_ascii_uppercase() as char)
            .collect();
        let reply: &[u8] = match (verb.as_str(), &state) {
            ("EHLO", _) => {
                state = Some(State::Greeted);
                b"250-127.0.0.1\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250-PIPELINING\r\n250 OK\r\n"
            }
            ("HELO", _) | ("RSET", Some(_)) => {
                state = Some(State::Greeted);
                b"250 OK\r\n"
            }
            ("NOOP", _) => b"250 OK\r\n",
            ("QUIT", _) => {
                writer.write_all(b"221 Bye\r\n")?;
                return writer.flush();
            }
            ("MAIL", Some(State::Greeted)) => {
                state = Some(State::Mail);
                b"250 OK\r\n"
            }
            ("RCPT", Some(State::Mail | State::Rcpt)) => {
                state = Some(State::Rcpt);
                b"250 OK\r\n"
            }
            ("DATA", Some(State::Rcpt)) => {
                writer.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")?;
                writer.flush()?;
                loop {
                    line.clear();
                    if reader.read_until(b'\n', &mut line)? == 0 {
                        return Ok(());
                    }
                    if line == b".\r\n" || line == b".\n" {
                        break;
                    }
                }
                count.fetch_add(1, Ordering::Relaxed);
                state = Some(State::Greeted);
                b"250 OK\r\n"
            }
            ("MAIL" | "RCPT" | "DATA" | "RSET", _) => b"503 Bad sequence of commands\r\n",
            _ => b"500 Command not recognized\r\n",
        };
        writer.write_all(reply)?;
        // Pipelined commands already read are answered together.
        if reader.buffer().is_empty() {
            writer.flush()?;
        }
    }
}
