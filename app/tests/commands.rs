//! The command path against a real log: decisions, guards, retries, idempotency.

use std::collections::HashMap;
use std::sync::Arc;

use app::commands::{self, Commands, Facts, Issued, NewMember, NewOrganization};
use app::timing::Appender;
use app::{Conflict, Error};
use chrono::NaiveDate;
use domain::card_number::CardNumber;
use domain::event::{Event, OrganizationEvent, PersonEvent};
use domain::ids::{OrgId, PersonId};
use domain::organization::ParentFacts;
use domain::person::HomeFacts;
use domain::rules::RuleViolation;
use domain::snils::Snils;
use domain::vocabulary::access::Role;
use domain::vocabulary::card::CardKind;
use domain::vocabulary::organization::OrgLevel;
use domain::vocabulary::person::{EndReason, Gender, MemberCategory, PersonalData, Profession};
use eventlog::{EventLog, Personal, SqliteLog, codec, read_all};
use futures::StreamExt;
use parking_lot::Mutex;
use tempfile::TempDir;
use uuid::Uuid;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const TODAY: (i32, u32, u32) = (2025, 6, 1);

/// Facts folded naively from the whole log, refreshed by the test after each command.
#[derive(Default)]
struct FoldedFacts {
    snapshot: Mutex<Snapshot>,
}

#[derive(Default)]
struct Snapshot {
    orgs: HashMap<OrgId, (OrgLevel, Option<OrgId>, bool, Option<u8>)>,
    homes: HashMap<PersonId, Option<OrgId>>,
    snils: HashMap<Snils, PersonId>,
    cards: HashMap<u8, u64>,
}

impl FoldedFacts {
    async fn refresh(&self, log: &Arc<dyn EventLog>) {
        let mut snapshot = Snapshot::default();
        let mut events = read_all(Arc::clone(log), 0);
        while let Some(stored) = events.next().await {
            match codec::decode(&stored.unwrap()).unwrap() {
                Event::Organization(OrganizationEvent::Registered {
                    org_id,
                    parent_id,
                    level,
                    region_code,
                    ..
                }) => {
                    snapshot
                        .orgs
                        .insert(org_id, (level, parent_id, false, region_code));
                }
                Event::Organization(OrganizationEvent::Dissolved { org_id, .. }) => {
                    snapshot.orgs.get_mut(&org_id).unwrap().2 = true;
                }
                Event::Person(PersonEvent::Admitted {
                    person_id,
                    home_org,
                    personal,
                    ..
                }) => {
                    snapshot.homes.insert(person_id, Some(home_org));
                    if let Some(snils) = personal.and_then(|p| p.snils) {
                        snapshot.snils.insert(snils, person_id);
                    }
                }
                Event::Person(PersonEvent::Transferred {
                    person_id, to_org, ..
                }) => {
                    snapshot.homes.insert(person_id, Some(to_org));
                }
                Event::Person(PersonEvent::MembershipEnded { person_id, .. }) => {
                    snapshot.homes.insert(person_id, None);
                }
                Event::Person(PersonEvent::CardIssued { number, .. }) => {
                    let last = snapshot.cards.entry(number.region_code()).or_default();
                    *last = (*last).max(number.sequence());
                }
                _ => {}
            }
        }
        *self.snapshot.lock() = snapshot;
    }

    fn ancestors(&self, org: OrgId) -> Vec<OrgId> {
        let snapshot = self.snapshot.lock();
        let mut ancestors = Vec::new();
        let mut next = snapshot.orgs.get(&org).and_then(|o| o.1);
        while let Some(parent) = next {
            ancestors.push(parent);
            next = snapshot.orgs.get(&parent).and_then(|o| o.1);
        }
        ancestors
    }
}

