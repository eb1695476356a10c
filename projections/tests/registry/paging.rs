//! Every registry list pages backward as it pages forward: for every page
//! size and every cursor, the page `last: k, before: c` is exactly the naive
//! slice of the whole ordered list before `c`, and `first: k, after: c` the
//! slice after it, with `has_previous_page` / `has_next_page` true to it.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use projections::Window;
use projections::registry::{Page, QueryError};

use crate::union::*;

/// Checks `list` both ways against its whole list (one page of 1000).
fn check_both_ways<T: PartialEq + std::fmt::Debug>(
    name: &str,
    list: impl Fn(Window<&str>) -> Result<Page<T>, QueryError>,
) -> usize {
    let whole = list(Window::After {
        first: 1000,
        after: None,
    })
    .expect("the whole list");
    let all = &whole.items;
    let n = all.len();
    assert_eq!(whole.total_count, n as u64, "{name}");
    assert!(!whole.has_next_page && !whole.has_previous_page, "{name}");
    for k in 1..=n + 1 {
        for i in 0..=n {
            // Backward: the k items before item i (before the end for i = n).
            let before = all.get(i).map(|(cursor, _)| cursor.as_str());
            let page = list(Window::Before { last: k, before }).expect("a page");
            let expected = &all[i.saturating_sub(k)..i];
            assert_eq!(page.items, expected, "{name}: last {k} before #{i}");
            assert_eq!(
                page.has_previous_page,
                i > k,
                "{name}: last {k} before #{i}"
            );
            assert_eq!(page.has_next_page, i < n, "{name}: last {k} before #{i}");
            assert_eq!(page.total_count, n as u64, "{name}");
            // Forward: the k items after item i - 1 (from the start for i = 0).
            let after = i.checked_sub(1).map(|at| all[at].0.as_str());
            let page = list(Window::After { first: k, after }).expect("a page");
            let expected = &all[i..n.min(i + k)];
            assert_eq!(page.items, expected, "{name}: first {k} after #{i}");
            assert_eq!(
                page.has_previous_page,
                i > 0,
                "{name}: first {k} after #{i}"
            );
            assert_eq!(
                page.has_next_page,
                i + k < n,
                "{name}: first {k} after #{i}"
            );
        }
    }
    // Walking back from the end page by page gives the list reversed.
    let mut walked = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let page = list(Window::Before {
            last: 3,
            before: before.as_deref(),
        })
        .expect("a page");
        walked.splice(0..0, page.items.iter().map(|(c, _)| c.clone()));
        before = page.items.first().map(|(c, _)| c.clone());
        if !page.has_previous_page {
            break;
        }
    }
    let forward: Vec<String> = all.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(walked, forward, "{name}");
    assert!(
        list(Window::Before {
            last: 1,
            before: Some("garbage")
        })
        .is_err(),
        "{name}"
    );
    n
}

#[tokio::test]
async fn every_list_pages_backward_as_the_naive_slice_of_the_whole_list() {
    let mut u = tree().await;
    let mut rng = StdRng::seed_from_u64(17);
    let homes = [SCHOOL, KINDERGARTEN, COLLEGE, UNIVERSITY];
    let names = ["Иванова", "Иванов", "Петров", "Ёлкин", "Елкина", "Сидоров"];
    for who in 1..=16u128 {
        let home = homes[rng.random_range(0..homes.len())];
        let last = names[who as usize % names.len()];
        u.admit(
            who,
            home,
            d(2020, 9, 1),
            personal(last, "Анна", 100_000_000 + who as u64),
            Gender::Female,
        )
        .await;
    }
    for who in [3, 8, 11] {
        u.end(who, EndReason::VoluntaryExit, d(2023, 1, 1)).await;
    }
    let mut submitted = Vec::new();
    for n in 1..=5u128 {
        let data = personal("Заявитель", "Иван", 100_000_100 + n as u64);
        let command = SubmitApplication {
            application_id: app_id(n),
            org_id: org(SCHOOL),
            org: HomeFacts::open(OrgLevel::Primary),
            submitted_on: d(2024, 5, 1),
            profile: Profile::new(&data, Gender::Male, MemberCategory::Worker, None, None),
            personal: data,
            consent: true,
        };
        submitted.extend(u.application(app_id(n), command.into()).await);
    }
    u.append(submitted, false).await;
    let registry = folded(&u).await;
    let ids = |page: Page<projections::registry::MemberView>| Page {
        items: page
            .items
            .into_iter()
            .map(|(c, m)| (c, m.person_id))
            .collect(),
        has_next_page: page.has_next_page,
        has_previous_page: page.has_previous_page,
        total_count: page.total_count,
    };
    let mut filters = vec![
        ("the union", active_in(CENTRAL, None)),
        ("Moscow", active_in(MOSCOW, None)),
        ("the north", active_in(NORTH, None)),
        (
            "the school alone",
            MemberFilter {
                include_descendants: false,
                ..active_in(SCHOOL, None)
            },
        ),
        (
            "former members",
            MemberFilter {
                status: MemberStatus::Ended,
                ..active_in(CENTRAL, None)
            },
        ),
    ];
    for search in ["иван", "е", "петров анна"] {
        filters.push(("by name", active_in(CENTRAL, Some(search))));
    }
    for (name, filter) in &filters {
        let listed = check_both_ways(name, |w| registry.members_window(filter, w).map(ids));
        assert!(listed >= 2, "{name}: {listed} members, too few to page");
    }
    assert_eq!(
        check_both_ways("members", |w| {
            registry
                .members_window(&active_in(CENTRAL, None), w)
                .map(ids)
        }),
        13
    );
    let orgs = |page: Page<projections::registry::OrganizationView>| Page {
        items: page.items.into_iter().map(|(c, o)| (c, o.org_id)).collect(),
        has_next_page: page.has_next_page,
        has_previous_page: page.has_previous_page,
        total_count: page.total_count,
    };
    check_both_ways("every organisation", |w| {
        registry.organizations_window(None, None, None, w).map(orgs)
    });
    check_both_ways("primaries", |w| {
        registry
            .organizations_window(None, Some(OrgLevel::Primary), None, w)
            .map(orgs)
    });
    check_both_ways("Moscow's children", |w| {
        registry.children_window(org(MOSCOW), w).map(orgs)
    });
    check_both_ways("the union's children", |w| {
        registry.children_window(org(CENTRAL), w).map(orgs)
    });
    let applications = check_both_ways("applications", |w| {
        registry
            .applications_window(org(SCHOOL), ApplicationStatusKind::Pending, w)
            .map(|page| Page {
                items: page
                    .items
                    .into_iter()
                    .map(|(c, a)| (c, a.application_id))
                    .collect(),
                has_next_page: page.has_next_page,
                has_previous_page: page.has_previous_page,
                total_count: page.total_count,
            })
    });
    assert_eq!(applications, 5);
}
