//! Name search: "иванова м" finds Иванова Мария, in any case, with ё read as е.
//!
//! The index is a sorted set of (key, member) pairs. A key packs the first
//! [`KEY_SYMBOLS`] letters of "surname name patronymic" at six bits each, in an
//! order that agrees with the text's, so the members whose name starts with a
//! query form one contiguous range. Letters outside the Russian and Latin
//! alphabets share two symbols; a query that uses them, or is longer than a key,
//! is checked against the full name (see [`NameQuery::exact`]).

use std::collections::BTreeSet;
use std::ops::RangeInclusive;

/// Letters of the normalised name a key holds.
pub(crate) const KEY_SYMBOLS: usize = 10;
/// Bits per symbol.
const SYMBOL_BITS: u32 = 6;
/// Symbol of a digit, and of any other character: both ambiguous.
const DIGIT: u64 = 3;
const OTHER: u64 = 62;

/// The name text as search compares it: lower case, ё as е, single spaces, trimmed.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in word.chars().flat_map(char::to_lowercase) {
            out.push(if c == 'ё' { 'е' } else { c });
        }
    }
    out
}

/// The normalised "surname name patronymic" of a person.
pub(crate) fn full_name(last: &str, first: &str, patronymic: Option<&str>) -> String {
    let mut text = format!("{last} {first}");
    if let Some(patronymic) = patronymic {
        text.push(' ');
        text.push_str(patronymic);
    }
    normalize(&text)
}

/// A search query, normalised, with the range of keys it covers.
pub(crate) struct NameQuery {
    /// The normalised query.
    pub(crate) text: String,
    /// The keys of every name that starts with the query (and maybe a few more).
    pub(crate) keys: RangeInclusive<u64>,
    /// Whether every name in `keys` starts with the query, with no check needed.
    pub(crate) exact: bool,
}

impl NameQuery {
    /// The query for `text`; `None` when it is blank.
    pub(crate) fn new(text: &str) -> Option<NameQuery> {
        let text = normalize(text);
        if text.is_empty() {
            return None;
        }
        let symbols: Vec<u64> = text.chars().map(symbol).collect();
        let used = symbols.len().min(KEY_SYMBOLS);
        let low = pack(&symbols[..used]);
        let free_bits = SYMBOL_BITS * (KEY_SYMBOLS - used) as u32 + 4;
        let high = low | ((1u64 << free_bits) - 1);
        let exact =
            symbols.len() <= KEY_SYMBOLS && symbols.iter().all(|&s| s != DIGIT && s != OTHER);
        Some(NameQuery {
            text,
            keys: low..=high,
            exact,
        })
    }

    /// Whether the normalised `name` matches.
    pub(crate) fn matches(&self, name: &str) -> bool {
        name.starts_with(&self.text)
    }
}

/// The key of a normalised name.
pub(crate) fn key(normalized: &str) -> u64 {
    let symbols: Vec<u64> = normalized.chars().take(KEY_SYMBOLS).map(symbol).collect();
    pack(&symbols)
}

/// Members by name key, in key order then member order.
#[derive(Default)]
pub(crate) struct NameIndex {
    entries: BTreeSet<(u64, u32)>,
}

impl NameIndex {
    /// Adds `member_idx` under `key`.
    pub(crate) fn insert(&mut self, key: u64, member_idx: u32) {
        self.entries.insert((key, member_idx));
    }

    /// Removes `member_idx` from under `key`.
    pub(crate) fn remove(&mut self, key: u64, member_idx: u32) {
        self.entries.remove(&(key, member_idx));
    }

    /// Entries with a key in `keys`, after `after` (a key and member) when given.
    pub(crate) fn range(
        &self,
        keys: &RangeInclusive<u64>,
        after: Option<(u64, u32)>,
    ) -> impl Iterator<Item = (u64, u32)> + '_ {
        let start = (*keys.start(), 0);
        let end = (*keys.end(), u32::MAX);
        let from = after.map_or(std::ops::Bound::Included(start), |after| {
            std::ops::Bound::Excluded(after.max(start))
        });
        self.entries
            .range((from, std::ops::Bound::Included(end)))
            .copied()
    }

    /// Entries in the index.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// Symbols in text order: pad < space < hyphen < digits < a..z < а..я; other
/// characters share one symbol.
fn symbol(c: char) -> u64 {
    match c {
        ' ' => 1,
        '-' => 2,
        '0'..='9' => DIGIT,
        'a'..='z' => 4 + u64::from(c as u32 - 'a' as u32),
        'а'..='я' => 30 + u64::from(c as u32 - 'а' as u32),
        _ => OTHER,
    }
}

fn pack(symbols: &[u64]) -> u64 {
    let mut key = 0u64;
    for (i, &s) in symbols.iter().take(KEY_SYMBOLS).enumerate() {
        key |= s << (64 - SYMBOL_BITS * (i as u32 + 1));
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizing_folds_case_yo_and_spaces() {
        assert_eq!(normalize("  ЁЛКИНА   Мария "), "елкина мария");
    }

    #[test]
    fn a_query_covers_exactly_the_names_that_start_with_it() {
        let query = NameQuery::new("Иванова м").expect("not blank");
        assert!(query.exact);
        for (name, found) in [
            ("иванова мария петровна", true),
            ("иванова м", true),
            ("иванова анна", false),
            ("иванов мирон", false),
        ] {
            assert_eq!(query.keys.contains(&key(name)), found, "{name}");
        }
    }

    #[test]
    fn key_order_is_text_order() {
        let mut names = [
            "ёжиков",
            "яковлева",
            "абрамов",
            "абрам",
            "smith",
            "абрам-заде",
        ];
        let mut by_key = names.map(normalize);
        by_key.sort_by_key(|n| key(n));
        names.sort_by_key(|n| normalize(n));
        assert_eq!(by_key.to_vec(), names.map(normalize).to_vec());
    }

    #[test]
    fn a_long_or_unusual_query_needs_a_check() {
        assert!(!NameQuery::new("константинопольская").expect("q").exact);
        assert!(!NameQuery::new("o'neil").expect("q").exact);
        assert!(NameQuery::new(" ").is_none());
    }
}