impl Facts for FoldedFacts {
    fn home(&self, org: OrgId) -> HomeFacts {
        match self.snapshot.lock().orgs.get(&org) {
            Some(&(level, _, false, _)) => HomeFacts::open(level),
            Some(&(level, _, true, _)) => HomeFacts::dissolved(level),
            None => HomeFacts::not_found(),
        }
    }
    fn parent(&self, org: OrgId) -> Option<ParentFacts> {
        let (level, _, dissolved, _) = *self.snapshot.lock().orgs.get(&org)?;
        Some(ParentFacts {
            level,
            dissolved,
            ancestors: self.ancestors(org),
            // The orgs of these tests are registered without a date.
            established_on: None,
        })
    }
    fn central_exists(&self) -> bool {
        self.snapshot
            .lock()
            .orgs
            .values()
            .any(|o| o.0 == OrgLevel::Central)
    }
    fn active_members_in_subtree(&self, org: OrgId) -> u64 {
        let homes: Vec<OrgId> = self
            .snapshot
            .lock()
            .homes
            .values()
            .flatten()
            .copied()
            .collect();
        homes
            .into_iter()
            .filter(|&home| self.within(home, org))
            .count() as u64
    }
    fn snils_holder(&self, snils: Snils) -> Option<PersonId> {
        self.snapshot.lock().snils.get(&snils).copied()
    }
    fn region_code(&self, org: OrgId) -> Option<u8> {
        // Ancestors first: they take the lock themselves.
        let path: Vec<OrgId> = std::iter::once(org).chain(self.ancestors(org)).collect();
        let snapshot = self.snapshot.lock();
        path.iter()
            .find_map(|o| snapshot.orgs.get(o).and_then(|o| o.3))
    }
    fn last_card_sequence(&self, region_code: u8) -> u64 {
        self.snapshot
            .lock()
            .cards
            .get(&region_code)
            .copied()
            .unwrap_or(0)
    }
    fn within(&self, org: OrgId, ancestor: OrgId) -> bool {
        org == ancestor || self.ancestors(org).contains(&ancestor)
    }
}

struct Registry {
    _dir: TempDir,
    log: Arc<dyn EventLog>,
    facts: Arc<FoldedFacts>,
    commands: Commands,
    central: OrgId,
    region: OrgId,
    school: OrgId,
    college: OrgId,
}

fn issued() -> Issued {
    Issued {
        actor: "test-admin".into(),
        role: None,
        today: d(TODAY.0, TODAY.1, TODAY.2),
        command_id: None,
        fingerprint: None,
        expected_version: None,
        correlation_id: Uuid::now_v7(),
    }
}

fn anna(snils: Option<Snils>) -> NewMember {
    NewMember {
        home_org: OrgId(Uuid::nil()),
        personal: PersonalData {
            last_name: "Смирнова".into(),
            first_name: "Анна".into(),
            patronymic: Some("Олеговна".into()),
            birth_date: d(1990, 2, 28),
            snils,
            email: None,
            phone: None,
        },
        gender: Gender::Female,
        category: MemberCategory::Worker,
        profession: Some(Profession::Teacher),
        position: None,
        admitted_on: d(2020, 9, 1),
        issue_card: None,
    }
}

impl Registry {
    async fn new() -> Registry {
        let dir = TempDir::new().unwrap();
        let sqlite = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
        let log: Arc<dyn EventLog> = sqlite.clone();
        let facts = Arc::new(FoldedFacts::default());
        let commands = Commands::new(sqlite, Appender::new(Arc::clone(&log)), facts.clone());
        let mut registry = Registry {
            _dir: dir,
            log,
            facts,
            commands,
            central: OrgId(Uuid::nil()),
            region: OrgId(Uuid::nil()),
            school: OrgId(Uuid::nil()),
            college: OrgId(Uuid::nil()),
        };
        registry.central = registry.org(None, OrgLevel::Central, None).await;
        registry.region = registry
            .org(Some(registry.central), OrgLevel::Regional, Some(77))
            .await;
        let territory = registry
            .org(Some(registry.region), OrgLevel::Territorial, None)
            .await;
        registry.school = registry.org(Some(territory), OrgLevel::Primary, None).await;
        registry.college = registry.org(Some(territory), OrgLevel::Primary, None).await;
        registry
    }

    async fn org(
        &self,
        parent_id: Option<OrgId>,
        level: OrgLevel,
        region_code: Option<u8>,
    ) -> OrgId {
        let new = NewOrganization {
            parent_id,
            name: format!("{level:?}"),
            short_name: None,
            level,
            region_code,
            territorial_rights: false,
            established_on: None,
        };
        let (org_id, _) = commands::register_organization(&self.commands, &issued(), new)
            .await
            .unwrap();
        self.refresh().await;
        org_id
    }

    async fn refresh(&self) {
        self.facts.refresh(&self.log).await;
    }

