//! The organisations as statistics need them: placements, dissolutions and
//! passports, each with its effective day and log position, and the spell chunk
//! of each organisation.
//!
//! Readers take an `Arc<Orgs>` and let go of the lock at once; the applier
//! changes organisations copy-on-write (`Arc::make_mut`), which copies only when
//! a report holds the old version, and organisation events are rare after the
//! first load.

use std::collections::HashMap;
use std::sync::Arc;

use domain::ids::OrgId;
use domain::vocabulary::organization::OrgLevel;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::statistics::table::Chunk;

/// "No organisation" in parent and primary links.
pub(crate) const NONE: u32 = u32::MAX;

/// A dated change of one organisation, known from `pos` on, effective from `day` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Dated<T> {
    pub day: i32,
    pub pos: u32,
    pub value: T,
}

/// The figures of a passport statistics use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PassportFigures {
    /// Index into `SECTORS`, if the passport names a sector.
    pub sector: Option<u8>,
    pub employees: u32,
    pub students: u32,
}

/// Every organisation, by index in registration order.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Orgs {
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub ids: Vec<OrgId>,
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    pub index: HashMap<OrgId, u32>,
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub level: Vec<OrgLevel>,
    /// Position of `OrganizationRegistered`.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub registered_pos: Vec<u32>,
    /// The day it was established ([`i32::MIN`]: found in place, always there).
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub established: Vec<i32>,
    /// The region code of a regional organisation.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub region_code: Vec<Option<u8>>,
    /// The parent at registration ([`NONE`] for the root).
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub registered_parent: Vec<u32>,
    /// Moves, in log order: the parent from `day` on.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub moves: Vec<Vec<Dated<u32>>>,
    /// Organisations with at least one move, in the order of their first move.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub moved: Vec<u32>,
    /// `OrganizationDissolved`, if any: gone from `day` on.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub dissolved: Vec<Option<Dated<()>>>,
    /// Passport versions, in log order.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub passports: Vec<Vec<Dated<PassportFigures>>>,
    /// Every organisation that was ever a child of this one, registration or
    /// move: a superset of the subtree on any date, for movement.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub ever_children: Vec<Vec<u32>>,
    /// The spells whose home is this organisation.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub chunks: Vec<Arc<RwLock<Chunk>>>,
    /// Changes whenever a placement changes (registration or move): tree
    /// versions built before are stale.
    pub generation: u64,
}

impl Orgs {
    /// The number of organisations.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// The parent of `org` on `day`, as known at `known_at`: the latest move (by
    /// effective day, then position) in effect, else the registration parent.
    pub fn parent_on(&self, org: u32, day: i32, known_at: u32) -> u32 {
        latest(&self.moves[org as usize], day, known_at)
            .map_or(self.registered_parent[org as usize], |m| m.value)
    }

    /// Whether `org` is known at `known_at`, established on `day` and not
    /// dissolved on it.
    pub fn exists_on(&self, org: u32, day: i32, known_at: u32) -> bool {
        let o = org as usize;
        self.registered_pos[o] <= known_at
            && self.established[o] <= day
            && !self.dissolved[o].is_some_and(|d| d.pos <= known_at && d.day <= day)
    }

    /// The passport figures of `org` on `day`, as known at `known_at`.
    pub fn passport_on(&self, org: u32, day: i32, known_at: u32) -> PassportFigures {
        latest(&self.passports[org as usize], day, known_at)
            .map(|p| p.value)
            .unwrap_or_default()
    }

    /// Bytes held by the organisation columns and each chunk's header (its
    /// `Arc`, lock and column headers; the columns are the chunk's own).
    pub fn heap_bytes(&self) -> usize {
        let lists: usize = (0..self.len())
            .map(|o| {
                self.moves[o].capacity() * std::mem::size_of::<Dated<u32>>()
                    + self.passports[o].capacity() * std::mem::size_of::<Dated<PassportFigures>>()
                    + self.ever_children[o].capacity() * 4
            })
            .sum();
        let per_org = std::mem::size_of::<OrgId>()
            + std::mem::size_of::<OrgLevel>()
            + 14
            + 3 * std::mem::size_of::<Vec<u32>>()
            + std::mem::size_of::<Option<Dated<()>>>()
            + std::mem::size_of::<Arc<RwLock<Chunk>>>()
            + std::mem::size_of::<RwLock<Chunk>>()
            + 16;
        lists
            + self.ids.capacity() * per_org
            + crate::columns::hash_table_bytes(self.index.capacity(), 20)
    }

    /// Whether `ancestor` is `org` or above it on `day`, as known at `known_at`.
    pub fn is_within(&self, mut org: u32, ancestor: u32, day: i32, known_at: u32) -> bool {
        // The tree is shallow (six levels); the bound only guards a corrupt log.
        for _ in 0..64 {
            if org == ancestor {
                return true;
            }
            if org == NONE {
                return false;
            }
            org = self.parent_on(org, day, known_at);
        }
        false
    }
}

/// The version in effect on `day` as known at `known_at`: the greatest (day,
/// position) with both at most the bounds.
pub(crate) fn latest<T>(versions: &[Dated<T>], day: i32, known_at: u32) -> Option<&Dated<T>> {
    versions
        .iter()
        .filter(|v| v.day <= day && v.pos <= known_at)
        .max_by_key(|v| (v.day, v.pos))
}
