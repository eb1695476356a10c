//! The mailing sender: runs beside the server, sends every due mailing over
//! SMTP (lettre), one message per listed recipient, and records each outcome
//! through `app`.
//!
//! - [`render`]: Markdown to HTML and text, the footer, the message.
//! - [`smtp`]: the SMTP connections kept open, each handed back as soon as
//!   the server answers.
//! - `outgoing`: the thread messages are built and sent on, niced below the
//!   API so that a campaign takes the CPU the API leaves.
//! - [`worker`]: the loop: the one sender among the nodes (the log's
//!   cross-node turn), the due mailing, batches paced to a rate, retries with
//!   backoff, outcomes recorded after each batch.
//!
//! At least once to the SMTP server, exactly once per recipient in the log:
//! a message accepted by the server and not yet recorded when the process
//! dies is sent again after the restart (with the same `Message-ID`); the log
//! records one outcome per recipient whatever happens (`domain::mailing`).

mod outgoing;
pub mod render;
pub mod smtp;
pub mod templates;
mod worker;

use std::time::Duration;

pub use worker::{Sender, run};

/// How the sender reaches the SMTP server and what it says.
#[derive(Clone, Debug)]
pub struct MailerOptions {
    /// The SMTP server's host.
    pub smtp_host: String,
    /// Its port.
    pub smtp_port: u16,
    /// The `From` of every message, e.g. `Профсоюз <noreply@union.example>`.
    pub from: String,
    /// The address the pages are reached at, for unsubscribe links.
    pub public_url: String,
    /// Messages per second at most (pacing: the API keeps its share).
    pub rate: u32,
    /// SMTP connections at once.
    pub connections: u32,
    /// Messages sent before their outcomes are recorded together.
    pub batch: usize,
    /// How often an idle sender looks for due mailings.
    pub idle: Duration,
}

impl MailerOptions {
    /// Defaults for `smtp_host:smtp_port`.
    pub fn new(smtp_host: String, smtp_port: u16) -> MailerOptions {
        MailerOptions {
            smtp_host,
            smtp_port,
            from: "Профсоюз <noreply@reestr.invalid>".into(),
            public_url: "http://127.0.0.1:8080".into(),
            rate: 2_500,
            connections: 8,
            batch: 256,
            idle: Duration::from_millis(250),
        }
    }
}
