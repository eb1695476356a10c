//! The history, planned: every action of every person and organisation, with
//! the day it takes effect and the day it is entered in the registry.
//!
//! Membership is planned per *seat*: a home's seat is held by one member after
//! another (the first admitted before the history starts, each successor some
//! weeks after the predecessor left), so the union keeps its size while people
//! come and go. A transfer takes the seat along to the new home.

use chrono::NaiveDate;
use domain::vocabulary::organization::{OrgLevel, Sector};
use domain::vocabulary::person::{EndReason, MemberCategory};
use rand::Rng;

use crate::hierarchy::Tree;
use crate::members::{Traits, traits};
use crate::random::{chance, day_between, plus_days, plus_years, years_until};

/// What an action does; the order is the order of actions entered the same day
/// with the same effective date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Register organisation `subject`.
    Register,
    /// Fill in the passport of primary `subject`.
    Passport,
    /// Rename organisation `subject`.
    Rename,
    /// Move organisation `subject` under organisation `arg`.
    Move,
    /// Dissolve organisation `subject`.
    Dissolve,
    /// Person `subject` applies online to home `arg`.
    Submit,
    /// The application of person `subject` is approved: admitted to its home.
    Approve,
    /// The application of person `subject` is rejected.
    Reject,
    /// Person `subject` is admitted to home `arg`.
    Admit,
    /// Person `subject` moves to home `arg`.
    Transfer,
    /// Person `subject` gets a card (`arg` 0: virtual, 1: plastic).
    Card,
    /// Person `subject`'s profile or personal data changes (`arg` says which).
    Update,
    /// Person `subject`'s membership ends (`arg`: the reason's index).
    End,
    /// Person `subject`'s personal data is erased.
    Erase,
}

/// One planned action (16 bytes: there are millions).
#[derive(Clone, Copy, Debug)]
pub struct Action {
    /// The day it is entered in the registry: the decision's "today".
    pub entry: NaiveDate,
    /// The day it takes effect (earlier than `entry` when entered late).
    pub effective: NaiveDate,
    /// What it does.
    pub kind: Kind,
    /// The person or organisation it is about.
    pub subject: u32,
    /// Its argument (see [`Kind`]).
    pub arg: u32,
}

/// The reasons an `End` action's `arg` indexes.
pub const END_REASONS: [EndReason; 4] = [
    EndReason::VoluntaryExit,
    EndReason::Expulsion,
    EndReason::LeftEducation,
    EndReason::Death,
];

/// Everything planned.
pub struct Plan {
    /// Every action, in the order they are entered.
    pub actions: Vec<Action>,
    /// Every person's traits, by person number.
    pub people: Vec<Traits>,
    /// Seats per unit of an organisation's planned weight.
    pub seats_per_weight: f64,
}

/// Share of actions entered late (paper records), and how late at most.
const LATE_SHARE: f64 = 0.02;
const MAX_LATE_DAYS: u64 = 90;

struct Planner<'a, R> {
    rng: &'a mut R,
    tree: &'a Tree,
    start: NaiveDate,
    today: NaiveDate,
    cards_from: NaiveDate,
    actions: Vec<Action>,
    people: Vec<Traits>,
    /// Former workers who may come back: (person, last entry).
    returning: Vec<(u32, NaiveDate)>,
    /// Non-closing primaries per parent and per region, for transfers.
    by_parent: Vec<Vec<u32>>,
    by_region: Vec<Vec<u32>>,
}