    async fn admit(&self, member: NewMember) -> Result<PersonId, Error> {
        let member = NewMember {
            home_org: self.school,
            ..member
        };
        let outcome = commands::admit_member(&self.commands, &issued(), member).await;
        self.refresh().await;
        outcome.map(|(person_id, _)| person_id)
    }

    async fn person_events(&self, person_id: PersonId) -> Vec<PersonEvent> {
        let stored = self.log.read_stream(&person_id.stream(), 0).await.unwrap();
        stored
            .iter()
            .map(|s| match codec::decode(s).unwrap() {
                Event::Person(e) => e,
                other => panic!("{other:?} in a person stream"),
            })
            .collect()
    }
}

fn rule(outcome: Result<impl std::fmt::Debug, Error>) -> RuleViolation {
    match outcome {
        Err(Error::Rule(rule)) => rule,
        other => panic!("expected a rule violation, got {other:?}"),
    }
}

#[tokio::test]
async fn a_member_is_admitted_with_a_card_transferred_and_expelled_with_the_card_blocked() {
    let registry = Registry::new().await;
    let mut member = anna(None);
    member.issue_card = Some(CardKind::Virtual);
    let anna = registry.admit(member).await.unwrap();
    let transfer = commands::transfer_member(
        &registry.commands,
        &issued(),
        anna,
        registry.college,
        d(2023, 1, 10),
    )
    .await
    .unwrap();
    assert_eq!(transfer.stream_versions[0], (anna.stream(), 3));
    let same = commands::transfer_member(
        &registry.commands,
        &issued(),
        anna,
        registry.college,
        d(2023, 2, 1),
    )
    .await;
    assert!(matches!(rule(same), RuleViolation::SameHome));
    let no_basis = commands::end_membership(
        &registry.commands,
        &issued(),
        anna,
        EndReason::Expulsion,
        None,
        d(2024, 3, 1),
    )
    .await;
    assert!(matches!(
        rule(no_basis),
        RuleViolation::ExpulsionWithoutBasis
    ));
    commands::end_membership(
        &registry.commands,
        &issued(),
        anna,
        EndReason::Expulsion,
        Some("президиум, протокол 5".into()),
        d(2024, 3, 1),
    )
    .await
    .unwrap();

    let events = registry.person_events(anna).await;
    let types: Vec<&str> = events
        .iter()
        .map(|e| Event::Person(e.clone()).event_type())
        .collect();
    assert_eq!(
        types,
        [
            "MemberAdmitted",
            "CardIssued",
            "MemberTransferred",
            "MembershipEnded",
            "CardBlocked"
        ]
    );
    let PersonEvent::CardIssued { number, .. } = &events[1] else {
        unreachable!()
    };
    assert_eq!(
        number.region_code(),
        77,
        "the card carries the home's region"
    );
    let reserved = registry
        .log
        .read_stream(&format!("card-{number}"), 0)
        .await
        .unwrap();
    assert_eq!(
        reserved.len(),
        1,
        "the number is reserved in its own stream"
    );
}

#[tokio::test]
async fn a_repeated_command_id_returns_the_first_result_and_changes_nothing() {
    let registry = Registry::new().await;
    let anna = registry.admit(anna(None)).await.unwrap();
    let repeated = Issued {
        command_id: Some(Uuid::new_v4()),
        ..issued()
    };
    let first = commands::transfer_member(
        &registry.commands,
        &repeated,
        anna,
        registry.college,
        d(2023, 1, 10),
    )
    .await
    .unwrap();
    let again = commands::transfer_member(
        &registry.commands,
        &repeated,
        anna,
        registry.college,
        d(2023, 1, 10),
    )
    .await
    .unwrap();
    assert!(again.duplicate);
    assert_eq!(
        (again.first_position, again.last_position),
        (first.first_position, first.last_position)
    );
    assert_eq!(registry.person_events(anna).await.len(), 2);
}

