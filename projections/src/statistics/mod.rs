//! Statistics and movement: figures for any organisation subtree, as of any
//! date, known at any log position (DESIGN.md §1–§3, `statistics` and
//! `movement` in `api.graphql`).
//!
//! # The two clocks
//! A report *as of D* counts the spells covering D (start ≤ D < end), in the
//! organisation tree as it stood on D (moves are effective-dated: a territorial
//! report for last year counts the primaries under it last year), with category,
//! profession and passports as they stood on D. *Known at P* leaves out every
//! event after position P: spells opened after P do not exist, spells closed
//! after P are still open, and so are moves, dissolutions, passport and profile
//! changes after P. Where two versions of a dated fact (a passport, a profile
//! change) are in effect on D, the greatest (effective day, position) wins.
//!
//! Hence `report(org, D, Some(P))` never changes once P is applied, and events
//! effective after D never change `report(org, D, _)`, with **one exception:
//! erasure.** The birth date is personal data; once a person's key is erased,
//! their age is computed from the birth year alone, as if born on 1 July of it,
//! in every report, past ones included, live (from the `PersonalDataErased` on)
//! exactly as on a rebuild (where the admission decodes without personal data).
//! The age band of such a person can thus move by one in reports made before
//! the erasure; every other figure stays.
//!
//! # Rules the figures follow
//! - Members: spells covering D whose home is in the subtree on D. Homes count
//!   by placement: a dissolved organisation keeps its place under its last
//!   parent, so a (charter-permitted, backdated) spell at a home dissolved on D
//!   still counts above it.
//! - Gender and birth date are the first admission's; category and profession
//!   are effective-dated. `byProfession` counts members who have one.
//! - Tenure: days of all spells before D (only those known at P), years = days /
//!   365.25 compared as `TenureBand` says; age in full years, youth = age ≤ 35.
//! - Employees and students: the passports on D of the primaries in the subtree
//!   that exist on D; sector: the passport on D of the primary containing the
//!   home. Members whose primary has no sector are in no `bySector` bucket.
//! - Breakdown: each direct child on D, known at P and not dissolved on D, with
//!   its figures (and an empty breakdown of its own).
//! - The root must be known at P and not dissolved on D, or the report is an
//!   error ([`StatisticsError::UnknownOrganization`], [`StatisticsError::Dissolved`]):
//!   an organisation that did not exist has no figures, and zeros would pass
//!   for a real answer; so must it be established on D
//!   ([`StatisticsError::NotEstablished`]). An organisation registered without
//!   a date of establishment was found in place: it is in the tree on every
//!   date (the paper registry is entered with old admissions under newly
//!   registered homes); one established on a day exists from that day
//!   (DESIGN.md §7, `domain::organization::dates`).
//! - Passports: the version in effect on D as `domain::organization::PassportFrom`
//!   places it; an undated first passport describes D back to the beginning.
//! - Movement: see [`movement`].
//!
//! # Layout
//! - [`table`]: the spell columns, one chunk per home organisation.
//! - [`orgs`]: placements, dissolutions, passports, with day and position.
//! - [`tree`]: the tree on a date as a depth-first order, cached per move set.
//! - [`persons`]: the applier's person table and profile histories.
//! - [`apply`]: the fold; [`report`]: the scan; [`movement`]; [`bands`]: day
//!   arithmetic of the bands, proved equal to `domain::calendar`.
//! - [`journal`]: which events concern which subtree, with the tree as of each
//!   event's day (the journal of a holder below the root, and its total).
//!
//! # Sharing
//! Each chunk has its own lock, taken by a report for one chunk's scan and by
//! the applier for one push or close; organisations are copy-on-write behind an
//! `Arc`. A report reads only positions up to the last whole applied batch, so
//! a batch being applied is invisible to it. The person table is locked by the
//! applier for one batch, and by a report only to resolve deferred spells.

mod apply;
pub mod bands;
mod crosstab;
mod journal;
mod movement;
mod orgs;
mod persons;
mod report;
mod table;
mod tree;

