//! Personal data kept compactly: one byte per Cyrillic letter, packed in an arena.
//!
//! At 3.9M members a `String` per field (24 bytes, a heap block, two bytes per
//! Cyrillic letter) would cost more than the whole registry's budget. Here a
//! person's data is one entry in an [`Arena`] of 1 MiB pages, addressed by a
//! `u32` handle: 8 bytes of SNILS, 4 of birth date, then each text field as a
//! length and its letters in [`encode_text`]'s one-byte form. Erasure zeroes the
//! entry's bytes in place, so no copy of the data stays in memory.

use chrono::{Datelike, NaiveDate};
use domain::snils::Snils;
use domain::vocabulary::person::PersonalData;

/// The handle of no entry.
pub(crate) const NO_ENTRY: u32 = u32::MAX;

/// Bits of a handle that address a byte inside a page.
const PAGE_BITS: u32 = 20;
/// Bytes in a page: entries never straddle pages.
const PAGE_SIZE: usize = 1 << PAGE_BITS;

/// Byte-addressed storage for personal-data entries, in 1 MiB pages.
#[derive(Default)]
pub(crate) struct Arena {
    pages: Vec<Vec<u8>>,
}

impl Arena {
    /// Stores `bytes` and returns the entry's handle.
    pub(crate) fn push(&mut self, bytes: &[u8]) -> u32 {
        let mut entry = Vec::with_capacity(bytes.len() + 3);
        push_len(&mut entry, bytes.len());
        entry.extend_from_slice(bytes);
        let fits = self
            .pages
            .last()
            .is_some_and(|page| page.len() + entry.len() <= page.capacity());
        if !fits {
            // An entry larger than a page gets a page of its own, at offset 0.
            self.pages
                .push(Vec::with_capacity(PAGE_SIZE.max(entry.len())));
        }
        let page_idx = self.pages.len() - 1;
        let Some(page) = self.pages.last_mut() else {
            return NO_ENTRY;
        };
        let offset = page.len();
        page.extend_from_slice(&entry);
        let handle = (page_idx as u64) << PAGE_BITS | offset as u64;
        u32::try_from(handle).unwrap_or(NO_ENTRY)
    }

    /// The bytes of the entry at `handle`; empty for [`NO_ENTRY`] or a bad handle.
    pub(crate) fn get(&self, handle: u32) -> &[u8] {
        let Some((page, start, len)) = self.locate(handle) else {
            return &[];
        };
        self.pages[page].get(start..start + len).unwrap_or(&[])
    }

    /// Overwrites the entry at `handle` with zeros: its data is gone from memory.
    pub(crate) fn zero(&mut self, handle: u32) {
        if let Some((page, start, len)) = self.locate(handle)
            && let Some(bytes) = self.pages[page].get_mut(start..start + len)
        {
            bytes.fill(0);
        }
    }

    /// Bytes reserved by the arena.
    pub(crate) fn capacity(&self) -> usize {
        self.pages.iter().map(Vec::capacity).sum()
    }

    fn locate(&self, handle: u32) -> Option<(usize, usize, usize)> {
        if handle == NO_ENTRY {
            return None;
        }
        let page_idx = (handle >> PAGE_BITS) as usize;
        let offset = (handle & ((1 << PAGE_BITS) - 1)) as usize;
        let page = self.pages.get(page_idx)?;
        let (len, used) = read_len(page.get(offset..)?)?;
        Some((page_idx, offset + used, len))
    }
}

/// Personal data in its compact form.
pub(crate) fn encode(personal: &PersonalData) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(64);
    bytes.extend_from_slice(&snils_key(personal.snils).to_le_bytes());
    bytes.extend_from_slice(&personal.birth_date.num_days_from_ce().to_le_bytes());
    push_text(&mut bytes, Some(&personal.last_name));
    push_text(&mut bytes, Some(&personal.first_name));
    push_text(&mut bytes, personal.patronymic.as_deref());
    push_text(&mut bytes, personal.email.as_deref());
    push_text(&mut bytes, personal.phone.as_deref());
    bytes
}

/// Personal data back from [`encode`]'s form; `None` for zeroed or malformed bytes.
pub(crate) fn decode(bytes: &[u8]) -> Option<PersonalData> {
    let snils = u64::from_le_bytes(bytes.get(0..8)?.try_into().ok()?);
    let days = i32::from_le_bytes(bytes.get(8..12)?.try_into().ok()?);
    let birth_date = NaiveDate::from_num_days_from_ce_opt(days)?;
    let mut rest = bytes.get(12..)?;
    let last_name = read_text(&mut rest)??;
    let first_name = read_text(&mut rest)??;
    Some(PersonalData {
        last_name,
        first_name,
        patronymic: read_text(&mut rest)?,
        birth_date,
        snils: snils_from_key(snils),
        email: read_text(&mut rest)?,
        phone: read_text(&mut rest)?,
    })
}