#[tokio::test]
async fn a_pinned_expected_version_that_moved_on_is_a_conflict() {
    let registry = Registry::new().await;
    let anna = registry.admit(anna(None)).await.unwrap();
    let pinned = Issued {
        expected_version: Some(7),
        ..issued()
    };
    let outcome = commands::transfer_member(
        &registry.commands,
        &pinned,
        anna,
        registry.college,
        d(2023, 1, 10),
    )
    .await;
    assert!(
        matches!(
            outcome,
            Err(Error::Conflict(Conflict::Version {
                expected: 7,
                actual: 1,
                ..
            }))
        ),
        "{outcome:?}"
    );
    let pinned = Issued {
        expected_version: Some(1),
        ..issued()
    };
    commands::transfer_member(
        &registry.commands,
        &pinned,
        anna,
        registry.college,
        d(2023, 1, 10),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_transfers_of_one_member_are_decided_one_after_another() {
    let registry = Arc::new(Registry::new().await);
    let anna = registry.admit(anna(None)).await.unwrap();
    let mut tasks = Vec::new();
    for n in 0..16u32 {
        let registry = Arc::clone(&registry);
        tasks.push(tokio::spawn(async move {
            let to = if n % 2 == 0 {
                registry.college
            } else {
                registry.school
            };
            commands::transfer_member(&registry.commands, &issued(), anna, to, d(2021, 1, 1 + n))
                .await
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(Error::Rule(
                RuleViolation::SameHome | RuleViolation::BeforeCurrentSpell { .. },
            )) => {}
            Err(Error::Conflict(Conflict::Version { .. })) => {}
            Err(other) => panic!("unexpected: {other}"),
        }
    }
    let events = registry.person_events(anna).await;
    assert_eq!(events.len(), 1 + accepted);
    let mut home = registry.school;
    let mut since = d(2020, 9, 1);
    for event in &events[1..] {
        let PersonEvent::Transferred {
            from_org,
            to_org,
            effective_on,
            ..
        } = event
        else {
            panic!("{event:?}")
        };
        assert_eq!(
            *from_org, home,
            "every transfer starts where the previous one ended"
        );
        assert_ne!(to_org, from_org);
        assert!(
            *effective_on >= since,
            "never before the current spell began"
        );
        (home, since) = (*to_org, *effective_on);
    }
}

#[tokio::test]
async fn a_former_member_is_found_again_by_snils_and_an_active_one_is_refused() {
    let registry = Registry::new().await;
    let snils = Snils::parse("112-233-445 95").ok();
    let first = registry.admit(anna(snils)).await.unwrap();
    let again = registry.admit(anna(snils)).await;
    assert!(matches!(rule(again), RuleViolation::ActiveElsewhere { .. }));
    commands::end_membership(
        &registry.commands,
        &issued(),
        first,
        EndReason::VoluntaryExit,
        None,
        d(2022, 1, 1),
    )
    .await
    .unwrap();
    registry.refresh().await;
    let mut back = anna(snils);
    back.admitted_on = d(2023, 5, 1);
    let readmitted = registry.admit(back).await.unwrap();
    assert_eq!(
        readmitted, first,
        "re-admission finds the earlier person by SNILS"
    );
    assert_eq!(registry.person_events(first).await.len(), 3);
}

#[tokio::test]
async fn erasure_deletes_the_key_with_the_event_and_cards_block_by_number() {
    let registry = Registry::new().await;
    let anna = registry.admit(anna(None)).await.unwrap();
    let (number, _) = commands::issue_card(
        &registry.commands,
        &issued(),
        anna,
        CardKind::Plastic,
        d(2021, 1, 1),
    )
    .await
    .unwrap();
    let (holder, _) = commands::block_card(&registry.commands, &issued(), number, "утерян".into())
        .await
        .unwrap();
    assert_eq!(holder, anna);
    let unknown = commands::block_card(
        &registry.commands,
        &issued(),
        CardNumber::new(77, 999_999).unwrap(),
        "x".into(),
    )
    .await;
    assert!(matches!(unknown, Err(Error::NotFound { .. })));

    commands::erase_personal_data(
        &registry.commands,
        &issued(),
        anna,
        "заявление".into(),
        vec![],
    )
    .await
    .unwrap();
    let stored = registry.log.read_stream(&anna.stream(), 0).await.unwrap();
    assert_eq!(stored[0].personal, Personal::Erased);
    let again = commands::erase_personal_data(
        &registry.commands,
        &issued(),
        anna,
        "повторно".into(),
        vec![],
    )
    .await;
    assert!(matches!(rule(again), RuleViolation::AlreadyErased));
}

#[tokio::test]
async fn an_approved_application_admits_the_applicant_on_the_application_date() {
    let registry = Registry::new().await;
    let member = anna(None);
    let application = commands::NewApplication {
        org_id: registry.school,
        personal: member.personal,
        gender: member.gender,
        category: member.category,
        profession: member.profession,
        position: None,
        consent: true,
    };
    let submitted_on = d(TODAY.0, TODAY.1, TODAY.2);
    let (application_id, _) =
        commands::submit_application(&registry.commands, &issued(), application.clone())
            .await
            .unwrap();
    let no_consent = commands::submit_application(
        &registry.commands,
        &issued(),
        commands::NewApplication {
            consent: false,
            ..application
        },
    )
    .await;
    assert!(matches!(
        no_consent,
        Err(Error::Validation {
            field: Some("consent"),
            ..
        })
    ));
    let (person_id, _) = commands::approve_application(
        &registry.commands,
        &issued(),
        application_id,
        submitted_on,
        Some(CardKind::Virtual),
    )
    .await
    .unwrap();
    let events = registry.person_events(person_id).await;
    assert!(
        matches!(&events[0], PersonEvent::Admitted { effective_on, application_id: Some(a), .. } if *effective_on == submitted_on && *a == application_id)
    );
    assert!(matches!(events[1], PersonEvent::CardIssued { .. }));
    let twice = commands::approve_application(
        &registry.commands,
        &issued(),
        application_id,
        submitted_on,
        None,
    )
    .await;
    assert!(matches!(rule(twice), RuleViolation::ApplicationDecided));
}

#[tokio::test]
async fn an_admin_grants_roles_only_inside_its_subtree() {
    let registry = Registry::new().await;
    let regional_admin = Issued {
        role: Some((Role::Admin, registry.region)),
        ..issued()
    };
    let granted = commands::grant_role(
        &registry.commands,
        &regional_admin,
        Role::Chair,
        registry.school,
        "chair@17".into(),
    )
    .await
    .unwrap();
    assert!(granted.token.starts_with("reestr_"));
    let outside = commands::grant_role(
        &registry.commands,
        &regional_admin,
        Role::Auditor,
        registry.central,
        "x".into(),
    )
    .await;
    assert!(matches!(rule(outside), RuleViolation::OutsideSubtree));
    let chair = Issued {
        role: Some((Role::Chair, registry.school)),
        ..issued()
    };
    let not_admin = commands::grant_role(
        &registry.commands,
        &chair,
        Role::Analyst,
        registry.school,
        "y".into(),
    )
    .await;
    assert!(matches!(rule(not_admin), RuleViolation::NotAnAdmin));
    commands::revoke_role(&registry.commands, &regional_admin, granted.user_id)
        .await
        .unwrap();
    let twice = commands::revoke_role(&registry.commands, &regional_admin, granted.user_id).await;
    assert!(matches!(rule(twice), RuleViolation::AlreadyRevoked));
}

#[tokio::test]
async fn an_organisation_with_members_is_not_dissolved_and_a_move_under_itself_is_refused() {
    let registry = Registry::new().await;
    registry.admit(anna(None)).await.unwrap();
    let busy = commands::dissolve_organization(
        &registry.commands,
        &issued(),
        registry.school,
        d(TODAY.0, TODAY.1, TODAY.2),
    )
    .await;
    assert!(matches!(
        rule(busy),
        RuleViolation::NotEmpty { active_members: 1 }
    ));
    let cycle = commands::move_organization(
        &registry.commands,
        &issued(),
        registry.region,
        registry.school,
        d(TODAY.0, TODAY.1, TODAY.2),
    )
    .await;
    assert!(matches!(
        rule(cycle),
        RuleViolation::MoveCreatesCycle | RuleViolation::ParentLevel { .. }
    ));
    commands::dissolve_organization(
        &registry.commands,
        &issued(),
        registry.college,
        d(TODAY.0, TODAY.1, TODAY.2),
    )
    .await
    .unwrap();
    let into_dissolved = commands::transfer_member(
        &registry.commands,
        &issued(),
        PersonId(Uuid::nil()),
        registry.college,
        d(TODAY.0, TODAY.1, TODAY.2),
    )
    .await;
    assert!(matches!(into_dissolved, Err(Error::NotFound { .. })));
}
