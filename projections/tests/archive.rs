//! The archive: a person's history and an organisation's journal in plain words,
//! from a small union appended through the real `decide` functions.

use std::sync::Arc;

use domain::card_number::CardNumber;
use domain::event::Event;
use domain::ids::{OrgId, PersonId};
use domain::organization::{
    self, Organization, OrganizationCommand, ParentFacts, RegisterOrganization, RenameOrganization,
};
use domain::person::{
    self, AdmitMember, EndMembership, ErasePersonalData, HomeFacts, IssueCard, Person,
    PersonCommand, TransferMember,
};
use domain::testing::{d, org, person as pid, today};
use domain::vocabulary::card::CardKind;
use domain::vocabulary::organization::OrgLevel;
use domain::vocabulary::person::{EndReason, Gender, MemberCategory, PersonalData, Profile};
use eventlog::{AppendRequest, EventLog, ExpectedVersion, SqliteLog, codec};
use projections::archive::Archive;
use projections::runtime::{Projection, Projector};

async fn append(log: &Arc<dyn EventLog>, events: Vec<Event>, erase: bool) {
    let Some(stream) = events.first().map(Event::stream) else {
        return;
    };
    let encoded = events
        .iter()
        .map(|e| codec::encode(e).expect("encodes"))
        .collect();
    let mut request =
        AppendRequest::single(stream.clone(), ExpectedVersion::Any, encoded, "chair-17");
    if erase {
        request.erase_personal_data_of.push(stream);
    }
    log.append(request).await.expect("appended");
}

async fn on_org(
    log: &Arc<dyn EventLog>,
    state: &mut Option<Organization>,
    command: OrganizationCommand,
) {
    let events = organization::decide(state, &command, today()).expect("accepted");
    events.iter().for_each(|e| organization::evolve(state, e));
    append(log, events.into_iter().map(Event::from).collect(), false).await;
}

async fn on_person(log: &Arc<dyn EventLog>, state: &mut Person, command: PersonCommand) {
    let erase = matches!(command, PersonCommand::Erase(_));
    let events = person::decide(state, &command, today()).expect("accepted");
    events.iter().for_each(|e| person::evolve(state, e));
    append(log, events.into_iter().map(Event::from).collect(), erase).await;
}

async fn register(
    log: &Arc<dyn EventLog>,
    id: u128,
    parent: Option<(u128, OrgLevel)>,
    name: &str,
    level: OrgLevel,
) -> Option<Organization> {
    let mut state = None;
    let command = RegisterOrganization {
        org_id: org(id),
        parent_id: parent.map(|(p, _)| org(p)),
        name: name.into(),
        short_name: None,
        level,
        region_code: (level == OrgLevel::Regional).then_some(77),
        territorial_rights: false,
        registered_on: d(2000, 1, 1),
        established_on: None,
        parent: parent.map(|(_, level)| ParentFacts {
            level,
            dissolved: false,
            ancestors: vec![],
            established_on: None,
        }),
        central_exists: level != OrgLevel::Central,
    };
    on_org(log, &mut state, command.into()).await;
    state
}

/// Anna is admitted to school 17, gets a card, moves to kindergarten 5 (which is
/// then renamed), is expelled, and has her data erased.
async fn annas_union() -> (tempfile::TempDir, Arc<dyn EventLog>) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let log: Arc<dyn EventLog> =
        Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).expect("opens"));
    register(&log, 1, None, "Профсоюз", OrgLevel::Central).await;
    register(
        &log,
        2,
        Some((1, OrgLevel::Central)),
        "Московская организация",
        OrgLevel::Regional,
    )
    .await;
    register(
        &log,
        3,
        Some((2, OrgLevel::Regional)),
        "Северный округ",
        OrgLevel::Territorial,
    )
    .await;
    register(
        &log,
        5,
        Some((3, OrgLevel::Territorial)),
        "ППО школы № 17",
        OrgLevel::Primary,
    )
    .await;
    let mut kindergarten = register(
        &log,
        6,
        Some((3, OrgLevel::Territorial)),
        "ППО детского сада № 5",
        OrgLevel::Primary,
    )
    .await;
    let personal = PersonalData {
        last_name: "Иванова".into(),
        first_name: "Анна".into(),
        patronymic: None,
        birth_date: d(1990, 4, 12),
        snils: None,
        email: None,
        phone: None,
    };
    let mut anna = Person::default();
    let admit = AdmitMember {
        person_id: pid(1),
        home_org: org(5),
        home: HomeFacts::open(OrgLevel::Primary),
        effective_on: d(2020, 9, 1),
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
    };
    on_person(&log, &mut anna, admit.into()).await;
    let number = CardNumber::new(77, 17).expect("a number");
    on_person(
        &log,
        &mut anna,
        IssueCard {
            person_id: pid(1),
            number,
            kind: CardKind::Plastic,
            issued_on: d(2020, 9, 2),
        }
        .into(),
    )
    .await;
    on_person(
        &log,
        &mut anna,
        TransferMember {
            person_id: pid(1),
            to_org: org(6),
            to: HomeFacts::open(OrgLevel::Primary),
            effective_on: d(2022, 1, 10),
        }
        .into(),
    )
    .await;
    on_org(
        &log,
        &mut kindergarten,
        RenameOrganization {
            org_id: org(6),
            name: "ППО детского сада № 5 «Солнышко»".into(),
            short_name: None,
            renamed_on: d(2023, 1, 1),
        }
        .into(),
    )
    .await;
    let end = EndMembership {
        person_id: pid(1),
        reason: EndReason::Expulsion,
        basis: Some("решение профкома от 01.02.2024".into()),
        effective_on: d(2024, 2, 1),
    };
    on_person(&log, &mut anna, end.into()).await;
    on_person(
        &log,
        &mut anna,
        ErasePersonalData {
            person_id: pid(1),
            basis: "заявление".into(),
        }
        .into(),
    )
    .await;
    (dir, log)
}

