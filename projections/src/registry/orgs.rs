//! The organisation tree now: records by interned index, children in name order,
//! and member counts kept per subtree as members and organisations move.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::ids::OrgId;
use domain::organization::PassportFrom;
use domain::vocabulary::organization::{OrgLevel, Passport};

use serde::{Deserialize, Serialize};

use crate::registry::names::normalize;

/// The index of no organisation.
pub(crate) const NO_ORG: u32 = u32::MAX;

/// One organisation as the registry keeps it.
#[derive(Serialize, Deserialize)]
pub(crate) struct OrgRecord {
    pub(crate) org_id: OrgId,
    pub(crate) name: Box<str>,
    pub(crate) short_name: Option<Box<str>>,
    /// Name and short name, normalised for search.
    pub(crate) search_text: Box<str>,
    pub(crate) level: OrgLevel,
    /// Its own region code (regional organisations).
    pub(crate) region_code: Option<u8>,
    pub(crate) territorial_rights: bool,
    /// False for an organisation only named by other events so far.
    pub(crate) registered: bool,
    pub(crate) parent: u32,
    /// Children in (name, id) order.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub(crate) children: Vec<u32>,
    pub(crate) passport: Option<Box<(Passport, NaiveDate)>>,
    pub(crate) dissolved_on: Option<NaiveDate>,
    /// The day it was established; `None`: found in place.
    pub(crate) established_on: Option<NaiveDate>,
    /// Where the passport in effect now begins.
    pub(crate) passport_from: Option<PassportFrom>,
    pub(crate) version: u32,
    /// Active members whose home this is, in member order.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub(crate) active: Vec<u32>,
    /// Former members whose last home this is, in member order.
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub(crate) ended: Vec<u32>,
    /// Active members in the subtree, this organisation included.
    pub(crate) subtree_active: u32,
    /// Former members whose last home is in the subtree.
    pub(crate) subtree_ended: u32,
}

/// Which members a count or list is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MemberStatus {
    /// Active members.
    Active,
    /// Former members (by their last home).
    Ended,
}

/// Every organisation, interned as `u32` indexes in order of first mention.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct OrgTable {
    #[serde(deserialize_with = "crate::snapshot::exact::vec")]
    pub(crate) records: Vec<OrgRecord>,
    #[serde(deserialize_with = "crate::snapshot::exact::map")]
    by_id: HashMap<OrgId, u32>,
}

impl OrgTable {
    /// The index of `org_id`, if the registry has heard of it.
    pub(crate) fn find(&self, org_id: OrgId) -> Option<u32> {
        self.by_id.get(&org_id).copied()
    }

    /// The record at `org_idx`.
    pub(crate) fn get(&self, org_idx: u32) -> Option<&OrgRecord> {
        self.records.get(org_idx as usize)
    }

    /// The index of `org_id`, adding an unregistered placeholder if needed.
    pub(crate) fn intern(&mut self, org_id: OrgId) -> u32 {
        if let Some(&idx) = self.by_id.get(&org_id) {
            return idx;
        }
        let idx = u32::try_from(self.records.len()).unwrap_or(NO_ORG);
        if self.records.len() == self.records.capacity() {
            // An eighth more: doubling would leave up to half of ~180-byte
            // records unused (131,072 slots for 85,630 organisations).
            self.records.reserve_exact((self.records.len() / 8).max(64));
        }
        self.records.push(OrgRecord {
            org_id,
            name: Box::from(""),
            short_name: None,
            search_text: Box::from(""),
            level: OrgLevel::Primary,
            region_code: None,
            territorial_rights: false,
            registered: false,
            parent: NO_ORG,
            children: Vec::new(),
            passport: None,
            dissolved_on: None,
            established_on: None,
            passport_from: None,
            version: 0,
            active: Vec::new(),
            ended: Vec::new(),
            subtree_active: 0,
            subtree_ended: 0,
        });
        self.by_id.insert(org_id, idx);
        idx
    }

    /// The record at `org_idx`, for changing it.
    pub(crate) fn get_mut(&mut self, org_idx: u32) -> Option<&mut OrgRecord> {
        self.records.get_mut(org_idx as usize)
    }

    /// Gives `org_idx` a name, keeping its place among its siblings.
    pub(crate) fn rename(&mut self, org_idx: u32, name: &str, short_name: Option<&str>) {
        let parent = self.get(org_idx).map_or(NO_ORG, |org| org.parent);
        self.unlink_child(parent, org_idx);
        if let Some(org) = self.get_mut(org_idx) {
            org.name = name.into();
            org.short_name = short_name.map(Box::from);
            org.search_text = normalize(&format!("{name} {}", short_name.unwrap_or(""))).into();
        }
        self.link_child(parent, org_idx);
    }

    /// Puts `org_idx` under `parent` (or under nothing), carrying its subtree's counts.
    pub(crate) fn set_parent(&mut self, org_idx: u32, parent: u32) {
        let Some(org) = self.get(org_idx) else {
            return;
        };
        let (old_parent, active, ended) = (org.parent, org.subtree_active, org.subtree_ended);
        if old_parent == parent || self.is_within(parent, org_idx) {
            return;
        }
        self.unlink_child(old_parent, org_idx);
        self.add_along(old_parent, -i64::from(active), -i64::from(ended));
        if let Some(org) = self.get_mut(org_idx) {
            org.parent = parent;
        }
        self.link_child(parent, org_idx);
        self.add_along(parent, i64::from(active), i64::from(ended));
    }

