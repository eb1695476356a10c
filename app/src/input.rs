//! Input as a front door receives it, checked once, here: ids, texts, e-mail
//! addresses, SNILS, card numbers, counts, dates, pages. Each check names the
//! field at fault as the API spells it, so every door refuses the same input
//! with the same [`Error::Validation`].

use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use domain::card_number::CardNumber;
use domain::snils::Snils;
use domain::vocabulary::person::PersonalData;
use serde::{Deserialize, Deserializer};

use crate::error::Error;

/// The longest name, contact or position a command takes, in characters: far
/// above any real one, low enough that no field becomes a storage channel.
pub const MAX_NAME_CHARS: usize = 200;

/// The longest free text (a basis, a reason, an address), in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// The most items one page holds, whatever `first` asks.
pub const MAX_FIRST: usize = 1000;

/// The earliest date the registry takes: older is a typing error, not history.
pub const FIRST_YEAR: i32 = 1900;

/// The latest year a date may name (far beyond any valid effective date).
pub const LAST_YEAR: i32 = 2200;

/// An id of this registry (a uuid: an organisation's, a person's, a command's)
/// given in `field`.
///
/// # Errors
/// `VALIDATION` of `field` when it is not one.
pub fn id<T: FromStr>(text: &str, field: &'static str) -> Result<T, Error> {
    text.parse()
        .map_err(|_| Error::invalid(field, format!("{text:?} is not an id of this registry")))
}

/// An optional id, as [`id`].
///
/// # Errors
/// As [`id`].
pub fn optional_id<T: FromStr>(
    text: Option<&str>,
    field: &'static str,
) -> Result<Option<T>, Error> {
    text.map(|text| id(text, field)).transpose()
}

/// A required text: trimmed, at most `max` characters. Blank is left to the
/// charter, which refuses it with the rule's own field (`name`, `reason`, `basis`).
///
/// # Errors
/// `VALIDATION` of `field` when longer.
pub fn text(value: String, field: &'static str, max: usize) -> Result<String, Error> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("{field} is longer than {max} characters"),
        ));
    }
    Ok(if trimmed.len() == value.len() {
        value
    } else {
        trimmed.to_string()
    })
}

/// An optional text: as [`text`], and blank counts as absent.
///
/// # Errors
/// As [`text`].
pub fn optional_text(
    value: Option<String>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, Error> {
    match value {
        Some(value) if !value.trim().is_empty() => text(value, field, max).map(Some),
        _ => Ok(None),
    }
}

/// An optional e-mail address: one `@` with something on both sides, no spaces.
///
/// # Errors
/// `VALIDATION` of `email`.
pub fn optional_email(value: Option<String>) -> Result<Option<String>, Error> {
    let email = optional_text(value, "email", MAX_NAME_CHARS)?;
    if let Some(email) = &email {
        let shaped = email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
            && !email.chars().any(char::is_whitespace)
            && email.matches('@').count() == 1;
        if !shaped {
            return Err(Error::invalid(
                "email",
                format!("{email:?} is not an e-mail address"),
            ));
        }
    }
    Ok(email)
}

/// An optional SNILS, its checksum verified; blank counts as absent.
///
/// # Errors
/// `VALIDATION` of `snils`.
pub fn optional_snils(value: Option<String>) -> Result<Option<Snils>, Error> {
    match value {
        Some(text) if !text.trim().is_empty() => Snils::parse(text.trim())
            .map(Some)
            .map_err(|error| Error::invalid("snils", format!("{text:?} is not a SNILS: {error}"))),
        _ => Ok(None),
    }
}

/// A card number (13 digits, Luhn).
///
/// # Errors
/// `VALIDATION` of `number`.
pub fn card_number(number: &str) -> Result<CardNumber, Error> {
    CardNumber::parse(number.trim())
        .map_err(|e| Error::invalid("number", format!("{number:?} is not a card number: {e}")))
}

/// Personal data as a form gives it: names trimmed and bounded, SNILS checked,
/// blank optional fields absent.
///
/// # Errors
/// `VALIDATION` of the field at fault.
pub fn personal_data(form: PersonalForm) -> Result<PersonalData, Error> {
    Ok(PersonalData {
        last_name: text(form.last_name, "lastName", MAX_NAME_CHARS)?,
        first_name: text(form.first_name, "firstName", MAX_NAME_CHARS)?,
        patronymic: optional_text(form.patronymic, "patronymic", MAX_NAME_CHARS)?,
        birth_date: form.birth_date,
        snils: optional_snils(form.snils)?,
        email: optional_email(form.email)?,
        phone: optional_text(form.phone, "phone", MAX_NAME_CHARS)?,
    })
}

/// The personal fields of an admission or application form, as given.
#[derive(Clone, Debug)]
pub struct PersonalForm {
    /// Surname.
    pub last_name: String,
    /// Given name.
    pub first_name: String,
    /// Patronymic.
    pub patronymic: Option<String>,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// SNILS, any spacing.
    pub snils: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
}

/// A count that may not be negative.
///
/// # Errors
/// `VALIDATION` of `field`.
pub fn count(value: Option<i64>, field: &'static str) -> Result<Option<u32>, Error> {
    value
        .map(|n| {
            u32::try_from(n).map_err(|_| {
                Error::invalid(field, format!("{field} must not be negative (got {n})"))
            })
        })
        .transpose()
}

/// A position or version that may not be negative.
///
/// # Errors
/// `VALIDATION` of `field`.
pub fn non_negative(value: i64, field: &'static str) -> Result<u64, Error> {
    u64::try_from(value)
        .map_err(|_| Error::invalid(field, format!("{field} must not be negative, got {value}")))
}

/// The version a client pinned (`expectedVersion`), if any.
///
/// # Errors
/// `VALIDATION` of `expectedVersion` when negative.
pub fn expected_version(value: Option<i64>) -> Result<Option<u64>, Error> {
    value
        .map(|v| {
            u64::try_from(v).map_err(|_| {
                Error::invalid(
                    "expectedVersion",
                    format!("expectedVersion {v} is negative"),
                )
            })
        })
        .transpose()
}

/// A region code of the federation, 1..=99 (whether the level takes one is the
/// charter's question).
///
/// # Errors
/// `VALIDATION` of `regionCode`.
pub fn region_code(code: Option<i64>) -> Result<Option<u8>, Error> {
    code.map(|code| {
        u8::try_from(code)
            .ok()
            .filter(|code| (1..=99).contains(code))
            .ok_or_else(|| {
                Error::invalid("regionCode", format!("a region code is 1..99 (got {code})"))
            })
    })
    .transpose()
}

/// The page size `first` asks for.
///
/// # Errors
/// `VALIDATION` of `first` when negative or above [`MAX_FIRST`] (a client
/// must learn that its page is smaller than it asked, not find out by
/// counting).
pub fn page_size(first: i64) -> Result<usize, Error> {
    page_size_of(first, "first")
}

/// A page size given as `field` (`first` or `last`).
///
/// # Errors
/// `VALIDATION` of `field` when negative or above [`MAX_FIRST`].
pub fn page_size_of(size: i64, field: &'static str) -> Result<usize, Error> {
    let checked = usize::try_from(size)
        .map_err(|_| Error::invalid(field, format!("{field} must not be negative, got {size}")))?;
    if checked > MAX_FIRST {
        return Err(Error::invalid(
            field,
            format!("a page holds at most {MAX_FIRST} items, {field} asked for {size}"),
        ));
    }
    Ok(checked)
}

/// A calendar date `YYYY-MM-DD` within [`FIRST_YEAR`]..=[`LAST_YEAR`]: how every
/// door reads a date (the GraphQL `Date` scalar, the command line's JSON).
///
/// # Errors
/// What is wrong, for the door to report as it reports bad input.
pub fn date(text: &str) -> Result<NaiveDate, String> {
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{text:?} is not a date YYYY-MM-DD"))?;
    if !(FIRST_YEAR..=LAST_YEAR).contains(&date.year()) || text.len() != 10 {
        return Err(format!(
            "{text:?} is outside {FIRST_YEAR}-01-01..{LAST_YEAR}-12-31"
        ));
    }
    Ok(date)
}

/// The date given, or `today` when omitted.
pub fn date_or(date: Option<NaiveDate>, today: NaiveDate) -> NaiveDate {
    date.unwrap_or(today)
}

/// Serde's reading of a date in an input, by [`date`]'s rule.
///
/// # Errors
/// [`date`]'s refusal.
pub fn deserialize_date<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(deserializer)?;
    date(&text).map_err(serde::de::Error::custom)
}

