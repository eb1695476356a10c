//! The spell table: one columnar chunk of membership spells per home organisation.
//!
//! Each organisation's spells sit in their own [`Chunk`] (one contiguous slice
//! per column), so a report scans exactly the chunks of its subtree, and a live
//! append touches one chunk under its own short write lock: a reader scanning
//! another organisation never waits, and one scanning this one waits for a push.
//!
//! A spell is 37 bytes in ten columns. The scan of a report reads five of them
//! (start, end, birth day, attributes, tenure before: 17 bytes) when the chunk
//! holds nothing newer than the report's position, and the two position
//! columns besides when it does.

use std::hash::Hasher;

use crate::statistics::bands::FOREVER;

/// "No position yet": the end position of an open spell.
pub(crate) const NO_POSITION: u32 = u32::MAX;
/// "No organisation": `from_org` of a spell opened by an admission.
pub(crate) const NO_ORG: u32 = u32::MAX;
/// `end_info` of an open spell.
pub(crate) const END_OPEN: u32 = u32::MAX;
/// `end_info` of a spell closed by `MembershipEnded`: this bit plus the reason index.
pub(crate) const END_REASON_BIT: u32 = 0x8000_0000;

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
#[derive(Clone, Debug, Default)]
pub(crate) struct Chunk {
    /// First day (day number).
    pub start: Vec<i32>,
    /// First day after the spell; [`FOREVER`] while open.
    pub end: Vec<i32>,
    /// Position of the event that opened the spell.
    pub start_pos: Vec<u32>,
    /// Position of the event that closed it; [`NO_POSITION`] while open.
    pub end_pos: Vec<u32>,
    /// The person's birth day (exact, or 1 July of the birth year once erased).
    pub birth: Vec<i32>,
    /// Gender, category and profession as the spell began (see [`attrs`]).
    pub attrs: Vec<u8>,
    /// Tenure days of the person's earlier spells, all of which end before this
    /// one starts and were closed at positions before this one's start (checked
    /// when the spell is opened; a person for whom that fails is deferred).
    pub tenure_before: Vec<u32>,
    /// The person (index into the applier's person table).
    pub person: Vec<u32>,
    /// The previous home when opened by a transfer; [`NO_ORG`] for an admission.
    pub from_org: Vec<u32>,
    /// [`END_OPEN`], the next home's index when closed by a transfer, or
    /// [`END_REASON_BIT`] | reason when closed by `MembershipEnded`.
    pub end_info: Vec<u32>,
    /// The largest position written in this chunk: a report known at a position
    /// at least this large skips the position columns.
    pub max_pos: u32,
}

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
        self.start.len()
    }

    /// Appends an open spell; returns its index in the chunk.
    pub fn push(&mut self, spell: NewSpell) -> u32 {
        let idx = self.start.len() as u32;
        self.start.push(spell.start);
        self.end.push(FOREVER);
        self.start_pos.push(spell.start_pos);
        self.end_pos.push(NO_POSITION);
        self.birth.push(spell.birth);
        self.attrs.push(spell.attrs);
        self.tenure_before.push(spell.tenure_before);
        self.person.push(spell.person);
        self.from_org.push(spell.from_org);
        self.end_info.push(END_OPEN);
        self.max_pos = self.max_pos.max(spell.start_pos);
        idx
    }

    /// Closes spell `idx` on `end` (the first day after it) at position `pos`.
    pub fn close(&mut self, idx: u32, end: i32, pos: u32, end_info: u32) {
        let i = idx as usize;
        self.end[i] = end;
        self.end_pos[i] = pos;
        self.end_info[i] = end_info;
        self.max_pos = self.max_pos.max(pos);
    }

    /// Feeds every column into `hasher`, for the projection's digest.
    pub fn hash_into(&self, hasher: &mut impl Hasher) {
        hasher.write_usize(self.len());
        for i in 0..self.len() {
            hasher.write_i32(self.start[i]);
            hasher.write_i32(self.end[i]);
            hasher.write_u32(self.start_pos[i]);
            hasher.write_u32(self.end_pos[i]);
            hasher.write_i32(self.birth[i]);
            hasher.write_u8(self.attrs[i]);
            hasher.write_u32(self.tenure_before[i]);
            hasher.write_u32(self.person[i]);
            hasher.write_u32(self.from_org[i]);
            hasher.write_u32(self.end_info[i]);
        }
    }

    /// Bytes held by the columns (capacity, not length), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.start.capacity() * 4
            + self.end.capacity() * 4
            + self.start_pos.capacity() * 4
            + self.end_pos.capacity() * 4
            + self.birth.capacity() * 4
            + self.attrs.capacity()
            + self.tenure_before.capacity() * 4
            + self.person.capacity() * 4
            + self.from_org.capacity() * 4
            + self.end_info.capacity() * 4
    }
}

/// Where a spell is: its home organisation's index and its index in that chunk,
/// packed in a `u64` so the person table stays small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
