//! A live registry equals one rebuilt.

use crate::union::*;

#[tokio::test]
async fn a_live_registry_equals_one_rebuilt_from_position_0() {
    let mut u = tree().await;
    let live = Arc::new(Registry::new());
    let projector = Projector::new(
        Arc::clone(&u.log),
        vec![live.clone() as Arc<dyn Projection>],
        0,
    );
    projector.catch_up().await.expect("caught up");
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
        COLLEGE,
        d(2020, 9, 1),
        personal("Петров", "Борис", 100_000_002),
        Gender::Male,
    )
    .await;
    projector.catch_up().await.expect("caught up");
    u.issue(1, 5, d(2021, 1, 1)).await;
    u.transfer(2, UNIVERSITY, d(2022, 1, 1)).await;
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
    projector.catch_up().await.expect("caught up");
    u.end(1, EndReason::Death, d(2023, 1, 1)).await;
    u.person(
        pid(1),
        ErasePersonalData {
            person_id: pid(1),
            basis: "закон".into(),
        }
        .into(),
    )
    .await;
    projector.catch_up().await.expect("caught up");
    let rebuilt = folded(&u).await;
    assert_eq!(live.position(), rebuilt.position());
    assert_eq!(live.digest(), rebuilt.digest());
}
