//! A batch of appends decided in memory, against facts read under the lock.
//!
//! The writer reads everything a batch needs in one query after taking the
//! append lock ([`Facts`]), then stages each request in turn exactly as the
//! SQLite writer applies it: validated, answered from a stored command or event
//! ids, its versions and vault keys checked against the facts and the requests
//! staged before it. A refused request only gets its error; the others' rows are
//! written together ([`Rows`]) in one statement. So no savepoint is needed: the
//! only failures left for the database are storage failures, which fail the
//! whole transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::envelope::{AppendRequest, Appended, ExpectedVersion};
use crate::error::Error;
use crate::postgres::facts::Facts;
use crate::postgres::rows::Rows;
use crate::validate::validate;
use crate::vault::VaultKey;

/// A staged request's outcome.
pub(crate) enum Outcome {
    /// Stored (once the batch commits) or refused.
    Done(Result<Appended, Error>),
    /// A repeat of the append that got these positions; its stream versions
    /// are looked up before the batch commits.
    Repeat { first: u64, last: u64 },
}

/// The batch so far: what it writes and what it changed.
pub(crate) struct Staged {
    facts: Facts,
    now: DateTime<Utc>,
    /// The head including the staged events.
    head: u64,
    versions: HashMap<String, u64>,
    new_keys: HashMap<String, VaultKey>,
    erased: HashSet<String>,
    event_positions: HashMap<Uuid, u64>,
    commands: HashMap<Uuid, (u64, u64)>,
    rows: Rows,
}

impl Staged {
    /// An empty batch on top of `facts`; `now` is every event's `recorded_at`.
    pub(crate) fn new(facts: Facts, now: DateTime<Utc>) -> Staged {
        Staged {
            head: facts.head,
            facts,
            now,
            versions: HashMap::new(),
            new_keys: HashMap::new(),
            erased: HashSet::new(),
            event_positions: HashMap::new(),
            commands: HashMap::new(),
            rows: Rows::default(),
        }
    }

    /// The head once the batch commits.
    pub(crate) fn head(&self) -> u64 {
        self.head
    }

    /// The head the facts were read at: positions up to it are in the database.
    pub(crate) fn stored_head(&self) -> u64 {
        self.facts.head
    }

    /// Stages an append: validation, then idempotency by command id and event
    /// ids, then [`Staged::write`].
    pub(crate) fn append(&mut self, request: &AppendRequest) -> Outcome {
        if let Err(error) = validate(request) {
            return Outcome::Done(Err(error));
        }
        if let Some(command_id) = request.command_id
            && let Some(&(first, last)) = self
                .commands
                .get(&command_id)
                .or_else(|| self.facts.commands.get(&command_id))
        {
            return Outcome::Repeat { first, last };
        }
        let stored: Vec<(Uuid, u64)> = request
            .streams
            .iter()
            .flat_map(|s| &s.events)
            .filter_map(|event| {
                self.event_positions
                    .get(&event.event_id)
                    .or_else(|| self.facts.event_positions.get(&event.event_id))
                    .map(|&position| (event.event_id, position))
            })
            .collect();
        if let Some(&(event_id, _)) = stored.first() {
            if stored.len() < request.event_count() {
                return Outcome::Done(Err(Error::DuplicateEvent { event_id }));
            }
            let first = stored.iter().map(|&(_, p)| p).min().unwrap_or(0);
            let last = stored.iter().map(|&(_, p)| p).max().unwrap_or(0);
            return Outcome::Repeat { first, last };
        }
        Outcome::Done(self.write(request))
    }

