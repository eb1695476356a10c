//! Statistics and movement against a naive recomputation from the raw log.
//!
//! Random small unions are built through the real `decide` functions (admissions,
//! transfers, ends, re-admissions, profile updates, moves, dissolutions,
//! backdated events, erasures), appended to a real SQLite log and folded by a
//! `Projector`. Every figure is then recomputed here, independently, by folding
//! the decoded events by hand with `domain::calendar`, and compared. The file is
//! longer than most because that second, naive model lives in it.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate};
use domain::calendar::{Spell, age_on, tenure_days, tenure_years};
use domain::event::{Event, OrganizationEvent, PersonEvent};
use domain::ids::{OrgId, PersonId};
use domain::organization::{
    self, DissolveOrganization, MoveOrganization, Organization, OrganizationCommand, ParentFacts,
    PassportFrom, RegisterOrganization, UpdatePassport,
};
use domain::person::{
    self, AdmitMember, EndMembership, ErasePersonalData, HomeFacts, Person, PersonCommand,
    TransferMember, UpdateMember,
};
use domain::vocabulary::organization::{OrgLevel, Passport, Sector};
use domain::vocabulary::person::{
    EndReason, Gender, MemberCategory, PersonalData, Profession, Profile, ProfilePatch,
};
use eventlog::{AppendRequest, EventLog, ExpectedVersion, SqliteLog};
use futures::TryStreamExt;
use projections::runtime::{Projection, Projector};
use projections::statistics::{
    Dimension, Key, MemberFilter, Report, Statistics, StatisticsError, TableSpec,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A union being built command by command, with the charter deciding.
struct World {
    log: Arc<dyn EventLog>,
    rng: StdRng,
    today: NaiveDate,
    /// Effective dates are drawn from [floor, today].
    floor: NaiveDate,
    orgs: Vec<(OrgId, Option<Organization>)>,
    persons: Vec<(PersonId, Person)>,
    next_id: u128,
}

impl World {
    async fn new(dir: &std::path::Path, seed: u64) -> World {
        let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(dir.join("log.sqlite")).unwrap());
        let mut world = World {
            log,
            rng: StdRng::seed_from_u64(seed),
            today: d(2015, 1, 1),
            floor: d(1990, 1, 1),
            orgs: Vec::new(),
            persons: Vec::new(),
            next_id: u128::from(seed) << 32,
        };
        let central = world.register(None, OrgLevel::Central, false).await;
        let regions = [
            world
                .register(Some(central), OrgLevel::Regional, false)
                .await,
            world
                .register(Some(central), OrgLevel::Regional, false)
                .await,
        ];
        let mut territorials = Vec::new();
        for region in [regions[0], regions[0], regions[1]] {
            territorials.push(
                world
                    .register(Some(region), OrgLevel::Territorial, false)
                    .await,
            );
        }
        for k in 0..7 {
            let primary = if k == 6 {
                world
                    .register(Some(regions[1]), OrgLevel::Primary, true)
                    .await
            } else {
                world
                    .register(Some(territorials[k % 3]), OrgLevel::Primary, false)
                    .await
            };
            if k % 3 == 0 {
                let sub = world
                    .register(Some(primary), OrgLevel::Subdivision, false)
                    .await;
                world.register(Some(sub), OrgLevel::Group, false).await;
            }
            world.passport(primary).await;
        }
        world
    }

    fn id(&mut self) -> Uuid {
        self.next_id += 1;
        Uuid::from_u128(self.next_id)
    }

    fn day_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let from = from.max(self.floor);
        if from >= to {
            return to;
        }
        from + Days::new(self.rng.random_range(0..=(to - from).num_days() as u64))
    }

    fn org(&self, id: OrgId) -> &Organization {
        self.orgs
            .iter()
            .find(|(o, _)| *o == id)
            .and_then(|(_, o)| o.as_ref())
            .unwrap()
    }

    fn facts(&self, id: OrgId) -> ParentFacts {
        let org = self.org(id);
        let mut ancestors = Vec::new();
        let mut up = org.parent_id;
        while let Some(p) = up {
            ancestors.push(p);
            up = self.org(p).parent_id;
        }
        ParentFacts {
            level: org.level,
            dissolved: org.dissolved_on.is_some(),
            ancestors,
            established_on: org.established_on,
        }
    }

    /// The organisation as a home, with its date of establishment.
    fn home(&self, id: OrgId) -> HomeFacts {
        let org = self.org(id);
        HomeFacts::open(org.level).established(org.established_on)
    }

    /// The first day anything may be dated in `id` (its establishment, or the floor).
    fn begins(&self, id: OrgId) -> NaiveDate {
        self.org(id).established_on.unwrap_or(self.floor)
    }

    async fn append(&self, events: Vec<Event>, erase: Option<String>) {
        let stream = events[0].stream();
        let encoded = events
            .iter()
            .map(|e| eventlog::codec::encode(e).unwrap())
            .collect();
        let mut request = AppendRequest::single(stream, ExpectedVersion::Any, encoded, "test");
        request.erase_personal_data_of = erase.into_iter().collect();
        self.log.append(request).await.unwrap();
    }

    async fn org_command(&mut self, idx: usize, command: OrganizationCommand) -> bool {
        let Ok(events) = organization::decide(&self.orgs[idx].1, &command, self.today) else {
            return false;
        };
        for e in &events {
            organization::evolve(&mut self.orgs[idx].1, e);
        }
        self.append(events.into_iter().map(Event::from).collect(), None)
            .await;
        true
    }

    async fn register(&mut self, parent: Option<OrgId>, level: OrgLevel, rights: bool) -> OrgId {
        let org_id = OrgId(self.id());
        // Half the organisations are found in place (no date), half were
        // established on a day, never before their parent.
        let established_on = (parent.is_some() && self.rng.random_bool(0.5)).then(|| {
            let after = parent.map_or(self.floor, |p| self.begins(p));
            self.day_between(after, d(2006, 1, 1).max(after))
        });
        self.orgs.push((org_id, None));
        let command = RegisterOrganization {
            org_id,
            parent_id: parent,
            name: format!("org {}", self.orgs.len()),
            short_name: None,
            level,
            region_code: (level == OrgLevel::Regional).then_some(self.orgs.len() as u8),
            territorial_rights: rights,
            registered_on: self.today,
            established_on,
            parent: parent.map(|p| self.facts(p)),
            central_exists: level != OrgLevel::Central,
        };
        let idx = self.orgs.len() - 1;
        assert!(
            self.org_command(idx, OrganizationCommand::Register(command))
                .await
        );
        org_id
    }

    async fn passport(&mut self, org_id: OrgId) {
        let passport = Passport {
            sector: [
                None,
                Some(Sector::School),
                Some(Sector::Preschool),
                Some(Sector::College),
            ][self.rng.random_range(0..4)],
            employees: Some(self.rng.random_range(0..40)),
            students: self
                .rng
                .random_bool(0.5)
                .then(|| self.rng.random_range(0..300)),
            ..Passport::default()
        };
        // Dated or not (DESIGN.md §7): an undated first passport describes the
        // primary from its beginning, a later one applies from today.
        let since = match self.org(org_id).passport_from {
            Some(PassportFrom::On(since)) => since,
            _ => self.begins(org_id),
        };
        let effective_on = self
            .rng
            .random_bool(0.5)
            .then(|| self.day_between(since.max(self.begins(org_id)), self.today));
        let idx = self.orgs.iter().position(|(o, _)| *o == org_id).unwrap();
        assert!(
            self.org_command(
                idx,
                OrganizationCommand::UpdatePassport(UpdatePassport {
                    org_id,
                    passport,
                    effective_on,
                }),
            )
            .await
        );
    }

    fn homes(&self) -> Vec<OrgId> {
        self.orgs
            .iter()
            .filter_map(|(id, o)| {
                o.as_ref()
                    .filter(|o| o.level.is_home_level() && o.dissolved_on.is_none())
                    .map(|_| *id)
            })
            .collect()
    }

    async fn person_command(&mut self, idx: usize, command: PersonCommand, erase: bool) {
        let Ok(events) = person::decide(&self.persons[idx].1, &command, self.today) else {
            return;
        };
        for e in &events {
            person::evolve(&mut self.persons[idx].1, e);
        }
        let erase = erase.then(|| self.persons[idx].0.stream());
        self.append(events.into_iter().map(Event::from).collect(), erase)
            .await;
    }

    fn profile(&mut self, birth_date: NaiveDate) -> (Profile, PersonalData) {
        let personal = PersonalData {
            last_name: "Петрова".into(),
            first_name: "Анна".into(),
            patronymic: None,
            birth_date,
            snils: None,
            email: None,
            phone: None,
        };
        let gender = if self.rng.random_bool(0.7) {
            Gender::Female
        } else {
            Gender::Male
        };
        let category = [
            MemberCategory::Worker,
            MemberCategory::Student,
            MemberCategory::Pensioner,
            MemberCategory::Unemployed,
        ][self.rng.random_range(0..4)];
        let profession = self.profession();
        (
            Profile::new(&personal, gender, category, profession, None),
            personal,
        )
    }

    fn profession(&mut self) -> Option<Profession> {
        [
            None,
            Some(Profession::Teacher),
            Some(Profession::Head),
            Some(Profession::SupportStaff),
        ][self.rng.random_range(0..4)]
    }

    /// One random command (refused ones change nothing).
    async fn step(&mut self, erasures: bool) {
        self.today = self.today + Days::new(self.rng.random_range(0..12));
        let homes = self.homes();
        let roll = self.rng.random_range(0..100);
        let n = self.persons.len();
        let pick = if n > 0 {
            self.rng.random_range(0..n)
        } else {
            0
        };
        match roll {
            _ if n == 0 || roll < 30 => {
                let person_id = PersonId(self.id());
                let home_org = homes[self.rng.random_range(0..homes.len())];
                let birth = d(self.rng.random_range(1945..2004), 1, 1)
                    + Days::new(self.rng.random_range(0..366));
                let (profile, personal) = self.profile(birth);
                let from = (self.today - Days::new(3000)).max(self.begins(home_org));
                let effective_on = self.day_between(from, self.today);
                self.persons.push((person_id, Person::default()));
                let command = AdmitMember {
                    person_id,
                    home_org,
                    home: self.home(home_org),
                    effective_on,
                    profile,
                    personal,
                    snils_holder: None,
                    application_id: None,
                };
                self.person_command(n, PersonCommand::Admit(command), false)
                    .await;
            }
            30..=49 => {
                let (person_id, person) = &self.persons[pick];
                let (person_id, start) = (
                    *person_id,
                    person.current_spell_start().unwrap_or(self.today),
                );
                let to_org = homes[self.rng.random_range(0..homes.len())];
                let effective_on = self.day_between(start.max(self.begins(to_org)), self.today);
                let to = self.home(to_org);
                self.person_command(
                    pick,
                    PersonCommand::Transfer(TransferMember {
                        person_id,
                        to_org,
                        to,
                        effective_on,
                    }),
                    false,
                )
                .await;
            }
            50..=64 => {
                let (person_id, start) = (
                    self.persons[pick].0,
                    self.persons[pick]
                        .1
                        .current_spell_start()
                        .unwrap_or(self.today),
                );
                let reason = [
                    EndReason::VoluntaryExit,
                    EndReason::Expulsion,
                    EndReason::LeftEducation,
                    EndReason::Death,
                ][self.rng.random_range(0..4)];
                let effective_on = self.day_between(start, self.today);
                let command = EndMembership {
                    person_id,
                    reason,
                    basis: Some("решение президиума".into()),
                    effective_on,
                };
                self.person_command(pick, PersonCommand::End(command), false)
                    .await;
            }
            65..=72 => {
                let (person_id, person) = &self.persons[pick];
                let (person_id, person) = (*person_id, person.clone());
                let (Some(personal), Some(profile)) =
                    (person.personal.clone(), person.profile.clone())
                else {
                    return;
                };
                let last_end = person
                    .spells
                    .last()
                    .and_then(|s| s.end)
                    .unwrap_or(self.today);
                let home_org = homes[self.rng.random_range(0..homes.len())];
                let effective_on =
                    self.day_between(last_end.max(self.begins(home_org)), self.today);
                let command = AdmitMember {
                    person_id,
                    home_org,
                    home: self.home(home_org),
                    effective_on,
                    profile: Profile {
                        category: MemberCategory::Pensioner,
                        ..profile
                    },
                    personal,
                    snils_holder: None,
                    application_id: None,
                };
                self.person_command(pick, PersonCommand::Admit(command), false)
                    .await;
            }
            73..=82 => {
                let person_id = self.persons[pick].0;
                let category = self.rng.random_bool(0.5).then_some(MemberCategory::Student);
                let profile = ProfilePatch {
                    category,
                    profession: self.profession(),
                    position: None,
                };
                let command = UpdateMember {
                    person_id,
                    profile,
                    personal: Default::default(),
                    snils_holder: None,
                };
                self.person_command(pick, PersonCommand::Update(command), false)
                    .await;
            }
            83..=85 if erasures => {
                let person_id = self.persons[pick].0;
                self.person_command(
                    pick,
                    PersonCommand::Erase(ErasePersonalData {
                        person_id,
                        basis: "заявление".into(),
                    }),
                    true,
                )
                .await;
            }
            86..=93 => self.move_some_org().await,
            94..=96 => self.dissolve_some_org().await,
            _ => {
                let primaries: Vec<OrgId> = self
                    .orgs
                    .iter()
                    .filter(|(_, o)| {
                        o.as_ref().is_some_and(|o| {
                            o.level == OrgLevel::Primary && o.dissolved_on.is_none()
                        })
                    })
                    .map(|(id, _)| *id)
                    .collect();
                let org = primaries[self.rng.random_range(0..primaries.len())];
                self.passport(org).await;
            }
        }
    }

    async fn move_some_org(&mut self) {
        let idx = self.rng.random_range(1..self.orgs.len());
        let org = self.orgs[idx].1.clone().unwrap();
        let wanted = match org.level {
            OrgLevel::Primary if !org.territorial_rights => OrgLevel::Territorial,
            OrgLevel::Territorial | OrgLevel::Primary => OrgLevel::Regional,
            OrgLevel::Group => OrgLevel::Subdivision,
            _ => return,
        };
        let parents: Vec<OrgId> = self
            .orgs
            .iter()
            .filter(|(_, o)| o.as_ref().is_some_and(|o| o.level == wanted))
            .map(|(id, _)| *id)
            .collect();
        let new_parent_id = parents[self.rng.random_range(0..parents.len())];
        let since = org
            .placed_since
            .unwrap_or(self.floor)
            .max(self.begins(new_parent_id));
        let effective_on = self.day_between(since, self.today);
        let command = MoveOrganization {
            org_id: org.org_id,
            new_parent_id,
            new_parent: Some(self.facts(new_parent_id)),
            effective_on,
        };
        self.org_command(idx, OrganizationCommand::Move(command))
            .await;
    }

    async fn dissolve_some_org(&mut self) {
        let idx = self.rng.random_range(1..self.orgs.len());
        let org = self.orgs[idx].1.clone().unwrap();
        let busy = self.persons.iter().any(|(_, p)| {
            p.home
                .is_some_and(|h| h == org.org_id || self.facts(h).ancestors.contains(&org.org_id))
        }) || self.orgs.iter().any(|(_, o)| {
            o.as_ref()
                .is_some_and(|o| o.parent_id == Some(org.org_id) && o.dissolved_on.is_none())
        });
        let effective_on = self.day_between(org.placed_since.unwrap_or(self.floor), self.today);
        let command = DissolveOrganization {
            org_id: org.org_id,
            effective_on,
            active_members_in_subtree: u64::from(busy),
        };
        self.org_command(idx, OrganizationCommand::Dissolve(command))
            .await;
    }
}