/// Serde's reading of an optional date in an input, by [`date`]'s rule.
///
/// # Errors
/// [`date`]'s refusal.
pub fn deserialize_optional_date<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<NaiveDate>, D::Error> {
    Option::<String>::deserialize(deserializer)?
        .map(|text| date(&text).map_err(serde::de::Error::custom))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_above_the_cap_is_refused_not_cut() {
        assert_eq!(page_size(0).unwrap(), 0);
        assert_eq!(page_size(1000).unwrap(), MAX_FIRST);
        for bad in [1001, 100_000, -1] {
            assert!(matches!(
                page_size(bad),
                Err(Error::Validation {
                    field: Some("first"),
                    ..
                })
            ));
            assert!(matches!(
                page_size_of(bad, "last"),
                Err(Error::Validation {
                    field: Some("last"),
                    ..
                })
            ));
        }
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(text("  Анна ".into(), "name", 10).unwrap(), "Анна");
        assert!(text("я".repeat(11), "name", 10).is_err());
        assert!(text("я".repeat(10), "name", 10).is_ok());
        assert_eq!(
            optional_text(Some("   ".into()), "phone", 10).unwrap(),
            None
        );
    }

    #[test]
    fn malformed_snils_and_emails_are_refused_with_their_field() {
        for bad in ["112-233-445 96", "12345", "abc"] {
            match optional_snils(Some(bad.into())) {
                Err(Error::Validation { field, .. }) => assert_eq!(field, Some("snils")),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(
            optional_snils(Some("112-233-445 95".into()))
                .unwrap()
                .is_some()
        );
        assert_eq!(optional_snils(Some(" ".into())).unwrap(), None);
        for bad in ["anna", "anna@", "@mail.ru", "an na@mail.ru", "a@b@mail.ru"] {
            assert!(optional_email(Some(bad.into())).is_err(), "{bad}");
        }
        assert!(optional_email(Some("anna@mail.ru".into())).is_ok());
    }

    #[test]
    fn counts_are_never_negative() {
        assert_eq!(count(Some(3), "employees").unwrap(), Some(3));
        assert!(count(Some(-1), "employees").is_err());
        assert_eq!(count(None, "employees").unwrap(), None);
    }

    #[test]
    fn dates_are_iso_and_within_the_registry_s_years() {
        assert_eq!(
            date("2025-09-01"),
            Ok(NaiveDate::from_ymd_opt(2025, 9, 1).unwrap())
        );
        for bad in [
            "2025-9-1",
            "01.09.2025",
            "1899-12-31",
            "2201-01-01",
            "+2025-09-01",
        ] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }
}
