//! The organisation tree as it stood on a date, as a depth-first order in which
//! every subtree is a contiguous range.
//!
//! Placements change only with moves, so the tree on (D, P) is determined by
//! which move of each moved organisation is in effect; that choice is the cache
//! key. A report on any date thus reuses the version built for the last move
//! before it, and building one (77K organisations) takes a few milliseconds.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::statistics::orgs::{NONE, Orgs};

/// How many tree versions are kept: reports cluster on a few dates.
const CACHED_VERSIONS: usize = 16;

/// The tree on one date: a pre-order of every organisation.
pub(crate) struct TreeVersion {
    /// Organisation index at each depth-first slot.
    pub order: Vec<u32>,
    /// Depth-first slot of each organisation.
    pub slot: Vec<u32>,
    /// One past the last slot of the subtree at each slot.
    pub end: Vec<u32>,
    /// The nearest PRIMARY at or above the organisation at each slot ([`NONE`]
    /// when none: levels above the primaries).
    pub primary: Vec<u32>,
}

/// Which move of each moved organisation is in effect: the tree's identity.
#[derive(Clone, PartialEq, Eq)]
struct Key {
    generation: u64,
    chosen: Vec<u32>,
}

/// Recently built tree versions.
#[derive(Default)]
pub(crate) struct TreeCache {
    versions: Mutex<Vec<(Key, Arc<TreeVersion>)>>,
}

impl TreeCache {
    /// The tree on `day` as known at `known_at`, built or from the cache.
    pub fn on(&self, orgs: &Orgs, day: i32, known_at: u32) -> Arc<TreeVersion> {
        let key = key(orgs, day, known_at);
        {
            let mut versions = self.versions.lock();
            if let Some(i) = versions.iter().position(|(k, _)| *k == key) {
                // Most recently used last.
                let hit = versions.remove(i);
                let tree = Arc::clone(&hit.1);
                versions.push(hit);
                return tree;
            }
        }
        // Built outside the lock: two reports may build the same version once.
        let tree = Arc::new(build(orgs, day, known_at));
        let mut versions = self.versions.lock();
        versions.retain(|(k, _)| k.generation == key.generation);
        if versions.len() >= CACHED_VERSIONS {
            versions.remove(0);
        }
        versions.push((key, Arc::clone(&tree)));
        tree
    }
}

fn key(orgs: &Orgs, day: i32, known_at: u32) -> Key {
    let chosen = orgs
        .moved
        .iter()
        .map(|&org| {
            let moves = &orgs.moves[org as usize];
            moves
                .iter()
                .enumerate()
                .filter(|(_, m)| m.day <= day && m.pos <= known_at)
                .max_by_key(|(_, m)| (m.day, m.pos))
                .map_or(NONE, |(i, _)| i as u32)
        })
        .collect();
    Key {
        generation: orgs.generation,
        chosen,
    }
}

fn build(orgs: &Orgs, day: i32, known_at: u32) -> TreeVersion {
    let n = orgs.len();
    let parents: Vec<u32> = (0..n as u32)
        .map(|org| orgs.parent_on(org, day, known_at))
        .collect();
    // Children in registration order (a counting sort into one flat array).
    let mut first_child = vec![0u32; n + 1];
    for &p in &parents {
        if p != NONE {
            first_child[p as usize + 1] += 1;
        }
    }
    for i in 0..n {
        first_child[i + 1] += first_child[i];
    }
    let mut fill = first_child.clone();
    let mut children = vec![0u32; first_child[n] as usize];
    for (org, &p) in parents.iter().enumerate() {
        if p != NONE {
            children[fill[p as usize] as usize] = org as u32;
            fill[p as usize] += 1;
        }
    }

    let mut tree = TreeVersion {
        order: Vec::with_capacity(n),
        slot: vec![NONE; n],
        end: vec![0; n],
        primary: Vec::with_capacity(n),
    };
    // Iterative pre-order; a frame is (organisation, next child offset).
    let mut stack: Vec<(u32, u32)> = Vec::new();
    for root in (0..n as u32).filter(|&org| parents[org as usize] == NONE) {
        enter(&mut tree, orgs, root, NONE);
        stack.push((root, first_child[root as usize]));
        while let Some(top) = stack.last_mut() {
            let (org, next) = *top;
            if next < first_child[org as usize + 1] {
                top.1 += 1;
                let child = children[next as usize];
                let above = tree.primary[tree.slot[org as usize] as usize];
                enter(&mut tree, orgs, child, above);
                stack.push((child, first_child[child as usize]));
            } else {
                tree.end[tree.slot[org as usize] as usize] = tree.order.len() as u32;
                stack.pop();
            }
        }
    }
    tree
}

fn enter(tree: &mut TreeVersion, orgs: &Orgs, org: u32, primary_above: u32) {
    let slot = tree.order.len() as u32;
    tree.slot[org as usize] = slot;
    tree.order.push(org);
    let is_primary =
        orgs.level[org as usize] == domain::vocabulary::organization::OrgLevel::Primary;
    tree.primary
        .push(if is_primary { org } else { primary_above });
}
