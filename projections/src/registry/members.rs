//! Members by interned index: compact records, and the indexes that find them by
//! id, by SNILS and by name.
//!
//! The id and SNILS indexes are hash tables of bare `u32` member indexes, hashed
//! by the key the record holds: 4 bytes a member instead of a copy of each key.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use chrono::NaiveDate;
use domain::ids::PersonId;
use domain::snils::Snils;
use domain::vocabulary::person::{EndReason, Gender, MemberCategory, PersonalData, Profession};
use hashbrown::HashTable;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::columns::Segmented;
use crate::columns::hash_table_bytes;
use crate::registry::dictionary::Dictionary;
use crate::registry::names::{self, NameIndex};
use crate::registry::orgs::NO_ORG;
use crate::registry::personal::{self, Arena, NO_ENTRY};

/// The index of no card.
pub(crate) const NO_CARD: u32 = u32::MAX;
/// The index of no interned text.
pub(crate) const NO_TEXT: u32 = u32::MAX;

/// One person as the registry keeps them (about 52 bytes).
#[derive(Serialize, Deserialize)]
pub(crate) struct MemberRecord {
    pub(crate) person_id: PersonId,
    /// The home now, or the last one after the membership ended.
    pub(crate) home: u32,
    pub(crate) version: u32,
    /// The personal data's entry in the arena; [`NO_ENTRY`] when none or erased.
    pub(crate) personal: u32,
    /// The newest card; older ones are chained through the card table.
    pub(crate) last_card: u32,
    /// The position held, interned; [`NO_TEXT`] when none.
    pub(crate) position: u32,
    /// First day of the current (or last) continuous membership.
    #[serde(with = "crate::snapshot::day")]
    pub(crate) joined_on: NaiveDate,
    #[serde(with = "crate::snapshot::day_opt")]
    pub(crate) ended_on: Option<NaiveDate>,
    pub(crate) birth_year: i16,
    pub(crate) gender: Gender,
    pub(crate) category: MemberCategory,
    pub(crate) profession: Option<Profession>,
    /// `None` while the membership goes on.
    pub(crate) end_reason: Option<EndReason>,
    pub(crate) active: bool,
    pub(crate) erased: bool,
}

/// Every person, with their indexes.
pub(crate) struct MemberTable {
    pub(crate) records: Segmented<MemberRecord>,
    /// Continuous memberships before the current one, for re-admitted members only.
    pub(crate) earlier: HashMap<u32, Vec<(NaiveDate, NaiveDate)>>,
    /// The stream version of the re-admission that opened the current (or
    /// last) membership, for re-admitted members only: what the person's
    /// stream holds before it belongs to earlier memberships.
    pub(crate) readmitted_at: HashMap<u32, u32>,
    pub(crate) names: NameIndex,
    arena: Arena,
    /// The names the arena's entries refer to.
    name_texts: Dictionary,
    by_id: HashTable<u32>,
    by_snils: HashTable<u32>,
    texts: Vec<Box<str>>,
    text_ids: HashMap<Box<str>, u32>,
    hasher: RandomState,
}

impl Default for MemberTable {
    fn default() -> MemberTable {
        MemberTable {
            records: Segmented::default(),
            earlier: HashMap::new(),
            readmitted_at: HashMap::new(),
            names: NameIndex::default(),
            arena: Arena::default(),
            name_texts: Dictionary::default(),
            by_id: HashTable::new(),
            by_snils: HashTable::new(),
            texts: Vec::new(),
            text_ids: HashMap::new(),
            hasher: RandomState::new(),
        }
    }
}

/// The table as a snapshot keeps it: the id and SNILS indexes are made again
/// from the records, and the positions' index from their texts.
#[derive(Serialize)]
struct KeptRef<'a> {
    records: &'a Segmented<MemberRecord>,
    earlier: &'a HashMap<u32, Vec<(NaiveDate, NaiveDate)>>,
    readmitted_at: &'a HashMap<u32, u32>,
    names: &'a NameIndex,
    arena: &'a Arena,
    name_texts: &'a Dictionary,
    texts: &'a [Box<str>],
}

