//! Bytes the registry holds per member, counted by the allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

use chrono::Utc;
use domain::event::{OrganizationEvent, PersonEvent};
use eventlog::{Personal, StoredEvent};
use projections::runtime::Applied;

use crate::union::*;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    /// Whether this thread's allocations count: only the measuring thread's,
    /// so tests running beside it do not blur the figure.
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn count(delta: isize) {
    if COUNTED.with(Cell::get) {
        LIVE.fetch_add(delta, Ordering::Relaxed);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Members in the measurement: enough that fixed costs vanish.
const N_MEMBERS: u64 = 60_000;
/// The budget: 700 MB for 3.9M members.
const BUDGET_PER_MEMBER: isize = 700_000_000 / 3_900_000;

fn applied(position: u64, event: Event) -> Applied {
    let stored = StoredEvent {
        position,
        stream: event.stream(),
        version: 1,
        event_id: uuid::Uuid::nil(),
        event_type: event.event_type().into(),
        schema_version: 1,
        effective_on: event.effective_on(),
        recorded_at: Utc::now(),
        actor: String::new(),
        correlation_id: None,
        causation_id: None,
        payload: String::new(),
        personal: Personal::None,
    };
    Applied { stored, event }
}

fn member_events(n: u64, home: OrgId) -> [Event; 2] {
    const SURNAMES: [&str; 6] = [
        "Иванова",
        "Кузнецов",
        "Смирнова",
        "Попов",
        "Васильева",
        "Соколов",
    ];
    const NAMES: [&str; 5] = ["Мария", "Александр", "Елена", "Дмитрий", "Ольга"];
    const PATRONYMICS: [&str; 4] = ["Ивановна", "Сергеевич", "Петровна", "Андреевич"];
    let personal = PersonalData {
        last_name: SURNAMES[(n % 6) as usize].into(),
        first_name: NAMES[(n % 5) as usize].into(),
        patronymic: Some(PATRONYMICS[(n % 4) as usize].into()),
        birth_date: d(
            1960 + (n % 40) as i32,
            1 + (n % 12) as u32,
            1 + (n % 28) as u32,
        ),
        snils: Snils::from_number(200_000_000 + n),
        email: Some(format!("member{n}@mail.ru")),
        phone: Some(format!("+7 916 {:07}", n % 10_000_000)),
    };
    let person_id = pid(1_000_000 + u128::from(n));
    [
        Event::Person(PersonEvent::Admitted {
            person_id,
            home_org: home,
            effective_on: d(2015, 9, 1),
            profile: Profile::new(
                &personal,
                Gender::Female,
                MemberCategory::Worker,
                None,
                Some("учитель".into()),
            ),
            personal: Some(personal),
            application_id: None,
        }),
        Event::Person(PersonEvent::CardIssued {
            person_id,
            number: CardNumber::new(77, n).expect("a number"),
            kind: CardKind::Virtual,
            issued_on: d(2020, 1, 1),
        }),
    ]
}

#[test]
fn a_member_costs_less_than_the_full_scale_budget() {
    let registry = Registry::new();
    let homes: Vec<OrgId> = (0..100).map(|i| org(10_000 + i)).collect();
    let mut position = 0;
    let mut next = |event: Event| {
        position += 1;
        applied(position, event)
    };
    let tree: Vec<Applied> = homes
        .iter()
        .map(|&home| {
            next(Event::Organization(OrganizationEvent::Registered {
                org_id: home,
                parent_id: None,
                name: "ППО".into(),
                short_name: None,
                level: OrgLevel::Primary,
                region_code: None,
                territorial_rights: false,
                registered_on: d(2000, 1, 1),
                established_on: None,
            }))
        })
        .collect();
    registry.apply(&tree);
    drop(tree);
    COUNTED.with(|counted| counted.set(true));
    let before = LIVE.load(Ordering::Relaxed);
    for chunk in (0..N_MEMBERS).collect::<Vec<_>>().chunks(2048) {
        let batch: Vec<Applied> = chunk
            .iter()
            .flat_map(|&n| member_events(n, homes[(n % 100) as usize]))
            .map(&mut next)
            .collect();
        registry.apply(&batch);
    }
    let per_member = (LIVE.load(Ordering::Relaxed) - before) / N_MEMBERS as isize;
    COUNTED.with(|counted| counted.set(false));
    println!("{:?}", registry.heap_report());
    println!("registry: {per_member} bytes per member (with a card), budget {BUDGET_PER_MEMBER}");
    // A member with a card costs about 177 (it was 252): record 52 (57 here,
    // where the last segment is partly empty), card 32 (35), personal data ~35
    // (names by number, packed phone and e-mail domain), three hash tables ~33,
    // name index ~13, per-organisation lists ~5.
    assert!(
        per_member <= BUDGET_PER_MEMBER,
        "{per_member} bytes per member, budget {BUDGET_PER_MEMBER}"
    );
}