use std::hash::{DefaultHasher, Hasher};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use domain::event::Event;
use domain::ids::OrgId;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::runtime::{Applied, Projection};
use crate::snapshot::{self, Install, Section, SnapshotError};
use crate::statistics::apply::position;
use crate::statistics::bands::{Bounds, day};
use crate::statistics::crosstab::Crosstab;
pub use crate::statistics::crosstab::{Dimension, Key, MemberFilter, Table, TableSpec};
use crate::statistics::journal::Journal;
pub use crate::statistics::movement::Movement;
use crate::statistics::orgs::Orgs;
use crate::statistics::persons::Persons;
pub use crate::statistics::report::Report;
use crate::statistics::report::{Scan, Tally, children, segments};
use crate::statistics::tree::TreeCache;

/// Why a report or a movement has no answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StatisticsError {
    /// No such organisation at the position asked for.
    #[error("unknown organisation {org}")]
    UnknownOrganization {
        /// The organisation asked for.
        org: OrgId,
    },
    /// The organisation was dissolved on or before the report date.
    #[error("organisation {org} was dissolved on {dissolved_on}, not after {as_of}")]
    Dissolved {
        /// The organisation asked for.
        org: OrgId,
        /// Its first day dissolved.
        dissolved_on: NaiveDate,
        /// The report date.
        as_of: NaiveDate,
    },
    /// The organisation was established after the report date.
    #[error("organisation {org} was established on {established_on}, after {as_of}")]
    NotEstablished {
        /// The organisation asked for.
        org: OrgId,
        /// The day it was established.
        established_on: NaiveDate,
        /// The report date.
        as_of: NaiveDate,
    },
    /// A movement period whose end is before its start.
    #[error("period from {from} to {to} is empty")]
    EmptyPeriod {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
}

/// The statistics projection: spells, organisations and persons, folded from
/// the log, answering [`Statistics::report`] and [`Statistics::movement`].
#[derive(Default)]
pub struct Statistics {
    /// Organisations and their spell chunks; replaced copy-on-write.
    orgs: RwLock<Arc<Orgs>>,
    /// The applier's person table; write-locked for one batch.
    persons: RwLock<Persons>,
    /// Tree versions by the moves in effect.
    trees: TreeCache,
    /// Which events concern which subtree; write-locked for one batch.
    journal: RwLock<Journal>,
    /// Position of the last event of the last whole batch applied.
    applied: AtomicU64,
}

impl Statistics {
    /// An empty model, to be fed from position 0.
    pub fn new() -> Statistics {
        Statistics::default()
    }

    /// The position the model has applied up to (a report's default `known_at`).
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    /// The figures of the subtree of `org` on `as_of`, from the events up to
    /// `known_at` (`None`: everything applied), with the breakdown by child.
    ///
    /// # Errors
    /// [`StatisticsError::UnknownOrganization`] when `org` is not registered at
    /// that position, [`StatisticsError::Dissolved`] when it is dissolved on `as_of`.
    pub fn report(
        &self,
        org: OrgId,
        as_of: NaiveDate,
        known_at: Option<u64>,
    ) -> Result<Report, StatisticsError> {
        let Subtree {
            orgs,
            root: _,
            known_at,
            p,
            tree,
            root_slot,
            listed,
        } = self.subtree(org, as_of, known_at)?;
        let scan = Scan {
            orgs: &orgs,
            tree: &tree,
            bounds: Bounds::new(as_of),
            known_at: p,
        };
        let tallies = scan.run(
            &segments(&tree, root_slot, &listed),
            listed.len() + 1,
            &self.persons,
        );
        let mut total = Tally::default();
        tallies.iter().for_each(|t| total.add(t));
        let breakdown = listed
            .iter()
            .zip(&tallies[1..])
            .map(|(&slot, tally)| {
                let child = orgs.ids[tree.order[slot as usize] as usize];
                tally.report(child, as_of, known_at, Vec::new())
            })
            .collect();
        Ok(total.report(org, as_of, known_at, breakdown))
    }

