//! Event rows from PostgreSQL's binary values, whether they came as a result
//! row or as a tuple of a binary `COPY` (`copy`): the same bytes either way.
//!
//! The columns' types are the schema's (`migrations/postgres`) and the order is
//! `sql::select_events!`'s, so each value is decoded by position without sqlx's
//! per-column type lookup; a value of the wrong length, a NULL where none may
//! be or text that is not UTF-8 is a typed error, never a panic.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgRow, PgValueFormat};
use sqlx::{Row, ValueRef};
use uuid::Uuid;

use crate::error::Error;
use crate::raw::EventRow;

/// One value of a row: its bytes, `None` for NULL.
pub(crate) type Value<'r> = Option<&'r [u8]>;

/// The columns of an event as stored, in the order every read selects them.
const COLUMNS: [&str; 13] = [
    "position",
    "stream",
    "version",
    "event_id",
    "event_type",
    "schema_version",
    "effective_on",
    "recorded_at",
    "actor",
    "correlation_id",
    "causation_id",
    "payload",
    "personal",
];

/// Days from 0001-01-01 (chrono's day 1) to 2000-01-01, PostgreSQL's epoch for
/// dates and timestamps.
const EPOCH_DAYS_FROM_CE: i32 = 730_120;

/// Microseconds from the Unix epoch to 2000-01-01T00:00:00Z.
const EPOCH_UNIX_MICROS: i64 = 946_684_800_000_000;

/// Why a value could not be decoded.
#[derive(Debug, thiserror::Error)]
enum ValueError {
    #[error("unexpected NULL")]
    Null,
    #[error("{found} bytes where {expected} were expected")]
    Length { expected: usize, found: usize },
    #[error("text is not UTF-8")]
    Utf8,
    #[error("value out of range")]
    Range,
    #[error("a row of {found} columns where {expected} were expected")]
    Columns { expected: usize, found: usize },
    #[error("a value in text format where binary was expected")]
    TextFormat,
}

fn decode_error(column: &str, error: ValueError) -> Error {
    Error::Postgres(sqlx::Error::ColumnDecode {
        index: column.into(),
        source: Box::new(error),
    })
}

/// The first 13 values of a read (the event as stored, `COLUMNS`), borrowed.
pub(crate) fn event_row<'r>(values: &[Value<'r>]) -> Result<EventRow<'r>, Error> {
    let Some(values) = values.first_chunk::<13>() else {
        return Err(decode_error(
            "*",
            ValueError::Columns {
                expected: COLUMNS.len(),
                found: values.len(),
            },
        ));
    };
    let column = |i: usize| Column {
        name: COLUMNS[i],
        value: values[i],
    };
    Ok(EventRow {
        position: column(0).unsigned()?,
        stream: column(1).text()?,
        version: column(2).unsigned()?,
        event_id: column(3).uuid()?,
        event_type: column(4).text()?,
        schema_version: u32::try_from(column(5).int8()?)
            .map_err(|_| decode_error(COLUMNS[5], ValueError::Range))?,
        effective_on: column(6).nullable().map(Column::date).transpose()?,
        recorded_at: column(7).timestamptz()?,
        actor: column(8).text()?,
        correlation_id: column(9).nullable().map(Column::uuid).transpose()?,
        causation_id: column(10).nullable().map(Column::uuid).transpose()?,
        payload: column(11).text()?,
        sealed: values[12],
    })
}

/// The values of a result row, as [`event_row`] takes them. sqlx asks for
/// every result column in binary format; a text one is refused, not misread.
pub(crate) fn row_values<const N: usize>(row: &PgRow) -> Result<[Value<'_>; N], Error> {
    if row.len() != N {
        return Err(decode_error(
            "*",
            ValueError::Columns {
                expected: N,
                found: row.len(),
            },
        ));
    }
    let mut values = [None; N];
    for (index, value) in values.iter_mut().enumerate() {
        let raw = row.try_get_raw(index)?;
        if raw.is_null() {
            continue;
        }
        if raw.format() != PgValueFormat::Binary {
            return Err(decode_error(
                COLUMNS.get(index).unwrap_or(&"*"),
                ValueError::TextFormat,
            ));
        }
        *value = Some(
            raw.as_bytes()
                .map_err(|_| decode_error(COLUMNS.get(index).unwrap_or(&"*"), ValueError::Null))?,
        );
    }
    Ok(values)
}

/// One named value, decoded as its column's type.
#[derive(Clone, Copy)]
struct Column<'r> {
    name: &'static str,
    value: Value<'r>,
}

