//! SNILS, the Russian individual insurance account number, with its checksum.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A SNILS whose checksum has been verified. Parse it once, at the edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Snils(u64);

/// Why a text is not a SNILS.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnilsError {
    /// Not 11 digits (spaces and dashes aside).
    #[error("a SNILS has 11 digits, e.g. 112-233-445 95")]
    Format,
    /// The last two digits do not match the first nine.
    #[error("the SNILS check digits do not match")]
    Checksum,
}

/// Numbers up to this one were issued before the checksum existed.
const LAST_UNCHECKED: u64 = 1_001_998;

impl Snils {
    /// Parses `112-233-445 95`, `11223344595` and the like, checking the checksum.
    ///
    /// # Errors
    /// [`SnilsError::Format`] unless there are exactly 11 digits (spaces and dashes
    /// are ignored), [`SnilsError::Checksum`] when the check digits are wrong.
    pub fn parse(text: &str) -> Result<Snils, SnilsError> {
        let mut digits = Vec::with_capacity(11);
        for c in text.chars() {
            match c {
                '0'..='9' => digits.push(c as u64 - '0' as u64),
                ' ' | '-' => {}
                _ => return Err(SnilsError::Format),
            }
        }
        if digits.len() != 11 {
            return Err(SnilsError::Format);
        }
        let number = digits[..9].iter().fold(0, |acc, d| acc * 10 + d);
        let check = digits[9] * 10 + digits[10];
        if number > LAST_UNCHECKED && check != Self::check_digits(number) {
            return Err(SnilsError::Checksum);
        }
        Ok(Snils(number * 100 + check))
    }

    /// Makes the SNILS with the given nine-digit number and its right check digits.
    /// Returns `None` when `number` has more than nine digits.
    pub fn from_number(number: u64) -> Option<Snils> {
        (number < 1_000_000_000).then(|| Snils(number * 100 + Self::check_digits(number)))
    }

    /// The check digits of a nine-digit number: the digits weighted 9..1 from the
    /// left, summed, then taken modulo 101, with 100 written as 00.
    fn check_digits(number: u64) -> u64 {
        let mut sum = 0;
        let mut rest = number;
        for weight in 1..=9 {
            sum += (rest % 10) * weight;
            rest /= 10;
        }
        (sum % 101) % 100
    }

    /// The eleven digits without separators.
    pub fn digits(&self) -> String {
        format!("{:011}", self.0)
    }
}

impl fmt::Display for Snils {
    /// The usual written form, `112-233-445 95`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.digits();
        write!(f, "{}-{}-{} {}", &d[0..3], &d[3..6], &d[6..9], &d[9..11])
    }
}

impl FromStr for Snils {
    type Err = SnilsError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Snils::parse(s)
    }
}

impl Serialize for Snils {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.digits())
    }
}

impl<'de> Deserialize<'de> for Snils {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Snils::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str, expected: Result<&str, SnilsError>) {
        assert_eq!(
            Snils::parse(text).map(|s| s.to_string()),
            expected.map(str::to_string)
        );
    }

    #[test]
    fn a_valid_snils_parses_in_any_usual_spelling() {
        check("112-233-445 95", Ok("112-233-445 95"));
        check("11223344595", Ok("112-233-445 95"));
    }

    #[test]
    fn a_wrong_check_number_is_refused() {
        check("112-233-445 96", Err(SnilsError::Checksum));
    }

    #[test]
    fn weighted_sums_of_100_and_101_give_check_digits_00() {
        // 001-326-679: the weighted sum is 100; 001-508-816: 101; 001-437-545: 102.
        check("001-326-679 00", Ok("001-326-679 00"));
        check("001-508-816 00", Ok("001-508-816 00"));
        check("001-437-545 01", Ok("001-437-545 01"));
        check("001-326-679 99", Err(SnilsError::Checksum));
    }

    #[test]
    fn early_numbers_have_no_checksum() {
        check("001-001-998 12", Ok("001-001-998 12"));
    }

    #[test]
    fn garbage_is_a_format_error() {
        check("", Err(SnilsError::Format));
        check("112-233-445", Err(SnilsError::Format));
        check("1122334459a", Err(SnilsError::Format));
        check("112233445950", Err(SnilsError::Format));
    }

    #[test]
    fn every_number_made_with_its_check_digits_parses_back() {
        for number in [1_001_999, 123_456_789, 999_999_999, 500_000_000] {
            let snils = Snils::from_number(number).unwrap();
            assert_eq!(Snils::parse(&snils.to_string()), Ok(snils));
        }
    }
}
