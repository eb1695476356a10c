//! What goes into the log and what comes out: the event envelope.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

/// What a stream's version must be for an append to go through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// Whatever it is (no concurrency check).
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream's last event must have exactly this version (versions start at 1).
    Exact(u64),
}

impl fmt::Display for ExpectedVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExpectedVersion::Any => f.write_str("any version"),
            ExpectedVersion::NoStream => f.write_str("no stream"),
            ExpectedVersion::Exact(v) => write!(f, "version {v}"),
        }
    }
}

/// An event about to be appended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    /// Unique for ever; appending an already stored id is a no-op (idempotency).
    pub event_id: Uuid,
    /// The stored type name, e.g. `MemberAdmitted`.
    pub event_type: String,
    /// The payload's schema version; older versions are read through upcasters.
    pub schema_version: u32,
    /// The business date the event takes effect on.
    pub effective_on: Option<NaiveDate>,
    /// The payload without personal data: a JSON object.
    pub payload: String,
    /// Personal data, a JSON value; encrypted with the stream's vault key when stored.
    pub personal: Option<String>,
}

/// The events for one stream in an append, with the version that stream must have.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamAppend {
    /// The stream, e.g. `person-<uuid>`.
    pub stream: String,
    /// The version the stream must have now.
    pub expected: ExpectedVersion,
    /// The events to add, oldest first. May be empty: then the append only checks
    /// the version, so a decision can guard every stream it read.
    pub events: Vec<NewEvent>,
}

/// One atomic append: every stream's check passes and all events are stored, or
/// nothing is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppendRequest {
    /// The streams, each with its expected version and events.
    pub streams: Vec<StreamAppend>,
    /// The command that produced the events: a command stored once is never applied
    /// again, and its retry gets the first result back.
    pub command_id: Option<Uuid>,
    /// Who did it (charter rule 7).
    pub actor: String,
    /// The request or conversation the command belongs to.
    pub correlation_id: Option<Uuid>,
    /// The event or command that caused this one.
    pub causation_id: Option<Uuid>,
    /// Streams whose vault key is deleted in the same transaction (crypto-shredding).
    pub erase_personal_data_of: Vec<String>,
}

impl AppendRequest {
    /// An append of `events` to one stream.
    pub fn single(
        stream: impl Into<String>,
        expected: ExpectedVersion,
        events: Vec<NewEvent>,
        actor: impl Into<String>,
    ) -> AppendRequest {
        AppendRequest {
            streams: vec![StreamAppend {
                stream: stream.into(),
                expected,
                events,
            }],
            actor: actor.into(),
            ..AppendRequest::default()
        }
    }

    /// The number of events in the request.
    pub fn event_count(&self) -> usize {
        self.streams.iter().map(|s| s.events.len()).sum()
    }
}

/// What an acknowledged append got: by the time it is returned, it is durable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Position of the first stored event (equal to `last_position + 1` when the
    /// append stored no event).
    pub first_position: u64,
    /// Position of the last stored event; the read side has seen the append once
    /// its checkpoint reaches it.
    pub last_position: u64,
    /// Each stream's version after the append, in the request's order.
    pub stream_versions: Vec<(String, u64)>,
    /// True when this was a repeat (same command id or event ids) and nothing was written.
    pub duplicate: bool,
}

/// Personal data as read back from the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Personal {
    /// The event carries no personal data.
    None,
    /// Decrypted personal data, a JSON value.
    Plain(String),
    /// The stream's key was erased: the data is gone for good.
    Erased,
}

/// An event as stored, with its envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    /// Global position: gap-free, in commit order, from 1.
    pub position: u64,
    /// The stream, e.g. `org-<uuid>`.
    pub stream: String,
    /// Version in the stream, from 1.
    pub version: u64,
    /// The event's unique id.
    pub event_id: Uuid,
    /// The stored type name.
    pub event_type: String,
    /// The payload's schema version as written.
    pub schema_version: u32,
    /// The business date.
    pub effective_on: Option<NaiveDate>,
    /// When the log committed it (system time).
    pub recorded_at: DateTime<Utc>,
    /// Who did it.
    pub actor: String,
    /// The correlation id of the command.
    pub correlation_id: Option<Uuid>,
    /// The causation id of the command.
    pub causation_id: Option<Uuid>,
    /// The non-personal payload, a JSON object as written.
    pub payload: String,
    /// The personal part.
    pub personal: Personal,
}
