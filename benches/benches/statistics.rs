//! Statistics: the whole union and one territorial subtree on a past date (both
//! with breakdown), movement over a year, and report builder tables of two
//! dimensions.
//!
//! Run: `cargo bench -p reestr-benches --bench statistics`. The log is the one at
//! `REESTR_BENCH_LOG` (e.g. a full union from `reestr generate`, opened read-only
//! in spirit: nothing is appended), or a small generated union by default. The
//! report date is `REESTR_BENCH_DATE` (default 2024-01-01). Build time, spell
//! count, the model's bytes and the peak RSS are printed before the benches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use domain::event::{Event, OrganizationEvent, PersonEvent};
use domain::ids::{OrgId, PersonId};
use domain::vocabulary::organization::{OrgLevel, Passport, Sector};
use domain::vocabulary::person::{EndReason, Gender, MemberCategory, Profession, Profile};
use eventlog::{AppendRequest, BulkLog, EventLog, ExpectedVersion, SqliteLog, codec};
use futures::StreamExt;
use projections::runtime::{Projection, Projector};
use projections::statistics::{Dimension, MemberFilter, Statistics, TableSpec};
use tempfile::TempDir;
use uuid::Uuid;

/// The default union: 10 regions × 10 territorials × 20 primaries × 50 members.
const REGIONS: u128 = 10;
const TERRITORIALS: u128 = 10;
const PRIMARIES: u128 = 20;
const MEMBERS: u128 = 50;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn org(kind: u128, n: u128) -> OrgId {
    OrgId(Uuid::from_u128((kind << 64) | n))
}

fn registered(
    org_id: OrgId,
    parent_id: Option<OrgId>,
    level: OrgLevel,
    region: Option<u8>,
) -> Event {
    Event::from(OrganizationEvent::Registered {
        org_id,
        parent_id,
        name: "org".into(),
        short_name: None,
        level,
        region_code: region,
        territorial_rights: false,
        registered_on: d(2000, 1, 1),
        established_on: None,
    })
}

/// Events of the default union, in an order the charter would allow.
fn small_union() -> Vec<Event> {
    let central = org(1, 0);
    let mut events = vec![registered(central, None, OrgLevel::Central, None)];
    let mut person = 0u128;
    for r in 0..REGIONS {
        let region = org(2, r);
        events.push(registered(
            region,
            Some(central),
            OrgLevel::Regional,
            Some(r as u8 + 1),
        ));
        for t in 0..TERRITORIALS {
            let territorial = org(3, r * 1000 + t);
            events.push(registered(
                territorial,
                Some(region),
                OrgLevel::Territorial,
                None,
            ));
            for p in 0..PRIMARIES {
                let primary = org(4, (r * 1000 + t) * 1000 + p);
                events.push(registered(
                    primary,
                    Some(territorial),
                    OrgLevel::Primary,
                    None,
                ));
                let passport = Passport {
                    sector: Some(Sector::ALL[(p % 7) as usize]),
                    employees: Some(60),
                    students: Some(400),
                    ..Passport::default()
                };
                events.push(Event::from(OrganizationEvent::PassportUpdated {
                    org_id: primary,
                    passport,
                    updated_on: d(2001, 1, 1),
                    effective_on: None,
                }));
                for m in 0..MEMBERS {
                    person += 1;
                    let person_id = PersonId(Uuid::from_u128(person));
                    let start = d(
                        1995 + (person % 29) as i32,
                        1 + (m % 12) as u32,
                        1 + (person % 28) as u32,
                    );
                    let profile = Profile {
                        gender: if person.is_multiple_of(3) {
                            Gender::Male
                        } else {
                            Gender::Female
                        },
                        birth_year: 1950 + (person % 50) as i32,
                        category: [
                            MemberCategory::Worker,
                            MemberCategory::Student,
                            MemberCategory::Pensioner,
                        ][(person % 3) as usize],
                        profession: person.is_multiple_of(2).then_some(Profession::Teacher),
                        position: None,
                    };
                    events.push(Event::from(PersonEvent::Admitted {
                        person_id,
                        home_org: primary,
                        effective_on: start,
                        profile,
                        personal: None,
                        application_id: None,
                    }));
                    if person.is_multiple_of(10) {
                        let to_org = org(4, (r * 1000 + (t + 1) % TERRITORIALS) * 1000 + p);
                        events.push(Event::from(PersonEvent::Transferred {
                            person_id,
                            from_org: primary,
                            to_org,
                            effective_on: d(2024, 3, 1),
                        }));
                    } else if person % 10 == 1 {
                        events.push(Event::from(PersonEvent::MembershipEnded {
                            person_id,
                            home_org: primary,
                            reason: EndReason::VoluntaryExit,
                            basis: None,
                            effective_on: d(2024, 6, 1),
                        }));
                    }
                }
            }
        }
    }
    events
}

struct Model {
    stats: Arc<Statistics>,
    central: OrgId,
    territorial: OrgId,
    _dir: Option<TempDir>,
}

