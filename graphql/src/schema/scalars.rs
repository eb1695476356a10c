//! The contract's scalars: `Date` (ISO 8601 calendar date) and `DateTime`
//! (RFC 3339, UTC). `JSON` is async-graphql's own `Json`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{NaiveDate, SecondsFormat, Utc};

/// A calendar date, e.g. `2025-09-01`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Date> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        // The registry's one rule for dates, the command line's too.
        app::input::date(text)
            .map(Date)
            .map_err(InputValueError::custom)
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Date {
        Date(date)
    }
}

/// A moment in UTC, e.g. `2025-09-01T08:30:00.123Z`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTime(pub chrono::DateTime<Utc>);

#[Scalar(name = "DateTime")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<DateTime> {
        let Value::String(text) = &value else {
            return Err(InputValueError::expected_type(value));
        };
        chrono::DateTime::parse_from_rfc3339(text)
            .map(|moment| DateTime(moment.with_timezone(&Utc)))
            .map_err(|_| InputValueError::custom(format!("{text:?} is not an RFC 3339 timestamp")))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339_opts(SecondsFormat::Millis, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly() {
        let ok = Date::parse(Value::String("2025-09-01".into())).unwrap();
        assert_eq!(ok.0, NaiveDate::from_ymd_opt(2025, 9, 1).unwrap());
        for bad in [
            "2025-02-30",
            "2025-9-1",
            "01.09.2025",
            "",
            "1800-01-01",
            "+2025-09-01",
        ] {
            assert!(Date::parse(Value::String(bad.into())).is_err(), "{bad}");
        }
        assert!(Date::parse(Value::Number(20250901.into())).is_err());
    }
}
