//! The spell table: one columnar chunk of membership spells per home organisation.
//!
//! Each organisation's spells sit in their own [`Chunk`] (one contiguous slice
//! per column), so a report scans exactly the chunks of its subtree, and a live
//! append touches one chunk under its own short write lock: a reader scanning
//! another organisation never waits, and one scanning this one waits for a push.
//!
//! A spell is 30 bytes in nine columns, kept in three buffers by type (and 8
//! more for each transfer that opened or closed it). The scan of a report reads five of them
//! (start, end, birth day, attributes, tenure before: 17 bytes) when the chunk
//! holds nothing newer than the report's position, and the two position
//! columns besides when it does.

use std::hash::Hasher;

use serde::{Deserialize, Serialize};

use crate::statistics::bands::FOREVER;

/// The fewest spells a chunk grows by.
const MIN_GROWTH: usize = 4;

/// Bytes of one spell across the columns.
pub(crate) const SPELL_BYTES: usize = 30;

/// "No position yet": the end position of an open spell.
pub(crate) const NO_POSITION: u32 = u32::MAX;
/// "No organisation": `from_org` of a spell opened by an admission.
pub(crate) const NO_ORG: u32 = u32::MAX;
/// `end_info` of an open spell.
pub(crate) const END_OPEN: u32 = u32::MAX;
/// `end_info` of a spell closed by `MembershipEnded`: this bit plus the reason index.
pub(crate) const END_REASON_BIT: u32 = 0x8000_0000;
/// `end_kind` of an open spell, of one closed by a transfer, and the first of
/// those closed by `MembershipEnded` (plus the reason index).
const END_BYTE_OPEN: u8 = 0;
const END_BYTE_TRANSFER: u8 = 1;
const END_BYTE_REASON: u8 = 2;

/// Attribute byte: bit 0 gender, bits 1–2 category, bits 3–5 profession
/// (7: none), bit 7 "deferred" (see [`DEFERRED`]).
pub(crate) const PROFESSION_NONE: u8 = 7;
/// The spell's figures are not all in its columns: the person's category or
/// profession changed (an update or a re-admission), or their spells are out of
/// the charter's order. Such spells are counted by the exact per-person walk.
pub(crate) const DEFERRED: u8 = 0x80;

/// Packs gender, category and profession indexes into an attribute byte.
pub(crate) fn attrs(gender: u8, category: u8, profession: Option<u8>) -> u8 {
    gender | (category << 1) | (profession.unwrap_or(PROFESSION_NONE) << 3)
}

/// The spells whose home is one organisation, column by column, in log order.
///
/// The columns live in three buffers by type (days, positions and indexes,
/// bytes), each `cap` spells a column, so a chunk is three allocations and a
/// small header rather than nine: with 85,000 chunks the headers and the
/// allocator's share of each block add up.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Chunk {
    /// Days: start, end, birth.
    days: Vec<i32>,
    /// Words: start position, end position, tenure before, person.
    words: Vec<u32>,
    /// Bytes: attributes, end kind.
    bytes: Vec<u8>,
    len: u32,
    cap: u32,
    /// The spells opened by a transfer, with the previous home: (spell, org),
    /// in spell order. Most spells open with an admission, so a column of
    /// [`NO_ORG`]s would cost 4 bytes a spell for a few transfers.
    pub transfers_in: Vec<(u32, u32)>,
    /// The spells closed by a transfer, with the next home: (spell, org), in
    /// spell order.
    pub transfers_out: Vec<(u32, u32)>,
    /// The largest position written in this chunk: a report known at a position
    /// at least this large skips the position columns.
    pub max_pos: u32,
}

/// Column numbers within each buffer.
const START: usize = 0;
const END: usize = 1;
const BIRTH: usize = 2;
const START_POS: usize = 0;
const END_POS: usize = 1;
const TENURE_BEFORE: usize = 2;
const PERSON: usize = 3;
const ATTRS: usize = 0;
const END_KIND: usize = 1;

/// A new spell, as the applier opens it.
pub(crate) struct NewSpell {
    pub start: i32,
    pub start_pos: u32,
    pub birth: i32,
    pub attrs: u8,
    pub tenure_before: u32,
    pub person: u32,
    pub from_org: u32,
}

