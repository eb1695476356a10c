//! The tree, member counts, a member's view, cards.

use domain::organization::PassportFrom;

use crate::union::*;

#[tokio::test]
async fn the_tree_shows_names_levels_regions_paths_children_and_passports() {
    let mut u = tree().await;
    let passport = Passport {
        sector: Some(Sector::School),
        employees: Some(80),
        ..Passport::default()
    };
    u.org(
        UpdatePassport {
            org_id: org(SCHOOL),
            passport: passport.clone(),
            effective_on: Some(d(2024, 2, 1)),
        }
        .into(),
    )
    .await;
    let registry = folded(&u).await;

    let school = registry.organization(org(SCHOOL)).expect("registered");
    assert_eq!(school.name, "ППО школы № 17");
    assert_eq!(school.level, OrgLevel::Primary);
    assert_eq!(school.region_code, Some(77));
    assert_eq!(school.parent_id, Some(org(NORTH)));
    assert_eq!(
        school.passport.map(|(passport, _)| passport),
        Some(passport)
    );
    assert_eq!(school.passport_from, Some(PassportFrom::On(d(2024, 2, 1))));
    assert_eq!(school.established_on, None);
    assert_eq!(school.version, 2);
    assert_eq!(school.dissolved_on, None);
    let university = registry.organization(org(UNIVERSITY)).expect("registered");
    assert!(university.territorial_rights);
    assert_eq!(university.region_code, Some(69));
    let path: Vec<OrgId> = registry
        .path(org(SCHOOL))
        .into_iter()
        .map(|o| o.org_id)
        .collect();
    assert_eq!(path, [org(CENTRAL), org(MOSCOW), org(NORTH), org(SCHOOL)]);
    let children = registry.children(org(NORTH), 10, None).expect("a page");
    let names: Vec<String> = children.items.into_iter().map(|(_, o)| o.name).collect();
    assert_eq!(names, ["ППО детского сада № 5", "ППО школы № 17"]);
    let first = registry.children(org(CENTRAL), 1, None).expect("a page");
    assert!(first.has_next_page);
    assert_eq!(first.total_count, 2);
    let rest = registry
        .children(org(CENTRAL), 5, Some(&first.items[0].0))
        .expect("a page");
    assert_eq!(rest.items[0].1.name, "Тверская организация");
    let primaries = registry
        .organizations(None, Some(OrgLevel::Primary), Some("ппо ШКОЛЫ"), 10, None)
        .expect("a page");
    assert_eq!(primaries.items.len(), 1);
    assert!(registry.organization(org(999)).is_none());
}

#[tokio::test]
async fn member_counts_follow_admissions_transfers_ends_readmissions_and_moves() {
    let mut u = tree().await;
    u.admit(
        1,
        SCHOOL,
        d(2020, 9, 1),
        personal("Иванова", "Анна", 100_000_001),
        Gender::Female,
    )
    .await;
    u.admit(
        2,
        SCHOOL,
        d(2021, 9, 1),
        personal("Петров", "Борис", 100_000_002),
        Gender::Male,
    )
    .await;
    u.admit(
        3,
        COLLEGE,
        d(2021, 9, 1),
        personal("Сидоров", "Олег", 100_000_003),
        Gender::Male,
    )
    .await;
    let registry = folded(&u).await;
    assert_eq!(
        [
            count(&registry, SCHOOL),
            count(&registry, NORTH),
            count(&registry, MOSCOW),
            count(&registry, CENTRAL)
        ],
        [2, 2, 3, 3]
    );

    u.transfer(1, COLLEGE, d(2023, 1, 10)).await;
    u.end(2, EndReason::VoluntaryExit, d(2023, 5, 1)).await;
    let registry = folded(&u).await;
    assert_eq!(
        [
            count(&registry, SCHOOL),
            count(&registry, NORTH),
            count(&registry, SOUTH),
            count(&registry, COLLEGE)
        ],
        [0, 0, 2, 2]
    );
    let ended = MemberFilter {
        status: MemberStatus::Ended,
        ..active_in(NORTH, None)
    };
    assert_eq!(found(&registry, &ended), [pid(2)]);

    u.admit(
        2,
        KINDERGARTEN,
        d(2024, 1, 15),
        personal("Петров", "Борис", 100_000_002),
        Gender::Male,
    )
    .await;
    u.org(
        MoveOrganization {
            org_id: org(SOUTH),
            new_parent_id: org(TVER),
            new_parent: Some(u.parent(org(TVER))),
            effective_on: d(2024, 3, 1),
        }
        .into(),
    )
    .await;
    let registry = folded(&u).await;
    assert_eq!(
        [
            count(&registry, NORTH),
            count(&registry, MOSCOW),
            count(&registry, TVER),
            count(&registry, CENTRAL)
        ],
        [1, 1, 2, 3]
    );
    assert_eq!(
        registry
            .organization(org(COLLEGE))
            .expect("known")
            .region_code,
        Some(69)
    );
    assert_eq!(found(&registry, &ended), []);
    assert_eq!(found(&registry, &active_in(TVER, None)), [pid(1), pid(3)]);
}

