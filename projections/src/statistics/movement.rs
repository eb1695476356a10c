//! Movement of a subtree over a period: who came, who went, and the net change.
//!
//! "Inside the subtree" is decided by the tree as of each event's effective day
//! (known at the movement's position): an admission on 3 March counts when the
//! home was under the subtree on 3 March, a transfer counts as in (out) when
//! its new (old) home was inside on the transfer day and the other one was not.
//! Transfers with both homes inside are not movement. `net` compares members on
//! `to` with members on the day before `from`, each in the tree of its own day,
//! so an organisation moved in or out during the period changes `net` without
//! being an admission or a transfer: `net` then differs from
//! admitted + in − out − ended, on purpose.
//!
//! One pass over the spells of the organisations ever placed under the root
//! counts the flows and both ends of `net` at once (two threads for a large
//! subtree); where a home is on each day is decided per organisation from the
//! trees of the days involved (see [`count`]), so the pass itself only compares
//! days.

use chrono::NaiveDate;
use domain::ids::OrgId;

use crate::statistics::bands::{END_REASONS, FOREVER, day};
use crate::statistics::orgs::{NONE, Orgs};
use crate::statistics::table::{Chunk, END_OPEN, END_REASON_BIT, NO_ORG};
use crate::statistics::tree::{TreeCache, TreeVersion};

/// Movement of one subtree over [from, to], both days included (the contract's `Movement`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Movement {
    /// The subtree's root.
    pub org: OrgId,
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day of the period.
    pub to: NaiveDate,
    /// The log position the figures reflect.
    pub known_at: u64,
    /// Admissions (first or re-admissions) into homes inside.
    pub admitted: u64,
    /// Transfers from a home outside to a home inside.
    pub transferred_in: u64,
    /// Transfers from a home inside to a home outside.
    pub transferred_out: u64,
    /// Memberships ended at a home inside.
    pub ended: u64,
    /// `ended` by reason, every reason in the contract's order.
    pub ended_by_reason: Vec<(&'static str, u64)>,
    /// Members on `to` minus members on the day before `from`.
    pub net: i64,
}

/// The event counts of a movement (all but `net`).
#[derive(Default)]
pub(crate) struct Flows {
    pub admitted: u64,
    pub transferred_in: u64,
    pub transferred_out: u64,
    pub ended_by_reason: [u64; 4],
}

/// What one pass over the spells counts: the flows, and the members on the
/// day before the period and on its last day (for `net`).
#[derive(Default)]
pub(crate) struct Counts {
    pub flows: Flows,
    pub members_before: u64,
    pub members_on_to: u64,
}

/// Below this many organisations the pass runs on the calling thread.
const PARALLEL_MIN_ORGS: usize = 4096;

/// Status bits of one organisation for one movement (see [`Period::status`]).
/// Inside the subtree on the day before the period.
const BEFORE: u8 = 1;
/// Inside on the period's last day.
const ON_TO: u8 = 2;
/// Inside on every day of the period.
const INSIDE: u8 = 4;
/// Inside on some days of the period and not others, or not known without a
/// walk: an organisation on its path up moved during the period.
const VARYING: u8 = 8;

/// One movement's question: the subtree, the days, the position.
struct Period<'a> {
    orgs: &'a Orgs,
    root: u32,
    before: i32,
    from: i32,
    to: i32,
    p: u32,
    /// Status bits per organisation; 0 for one never under `root`.
    status: Vec<u8>,
}

