//! The log exactly as stored, for copying it between backends.
//!
//! [`BulkLog::export`](crate::BulkLog::export) reads a range of positions as a
//! [`RawBatch`]: the events with their personal data still sealed, the commands
//! they answered, the vault keys their streams still have and the erasures of
//! their streams. [`BulkLog::import_raw`](crate::BulkLog::import_raw) stores such
//! a batch verbatim in another log. Nothing is decrypted or sealed again, so an
//! erased stream stays erased (its sealed bytes travel, its key does not) and a
//! copy is byte for byte the log it came from; [`Digest`] proves it.

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::envelope::{Personal, StoredEvent};
use crate::error::Error;
use crate::vault::VaultKey;

/// An event as stored: the envelope, the payload and the sealed personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawEvent {
    /// Global position.
    pub position: u64,
    /// The stream.
    pub stream: String,
    /// Version in the stream.
    pub version: u64,
    /// The event's unique id (also the associated data of its sealed part).
    pub event_id: Uuid,
    /// The stored type name.
    pub event_type: String,
    /// The payload's schema version as written.
    pub schema_version: u32,
    /// The business date.
    pub effective_on: Option<NaiveDate>,
    /// When the first log committed it; a copy keeps it.
    pub recorded_at: DateTime<Utc>,
    /// Who did it.
    pub actor: String,
    /// The correlation id of the command.
    pub correlation_id: Option<Uuid>,
    /// The causation id of the command.
    pub causation_id: Option<Uuid>,
    /// The non-personal payload as written.
    pub payload: String,
    /// Nonce and ciphertext under the stream's vault key, as stored.
    pub sealed: Option<Vec<u8>>,
}

/// One event row borrowed from a backend's result, its values already typed:
/// each backend turns its own row into this, and both turn it into a
/// [`StoredEvent`] (personal data opened) or a [`RawEvent`] (as stored) here.
/// Its fields are [`RawEvent`]'s, borrowed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct EventRow<'r> {
    pub position: u64,
    pub stream: &'r str,
    pub version: u64,
    pub event_id: Uuid,
    pub event_type: &'r str,
    pub schema_version: u32,
    pub effective_on: Option<NaiveDate>,
    pub recorded_at: DateTime<Utc>,
    pub actor: &'r str,
    pub correlation_id: Option<Uuid>,
    pub causation_id: Option<Uuid>,
    pub payload: &'r str,
    pub sealed: Option<&'r [u8]>,
}

impl EventRow<'_> {
    /// The event as read, its personal data opened with `key`, the stream's
    /// vault key read in the same statement: sealed data without a key is
    /// [`Personal::Erased`]; data that the key does not open is an error.
    pub(crate) fn open(self, key: Option<&[u8]>) -> Result<StoredEvent, Error> {
        let personal = match (self.sealed, key) {
            (None, _) => Personal::None,
            (Some(_), None) => Personal::Erased,
            (Some(sealed), Some(key)) => {
                let plain = VaultKey::from_bytes(key)
                    .and_then(|key| key.open(self.event_id, sealed))
                    .and_then(|plain| String::from_utf8(plain).ok())
                    .ok_or(Error::Vault {
                        position: self.position,
                    })?;
                Personal::Plain(plain)
            }
        };
        Ok(StoredEvent {
            position: self.position,
            stream: self.stream.to_owned(),
            version: self.version,
            event_id: self.event_id,
            event_type: self.event_type.to_owned(),
            schema_version: self.schema_version,
            effective_on: self.effective_on,
            recorded_at: self.recorded_at,
            actor: self.actor.to_owned(),
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            payload: self.payload.to_owned(),
            personal,
        })
    }

    /// The event exactly as stored.
    pub(crate) fn to_raw(self) -> RawEvent {
        RawEvent {
            position: self.position,
            stream: self.stream.to_owned(),
            version: self.version,
            event_id: self.event_id,
            event_type: self.event_type.to_owned(),
            schema_version: self.schema_version,
            effective_on: self.effective_on,
            recorded_at: self.recorded_at,
            actor: self.actor.to_owned(),
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            payload: self.payload.to_owned(),
            sealed: self.sealed.map(<[u8]>::to_vec),
        }
    }
}