/// The naive model: every fact of the decoded log, with its date and position.
#[derive(Default)]
struct Naive {
    orgs: Vec<NaiveOrg>,
    persons: HashMap<PersonId, NaivePerson>,
    head: u64,
    /// Each event's position, day and the organisations it concerns.
    journal: Vec<(u64, NaiveDate, Vec<OrgId>)>,
}

struct NaiveOrg {
    id: OrgId,
    level: OrgLevel,
    pos: u64,
    parent: Option<OrgId>,
    moves: Vec<(NaiveDate, u64, OrgId)>,
    dissolved: Option<(NaiveDate, u64)>,
    /// `None`: found in place, there on every date.
    established: Option<NaiveDate>,
    region_code: Option<u8>,
    /// (first day, `None`: since the beginning; position; passport).
    passports: Vec<(Option<NaiveDate>, u64, Passport)>,
}

#[derive(Default)]
struct NaivePerson {
    first: Option<(Gender, NaiveDate)>,
    spells: Vec<NaiveSpell>,
    profile: Vec<ProfileChange>,
}

/// (day, position, category set, profession set).
type ProfileChange = (
    NaiveDate,
    u64,
    Option<MemberCategory>,
    Option<Option<Profession>>,
);

struct NaiveSpell {
    home: OrgId,
    start: NaiveDate,
    pos: u64,
    from: Option<OrgId>,
    end: Option<(NaiveDate, u64, Result<OrgId, EndReason>)>,
}

