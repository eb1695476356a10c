//! What a batch depends on, read from the database under the append lock.

use std::collections::{HashMap, HashSet};

use sqlx::{PgConnection, Row};
use uuid::Uuid;

use crate::envelope::AppendRequest;
use crate::error::Error;
use crate::postgres::sql;
use crate::vault::VaultKey;

/// What the database holds that a batch depends on, read under the lock.
#[derive(Default)]
pub(crate) struct Facts {
    /// The last committed position.
    pub head: u64,
    /// Versions of the batch's streams (0: no such stream).
    pub versions: HashMap<String, u64>,
    /// Stored positions of the batch's event ids that are stored already.
    pub event_positions: HashMap<Uuid, u64>,
    /// Stored commands among the batch's command ids.
    pub commands: HashMap<Uuid, (u64, u64)>,
    /// Vault keys of the batch's streams that carry personal data.
    pub keys: HashMap<String, VaultKey>,
    /// Which of those streams were erased.
    pub erased: HashSet<String>,
}

/// Which facts a batch reads: appends look up command and event ids too.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookups {
    /// Versions, keys, erasures, and stored command and event ids.
    All,
    /// Versions, keys and erasures only (a bulk import).
    VersionsAndKeys,
}

/// Reads, under the lock, everything the batch's requests depend on.
pub(crate) async fn fetch_facts(
    conn: &mut PgConnection,
    requests: &[&AppendRequest],
    lookups: Lookups,
) -> Result<Facts, Error> {
    let mut streams = HashSet::new();
    let mut key_streams = HashSet::new();
    let mut event_ids = Vec::new();
    let mut command_ids = Vec::new();
    for request in requests {
        for append in &request.streams {
            streams.insert(append.stream.as_str());
            if append.events.iter().any(|e| e.personal.is_some()) {
                key_streams.insert(append.stream.as_str());
            }
            if lookups == Lookups::All {
                event_ids.extend(append.events.iter().map(|e| e.event_id));
            }
        }
        if lookups == Lookups::All {
            command_ids.extend(request.command_id);
        }
    }
    let streams: Vec<&str> = streams.into_iter().collect();
    let key_streams: Vec<&str> = key_streams.into_iter().collect();
    let rows = sqlx::query(sql::FACTS)
        .bind(streams)
        .bind(event_ids)
        .bind(command_ids)
        .bind(key_streams)
        .fetch_all(conn)
        .await?;
    let mut facts = Facts::default();
    for row in rows {
        let kind: i32 = row.try_get(0)?;
        match kind {
            0 => facts.head = row.try_get::<i64, _>(3)? as u64,
            1 => {
                facts
                    .versions
                    .insert(row.try_get(1)?, row.try_get::<i64, _>(3)? as u64);
            }
            2 => {
                let id: Uuid = row.try_get(2)?;
                facts
                    .event_positions
                    .insert(id, row.try_get::<i64, _>(3)? as u64);
            }
            3 => {
                let id: Uuid = row.try_get(2)?;
                let first = row.try_get::<i64, _>(3)? as u64;
                let last = row.try_get::<i64, _>(4)? as u64;
                facts.commands.insert(id, (first, last));
            }
            4 => {
                let stream: String = row.try_get(1)?;
                let key: Vec<u8> = row.try_get(5)?;
                if let Some(key) = VaultKey::from_bytes(&key) {
                    facts.keys.insert(stream, key);
                }
            }
            _ => {
                facts.erased.insert(row.try_get(1)?);
            }
        }
    }
    Ok(facts)
}

/// Streams and their highest versions among the stored positions `first..=last`.
pub(crate) async fn versions_in_range(
    conn: &mut PgConnection,
    first: u64,
    last: u64,
) -> Result<Vec<(String, u64)>, Error> {
    let rows = sqlx::query(sql::STREAM_VERSIONS_IN_RANGE)
        .bind(first as i64)
        .bind(last as i64)
        .fetch_all(conn)
        .await?;
    let mut versions = Vec::with_capacity(rows.len());
    for row in rows {
        versions.push((row.try_get(0)?, row.try_get::<i64, _>(1)? as u64));
    }
    versions.sort();
    Ok(versions)
}
