//! One report: the figures of a subtree on a date, known at a position, with
//! the same figures for each direct child.
//!
//! The subtree is a contiguous range of the tree version's depth-first order;
//! the range is cut into segments, one per listed child (and the root's own
//! segment), and each segment's chunks are scanned into that segment's
//! [`Tally`]. The whole union is split in two halves scanned on two threads,
//! each resolving its own deferred spells.

use chrono::NaiveDate;
use domain::ids::OrgId;
use domain::vocabulary::organization::OrgLevel;

use crate::statistics::bands::{
    AGE_BANDS, Bounds, CATEGORIES, GENDERS, PROFESSIONS, SECTORS, TENURE_BANDS,
};
use crate::statistics::orgs::{NONE, Orgs};
use crate::statistics::persons::{Persons, profile_on};
use crate::statistics::table::{Chunk, DEFERRED, PROFESSION_NONE};
use crate::statistics::tree::TreeVersion;

/// Below this many organisations a report is scanned on the calling thread:
/// a thread costs more than it saves on a territorial subtree.
const PARALLEL_MIN_ORGS: usize = 4096;

/// The figures of one subtree on one date (the contract's `Statistics`).
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The subtree's root.
    pub org: OrgId,
    /// The report date.
    pub as_of: NaiveDate,
    /// The log position the figures reflect.
    pub known_at: u64,
    /// Active members whose home is in the subtree on `as_of`.
    pub members: u64,
    /// Members aged 35 or younger.
    pub youth: u64,
    /// Sum of the passports' employees over the primaries in the subtree.
    pub employees: u64,
    /// Sum of the passports' students.
    pub students: u64,
    /// WORKER members / employees; `None` when employees is 0.
    pub worker_coverage: Option<f64>,
    /// STUDENT members / students; `None` when students is 0.
    pub student_coverage: Option<f64>,
    /// Members by gender, every value in the contract's order.
    pub by_gender: Vec<(&'static str, u64)>,
    /// Members by category on `as_of`.
    pub by_category: Vec<(&'static str, u64)>,
    /// Members with a profession, by profession on `as_of`.
    pub by_profession: Vec<(&'static str, u64)>,
    /// Members by age band.
    pub by_age_band: Vec<(&'static str, u64)>,
    /// Members by tenure band.
    pub by_tenure_band: Vec<(&'static str, u64)>,
    /// Members whose primary has a sector in its passport, by that sector.
    pub by_sector: Vec<(&'static str, u64)>,
    /// The same figures for each direct child on `as_of` (without their own breakdown).
    pub breakdown: Vec<Report>,
}

/// Counts of one segment; every array is indexed as the bucket names.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally {
    pub members: u64,
    pub gender: [u64; 2],
    pub category: [u64; 4],
    /// Index 7 (no profession) is counted and dropped, to keep the loop branch-free.
    pub profession: [u64; 8],
    pub age: [u64; 5],
    pub tenure: [u64; 5],
    pub sector: [u64; 7],
    pub employees: u64,
    pub students: u64,
}

/// A deferred spell: counted as a member, by gender and age in the scan; its
/// category, profession and tenure come from the exact per-person walk.
pub(crate) struct Deferred {
    tally: u32,
    person: u32,
    start: i32,
    tenure_before: u32,
    attrs: u8,
}

/// What one report reads: the organisations, the tree on the date, the bounds.
pub(crate) struct Scan<'a> {
    pub orgs: &'a Orgs,
    pub tree: &'a TreeVersion,
    pub bounds: Bounds,
    pub known_at: u32,
}

/// A run of depth-first slots counted into one tally.
#[derive(Clone, Copy)]
pub(crate) struct Segment {
    pub slots: (u32, u32),
    pub tally: u32,
}

impl Scan<'_> {
    /// Scans `segments` into `n_tallies` tallies and resolves the deferred
    /// spells with the person table (two threads when large).
    pub fn run(
        &self,
        segments: &[Segment],
        n_tallies: usize,
        persons: &parking_lot::RwLock<Persons>,
    ) -> Vec<Tally> {
        let n_orgs: u32 = segments.iter().map(|s| s.slots.1 - s.slots.0).sum();
        if (n_orgs as usize) < PARALLEL_MIN_ORGS {
            return self.counted(segments, n_tallies, persons);
        }
        let (left, right) = split(segments, n_orgs / 2);
        let (mut tallies, other) = std::thread::scope(|scope| {
            let right = scope.spawn(|| self.counted(&right, n_tallies, persons));
            let left = self.counted(&left, n_tallies, persons);
            (left, right.join().expect("a report thread panicked"))
        });
        for (tally, other) in tallies.iter_mut().zip(&other) {
            tally.add(other);
        }
        tallies
    }

    /// Scans `segments` and resolves their deferred spells, on this thread
    /// (each half of a large report resolves its own, in parallel).
    fn counted(
        &self,
        segments: &[Segment],
        n_tallies: usize,
        persons: &parking_lot::RwLock<Persons>,
    ) -> Vec<Tally> {
        let (mut tallies, deferred) = self.scan(segments, n_tallies);
        if !deferred.is_empty() {
            self.resolve(&mut tallies, &deferred, &persons.read());
        }
        tallies
    }

    fn scan(&self, segments: &[Segment], n_tallies: usize) -> (Vec<Tally>, Vec<Deferred>) {
        let mut tallies = vec![Tally::default(); n_tallies];
        let mut deferred = Vec::new();
        let (on, p) = (self.bounds.on, self.known_at);
        for segment in segments {
            let tally = &mut tallies[segment.tally as usize];
            for slot in segment.slots.0..segment.slots.1 {
                let org = self.tree.order[slot as usize];
                let primary = self.tree.primary[slot as usize];
                let sector = (primary != NONE)
                    .then(|| self.orgs.passport_on(primary, on, p).sector)
                    .flatten();
                if self.orgs.level[org as usize] == OrgLevel::Primary
                    && self.orgs.exists_on(org, on, p)
                {
                    let passport = self.orgs.passport_on(org, on, p);
                    tally.employees += u64::from(passport.employees);
                    tally.students += u64::from(passport.students);
                }
                let chunk = self.orgs.chunks[org as usize].read();
                let members = if chunk.max_pos <= p {
                    scan_chunk::<false>(
                        &chunk,
                        &self.bounds,
                        p,
                        tally,
                        &mut deferred,
                        segment.tally,
                    )
                } else {
                    scan_chunk::<true>(&chunk, &self.bounds, p, tally, &mut deferred, segment.tally)
                };
                if let Some(sector) = sector {
                    tally.sector[sector as usize] += members;
                }
            }
        }
        (tallies, deferred)
    }

    /// Category, profession and tenure of the deferred spells, person by person.
    fn resolve(&self, tallies: &mut [Tally], deferred: &[Deferred], persons: &Persons) {
        let (on, p) = (self.bounds.on, self.known_at);
        for spell in deferred {
            let tally = &mut tallies[spell.tally as usize];
            let mut category = (spell.attrs >> 1) & 3;
            let mut profession = Some((spell.attrs >> 3) & 7).filter(|&p| p != PROFESSION_NONE);
            if let Some(history) = persons.histories.get(&spell.person)
                && let (Some(c), in_effect) = profile_on(history, on, p)
            {
                category = c;
                profession = in_effect;
            }
            tally.category[category as usize] += 1;
            if let Some(profession) = profession {
                tally.profession[profession as usize] += 1;
            }
            let tenure = if persons.irregular.contains(&spell.person) {
                exact_tenure(self.orgs, persons, spell.person, on, p)
            } else {
                spell.tenure_before + (on - spell.start) as u32
            };
            tally.tenure[self.bounds.tenure_band(tenure)] += 1;
        }
    }
}

/// Tenure on `on` known at `p` by walking every spell of the person, exactly as
/// `domain::calendar::tenure_days` over the spells the log held at `p`.
pub(crate) fn exact_tenure(orgs: &Orgs, persons: &Persons, person: u32, on: i32, p: u32) -> u32 {
    persons
        .spells(person)
        .into_iter()
        .map(|spell| {
            let chunk = orgs.chunks[spell.org() as usize].read();
            let i = spell.idx() as usize;
            if chunk.start_pos()[i] > p {
                return 0;
            }
            let end = if chunk.end_pos()[i] <= p {
                chunk.end()[i]
            } else {
                crate::statistics::bands::FOREVER
            };
            crate::statistics::apply::days_before(chunk.start()[i], end, on)
        })
        .fold(0, u32::saturating_add)
}

/// Counts the spells of `chunk` covering the report date into `tally`; returns
/// how many. `CHECK_POS`: some position in the chunk is after the report's.
#[inline(never)]
fn scan_chunk<const CHECK_POS: bool>(
    chunk: &Chunk,
    bounds: &Bounds,
    p: u32,
    tally: &mut Tally,
    deferred: &mut Vec<Deferred>,
    tally_idx: u32,
) -> u64 {
    let n = chunk.len();
    let (start, end) = (&chunk.start()[..n], &chunk.end()[..n]);
    let (birth, attrs, tenure_before) = (
        &chunk.birth()[..n],
        &chunk.attrs()[..n],
        &chunk.tenure_before()[..n],
    );
    let on = bounds.on;
    let mut members = 0;
    for i in 0..n {
        let s = start[i];
        let covers = if CHECK_POS {
            s <= on && chunk.start_pos()[i] <= p && (on < end[i] || chunk.end_pos()[i] > p)
        } else {
            s <= on && on < end[i]
        };
        if !covers {
            continue;
        }
        members += 1;
        let a = attrs[i];
        tally.gender[usize::from(a & 1)] += 1;
        tally.age[bounds.age_band(birth[i])] += 1;
        if a & DEFERRED != 0 {
            deferred.push(Deferred {
                tally: tally_idx,
                person: chunk.person()[i],
                start: s,
                tenure_before: tenure_before[i],
                attrs: a,
            });
            continue;
        }
        tally.category[usize::from((a >> 1) & 3)] += 1;
        tally.profession[usize::from((a >> 3) & 7)] += 1;
        tally.tenure[bounds.tenure_band(tenure_before[i] + (on - s) as u32)] += 1;
    }
    tally.members += members;
    members
}

/// Splits `segments` into two lists at `at` organisations from the start.
fn split(segments: &[Segment], mut at: u32) -> (Vec<Segment>, Vec<Segment>) {
    let (mut left, mut right) = (Vec::new(), Vec::new());
    for &segment in segments {
        let len = segment.slots.1 - segment.slots.0;
        if at == 0 {
            right.push(segment);
        } else if len <= at {
            left.push(segment);
            at -= len;
        } else {
            let cut = segment.slots.0 + at;
            left.push(Segment {
                slots: (segment.slots.0, cut),
                tally: segment.tally,
            });
            right.push(Segment {
                slots: (cut, segment.slots.1),
                tally: segment.tally,
            });
            at = 0;
        }
    }
    (left, right)
}

impl Tally {
    pub fn add(&mut self, other: &Tally) {
        fn add<const N: usize>(a: &mut [u64; N], b: &[u64; N]) {
            a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
        }
        self.members += other.members;
        add(&mut self.gender, &other.gender);
        add(&mut self.category, &other.category);
        add(&mut self.profession, &other.profession);
        add(&mut self.age, &other.age);
        add(&mut self.tenure, &other.tenure);
        add(&mut self.sector, &other.sector);
        self.employees += other.employees;
        self.students += other.students;
    }

    /// The report of these counts.
    pub fn report(
        &self,
        org: OrgId,
        as_of: NaiveDate,
        known_at: u64,
        breakdown: Vec<Report>,
    ) -> Report {
        fn buckets(names: &[&'static str], counts: &[u64]) -> Vec<(&'static str, u64)> {
            names.iter().copied().zip(counts.iter().copied()).collect()
        }
        let coverage = |n: u64, of: u64| (of > 0).then(|| n as f64 / of as f64);
        Report {
            org,
            as_of,
            known_at,
            members: self.members,
            youth: self.age[0],
            employees: self.employees,
            students: self.students,
            worker_coverage: coverage(self.category[0], self.employees),
            student_coverage: coverage(self.category[1], self.students),
            by_gender: buckets(&GENDERS, &self.gender),
            by_category: buckets(&CATEGORIES, &self.category),
            by_profession: buckets(&PROFESSIONS, &self.profession),
            by_age_band: buckets(&AGE_BANDS, &self.age),
            by_tenure_band: buckets(&TENURE_BANDS, &self.tenure),
            by_sector: buckets(&SECTORS, &self.sector),
            breakdown,
        }
    }
}

/// The segments of the subtree at `root_slot`: the root's own slot and every
/// child not listed go to tally 0; listed child k to tally k + 1.
pub(crate) fn segments(tree: &TreeVersion, root_slot: u32, listed: &[u32]) -> Vec<Segment> {
    let end = tree.end[root_slot as usize];
    let mut segments = Vec::new();
    let mut slot = root_slot + 1;
    segments.push(Segment {
        slots: (root_slot, root_slot + 1),
        tally: 0,
    });
    while slot < end {
        let child_end = tree.end[slot as usize];
        let tally = listed
            .iter()
            .position(|&c| c == slot)
            .map_or(0, |k| k as u32 + 1);
        segments.push(Segment {
            slots: (slot, child_end),
            tally,
        });
        slot = child_end;
    }
    segments
}

/// The depth-first slots of the root's direct children.
pub(crate) fn children(tree: &TreeVersion, root_slot: u32) -> Vec<u32> {
    let end = tree.end[root_slot as usize];
    let mut children = Vec::new();
    let mut slot = root_slot + 1;
    while slot < end {
        children.push(slot);
        slot = tree.end[slot as usize];
    }
    children
}
