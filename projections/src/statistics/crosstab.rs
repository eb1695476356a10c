//! The report builder's scan: members of a subtree on a date, known at a
//! position, filtered on their attributes and counted into a table whose rows
//! and columns are two chosen dimensions.
//!
//! It reads what [`report`](crate::statistics::report) reads (the spell chunks
//! of the subtree's organisations in the tree on the date) and follows the same
//! rules for every attribute, so a table by one dimension sums to the same
//! figures as the fixed breakdowns. Per organisation it works out once what the
//! organisation contributes (sector, region, level, which child it lies in);
//! per spell, what the member contributes; deferred spells (profile histories,
//! irregular logs) are resolved person by person afterwards, as the fixed scan
//! does.

use chrono::NaiveDate;
use domain::ids::OrgId;
use domain::vocabulary::organization::OrgLevel;

use crate::statistics::bands::{Bounds, first_tenure_days_of_years, last_birth_day_of_age};
use crate::statistics::orgs::{NONE, Orgs};
use crate::statistics::persons::{Persons, profile_on};
use crate::statistics::report::exact_tenure;
use crate::statistics::table::{Chunk, DEFERRED, PROFESSION_NONE};
use crate::statistics::tree::TreeVersion;

/// Below this many organisations a table is scanned on the calling thread.
const PARALLEL_MIN_ORGS: usize = 4096;

/// What members can be counted by: a table's rows or columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// FEMALE, MALE.
    Gender,
    /// WORKER, STUDENT, PENSIONER, UNEMPLOYED (on the date).
    Category,
    /// The professions, then "none" (on the date).
    Profession,
    /// Age in full years on the date, in bands cut at the age edges.
    AgeBand,
    /// Union tenure in years on the date, in bands cut at the tenure edges.
    TenureBand,
    /// The sector of the primary containing the home (its passport on the
    /// date), then "none".
    Sector,
    /// The region code of the regional organisation above the home.
    Region,
    /// The home's level: PRIMARY, SUBDIVISION, GROUP.
    Level,
    /// The direct child of the subtree's root the home lies in, after the
    /// root itself (its own members, and those of children not in the tree on
    /// the date, as the breakdown counts them in the total only).
    Child,
}

/// Which members a table counts; every part left empty lets everyone through.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MemberFilter {
    /// Only these genders (indexes into `GENDERS`).
    pub genders: Vec<u8>,
    /// Only these categories on the date (indexes into `CATEGORIES`).
    pub categories: Vec<u8>,
    /// Only these professions on the date (indexes into `PROFESSIONS`).
    pub professions: Vec<u8>,
    /// Age on the date at least this many full years.
    pub age_from: Option<u32>,
    /// Age on the date at most this many full years.
    pub age_to: Option<u32>,
    /// Tenure in years on the date at least this.
    pub tenure_from_years: Option<f64>,
    /// Tenure in years on the date less than this.
    pub tenure_under_years: Option<f64>,
    /// Only members whose primary has one of these sectors (indexes into `SECTORS`).
    pub sectors: Vec<u8>,
    /// Only members under the regional organisations of these region codes.
    pub region_codes: Vec<u8>,
    /// Only members whose home is of one of these levels.
    pub levels: Vec<OrgLevel>,
}

/// One table: its dimensions and band edges.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSpec {
    /// Which members.
    pub filter: MemberFilter,
    /// The rows.
    pub rows: Dimension,
    /// The columns; `None`: one column, the count.
    pub columns: Option<Dimension>,
    /// The first age of each band after the first (ascending), e.g. 36, 46, 56, 66.
    pub age_edges: Vec<u32>,
    /// The first tenure in years of each band after the first (ascending).
    pub tenure_edges: Vec<f64>,
}

