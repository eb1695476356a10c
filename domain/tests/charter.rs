//! Property tests of the charter: random command sequences against the rules of
//! DESIGN.md, through the public `decide`/`evolve` only.

use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use domain::access::{self, AccessCommand, GrantRole, GrantTarget, GranterFacts};
use domain::calendar::{MIN_ADMISSION_AGE, Spell, age_on, tenure_days};
use domain::card_number::CardNumber;
use domain::error::DomainError;
use domain::event::{OrganizationEvent, PersonEvent};
use domain::ids::{OrgId, PersonId, UserId};
use domain::organization::{
    self, MoveOrganization, Organization, OrganizationCommand, ParentFacts,
};
use domain::person::{
    self, AdmitMember, BlockCard, EndMembership, ErasePersonalData, HomeFacts, IssueCard,
    MembershipStatus, Person, PersonCommand, TransferMember, UpdateMember,
};
use domain::rules::RuleViolation;
use domain::snils::Snils;
use domain::vocabulary::access::Role;
use domain::vocabulary::card::CardKind;
use domain::vocabulary::organization::OrgLevel;
use domain::vocabulary::person::{
    EndReason, Gender, MemberCategory, PersonalData, PersonalDataPatch, Profile, ProfilePatch,
};
use proptest::prelude::*;
use uuid::Uuid;

const N_PERSONS: usize = 4;
const N_HOMES: usize = 6;
const N_SNILS: u64 = 3;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

/// Day `n` counted from 1 January 2000; beyond 8918 it lies after [`today`].
fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Days::new(u64::from(n))
}

fn person_id(idx: usize) -> PersonId {
    PersonId(Uuid::from_u128(1 + idx as u128))
}

fn home_id(idx: usize) -> OrgId {
    OrgId(Uuid::from_u128(100 + idx as u128))
}

/// The homes of the model: three open primaries, a territorial organisation, a
/// dissolved primary and one the registry does not know.
fn home_facts(idx: usize) -> HomeFacts {
    match idx {
        0..=2 => HomeFacts::open(OrgLevel::Primary),
        3 => HomeFacts::open(OrgLevel::Territorial),
        4 => HomeFacts::dissolved(OrgLevel::Primary),
        _ => HomeFacts::not_found(),
    }
}

fn snils(n: u64) -> Snils {
    Snils::from_number(200_000_000 + n).unwrap()
}

fn personal(birth_date: NaiveDate, snils: Option<Snils>) -> PersonalData {
    PersonalData {
        last_name: "Петрова".into(),
        first_name: "Мария".into(),
        patronymic: None,
        birth_date,
        snils,
        email: None,
        phone: None,
    }
}

fn profile(personal: &PersonalData) -> Profile {
    Profile::new(personal, Gender::Female, MemberCategory::Worker, None, None)
}

/// The date of a step: some days after the latest date in the person's history
/// (so that most steps are plausible), or any day (so that backdating is tried).
#[derive(Clone, Copy, Debug)]
enum DaySpec {
    Later(u32),
    Any(u32),
}

/// One random step of the model. Days are offsets from 2000-01-01.
#[derive(Clone, Debug)]
enum Op {
    Admit {
        person: usize,
        home: usize,
        day: DaySpec,
        snils: Option<u64>,
    },
    Transfer {
        person: usize,
        home: usize,
        day: DaySpec,
    },
    End {
        person: usize,
        reason: usize,
        day: DaySpec,
        basis: bool,
    },
    UpdateSnils {
        person: usize,
        snils: u64,
    },
    Erase {
        person: usize,
    },
    Issue {
        person: usize,
        day: DaySpec,
    },
    /// Block card number `card` of the person; 0 means the active one.
    Block {
        person: usize,
        card: usize,
    },
}

impl Op {
    fn person(&self) -> usize {
        match self {
            Op::Admit { person, .. }
            | Op::Transfer { person, .. }
            | Op::End { person, .. }
            | Op::UpdateSnils { person, .. }
            | Op::Erase { person }
            | Op::Issue { person, .. }
            | Op::Block { person, .. } => *person,
        }
    }

    fn day(&self) -> Option<DaySpec> {
        match self {
            Op::Admit { day, .. }
            | Op::Transfer { day, .. }
            | Op::End { day, .. }
            | Op::Issue { day, .. } => Some(*day),
            _ => None,
        }
    }
}

