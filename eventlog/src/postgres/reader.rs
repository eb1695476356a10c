//! Reading: events by position and by stream, commands, and the log as stored.
//!
//! Reads run on a pool of connections beside the writer's. Each row's personal
//! data is opened with the key joined from the vault in the same statement, so
//! a read after an erasure committed finds no key and reports `Erased`. Rows are
//! decoded from their binary values by position (`values`); a catch-up's batch
//! comes as a binary COPY (`copy`).

use std::collections::BTreeSet;

use sqlx::postgres::PgRow;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use crate::envelope::{Appended, StoredEvent};
use crate::error::Error;
use crate::postgres::copy;
use crate::postgres::facts::versions_in_range;
use crate::postgres::sql;
use crate::postgres::values::{event_row, row_values};
use crate::raw::{Erasure, RawBatch, RawEvent, StoredCommand, StoredKey};

/// A batch of at least this many committed events is read as a binary COPY
/// (`copy`); a smaller one, the live tail, as a prepared query, which is planned
/// once where a COPY is planned each time (measured: equal at 32 events a batch,
/// the COPY faster from 64).
const COPY_ROWS: u64 = 128;

/// Up to `limit` events after `after`; `head` (the last position known to be
/// committed) tells a catch-up, read as a binary COPY, from the live tail.
pub(crate) async fn read_batch(
    pool: &PgPool,
    after: u64,
    limit: usize,
    head: u64,
) -> Result<Vec<StoredEvent>, Error> {
    if head.saturating_sub(after).min(limit as u64) >= COPY_ROWS {
        return copy::read_batch(pool, after, limit).await;
    }
    let rows = sqlx::query(sql::READ_BATCH)
        .bind(after as i64)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?;
    rows.iter().map(stored_event).collect()
}

/// The events at `positions`, in one round trip.
pub(crate) async fn read_positions(
    pool: &PgPool,
    positions: &[u64],
) -> Result<Vec<StoredEvent>, Error> {
    let positions: Vec<i64> = positions
        .iter()
        .map(|&p| i64::try_from(p).unwrap_or(i64::MAX))
        .collect();
    let rows = sqlx::query(sql::READ_AT)
        .bind(positions)
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
    let values = row_values::<14>(row)?;
    event_row(&values)?.open(values[13])
}

/// One row of `sql::EXPORT_EVENTS`.
fn raw_event(row: &PgRow) -> Result<RawEvent, Error> {
    Ok(event_row(&row_values::<13>(row)?)?.to_raw())
}

fn erasure(row: &PgRow) -> Result<Erasure, sqlx::Error> {
    Ok(Erasure {
        stream: row.try_get(0)?,
        erased_at: row.try_get(1)?,
    })
}
