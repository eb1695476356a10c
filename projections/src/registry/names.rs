//! Name search: "иванова м" finds Иванова Мария, in any case, with ё read as е.
//!
//! The index is a sorted list of (key, member) pairs. A key packs the first
//! [`KEY_SYMBOLS`] letters of "surname name patronymic" at six bits each, in an
//! order that agrees with the text's, so the members whose name starts with a
//! query form one contiguous range. Letters outside the Russian and Latin
//! alphabets share two symbols; a query that uses them, or is longer than a key,
//! is checked against the full name (see [`NameQuery::exact`]).
//!
//! Memory: the pairs sit in two sorted columns (12 bytes a member, where a
//! `BTreeSet` of pairs took about 26); changes since the last merge wait in two
//! small sets (added, and removed from the columns), merged into the columns in
//! place once they reach an eighth of them.

use std::collections::BTreeSet;
use std::ops::{Bound, RangeInclusive};

use serde::{Deserialize, Serialize};

/// Letters of the normalised name a key holds.
pub(crate) const KEY_SYMBOLS: usize = 10;
/// Bits per symbol.
const SYMBOL_BITS: u32 = 6;
/// Changes waiting in the sets before a merge, at least.
const MIN_PENDING: usize = 1024;
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
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct NameIndex {
    /// Merged entries, sorted by (key, member): the keys...
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    keys: Vec<u64>,
    /// ...and the members.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    members: Vec<u32>,
    /// Entries added since the last merge.
    added: BTreeSet<(u64, u32)>,
    /// Merged entries removed since the last merge.
    removed: BTreeSet<(u64, u32)>,
}

impl NameIndex {
    /// Adds `member_idx` under `key`. A member is under one key at a time, so
    /// the entry is new unless it was removed since the last merge (the columns
    /// are not searched: this runs for every person on a rebuild).
    pub(crate) fn insert(&mut self, key: u64, member_idx: u32) {
        let entry = (key, member_idx);
        if !self.removed.remove(&entry) {
            debug_assert!(!self.merged_contains(entry), "{entry:?} indexed twice");
            self.added.insert(entry);
            self.merge_if_due();
        }
    }

    /// Removes `member_idx` from under `key`.
    pub(crate) fn remove(&mut self, key: u64, member_idx: u32) {
        let entry = (key, member_idx);
        if !self.added.remove(&entry) && self.merged_contains(entry) {
            self.removed.insert(entry);
            self.merge_if_due();
        }
    }

    /// Entries with a key in `keys`, after `after` (a key and member) when given.
    pub(crate) fn range(
        &self,
        keys: &RangeInclusive<u64>,
        after: Option<(u64, u32)>,
    ) -> impl Iterator<Item = (u64, u32)> + '_ {
        let start = (*keys.start(), 0);
        let end = (*keys.end(), u32::MAX);
        let (from, skip_from) = match after {
            Some(after) if after >= start => (after, true),
            _ => (start, false),
        };
        let first = self.lower_bound(from, skip_from);
        let last = self.lower_bound(end, true).max(first);
        let merged = (first..last)
            .map(|i| (self.keys[i], self.members[i]))
            .filter(|entry| !self.removed.contains(entry));
        let added = (from <= end)
            .then(|| {
                let lower = if skip_from {
                    Bound::Excluded(from)
                } else {
                    Bound::Included(from)
                };
                self.added.range((lower, Bound::Included(end))).copied()
            })
            .into_iter()
            .flatten();
        Merged {
            a: merged.peekable(),
            b: added.peekable(),
            descending: false,
        }
    }

    /// Entries with a key in `keys`, before `before` (a key and member) when
    /// given, the last first: [`NameIndex::range`] backward.
    pub(crate) fn range_before(
        &self,
        keys: &RangeInclusive<u64>,
        before: Option<(u64, u32)>,
    ) -> impl Iterator<Item = (u64, u32)> + '_ {
        let start = (*keys.start(), 0);
        let end = (*keys.end(), u32::MAX);
        let (to, skip_to) = match before {
            Some(before) if before <= end => (before, true),
            _ => (end, false),
        };
        let first = self.lower_bound(start, false);
        let last = self.lower_bound(to, !skip_to).max(first);
        let merged = (first..last)
            .rev()
            .map(|i| (self.keys[i], self.members[i]))
            .filter(|entry| !self.removed.contains(entry));
        let added = (start <= to)
            .then(|| {
                let upper = if skip_to {
                    Bound::Excluded(to)
                } else {
                    Bound::Included(to)
                };
                self.added
                    .range((Bound::Included(start), upper))
                    .rev()
                    .copied()
            })
            .into_iter()
            .flatten();
        Merged {
            a: merged.peekable(),
            b: added.peekable(),
            descending: true,
        }
    }

    /// Entries in the index.
    pub(crate) fn len(&self) -> usize {
        self.keys.len() + self.added.len() - self.removed.len()
    }

    /// Bytes held: the columns, and B-tree leaves of 11 pairs, two thirds full.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.keys.capacity() * 8
            + self.members.capacity() * 4
            + (self.added.len() + self.removed.len()).div_ceil(7) * (11 * 16 + 16)
    }

    /// The first merged entry above `entry` (`past`) or at least `entry`.
    fn lower_bound(&self, entry: (u64, u32), past: bool) -> usize {
        let (keys, members) = (&self.keys, &self.members);
        let at = |i: usize| (keys[i], members[i]);
        partition_point(keys.len(), |i| {
            if past { at(i) <= entry } else { at(i) < entry }
        })
    }

    fn merged_contains(&self, entry: (u64, u32)) -> bool {
        let i = self.lower_bound(entry, false);
        i < self.keys.len() && (self.keys[i], self.members[i]) == entry
    }

    fn merge_if_due(&mut self) {
        if self.added.len() + self.removed.len() > MIN_PENDING.max(self.keys.len() / 8) {
            self.merge();
        }
    }

    /// Folds the pending sets into the columns, in place: drops the removed
    /// entries, then merges the added ones from the back.
    fn merge(&mut self) {
        if !self.removed.is_empty() {
            let mut kept = 0;
            for i in 0..self.keys.len() {
                if !self.removed.contains(&(self.keys[i], self.members[i])) {
                    self.keys[kept] = self.keys[i];
                    self.members[kept] = self.members[i];
                    kept += 1;
                }
            }
            self.keys.truncate(kept);
            self.members.truncate(kept);
            self.removed.clear();
        }
        let old = self.keys.len();
        let total = old + self.added.len();
        self.keys.reserve_exact(self.added.len());
        self.members.reserve_exact(self.added.len());
        self.keys.resize(total, 0);
        self.members.resize(total, 0);
        let (mut read, mut write) = (old, total);
        for &(key, member) in self.added.iter().rev() {
            while read > 0 && (self.keys[read - 1], self.members[read - 1]) > (key, member) {
                read -= 1;
                write -= 1;
                self.keys[write] = self.keys[read];
                self.members[write] = self.members[read];
            }
            write -= 1;
            self.keys[write] = key;
            self.members[write] = member;
        }
        self.added.clear();
    }
}

