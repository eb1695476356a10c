//! The union's tree, planned before any event: levels, regions, sectors, sizes.

use chrono::NaiveDate;
use domain::ids::OrgId;
use domain::vocabulary::organization::{OrgLevel, Sector};
use rand::Rng;

use crate::random::{chance, day_between, normal, plus_years, uuid_on};
use crate::regions::REGIONS;

/// Members of the real union: the scale the organisation counts are given for.
pub const FULL_MEMBERS: u64 = 3_910_407;

/// How many organisations of each level a union of a given size has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrgCounts {
    /// REGIONAL organisations (80 at full scale).
    pub regional: usize,
    /// TERRITORIAL organisations (2,291 at full scale).
    pub territorial: usize,
    /// PRIMARY organisations (74,829 at full scale).
    pub primary: usize,
}

impl OrgCounts {
    /// The real union's counts scaled to `members`, at least one of each level.
    pub fn for_members(members: u64) -> OrgCounts {
        let scale =
            |full: f64| ((full * members as f64 / FULL_MEMBERS as f64).round() as usize).max(1);
        let regional = scale(80.0).min(80);
        let territorial = scale(2_291.0).max(regional);
        OrgCounts {
            regional,
            territorial,
            primary: scale(74_829.0).max(territorial),
        }
    }
}

/// One planned organisation.
pub struct PlannedOrg {
    /// Its id (seeded).
    pub id: OrgId,
    /// Level in the tree.
    pub level: OrgLevel,
    /// Index of the parent in [`Tree::orgs`].
    pub parent: Option<usize>,
    /// The region code of the regional organisation above it (0 for CENTRAL).
    pub region: u8,
    /// Index of its region in [`Tree::regions`].
    pub region_idx: usize,
    /// The sector of the primary it is (or is inside).
    pub sector: Option<Sector>,
    /// A primary with territorial rights (directly under its region).
    pub territorial_rights: bool,
    /// Members expected to have their home here at the end (0: never a home).
    pub weight: f64,
    /// Registered on this day.
    pub founded: NaiveDate,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Never has members, and is dissolved during the history.
    pub closing: bool,
}

/// The planned tree: organisations in registration order (parents first).
pub struct Tree {
    /// Every organisation.
    pub orgs: Vec<PlannedOrg>,
    /// Indices of the regional organisations.
    pub regions: Vec<usize>,
    /// Per region, its territorial organisations.
    pub territorials: Vec<Vec<usize>>,
    /// Per organisation, the homes (primary, subdivisions, groups) a member of a
    /// primary may be placed in; empty for others.
    pub homes: Vec<Vec<usize>>,
}

/// (sector, share of primaries, mean members, female share of workers)
const SECTORS: [(Sector, f64, f64); 7] = [
    (Sector::Preschool, 0.40, 26.0),
    (Sector::School, 0.43, 36.5),
    (Sector::College, 0.045, 255.0),
    (Sector::University, 0.012, 915.0),
    (Sector::Supplementary, 0.060, 30.0),
    (Sector::Governance, 0.025, 30.0),
    (Sector::Other, 0.028, 37.0),
];

const DISTRICTS: [&str; 24] = [
    "Ленинского",
    "Октябрьского",
    "Советского",
    "Кировского",
    "Центрального",
    "Заречного",
    "Железнодорожного",
    "Калининского",
    "Первомайского",
    "Пролетарского",
    "Фрунзенского",
    "Красноармейского",
    "Ломоносовского",
    "Пушкинского",
    "Приморского",
    "Северного",
    "Южного",
    "Восточного",
    "Западного",
    "Заводского",
    "Промышленного",
    "Индустриального",
    "Лесного",
    "Нагорного",
];