    /// Checks the request's versions and keys, then stages its events (personal
    /// data sealed), its command id and its erasures. No idempotency lookup: the
    /// caller made them, or (bulk import) skips them on purpose. A refused
    /// request changes nothing.
    pub(crate) fn write(&mut self, request: &AppendRequest) -> Result<Appended, Error> {
        let mut current_versions = Vec::with_capacity(request.streams.len());
        for append in &request.streams {
            let actual = self.stream_version(&append.stream);
            let matches = match append.expected {
                ExpectedVersion::Any => true,
                ExpectedVersion::NoStream => actual == 0,
                ExpectedVersion::Exact(version) => actual == version,
            };
            if !matches {
                return Err(Error::Conflict {
                    stream: append.stream.clone(),
                    expected: append.expected,
                    actual,
                });
            }
            current_versions.push(actual);
        }

        let mut keys = Vec::with_capacity(request.streams.len());
        let mut created = Vec::new();
        for append in &request.streams {
            if !append.events.iter().any(|e| e.personal.is_some()) {
                keys.push(None);
                continue;
            }
            if self.is_erased(&append.stream) {
                return Err(Error::Erased {
                    stream: append.stream.clone(),
                });
            }
            let key = match self.key(&append.stream) {
                Some(key) => key,
                None => {
                    let key = VaultKey::generate();
                    created.push((append.stream.clone(), key.clone()));
                    key
                }
            };
            keys.push(Some(key));
        }
        self.new_keys.extend(created);

        let first_position = self.head + 1;
        let mut stream_versions = Vec::with_capacity(request.streams.len());
        for ((append, version), key) in request.streams.iter().zip(current_versions).zip(keys) {
            let mut version = version;
            for event in &append.events {
                version += 1;
                self.head += 1;
                let sealed = match (&event.personal, &key) {
                    (Some(plain), Some(key)) => Some(key.seal(event.event_id, plain.as_bytes())),
                    _ => None,
                };
                self.event_positions.insert(event.event_id, self.head);
                self.rows.push_new(
                    self.head,
                    &append.stream,
                    version,
                    event,
                    request,
                    self.now,
                    sealed,
                );
            }
            self.versions.insert(append.stream.clone(), version);
            stream_versions.push((append.stream.clone(), version));
        }
        if let Some(command_id) = request.command_id {
            self.commands
                .insert(command_id, (first_position, self.head));
            self.rows
                .push_command(command_id, first_position, self.head);
        }
        for stream in &request.erase_personal_data_of {
            self.new_keys.remove(stream);
            if self.erased.insert(stream.clone()) {
                self.rows.push_erasure(stream, self.now);
            }
        }
        Ok(Appended {
            first_position,
            last_position: self.head,
            stream_versions,
            duplicate: false,
        })
    }

    /// Versions of the streams staged at positions `first..=last` (those above
    /// the stored head), for answering a repeat.
    pub(crate) fn staged_versions_in_range(&self, first: u64, last: u64) -> Vec<(String, u64)> {
        let stored = self.facts.head;
        let from = first.max(stored + 1);
        if last < from {
            return Vec::new();
        }
        self.rows
            .stream_versions((from - stored - 1) as usize..=(last - stored - 1) as usize)
    }

    /// The rows to write, with the keys created by the batch (none of a stream
    /// the batch erased).
    pub(crate) fn into_rows(self) -> Rows {
        let mut rows = self.rows;
        let mut keys: Vec<(String, VaultKey)> = self.new_keys.into_iter().collect();
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        for (stream, key) in keys {
            rows.push_key(stream, key.as_bytes().to_vec());
        }
        rows
    }

    fn stream_version(&self, stream: &str) -> u64 {
        self.versions
            .get(stream)
            .or_else(|| self.facts.versions.get(stream))
            .copied()
            .unwrap_or(0)
    }

    fn is_erased(&self, stream: &str) -> bool {
        self.erased.contains(stream) || self.facts.erased.contains(stream)
    }

    fn key(&self, stream: &str) -> Option<VaultKey> {
        self.new_keys
            .get(stream)
            .or_else(|| self.facts.keys.get(stream))
            .cloned()
    }
}

/// Answers a repeat: the stream versions in `first..=last`, from the database
/// (`stored`) and the staged rows, the highest per stream, ordered by stream.
pub(crate) fn merge_versions(
    stored: Vec<(String, u64)>,
    staged: Vec<(String, u64)>,
) -> Vec<(String, u64)> {
    let mut versions: HashMap<String, u64> = HashMap::new();
    for (stream, version) in stored.into_iter().chain(staged) {
        let entry = versions.entry(stream).or_insert(0);
        *entry = (*entry).max(version);
    }
    let mut versions: Vec<(String, u64)> = versions.into_iter().collect();
    versions.sort();
    versions
}