/// The first index in `0..len` where `below` is false (`below` holds for a prefix).
fn partition_point(len: usize, below: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if below(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// Two iterators of distinct entries, both ascending or both descending,
/// merged in that same order.
struct Merged<A: Iterator<Item = (u64, u32)>, B: Iterator<Item = (u64, u32)>> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
    descending: bool,
}

impl<A, B> Iterator for Merged<A, B>
where
    A: Iterator<Item = (u64, u32)>,
    B: Iterator<Item = (u64, u32)>,
{
    type Item = (u64, u32);

    fn next(&mut self) -> Option<(u64, u32)> {
        match (self.a.peek(), self.b.peek()) {
            (Some(a), Some(b)) if (b < a) != self.descending => self.b.next(),
            (Some(_), _) => self.a.next(),
            (None, _) => self.b.next(),
        }
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
    fn entries_come_back_in_key_then_member_order_across_merges() {
        let mut index = NameIndex::default();
        let mut model = BTreeSet::new();
        let names = [
            "иванова мария",
            "иванов петр",
            "петров",
            "иванова м",
            "ивашкин",
        ];
        // Enough changes for several merges, with removals of merged and of
        // pending entries.
        for n in 0..5_000u32 {
            let entry = (key(names[(n % 5) as usize]), n);
            index.insert(entry.0, entry.1);
            model.insert(entry);
            if n % 3 == 0 {
                let gone = (key(names[((n / 3) % 5) as usize]), n / 3);
                index.remove(gone.0, gone.1);
                model.remove(&gone);
            }
        }
        assert_eq!(index.len(), model.len());
        let query = NameQuery::new("иван").expect("q");
        let expected: Vec<_> = model
            .iter()
            .copied()
            .filter(|e| query.keys.contains(&e.0))
            .collect();
        assert!(expected.len() > 1_000);
        assert_eq!(index.range(&query.keys, None).collect::<Vec<_>>(), expected);
        let after = expected[expected.len() / 2];
        let rest: Vec<_> = expected.iter().copied().filter(|&e| e > after).collect();
        assert_eq!(
            index.range(&query.keys, Some(after)).collect::<Vec<_>>(),
            rest
        );
        let mut backward: Vec<_> = index.range_before(&query.keys, None).collect();
        backward.reverse();
        assert_eq!(backward, expected);
        let before: Vec<_> = expected
            .iter()
            .copied()
            .filter(|&e| e < after)
            .rev()
            .collect();
        assert_eq!(
            index
                .range_before(&query.keys, Some(after))
                .collect::<Vec<_>>(),
            before
        );
        assert_eq!(
            index.range_before(&query.keys, Some(expected[0])).count(),
            0
        );
        assert_eq!(index.range_before(&query.keys, Some((0, 0))).count(), 0);
        assert_eq!(
            index.range_before(&query.keys, Some((u64::MAX, 0))).count(),
            expected.len()
        );
        let last = *expected.last().expect("some");
        assert_eq!(index.range(&query.keys, Some(last)).count(), 0);
        assert_eq!(index.range(&query.keys, Some((u64::MAX, 0))).count(), 0);
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