#[derive(Deserialize)]
struct Kept {
    records: Segmented<MemberRecord>,
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    earlier: HashMap<u32, Vec<(NaiveDate, NaiveDate)>>,
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    readmitted_at: HashMap<u32, u32>,
    names: NameIndex,
    arena: Arena,
    name_texts: Dictionary,
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    texts: Vec<Box<str>>,
}

impl Serialize for MemberTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        KeptRef {
            records: &self.records,
            earlier: &self.earlier,
            readmitted_at: &self.readmitted_at,
            names: &self.names,
            arena: &self.arena,
            name_texts: &self.name_texts,
            texts: &self.texts,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for MemberTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<MemberTable, D::Error> {
        let kept = Kept::deserialize(deserializer)?;
        let mut table = MemberTable {
            records: kept.records,
            earlier: kept.earlier,
            readmitted_at: kept.readmitted_at,
            names: kept.names,
            arena: kept.arena,
            name_texts: kept.name_texts,
            by_id: HashTable::new(),
            by_snils: HashTable::new(),
            text_ids: kept
                .texts
                .iter()
                .enumerate()
                .map(|(id, text)| (text.clone(), u32::try_from(id).unwrap_or(NO_TEXT)))
                .collect(),
            texts: kept.texts,
            hasher: RandomState::new(),
        };
        table.index();
        Ok(table)
    }
}

impl MemberTable {
    /// Makes the id and SNILS indexes of the records as they are.
    fn index(&mut self) {
        let (records, arena, hasher) = (&self.records, &self.arena, &self.hasher);
        let snils_of = |i: u32| personal::snils_of(arena.get(records[i as usize].personal));
        self.by_id.reserve(records.len(), |&i| {
            hasher.hash_one(records[i as usize].person_id)
        });
        // Each SNILS's hash once: decoding one from the arena again for every
        // rehash of a growing table would cost more than the table.
        let mut holders = Vec::new();
        for (idx, record) in records.iter().enumerate() {
            let idx = u32::try_from(idx).unwrap_or(u32::MAX);
            self.by_id
                .insert_unique(hasher.hash_one(record.person_id), idx, |&i| {
                    hasher.hash_one(records[i as usize].person_id)
                });
            let key = snils_of(idx);
            if key != 0 {
                holders.push((hasher.hash_one(key), idx));
            }
        }
        self.by_snils
            .reserve(holders.len(), |&i| hasher.hash_one(snils_of(i)));
        for (hash, idx) in holders {
            self.by_snils
                .insert_unique(hash, idx, |&i| hasher.hash_one(snils_of(i)));
        }
    }

    /// The index of `person_id`, if known.
    pub(crate) fn find(&self, person_id: PersonId) -> Option<u32> {
        let hash = self.hasher.hash_one(person_id);
        let records = &self.records;
        self.by_id
            .find(hash, |&idx| records[idx as usize].person_id == person_id)
            .copied()
    }

    /// The index of `person_id`, adding a record (not yet a member) if needed.
    pub(crate) fn intern(&mut self, person_id: PersonId) -> u32 {
        if let Some(idx) = self.find(person_id) {
            return idx;
        }
        let idx = u32::try_from(self.records.len()).unwrap_or(u32::MAX);
        self.records.push(MemberRecord {
            person_id,
            home: NO_ORG,
            version: 0,
            personal: NO_ENTRY,
            last_card: NO_CARD,
            position: NO_TEXT,
            joined_on: NaiveDate::MIN,
            ended_on: None,
            birth_year: 0,
            gender: Gender::Female,
            category: MemberCategory::Worker,
            profession: None,
            end_reason: None,
            active: false,
            erased: false,
        });
        let (records, hasher) = (&self.records, &self.hasher);
        self.by_id
            .insert_unique(hasher.hash_one(person_id), idx, |&i| {
                hasher.hash_one(records[i as usize].person_id)
            });
        idx
    }

    /// The record at `member_idx`.
    pub(crate) fn get(&self, member_idx: u32) -> Option<&MemberRecord> {
        self.records.get(member_idx as usize)
    }

    /// The record at `member_idx`, for changing it.
    pub(crate) fn get_mut(&mut self, member_idx: u32) -> Option<&mut MemberRecord> {
        self.records.get_mut(member_idx as usize)
    }