    /// The report builder's table of the subtree of `org` on `as_of`, from
    /// the events up to `known_at`: members passing `spec.filter`, counted by
    /// `spec.rows` × `spec.columns`. By one dimension, its total is
    /// [`Statistics::report`]'s `members` (the child axis opens with the root
    /// itself, which also holds members of children not in the tree on the
    /// date, as the breakdown's total does; that heading is left out when it
    /// is empty and the root is no home).
    ///
    /// # Errors
    /// As [`Statistics::report`].
    pub fn table(
        &self,
        org: OrgId,
        as_of: NaiveDate,
        known_at: Option<u64>,
        spec: &TableSpec,
    ) -> Result<Table, StatisticsError> {
        let Subtree {
            orgs,
            root,
            known_at,
            p,
            tree,
            root_slot: _,
            listed,
        } = self.subtree(org, as_of, known_at)?;
        let crosstab = Crosstab::new(&orgs, &tree, root, as_of, p, spec, listed);
        let (mut rows, mut columns, mut cells) = crosstab.run(&self.persons);
        // The root's own heading on the child axis, when it can hold nobody
        // and holds nobody.
        if !orgs.level[root as usize].is_home_level() {
            let empty_row = cells.first().is_some_and(|r| r.iter().all(|&n| n == 0));
            if spec.rows == Dimension::Child && empty_row {
                rows.remove(0);
                cells.remove(0);
            }
            let empty_column = cells.iter().all(|r| r.first() == Some(&0));
            if spec.columns == Some(Dimension::Child) && empty_column && !columns.is_empty() {
                columns.remove(0);
                cells.iter_mut().for_each(|r| {
                    r.remove(0);
                });
            }
        }
        Ok(Table {
            org,
            as_of,
            known_at,
            rows,
            columns,
            cells,
        })
    }