#[tokio::test]
async fn a_member_shows_profile_personal_data_memberships_and_cards() {
    let mut u = tree().await;
    u.admit(
        1,
        SCHOOL,
        d(2020, 9, 1),
        personal("Иванова", "Анна", 100_000_001),
        Gender::Female,
    )
    .await;
    let first = u.issue(1, 1, d(2020, 9, 1)).await;
    u.transfer(1, KINDERGARTEN, d(2022, 1, 10)).await;
    let second = u.issue(1, 2, d(2022, 2, 1)).await;
    let registry = folded(&u).await;
    let anna = registry.member(pid(1)).expect("a member");
    assert_eq!(
        anna.personal.as_ref().map(|p| p.last_name.as_str()),
        Some("Иванова")
    );
    assert_eq!(
        (anna.gender, anna.birth_year, anna.position.as_deref()),
        (Gender::Female, 1985, Some("учитель"))
    );
    assert_eq!(
        (anna.status, anna.home, anna.joined_on),
        (MemberStatus::Active, org(KINDERGARTEN), d(2020, 9, 1))
    );
    assert_eq!(anna.tenure_days(d(2020, 9, 11)), 10);
    let statuses: Vec<_> = anna
        .cards
        .iter()
        .map(|c| (c.number, c.status, c.block_reason.clone()))
        .collect();
    assert_eq!(
        statuses,
        [
            (first, CardStatus::Blocked, Some("REPLACED".into())),
            (second, CardStatus::Active, None)
        ]
    );
    assert_eq!(anna.card().map(|c| c.number), Some(second));
    assert_eq!(
        anna.version, 5,
        "admitted, issued, transferred, replaced, issued"
    );

    u.end(1, EndReason::Expulsion, d(2023, 9, 1)).await;
    u.admit(
        1,
        COLLEGE,
        d(2024, 1, 9),
        personal("Иванова", "Анна", 100_000_001),
        Gender::Female,
    )
    .await;
    let registry = folded(&u).await;
    let anna = registry.member(pid(1)).expect("a member");
    assert_eq!(
        (anna.joined_on, anna.ended_on, anna.end_reason),
        (d(2024, 1, 9), None, None)
    );
    assert_eq!(anna.memberships.len(), 2);
    assert_eq!(
        anna.tenure_days(d(2024, 1, 19)),
        (d(2023, 9, 1) - d(2020, 9, 1)).num_days() as u32 + 10
    );
    assert!(
        anna.card().is_none(),
        "ending the membership blocked the card"
    );
    assert_eq!(
        registry.verify_card(second).result,
        CardCheckResult::Blocked
    );
}

#[tokio::test]
async fn cards_verify_as_valid_blocked_or_unknown() {
    let mut u = tree().await;
    u.admit(
        1,
        SCHOOL,
        d(2020, 9, 1),
        personal("Иванова", "Анна", 100_000_001),
        Gender::Female,
    )
    .await;
    u.admit(
        2,
        SCHOOL,
        d(2020, 9, 1),
        personal("Петров", "Борис", 100_000_002),
        Gender::Male,
    )
    .await;
    let annas = u.issue(1, 11, d(2021, 1, 1)).await;
    let boris = u.issue(2, 12, d(2021, 1, 1)).await;
    u.person(
        pid(2),
        BlockCard {
            person_id: pid(2),
            number: boris,
            reason: "утерян".into(),
        }
        .into(),
    )
    .await;
    let registry = folded(&u).await;
    let valid = registry.verify_card(annas);
    assert_eq!(
        (valid.result, valid.organization_name.as_deref()),
        (CardCheckResult::Valid, Some("ППО школы № 17"))
    );
    let blocked = registry.verify_card(boris);
    assert_eq!(
        (blocked.result, blocked.organization_name),
        (CardCheckResult::Blocked, None)
    );
    let unknown = CardNumber::new(77, 999).expect("a number");
    assert_eq!(
        registry.verify_card(unknown).result,
        CardCheckResult::Unknown
    );
    assert_eq!(
        registry.member_by_card(boris).map(|m| m.person_id),
        Some(pid(2))
    );
    assert_eq!(
        registry.card(boris).and_then(|c| c.block_reason),
        Some("утерян".into())
    );
}
