//! Union card numbers: 2-digit region code, 10-digit sequence, 1 Luhn check digit.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A card number whose shape and Luhn digit have been verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardNumber(u64);

/// Why a text is not a card number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardNumberError {
    /// Not 13 digits.
    #[error("a card number has 13 digits")]
    Format,
    /// The last digit is not the Luhn check digit of the first twelve.
    #[error("the card number's check digit does not match")]
    Checksum,
    /// Region code out of 01..=99 or sequence out of range.
    #[error("region code must be 01..99 and the sequence below 10^10")]
    OutOfRange,
}

/// The largest sequence number a region can issue.
pub const MAX_SEQUENCE: u64 = 9_999_999_999;

impl CardNumber {
    /// The card number of `sequence` in region `region_code`.
    ///
    /// # Errors
    /// [`CardNumberError::OutOfRange`] unless the region code is 1..=99 and the
    /// sequence at most [`MAX_SEQUENCE`].
    pub fn new(region_code: u8, sequence: u64) -> Result<CardNumber, CardNumberError> {
        if !(1..=99).contains(&region_code) || sequence > MAX_SEQUENCE {
            return Err(CardNumberError::OutOfRange);
        }
        let body = format!("{region_code:02}{sequence:010}");
        let check = luhn::checksum(body.as_bytes()) - b'0';
        Ok(CardNumber(
            body.parse::<u64>().unwrap_or(0) * 10 + u64::from(check),
        ))
    }

    /// Parses the 13 digits (spaces allowed), checking the Luhn digit.
    ///
    /// # Errors
    /// [`CardNumberError::Format`] unless there are 13 digits,
    /// [`CardNumberError::Checksum`] when the Luhn digit is wrong,
    /// [`CardNumberError::OutOfRange`] for region code 00.
    pub fn parse(text: &str) -> Result<CardNumber, CardNumberError> {
        let digits: String = text.chars().filter(|c| *c != ' ').collect();
        if digits.len() != 13 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CardNumberError::Format);
        }
        if !luhn::valid(&digits) {
            return Err(CardNumberError::Checksum);
        }
        let number: u64 = digits.parse().map_err(|_| CardNumberError::Format)?;
        let card = CardNumber(number);
        if card.region_code() == 0 {
            return Err(CardNumberError::OutOfRange);
        }
        Ok(card)
    }

    /// The 13 digits as one number, for compact storage.
    pub fn as_number(&self) -> u64 {
        self.0
    }

    /// The card whose 13 digits are `number` ([`CardNumber::as_number`]);
    /// `None` unless they carry a region code and a valid Luhn digit.
    pub fn from_number(number: u64) -> Option<CardNumber> {
        if number >= 10_000_000_000_000 {
            return None;
        }
        let mut digits = [b'0'; 13];
        let mut rest = number;
        for digit in digits.iter_mut().rev() {
            *digit = b'0' + (rest % 10) as u8;
            rest /= 10;
        }
        let card = CardNumber(number);
        let valid = std::str::from_utf8(&digits).is_ok_and(luhn::valid);
        (valid && card.region_code() != 0).then_some(card)
    }

    /// The region code of the issuing regional organisation.
    pub fn region_code(&self) -> u8 {
        (self.0 / 100_000_000_000) as u8
    }

    /// The sequence number within the region.
    pub fn sequence(&self) -> u64 {
        (self.0 / 10) % 10_000_000_000
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:013}", self.0)
    }
}

impl FromStr for CardNumber {
    type Err = CardNumberError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CardNumber::parse(s)
    }
}

impl Serialize for CardNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for CardNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        CardNumber::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_number_carries_region_sequence_and_a_valid_luhn_digit() {
        let card = CardNumber::new(77, 1234567890).unwrap();
        assert_eq!(card.to_string().len(), 13);
        assert!(card.to_string().starts_with("771234567890"));
        assert_eq!(card.region_code(), 77);
        assert_eq!(card.sequence(), 1234567890);
        assert_eq!(CardNumber::parse(&card.to_string()), Ok(card));
    }

    #[test]
    fn a_number_kept_as_digits_reads_back_checked() {
        let card = CardNumber::new(77, 1234567890).unwrap();
        assert_eq!(CardNumber::from_number(card.as_number()), Some(card));
        assert_eq!(CardNumber::from_number(card.as_number() + 1), None);
        assert_eq!(CardNumber::from_number(10_000_000_000_000), None);
        assert_eq!(CardNumber::from_number(42), None);
    }

    #[test]
    fn a_mistyped_digit_is_caught() {
        let card = CardNumber::new(2, 42).unwrap().to_string();
        let mut typo = card.into_bytes();
        typo[5] = if typo[5] == b'9' { b'0' } else { typo[5] + 1 };
        let typo = String::from_utf8(typo).unwrap();
        assert_eq!(CardNumber::parse(&typo), Err(CardNumberError::Checksum));
    }

    #[test]
    fn bad_shapes_and_ranges_are_refused() {
        assert_eq!(CardNumber::parse("123"), Err(CardNumberError::Format));
        assert_eq!(
            CardNumber::parse("12345678901x3"),
            Err(CardNumberError::Format)
        );
        assert_eq!(CardNumber::new(0, 1), Err(CardNumberError::OutOfRange));
        assert_eq!(CardNumber::new(100, 1), Err(CardNumberError::OutOfRange));
        assert_eq!(
            CardNumber::new(1, MAX_SEQUENCE + 1),
            Err(CardNumberError::OutOfRange)
        );
    }
}
