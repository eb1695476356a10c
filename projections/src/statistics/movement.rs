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

use chrono::NaiveDate;
use domain::ids::OrgId;

use crate::statistics::bands::{END_REASONS, day};
use crate::statistics::orgs::Orgs;
use crate::statistics::table::{END_OPEN, END_REASON_BIT, NO_ORG};

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

/// Counts the flows of the subtree of `root` over [from, to] known at `p`.
///
/// Only organisations that were ever placed under `root` can hold a home that
/// was inside on some day; each of their spells is then checked exactly.
pub(crate) fn flows(orgs: &Orgs, root: u32, from: NaiveDate, to: NaiveDate, p: u32) -> Flows {
    let (from, to) = (day(from), day(to));
    let mut flows = Flows::default();
    let inside = |org: u32, on: i32| org != NO_ORG && orgs.is_within(org, root, on, p);
    for org in ever_below(orgs, root) {
        let chunk = orgs.chunks[org as usize].read();
        for i in 0..chunk.len() {
            if chunk.start_pos()[i] > p {
                continue;
            }
            let start = chunk.start()[i];
            if (from..=to).contains(&start) && inside(org, start) {
                match chunk.previous_home(i) {
                    NO_ORG => flows.admitted += 1,
                    previous if !inside(previous, start) => flows.transferred_in += 1,
                    _ => {}
                }
            }
            let end = chunk.end()[i];
            let info = chunk.end_info(i);
            if info == END_OPEN
                || chunk.end_pos()[i] > p
                || !(from..=to).contains(&end)
                || !inside(org, end)
            {
                continue;
            }
            if info & END_REASON_BIT != 0 {
                flows.ended_by_reason[(info & !END_REASON_BIT) as usize] += 1;
            } else if !inside(info, end) {
                flows.transferred_out += 1;
            }
        }
    }
    flows
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