/// The figures compared: every number of a report, bucket counts in order.
#[derive(Debug, PartialEq)]
struct Figures {
    org: OrgId,
    members: u64,
    youth: u64,
    employees: u64,
    students: u64,
    buckets: Vec<Vec<u64>>,
    coverage: (Option<u64>, Option<u64>),
}

fn figures(report: &Report) -> Figures {
    let counts = |b: &[(&str, u64)]| b.iter().map(|(_, n)| *n).collect();
    Figures {
        org: report.org,
        members: report.members,
        youth: report.youth,
        employees: report.employees,
        students: report.students,
        buckets: vec![
            counts(&report.by_gender),
            counts(&report.by_category),
            counts(&report.by_profession),
            counts(&report.by_age_band),
            counts(&report.by_tenure_band),
            counts(&report.by_sector),
        ],
        coverage: (
            report.worker_coverage.map(f64::to_bits),
            report.student_coverage.map(f64::to_bits),
        ),
    }
}

impl Naive {
    async fn read(log: &Arc<dyn EventLog>) -> Naive {
        let stored: Vec<_> = eventlog::read_all(Arc::clone(log), 0)
            .try_collect()
            .await
            .unwrap();
        let mut naive = Naive::default();
        for s in stored {
            let pos = s.position;
            naive.head = pos;
            let day = s.effective_on.unwrap_or(s.recorded_at.date_naive());
            let event = eventlog::codec::decode(&s).unwrap();
            let concerned = naive.concerned(&event);
            naive.journal.push((pos, day, concerned));
            match event {
                Event::Organization(e) => naive.org_event(e, pos),
                Event::Person(e) => naive.person_event(e, pos),
                _ => {}
            }
        }
        naive
    }