impl Chunk {
    /// The number of spells.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    fn column<T>(buffer: &[T], column: usize, cap: usize, len: usize) -> &[T] {
        &buffer[column * cap..column * cap + len]
    }

    /// First day (day number).
    pub fn start(&self) -> &[i32] {
        Self::column(&self.days, START, self.cap as usize, self.len())
    }

    /// First day after the spell; [`FOREVER`] while open.
    pub fn end(&self) -> &[i32] {
        Self::column(&self.days, END, self.cap as usize, self.len())
    }

    /// The person's birth day (exact, or 1 July of the birth year once erased).
    pub fn birth(&self) -> &[i32] {
        Self::column(&self.days, BIRTH, self.cap as usize, self.len())
    }

    /// Position of the event that opened the spell.
    pub fn start_pos(&self) -> &[u32] {
        Self::column(&self.words, START_POS, self.cap as usize, self.len())
    }

    /// Position of the event that closed it; [`NO_POSITION`] while open.
    pub fn end_pos(&self) -> &[u32] {
        Self::column(&self.words, END_POS, self.cap as usize, self.len())
    }

    /// Tenure days of the person's earlier spells, all of which end before this
    /// one starts and were closed at positions before this one's start (checked
    /// when the spell is opened; a person for whom that fails is deferred).
    pub fn tenure_before(&self) -> &[u32] {
        Self::column(&self.words, TENURE_BEFORE, self.cap as usize, self.len())
    }

    /// The person (index into the applier's person table).
    pub fn person(&self) -> &[u32] {
        Self::column(&self.words, PERSON, self.cap as usize, self.len())
    }

    /// Gender, category and profession as the spell began (see [`attrs`]).
    pub fn attrs(&self) -> &[u8] {
        Self::column(&self.bytes, ATTRS, self.cap as usize, self.len())
    }

    /// How spell `i` ended, in a byte (see [`Chunk::end_info`]).
    fn end_kind(&self, i: usize) -> u8 {
        self.bytes[END_KIND * self.cap as usize + i]
    }

    /// Sets the birth day of spell `i`.
    pub fn set_birth(&mut self, i: usize, birth: i32) {
        self.days[BIRTH * self.cap as usize + i] = birth;
    }

    /// Sets `bits` in the attribute byte of spell `i`.
    pub fn mark_attrs(&mut self, i: usize, bits: u8) {
        self.bytes[ATTRS * self.cap as usize + i] |= bits;
    }

    /// Appends an open spell; returns its index in the chunk.
    pub fn push(&mut self, spell: NewSpell) -> u32 {
        if self.len == self.cap {
            self.grow();
        }
        let (idx, cap) = (self.len, self.cap as usize);
        let i = idx as usize;
        self.days[START * cap + i] = spell.start;
        self.days[END * cap + i] = FOREVER;
        self.days[BIRTH * cap + i] = spell.birth;
        self.words[START_POS * cap + i] = spell.start_pos;
        self.words[END_POS * cap + i] = NO_POSITION;
        self.words[TENURE_BEFORE * cap + i] = spell.tenure_before;
        self.words[PERSON * cap + i] = spell.person;
        self.bytes[ATTRS * cap + i] = spell.attrs;
        self.bytes[END_KIND * cap + i] = END_BYTE_OPEN;
        if spell.from_org != NO_ORG {
            self.transfers_in.push((idx, spell.from_org));
        }
        self.max_pos = self.max_pos.max(spell.start_pos);
        self.len += 1;
        idx
    }

    /// Room for an eighth more spells (at least [`MIN_GROWTH`]): a chunk is
    /// small, so growing gently costs little copying, and a loaded table holds
    /// about 6% of slack where doubling would hold 25–50%.
    fn grow(&mut self) {
        let (len, old) = (self.len(), self.cap as usize);
        let cap = len + (len / 8).max(MIN_GROWTH);
        self.days = regrow(&self.days, 3, old, cap, len);
        self.words = regrow(&self.words, 4, old, cap, len);
        self.bytes = regrow(&self.bytes, 2, old, cap, len);
        self.cap = u32::try_from(cap).unwrap_or(u32::MAX);
    }
    /// The previous home of spell `i` when a transfer opened it, else [`NO_ORG`].
    pub fn previous_home(&self, i: usize) -> u32 {
        self.transfers_in
            .binary_search_by_key(&(i as u32), |&(spell, _)| spell)
            .map_or(NO_ORG, |at| self.transfers_in[at].1)
    }

    /// [`END_OPEN`], the next home's index when a transfer closed spell `i`,
    /// or [`END_REASON_BIT`] | reason when `MembershipEnded` did.
    pub fn end_info(&self, i: usize) -> u32 {
        match self.end_kind(i) {
            END_BYTE_OPEN => END_OPEN,
            END_BYTE_TRANSFER => self
                .transfers_out
                .binary_search_by_key(&(i as u32), |&(spell, _)| spell)
                .map_or(END_OPEN, |at| self.transfers_out[at].1),
            reason => END_REASON_BIT | u32::from(reason - END_BYTE_REASON),
        }
    }

    /// Closes spell `idx` on `end` (the first day after it) at position `pos`.
    pub fn close(&mut self, idx: u32, end: i32, pos: u32, end_info: u32) {
        let (i, cap) = (idx as usize, self.cap as usize);
        self.days[END * cap + i] = end;
        self.words[END_POS * cap + i] = pos;
        self.bytes[END_KIND * cap + i] = if end_info == END_OPEN {
            END_BYTE_OPEN
        } else if end_info & END_REASON_BIT != 0 {
            END_BYTE_REASON.saturating_add((end_info & !END_REASON_BIT).min(250) as u8)
        } else {
            match self
                .transfers_out
                .binary_search_by_key(&idx, |&(spell, _)| spell)
            {
                Ok(at) => self.transfers_out[at].1 = end_info,
                Err(at) => self.transfers_out.insert(at, (idx, end_info)),
            }
            END_BYTE_TRANSFER
        };
        self.max_pos = self.max_pos.max(pos);
    }

    /// Feeds every column into `hasher`, for the projection's digest.
    pub fn hash_into(&self, hasher: &mut impl Hasher) {
        hasher.write_usize(self.len());
        for i in 0..self.len() {
            hasher.write_i32(self.start()[i]);
            hasher.write_i32(self.end()[i]);
            hasher.write_u32(self.start_pos()[i]);
            hasher.write_u32(self.end_pos()[i]);
            hasher.write_i32(self.birth()[i]);
            hasher.write_u8(self.attrs()[i]);
            hasher.write_u32(self.tenure_before()[i]);
            hasher.write_u32(self.person()[i]);
            hasher.write_u32(self.previous_home(i));
            hasher.write_u32(self.end_info(i));
        }
    }

    /// Bytes held by the columns (capacity, not length), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.days.capacity() * 4
            + self.words.capacity() * 4
            + self.bytes.capacity()
            + (self.transfers_in.capacity() + self.transfers_out.capacity()) * 8
    }
}

