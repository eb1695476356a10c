//! Property tests of DESIGN.md §7, dates of organisations and passports: an
//! organisation established on a day takes nothing dated before it, one found
//! in place takes any past date; passports follow one another, and an undated
//! first passport describes the organisation from its beginning.

use chrono::{Days, NaiveDate};
use domain::event::OrganizationEvent;
use domain::ids::{OrgId, PersonId};
use domain::organization::{
    self, DissolveOrganization, MoveOrganization, Organization, OrganizationCommand, ParentFacts,
    PassportFrom, UpdatePassport,
};
use domain::person::{self, AdmitMember, HomeFacts, Person, TransferMember};
use domain::rules::RuleViolation;
use domain::vocabulary::organization::{OrgLevel, Passport};
use domain::vocabulary::person::{Gender, MemberCategory, PersonalData, Profile};
use proptest::prelude::*;
use uuid::Uuid;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 6, 1).unwrap()
}

/// Day `n` counted from 1 January 2000; beyond 8918 it lies after [`today`].
fn day(n: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Days::new(u64::from(n))
}

const SCHOOL: OrgId = OrgId(Uuid::from_u128(11));
const DISTRICT: OrgId = OrgId(Uuid::from_u128(12));
const OTHER_DISTRICT: OrgId = OrgId(Uuid::from_u128(13));

fn school(established_on: Option<NaiveDate>) -> Option<Organization> {
    let mut state = None;
    organization::evolve(
        &mut state,
        &OrganizationEvent::Registered {
            org_id: SCHOOL,
            parent_id: Some(DISTRICT),
            name: "Школа № 1".into(),
            short_name: None,
            level: OrgLevel::Primary,
            region_code: None,
            territorial_rights: false,
            registered_on: today(),
            established_on,
        },
    );
    state
}

fn district() -> ParentFacts {
    ParentFacts {
        level: OrgLevel::Territorial,
        dissolved: false,
        ancestors: Vec::new(),
        established_on: None,
    }
}

fn passport(employees: u32) -> Passport {
    Passport {
        employees: Some(employees),
        ..Passport::default()
    }
}

fn admission(home: HomeFacts, on: NaiveDate) -> AdmitMember {
    let personal = PersonalData {
        last_name: "Петрова".into(),
        first_name: "Мария".into(),
        patronymic: None,
        birth_date: NaiveDate::from_ymd_opt(1970, 1, 1).unwrap(),
        snils: None,
        email: None,
        phone: None,
    };
    AdmitMember {
        person_id: PersonId(Uuid::from_u128(1)),
        home_org: SCHOOL,
        home,
        effective_on: on,
        profile: Profile::new(
            &personal,
            Gender::Female,
            MemberCategory::Worker,
            None,
            None,
        ),
        personal,
        snils_holder: None,
        application_id: None,
    }
}

/// One dated command on or into the school.
#[derive(Clone, Debug)]
enum Dated {
    Admit,
    TransferIn,
    Move,
    Passport,
    Dissolve,
}

fn dated() -> impl Strategy<Value = Dated> {
    prop_oneof![
        Just(Dated::Admit),
        Just(Dated::TransferIn),
        Just(Dated::Move),
        Just(Dated::Passport),
        Just(Dated::Dissolve),
    ]
}