    /// The organisations `event` concerns, before it is folded: its own, the
    /// homes it names, else the person's home then (the last one once ended).
    fn concerned(&self, event: &Event) -> Vec<OrgId> {
        match event {
            Event::Organization(OrganizationEvent::Moved {
                org_id,
                from_parent,
                to_parent,
                ..
            }) => vec![*org_id, *from_parent, *to_parent],
            Event::Organization(e) => vec![e.org_id()],
            Event::Person(PersonEvent::Admitted { home_org, .. })
            | Event::Person(PersonEvent::MembershipEnded { home_org, .. }) => vec![*home_org],
            Event::Person(PersonEvent::Transferred {
                from_org, to_org, ..
            }) => vec![*from_org, *to_org],
            Event::Person(e) => self
                .persons
                .get(&e.person_id())
                .and_then(|p| p.spells.last())
                .map(|spell| spell.home)
                .into_iter()
                .collect(),
            _ => vec![],
        }
    }

    /// The positions of the events that concern the subtree of `root`, the
    /// tree as of each event's day (as known at the head).
    fn journal_of(&self, root: OrgId) -> Vec<u64> {
        self.journal
            .iter()
            .filter(|(_, day, orgs)| {
                orgs.iter()
                    .any(|&org| self.within(org, root, *day, self.head))
            })
            .map(|(pos, _, _)| *pos)
            .collect()
    }

    fn org_mut(&mut self, id: OrgId) -> &mut NaiveOrg {
        self.orgs.iter_mut().find(|o| o.id == id).unwrap()
    }

    fn org(&self, id: OrgId) -> &NaiveOrg {
        self.orgs.iter().find(|o| o.id == id).unwrap()
    }

    fn org_event(&mut self, e: OrganizationEvent, pos: u64) {
        match e {
            OrganizationEvent::Registered {
                org_id,
                parent_id,
                level,
                established_on,
                region_code,
                ..
            } => self.orgs.push(NaiveOrg {
                id: org_id,
                level,
                pos,
                parent: parent_id,
                moves: vec![],
                dissolved: None,
                established: established_on,
                region_code,
                passports: vec![],
            }),
            OrganizationEvent::Moved {
                org_id,
                to_parent,
                effective_on,
                ..
            } => self
                .org_mut(org_id)
                .moves
                .push((effective_on, pos, to_parent)),
            OrganizationEvent::Dissolved {
                org_id,
                effective_on,
            } => self.org_mut(org_id).dissolved = Some((effective_on, pos)),
            OrganizationEvent::PassportUpdated {
                org_id,
                passport,
                updated_on,
                effective_on,
            } => {
                let org = self.org_mut(org_id);
                let from = match (effective_on, org.passports.is_empty()) {
                    (Some(day), _) => Some(day),
                    (None, true) => None,
                    (None, false) => Some(updated_on),
                };
                org.passports.push((from, pos, passport));
            }
            OrganizationEvent::Renamed { .. } => {}
        }
    }

    fn person_event(&mut self, e: PersonEvent, pos: u64) {
        let p = self.persons.entry(e.person_id()).or_default();
        match e {
            PersonEvent::Admitted {
                home_org,
                effective_on,
                profile,
                personal,
                ..
            } => {
                let birth = personal.map_or(d(profile.birth_year, 7, 1), |p| p.birth_date);
                p.first.get_or_insert((profile.gender, birth));
                p.profile.push((
                    effective_on,
                    pos,
                    Some(profile.category),
                    Some(profile.profession),
                ));
                p.spells.push(NaiveSpell {
                    home: home_org,
                    start: effective_on,
                    pos,
                    from: None,
                    end: None,
                });
            }
            PersonEvent::Transferred {
                from_org,
                to_org,
                effective_on,
                ..
            } => {
                p.spells.last_mut().unwrap().end = Some((effective_on, pos, Ok(to_org)));
                p.spells.push(NaiveSpell {
                    home: to_org,
                    start: effective_on,
                    pos,
                    from: Some(from_org),
                    end: None,
                });
            }
            PersonEvent::MembershipEnded {
                reason,
                effective_on,
                ..
            } => p.spells.last_mut().unwrap().end = Some((effective_on, pos, Err(reason))),
            PersonEvent::ProfileUpdated {
                profile,
                updated_on,
                ..
            } if profile.category.is_some() || profile.profession.is_some() => {
                p.profile.push((
                    updated_on,
                    pos,
                    profile.category,
                    profile.profession.map(Some),
                ));
            }
            _ => {}
        }
    }

    fn parent_on(&self, org: OrgId, on: NaiveDate, at: u64) -> Option<OrgId> {
        let o = self.org(org);
        o.moves
            .iter()
            .filter(|m| m.0 <= on && m.1 <= at)
            .max_by_key(|m| (m.0, m.1))
            .map_or(o.parent, |m| Some(m.2))
    }

    fn within(&self, org: OrgId, root: OrgId, on: NaiveDate, at: u64) -> bool {
        let mut up = Some(org);
        while let Some(o) = up {
            if o == root {
                return true;
            }
            up = self.parent_on(o, on, at);
        }
        false
    }

    fn exists(&self, org: &NaiveOrg, on: NaiveDate, at: u64) -> bool {
        org.pos <= at
            && org.established.is_none_or(|e| e <= on)
            && !org
                .dissolved
                .is_some_and(|(day, pos)| pos <= at && day <= on)
    }

    fn passport(&self, org: OrgId, on: NaiveDate, at: u64) -> Passport {
        let o = self.org(org);
        o.passports
            .iter()
            .filter(|p| p.0.is_none_or(|from| from <= on) && p.1 <= at)
            .max_by_key(|p| (p.0, p.1))
            .map(|p| p.2.clone())
            .unwrap_or_default()
    }

