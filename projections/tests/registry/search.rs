//! Name search, member pages, erasure, applications, facts.

use crate::union::*;

#[tokio::test]
async fn search_ignores_case_and_reads_yo_as_ye_within_a_subtree() {
    let mut u = tree().await;
    u.admit(
        1,
        SCHOOL,
        d(2020, 9, 1),
        personal("Иванова", "Мария", 100_000_001),
        Gender::Female,
    )
    .await;
    u.admit(
        2,
        SCHOOL,
        d(2020, 9, 1),
        personal("Иванова", "Анна", 100_000_002),
        Gender::Female,
    )
    .await;
    u.admit(
        3,
        COLLEGE,
        d(2020, 9, 1),
        personal("Иванов", "Мирон", 100_000_003),
        Gender::Male,
    )
    .await;
    u.admit(
        4,
        SCHOOL,
        d(2020, 9, 1),
        personal("Ёлкина", "Вера", 100_000_004),
        Gender::Female,
    )
    .await;
    let registry = folded(&u).await;
    assert_eq!(
        found(&registry, &active_in(CENTRAL, Some("иванова м"))),
        [pid(1)]
    );
    assert_eq!(
        found(&registry, &active_in(CENTRAL, Some("ИВАНОВ"))),
        [pid(3), pid(2), pid(1)]
    );
    assert_eq!(
        found(&registry, &active_in(NORTH, Some("иванов"))),
        [pid(2), pid(1)]
    );
    assert_eq!(
        found(&registry, &active_in(CENTRAL, Some("елкина"))),
        [pid(4)]
    );
    assert_eq!(
        found(&registry, &active_in(CENTRAL, Some("Ёлкина вера петровна"))),
        [pid(4)]
    );
    assert_eq!(found(&registry, &active_in(CENTRAL, Some("вера"))), []);
    let page = registry
        .members(&active_in(CENTRAL, Some("иванов")), 2, None)
        .expect("a page");
    assert!(page.has_next_page);
    assert_eq!(page.total_count, 3);
    let rest = registry
        .members(
            &active_in(CENTRAL, Some("иванов")),
            2,
            Some(&page.items[1].0),
        )
        .expect("a page");
    assert_eq!(
        rest.items
            .iter()
            .map(|(_, m)| m.person_id)
            .collect::<Vec<_>>(),
        [pid(1)]
    );
}

#[tokio::test]
async fn member_pages_walk_the_subtree_in_tree_order() {
    let mut u = tree().await;
    for (who, home) in [
        (1, SCHOOL),
        (2, COLLEGE),
        (3, KINDERGARTEN),
        (4, SCHOOL),
        (5, UNIVERSITY),
    ] {
        u.admit(
            who,
            home,
            d(2020, 9, 1),
            personal("Член", "Номер", 100_000_000 + who as u64),
            Gender::Male,
        )
        .await;
    }
    let registry = folded(&u).await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = registry
            .members(&active_in(CENTRAL, None), 2, after.as_deref())
            .expect("a page");
        assert_eq!(page.total_count, 5);
        seen.extend(page.items.iter().map(|(_, m)| m.person_id));
        after = page.items.last().map(|(c, _)| c.clone());
        if !page.has_next_page {
            break;
        }
    }
    // Moscow (North: kindergarten, school; South: college), then Tver (university).
    assert_eq!(seen, [pid(3), pid(1), pid(4), pid(2), pid(5)]);
    let own = MemberFilter {
        include_descendants: false,
        ..active_in(SCHOOL, None)
    };
    assert_eq!(found(&registry, &own), [pid(1), pid(4)]);
    assert!(
        registry
            .members(&active_in(CENTRAL, None), 2, Some("garbage"))
            .is_err()
    );
}

