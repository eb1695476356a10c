//! The persons as the applier needs them: id to index, the last spell, the birth
//! year, and the rare profile histories.
//!
//! 6.6M persons make the id index the largest thing here after the spells, so it
//! is an open-addressing table of `u32` person indexes (4 bytes a slot, filled
//! to at most 3/4, of any length, growing by half) over a dense column of ids,
//! rather than a `HashMap<PersonId, u32>` (which at that size would double to
//! 8M slots of 20 bytes). The columns grow in fixed segments ([`Segmented`]),
//! so they hold what they need and never copy themselves.

use std::collections::HashMap;

use domain::ids::PersonId;
use serde::{Deserialize, Serialize};

use crate::columns::Segmented;
use crate::statistics::table::SpellRef;

/// One change of category or profession, effective from `day`, known from `pos`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ProfileChange {
    pub day: i32,
    pub pos: u32,
    /// `Some` when the event sets the category (an admission always does).
    pub category: Option<u8>,
    /// `Some(Some(_))` sets a profession, `Some(None)` clears it (an admission
    /// without one); `None` leaves it.
    pub profession: Option<Option<u8>>,
}

/// Every person seen, by index in order of first admission.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct Persons {
    ids: Segmented<PersonId>,
    /// Slots of person index + 1 (0: empty), at most 3/4 full.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    slots: Vec<u32>,
    /// The person's last spell ([`SpellRef::NONE`] before the first).
    pub last_spell: Segmented<SpellRef>,
    /// The birth year of the first admission's profile.
    pub birth_year: Segmented<i16>,
    /// The earlier spells of persons with more than one, oldest first.
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    pub earlier_spells: HashMap<u32, Vec<SpellRef>>,
    /// The profile changes of persons with more than one profile event
    /// (admissions and updates), in log order; their spells are deferred.
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    pub histories: HashMap<u32, Vec<ProfileChange>>,
    /// Persons whose spells are out of the charter's order: always deferred.
    #[serde(deserialize_with = "crate::snapshot::exact::set")]
    pub irregular: std::collections::HashSet<u32>,
}

impl Persons {
    /// The number of persons.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The index of `id`, if seen.
    pub fn find(&self, id: PersonId) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mut at = self.home(id);
        loop {
            match self.slots[at] {
                0 => return None,
                slot if self.ids[slot as usize - 1] == id => return Some(slot - 1),
                _ => at = self.next(at),
            }
        }
    }

    /// The index of `id`, adding the person if new.
    pub fn find_or_add(&mut self, id: PersonId, birth_year: i32) -> u32 {
        if let Some(person) = self.find(id) {
            return person;
        }
        if (self.ids.len() + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let person = self.ids.len() as u32;
        self.ids.push(id);
        self.last_spell.push(SpellRef::NONE);
        self.birth_year
            .push(i16::try_from(birth_year).unwrap_or(i16::MIN));
        self.place(person);
        person
    }

    /// The id of person `person`.
    pub fn id(&self, person: u32) -> PersonId {
        self.ids[person as usize]
    }

    /// Every spell of `person`, oldest first.
    pub fn spells(&self, person: u32) -> Vec<SpellRef> {
        let mut spells = self
            .earlier_spells
            .get(&person)
            .cloned()
            .unwrap_or_default();
        let last = self.last_spell[person as usize];
        if !last.is_none() {
            spells.push(last);
        }
        spells
    }

    /// Bytes held, for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.ids.heap_bytes()
            + self.slots.capacity() * 4
            + self.last_spell.heap_bytes()
            + self.birth_year.heap_bytes()
    }

    /// Bytes held per table, for memory reports.
    pub fn heap_report(&self) -> Vec<(&'static str, usize)> {
        let earlier: usize = self.earlier_spells.values().map(|v| v.capacity() * 8).sum();
        let histories: usize = self
            .histories
            .values()
            .map(|v| v.capacity() * std::mem::size_of::<ProfileChange>())
            .sum();
        vec![
            (
                "person ids and index",
                self.ids.heap_bytes() + self.slots.capacity() * 4,
            ),
            (
                "person columns",
                self.last_spell.heap_bytes() + self.birth_year.heap_bytes(),
            ),
            (
                "earlier spells, histories",
                earlier
                    + histories
                    + crate::columns::hash_table_bytes(self.earlier_spells.capacity(), 28)
                    + crate::columns::hash_table_bytes(self.histories.capacity(), 28)
                    + crate::columns::hash_table_bytes(self.irregular.capacity(), 4),
            ),
        ]
    }

    /// A table half full: growing by half keeps it between 1/2 and 3/4 full.
    fn grow(&mut self) {
        let len = (self.ids.len() * 2).max(1024);
        self.slots = Vec::new();
        self.slots = vec![0; len];
        for person in 0..self.ids.len() as u32 {
            self.place(person);
        }
    }

    fn place(&mut self, person: u32) {
        let mut at = self.home(self.ids[person as usize]);
        while self.slots[at] != 0 {
            at = self.next(at);
        }
        self.slots[at] = person + 1;
    }

    /// The first slot to probe for `id`: the hash scaled to the table's length.
    fn home(&self, id: PersonId) -> usize {
        ((hash(id) as u128 * self.slots.len() as u128) >> 64) as usize
    }

    fn next(&self, at: usize) -> usize {
        if at + 1 == self.slots.len() {
            0
        } else {
            at + 1
        }
    }
}

/// A well-mixed hash of a person id (v4 and v7 uuids alike: v7's leading bits
/// are a clock, so both halves are folded in and multiplied).
fn hash(id: PersonId) -> u64 {
    let bits = id.0.as_u128();
    let folded = (bits as u64) ^ ((bits >> 64) as u64).rotate_left(29);
    folded.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Category and profession on `day` known at `known_at`: the changes in
/// (day, position) order, folded, those after either bound left out.
pub(crate) fn profile_on(
    history: &[ProfileChange],
    day: i32,
    known_at: u32,
) -> (Option<u8>, Option<u8>) {
    let mut in_effect: Vec<&ProfileChange> = history
        .iter()
        .filter(|c| c.day <= day && c.pos <= known_at)
        .collect();
    in_effect.sort_by_key(|c| (c.day, c.pos));
    let (mut category, mut profession) = (None, None);
    for change in in_effect {
        if let Some(c) = change.category {
            category = Some(c);
        }
        if let Some(p) = change.profession {
            profession = p;
        }
    }
    (category, profession)
}