    fn figures(&self, root: OrgId, on: NaiveDate, at: u64) -> Figures {
        let mut f = Figures {
            org: root,
            members: 0,
            youth: 0,
            employees: 0,
            students: 0,
            buckets: vec![
                vec![0; 2],
                vec![0; 4],
                vec![0; 7],
                vec![0; 5],
                vec![0; 5],
                vec![0; 7],
            ],
            coverage: (None, None),
        };
        for o in &self.orgs {
            if o.level == OrgLevel::Primary
                && self.exists(o, on, at)
                && self.within(o.id, root, on, at)
            {
                let passport = self.passport(o.id, on, at);
                f.employees += u64::from(passport.employees.unwrap_or(0));
                f.students += u64::from(passport.students.unwrap_or(0));
            }
        }
        for p in self.persons.values() {
            let known: Vec<&NaiveSpell> = p.spells.iter().filter(|s| s.pos <= at).collect();
            let spells: Vec<Spell> = known
                .iter()
                .map(|s| Spell {
                    home_org: s.home,
                    start: s.start,
                    end: s.end.filter(|e| e.1 <= at).map(|e| e.0),
                })
                .collect();
            for spell in spells
                .iter()
                .filter(|s| s.covers(on) && self.within(s.home_org, root, on, at))
            {
                let (gender, birth) = p.first.unwrap();
                let age = age_on(birth, on);
                f.members += 1;
                f.youth += u64::from(age <= 35);
                f.buckets[0][gender as usize] += 1;
                let mut changes: Vec<_> = p
                    .profile
                    .iter()
                    .filter(|c| c.0 <= on && c.1 <= at)
                    .collect();
                changes.sort_by_key(|c| (c.0, c.1));
                let (mut category, mut profession) = (None, None);
                for c in changes {
                    category = c.2.or(category);
                    profession = c.3.unwrap_or(profession);
                }
                f.buckets[1][category.unwrap() as usize] += 1;
                if let Some(profession) = profession {
                    f.buckets[2][profession as usize] += 1;
                }
                f.buckets[3][match age {
                    0..=35 => 0,
                    36..=45 => 1,
                    46..=55 => 2,
                    56..=65 => 3,
                    _ => 4,
                }] += 1;
                let years = tenure_years(tenure_days(&spells, on));
                f.buckets[4][[1.0, 5.0, 10.0, 20.0]
                    .iter()
                    .filter(|&&b| years >= b)
                    .count()] += 1;
                let mut primary = Some(spell.home_org);
                while let Some(o) = primary.filter(|&o| self.org(o).level != OrgLevel::Primary) {
                    primary = self.parent_on(o, on, at);
                }
                if let Some(sector) = primary.and_then(|o| self.passport(o, on, at).sector) {
                    f.buckets[5][Sector::ALL.iter().position(|s| *s == sector).unwrap()] += 1;
                }
            }
        }
        let coverage = |n: u64, of: u64| (of > 0).then(|| (n as f64 / of as f64).to_bits());
        f.coverage = (
            coverage(f.buckets[1][0], f.employees),
            coverage(f.buckets[1][1], f.students),
        );
        f
    }

    fn children(&self, root: OrgId, on: NaiveDate, at: u64) -> Vec<OrgId> {
        self.orgs
            .iter()
            .filter(|o| self.exists(o, on, at) && self.parent_on(o.id, on, at) == Some(root))
            .map(|o| o.id)
            .collect()
    }

    fn members(&self, root: OrgId, on: NaiveDate, at: u64) -> i64 {
        self.figures(root, on, at).members as i64
    }

    /// (admitted, in, out, ended by reason, net) over [from, to], from the
    /// events up to `at`: a spell opened after `at` is not there, one closed
    /// after it is open.
    fn movement(
        &self,
        root: OrgId,
        from: NaiveDate,
        to: NaiveDate,
        at: u64,
    ) -> (u64, u64, u64, [u64; 4], i64) {
        let (mut admitted, mut moved_in, mut moved_out, mut ended) = (0, 0, 0, [0; 4]);
        for s in self.persons.values().flat_map(|p| &p.spells) {
            if s.pos > at {
                continue;
            }
            if (from..=to).contains(&s.start) && self.within(s.home, root, s.start, at) {
                match s.from {
                    None => admitted += 1,
                    Some(f) if !self.within(f, root, s.start, at) => moved_in += 1,
                    _ => {}
                }
            }
            if let Some((end, _, how)) = s.end.filter(|e| {
                e.1 <= at && (from..=to).contains(&e.0) && self.within(s.home, root, e.0, at)
            }) {
                match how {
                    Ok(next) if !self.within(next, root, end, at) => moved_out += 1,
                    Ok(_) => {}
                    Err(reason) => ended[reason as usize] += 1,
                }
            }
        }
        let net = self.members(root, to, at) - self.members(root, from.pred_opt().unwrap(), at);
        (admitted, moved_in, moved_out, ended, net)
    }
}

/// Every report and movement of `stats` equals the naive recomputation.
fn check_against_naive(
    stats: &Statistics,
    naive: &Naive,
    dates: &[NaiveDate],
    positions: &[u64],
) -> usize {
    let mut checked = 0;
    for &at in positions {
        for &on in dates {
            for org in &naive.orgs {
                let report = stats.report(org.id, on, Some(at));
                if !naive.exists(org, on, at) {
                    assert!(
                        report.is_err(),
                        "{:?} on {on} at {at} should not exist",
                        org.id
                    );
                    continue;
                }
                let report = report.unwrap();
                assert_eq!(
                    figures(&report),
                    naive.figures(org.id, on, at),
                    "{:?} on {on} known at {at}",
                    org.id
                );
                let children: Vec<OrgId> = report.breakdown.iter().map(|r| r.org).collect();
                assert_eq!(
                    children,
                    naive.children(org.id, on, at),
                    "children of {:?} on {on} at {at}",
                    org.id
                );
                for child in &report.breakdown {
                    assert_eq!(figures(child), naive.figures(child.org, on, at));
                }
                checked += 1;
            }
        }
    }
    // Movement over consecutive dates (and over one day) at the head and at
    // a few earlier positions, known then.
    let periods: Vec<(NaiveDate, NaiveDate)> = dates
        .windows(2)
        .map(|w| (w[0], w[1]))
        .chain(dates.iter().map(|&on| (on, on)))
        .collect();
    let some_positions: Vec<Option<u64>> = positions
        .iter()
        .step_by(5)
        .map(|&at| Some(at))
        .chain([None])
        .collect();
    for &known_at in &some_positions {
        let at = known_at.unwrap_or(naive.head);
        for &(from, to) in &periods {
            for org in &naive.orgs {
                let m = match known_at {
                    None => stats.movement(org.id, from, to),
                    Some(at) => stats.movement_known_at(org.id, from, to, Some(at)),
                };
                if org.pos > at {
                    assert!(m.is_err(), "{:?} is not known at {at}", org.id);
                    continue;
                }
                let m = m.unwrap();
                let (admitted, moved_in, moved_out, ended, net) =
                    naive.movement(org.id, from, to, at);
                let by_reason: Vec<u64> = m.ended_by_reason.iter().map(|b| b.1).collect();
                assert_eq!(
                    (
                        m.admitted,
                        m.transferred_in,
                        m.transferred_out,
                        by_reason,
                        m.net
                    ),
                    (admitted, moved_in, moved_out, ended.to_vec(), net),
                    "movement of {:?} from {from} to {to} known at {at}",
                    org.id
                );
                assert_eq!(m.ended, ended.iter().sum::<u64>());
                assert_eq!(m.known_at, at);
            }
        }
    }
    checked
}