#[tokio::test]
async fn erasure_removes_personal_data_and_the_person_from_name_and_snils_search() {
    let mut u = tree().await;
    u.admit(
        1,
        SCHOOL,
        d(2020, 9, 1),
        personal("Иванова", "Анна", 100_000_001),
        Gender::Female,
    )
    .await;
    let snils = Snils::from_number(100_000_001).expect("a SNILS");
    let registry = folded(&u).await;
    assert_eq!(registry.snils_holder(snils), Some(pid(1)));
    u.end(1, EndReason::VoluntaryExit, d(2023, 1, 1)).await;
    u.person(
        pid(1),
        ErasePersonalData {
            person_id: pid(1),
            basis: "заявление".into(),
        }
        .into(),
    )
    .await;
    let live = Arc::new(Registry::new());
    let projector = Projector::new(
        Arc::clone(&u.log),
        vec![live.clone() as Arc<dyn Projection>],
        0,
    );
    projector.catch_up().await.expect("caught up");
    let rebuilt = folded(&u).await;
    for registry in [&live, &rebuilt] {
        let anna = registry.member(pid(1)).expect("still in the registry");
        assert!(anna.erased);
        assert_eq!(anna.personal, None);
        assert_eq!((anna.gender, anna.birth_year), (Gender::Female, 1985));
        assert_eq!(registry.snils_holder(snils), None);
        let ended = MemberFilter {
            status: MemberStatus::Ended,
            ..active_in(CENTRAL, Some("иванова"))
        };
        assert_eq!(found(registry, &ended), []);
    }
}

#[tokio::test]
async fn applications_are_listed_by_organisation_and_status() {
    let mut u = tree().await;
    let mut submitted = Vec::new();
    for n in 1..=3 {
        let data = personal("Заявитель", "Иван", 100_000_010 + n);
        let command = SubmitApplication {
            application_id: app_id(n as u128),
            org_id: org(SCHOOL),
            org: HomeFacts::open(OrgLevel::Primary),
            submitted_on: d(2024, 5, 1),
            profile: Profile::new(&data, Gender::Male, MemberCategory::Worker, None, None),
            personal: data,
            consent: true,
        };
        submitted.extend(u.application(app_id(n as u128), command.into()).await);
    }
    for event in submitted {
        u.append(vec![event], false).await;
    }
    let approved = u
        .application(
            app_id(1),
            ApproveApplication {
                application_id: app_id(1),
                person_id: pid(7),
                decided_on: d(2024, 5, 2),
            }
            .into(),
        )
        .await;
    u.append(approved, false).await;
    let rejected = u
        .application(
            app_id(2),
            RejectApplication {
                application_id: app_id(2),
                reason: "дубль".into(),
                decided_on: d(2024, 5, 2),
            }
            .into(),
        )
        .await;
    u.append(rejected, false).await;
    let registry = folded(&u).await;
    let pending = registry
        .applications(org(SCHOOL), ApplicationStatusKind::Pending, 10, None)
        .expect("a page");
    assert_eq!(
        pending
            .items
            .iter()
            .map(|(_, a)| a.application_id)
            .collect::<Vec<_>>(),
        [app_id(3)]
    );
    let one = registry.application(app_id(1)).expect("submitted");
    assert_eq!(
        one.status,
        ApplicationStatus::Approved {
            person_id: pid(7),
            decided_on: d(2024, 5, 2)
        }
    );
    assert_eq!(one.names.map(|n| n.last_name), Some("Заявитель".into()));
    let two = registry.application(app_id(2)).expect("submitted");
    assert_eq!(
        ApplicationStatusKind::from(&two.status),
        ApplicationStatusKind::Rejected
    );
    assert_eq!(registry.application_version(app_id(2)), Some(2));
}

#[tokio::test]
async fn facts_for_commands_come_from_the_registry() {
    let mut u = tree().await;
    u.admit(
        1,
        SCHOOL,
        d(2020, 9, 1),
        personal("Иванова", "Анна", 100_000_001),
        Gender::Female,
    )
    .await;
    let registry = folded(&u).await;
    assert_eq!(
        registry.home_facts(org(SCHOOL), today()),
        HomeFacts::open(OrgLevel::Primary)
    );
    assert_eq!(
        registry.home_facts(org(404), today()),
        HomeFacts::not_found()
    );
    let facts = registry.parent_facts(org(SCHOOL)).expect("known");
    assert_eq!(facts.ancestors, [org(NORTH), org(MOSCOW), org(CENTRAL)]);
    assert!(registry.central_exists());
    assert_eq!(registry.person_version(pid(1)), Some(1));
    assert_eq!(registry.organization_version(org(SCHOOL)), Some(1));
    assert_eq!(registry.gender(pid(1)), Some(Gender::Female));
}