/// Counts the movement of the subtree of `root` over [from, to] known at `p`,
/// and the members on the day before `from` and on `to`, in one pass over the
/// spells of the organisations ever placed under `root`.
///
/// Whether a home is inside on a day is decided per organisation, not per
/// spell: the tree on the day before the period and the tree on its last day
/// give the members' two ends, and the tree on its first day gives the flows
/// of every organisation whose path up did not move during the period (its
/// parents then stay as they were on the first day). Only the spells of an
/// organisation under one that moved during the period are placed day by day.
pub(crate) fn count(
    orgs: &Orgs,
    trees: &TreeCache,
    root: u32,
    from: NaiveDate,
    to: NaiveDate,
    p: u32,
) -> Counts {
    let before = from.pred_opt().unwrap_or(from);
    let mut period = Period {
        orgs,
        root,
        before: day(before),
        from: day(from),
        to: day(to),
        p,
        status: vec![0; orgs.len()],
    };
    let below = ever_below(orgs, root);
    period.fill_status(trees, &below);
    let homes: Vec<u32> = below
        .into_iter()
        .filter(|&org| period.status[org as usize] != 0)
        .collect();
    if homes.len() < PARALLEL_MIN_ORGS {
        return period.scan(homes.iter().copied());
    }
    // Two threads, alternate organisations each, so both get big and small homes.
    let period = &period;
    let (mut counts, other) = std::thread::scope(|scope| {
        let odd = scope.spawn(|| period.scan(homes.iter().copied().skip(1).step_by(2)));
        let even = period.scan(homes.iter().copied().step_by(2));
        (even, odd.join().expect("a movement thread panicked"))
    });
    counts.add(&other);
    counts
}

impl Period<'_> {
    /// The status bits of every organisation in `below`.
    fn fill_status(&mut self, trees: &TreeCache, below: &[u32]) {
        let (orgs, p) = (self.orgs, self.p);
        let on_before = trees.on(orgs, self.before, p);
        let on_from = trees.on(orgs, self.from, p);
        let on_to = trees.on(orgs, self.to, p);
        // Organisations whose parent changes on a day of the period after the
        // first: everything below them on the first day may move in or out.
        let moved: Vec<u32> = orgs
            .moved
            .iter()
            .copied()
            .filter(|&org| {
                orgs.moves[org as usize]
                    .iter()
                    .any(|m| m.pos <= p && self.from < m.day && m.day <= self.to)
            })
            .collect();
        let varying = below_any(&on_from, &moved);
        for &org in below {
            let mut bits = 0;
            if within(&on_before, org, self.root) {
                bits |= BEFORE;
            }
            if within(&on_to, org, self.root) {
                bits |= ON_TO;
            }
            let slot = on_from.slot[org as usize];
            if slot == NONE || varying.get(slot as usize).copied().unwrap_or(false) {
                bits |= VARYING;
            } else if within(&on_from, org, self.root) {
                bits |= INSIDE;
            }
            self.status[org as usize] = bits;
        }
    }

    /// Whether `org` (a home or [`NO_ORG`]) is inside on `on`, a day of the period.
    fn inside(&self, org: u32, on: i32) -> bool {
        if org == NO_ORG {
            return false;
        }
        let bits = self.status[org as usize];
        if bits & VARYING != 0 {
            self.orgs.is_within(org, self.root, on, self.p)
        } else {
            bits & INSIDE != 0
        }
    }

    /// Counts the spells of `homes`.
    fn scan(&self, homes: impl Iterator<Item = u32>) -> Counts {
        let mut counts = Counts::default();
        for org in homes {
            let chunk = self.orgs.chunks[org as usize].read();
            if chunk.max_pos <= self.p {
                self.scan_chunk::<false>(org, &chunk, &mut counts);
            } else {
                self.scan_chunk::<true>(org, &chunk, &mut counts);
            }
        }
        counts
    }

    /// Counts one home's spells. `CHECK_POS`: some position in the chunk is
    /// after the movement's.
    #[inline(never)]
    fn scan_chunk<const CHECK_POS: bool>(&self, org: u32, chunk: &Chunk, counts: &mut Counts) {
        let bits = self.status[org as usize];
        let (count_before, count_to) = (bits & BEFORE != 0, bits & ON_TO != 0);
        let flows = bits & (INSIDE | VARYING) != 0;
        let (before, from, to, p) = (self.before, self.from, self.to, self.p);
        let n = chunk.len();
        let (start, end) = (&chunk.start()[..n], &chunk.end()[..n]);
        let (mut members_before, mut members_on_to) = (0, 0);
        for i in 0..n {
            if CHECK_POS && chunk.start_pos()[i] > p {
                continue;
            }
            let s = start[i];
            // A spell closed after the position is open as known then.
            let e = if CHECK_POS && chunk.end_pos()[i] > p {
                FOREVER
            } else {
                end[i]
            };
            members_before += u64::from(count_before & (s <= before) & (before < e));
            members_on_to += u64::from(count_to & (s <= to) & (to < e));
            if flows && from <= s && s <= to {
                self.started(org, chunk, i, s, &mut counts.flows);
            }
            if flows && from <= e && e <= to {
                self.ended(org, chunk, i, e, &mut counts.flows);
            }
        }
        counts.members_before += members_before;
        counts.members_on_to += members_on_to;
    }

    /// Spell `i` of `org` began on `s`, a day of the period.
    fn started(&self, org: u32, chunk: &Chunk, i: usize, s: i32, flows: &mut Flows) {
        if !self.inside(org, s) {
            return;
        }
        match chunk.previous_home(i) {
            NO_ORG => flows.admitted += 1,
            previous if !self.inside(previous, s) => flows.transferred_in += 1,
            _ => {}
        }
    }

    /// Spell `i` of `org` ended on `e`, a day of the period, as known at the position.
    fn ended(&self, org: u32, chunk: &Chunk, i: usize, e: i32, flows: &mut Flows) {
        let info = chunk.end_info(i);
        if info == END_OPEN || !self.inside(org, e) {
            return;
        }
        if info & END_REASON_BIT != 0 {
            flows.ended_by_reason[(info & !END_REASON_BIT) as usize] += 1;
        } else if !self.inside(info, e) {
            flows.transferred_out += 1;
        }
    }
}