    /// Adds a member of `status` at `home`: to its list and every count above.
    pub(crate) fn add_member(&mut self, home: u32, member_idx: u32, status: MemberStatus) {
        let Some(org) = self.get_mut(home) else {
            return;
        };
        let list = match status {
            MemberStatus::Active => &mut org.active,
            MemberStatus::Ended => &mut org.ended,
        };
        if let Err(at) = list.binary_search(&member_idx) {
            if list.len() == list.capacity() {
                // An eighth more: the lists hold every person, so doubling's
                // slack (25–50%) would cost tens of megabytes.
                list.reserve_exact((list.len() / 8).max(4));
            }
            list.insert(at, member_idx);
            self.count_along(home, status, 1);
        }
    }

    /// Takes a member of `status` off `home`'s list and every count above.
    pub(crate) fn remove_member(&mut self, home: u32, member_idx: u32, status: MemberStatus) {
        let Some(org) = self.get_mut(home) else {
            return;
        };
        let list = match status {
            MemberStatus::Active => &mut org.active,
            MemberStatus::Ended => &mut org.ended,
        };
        if let Ok(at) = list.binary_search(&member_idx) {
            list.remove(at);
            self.count_along(home, status, -1);
        }
    }

    /// `org_idx` and its ancestors, from it up to the root.
    pub(crate) fn ancestry(&self, org_idx: u32) -> impl Iterator<Item = u32> + '_ {
        let mut next = self.get(org_idx).map(|_| org_idx);
        // The tree never has a cycle (moves under a descendant are ignored), but a
        // bound keeps a corrupt one from looping.
        let mut steps = self.records.len();
        std::iter::from_fn(move || {
            let current = next?;
            steps = steps.checked_sub(1)?;
            next = self
                .get(current)
                .map(|org| org.parent)
                .filter(|&p| p != NO_ORG);
            Some(current)
        })
    }

    /// Whether `org_idx` is `root` or lies below it.
    pub(crate) fn is_within(&self, org_idx: u32, root: u32) -> bool {
        self.ancestry(org_idx).any(|idx| idx == root)
    }

    /// The region code of the regional organisation at or above `org_idx`.
    pub(crate) fn region_code(&self, org_idx: u32) -> Option<u8> {
        self.ancestry(org_idx)
            .find_map(|idx| self.get(idx).and_then(|org| org.region_code))
    }

    /// Members of `status` in the subtree of `org_idx`.
    pub(crate) fn subtree_count(&self, org_idx: u32, status: MemberStatus) -> u32 {
        self.get(org_idx).map_or(0, |org| match status {
            MemberStatus::Active => org.subtree_active,
            MemberStatus::Ended => org.subtree_ended,
        })
    }

    /// The position `child` has, or would have, among `parent`'s children.
    pub(crate) fn child_slot(&self, parent: u32, child: u32) -> Result<usize, usize> {
        let Some(siblings) = self.get(parent).map(|p| &p.children) else {
            return Err(0);
        };
        let key = |idx: u32| self.get(idx).map(|org| (&*org.name, org.org_id));
        let wanted = key(child);
        siblings.binary_search_by(|&s| key(s).cmp(&wanted))
    }

    /// Bytes held, roughly: records, their lists and names, and the id index.
    pub(crate) fn heap_bytes(&self) -> usize {
        let lists: usize = self
            .records
            .iter()
            .map(|o| {
                (o.children.capacity() + o.active.capacity() + o.ended.capacity()) * 4
                    + o.name.len()
                    + o.search_text.len()
                    + o.short_name.as_ref().map_or(0, |s| s.len())
                    + o.passport.as_ref().map_or(0, |p| {
                        let (p, _) = &**p;
                        std::mem::size_of::<(Passport, NaiveDate)>()
                            + p.chair_name.as_ref().map_or(0, String::capacity)
                            + p.address.as_ref().map_or(0, String::capacity)
                            + p.phone.as_ref().map_or(0, String::capacity)
                            + p.email.as_ref().map_or(0, String::capacity)
                    })
            })
            .sum();
        self.records.capacity() * std::mem::size_of::<OrgRecord>()
            + lists
            + crate::columns::hash_table_bytes(self.by_id.capacity(), 20)
    }

    fn link_child(&mut self, parent: u32, child: u32) {
        if let Err(at) = self.child_slot(parent, child)
            && let Some(p) = self.get_mut(parent)
        {
            p.children.insert(at, child);
        }
    }

    fn unlink_child(&mut self, parent: u32, child: u32) {
        if let Some(p) = self.get_mut(parent) {
            p.children.retain(|&c| c != child);
        }
    }

    fn count_along(&mut self, org_idx: u32, status: MemberStatus, delta: i64) {
        match status {
            MemberStatus::Active => self.add_along(org_idx, delta, 0),
            MemberStatus::Ended => self.add_along(org_idx, 0, delta),
        }
    }

    fn add_along(&mut self, org_idx: u32, active: i64, ended: i64) {
        let path: Vec<u32> = self.ancestry(org_idx).collect();
        for idx in path {
            if let Some(org) = self.get_mut(idx) {
                org.subtree_active = shift(org.subtree_active, active);
                org.subtree_ended = shift(org.subtree_ended, ended);
            }
        }
    }
}

fn shift(count: u32, delta: i64) -> u32 {
    u32::try_from((i64::from(count) + delta).max(0)).unwrap_or(u32::MAX)
}
