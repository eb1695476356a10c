//! Reading: events by position and by stream, commands, and the log as stored.
//!
//! Reads run on a pool of connections beside the writer's. Each row's personal
//! data is opened with the key joined from the vault in the same statement, so
//! a read after an erasure committed finds no key and reports `Erased`.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::envelope::{Appended, Personal, StoredEvent};
use crate::error::Error;
use crate::postgres::facts::versions_in_range;
use crate::postgres::sql;
use crate::raw::{Erasure, RawBatch, RawEvent, StoredCommand, StoredKey};
use crate::vault::VaultKey;

pub(crate) async fn read_batch(
    pool: &PgPool,
    after: u64,
    limit: usize,
) -> Result<Vec<StoredEvent>, Error> {
    let rows = sqlx::query(sql::READ_BATCH)
        .bind(after as i64)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?;
    rows.iter().map(stored_event).collect()
}

pub(crate) async fn read_stream(
    pool: &PgPool,
    stream: &str,
    after_version: u64,
) -> Result<Vec<StoredEvent>, Error> {
    let rows = sqlx::query(sql::READ_STREAM)
        .bind(stream)
        .bind(after_version as i64)
        .fetch_all(pool)
        .await?;
    rows.iter().map(stored_event).collect()
}

/// The stored result of `command_id`'s append: its positions and the versions
/// its streams reached then.
pub(crate) async fn find_command(
    pool: &PgPool,
    command_id: Uuid,
) -> Result<Option<Appended>, Error> {
    let mut conn = pool.acquire().await?;
    let row = sqlx::query(sql::COMMAND)
        .bind(command_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let first_position = row.try_get::<i64, _>(0)? as u64;
    let last_position = row.try_get::<i64, _>(1)? as u64;
    let stream_versions = versions_in_range(&mut conn, first_position, last_position).await?;
    Ok(Some(Appended {
        first_position,
        last_position,
        stream_versions,
        duplicate: true,
    }))
}

/// Events after `after` as stored, with their commands, keys and erasures, in
/// one repeatable-read snapshot.
pub(crate) async fn export(pool: &PgPool, after: u64, limit: usize) -> Result<RawBatch, Error> {
    let mut tx = pool.begin_with(sql::BEGIN_SNAPSHOT).await?;
    let batch = export_in(&mut tx, after, limit).await?;
    tx.commit().await?;
    Ok(batch)
}

/// Every erased stream, ordered by stream (bytewise, as every backend orders).
pub(crate) async fn erasures(pool: &PgPool) -> Result<Vec<Erasure>, Error> {
    let rows = sqlx::query(sql::ERASURES).fetch_all(pool).await?;
    let mut erasures = rows
        .iter()
        .map(erasure)
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    erasures.sort_by(|a, b| a.stream.cmp(&b.stream));
    Ok(erasures)
}

async fn export_in(conn: &mut PgConnection, after: u64, limit: usize) -> Result<RawBatch, Error> {
    let rows = sqlx::query(sql::EXPORT_EVENTS)
        .bind(after as i64)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&mut *conn)
        .await?;
    let events = rows
        .iter()
        .map(raw_event)
        .collect::<Result<Vec<_>, Error>>()?;
    let Some(last) = events.last().map(|e| e.position) else {
        return Ok(RawBatch::default());
    };
    let from = if after == 0 { 0 } else { after + 1 };
    let rows = sqlx::query(sql::EXPORT_COMMANDS)
        .bind(from as i64)
        .bind(last as i64)
        .fetch_all(&mut *conn)
        .await?;
    let mut commands = Vec::with_capacity(rows.len());
    for row in rows {
        commands.push(StoredCommand {
            command_id: row.try_get(0)?,
            first_position: row.try_get::<i64, _>(1)? as u64,
            last_position: row.try_get::<i64, _>(2)? as u64,
        });
    }
    commands.sort_by_key(|c| (c.first_position, c.command_id));

    let streams: Vec<&str> = events
        .iter()
        .map(|e| e.stream.as_str())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let rows = sqlx::query(sql::EXPORT_KEYS)
        .bind(&streams)
        .fetch_all(&mut *conn)
        .await?;
    let mut keys = Vec::with_capacity(rows.len());
    for row in rows {
        keys.push(StoredKey {
            stream: row.try_get(0)?,
            key: row.try_get(1)?,
        });
    }
    keys.sort_by(|a, b| a.stream.cmp(&b.stream));
    let rows = sqlx::query(sql::EXPORT_ERASURES)
        .bind(&streams)
        .fetch_all(&mut *conn)
        .await?;
    let mut erasures = rows
        .iter()
        .map(erasure)
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    erasures.sort_by(|a, b| a.stream.cmp(&b.stream));
    Ok(RawBatch {
        events,
        commands,
        keys,
        erasures,
    })
}

/// One row of `sql::READ_BATCH` or `sql::READ_STREAM`, personal data decrypted
/// with the joined key.
fn stored_event(row: &PgRow) -> Result<StoredEvent, Error> {
    let position = row.try_get::<i64, _>(0)? as u64;
    let event_id: Uuid = row.try_get(3)?;
    let sealed: Option<&[u8]> = row.try_get(12)?;
    let key: Option<&[u8]> = row.try_get(13)?;
    let personal = match (sealed, key) {
        (None, _) => Personal::None,
        (Some(_), None) => Personal::Erased,
        (Some(sealed), Some(key)) => {
            let plain = VaultKey::from_bytes(key)
                .and_then(|key| key.open(event_id, sealed))
                .and_then(|plain| String::from_utf8(plain).ok())
                .ok_or(Error::Vault { position })?;
            Personal::Plain(plain)
        }
    };
    Ok(StoredEvent {
        position,
        stream: row.try_get(1)?,
        version: row.try_get::<i64, _>(2)? as u64,
        event_id,
        event_type: row.try_get(4)?,
        schema_version: schema_version(row)?,
        effective_on: row.try_get::<Option<NaiveDate>, _>(6)?,
        recorded_at: row.try_get::<DateTime<Utc>, _>(7)?,
        actor: row.try_get(8)?,
        correlation_id: row.try_get(9)?,
        causation_id: row.try_get(10)?,
        payload: row.try_get(11)?,
        personal,
    })
}

/// One row of `sql::EXPORT_EVENTS`.
fn raw_event(row: &PgRow) -> Result<RawEvent, Error> {
    Ok(RawEvent {
        position: row.try_get::<i64, _>(0)? as u64,
        stream: row.try_get(1)?,
        version: row.try_get::<i64, _>(2)? as u64,
        event_id: row.try_get(3)?,
        event_type: row.try_get(4)?,
        schema_version: schema_version(row)?,
        effective_on: row.try_get(6)?,
        recorded_at: row.try_get(7)?,
        actor: row.try_get(8)?,
        correlation_id: row.try_get(9)?,
        causation_id: row.try_get(10)?,
        payload: row.try_get(11)?,
        sealed: row.try_get(12)?,
    })
}

/// The schema version, stored as BIGINT so that every `u32` fits.
fn schema_version(row: &PgRow) -> Result<u32, Error> {
    let version: i64 = row.try_get(5)?;
    u32::try_from(version).map_err(|error| {
        Error::Postgres(sqlx::Error::ColumnDecode {
            index: "schema_version".into(),
            source: Box::new(error),
        })
    })
}

fn erasure(row: &PgRow) -> Result<Erasure, sqlx::Error> {
    Ok(Erasure {
        stream: row.try_get(0)?,
        erased_at: row.try_get(1)?,
    })
}