/// Whether `org` is in the subtree of `root` in `tree`.
fn within(tree: &TreeVersion, org: u32, root: u32) -> bool {
    let (slot, root_slot) = (tree.slot[org as usize], tree.slot[root as usize]);
    slot != NONE && root_slot != NONE && root_slot <= slot && slot < tree.end[root_slot as usize]
}

/// By depth-first slot of `tree`: whether the slot is in the subtree of one of
/// `tops` (empty when `tops` is).
fn below_any(tree: &TreeVersion, tops: &[u32]) -> Vec<bool> {
    if tops.is_empty() {
        return Vec::new();
    }
    let n = tree.order.len();
    let mut depth = vec![0i32; n + 1];
    for &top in tops {
        let slot = tree.slot[top as usize];
        if slot != NONE {
            depth[slot as usize] += 1;
            depth[tree.end[slot as usize] as usize] -= 1;
        }
    }
    let mut open = 0;
    depth[..n]
        .iter()
        .map(|d| {
            open += d;
            open > 0
        })
        .collect()
}

impl Counts {
    fn add(&mut self, other: &Counts) {
        self.flows.admitted += other.flows.admitted;
        self.flows.transferred_in += other.flows.transferred_in;
        self.flows.transferred_out += other.flows.transferred_out;
        for (a, b) in self
            .flows
            .ended_by_reason
            .iter_mut()
            .zip(other.flows.ended_by_reason)
        {
            *a += b;
        }
        self.members_before += other.members_before;
        self.members_on_to += other.members_on_to;
    }
}

impl Flows {
    /// The movement of these flows with `net`.
    pub fn movement(
        &self,
        org: OrgId,
        from: NaiveDate,
        to: NaiveDate,
        known_at: u64,
        net: i64,
    ) -> Movement {
        Movement {
            org,
            from,
            to,
            known_at,
            admitted: self.admitted,
            transferred_in: self.transferred_in,
            transferred_out: self.transferred_out,
            ended: self.ended_by_reason.iter().sum(),
            ended_by_reason: END_REASONS
                .iter()
                .copied()
                .zip(self.ended_by_reason)
                .collect(),
            net,
        }
    }
}

/// `root` and every organisation that was ever a child of one of these, at
/// registration or by a move.
fn ever_below(orgs: &Orgs, root: u32) -> Vec<u32> {
    let mut seen = vec![false; orgs.len()];
    let mut found = vec![root];
    seen[root as usize] = true;
    let mut next = 0;
    while next < found.len() {
        let org = found[next];
        next += 1;
        for &child in &orgs.ever_children[org as usize] {
            if !std::mem::replace(&mut seen[child as usize], true) {
                found.push(child);
            }
        }
    }
    found
}