    /// The member with `snils`, if any (erased persons are not found).
    pub(crate) fn find_by_snils(&self, snils: Snils) -> Option<u32> {
        let key = personal::snils_key(Some(snils));
        let (records, arena) = (&self.records, &self.arena);
        self.by_snils
            .find(self.hasher.hash_one(key), |&idx| {
                personal::snils_of(arena.get(records[idx as usize].personal)) == key
            })
            .copied()
    }

    /// The personal data of `member_idx`, unless none was given or it was erased.
    pub(crate) fn personal(&self, member_idx: u32) -> Option<PersonalData> {
        let handle = self.get(member_idx)?.personal;
        personal::decode(self.arena.get(handle), &self.name_texts)
    }

    /// The normalised full name of `member_idx`, for checking a search match.
    pub(crate) fn search_name(&self, member_idx: u32) -> Option<String> {
        let p = self.personal(member_idx)?;
        Some(names::full_name(
            &p.last_name,
            &p.first_name,
            p.patronymic.as_deref(),
        ))
    }

    /// Replaces the personal data of `member_idx` (`None`: erases it), keeping the
    /// name and SNILS indexes in step. Old bytes are zeroed.
    pub(crate) fn set_personal(&mut self, member_idx: u32, data: Option<&PersonalData>) {
        self.unindex(member_idx);
        let Some(record) = self.records.get_mut(member_idx as usize) else {
            return;
        };
        let old = record.personal;
        record.personal = data.map_or(NO_ENTRY, |p| {
            self.arena.push(&personal::encode(p, &mut self.name_texts))
        });
        personal::release(self.arena.get(old), &mut self.name_texts);
        self.arena.zero(old);
        let Some(data) = data else {
            return;
        };
        let name = names::full_name(
            &data.last_name,
            &data.first_name,
            data.patronymic.as_deref(),
        );
        self.names.insert(names::key(&name), member_idx);
        let key = personal::snils_key(data.snils);
        if key != 0 {
            let (records, arena, hasher) = (&self.records, &self.arena, &self.hasher);
            self.by_snils
                .insert_unique(hasher.hash_one(key), member_idx, |&i| {
                    hasher.hash_one(personal::snils_of(arena.get(records[i as usize].personal)))
                });
        }
    }

    /// The interned text `id`.
    pub(crate) fn text(&self, id: u32) -> Option<&str> {
        self.texts.get(id as usize).map(|t| &**t)
    }

    /// Interns `text` (positions repeat: "учитель" thousands of times).
    pub(crate) fn intern_text(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.text_ids.get(text) {
            return id;
        }
        let id = u32::try_from(self.texts.len()).unwrap_or(NO_TEXT);
        self.texts.push(text.into());
        self.text_ids.insert(text.into(), id);
        id
    }

    /// Bytes held by the table and its indexes, roughly (for measuring).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.records.heap_bytes()
            + self.arena.capacity()
            + self.name_texts.heap_bytes()
            + (self.by_id.capacity() + self.by_snils.capacity()) * 5
            + self.names.len() * 24
    }

    /// Bytes held per table, for memory reports.
    pub(crate) fn heap_report(&self) -> Vec<(&'static str, usize)> {
        let earlier: usize = self.earlier.values().map(|v| v.capacity() * 8 + 24).sum();
        vec![
            ("member records", self.records.heap_bytes()),
            ("personal data", self.arena.capacity()),
            ("names in personal data", self.name_texts.heap_bytes()),
            (
                "member id index",
                hash_table_bytes(self.by_id.capacity(), 4),
            ),
            ("SNILS index", hash_table_bytes(self.by_snils.capacity(), 4)),
            ("name index", self.names.heap_bytes()),
            (
                "earlier memberships",
                earlier
                    + hash_table_bytes(self.earlier.capacity(), 32)
                    + hash_table_bytes(self.readmitted_at.capacity(), 8),
            ),
        ]
    }

    fn unindex(&mut self, member_idx: u32) {
        let Some(record) = self.records.get(member_idx as usize) else {
            return;
        };
        let bytes = self.arena.get(record.personal);
        let key = personal::snils_of(bytes);
        if key != 0
            && let Ok(entry) = self
                .by_snils
                .find_entry(self.hasher.hash_one(key), |&i| i == member_idx)
        {
            entry.remove();
        }
        if let Some(name) = self.search_name(member_idx) {
            self.names.remove(names::key(&name), member_idx);
        }
    }
}