/// Bytes of an event row's checksum: a truncated SHA-256, ample against a
/// changed byte (a collision by chance: 2^-64).
pub const CHECKSUM_LEN: usize = 8;

/// The checksum of an event row as stored: every field, length-prefixed.
pub(crate) fn checksum(row: &EventRow<'_>) -> [u8; CHECKSUM_LEN] {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    field(&row.position.to_le_bytes());
    field(row.stream.as_bytes());
    field(&row.version.to_le_bytes());
    field(row.event_id.as_bytes());
    field(row.event_type.as_bytes());
    field(&row.schema_version.to_le_bytes());
    field(
        row.effective_on
            .map(|d| d.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    field(&row.recorded_at.timestamp_micros().to_le_bytes());
    field(row.actor.as_bytes());
    field(
        row.correlation_id
            .as_ref()
            .map_or(&[][..], |id| &id.as_bytes()[..]),
    );
    field(
        row.causation_id
            .as_ref()
            .map_or(&[][..], |id| &id.as_bytes()[..]),
    );
    field(row.payload.as_bytes());
    field(row.sealed.unwrap_or_default());
    let digest = hasher.finalize();
    let mut out = [0; CHECKSUM_LEN];
    out.copy_from_slice(&digest[..CHECKSUM_LEN]);
    out
}

impl EventRow<'_> {
    /// Refuses a row whose stored checksum is not its own; a row stored
    /// before checksums existed has none and passes.
    pub(crate) fn verify(&self, stored: Option<&[u8]>) -> Result<(), Error> {
        match stored {
            Some(stored) if stored != checksum(self) => Err(Error::Corrupt {
                position: self.position,
            }),
            _ => Ok(()),
        }
    }
}

impl RawEvent {
    /// The event as a row, for its checksum.
    pub(crate) fn as_row(&self) -> EventRow<'_> {
        EventRow {
            position: self.position,
            stream: &self.stream,
            version: self.version,
            event_id: self.event_id,
            event_type: &self.event_type,
            schema_version: self.schema_version,
            effective_on: self.effective_on,
            recorded_at: self.recorded_at,
            actor: &self.actor,
            correlation_id: self.correlation_id,
            causation_id: self.causation_id,
            payload: &self.payload,
            sealed: self.sealed.as_deref(),
        }
    }
}

/// A command stored for idempotency: the positions its append got.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredCommand {
    /// The command's id.
    pub command_id: Uuid,
    /// Its first position (`last_position + 1` when it stored no event).
    pub first_position: u64,
    /// Its last position.
    pub last_position: u64,
}

/// A stream's vault key, unwrapped: each log stores it wrapped its own way
/// (SQLite by its key file's key), so a copy may use another key file.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredKey {
    /// The stream.
    pub stream: String,
    /// The key's bytes.
    pub key: Vec<u8>,
}

impl std::fmt::Debug for StoredKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredKey")
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

/// A stream whose personal data was erased, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Erasure {
    /// The stream.
    pub stream: String,
    /// When its key was deleted.
    pub erased_at: DateTime<Utc>,
}

/// A range of the log as stored (see the module docs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RawBatch {
    /// Events in position order, without gaps.
    pub events: Vec<RawEvent>,
    /// Commands whose last position lies in the batch's range (the range starts
    /// at 0 for a batch from the beginning), ordered by position then id. A
    /// command that stored no event after the last event is in no batch yet.
    pub commands: Vec<StoredCommand>,
    /// Keys the batch's streams still have, ordered by stream (bytewise).
    pub keys: Vec<StoredKey>,
    /// Erasures of the batch's streams (for an export), or any erasures to
    /// apply (for an import), ordered by stream (bytewise).
    pub erasures: Vec<Erasure>,
}

impl RawBatch {
    /// The position of the batch's last event, if it has any.
    pub fn last_position(&self) -> Option<u64> {
        self.events.last().map(|e| e.position)
    }