impl Tree {
    /// Plans the tree for `members` members; `start` is the first day of the history.
    pub fn plan(rng: &mut impl Rng, members: u64, start: NaiveDate) -> Tree {
        let counts = OrgCounts::for_members(members);
        let founding = NaiveDate::from_ymd_opt(1990, 9, 27).unwrap_or(start);
        let mut tree = Tree {
            orgs: Vec::new(),
            regions: Vec::new(),
            territorials: Vec::new(),
            homes: Vec::new(),
        };
        tree.push(
            rng,
            None,
            OrgLevel::Central,
            founding,
            "Общероссийский Профсоюз образования".into(),
            Some("Профсоюз образования".into()),
        );
        let mut by_size: Vec<usize> = (0..REGIONS.len()).collect();
        by_size.sort_by_key(|&i| std::cmp::Reverse(REGIONS[i].weight));
        let mut chosen: Vec<usize> = by_size.into_iter().take(counts.regional).collect();
        chosen.sort_unstable();
        let region_weight: f64 = chosen.iter().map(|&i| f64::from(REGIONS[i].weight)).sum();
        for (region_idx, &r) in chosen.iter().enumerate() {
            let region = &REGIONS[r];
            let founded = day_between(rng, founding, plus_years(founding, 1.0));
            let name = format!("{} организация Профсоюза", region.name);
            let idx = tree.push(rng, Some(0), OrgLevel::Regional, founded, name, None);
            tree.orgs[idx].region = region.code;
            tree.orgs[idx].region_idx = region_idx;
            tree.regions.push(idx);
            tree.territorials.push(Vec::new());
        }
        // Territorials: each region at least one, the rest in proportion to size.
        let share = |r: usize| f64::from(REGIONS[chosen[r]].weight) / region_weight;
        let mut n_territorial: Vec<usize> = (0..chosen.len()).map(|_| 1).collect();
        let spare = counts.territorial.saturating_sub(chosen.len());
        for (r, n) in n_territorial.iter_mut().enumerate() {
            *n += (spare as f64 * share(r)).floor() as usize;
        }
        let mut r = 0;
        while n_territorial.iter().sum::<usize>() < counts.territorial {
            n_territorial[r % chosen.len()] += 1;
            r += 1;
        }
        for (r, &n) in n_territorial.iter().enumerate() {
            for t in 0..n {
                let parent = tree.regions[r];
                let founded =
                    day_between(rng, tree.orgs[parent].founded, plus_years(founding, 5.0));
                let city = REGIONS[chosen[r]].city;
                let name = match t {
                    0 => format!("Городская организация Профсоюза г. {city}"),
                    _ => format!(
                        "{} районная организация Профсоюза № {t}",
                        DISTRICTS[rng.random_range(0..DISTRICTS.len())]
                    ),
                };
                let idx = tree.push(
                    rng,
                    Some(parent),
                    OrgLevel::Territorial,
                    founded,
                    name,
                    None,
                );
                tree.territorials[r].push(idx);
            }
        }
        let sector_pick = crate::random::Weighted::new(SECTORS.iter().map(|s| s.1));
        let primaries_region = crate::random::Weighted::new((0..chosen.len()).map(share));
        let mut largest: Option<(usize, f64)> = None;
        for n in 0..counts.primary {
            let r = primaries_region.pick(rng).unwrap_or(0);
            let (sector, _, mean) = SECTORS[sector_pick.pick(rng).unwrap_or(0)];
            let rights_chance = match sector {
                Sector::University => 0.6,
                Sector::College => 0.3,
                _ => 0.03,
            };
            let rights = chance(rng, rights_chance);
            let parent = if rights {
                tree.regions[r]
            } else {
                let list = &tree.territorials[r];
                list[rng.random_range(0..list.len())]
            };
            let founded = day_between(rng, tree.orgs[parent].founded, plus_years(start, -1.0));
            let sigma = 0.6;
            let weight = mean * (sigma * normal(rng) - sigma * sigma / 2.0).exp();
            let name = primary_name(rng, sector, n + 1);
            let idx = tree.push(rng, Some(parent), OrgLevel::Primary, founded, name, None);
            let closing = n > 0 && chance(rng, 0.004);
            let org = &mut tree.orgs[idx];
            org.sector = Some(sector);
            org.territorial_rights = rights;
            org.closing = closing;
            org.weight = if closing { 0.0 } else { weight };
            if !closing && largest.is_none_or(|(_, w)| weight > w) {
                largest = Some((idx, weight));
            }
        }
        let largest = largest.map(|(idx, _)| idx);
        for primary in 0..tree.orgs.len() {
            if tree.orgs[primary].level == OrgLevel::Primary {
                tree.plan_inside(rng, primary, Some(primary) == largest, start);
            }
        }
        tree
    }