impl<'r> Column<'r> {
    /// `None` for NULL, else the column to decode.
    fn nullable(self) -> Option<Column<'r>> {
        self.value.map(|_| self)
    }

    fn bytes(self) -> Result<&'r [u8], Error> {
        self.value
            .ok_or_else(|| decode_error(self.name, ValueError::Null))
    }

    fn fixed<const N: usize>(self) -> Result<[u8; N], Error> {
        let bytes = self.bytes()?;
        bytes.try_into().map_err(|_| {
            decode_error(
                self.name,
                ValueError::Length {
                    expected: N,
                    found: bytes.len(),
                },
            )
        })
    }

    fn int8(self) -> Result<i64, Error> {
        Ok(i64::from_be_bytes(self.fixed()?))
    }

    /// A position or a version: a BIGINT that is never negative.
    fn unsigned(self) -> Result<u64, Error> {
        u64::try_from(self.int8()?).map_err(|_| decode_error(self.name, ValueError::Range))
    }

    fn text(self) -> Result<&'r str, Error> {
        std::str::from_utf8(self.bytes()?).map_err(|_| decode_error(self.name, ValueError::Utf8))
    }

    fn uuid(self) -> Result<Uuid, Error> {
        Ok(Uuid::from_bytes(self.fixed()?))
    }

    /// A DATE: days since 2000-01-01.
    fn date(self) -> Result<NaiveDate, Error> {
        i32::from_be_bytes(self.fixed()?)
            .checked_add(EPOCH_DAYS_FROM_CE)
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or_else(|| decode_error(self.name, ValueError::Range))
    }

    /// A TIMESTAMPTZ: microseconds since 2000-01-01T00:00:00Z.
    fn timestamptz(self) -> Result<DateTime<Utc>, Error> {
        i64::from_be_bytes(self.fixed()?)
            .checked_add(EPOCH_UNIX_MICROS)
            .and_then(DateTime::from_timestamp_micros)
            .ok_or_else(|| decode_error(self.name, ValueError::Range))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values<'a>(owned: &'a [Option<Vec<u8>>]) -> Vec<Value<'a>> {
        owned.iter().map(|v| v.as_deref()).collect()
    }

    fn event_values() -> Vec<Option<Vec<u8>>> {
        vec![
            Some(7i64.to_be_bytes().to_vec()),
            Some(b"person-1".to_vec()),
            Some(2i64.to_be_bytes().to_vec()),
            Some(vec![1; 16]),
            Some(b"MemberAdmitted".to_vec()),
            Some(3i64.to_be_bytes().to_vec()),
            // 2026-11-24 is 9,824 days after 2000-01-01.
            Some(9_824i32.to_be_bytes().to_vec()),
            // 2000-01-02T00:00:00.000001Z.
            Some(86_400_000_001i64.to_be_bytes().to_vec()),
            Some(b"root".to_vec()),
            None,
            Some(vec![2; 16]),
            Some(b"{}".to_vec()),
            None,
        ]
    }

    #[test]
    fn binary_values_decode_as_the_schema_types() {
        let owned = event_values();
        let row = event_row(&values(&owned)).unwrap();
        assert_eq!((row.position, row.stream, row.version), (7, "person-1", 2));
        assert_eq!(row.event_id, Uuid::from_bytes([1; 16]));
        assert_eq!(row.schema_version, 3);
        assert_eq!(row.effective_on, NaiveDate::from_ymd_opt(2026, 11, 24));
        assert_eq!(
            row.recorded_at,
            DateTime::from_timestamp_micros(946_771_200_000_001).unwrap()
        );
        assert_eq!(row.correlation_id, None);
        assert_eq!(row.causation_id, Some(Uuid::from_bytes([2; 16])));
        assert_eq!((row.payload, row.sealed), ("{}", None));
    }

    #[test]
    fn malformed_values_are_errors_not_panics() {
        let cases: [(usize, Option<Vec<u8>>); 6] = [
            (0, Some(vec![0; 4])),
            (0, Some((-1i64).to_be_bytes().to_vec())),
            (1, Some(vec![0xff, 0xfe])),
            (3, None),
            (5, Some(i64::MAX.to_be_bytes().to_vec())),
            (6, Some(i32::MAX.to_be_bytes().to_vec())),
        ];
        for (column, value) in cases {
            let mut owned = event_values();
            owned[column] = value;
            let error = event_row(&values(&owned)).unwrap_err();
            assert!(
                error.to_string().contains(COLUMNS[column]),
                "{column}: {error}"
            );
        }
        let owned = event_values();
        assert!(event_row(&values(&owned[..12])).is_err());
    }
}