    /// Refuses a batch whose events do not continue a log at `head` without a gap.
    pub(crate) fn check_continues(&self, head: u64) -> Result<(), Error> {
        let continues = self
            .events
            .iter()
            .zip(head + 1..)
            .all(|(event, position)| event.position == position);
        if continues {
            Ok(())
        } else {
            Err(Error::InvalidAppend(
                "a raw import must continue the log at its head, without gaps",
            ))
        }
    }
}

/// A SHA-256 over everything a log stores, fed batch by batch: two logs read in
/// the same batches with the same digest hold the same events, commands, keys
/// and erasures, byte for byte.
#[derive(Clone, Default)]
pub struct Digest {
    hasher: Sha256,
    events: u64,
}

impl Digest {
    /// An empty digest.
    pub fn new() -> Digest {
        Digest::default()
    }

    /// Adds `batch`, field by field, each length-prefixed so no two different
    /// batches feed the same bytes. A stream's vault key and erasure are added
    /// with its first event (version 1), so the digest of a log does not depend
    /// on where its batches were cut; a batch of erasures alone adds them all.
    pub fn update(&mut self, batch: &RawBatch) {
        // Each command is added right after the event at its last position, so
        // where the batches were cut does not matter.
        let mut commands: Vec<&StoredCommand> = batch.commands.iter().collect();
        commands.sort_by_key(|c| (c.last_position, c.first_position, c.command_id));
        let mut commands = commands.into_iter().peekable();
        let first = batch.events.first().map_or(u64::MAX, |e| e.position);
        while let Some(command) = commands.next_if(|c| c.last_position < first) {
            self.command(command);
        }
        for event in &batch.events {
            self.events += 1;
            self.tag(b'e');
            self.u64(event.position);
            self.bytes(event.stream.as_bytes());
            self.u64(event.version);
            self.bytes(event.event_id.as_bytes());
            self.bytes(event.event_type.as_bytes());
            self.u64(u64::from(event.schema_version));
            self.option(event.effective_on.map(|d| d.to_string()).as_deref());
            self.u64(event.recorded_at.timestamp_micros() as u64);
            self.bytes(event.actor.as_bytes());
            self.option(event.correlation_id.as_ref().map(|id| &id.as_bytes()[..]));
            self.option(event.causation_id.as_ref().map(|id| &id.as_bytes()[..]));
            self.bytes(event.payload.as_bytes());
            self.option(event.sealed.as_deref());
            if event.version == 1 {
                let stream = event.stream.as_str();
                let key = batch
                    .keys
                    .binary_search_by(|k| k.stream.as_str().cmp(stream))
                    .ok()
                    .map(|i| batch.keys[i].key.as_slice());
                self.option(key);
                let erased = batch
                    .erasures
                    .binary_search_by(|e| e.stream.as_str().cmp(stream))
                    .ok()
                    .map(|i| batch.erasures[i].erased_at.timestamp_micros().to_le_bytes());
                self.option(erased.as_ref());
            }
            while let Some(command) = commands.next_if(|c| c.last_position <= event.position) {
                self.command(command);
            }
        }
        for command in commands {
            self.command(command);
        }
        if batch.events.is_empty() {
            for erasure in &batch.erasures {
                self.tag(b'x');
                self.bytes(erasure.stream.as_bytes());
                self.u64(erasure.erased_at.timestamp_micros() as u64);
            }
        }
    }

    /// The events added so far.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// The digest as lowercase hex.
    pub fn finish(self) -> String {
        self.hasher
            .finalize()
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }

    fn command(&mut self, command: &StoredCommand) {
        self.tag(b'c');
        self.bytes(command.command_id.as_bytes());
        self.u64(command.first_position);
        self.u64(command.last_position);
    }

    fn tag(&mut self, tag: u8) {
        self.hasher.update([tag]);
    }

    fn u64(&mut self, n: u64) {
        self.hasher.update(n.to_le_bytes());
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.u64(bytes.len() as u64);
        self.hasher.update(bytes);
    }

    fn option<T: AsRef<[u8]> + ?Sized>(&mut self, value: Option<&T>) {
        match value {
            None => self.tag(0),
            Some(value) => {
                self.tag(1);
                self.bytes(value.as_ref());
            }
        }
    }
}

impl std::fmt::Debug for Digest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Digest")
            .field("events", &self.events)
            .finish_non_exhaustive()
    }
}