async fn archive_of(log: &Arc<dyn EventLog>) -> Arc<Archive> {
    let archive = Arc::new(Archive::new());
    let projector = Projector::new(
        Arc::clone(log),
        vec![archive.clone() as Arc<dyn Projection>],
        0,
    );
    projector.catch_up().await.expect("caught up");
    archive
}

fn summaries(entries: &[projections::archive::HistoryEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.summary.as_str()).collect()
}

#[tokio::test]
async fn a_persons_history_reads_in_plain_words_with_names_as_they_were() {
    let (_dir, log) = annas_union().await;
    let archive = archive_of(&log).await;
    let history = archive.history(&log, pid(1)).await.expect("read");
    assert_eq!(
        summaries(&history),
        [
            "Принята в ППО школы № 17",
            "Выдан билет № 7700000000172",
            "Переведена из ППО школы № 17 в ППО детского сада № 5",
            "Исключена: решение профкома от 01.02.2024",
            "Билет № 7700000000172 заблокирован: членство прекращено",
            "Персональные данные удалены",
        ]
    );
    let first = &history[0];
    assert_eq!(
        (
            first.event_type.as_str(),
            first.effective_on,
            first.actor.as_str()
        ),
        ("MemberAdmitted", Some(d(2020, 9, 1)), "chair-17")
    );
    assert_eq!(first.organization, Some(org(5)));
    assert_eq!(history[2].organization, Some(org(6)));
    assert!(history.windows(2).all(|w| w[0].position < w[1].position));
    assert!(history.iter().all(|e| !e.summary.contains("Иванова")));
    assert!(
        archive
            .history(&log, pid(99))
            .await
            .expect("read")
            .is_empty()
    );
}

#[tokio::test]
async fn an_organisations_journal_holds_its_own_events_and_its_members_moves() {
    let (_dir, log) = annas_union().await;
    let archive = archive_of(&log).await;
    let female = |_: PersonId| Some(Gender::Female);
    let journal = archive
        .journal(&log, org(6), 0, 50, &female)
        .await
        .expect("read");
    assert_eq!(
        summaries(&journal),
        [
            "Зарегистрирована организация «ППО детского сада № 5»",
            "Переведена из ППО школы № 17 в ППО детского сада № 5",
            "Переименована: «ППО детского сада № 5» → «ППО детского сада № 5 «Солнышко»»",
            "Исключена: решение профкома от 01.02.2024",
        ]
    );
    let after_first = archive.journal_positions(org(6), journal[0].position, 2);
    assert_eq!(after_first, [journal[1].position, journal[2].position]);
    assert_eq!(
        archive.journal_len(org(5)),
        3,
        "registered, admitted, transferred out"
    );
    assert_eq!(archive.journal_len(OrgId(uuid::Uuid::nil())), 0);
}

#[tokio::test]
async fn a_live_archive_equals_one_rebuilt_from_position_0() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let log: Arc<dyn EventLog> =
        Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).expect("opens"));
    let live = Arc::new(Archive::new());
    let projector = Projector::new(
        Arc::clone(&log),
        vec![live.clone() as Arc<dyn Projection>],
        0,
    );
    register(&log, 1, None, "Профсоюз", OrgLevel::Central).await;
    projector.catch_up().await.expect("caught up");
    register(
        &log,
        2,
        Some((1, OrgLevel::Central)),
        "Московская организация",
        OrgLevel::Regional,
    )
    .await;
    projector.catch_up().await.expect("caught up");
    let rebuilt = archive_of(&log).await;
    assert_eq!(live.digest(), rebuilt.digest());
    assert_eq!(
        live.name_before(org(2), u64::MAX),
        Some("Московская организация".into())
    );
}