/// `buffer` of `columns` columns of `old` items each, as columns of `cap`
/// items, the first `len` of each kept (the rest default).
fn regrow<T: Copy + Default>(
    buffer: &[T],
    columns: usize,
    old: usize,
    cap: usize,
    len: usize,
) -> Vec<T> {
    let mut grown = vec![T::default(); columns * cap];
    for column in 0..columns {
        grown[column * cap..column * cap + len]
            .copy_from_slice(&buffer[column * old..column * old + len]);
    }
    grown
}

/// Where a spell is: its home organisation's index and its index in that chunk,
/// packed in a `u64` so the person table stays small.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SpellRef(pub u64);

impl SpellRef {
    /// No spell.
    pub const NONE: SpellRef = SpellRef(u64::MAX);

    /// The spell `idx` of organisation `org`.
    pub fn new(org: u32, idx: u32) -> SpellRef {
        SpellRef((u64::from(org) << 32) | u64::from(idx))
    }

    /// The home organisation's index.
    pub fn org(self) -> u32 {
        (self.0 >> 32) as u32
    }

    /// The index in the chunk.
    pub fn idx(self) -> u32 {
        self.0 as u32
    }

    /// Whether this is [`SpellRef::NONE`].
    pub fn is_none(self) -> bool {
        self == SpellRef::NONE
    }
}