/// Plans ten years of history of `tree` with about `members` members at `today`.
pub fn plan(
    rng: &mut impl Rng,
    tree: &Tree,
    members: u64,
    start: NaiveDate,
    today: NaiveDate,
) -> Plan {
    let n = tree.orgs.len();
    let mut by_parent = vec![Vec::new(); n];
    let mut by_region = vec![Vec::new(); tree.regions.len()];
    for (idx, org) in tree.orgs.iter().enumerate() {
        if org.level == OrgLevel::Primary && !org.closing {
            by_parent[org.parent.unwrap_or(0)].push(idx as u32);
            by_region[org.region_idx].push(idx as u32);
        }
    }
    let mut planner = Planner {
        rng,
        tree,
        start,
        today,
        cards_from: plus_years(start, 3.0),
        actions: Vec::new(),
        people: Vec::new(),
        returning: Vec::new(),
        by_parent,
        by_region,
    };
    planner.organisations();
    let total_weight: f64 = tree.orgs.iter().map(|o| o.weight).sum();
    // A seat is empty between two holders for a few weeks in ten years.
    let per_weight = members as f64 / total_weight.max(1.0) * 1.01;
    for home in 0..n {
        let seats = tree.orgs[home].weight * per_weight;
        let whole = seats.floor() as u64 + u64::from(chance(planner.rng, seats.fract()));
        for _ in 0..whole {
            planner.seat(home);
        }
    }
    planner.rejected_applications();
    let mut actions = planner.actions;
    // Registrations and passports go first on their day, then by effective date.
    actions.sort_by_key(|a| {
        (
            a.entry,
            a.kind > Kind::Passport,
            a.effective,
            a.kind,
            a.subject,
        )
    });
    Plan {
        actions,
        people: planner.people,
        seats_per_weight: per_weight,
    }
}