/// The subtree journal of every organisation (pages, totals, membership of
/// single events) equals the naive attribution.
fn check_journal_against_naive(stats: &Statistics, naive: &Naive) {
    let mut moved_subtrees = 0;
    for org in &naive.orgs {
        let expected = naive.journal_of(org.id);
        let all = stats.journal_page(org.id, 0, usize::MAX).unwrap();
        assert_eq!(all, expected, "journal of {:?}", org.id);
        assert_eq!(stats.journal_count(org.id, 0), Some(expected.len() as u64));
        if naive.orgs.iter().any(|o| {
            !o.moves.is_empty()
                && naive.within(o.id, org.id, naive.org(o.id).moves[0].0, naive.head)
        }) {
            moved_subtrees += 1;
        }
        // Paging by fives walks the same list; totals from a middle position.
        let mut walked: Vec<u64> = Vec::new();
        let mut after = 0;
        loop {
            let page = stats.journal_page(org.id, after, 5).unwrap();
            walked.extend(&page);
            match page.last() {
                Some(&last) if page.len() == 5 => after = last,
                _ => break,
            }
        }
        assert_eq!(walked, expected, "paged journal of {:?}", org.id);
        let middle = naive.head / 2;
        // Backward by fives from the end walks the same list; before any
        // listed position, above any lower bound, a page is the naive slice.
        let mut back: Vec<u64> = Vec::new();
        let mut before = None;
        loop {
            let page = stats.journal_page_before(org.id, 0, before, 5).unwrap();
            back.splice(0..0, page.iter().copied());
            match page.first() {
                Some(&first) if page.len() == 5 => before = Some(first),
                _ => break,
            }
        }
        assert_eq!(back, expected, "journal of {:?} paged backward", org.id);
        for (i, &at) in expected.iter().enumerate().step_by(3) {
            for k in [1, 4] {
                let page = stats.journal_page_before(org.id, 0, Some(at), k).unwrap();
                assert_eq!(page, expected[i.saturating_sub(k)..i], "{k} before {at}");
            }
            let above: Vec<u64> = expected[..i]
                .iter()
                .copied()
                .filter(|&p| p > middle)
                .collect();
            let page = stats
                .journal_page_before(org.id, middle, Some(at), usize::MAX)
                .unwrap();
            assert_eq!(page, above, "before {at}, above {middle}");
        }
        let later = expected.iter().filter(|&&p| p > middle).count() as u64;
        assert_eq!(stats.journal_count(org.id, middle), Some(later));
        for &(pos, _, _) in naive.journal.iter().step_by(7) {
            assert_eq!(
                stats.journal_concerns(org.id, pos),
                expected.binary_search(&pos).is_ok(),
                "event {pos} for {:?}",
                org.id
            );
        }
    }
    assert!(
        moved_subtrees > 0,
        "no subtree saw a move: the day-by-day path went untested"
    );
    assert_eq!(stats.journal_count(OrgId(Uuid::new_v4()), 0), None);
}

async fn projected(log: &Arc<dyn EventLog>) -> (Arc<Statistics>, Projector) {
    let stats = Arc::new(Statistics::new());
    let projector = Projector::new(
        Arc::clone(log),
        vec![Arc::clone(&stats) as Arc<dyn Projection>],
        0,
    );
    projector.catch_up().await.unwrap();
    (stats, projector)
}

