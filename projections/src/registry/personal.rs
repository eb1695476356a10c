//! Personal data kept compactly: one byte per Cyrillic letter, packed in an arena.
//!
//! At 3.9M members a `String` per field (24 bytes, a heap block, two bytes per
//! Cyrillic letter) would cost more than the whole registry's budget. Here a
//! person's data is one entry in an [`Arena`] of 1 MiB pages, addressed by a
//! `u32` handle: 5 bytes of SNILS, the birth date as a varint, the three names
//! as numbers in the [`Dictionary`] of names, then the e-mail and phone as a
//! length and letters in the one-byte form of [`text`](crate::registry::text); an e-mail on a common
//! domain keeps the domain as one byte, a phone number made of digits and
//! `+ -()` two characters a byte. Erasure zeroes the entry's bytes in place and
//! releases its names, so no copy of the data stays in memory (a name stays
//! only while someone else has it too).

use chrono::{Datelike, NaiveDate};
use domain::snils::Snils;
use domain::vocabulary::person::PersonalData;
use serde::de::Visitor;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::registry::contacts::{push_email, push_phone, read_email, read_phone};
use crate::registry::dictionary::Dictionary;
use crate::registry::text::{decode_text, encode_text, push_len, read_len};

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

/// The arena in a snapshot: its pages as byte strings, the last one with
/// room again for the entries that follow.
impl Serialize for Arena {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Page<'a>(&'a [u8]);
        impl Serialize for Page<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_bytes(self.0)
            }
        }
        serializer.collect_seq(self.pages.iter().map(|page| Page(page)))
    }
}

impl<'de> Deserialize<'de> for Arena {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Arena, D::Error> {
        struct Page(Vec<u8>);
        impl<'de> Deserialize<'de> for Page {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Page, D::Error> {
                struct Bytes;
                impl Visitor<'_> for Bytes {
                    type Value = Page;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str("a page of personal data")
                    }
                    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Page, E> {
                        let mut page = Vec::with_capacity(PAGE_SIZE.max(bytes.len()));
                        page.extend_from_slice(bytes);
                        Ok(Page(page))
                    }
                }
                deserializer.deserialize_bytes(Bytes)
            }
        }
        let pages = Vec::<Page>::deserialize(deserializer)?;
        Ok(Arena {
            pages: pages.into_iter().map(|page| page.0).collect(),
        })
    }
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

/// Bytes of a SNILS (eleven digits fit in 37 bits).
const SNILS_BYTES: usize = 5;
/// Personal data in its compact form, its names counted in `names`.
pub(crate) fn encode(personal: &PersonalData, names: &mut Dictionary) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(48);
    bytes.extend_from_slice(&snils_key(personal.snils).to_le_bytes()[..SNILS_BYTES]);
    let days = personal.birth_date.num_days_from_ce();
    push_len(&mut bytes, ((days << 1) ^ (days >> 31)) as u32 as usize);
    push_name(&mut bytes, Some(&personal.last_name), names);
    push_name(&mut bytes, Some(&personal.first_name), names);
    push_name(&mut bytes, personal.patronymic.as_deref(), names);
    push_email(&mut bytes, personal.email.as_deref());
    push_phone(&mut bytes, personal.phone.as_deref());
    bytes
}

/// Personal data back from [`encode`]'s form; `None` for zeroed or malformed bytes.
pub(crate) fn decode(bytes: &[u8], names: &Dictionary) -> Option<PersonalData> {
    let snils = snils_of(bytes);
    let (birth_date, mut rest) = read_birth(bytes)?;
    let name = |id: Option<u32>| Some(decode_text(names.get(id?)?));
    let [last, first, patronymic] = read_names(&mut rest)?;
    Some(PersonalData {
        last_name: name(last)?,
        first_name: name(first)?,
        patronymic: match patronymic {
            Some(id) => Some(name(Some(id))?),
            None => None,
        },
        birth_date,
        snils: snils_from_key(snils),
        email: read_email(&mut rest)?,
        phone: read_phone(&mut rest)?,
    })
}

/// Releases the names of [`encode`]'s form from `names` (before it is zeroed).
pub(crate) fn release(bytes: &[u8], names: &mut Dictionary) {
    if let Some((_, mut rest)) = read_birth(bytes)
        && let Some(ids) = read_names(&mut rest)
    {
        ids.into_iter().flatten().for_each(|id| names.release(id));
    }
}

fn read_birth(bytes: &[u8]) -> Option<(NaiveDate, &[u8])> {
    let rest = bytes.get(SNILS_BYTES..)?;
    let (zigzag, used) = read_len(rest)?;
    let zigzag = u32::try_from(zigzag).ok()?;
    let days = (zigzag >> 1) as i32 ^ -((zigzag & 1) as i32);
    Some((
        NaiveDate::from_num_days_from_ce_opt(days)?,
        rest.get(used..)?,
    ))
}

/// A name as its number in the dictionary + 1 (0: absent).
fn push_name(out: &mut Vec<u8>, name: Option<&str>, names: &mut Dictionary) {
    let Some(name) = name else {
        out.push(0);
        return;
    };
    let mut encoded = Vec::with_capacity(name.len());
    encode_text(name, &mut encoded);
    push_len(out, names.acquire(&encoded) as usize + 1);
}

/// The numbers of surname, given name and patronymic; `None` when malformed.
fn read_names(rest: &mut &[u8]) -> Option<[Option<u32>; 3]> {
    let mut ids = [None; 3];
    for id in &mut ids {
        let (n, used) = read_len(rest)?;
        *rest = rest.get(used..)?;
        *id = n
            .checked_sub(1)
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    }
    Some(ids)
}

/// The SNILS of [`encode`]'s form, without decoding the rest; 0 when none.
pub(crate) fn snils_of(bytes: &[u8]) -> u64 {
    let mut key = [0u8; 8];
    match bytes.get(..SNILS_BYTES) {
        Some(b) => key[..SNILS_BYTES].copy_from_slice(b),
        None => return 0,
    }
    u64::from_le_bytes(key)
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
        let (mut arena, mut names) = (Arena::default(), Dictionary::default());
        let handle = arena.push(&encode(&anna(), &mut names));
        assert_eq!(decode(arena.get(handle), &names), Some(anna()));
        assert_eq!(snils_of(arena.get(handle)), 11_223_344_595);
    }

    #[test]
    fn a_zeroed_entry_holds_no_data() {
        let (mut arena, mut names) = (Arena::default(), Dictionary::default());
        let handle = arena.push(&encode(&anna(), &mut names));
        release(arena.get(handle), &mut names);
        arena.zero(handle);
        assert!(arena.get(handle).iter().all(|&b| b == 0));
        assert_eq!(names.get(0), None, "the surname was released");
        assert_eq!(decode(arena.get(handle), &names), None);
    }
}