/// The SNILS of [`encode`]'s form, without decoding the rest; 0 when none.
pub(crate) fn snils_of(bytes: &[u8]) -> u64 {
    bytes
        .get(0..8)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_le_bytes)
}

/// A SNILS as a number (its eleven digits); 0 for none.
pub(crate) fn snils_key(snils: Option<Snils>) -> u64 {
    snils.map_or(0, |s| s.digits().parse().unwrap_or(0))
}

fn snils_from_key(key: u64) -> Option<Snils> {
    (key != 0)
        .then(|| Snils::parse(&format!("{key:011}")).ok())
        .flatten()
}

/// Text in one byte per letter: ASCII as is, А..я and Ё/ё as 0x80..0xC1, any
/// other character as 0xFF and its four bytes.
pub(crate) fn encode_text(text: &str, out: &mut Vec<u8>) {
    for c in text.chars() {
        match c {
            '\0'..='\x7f' => out.push(c as u8),
            'А'..='я' => out.push(0x80 + (c as u32 - 'А' as u32) as u8),
            'Ё' => out.push(0xC0),
            'ё' => out.push(0xC1),
            _ => {
                out.push(0xFF);
                out.extend_from_slice(&(c as u32).to_le_bytes());
            }
        }
    }
}

/// Text back from [`encode_text`]'s form.
pub(crate) fn decode_text(mut bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 2);
    while let Some((&b, rest)) = bytes.split_first() {
        bytes = rest;
        let c = match b {
            0x00..=0x7F => char::from(b),
            0x80..=0xBF => char::from_u32('А' as u32 + u32::from(b - 0x80)).unwrap_or('?'),
            0xC0 => 'Ё',
            0xC1 => 'ё',
            _ => {
                let code = bytes
                    .get(0..4)
                    .and_then(|b| b.try_into().ok())
                    .map_or(0xFFFD, u32::from_le_bytes);
                bytes = bytes.get(4..).unwrap_or(&[]);
                char::from_u32(code).unwrap_or('\u{FFFD}')
            }
        };
        text.push(c);
    }
    text
}

/// A text field: its encoded length + 1 (0: absent), then its bytes.
fn push_text(out: &mut Vec<u8>, text: Option<&str>) {
    let Some(text) = text else {
        out.push(0);
        return;
    };
    let mut encoded = Vec::with_capacity(text.len());
    encode_text(text, &mut encoded);
    push_len(out, encoded.len() + 1);
    out.extend_from_slice(&encoded);
}

/// `None` when malformed; `Some(None)` for an absent field.
fn read_text(rest: &mut &[u8]) -> Option<Option<String>> {
    let (len, used) = read_len(rest)?;
    *rest = rest.get(used..)?;
    if len == 0 {
        return Some(None);
    }
    let text = decode_text(rest.get(..len - 1)?);
    *rest = rest.get(len - 1..)?;
    Some(Some(text))
}

/// A length as a little-endian base-128 varint.
fn push_len(out: &mut Vec<u8>, mut len: usize) {
    while len >= 0x80 {
        out.push((len as u8 & 0x7F) | 0x80);
        len >>= 7;
    }
    out.push(len as u8);
}

fn read_len(bytes: &[u8]) -> Option<(usize, usize)> {
    let mut len = 0usize;
    for (i, &b) in bytes.iter().enumerate().take(5) {
        len |= usize::from(b & 0x7F) << (7 * i);
        if b & 0x80 == 0 {
            return Some((len, i + 1));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anna() -> PersonalData {
        PersonalData {
            last_name: "Ёлкина-Smith".into(),
            first_name: "Анна".into(),
            patronymic: None,
            birth_date: NaiveDate::from_ymd_opt(1990, 4, 12).expect("a date"),
            snils: Snils::from_number(112_233_445),
            email: Some("anna@школа.рф ✓".into()),
            phone: Some(String::new()),
        }
    }

    #[test]
    fn personal_data_comes_back_as_it_went_in() {
        let mut arena = Arena::default();
        let handle = arena.push(&encode(&anna()));
        assert_eq!(decode(arena.get(handle)), Some(anna()));
        assert_eq!(snils_of(arena.get(handle)), 11_223_344_595);
    }

    #[test]
    fn a_zeroed_entry_holds_no_data() {
        let mut arena = Arena::default();
        let handle = arena.push(&encode(&anna()));
        arena.zero(handle);
        assert!(arena.get(handle).iter().all(|&b| b == 0));
        assert_eq!(decode(arena.get(handle)), None);
    }

    #[test]
    fn cyrillic_letters_take_one_byte() {
        let mut bytes = Vec::new();
        encode_text("Иванова", &mut bytes);
        assert_eq!(bytes.len(), 7);
        assert_eq!(decode_text(&bytes), "Иванова");
    }
}