    /// Subdivisions and groups inside a large primary; the primary's weight is
    /// shared with them.
    fn plan_inside(&mut self, rng: &mut impl Rng, primary: usize, force: bool, start: NaiveDate) {
        let weight = self.orgs[primary].weight;
        let mut homes = vec![primary];
        let n_subdivisions = if weight >= 250.0 {
            (weight / 250.0).clamp(1.0, 8.0) as usize
        } else {
            usize::from(force)
        };
        for s in 0..n_subdivisions {
            let founded = day_between(rng, self.orgs[primary].founded, start);
            let name = format!(
                "Профсоюзная организация структурного подразделения № {}",
                s + 1
            );
            let sub = self.push_inside(rng, primary, OrgLevel::Subdivision, founded, name);
            homes.push(sub);
            if chance(rng, 0.5) || (force && s == 0) {
                let name = format!("Профгруппа кафедры № {}", s + 1);
                let founded = day_between(rng, founded, start);
                homes.push(self.push_inside(rng, sub, OrgLevel::Group, founded, name));
            }
        }
        if n_subdivisions == 0 && weight >= 60.0 && chance(rng, 0.2) {
            let founded = day_between(rng, self.orgs[primary].founded, start);
            homes.push(self.push_inside(
                rng,
                primary,
                OrgLevel::Group,
                founded,
                "Профгруппа младших классов".into(),
            ));
        }
        if homes.len() > 1 {
            self.orgs[primary].weight = weight * 0.3;
            let each = weight * 0.7 / (homes.len() - 1) as f64;
            for &home in &homes[1..] {
                self.orgs[home].weight = each;
            }
            if chance(rng, 0.05) {
                // An empty profgroup that is later dissolved.
                let founded = day_between(rng, self.orgs[primary].founded, start);
                let group = self.push_inside(
                    rng,
                    primary,
                    OrgLevel::Group,
                    founded,
                    "Профгруппа (упразднена)".into(),
                );
                self.orgs[group].closing = true;
            }
        }
        if self.homes.len() <= primary {
            self.homes.resize_with(self.orgs.len(), Vec::new);
        }
        self.homes[primary] = homes;
    }

    fn push_inside(
        &mut self,
        rng: &mut impl Rng,
        parent: usize,
        level: OrgLevel,
        founded: NaiveDate,
        name: String,
    ) -> usize {
        let idx = self.push(rng, Some(parent), level, founded, name, None);
        self.orgs[idx].sector = self.orgs[parent].sector;
        idx
    }

    fn push(
        &mut self,
        rng: &mut impl Rng,
        parent: Option<usize>,
        level: OrgLevel,
        founded: NaiveDate,
        name: String,
        short_name: Option<String>,
    ) -> usize {
        let (region, region_idx) =
            parent.map_or((0, 0), |p| (self.orgs[p].region, self.orgs[p].region_idx));
        self.orgs.push(PlannedOrg {
            id: OrgId(uuid_on(rng, founded)),
            level,
            parent,
            region,
            region_idx,
            sector: None,
            territorial_rights: false,
            weight: 0.0,
            founded,
            name,
            short_name,
            closing: false,
        });
        self.homes.push(Vec::new());
        self.orgs.len() - 1
    }
}

/// "МБОУ «Средняя общеобразовательная школа № 17»" and the like.
fn primary_name(rng: &mut impl Rng, sector: Sector, n: usize) -> String {
    let body = match sector {
        Sector::Preschool => format!("МБДОУ «Детский сад № {}»", rng.random_range(1..400)),
        Sector::School => format!(
            "МБОУ «Средняя общеобразовательная школа № {}»",
            rng.random_range(1..200)
        ),
        Sector::College => format!(
            "ГБПОУ «Педагогический колледж № {}»",
            rng.random_range(1..30)
        ),
        Sector::University => format!("ФГБОУ ВО «Государственный университет № {n}»"),
        Sector::Supplementary => format!(
            "МБУ ДО «Дом детского творчества № {}»",
            rng.random_range(1..50)
        ),
        Sector::Governance => format!(
            "Управление образования администрации района № {}",
            rng.random_range(1..60)
        ),
        Sector::Other => format!("МБУ «Методический центр № {}»", rng.random_range(1..40)),
    };
    format!("Первичная профсоюзная организация {body}")
}