    /// The movement of the subtree of `org` over [from, to], both included, from
    /// everything applied.
    ///
    /// # Errors
    /// [`StatisticsError::UnknownOrganization`] for an organisation not
    /// registered, [`StatisticsError::EmptyPeriod`] when `to` is before `from`.
    pub fn movement(
        &self,
        org: OrgId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Movement, StatisticsError> {
        self.movement_known_at(org, from, to, None)
    }

    /// As [`Statistics::movement`], from the events up to `known_at` (`None`:
    /// everything applied), so a statistical report pinned to a position
    /// counts its movement at that position too.
    ///
    /// # Errors
    /// As [`Statistics::movement`].
    pub fn movement_known_at(
        &self,
        org: OrgId,
        from: NaiveDate,
        to: NaiveDate,
        known_at: Option<u64>,
    ) -> Result<Movement, StatisticsError> {
        if to < from {
            return Err(StatisticsError::EmptyPeriod { from, to });
        }
        let known_at = known_at.map_or(self.applied(), |k| k.min(self.applied()));
        let p = position(known_at);
        let orgs = Arc::clone(&self.orgs.read());
        let root = self.root(&orgs, org, p)?;
        let counts = movement::count(&orgs, &self.trees, root, from, to, p);
        let net = counts.members_on_to as i64 - counts.members_before as i64;
        Ok(counts.flows.movement(org, from, to, known_at, net))
    }

    /// What a report and a table of `org` on `as_of` (as known at `known_at`,
    /// the latest when absent) both start from: the organisation, which must
    /// be established and not dissolved then, the tree on that day, and its
    /// children that exist then.
    fn subtree(
        &self,
        org: OrgId,
        as_of: NaiveDate,
        known_at: Option<u64>,
    ) -> Result<Subtree, StatisticsError> {
        let known_at = known_at.map_or(self.applied(), |k| k.min(self.applied()));
        let p = position(known_at);
        let orgs = Arc::clone(&self.orgs.read());
        let root = self.root(&orgs, org, p)?;
        let on = day(as_of);
        if orgs.established[root as usize] > on {
            return Err(StatisticsError::NotEstablished {
                org,
                established_on: bands::date(orgs.established[root as usize]),
                as_of,
            });
        }
        if let Some(dissolved) = orgs.dissolved[root as usize].filter(|d| d.pos <= p && d.day <= on)
        {
            return Err(StatisticsError::Dissolved {
                org,
                dissolved_on: bands::date(dissolved.day),
                as_of,
            });
        }
        let tree = self.trees.on(&orgs, on, p);
        let root_slot = tree.slot[root as usize];
        let listed: Vec<u32> = children(&tree, root_slot)
            .into_iter()
            .filter(|&slot| orgs.exists_on(tree.order[slot as usize], on, p))
            .collect();
        Ok(Subtree {
            orgs,
            root,
            known_at,
            p,
            tree,
            root_slot,
            listed,
        })
    }

    fn root(&self, orgs: &Orgs, org: OrgId, p: u32) -> Result<u32, StatisticsError> {
        orgs.index
            .get(&org)
            .copied()
            .filter(|&idx| orgs.registered_pos[idx as usize] <= p)
            .ok_or(StatisticsError::UnknownOrganization { org })
    }

    /// How many events after position `from` concern the subtree of `org`,
    /// the tree as of each event's day (see the `journal` module); `None`
    /// for an organisation not registered. Costs the subtree's organisations
    /// and its transfers, not the log.
    pub fn journal_count(&self, org: OrgId, from: u64) -> Option<u64> {
        let orgs = Arc::clone(&self.orgs.read());
        let root = *orgs.index.get(&org)?;
        Some(self.journal.read().count(&orgs, root, position(from)))
    }

    /// Up to `first` positions after `after` of the events that concern the
    /// subtree of `org`, ascending; `None` for an organisation not registered.
    pub fn journal_page(&self, org: OrgId, after: u64, first: usize) -> Option<Vec<u64>> {
        let orgs = Arc::clone(&self.orgs.read());
        let root = *orgs.index.get(&org)?;
        let page = self
            .journal
            .read()
            .page(&orgs, root, position(after), first);
        Some(page.into_iter().map(u64::from).collect())
    }

    /// Up to `last` positions above `from` and below `before` (`None`: to the
    /// end) of the events that concern the subtree of `org`, the nearest to
    /// `before`, ascending; `None` for an organisation not registered. Costs
    /// what [`Statistics::journal_page`] costs.
    pub fn journal_page_before(
        &self,
        org: OrgId,
        from: u64,
        before: Option<u64>,
        last: usize,
    ) -> Option<Vec<u64>> {
        let orgs = Arc::clone(&self.orgs.read());
        let root = *orgs.index.get(&org)?;
        let before = before.map_or(u32::MAX, position);
        let page = self
            .journal
            .read()
            .page_before(&orgs, root, position(from), before, last);
        Some(page.into_iter().map(u64::from).collect())
    }

    /// Whether the event at `at` (applied already) concerns the subtree of `org`.
    pub fn journal_concerns(&self, org: OrgId, at: u64) -> bool {
        let orgs = Arc::clone(&self.orgs.read());
        orgs.index
            .get(&org)
            .is_some_and(|&root| self.journal.read().concerns(&orgs, root, position(at)))
    }

    /// Bytes held by the model's main tables (capacity), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        let orgs = Arc::clone(&self.orgs.read());
        let chunks: usize = orgs.chunks.iter().map(|c| c.read().heap_bytes()).sum();
        chunks + self.persons.read().heap_bytes() + self.journal.read().heap_bytes()
    }

    /// Bytes held per table (capacity), for memory reports; the spells' used
    /// length is shown apart, so slack is visible.
    pub fn heap_report(&self) -> Vec<(&'static str, usize)> {
        let orgs = Arc::clone(&self.orgs.read());
        let (mut held, mut used) = (0, 0);
        for chunk in &orgs.chunks {
            let chunk = chunk.read();
            held += chunk.heap_bytes();
            used += chunk.len() * table::SPELL_BYTES
                + (chunk.transfers_in.len() + chunk.transfers_out.len()) * 8;
        }
        let mut report = vec![
            ("spell chunks", held),
            ("spell chunks (used)", used),
            ("organisations, chunk headers", orgs.heap_bytes()),
        ];
        report.extend(self.persons.read().heap_report());
        report.push(("subtree journal", self.journal.read().heap_bytes()));
        report
    }

    /// The number of spells held.
    pub fn spell_count(&self) -> usize {
        let orgs = Arc::clone(&self.orgs.read());
        orgs.chunks.iter().map(|c| c.read().len()).sum()
    }
}