fn model(runtime: &tokio::runtime::Runtime) -> Model {
    runtime.block_on(async {
        let (log, dir): (Arc<dyn EventLog>, _) = match std::env::var("REESTR_BENCH_LOG") {
            Ok(path) => (Arc::new(SqliteLog::open(path).unwrap()), None),
            Err(_) => {
                let dir = TempDir::new().unwrap();
                let log = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
                let requests: Vec<AppendRequest> = small_union()
                    .iter()
                    .map(|e| AppendRequest::single(e.stream(), ExpectedVersion::Any, vec![codec::encode(e).unwrap()], "bench"))
                    .collect();
                for batch in requests.chunks(10_000) {
                    log.import(batch.to_vec()).await.unwrap();
                }
                log.finish_import().await.unwrap();
                (log, Some(dir))
            }
        };
        // The root and the first territorial organisation of the log.
        let mut events = eventlog::read_all(Arc::clone(&log), 0);
        let (mut central, mut territorial) = (None, None);
        while let Some(stored) = events.next().await {
            if let Ok(Event::Organization(OrganizationEvent::Registered { org_id, level, .. })) = codec::decode(&stored.unwrap()) {
                match level {
                    OrgLevel::Central => central = Some(org_id),
                    OrgLevel::Territorial => territorial = territorial.or(Some(org_id)),
                    _ => {}
                }
            }
            if central.is_some() && territorial.is_some() {
                break;
            }
        }
        drop(events);
        let stats = Arc::new(Statistics::new());
        let started = Instant::now();
        let projector = Projector::new(Arc::clone(&log), vec![Arc::clone(&stats) as Arc<dyn Projection>], 0);
        let head = projector.catch_up().await.unwrap();
        eprintln!(
            "statistics: {head} events folded in {:.1?}, {} spells, {} MB of tables, peak RSS {} MB",
            started.elapsed(),
            stats.spell_count(),
            stats.heap_bytes() >> 20,
            peak_rss_mb()
        );
        Model { stats, central: central.unwrap(), territorial: territorial.unwrap(), _dir: dir }
    })
}

/// VmHWM of this process, in MB (0 where /proc is missing).
fn peak_rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb >> 10)
}

fn statistics(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let model = model(&runtime);
    let on = std::env::var("REESTR_BENCH_DATE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(d(2024, 1, 1));
    let whole = model.stats.report(model.central, on, None).unwrap();
    let part = model.stats.report(model.territorial, on, None).unwrap();
    eprintln!(
        "whole union on {on}: {} members, {} children; territorial: {} members, {} children",
        whole.members,
        whole.breakdown.len(),
        part.members,
        part.breakdown.len()
    );

    let mut group = c.benchmark_group("statistics");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("whole_union_past_date_with_breakdown", |b| {
        b.iter(|| model.stats.report(model.central, on, None).unwrap())
    });
    group.bench_function("territorial_past_date_with_breakdown", |b| {
        b.iter(|| model.stats.report(model.territorial, on, None).unwrap())
    });
    let known_at = Some(model.stats.applied() / 2);
    group.bench_function("whole_union_known_at_half_log", |b| {
        b.iter(|| model.stats.report(model.central, on, known_at).unwrap())
    });
    let (from, to) = (
        on,
        on.checked_add_months(chrono::Months::new(12))
            .unwrap()
            .pred_opt()
            .unwrap(),
    );
    group.bench_function("movement_year_whole_union", |b| {
        b.iter(|| model.stats.movement(model.central, from, to).unwrap())
    });
    group.bench_function("movement_year_territorial", |b| {
        b.iter(|| model.stats.movement(model.territorial, from, to).unwrap())
    });
    // The report builder: two dimensions, with and without a filter.
    let child_by_age = TableSpec {
        filter: MemberFilter::default(),
        rows: Dimension::Child,
        columns: Some(Dimension::AgeBand),
        age_edges: vec![36, 46, 56, 66],
        tenure_edges: vec![1.0, 5.0, 10.0, 20.0],
    };
    let sector_by_tenure_of_working_women = TableSpec {
        filter: MemberFilter {
            genders: vec![0],
            categories: vec![0],
            ..MemberFilter::default()
        },
        rows: Dimension::Sector,
        columns: Some(Dimension::TenureBand),
        ..child_by_age.clone()
    };
    group.bench_function("table_whole_union_child_by_age", |b| {
        b.iter(|| {
            model
                .stats
                .table(model.central, on, None, &child_by_age)
                .unwrap()
        })
    });
    group.bench_function("table_whole_union_sector_by_tenure_filtered", |b| {
        b.iter(|| {
            model
                .stats
                .table(model.central, on, None, &sector_by_tenure_of_working_women)
                .unwrap()
        })
    });
    group.bench_function("table_territorial_child_by_age", |b| {
        b.iter(|| {
            model
                .stats
                .table(model.territorial, on, None, &child_by_age)
                .unwrap()
        })
    });
    group.finish();
    eprintln!("peak RSS after the benches: {} MB", peak_rss_mb());
}

criterion_group!(benches, statistics);
criterion_main!(benches);