/// One value of a dimension: a row or column heading.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    /// Index into `GENDERS`.
    Gender(u8),
    /// Index into `CATEGORIES`.
    Category(u8),
    /// Index into `PROFESSIONS`; `None`: no profession.
    Profession(Option<u8>),
    /// Age band: from this age, up to the next band's (exclusive; `None`: no end).
    AgeBand {
        /// First age in the band (0 for the first).
        from: u32,
        /// First age of the next band.
        until: Option<u32>,
    },
    /// Tenure band in years, as edges ×1000 (whole thousandths keep `Eq`).
    TenureBand {
        /// First tenure of the band, thousandths of a year.
        from_milli: u64,
        /// First tenure of the next band, thousandths of a year.
        until_milli: Option<u64>,
    },
    /// Index into `SECTORS`; `None`: no sector in the passport.
    Sector(Option<u8>),
    /// A region code; `None`: a home under no regional organisation.
    Region(Option<u8>),
    /// A home level.
    Level(OrgLevel),
    /// A direct child of the root.
    Child(OrgId),
    /// The root itself: members whose home is the root, or in a child not in
    /// the tree on the date.
    Itself(OrgId),
}

/// A counted table: `cells[row][column]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The subtree's root.
    pub org: OrgId,
    /// The date.
    pub as_of: NaiveDate,
    /// The log position it reflects.
    pub known_at: u64,
    /// Row headings.
    pub rows: Vec<Key>,
    /// Column headings (one `None`-dimension column: an empty list).
    pub columns: Vec<Key>,
    /// Counts; a row has `max(columns.len(), 1)` cells.
    pub cells: Vec<Vec<u64>>,
}

impl Table {
    /// The sum of each row.
    pub fn row_totals(&self) -> Vec<u64> {
        self.cells.iter().map(|row| row.iter().sum()).collect()
    }

    /// The sum of each column.
    pub fn column_totals(&self) -> Vec<u64> {
        let width = self.cells.first().map_or(0, Vec::len);
        (0..width)
            .map(|c| self.cells.iter().map(|row| row[c]).sum())
            .collect()
    }

    /// Every member counted.
    pub fn total(&self) -> u64 {
        self.cells.iter().flatten().sum()
    }
}

/// What an organisation contributes to its members' attributes.
#[derive(Clone, Copy)]
struct OrgFacts {
    sector: Option<u8>,
    region: Option<u8>,
    level: usize,
    /// Index into the child axis.
    child: usize,
}

/// A member as the filter and the axes see it.
#[derive(Clone, Copy)]
struct MemberFacts {
    gender: u8,
    category: u8,
    profession: Option<u8>,
    birth: i32,
    tenure_days: u32,
}

/// A spell whose category, profession or tenure comes from the person walk.
struct Deferred {
    org: OrgFacts,
    person: u32,
    start: i32,
    tenure_before: u32,
    attrs: u8,
    birth: i32,
}

/// The levels a home may be of, the `Level` axis.
const HOME_LEVELS: [OrgLevel; 3] = [OrgLevel::Primary, OrgLevel::Subdivision, OrgLevel::Group];

/// One table being counted: the tree, the bounds, the axes.
pub(crate) struct Crosstab<'a> {
    pub orgs: &'a Orgs,
    pub tree: &'a TreeVersion,
    pub known_at: u32,
    pub root: u32,
    pub spec: &'a TableSpec,
    on: i32,
    /// `age_cutoffs[k]`: the last birth day of age ≥ `age_edges[k]`.
    age_cutoffs: Vec<i32>,
    /// `tenure_thresholds[k]`: the fewest days of tenure ≥ `tenure_edges[k]` years.
    tenure_thresholds: Vec<u32>,
    /// Filter bounds as birth days and tenure days.
    birth_at_most: Option<i32>,
    birth_after: Option<i32>,
    tenure_days_from: Option<u32>,
    tenure_days_under: Option<u32>,
    /// The child axis: slots of the listed children.
    children: Vec<u32>,
    regions: Vec<Option<u8>>,
}

