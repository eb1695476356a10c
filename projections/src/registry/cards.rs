//! Union cards: one compact record each, chained per member, found by number.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

use chrono::NaiveDate;
use domain::card_number::CardNumber;
use domain::vocabulary::card::{CardBlockReason, CardKind};
use hashbrown::HashTable;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::columns::Segmented;
use crate::columns::hash_table_bytes;
use crate::registry::members::NO_CARD;

/// One card (32 bytes).
#[derive(Serialize, Deserialize)]
pub(crate) struct CardRecord {
    #[serde(with = "crate::snapshot::card_number")]
    pub(crate) number: CardNumber,
    pub(crate) member: u32,
    /// The member's card issued before this one; [`NO_CARD`] for the first.
    pub(crate) previous: u32,
    /// The member's home when the card was issued.
    pub(crate) issued_by: u32,
    #[serde(with = "crate::snapshot::day")]
    pub(crate) issued_on: NaiveDate,
    #[serde(with = "crate::snapshot::day_opt")]
    pub(crate) blocked_on: Option<NaiveDate>,
    pub(crate) kind: CardKind,
    pub(crate) block: BlockCode,
}

/// Why a card was blocked, in one byte; a requester's words are kept apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) enum BlockCode {
    NotBlocked,
    Replaced,
    MembershipEnded,
    Requested,
}

/// Every card ever issued.
#[derive(Default)]
pub(crate) struct CardTable {
    pub(crate) records: Segmented<CardRecord>,
    /// The words of cards blocked on request, by card index.
    pub(crate) requested: HashMap<u32, Box<str>>,
    by_number: HashTable<u32>,
    hasher: RandomState,
    /// The highest sequence issued per region code, so new numbers start above it.
    last_sequence: HashMap<u8, u64>,
}

/// The table as a snapshot keeps it: the number index is made again.
#[derive(Serialize)]
struct KeptRef<'a> {
    records: &'a Segmented<CardRecord>,
    requested: &'a HashMap<u32, Box<str>>,
    last_sequence: &'a HashMap<u8, u64>,
}

#[derive(Deserialize)]
struct Kept {
    records: Segmented<CardRecord>,
    requested: HashMap<u32, Box<str>>,
    last_sequence: HashMap<u8, u64>,
}

impl Serialize for CardTable {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        KeptRef {
            records: &self.records,
            requested: &self.requested,
            last_sequence: &self.last_sequence,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for CardTable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<CardTable, D::Error> {
        let kept = Kept::deserialize(deserializer)?;
        let mut table = CardTable {
            records: kept.records,
            requested: kept.requested,
            by_number: HashTable::with_capacity(0),
            hasher: RandomState::new(),
            last_sequence: kept.last_sequence,
        };
        let (records, hasher) = (&table.records, &table.hasher);
        table.by_number.reserve(records.len(), |&i| {
            hasher.hash_one(records[i as usize].number)
        });
        for (idx, record) in records.iter().enumerate() {
            let idx = u32::try_from(idx).unwrap_or(u32::MAX);
            table
                .by_number
                .insert_unique(hasher.hash_one(record.number), idx, |&i| {
                    hasher.hash_one(records[i as usize].number)
                });
        }
        Ok(table)
    }
}

impl CardTable {
    /// The index of the card `number`, if issued.
    pub(crate) fn find(&self, number: CardNumber) -> Option<u32> {
        let records = &self.records;
        self.by_number
            .find(self.hasher.hash_one(number), |&i| {
                records[i as usize].number == number
            })
            .copied()
    }

    /// The highest card sequence issued in `region_code` (0: none yet).
    pub(crate) fn last_sequence(&self, region_code: u8) -> u64 {
        self.last_sequence.get(&region_code).copied().unwrap_or(0)
    }

    /// The card at `card_idx`.
    pub(crate) fn get(&self, card_idx: u32) -> Option<&CardRecord> {
        self.records.get(card_idx as usize)
    }

    /// Adds a card; returns its index.
    pub(crate) fn issue(&mut self, record: CardRecord) -> u32 {
        let number = record.number;
        let last = self.last_sequence.entry(number.region_code()).or_default();
        *last = (*last).max(number.sequence());
        let idx = u32::try_from(self.records.len()).unwrap_or(NO_CARD);
        self.records.push(record);
        let (records, hasher) = (&self.records, &self.hasher);
        self.by_number
            .insert_unique(hasher.hash_one(number), idx, |&i| {
                hasher.hash_one(records[i as usize].number)
            });
        idx
    }

    /// Blocks the card at `card_idx` from `blocked_on`.
    pub(crate) fn block(&mut self, card_idx: u32, reason: &CardBlockReason, blocked_on: NaiveDate) {
        let Some(card) = self.records.get_mut(card_idx as usize) else {
            return;
        };
        card.blocked_on = Some(blocked_on);
        card.block = match reason {
            CardBlockReason::Replaced => BlockCode::Replaced,
            CardBlockReason::MembershipEnded => BlockCode::MembershipEnded,
            CardBlockReason::Requested(words) => {
                self.requested.insert(card_idx, words.as_str().into());
                BlockCode::Requested
            }
        };
    }

    /// Why the card at `card_idx` was blocked, as [`CardBlockReason::describe`] words.
    pub(crate) fn block_reason(&self, card_idx: u32) -> Option<String> {
        let card = self.get(card_idx)?;
        let reason = match card.block {
            BlockCode::NotBlocked => return None,
            BlockCode::Replaced => CardBlockReason::Replaced,
            BlockCode::MembershipEnded => CardBlockReason::MembershipEnded,
            BlockCode::Requested => CardBlockReason::Requested(
                self.requested
                    .get(&card_idx)
                    .map(|w| w.to_string())
                    .unwrap_or_default(),
            ),
        };
        Some(reason.describe().to_string())
    }

    /// The cards of a member, newest first, from their newest card.
    pub(crate) fn chain(&self, newest: u32) -> impl Iterator<Item = u32> + '_ {
        let mut next = newest;
        let mut steps = self.records.len();
        std::iter::from_fn(move || {
            let card = self.get(next)?;
            steps = steps.checked_sub(1)?;
            let current = next;
            next = card.previous;
            Some(current)
        })
    }

    /// Bytes held per table, for memory reports.
    pub(crate) fn heap_report(&self) -> Vec<(&'static str, usize)> {
        let words: usize = self.requested.values().map(|w| w.len()).sum();
        vec![
            ("card records", self.records.heap_bytes()),
            (
                "card number index",
                hash_table_bytes(self.by_number.capacity(), 4),
            ),
            (
                "card block words",
                words + hash_table_bytes(self.requested.capacity(), 24),
            ),
        ]
    }

    /// Bytes held, roughly (for measuring).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.records.heap_bytes() + self.by_number.capacity() * 5
    }
}