fn day_spec() -> impl Strategy<Value = DaySpec> + Clone {
    prop_oneof![
        3 => (0u32..400).prop_map(DaySpec::Later),
        1 => (7_000u32..9_000).prop_map(DaySpec::Any),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    let person = 0..N_PERSONS;
    let days = day_spec();
    // Mostly open primaries, so that most admissions and transfers can succeed.
    let home = prop_oneof![4 => 0..3usize, 1 => 3..N_HOMES];
    prop_oneof![
        3 => (person.clone(), home.clone(), days.clone(), prop::option::of(0..N_SNILS))
            .prop_map(|(person, home, day, snils)| Op::Admit { person, home, day, snils }),
        3 => (person.clone(), home, days.clone())
            .prop_map(|(person, home, day)| Op::Transfer { person, home, day }),
        2 => (person.clone(), 0..4usize, days.clone(), any::<bool>())
            .prop_map(|(person, reason, day, basis)| Op::End { person, reason, day, basis }),
        1 => (person.clone(), 0..N_SNILS).prop_map(|(person, snils)| Op::UpdateSnils { person, snils }),
        1 => person.clone().prop_map(|person| Op::Erase { person }),
        2 => (person.clone(), days).prop_map(|(person, day)| Op::Issue { person, day }),
        1 => (person, 0..3usize).prop_map(|(person, card)| Op::Block { person, card }),
    ]
}

/// The persons and what the command handler would look up for them.
struct World {
    persons: Vec<Person>,
    next_card: u64,
}

/// One decision of a run: the state before, the step, its date, and the answer.
struct Step {
    before: Person,
    op: Op,
    date: Option<NaiveDate>,
    result: Result<Vec<PersonEvent>, DomainError>,
}

impl World {
    fn new() -> World {
        World {
            persons: vec![Person::default(); N_PERSONS],
            next_card: 1,
        }
    }

    /// Who has `snils`, as the SNILS index of the registry answers.
    fn snils_holder(&self, snils: Snils) -> Option<PersonId> {
        let idx = self.persons.iter().position(|p| p.snils == Some(snils))?;
        Some(person_id(idx))
    }

    /// The date a step asks for.
    fn resolve(&self, op: &Op) -> Option<NaiveDate> {
        let latest = self.persons[op.person()]
            .spells
            .iter()
            .flat_map(|spell| [Some(spell.start), spell.end])
            .flatten()
            .max()
            .unwrap_or(day(8_000));
        op.day().map(|spec| match spec {
            DaySpec::Later(n) => latest + Days::new(u64::from(n)),
            DaySpec::Any(n) => day(n),
        })
    }

    fn command(&mut self, op: &Op, date: Option<NaiveDate>) -> PersonCommand {
        let idx = op.person();
        let id = person_id(idx);
        let date = date.unwrap_or_else(today);
        match *op {
            Op::Admit { home, snils: s, .. } => {
                let personal = personal(day(2000), s.map(snils));
                AdmitMember {
                    person_id: id,
                    home_org: home_id(home),
                    home: home_facts(home),
                    effective_on: date,
                    profile: profile(&personal),
                    snils_holder: personal.snils.and_then(|s| self.snils_holder(s)),
                    personal,
                    application_id: None,
                }
                .into()
            }
            Op::Transfer { home, .. } => TransferMember {
                person_id: id,
                to_org: home_id(home),
                to: home_facts(home),
                effective_on: date,
            }
            .into(),
            Op::End { reason, basis, .. } => {
                let reason = [
                    EndReason::VoluntaryExit,
                    EndReason::Expulsion,
                    EndReason::LeftEducation,
                    EndReason::Death,
                ][reason];
                EndMembership {
                    person_id: id,
                    reason,
                    basis: basis.then(|| "решение профкома".to_string()),
                    effective_on: date,
                }
                .into()
            }
            Op::UpdateSnils { snils: s, .. } => UpdateMember {
                person_id: id,
                profile: ProfilePatch::default(),
                personal: PersonalDataPatch {
                    snils: Some(snils(s)),
                    ..PersonalDataPatch::default()
                },
                snils_holder: self.snils_holder(snils(s)),
            }
            .into(),
            Op::Erase { .. } => ErasePersonalData {
                person_id: id,
                basis: "152-ФЗ".into(),
            }
            .into(),
            Op::Issue { .. } => {
                let number = CardNumber::new(77, self.next_card).unwrap();
                self.next_card += 1;
                IssueCard {
                    person_id: id,
                    number,
                    kind: CardKind::Virtual,
                    issued_on: date,
                }
                .into()
            }
            Op::Block { card, .. } => {
                let person = &self.persons[idx];
                let number = match card {
                    0 => person.active_card,
                    n => person.cards.get(n - 1).map(|card| card.number),
                };
                let number = number.unwrap_or_else(|| CardNumber::new(1, 1).unwrap());
                BlockCard {
                    person_id: id,
                    number,
                    reason: "утерян".into(),
                }
                .into()
            }
        }
    }

    fn run(ops: &[Op]) -> (World, Vec<Step>) {
        let mut world = World::new();
        let mut steps = Vec::with_capacity(ops.len());
        for op in ops {
            let date = world.resolve(op);
            let command = world.command(op, date);
            let before = world.persons[op.person()].clone();
            let result = person::decide(&before, &command, today());
            if let Ok(events) = &result {
                for event in events {
                    person::evolve(&mut world.persons[op.person()], event);
                }
            }
            steps.push(Step {
                before,
                op: op.clone(),
                date,
                result,
            });
        }
        (world, steps)
    }
}

/// The spells with every transfer undone: adjacent spells merged into one.
fn without_transfers(spells: &[Spell]) -> Vec<Spell> {
    let mut merged: Vec<Spell> = Vec::new();
    for spell in spells {
        match merged.last_mut() {
            Some(last) if last.end == Some(spell.start) => last.end = spell.end,
            _ => merged.push(*spell),
        }
    }
    merged
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_sequence_of_commands_makes_a_person_active_in_two_homes(ops in prop::collection::vec(op(), 1..80)) {
        let (world, _) = World::run(&ops);
        for person in &world.persons {
            let open = person.spells.iter().filter(|spell| spell.end.is_none()).count();
            prop_assert!(open <= 1);
            prop_assert_eq!(open == 1, person.is_active());
            if person.is_active() {
                prop_assert_eq!(person.home, person.spells.last().map(|spell| spell.home_org));
                prop_assert!(person.spells.last().is_some_and(|spell| spell.end.is_none()));
            }
            for pair in person.spells.windows(2) {
                prop_assert!(pair[0].end.is_some_and(|end| pair[0].start <= end && end <= pair[1].start));
            }
        }
    }

    #[test]
    fn no_sequence_of_commands_gives_two_persons_one_snils(ops in prop::collection::vec(op(), 1..80)) {
        let (world, _) = World::run(&ops);
        let mut holders: HashMap<Snils, usize> = HashMap::new();
        for (idx, person) in world.persons.iter().enumerate() {
            if let Some(snils) = person.snils {
                prop_assert_eq!(holders.insert(snils, idx), None, "{} shared", snils);
            }
        }
    }

    #[test]
    fn a_person_has_at_most_one_active_card_and_only_while_a_member(ops in prop::collection::vec(op(), 1..80)) {
        let (world, _) = World::run(&ops);
        for person in &world.persons {
            let unblocked: Vec<_> = person.cards.iter().filter(|card| card.blocked.is_none()).map(|card| card.number).collect();
            prop_assert!(unblocked.len() <= 1);
            prop_assert_eq!(unblocked.first().copied(), person.active_card);
            if !person.is_active() {
                prop_assert_eq!(person.active_card, None);
            }
        }
    }

    #[test]
    fn a_former_member_accepts_only_re_admission_and_erasure(ops in prop::collection::vec(op(), 1..80)) {
        let (_, steps) = World::run(&ops);
        for step in steps {
            let ended = matches!(step.before.status, MembershipStatus::Ended { .. });
            if ended && !matches!(step.op, Op::Admit { .. } | Op::Erase { .. }) {
                prop_assert_eq!(step.result, Err(RuleViolation::NotAMember.into()), "{:?}", step.op);
            }
        }
    }

    #[test]
    fn effective_dates_after_today_are_always_refused(ops in prop::collection::vec(op(), 1..80)) {
        let (_, steps) = World::run(&ops);
        for step in steps {
            if step.date.is_some_and(|date| date > today()) {
                prop_assert!(step.result.is_err(), "{:?} accepted", step.op);
            }
        }
    }

    #[test]
    fn tenure_grows_with_the_date_and_transfers_do_not_change_it(
        ops in prop::collection::vec(op(), 1..80),
        first in 6_000u32..9_500,
        later in 0u32..2_000,
    ) {
        let (world, _) = World::run(&ops);
        for person in &world.persons {
            let (d1, d2) = (day(first), day(first + later));
            prop_assert!(tenure_days(&person.spells, d1) <= tenure_days(&person.spells, d2));
            let merged = without_transfers(&person.spells);
            prop_assert_eq!(tenure_days(&person.spells, d1), tenure_days(&merged, d1));
        }
    }

    #[test]
    fn an_admission_is_accepted_exactly_from_the_fourteenth_birthday(birth in 0u32..9_000, admitted in 3_000u32..8_900) {
        let personal = personal(day(birth), None);
        let command = AdmitMember {
            person_id: person_id(0),
            home_org: home_id(0),
            home: home_facts(0),
            effective_on: day(admitted),
            profile: profile(&personal),
            personal,
            snils_holder: None,
            application_id: None,
        };
        let result = person::decide(&Person::default(), &command.into(), today());
        let age = age_on(day(birth), day(admitted));
        if age >= MIN_ADMISSION_AGE {
            prop_assert!(result.is_ok());
        } else {
            prop_assert_eq!(result, Err(RuleViolation::TooYoung { age }.into()));
        }
    }

    #[test]
    fn an_expulsion_is_accepted_exactly_when_its_basis_is_not_blank(basis in prop::option::of("[ \\tа-яA-Z0-9№]{0,12}")) {
        let mut member = Person::default();
        let personal = personal(day(0), None);
        person::evolve(&mut member, &PersonEvent::Admitted {
            person_id: person_id(0),
            home_org: home_id(0),
            effective_on: day(7_000),
            profile: profile(&personal),
            personal: Some(personal),
            application_id: None,
        });
        let command = EndMembership { person_id: person_id(0), reason: EndReason::Expulsion, basis: basis.clone(), effective_on: day(8_000) };
        let result = person::decide(&member, &command.into(), today());
        let has_basis = basis.is_some_and(|basis| !basis.trim().is_empty());
        prop_assert_eq!(result.is_ok(), has_basis);
        if !has_basis {
            prop_assert_eq!(result, Err(RuleViolation::ExpulsionWithoutBasis.into()));
        }
    }
}

// Organisations: random trees, random moves.

/// A tree of organisations: their states and, for the property, their levels.
struct Tree {
    orgs: Vec<Option<Organization>>,
}

impl Tree {
    /// A tree from `shape`: org 0 is CENTRAL; org `i` hangs under `shape[i-1] % i`
    /// at the first level that may sit there (or is skipped when none may).
    fn grow(shape: &[(usize, usize)]) -> Tree {
        let mut orgs: Vec<Option<Organization>> = Vec::new();
        let register =
            |orgs: &mut Vec<Option<Organization>>, parent_id: Option<OrgId>, level: OrgLevel| {
                let org_id = OrgId(Uuid::from_u128(1_000 + orgs.len() as u128));
                let mut state = None;
                organization::evolve(
                    &mut state,
                    &OrganizationEvent::Registered {
                        org_id,
                        parent_id,
                        name: format!("org {}", orgs.len()),
                        short_name: None,
                        level,
                        region_code: (level == OrgLevel::Regional).then_some(1),
                        territorial_rights: false,
                        registered_on: day(0),
                        established_on: None,
                    },
                );
                orgs.push(state);
            };
        register(&mut orgs, None, OrgLevel::Central);
        for &(parent, pick) in shape {
            let parent = orgs[parent % orgs.len()].clone().unwrap();
            let fitting: Vec<OrgLevel> = OrgLevel::ALL
                .into_iter()
                .filter(|level| level.may_sit_under(parent.level, false))
                .collect();
            if let Some(level) = fitting.get(pick % fitting.len().max(1)) {
                register(&mut orgs, Some(parent.org_id), *level);
            }
        }
        Tree { orgs }
    }

    fn get(&self, org_id: OrgId) -> &Organization {
        self.orgs
            .iter()
            .flatten()
            .find(|org| org.org_id == org_id)
            .unwrap()
    }

    /// The ancestors of `org_id`, from its parent up; stops at a repeat.
    fn ancestors(&self, org_id: OrgId) -> Vec<OrgId> {
        let mut ancestors = Vec::new();
        let mut current = self.get(org_id).parent_id;
        while let Some(parent) = current {
            if ancestors.contains(&parent) || parent == org_id {
                break;
            }
            ancestors.push(parent);
            current = self.get(parent).parent_id;
        }
        ancestors
    }

    /// Whether every organisation reaches the root without passing itself twice.
    fn is_a_tree(&self) -> bool {
        let n = self.orgs.len();
        self.orgs.iter().flatten().all(|org| {
            let mut current = org.parent_id;
            let mut steps = 0;
            while let Some(parent) = current {
                steps += 1;
                if steps > n {
                    return false;
                }
                current = self.get(parent).parent_id;
            }
            true
        })
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_sequence_of_moves_makes_the_tree_anything_but_a_tree(
        shape in prop::collection::vec((0usize..1_000, 0usize..3), 1..40),
        moves in prop::collection::vec((0usize..1_000, 0usize..1_000, 0u32..9_000), 1..60),
    ) {
        let mut tree = Tree::grow(&shape);
        let n = tree.orgs.len();
        for (org_idx, parent_idx, effective) in moves {
            let org = tree.orgs[org_idx % n].clone().unwrap();
            let new_parent = tree.orgs[parent_idx % n].clone().unwrap();
            let facts = ParentFacts { level: new_parent.level, dissolved: false, ancestors: tree.ancestors(new_parent.org_id), established_on: None };
            let is_descendant = new_parent.org_id == org.org_id || facts.ancestors.contains(&org.org_id);
            let command = OrganizationCommand::Move(MoveOrganization {
                org_id: org.org_id,
                new_parent_id: new_parent.org_id,
                new_parent: Some(facts),
                effective_on: day(effective),
            });
            let state = Some(org.clone());
            let result = organization::decide(&state, &command, today());
            if is_descendant && org.parent_id.is_some() && org.parent_id != Some(new_parent.org_id) {
                prop_assert_eq!(&result, &Err(RuleViolation::MoveCreatesCycle.into()));
            }
            if day(effective) > today() {
                prop_assert!(result.is_err());
            }
            if let Ok(events) = result {
                let slot = &mut tree.orgs[org_idx % n];
                for event in &events {
                    organization::evolve(slot, event);
                }
            }
            prop_assert!(tree.is_a_tree());
        }
    }
}

// Access: who grants what over which organisation.

fn role_of(n: u8) -> Role {
    [Role::Admin, Role::Chair, Role::Auditor, Role::Analyst][usize::from(n % 4)]
}

fn target_of(n: u8) -> GrantTarget {
    [
        GrantTarget::Open,
        GrantTarget::Dissolved,
        GrantTarget::Unknown,
    ][usize::from(n % 3)]
}

proptest! {
    #[test]
    fn a_role_is_granted_only_by_an_admin_of_the_subtree_over_an_open_organisation(
        granter in prop::option::of((0u8..4, any::<bool>())),
        target in 0u8..3,
        role in 0u8..4,
    ) {
        let by = granter.map(|(role, within)| GranterFacts { role: role_of(role), subtree_contains_target: within });
        let target = target_of(target);
        let command = AccessCommand::Grant(GrantRole {
            user_id: UserId(Uuid::from_u128(1)),
            role: role_of(role),
            org_id: home_id(0),
            holder: "holder".into(),
            token_hash: "ab".repeat(32),
            by,
            target,
        });
        let result = access::decide(&None, &command, today());
        let expected: Result<(), DomainError> = match (by, target) {
            (Some(by), _) if by.role != Role::Admin => Err(RuleViolation::NotAnAdmin.into()),
            (Some(by), _) if !by.subtree_contains_target => Err(RuleViolation::OutsideSubtree.into()),
            (_, GrantTarget::Unknown) => Err(DomainError::NotFound { what: "organisation" }),
            (_, GrantTarget::Dissolved) => Err(RuleViolation::RoleOverDissolved.into()),
            (_, GrantTarget::Open) => Ok(()),
        };
        prop_assert_eq!(result.map(|_| ()), expected);
    }
}