impl<'a> Crosstab<'a> {
    /// The table of `root`'s subtree on `as_of` (checks done by the caller).
    pub fn new(
        orgs: &'a Orgs,
        tree: &'a TreeVersion,
        root: u32,
        as_of: NaiveDate,
        known_at: u32,
        spec: &'a TableSpec,
        children: Vec<u32>,
    ) -> Crosstab<'a> {
        let bounds = Bounds::new(as_of);
        let filter = &spec.filter;
        let mut crosstab = Crosstab {
            orgs,
            tree,
            known_at,
            root,
            spec,
            on: bounds.on,
            age_cutoffs: spec
                .age_edges
                .iter()
                .map(|&years| last_birth_day_of_age(as_of, years as i32))
                .collect(),
            tenure_thresholds: spec
                .tenure_edges
                .iter()
                .map(|&years| first_tenure_days_of_years(years))
                .collect(),
            birth_at_most: filter
                .age_from
                .map(|years| last_birth_day_of_age(as_of, years as i32)),
            // Age ≤ n ⇔ not (age ≥ n + 1) ⇔ born after the last birth day of n + 1.
            birth_after: filter
                .age_to
                .map(|years| last_birth_day_of_age(as_of, years as i32 + 1)),
            tenure_days_from: filter.tenure_from_years.map(first_tenure_days_of_years),
            tenure_days_under: filter.tenure_under_years.map(first_tenure_days_of_years),
            children,
            regions: Vec::new(),
        };
        crosstab.regions = crosstab.region_axis();
        crosstab
    }

    /// The headings of `dimension`.
    fn axis(&self, dimension: Dimension) -> Vec<Key> {
        match dimension {
            Dimension::Gender => (0..2).map(Key::Gender).collect(),
            Dimension::Category => (0..4).map(Key::Category).collect(),
            Dimension::Profession => (0..7)
                .map(|p| Key::Profession(Some(p)))
                .chain([Key::Profession(None)])
                .collect(),
            Dimension::AgeBand => bands(&self.spec.age_edges)
                .map(|(from, until)| Key::AgeBand { from, until })
                .collect(),
            Dimension::TenureBand => {
                let milli = |years: f64| (years * 1000.0).round() as u64;
                let edges: Vec<u64> = self.spec.tenure_edges.iter().map(|&e| milli(e)).collect();
                bands(&edges)
                    .map(|(from_milli, until_milli)| Key::TenureBand {
                        from_milli,
                        until_milli,
                    })
                    .collect()
            }
            Dimension::Sector => (0..7)
                .map(|s| Key::Sector(Some(s)))
                .chain([Key::Sector(None)])
                .collect(),
            Dimension::Region => self.regions.iter().map(|&r| Key::Region(r)).collect(),
            Dimension::Level => HOME_LEVELS.into_iter().map(Key::Level).collect(),
            Dimension::Child => std::iter::once(Key::Itself(self.orgs.ids[self.root as usize]))
                .chain(self.children.iter().map(|&slot| {
                    Key::Child(self.orgs.ids[self.tree.order[slot as usize] as usize])
                }))
                .collect(),
        }
    }

    /// The region codes present in the subtree on the date, ascending, with
    /// `None` last when a home is under no regional organisation.
    fn region_axis(&self) -> Vec<Option<u8>> {
        let root_slot = self.tree.slot[self.root as usize];
        let end = self.tree.end[root_slot as usize];
        let mut codes: Vec<Option<u8>> = (root_slot..end)
            .map(|slot| self.region_of(self.tree.order[slot as usize]))
            .collect();
        codes.sort_by_key(|c| (c.is_none(), *c));
        codes.dedup();
        // Only the homes' regions matter; levels above regions have none, so
        // `None` stays only if a home level lies outside every region.
        let homes_without = (root_slot..end).any(|slot| {
            let org = self.tree.order[slot as usize];
            self.orgs.level[org as usize].is_home_level() && self.region_of(org).is_none()
        });
        if !homes_without {
            codes.retain(Option::is_some);
        }
        codes
    }

    /// The region code of the regional organisation at or above `org` on the date.
    fn region_of(&self, mut org: u32) -> Option<u8> {
        for _ in 0..64 {
            if org == NONE {
                return None;
            }
            if self.orgs.level[org as usize] == OrgLevel::Regional {
                return self.orgs.region_code[org as usize];
            }
            org = self.orgs.parent_on(org, self.on, self.known_at);
        }
        None
    }

    /// Counts the table.
    pub fn run(
        &self,
        persons: &parking_lot::RwLock<Persons>,
    ) -> (Vec<Key>, Vec<Key>, Vec<Vec<u64>>) {
        let rows = self.axis(self.spec.rows);
        let columns = self.spec.columns.map_or_else(Vec::new, |c| self.axis(c));
        let width = columns.len().max(1);
        let root_slot = self.tree.slot[self.root as usize];
        let (from, to) = (root_slot, self.tree.end[root_slot as usize]);
        let (mut cells, deferred) = if ((to - from) as usize) < PARALLEL_MIN_ORGS {
            self.scan(from, to, rows.len(), width)
        } else {
            let middle = from + (to - from) / 2;
            let ((mut cells, mut deferred), (other, more)) = std::thread::scope(|scope| {
                let right = scope.spawn(|| self.scan(middle, to, rows.len(), width));
                let left = self.scan(from, middle, rows.len(), width);
                (left, right.join().expect("a report thread panicked"))
            });
            cells.iter_mut().zip(&other).for_each(|(a, b)| *a += b);
            deferred.extend(more);
            (cells, deferred)
        };
        if !deferred.is_empty() {
            self.resolve(&mut cells, width, &deferred, &persons.read());
        }
        let cells = cells.chunks(width).map(<[u64]>::to_vec).collect();
        (rows, columns, cells)
    }

    /// The facts of the organisation at `slot`.
    fn org_facts(&self, slot: u32, child_of_slot: &[(u32, usize)]) -> OrgFacts {
        let org = self.tree.order[slot as usize];
        let primary = self.tree.primary[slot as usize];
        let sector = (primary != NONE)
            .then(|| {
                self.orgs
                    .passport_on(primary, self.on, self.known_at)
                    .sector
            })
            .flatten();
        let level = HOME_LEVELS
            .iter()
            .position(|&l| l == self.orgs.level[org as usize])
            .unwrap_or(0);
        let child = child_of_slot
            .iter()
            .find(|&&(start, _)| start <= slot && slot < self.tree.end[start as usize])
            .map_or(0, |&(_, k)| k);
        OrgFacts {
            sector,
            region: self.region_of(org),
            level,
            child,
        }
    }

    /// The listed children's first slots with their index on the child axis
    /// (0 is the root itself).
    fn child_ranges(&self) -> Vec<(u32, usize)> {
        self.children
            .iter()
            .enumerate()
            .map(|(k, &slot)| (slot, k + 1))
            .collect()
    }

    fn scan(&self, from: u32, to: u32, n_rows: usize, width: usize) -> (Vec<u64>, Vec<Deferred>) {
        let mut cells = vec![0u64; n_rows * width];
        let mut deferred = Vec::new();
        let ranges = self.child_ranges();
        for slot in from..to {
            let org = self.tree.order[slot as usize];
            let chunk = self.orgs.chunks[org as usize].read();
            if chunk.len() == 0 {
                continue;
            }
            let facts = self.org_facts(slot, &ranges);
            if !self.org_passes(&facts, org) {
                continue;
            }
            self.scan_chunk(&chunk, facts, &mut cells, width, &mut deferred);
        }
        (cells, deferred)
    }

    fn org_passes(&self, facts: &OrgFacts, org: u32) -> bool {
        let f = &self.spec.filter;
        (f.sectors.is_empty() || facts.sector.is_some_and(|s| f.sectors.contains(&s)))
            && (f.region_codes.is_empty()
                || facts.region.is_some_and(|r| f.region_codes.contains(&r)))
            && (f.levels.is_empty() || f.levels.contains(&self.orgs.level[org as usize]))
    }

    fn scan_chunk(
        &self,
        chunk: &Chunk,
        org: OrgFacts,
        cells: &mut [u64],
        width: usize,
        deferred: &mut Vec<Deferred>,
    ) {
        let (on, p) = (self.on, self.known_at);
        let check_pos = chunk.max_pos > p;
        let n = chunk.len();
        let (start, end, birth, attrs, tenure_before) = (
            &chunk.start()[..n],
            &chunk.end()[..n],
            &chunk.birth()[..n],
            &chunk.attrs()[..n],
            &chunk.tenure_before()[..n],
        );
        for i in 0..n {
            let s = start[i];
            let covers = if check_pos {
                s <= on && chunk.start_pos()[i] <= p && (on < end[i] || chunk.end_pos()[i] > p)
            } else {
                s <= on && on < end[i]
            };
            if !covers {
                continue;
            }
            let a = attrs[i];
            if a & DEFERRED != 0 {
                deferred.push(Deferred {
                    org,
                    person: chunk.person()[i],
                    start: s,
                    tenure_before: tenure_before[i],
                    attrs: a,
                    birth: birth[i],
                });
                continue;
            }
            let profession = (a >> 3) & 7;
            let member = MemberFacts {
                gender: a & 1,
                category: (a >> 1) & 3,
                profession: (profession != PROFESSION_NONE).then_some(profession),
                birth: birth[i],
                tenure_days: tenure_before[i] + (on - s) as u32,
            };
            self.count(&org, &member, cells, width);
        }
    }

    /// Category, profession and tenure of the deferred spells, person by
    /// person, exactly as the fixed scan resolves them.
    fn resolve(&self, cells: &mut [u64], width: usize, deferred: &[Deferred], persons: &Persons) {
        let (on, p) = (self.on, self.known_at);
        for spell in deferred {
            let mut category = (spell.attrs >> 1) & 3;
            let mut profession = Some((spell.attrs >> 3) & 7).filter(|&p| p != PROFESSION_NONE);
            if let Some(history) = persons.histories.get(&spell.person)
                && let (Some(c), in_effect) = profile_on(history, on, p)
            {
                category = c;
                profession = in_effect;
            }
            let tenure_days = if persons.irregular.contains(&spell.person) {
                exact_tenure(self.orgs, persons, spell.person, on, p)
            } else {
                spell.tenure_before + (on - spell.start) as u32
            };
            let member = MemberFacts {
                gender: spell.attrs & 1,
                category,
                profession,
                birth: spell.birth,
                tenure_days,
            };
            self.count(&spell.org, &member, cells, width);
        }
    }

    #[inline]
    fn count(&self, org: &OrgFacts, member: &MemberFacts, cells: &mut [u64], width: usize) {
        if !self.member_passes(member) {
            return;
        }
        let row = self.index(self.spec.rows, org, member);
        let column = self.spec.columns.map_or(0, |c| self.index(c, org, member));
        cells[row * width + column] += 1;
    }

    fn member_passes(&self, m: &MemberFacts) -> bool {
        let f = &self.spec.filter;
        (f.genders.is_empty() || f.genders.contains(&m.gender))
            && (f.categories.is_empty() || f.categories.contains(&m.category))
            && (f.professions.is_empty()
                || m.profession.is_some_and(|p| f.professions.contains(&p)))
            && self.birth_at_most.is_none_or(|cut| m.birth <= cut)
            && self.birth_after.is_none_or(|cut| m.birth > cut)
            && self.tenure_days_from.is_none_or(|t| m.tenure_days >= t)
            && self.tenure_days_under.is_none_or(|t| m.tenure_days < t)
    }

    fn index(&self, dimension: Dimension, org: &OrgFacts, m: &MemberFacts) -> usize {
        match dimension {
            Dimension::Gender => usize::from(m.gender),
            Dimension::Category => usize::from(m.category),
            Dimension::Profession => m.profession.map_or(7, usize::from),
            Dimension::AgeBand => self.age_cutoffs.iter().filter(|&&c| m.birth <= c).count(),
            Dimension::TenureBand => self
                .tenure_thresholds
                .iter()
                .filter(|&&t| m.tenure_days >= t)
                .count(),
            Dimension::Sector => org.sector.map_or(7, usize::from),
            Dimension::Region => self
                .regions
                .iter()
                .position(|&r| r == org.region)
                .unwrap_or(0),
            Dimension::Level => org.level,
            Dimension::Child => org.child,
        }
    }
}

/// The bands cut at `edges`: (from, until) with the first from the zero value.
fn bands<T: Copy + Default>(edges: &[T]) -> impl Iterator<Item = (T, Option<T>)> + '_ {
    std::iter::once(T::default())
        .chain(edges.iter().copied())
        .enumerate()
        .map(move |(k, from)| (from, edges.get(k).copied()))
}
