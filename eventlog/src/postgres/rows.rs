//! The rows a transaction writes, as columns: one `UNNEST` per table, all in
//! one statement (`sql::WRITE`), however many requests the batch holds.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::envelope::{AppendRequest, NewEvent};
use crate::postgres::sql;
use crate::raw::RawEvent;

/// Columns of the events, commands, keys and erasures to insert.
#[derive(Default)]
pub(crate) struct Rows {
    positions: Vec<i64>,
    streams: Vec<String>,
    versions: Vec<i64>,
    event_ids: Vec<Uuid>,
    event_types: Vec<String>,
    schema_versions: Vec<i64>,
    effective_on: Vec<Option<NaiveDate>>,
    recorded_at: Vec<DateTime<Utc>>,
    actors: Vec<String>,
    correlation_ids: Vec<Option<Uuid>>,
    causation_ids: Vec<Option<Uuid>>,
    payloads: Vec<String>,
    sealed: Vec<Option<Vec<u8>>>,
    command_ids: Vec<Uuid>,
    command_firsts: Vec<i64>,
    command_lasts: Vec<i64>,
    key_streams: Vec<String>,
    keys: Vec<Vec<u8>>,
    erased_streams: Vec<String>,
    erased_at: Vec<DateTime<Utc>>,
}

impl Rows {
    /// An event of an append at `position`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push_new(
        &mut self,
        position: u64,
        stream: &str,
        version: u64,
        event: &NewEvent,
        request: &AppendRequest,
        now: DateTime<Utc>,
        sealed: Option<Vec<u8>>,
    ) {
        self.positions.push(position as i64);
        self.streams.push(stream.to_string());
        self.versions.push(version as i64);
        self.event_ids.push(event.event_id);
        self.event_types.push(event.event_type.clone());
        self.schema_versions.push(i64::from(event.schema_version));
        self.effective_on.push(event.effective_on);
        self.recorded_at.push(now);
        self.actors.push(request.actor.clone());
        self.correlation_ids.push(request.correlation_id);
        self.causation_ids.push(request.causation_id);
        self.payloads.push(event.payload.clone());
        self.sealed.push(sealed);
    }

    /// An event copied verbatim.
    pub(crate) fn push_raw(&mut self, event: RawEvent) {
        self.positions.push(event.position as i64);
        self.streams.push(event.stream);
        self.versions.push(event.version as i64);
        self.event_ids.push(event.event_id);
        self.event_types.push(event.event_type);
        self.schema_versions.push(i64::from(event.schema_version));
        self.effective_on.push(event.effective_on);
        self.recorded_at.push(event.recorded_at);
        self.actors.push(event.actor);
        self.correlation_ids.push(event.correlation_id);
        self.causation_ids.push(event.causation_id);
        self.payloads.push(event.payload);
        self.sealed.push(event.sealed);
    }

    pub(crate) fn push_command(&mut self, command_id: Uuid, first: u64, last: u64) {
        self.command_ids.push(command_id);
        self.command_firsts.push(first as i64);
        self.command_lasts.push(last as i64);
    }

    pub(crate) fn push_key(&mut self, stream: String, key: Vec<u8>) {
        self.key_streams.push(stream);
        self.keys.push(key);
    }

    pub(crate) fn push_erasure(&mut self, stream: &str, at: DateTime<Utc>) {
        self.erased_streams.push(stream.to_string());
        self.erased_at.push(at);
    }

    /// The highest version per stream among the events at `indexes` (0: the
    /// first event pushed).
    pub(crate) fn stream_versions(&self, indexes: RangeInclusive<usize>) -> Vec<(String, u64)> {
        let mut versions: HashMap<&str, u64> = HashMap::new();
        for index in indexes {
            let (Some(stream), Some(&version)) =
                (self.streams.get(index), self.versions.get(index))
            else {
                continue;
            };
            let entry = versions.entry(stream).or_insert(0);
            *entry = (*entry).max(version as u64);
        }
        versions
            .into_iter()
            .map(|(stream, version)| (stream.to_string(), version))
            .collect()
    }

    /// Writes every row; does nothing when there is nothing to write.
    pub(crate) async fn write(self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        if self.positions.is_empty()
            && self.command_ids.is_empty()
            && self.key_streams.is_empty()
            && self.erased_streams.is_empty()
        {
            return Ok(());
        }
        sqlx::query(sql::WRITE)
            .bind(self.key_streams)
            .bind(self.keys)
            .bind(self.command_ids)
            .bind(self.command_firsts)
            .bind(self.command_lasts)
            .bind(self.erased_streams)
            .bind(self.erased_at)
            .bind(self.positions)
            .bind(self.streams)
            .bind(self.versions)
            .bind(self.event_ids)
            .bind(self.event_types)
            .bind(self.schema_versions)
            .bind(self.effective_on)
            .bind(self.recorded_at)
            .bind(self.actors)
            .bind(self.correlation_ids)
            .bind(self.causation_ids)
            .bind(self.payloads)
            .bind(self.sealed)
            .execute(conn)
            .await?;
        Ok(())
    }
}