impl<R: Rng> Planner<'_, R> {
    fn organisations(&mut self) {
        let (start, today) = (self.start, self.today);
        for (idx, org) in self.tree.orgs.iter().enumerate() {
            let subject = idx as u32;
            self.actions.push(Action {
                entry: start,
                effective: org.founded,
                kind: Kind::Register,
                subject,
                arg: 0,
            });
            if org.level == OrgLevel::Primary {
                self.actions.push(Action {
                    entry: start,
                    effective: start,
                    kind: Kind::Passport,
                    subject,
                    arg: 0,
                });
            }
            let day = day_between(self.rng, plus_days(start, 1), today);
            if org.closing {
                self.actions.push(Action {
                    entry: day,
                    effective: day,
                    kind: Kind::Dissolve,
                    subject,
                    arg: 0,
                });
            } else if org.level != OrgLevel::Central && chance(self.rng, 0.005) {
                self.actions.push(Action {
                    entry: day,
                    effective: day,
                    kind: Kind::Rename,
                    subject,
                    arg: 0,
                });
            } else if org.level == OrgLevel::Primary
                && !org.territorial_rights
                && chance(self.rng, 0.003)
            {
                let siblings = &self.tree.territorials[org.region_idx];
                let target = siblings[self.rng.random_range(0..siblings.len())];
                if Some(target) != org.parent {
                    let arg = target as u32;
                    self.actions.push(Action {
                        entry: day,
                        effective: day,
                        kind: Kind::Move,
                        subject,
                        arg,
                    });
                }
            }
        }
    }

    /// One seat of `home`, from before the history until today.
    fn seat(&mut self, mut home: usize) {
        let sector = self.tree.orgs[home].sector.unwrap_or(Sector::Other);
        let mut admitted = None;
        let mut category = MemberCategory::Worker;
        loop {
            let first = admitted.is_none();
            let (person, day) = match admitted {
                // A successor takes the seat's category: a student's seat goes
                // to a student, so the mix of categories stays the union's.
                Some(day) => (self.successor(sector, day, category), day),
                None => self.initial_holder(home, sector),
            };
            if first {
                category = person.category;
            }
            let returning =
                (!first && person.category == MemberCategory::Worker && chance(self.rng, 0.03))
                    .then(|| self.pick_returning(day))
                    .flatten();
            let subject = returning.unwrap_or_else(|| {
                self.people.push(person);
                (self.people.len() - 1) as u32
            });
            let traits = self.people[subject as usize];
            let Some((left, new_home)) = self.spell(subject, &traits, home, day, first) else {
                return;
            };
            home = new_home;
            let next = plus_days(left, self.rng.random_range(7..120));
            if next > self.today {
                return;
            }
            admitted = Some(next);
        }
    }

    /// Applications the chairs reject: one for about every 400 people.
    fn rejected_applications(&mut self) {
        let primaries: Vec<u32> = self.by_region.iter().flatten().copied().collect();
        for _ in 0..self.people.len() / 400 {
            let Some(&home) = primaries.get(self.rng.random_range(0..primaries.len().max(1)))
            else {
                return;
            };
            let day = day_between(self.rng, plus_days(self.start, 1), self.today);
            let sector = self.tree.orgs[home as usize]
                .sector
                .unwrap_or(Sector::Other);
            self.people.push(traits(self.rng, sector, day, self.today));
            let subject = (self.people.len() - 1) as u32;
            let decided = plus_days(day, self.rng.random_range(1..30));
            self.actions.push(Action {
                entry: day,
                effective: day,
                kind: Kind::Submit,
                subject,
                arg: home,
            });
            if decided <= self.today {
                self.actions.push(Action {
                    entry: decided,
                    effective: decided,
                    kind: Kind::Reject,
                    subject,
                    arg: home,
                });
            }
        }
    }

    /// Who held the seat of `home` when the history began, and since when.
    fn initial_holder(&mut self, home: usize, sector: Sector) -> (Traits, NaiveDate) {
        let founded = self.tree.orgs[home].founded;
        for _ in 0..50 {
            let person = traits(self.rng, sector, self.start, self.today);
            let student = person.category == MemberCategory::Student;
            let years = if student {
                self.rng.random_range(0.0..3.5)
            } else {
                self.rng.random_range(0.0..25.0)
            };
            let day = plus_years(self.start, -years).max(founded).min(self.start);
            let person = if student {
                traits(self.rng, sector, day, self.today)
            } else {
                person
            };
            let min_age = if student { 16 } else { 18 };
            let same_kind = person.category == MemberCategory::Student || !student;
            if same_kind && domain::calendar::age_on(person.birth, day) >= min_age {
                return (person, day);
            }
        }
        (traits(self.rng, sector, self.start, self.today), self.start)
    }

    /// Someone of `category` joining a home of `sector` on `day`.
    fn successor(&mut self, sector: Sector, day: NaiveDate, category: MemberCategory) -> Traits {
        let mut person = traits(self.rng, sector, day, self.today);
        for _ in 0..30 {
            if person.category == category {
                break;
            }
            person = traits(self.rng, sector, day, self.today);
        }
        person
    }

    fn pick_returning(&mut self, day: NaiveDate) -> Option<u32> {
        if self.returning.is_empty() {
            return None;
        }
        let i = self.rng.random_range(0..self.returning.len());
        let (_, last_entry) = self.returning[i];
        (last_entry < day).then(|| self.returning.swap_remove(i).0)
    }

    /// Plans one spell of `person` at `home` from `admitted`; returns the day the
    /// seat became free and the seat's home then, or `None` if it is held today.
    fn spell(
        &mut self,
        person: u32,
        traits: &Traits,
        home: usize,
        admitted: NaiveDate,
        initial: bool,
    ) -> Option<(NaiveDate, usize)> {
        let rng = &mut *self.rng;
        let years = match traits.category {
            MemberCategory::Student => rng.random_range(4.0..5.5),
            MemberCategory::Worker => years_until(rng, 0.015),
            MemberCategory::Pensioner => years_until(rng, 0.04),
            MemberCategory::Unemployed => years_until(rng, 0.06),
        };
        // The time left is memoryless for all but students: from the start for
        // those who were members before it.
        let from = if initial && traits.category != MemberCategory::Student {
            self.start
        } else {
            admitted
        };
        let left = plus_years(from, years).max(plus_days(admitted, 1));
        let until = left.min(self.today);
        let mut steps: Vec<(NaiveDate, Kind, u32, u64)> = Vec::with_capacity(6);
        let home_arg = home as u32;
        if !initial && chance(rng, 0.03) {
            steps.push((admitted, Kind::Submit, home_arg, 0));
            steps.push((admitted, Kind::Approve, home_arg, rng.random_range(1..21)));
        } else {
            steps.push((admitted, Kind::Admit, home_arg, 0));
        }
        let card_share = if traits.category == MemberCategory::Student {
            0.4
        } else {
            0.66
        };
        if chance(rng, card_share) {
            let from = plus_days(admitted.max(self.cards_from), 7);
            let day = if admitted >= self.cards_from {
                plus_days(from, rng.random_range(0..90))
            } else {
                day_between(rng, from, self.today)
            };
            if day < until {
                steps.push((day, Kind::Card, u32::from(chance(rng, 0.3)), 0));
                let again = day_between(rng, plus_days(day, 30), until);
                if chance(rng, 0.05) && again < until {
                    steps.push((again, Kind::Card, 1, 0));
                }
            }
        }
        let mut seat_home = home;
        let spell_years = (until - admitted).num_days() as f64 / 365.25;
        if traits.category == MemberCategory::Worker
            && chance(rng, 1.0 - (-0.006 * spell_years).exp())
        {
            let day = day_between(rng, plus_days(admitted.max(self.start), 1), until);
            if day < until
                && let Some(target) = self.transfer_target(home)
            {
                steps.push((day, Kind::Transfer, target as u32, 0));
                seat_home = target;
            }
        }
        let rng = &mut *self.rng;
        if chance(rng, 0.05) {
            let day = day_between(rng, plus_days(admitted.max(self.start), 1), until);
            if day < until {
                steps.push((day, Kind::Update, rng.random_range(0..3), 0));
            }
        }
        let mut ended = None;
        if left <= self.today {
            let x = rng.random::<f64>();
            let reason = match traits.category {
                MemberCategory::Student => EndReason::LeftEducation,
                MemberCategory::Worker if x < 0.55 => EndReason::VoluntaryExit,
                MemberCategory::Worker if x < 0.93 => EndReason::LeftEducation,
                MemberCategory::Worker if x < 0.98 => EndReason::Death,
                MemberCategory::Worker => EndReason::Expulsion,
                MemberCategory::Pensioner if x < 0.6 => EndReason::Death,
                _ => EndReason::VoluntaryExit,
            };
            let arg = END_REASONS.iter().position(|r| *r == reason).unwrap_or(0) as u32;
            steps.push((left, Kind::End, arg, 0));
            ended = Some(reason);
            if reason != EndReason::Death && chance(rng, 0.004) {
                let day = plus_days(left, rng.random_range(30..400));
                steps.push((day, Kind::Erase, 0, 0));
                ended = None;
            }
        }
        steps.sort_by_key(|s| s.0);
        let mut last_entry = self.start;
        for (effective, kind, arg, delay) in steps {
            let late = if delay > 0 || initial || !chance(self.rng, LATE_SHARE) {
                delay
            } else {
                self.rng.random_range(5..MAX_LATE_DAYS)
            };
            let mut entry = plus_days(effective, late).max(self.start);
            if kind != Kind::Admit && kind != Kind::Submit || !initial {
                entry = entry.max(plus_days(last_entry, 1));
            }
            if entry > self.today {
                return None;
            }
            last_entry = entry;
            self.actions.push(Action {
                entry,
                effective,
                kind,
                subject: person,
                arg,
            });
        }
        if matches!(
            ended,
            Some(EndReason::VoluntaryExit | EndReason::LeftEducation)
        ) && traits.category == MemberCategory::Worker
        {
            self.returning.push((person, last_entry));
        }
        (left <= self.today).then_some((left, seat_home))
    }

    fn transfer_target(&mut self, home: usize) -> Option<usize> {
        let tree = self.tree;
        let mut primary = home;
        while tree.orgs[primary].level != OrgLevel::Primary {
            primary = tree.orgs[primary].parent?;
        }
        let org = &tree.orgs[primary];
        let x = self.rng.random::<f64>();
        let list = if x < 0.6 {
            &self.by_parent[org.parent?]
        } else if x < 0.9 {
            &self.by_region[org.region_idx]
        } else {
            &self.by_region[self.rng.random_range(0..self.by_region.len())]
        };
        if list.is_empty() {
            return None;
        }
        let target = list[self.rng.random_range(0..list.len())] as usize;
        let homes = &tree.homes[target];
        let target = *homes.get(self.rng.random_range(0..homes.len().max(1)))?;
        (target != home).then_some(target)
    }
}