impl Projection for Statistics {
    fn name(&self) -> &'static str {
        "statistics"
    }

    fn apply(&self, events: &[Applied]) {
        let Some(last) = events.last() else {
            return;
        };
        let mut persons = self.persons.write();
        let mut journal = self.journal.write();
        for applied in events {
            let pos = position(applied.stored.position);
            match &applied.event {
                Event::Organization(event) => self.apply_org(event, pos),
                Event::Person(event) => self.apply_person(&mut persons, event, pos),
                Event::Application(_)
                | Event::Card(_)
                | Event::Access(_)
                | Event::Audit(_)
                | Event::Meeting(_)
                | Event::Mailing(_)
                | Event::Library(_)
                | Event::Consultation(_) => {}
            }
            let stored = &applied.stored;
            let on = stored
                .effective_on
                .unwrap_or_else(|| stored.recorded_at.date_naive());
            journal.apply(&self.orgs.read(), &persons, &applied.event, pos, on);
        }
        drop(journal);
        drop(persons);
        self.applied.store(last.stored.position, Ordering::Release);
    }

    fn digest(&self) -> u64 {
        let orgs = Arc::clone(&self.orgs.read());
        let persons = self.persons.read();
        let mut hasher = DefaultHasher::new();
        for org in 0..orgs.len() {
            hasher.write(orgs.ids[org].0.as_bytes());
            hasher.write_u32(orgs.registered_parent[org]);
            hasher.write_u32(orgs.registered_pos[org]);
            hasher.write_i32(orgs.established[org]);
            hasher.write(&[orgs.region_code[org].unwrap_or(0)]);
            hasher.write(
                format!(
                    "{:?}{:?}{:?}{:?}",
                    orgs.level[org], orgs.moves[org], orgs.dissolved[org], orgs.passports[org]
                )
                .as_bytes(),
            );
            orgs.chunks[org].read().hash_into(&mut hasher);
        }
        for person in 0..persons.len() as u32 {
            hasher.write(persons.id(person).0.as_bytes());
            hasher.write_u64(persons.last_spell[person as usize].0);
            hasher.write_i16(persons.birth_year[person as usize]);
        }
        let mut histories: Vec<_> = persons.histories.iter().collect();
        histories.sort_by_key(|(person, _)| **person);
        hasher.write(format!("{histories:?}").as_bytes());
        let mut earlier: Vec<_> = persons.earlier_spells.iter().collect();
        earlier.sort_by_key(|(person, _)| **person);
        hasher.write(format!("{earlier:?}").as_bytes());
        let mut irregular: Vec<_> = persons.irregular.iter().collect();
        irregular.sort();
        hasher.write(format!("{irregular:?}").as_bytes());
        self.journal.read().hash_into(&mut hasher);
        hasher.finish()
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        let orgs = Arc::clone(&self.orgs.read());
        let persons = self.persons.read();
        let journal = self.journal.read();
        let kept = KeptRef {
            orgs: &orgs,
            persons: &persons,
            journal: &journal,
            applied: self.applied(),
        };
        snapshot::save(self.name(), &kept, out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let kept: Kept = snapshot::restore(self.name(), bytes)?;
        Ok(Box::new(move || {
            *self.orgs.write() = Arc::new(kept.orgs);
            *self.persons.write() = kept.persons;
            *self.journal.write() = kept.journal;
            self.applied.store(kept.applied, Ordering::Release);
        }))
    }
}

/// The model as a snapshot keeps it (the tree versions are a cache).
#[derive(Serialize)]
struct KeptRef<'a> {
    orgs: &'a Orgs,
    persons: &'a Persons,
    journal: &'a Journal,
    applied: u64,
}

#[derive(Deserialize)]
struct Kept {
    orgs: Orgs,
    persons: Persons,
    journal: Journal,
    applied: u64,
}

/// The start of a report or a table (see `Statistics::subtree`).
struct Subtree {
    orgs: Arc<Orgs>,
    root: u32,
    /// The position known at, resolved.
    known_at: u64,
    /// The same, as the columns store positions.
    p: u32,
    tree: Arc<tree::TreeVersion>,
    root_slot: u32,
    /// Slots of the children that exist on the day.
    listed: Vec<u32>,
}