/// Decides `command` dated `on` against a school established on `established_on`.
fn decide(command: &Dated, established_on: Option<NaiveDate>, on: NaiveDate) -> Result<(), String> {
    let school = school(established_on);
    let home = HomeFacts::open(OrgLevel::Primary).established(established_on);
    let result = match command {
        Dated::Admit => {
            person::decide(&Person::default(), &admission(home, on).into(), today()).map(|_| ())
        }
        Dated::TransferIn => {
            let mut member = Person::default();
            let admitted = person::decide(
                &member,
                &AdmitMember {
                    home_org: OrgId(Uuid::from_u128(99)),
                    ..admission(HomeFacts::open(OrgLevel::Primary), day(0))
                }
                .into(),
                today(),
            )
            .unwrap();
            admitted.iter().for_each(|e| person::evolve(&mut member, e));
            let transfer = TransferMember {
                person_id: PersonId(Uuid::from_u128(1)),
                to_org: SCHOOL,
                to: home,
                effective_on: on,
            };
            person::decide(&member, &transfer.into(), today()).map(|_| ())
        }
        Dated::Move => organization::decide(
            &school,
            &OrganizationCommand::Move(MoveOrganization {
                org_id: SCHOOL,
                new_parent_id: OTHER_DISTRICT,
                new_parent: Some(district()),
                effective_on: on,
            }),
            today(),
        )
        .map(|_| ()),
        Dated::Passport => organization::decide(
            &school,
            &OrganizationCommand::UpdatePassport(UpdatePassport {
                org_id: SCHOOL,
                passport: passport(10),
                effective_on: Some(on),
            }),
            today(),
        )
        .map(|_| ()),
        Dated::Dissolve => organization::decide(
            &school,
            &OrganizationCommand::Dissolve(DissolveOrganization {
                org_id: SCHOOL,
                effective_on: on,
                active_members_in_subtree: 0,
            }),
            today(),
        )
        .map(|_| ()),
    };
    result.map_err(|e| format!("{e:?}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn nothing_takes_effect_before_an_organisation_was_established(
        command in dated(),
        established in 0u32..8_900,
        on in 0u32..8_918,
    ) {
        let (established, on) = (day(established), day(on));
        let result = decide(&command, Some(established), on);
        prop_assert_eq!(result.is_ok(), on >= established, "{:?}", result);
        if on < established {
            let refusal = result.unwrap_err();
            let expected = match command {
                Dated::Move | Dated::Dissolve => format!("{:?}", RuleViolation::BeforeCurrentPlacement { effective_on: on, since: established }),
                _ => format!("{:?}", RuleViolation::BeforeEstablishment { date: on, established_on: established }),
            };
            prop_assert!(refusal.contains(&expected), "{} / {}", refusal, expected);
        }
    }

    #[test]
    fn an_organisation_found_in_place_takes_any_past_date(
        command in dated(),
        on in 0u32..9_200,
    ) {
        let on = day(on);
        let result = decide(&command, None, on);
        prop_assert_eq!(result.is_ok(), on <= today(), "{:?}", result);
    }

    #[test]
    fn passports_follow_one_another_and_the_first_undated_one_describes_the_beginning(
        established in prop::option::of(0u32..4_000),
        updates in prop::collection::vec(prop::option::of(0u32..9_000), 1..12),
        probe in 0u32..8_918,
    ) {
        let established = established.map(day);
        let mut state = school(established);
        // The model: every accepted version with where it begins, in log order.
        let mut versions: Vec<(PassportFrom, u32)> = Vec::new();
        for (n, update) in updates.iter().enumerate() {
            let effective_on = update.map(day);
            let command = OrganizationCommand::UpdatePassport(UpdatePassport {
                org_id: SCHOOL,
                passport: passport(n as u32),
                effective_on,
            });
            let current = versions.last().map(|v| v.0);
            let expected_ok = match effective_on {
                None => true,
                Some(on) => {
                    on <= today()
                        && established.is_none_or(|e| e <= on)
                        && !matches!(current, Some(PassportFrom::On(since)) if on < since)
                }
            };
            let result = organization::decide(&state, &command, today());
            prop_assert_eq!(result.is_ok(), expected_ok, "{:?}", result);
            if let Ok(events) = result {
                events.iter().for_each(|e| organization::evolve(&mut state, e));
                versions.push((PassportFrom::of(versions.is_empty(), effective_on, today()), n as u32));
            }
        }
        // Versions begin in log order, and the state holds the last one.
        prop_assert!(versions.windows(2).all(|w| w[0].0 <= w[1].0));
        let org = state.unwrap();
        prop_assert_eq!(org.passport_from, versions.last().map(|v| v.0));
        if let Some(&(_, last)) = versions.last() {
            prop_assert_eq!(org.passport.employees, Some(last));
        }
        // An undated first passport describes every day; a dated one only from its day.
        if let Some(&(first, n)) = versions.first() {
            let undated = updates[n as usize].is_none();
            prop_assert_eq!(first == PassportFrom::Beginning, undated);
            match first {
                PassportFrom::Beginning => prop_assert!(first.covers(day(probe))),
                PassportFrom::On(since) => prop_assert_eq!(first.covers(day(probe)), day(probe) >= since),
            }
        }
    }
}