async fn check_union(seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let mut world = World::new(dir.path(), seed).await;
    let live = Arc::new(Statistics::new());
    let projector = Projector::new(
        Arc::clone(&world.log),
        vec![Arc::clone(&live) as Arc<dyn Projection>],
        0,
    );
    // Phase 1: everything, erasures included, applied live in many small batches.
    for _ in 0..10 {
        for _ in 0..25 {
            world.step(true).await;
        }
        projector.catch_up().await.unwrap();
    }
    let p1 = live.applied();
    let old_day = world.today;
    let dates = [
        d(2008, 6, 1),
        d(2012, 1, 1),
        old_day - Days::new(900),
        old_day - Days::new(200),
        old_day,
    ];
    let snapshot: Vec<_> = world
        .orgs
        .iter()
        .flat_map(|(id, _)| {
            dates.map(|on| {
                (
                    *id,
                    on,
                    live.report(*id, on, Some(p1)),
                    live.report(*id, on, None),
                )
            })
        })
        .collect();

    // Phase 2: more events, no erasure, all effective after `old_day`.
    world.floor = old_day + Days::new(1);
    for _ in 0..6 {
        for _ in 0..25 {
            world.step(false).await;
        }
        projector.catch_up().await.unwrap();
    }
    for (org, on, known_then, now_then) in &snapshot {
        assert_eq!(
            &live.report(*org, *on, Some(p1)),
            known_then,
            "knownAt {p1} changed for {org:?} on {on}"
        );
        let now = live.report(*org, *on, None).map(|r| figures(&r));
        assert_eq!(
            now,
            now_then.clone().map(|r| figures(&r)),
            "events after {on} changed its figures"
        );
    }

    // Phase 3: anything again, then compare live, rebuilt and naive.
    world.floor = d(1990, 1, 1);
    for _ in 0..4 {
        for _ in 0..25 {
            world.step(true).await;
        }
        projector.catch_up().await.unwrap();
    }
    let (rebuilt, _) = projected(&world.log).await;
    assert_eq!(live.digest(), rebuilt.digest(), "live and rebuilt differ");
    let naive = Naive::read(&world.log).await;
    let dates = [
        d(2009, 12, 31),
        d(2012, 1, 1),
        old_day - Days::new(1500),
        old_day - Days::new(400),
        old_day,
        world.today - Days::new(100),
        world.today,
    ];
    // Every 17th position, so some fall just before a chunk's latest change.
    let positions: Vec<u64> = (1..=naive.head / 17)
        .map(|k| k * 17)
        .chain([p1, naive.head])
        .collect();
    let checked = check_against_naive(&live, &naive, &dates, &positions);
    let spells: usize = naive.persons.values().map(|p| p.spells.len()).sum();
    let moves: usize = naive.orgs.iter().map(|o| o.moves.len()).sum();
    let members = naive
        .figures(naive.orgs[0].id, world.today, naive.head)
        .members;
    eprintln!(
        "seed {seed}: {} events, {} persons, {spells} spells, {moves} moves, {} dissolved, {members} members now, {checked} reports",
        naive.head,
        naive.persons.len(),
        naive.orgs.iter().filter(|o| o.dissolved.is_some()).count()
    );
    check_against_naive(&rebuilt, &naive, &dates[3..], &positions[2..]);
    // The report builder on the same union: fewer positions, every date.
    let some_positions: Vec<u64> = positions
        .iter()
        .copied()
        .step_by(7)
        .chain([p1, naive.head])
        .collect();
    let tables = check_tables_against_naive(&live, &naive, &dates, &some_positions);
    assert!(tables > 1000, "only {tables} tables checked");
    assert!(checked > 2000, "only {checked} reports checked");
    check_journal_against_naive(&live, &naive);
    check_journal_against_naive(&rebuilt, &naive);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_figure_equals_a_naive_recomputation_on_random_unions() {
    for seed in 1..=4 {
        check_union(seed).await;
    }
}

#[tokio::test]
async fn an_organisation_moved_last_month_counts_under_its_old_parent_last_year() {
    let dir = tempfile::tempdir().unwrap();
    let mut world = World::new(dir.path(), 99).await;
    world.today = d(2025, 6, 1);
    let school = world
        .orgs
        .iter()
        .find(|(_, o)| {
            o.as_ref().unwrap().level == OrgLevel::Primary
                && !o.as_ref().unwrap().territorial_rights
        })
        .unwrap()
        .0;
    let old_parent = world.org(school).parent_id.unwrap();
    let new_parent = world
        .orgs
        .iter()
        .map(|(id, o)| (*id, o.as_ref().unwrap()))
        .find(|(id, o)| o.level == OrgLevel::Territorial && *id != old_parent)
        .unwrap()
        .0;
    let (profile, personal) = world.profile(d(1980, 3, 3));
    let person_id = PersonId(world.id());
    world.persons.push((person_id, Person::default()));
    let admit = AdmitMember {
        person_id,
        home_org: school,
        home: HomeFacts::open(OrgLevel::Primary),
        effective_on: d(2020, 9, 1),
        profile,
        personal,
        snils_holder: None,
        application_id: None,
    };
    world
        .person_command(0, PersonCommand::Admit(admit), false)
        .await;
    let idx = world.orgs.iter().position(|(id, _)| *id == school).unwrap();
    let command = MoveOrganization {
        org_id: school,
        new_parent_id: new_parent,
        new_parent: Some(world.facts(new_parent)),
        effective_on: d(2025, 5, 1),
    };
    assert!(
        world
            .org_command(idx, OrganizationCommand::Move(command))
            .await
    );
    let (stats, _) = projected(&world.log).await;

    let last_year = d(2024, 6, 1);
    assert_eq!(
        stats.report(old_parent, last_year, None).unwrap().members,
        1
    );
    assert_eq!(
        stats.report(new_parent, last_year, None).unwrap().members,
        0
    );
    assert_eq!(
        stats
            .report(old_parent, d(2025, 4, 30), None)
            .unwrap()
            .members,
        1
    );
    assert_eq!(
        stats
            .report(new_parent, d(2025, 5, 1), None)
            .unwrap()
            .members,
        1
    );
    assert_eq!(
        stats
            .report(old_parent, d(2025, 5, 1), None)
            .unwrap()
            .members,
        0
    );
    let breakdown = stats.report(old_parent, last_year, None).unwrap().breakdown;
    assert!(breakdown.iter().any(|r| r.org == school && r.members == 1));
    // Known before the move was logged, the school is still under its old parent.
    let before_move = stats.applied() - 1;
    assert_eq!(
        stats
            .report(old_parent, d(2025, 5, 20), Some(before_move))
            .unwrap()
            .members,
        1
    );
}

#[tokio::test]
async fn an_unknown_organisation_is_an_error_and_every_bucket_is_present() {
    let dir = tempfile::tempdir().unwrap();
    let world = World::new(dir.path(), 7).await;
    let (stats, _) = projected(&world.log).await;
    let unknown = OrgId(Uuid::from_u128(1));
    assert_eq!(
        stats.report(unknown, d(2024, 1, 1), None),
        Err(StatisticsError::UnknownOrganization { org: unknown })
    );
    let report = stats.report(world.orgs[0].0, d(2024, 1, 1), None).unwrap();
    let keys: Vec<&str> = report.by_age_band.iter().map(|b| b.0).collect();
    assert_eq!(
        keys,
        [
            "AGE_UP_TO_35",
            "AGE_36_TO_45",
            "AGE_46_TO_55",
            "AGE_56_TO_65",
            "AGE_66_PLUS"
        ]
    );
    assert_eq!(report.by_sector.len(), 7);
    assert_eq!(report.by_profession.len(), 7);
    assert_eq!(report.breakdown.len(), 2);
    assert_eq!(report.members, 0);
    assert!(report.employees > 0 || report.worker_coverage.is_none());
}

/// The report builder's tables against the naive fold: every cell of a few
/// tables (two dimensions, custom bands, filters) on every organisation, date
/// and position checked.
fn check_tables_against_naive(
    stats: &Statistics,
    naive: &Naive,
    dates: &[NaiveDate],
    positions: &[u64],
) -> usize {
    let specs = table_specs();
    let mut checked = 0;
    for &at in positions {
        for &on in dates {
            for org in &naive.orgs {
                if !naive.exists(org, on, at) {
                    continue;
                }
                for spec in &specs {
                    let table = stats.table(org.id, on, Some(at), spec).unwrap();
                    let expected = naive.table(org.id, on, at, spec);
                    let mut seen = 0;
                    for (r, row_key) in table.rows.iter().enumerate() {
                        let columns: Vec<Option<&Key>> = if spec.columns.is_none() {
                            vec![None]
                        } else {
                            table.columns.iter().map(Some).collect()
                        };
                        for (c, column_key) in columns.into_iter().enumerate() {
                            let want = expected
                                .get(&(row_key.clone(), column_key.cloned()))
                                .copied()
                                .unwrap_or(0);
                            seen += want;
                            assert_eq!(
                                table.cells[r][c], want,
                                "{spec:?} of {:?} on {on} at {at}: {row_key:?} × {column_key:?}",
                                org.id
                            );
                        }
                    }
                    let all: u64 = expected.values().sum();
                    assert_eq!(
                        seen, all,
                        "{spec:?}: a naive key outside the table's headings: {expected:?} vs {table:?}"
                    );
                    checked += 1;
                }
                // Unfiltered, by one dimension, a table sums to the report's members.
                let by_gender = TableSpec {
                    filter: MemberFilter::default(),
                    rows: Dimension::Gender,
                    columns: None,
                    age_edges: vec![36, 46, 56, 66],
                    tenure_edges: vec![1.0, 5.0, 10.0, 20.0],
                };
                let table = stats.table(org.id, on, Some(at), &by_gender).unwrap();
                let report = stats.report(org.id, on, Some(at)).unwrap();
                assert_eq!(table.total(), report.members);
            }
        }
    }
    checked
}

fn table_specs() -> Vec<TableSpec> {
    let plain = TableSpec {
        filter: MemberFilter::default(),
        rows: Dimension::Child,
        columns: Some(Dimension::Gender),
        age_edges: vec![36, 46, 56, 66],
        tenure_edges: vec![1.0, 5.0, 10.0, 20.0],
    };
    vec![
        plain.clone(),
        TableSpec {
            rows: Dimension::AgeBand,
            columns: Some(Dimension::Sector),
            age_edges: vec![25, 30, 50],
            filter: MemberFilter {
                categories: vec![0, 1],
                tenure_from_years: Some(0.5),
                ..MemberFilter::default()
            },
            ..plain.clone()
        },
        TableSpec {
            rows: Dimension::TenureBand,
            columns: Some(Dimension::Category),
            tenure_edges: vec![0.25, 2.0, 3.5],
            filter: MemberFilter {
                genders: vec![0],
                age_from: Some(30),
                age_to: Some(60),
                ..MemberFilter::default()
            },
            ..plain.clone()
        },
        TableSpec {
            rows: Dimension::Region,
            columns: Some(Dimension::Level),
            filter: MemberFilter {
                sectors: vec![1, 2],
                tenure_under_years: Some(6.0),
                ..MemberFilter::default()
            },
            ..plain.clone()
        },
        TableSpec {
            rows: Dimension::Profession,
            columns: Some(Dimension::Child),
            filter: MemberFilter {
                professions: vec![0, 3, 5],
                levels: vec![OrgLevel::Primary, OrgLevel::Group],
                region_codes: vec![1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
                ..MemberFilter::default()
            },
            ..plain
        },
    ]
}

impl Naive {
    fn region_of(&self, org: OrgId, on: NaiveDate, at: u64) -> Option<u8> {
        let mut up = Some(org);
        while let Some(o) = up {
            let naive = self.org(o);
            if naive.level == OrgLevel::Regional {
                return naive.region_code;
            }
            up = self.parent_on(o, on, at);
        }
        None
    }

    /// The naive table: (row key, column key) → members, counted spell by spell.
    fn table(
        &self,
        root: OrgId,
        on: NaiveDate,
        at: u64,
        spec: &TableSpec,
    ) -> HashMap<(Key, Option<Key>), u64> {
        let children = self.children(root, on, at);
        let mut counts = HashMap::new();
        for p in self.persons.values() {
            let known: Vec<&NaiveSpell> = p.spells.iter().filter(|s| s.pos <= at).collect();
            let spells: Vec<Spell> = known
                .iter()
                .map(|s| Spell {
                    home_org: s.home,
                    start: s.start,
                    end: s.end.filter(|e| e.1 <= at).map(|e| e.0),
                })
                .collect();
            for spell in spells
                .iter()
                .filter(|s| s.covers(on) && self.within(s.home_org, root, on, at))
            {
                let (gender, birth) = p.first.unwrap();
                let age = age_on(birth, on) as u32;
                let mut changes: Vec<_> = p
                    .profile
                    .iter()
                    .filter(|c| c.0 <= on && c.1 <= at)
                    .collect();
                changes.sort_by_key(|c| (c.0, c.1));
                let (mut category, mut profession) = (None, None);
                for c in changes {
                    category = c.2.or(category);
                    profession = c.3.unwrap_or(profession);
                }
                let category = category.unwrap() as u8;
                let profession = profession.map(|p| p as u8);
                let years = tenure_years(tenure_days(&spells, on));
                let mut primary = Some(spell.home_org);
                while let Some(o) = primary.filter(|&o| self.org(o).level != OrgLevel::Primary) {
                    primary = self.parent_on(o, on, at);
                }
                let sector = primary
                    .and_then(|o| self.passport(o, on, at).sector)
                    .map(|s| Sector::ALL.iter().position(|x| *x == s).unwrap() as u8);
                let region = self.region_of(spell.home_org, on, at);
                let level = self.org(spell.home_org).level;
                let f = &spec.filter;
                let passes = (f.genders.is_empty() || f.genders.contains(&(gender as u8)))
                    && (f.categories.is_empty() || f.categories.contains(&category))
                    && (f.professions.is_empty()
                        || profession.is_some_and(|p| f.professions.contains(&p)))
                    && f.age_from.is_none_or(|a| age >= a)
                    && f.age_to.is_none_or(|a| age <= a)
                    && f.tenure_from_years.is_none_or(|t| years >= t)
                    && f.tenure_under_years.is_none_or(|t| years < t)
                    && (f.sectors.is_empty() || sector.is_some_and(|s| f.sectors.contains(&s)))
                    && (f.region_codes.is_empty()
                        || region.is_some_and(|r| f.region_codes.contains(&r)))
                    && (f.levels.is_empty() || f.levels.contains(&level));
                if !passes {
                    continue;
                }
                let key = |dimension: Dimension| -> Key {
                    match dimension {
                        Dimension::Gender => Key::Gender(gender as u8),
                        Dimension::Category => Key::Category(category),
                        Dimension::Profession => Key::Profession(profession),
                        Dimension::AgeBand => {
                            let k = spec.age_edges.iter().filter(|&&e| age >= e).count();
                            Key::AgeBand {
                                from: if k == 0 { 0 } else { spec.age_edges[k - 1] },
                                until: spec.age_edges.get(k).copied(),
                            }
                        }
                        Dimension::TenureBand => {
                            let k = spec.tenure_edges.iter().filter(|&&e| years >= e).count();
                            let milli = |y: f64| (y * 1000.0).round() as u64;
                            Key::TenureBand {
                                from_milli: if k == 0 {
                                    0
                                } else {
                                    milli(spec.tenure_edges[k - 1])
                                },
                                until_milli: spec.tenure_edges.get(k).map(|&e| milli(e)),
                            }
                        }
                        Dimension::Sector => Key::Sector(sector),
                        Dimension::Region => Key::Region(region),
                        Dimension::Level => Key::Level(level),
                        Dimension::Child => children
                            .iter()
                            .find(|&&c| self.within(spell.home_org, c, on, at))
                            .map_or(Key::Itself(root), |&c| Key::Child(c)),
                    }
                };
                let cell = (key(spec.rows), spec.columns.map(key));
                *counts.entry(cell).or_insert(0) += 1;
            }
        }
        counts
    }
}
