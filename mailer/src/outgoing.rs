//! Where messages leave from: a thread of its own, at a lower priority.
//!
//! Building a message (MIME, both bodies encoded) and the SMTP exchange are
//! most of a campaign's CPU. On the API's worker threads they took turns
//! with the API's requests; on this thread, niced below the rest of the
//! process, the kernel runs the API first whenever both want a core, so a
//! campaign takes what the API leaves (BENCHMARKS.md, "Mailings"). The
//! sender's decisions and every read and write of the log stay on the
//! server's runtime: the log's connections belong to that runtime's reactor.

use std::sync::Arc;
use std::time::Duration;

use domain::mailing::Outcome;
use governor::DefaultDirectRateLimiter;
use lettre::message::Mailbox;
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use crate::render::Content;
use crate::smtp::{Connections, Failure};

/// Attempts of a message the server refuses for now (4xx) before it is
/// recorded as failed; a server that cannot be reached is waited for instead.
const TRANSIENT_ATTEMPTS: u32 = 5;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How far below the process's priority the sending thread runs (nice
/// steps: each is ~1.25x less CPU when both want it; 10 is ~1/10).
const NICER_BY: i32 = 10;

/// One message to send: to whom, what, with which `Message-ID`.
pub(crate) struct Letter {
    pub content: Arc<Content>,
    pub email: String,
    pub name: Option<String>,
    pub message_id: String,
    /// The member's unsubscribe link, for the footer and the header.
    pub unsubscribe: Option<String>,
}

/// The sending thread: its runtime, the SMTP connections, the pace.
pub(crate) struct Outgoing {
    runtime: Handle,
    deliver: Arc<Delivery>,
    /// Dropped with the sender: the thread then ends, cancelling what is in
    /// flight (unrecorded, so sent again by the next sender).
    _stop: oneshot::Sender<()>,
}

struct Delivery {
    from: Mailbox,
    smtp: Connections,
    pace: Arc<DefaultDirectRateLimiter>,
}

impl Outgoing {
    /// Starts the thread.
    ///
    /// # Errors
    /// The thread or its runtime could not be made.
    pub(crate) fn start(
        from: Mailbox,
        smtp: Connections,
        pace: Arc<DefaultDirectRateLimiter>,
    ) -> std::io::Result<Outgoing> {
        let (stop, stopped) = oneshot::channel::<()>();
        let (started, runtime) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("reestr-mail-out".into())
            .spawn(move || {
                lower_priority();
                let built = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                let runtime = match built {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = started.send(Err(error));
                        return;
                    }
                };
                let _ = started.send(Ok(runtime.handle().clone()));
                runtime.block_on(async {
                    let _ = stopped.await;
                });
            })?;
        let runtime = runtime
            .recv()
            .map_err(|_| std::io::Error::other("the sending thread ended at its start"))??;
        Ok(Outgoing {
            runtime,
            deliver: Arc::new(Delivery { from, smtp, pace }),
            _stop: stop,
        })
    }

    /// Sends `letter` on the sending thread: the outcome, or `None` when the
    /// thread stopped first (nothing is recorded; sent again later).
    pub(crate) async fn send(&self, letter: Letter) -> Option<Outcome> {
        let deliver = Arc::clone(&self.deliver);
        self.runtime
            .spawn(async move { deliver.send(letter).await })
            .await
            .ok()
    }
}

impl Delivery {
    /// Builds the message and sends it, paced, retrying what the server
    /// refuses for now and waiting for a server that cannot be reached.
    async fn send(&self, letter: Letter) -> Outcome {
        let message = match letter.content.message(
            &self.from,
            &letter.email,
            letter.name.as_deref(),
            letter.message_id,
            letter.unsubscribe.as_deref(),
        ) {
            Ok(message) => message,
            Err(bad) => return Outcome::Failed(bad.to_string()),
        };
        let mut refused_for_now = 0;
        let mut backoff = Duration::from_millis(100);
        loop {
            self.pace.until_ready().await;
            match self.smtp.send(&message).await {
                Ok(()) => return Outcome::Delivered,
                Err(Failure::Permanent(reason)) => return Outcome::Failed(reason),
                Err(Failure::Transient(reason)) => {
                    refused_for_now += 1;
                    if refused_for_now >= TRANSIENT_ATTEMPTS {
                        return Outcome::Failed(reason);
                    }
                }
                // Not reached, or the connection broke: the message is not
                // the cause, so it waits for the server, unrecorded.
                Err(error) => tracing::debug!(%error, "SMTP server unavailable"),
            }
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(MAX_BACKOFF);
        }
    }
}

/// Lowers the calling thread's priority (Linux keeps a nice value per
/// thread). Failing leaves it as it was: the campaign then only competes
/// with the API as before.
fn lower_priority() {
    let thread = rustix::thread::gettid();
    let now = rustix::process::getpriority_process(Some(thread)).unwrap_or(0);
    if let Err(error) = rustix::process::setpriority_process(Some(thread), now + NICER_BY) {
        tracing::warn!(%error, "the sending thread keeps the server's priority");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sending_thread_runs_below_the_process() {
        let (tx, rx) = std::sync::mpsc::channel();
        let mine = rustix::process::getpriority_process(None).unwrap();
        std::thread::spawn(move || {
            lower_priority();
            let thread = rustix::thread::gettid();
            tx.send(rustix::process::getpriority_process(Some(thread)).unwrap())
                .unwrap();
        });
        assert_eq!(rx.recv().unwrap(), (mine + NICER_BY).min(19));
        // Only that thread: this one keeps its priority.
        assert_eq!(rustix::process::getpriority_process(None).unwrap(), mine);
    }
}
