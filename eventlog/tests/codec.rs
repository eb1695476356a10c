//! Domain events through the real log and back: encode, append, read, decode.

use std::sync::Arc;

use chrono::NaiveDate;
use domain::card_number::CardNumber;
use domain::consultation::{Asked, Asker, Attachment, FileKey, Service};
use domain::event::ConsultationEvent;
use domain::event::{
    AccessEvent, ApplicationEvent, CardEvent, Event, OrganizationEvent, PersonEvent,
};
use domain::ids::{ApplicationId, ConsultationId, OrgId, PersonId, UserId};
use domain::library::{FileFormat, FileHash, StoredFile};
use domain::snils::Snils;
use domain::vocabulary::access::Role;
use domain::vocabulary::card::{CardBlockReason, CardKind};
use domain::vocabulary::organization::{OrgLevel, Passport, Sector};
use domain::vocabulary::person::{
    EndReason, Gender, MemberCategory, PersonalData, PersonalDataPatch, Profession, Profile,
    ProfilePatch,
};
use eventlog::codec::{decode, encode};
use eventlog::{AppendRequest, EventLog, ExpectedVersion, NewEvent, Personal, SqliteLog};
use tempfile::TempDir;
use uuid::Uuid;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn every_kind_of_event() -> Vec<Event> {
    let org = OrgId(Uuid::new_v4());
    let parent = OrgId(Uuid::new_v4());
    let person = PersonId(Uuid::new_v4());
    let application = ApplicationId(Uuid::new_v4());
    let user = UserId(Uuid::new_v4());
    let card = CardNumber::new(77, 12).unwrap();
    let personal = PersonalData {
        last_name: "Иванова".into(),
        first_name: "Мария".into(),
        patronymic: Some("Петровна".into()),
        birth_date: d(1980, 2, 29),
        snils: Some(Snils::parse("112-233-445 95").unwrap()),
        email: Some("m@example.org".into()),
        phone: None,
    };
    let profile = Profile::new(
        &personal,
        Gender::Female,
        MemberCategory::Worker,
        Some(Profession::Teacher),
        None,
    );
    vec![
        OrganizationEvent::Registered {
            org_id: org,
            parent_id: Some(parent),
            name: "ППО школы № 17".into(),
            short_name: None,
            level: OrgLevel::Primary,
            region_code: None,
            territorial_rights: true,
            registered_on: d(2015, 1, 1),
            established_on: Some(d(1998, 9, 1)),
        }
        .into(),
        OrganizationEvent::Renamed {
            org_id: org,
            name: "Новое".into(),
            short_name: Some("Н".into()),
            renamed_on: d(2016, 1, 1),
        }
        .into(),
        OrganizationEvent::Moved {
            org_id: org,
            from_parent: parent,
            to_parent: OrgId(Uuid::new_v4()),
            effective_on: d(2017, 1, 1),
        }
        .into(),
        OrganizationEvent::PassportUpdated {
            org_id: org,
            passport: Passport {
                sector: Some(Sector::School),
                employees: Some(80),
                ..Passport::default()
            },
            updated_on: d(2017, 2, 1),
            effective_on: None,
        }
        .into(),
        OrganizationEvent::PassportUpdated {
            org_id: org,
            passport: Passport::default(),
            updated_on: d(2017, 3, 1),
            effective_on: Some(d(2017, 2, 15)),
        }
        .into(),
        OrganizationEvent::Dissolved {
            org_id: org,
            effective_on: d(2020, 1, 1),
        }
        .into(),
        PersonEvent::Admitted {
            person_id: person,
            home_org: org,
            effective_on: d(2015, 9, 1),
            profile: profile.clone(),
            personal: Some(personal.clone()),
            application_id: Some(application),
        }
        .into(),
        PersonEvent::Transferred {
            person_id: person,
            from_org: org,
            to_org: parent,
            effective_on: d(2016, 9, 1),
        }
        .into(),
        PersonEvent::ProfileUpdated {
            person_id: person,
            profile: ProfilePatch {
                category: Some(MemberCategory::Pensioner),
                ..ProfilePatch::default()
            },
            personal: Some(PersonalDataPatch {
                phone: Some("+7 900".into()),
                ..PersonalDataPatch::default()
            }),
            updated_on: d(2017, 1, 1),
        }
        .into(),
        PersonEvent::CardIssued {
            person_id: person,
            number: card,
            kind: CardKind::Virtual,
            issued_on: d(2017, 1, 2),
        }
        .into(),
        PersonEvent::CardBlocked {
            person_id: person,
            number: card,
            reason: CardBlockReason::Requested("утерян".into()),
            blocked_on: d(2017, 1, 3),
        }
        .into(),
        PersonEvent::MembershipEnded {
            person_id: person,
            home_org: parent,
            reason: EndReason::Expulsion,
            basis: Some("решение президиума №5".into()),
            effective_on: d(2018, 1, 1),
        }
        .into(),
        PersonEvent::PersonalDataErased {
            person_id: person,
            basis: Some("заявление".into()),
            erased_on: d(2019, 1, 1),
        }
        .into(),
        CardEvent::NumberReserved {
            number: card,
            person_id: person,
            issued_on: d(2017, 1, 2),
        }
        .into(),
        ApplicationEvent::Submitted {
            application_id: application,
            org_id: org,
            submitted_on: d(2015, 8, 20),
            profile,
            personal: Some(personal),
        }
        .into(),
        ApplicationEvent::Approved {
            application_id: application,
            person_id: person,
            decided_on: d(2015, 9, 1),
        }
        .into(),
        ApplicationEvent::Rejected {
            application_id: ApplicationId(Uuid::new_v4()),
            reason: "не работает".into(),
            decided_on: d(2015, 9, 1),
        }
        .into(),
        AccessEvent::RoleGranted {
            user_id: user,
            role: Role::Chair,
            org_id: org,
            holder: "chair@17".into(),
            token_hash: "ab".into(),
        }
        .into(),
        AccessEvent::RoleRevoked { user_id: user }.into(),
    ]
}

async fn append_all(log: &Arc<dyn EventLog>, events: &[Event]) {
    for event in events {
        let request = AppendRequest::single(
            event.stream(),
            ExpectedVersion::Any,
            vec![encode(event).unwrap()],
            "codec-test",
        );
        log.append(request).await.unwrap();
    }
}

#[tokio::test]
async fn every_event_reads_back_equal_through_the_log_with_personal_data_sealed() {
    let dir = TempDir::new().unwrap();
    let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
    let events = every_kind_of_event();
    append_all(&log, &events).await;
    let stored = log.read_batch(0, 100).await.unwrap();
    assert_eq!(stored.len(), events.len());
    for (stored, event) in stored.iter().zip(&events) {
        assert_eq!(stored.event_type, event.event_type());
        assert_eq!(stored.effective_on, event.effective_on());
        assert!(
            !stored.payload.contains("Иванова"),
            "personal data leaked into the payload"
        );
        assert_eq!(&decode(stored).unwrap(), event);
    }
}

#[tokio::test]
async fn after_erasure_events_decode_without_personal_data() {
    let dir = TempDir::new().unwrap();
    let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
    let events = every_kind_of_event();
    let admitted = events
        .iter()
        .find(|e| e.event_type() == "MemberAdmitted")
        .unwrap()
        .clone();
    append_all(&log, std::slice::from_ref(&admitted)).await;
    let erase = AppendRequest {
        actor: "dpo".into(),
        erase_personal_data_of: vec![admitted.stream()],
        ..AppendRequest::default()
    };
    log.append(erase).await.unwrap();
    let stored = log.read_stream(&admitted.stream(), 0).await.unwrap();
    assert_eq!(stored[0].personal, Personal::Erased);
    match decode(&stored[0]).unwrap() {
        Event::Person(PersonEvent::Admitted {
            personal, profile, ..
        }) => {
            assert_eq!(personal, None);
            assert_eq!(profile.birth_year, 1980);
        }
        other => panic!("decoded as {other:?}"),
    }
}

#[tokio::test]
async fn a_registration_stored_in_schema_v1_reads_as_today_s_event() {
    let dir = TempDir::new().unwrap();
    let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
    let org = Uuid::new_v4();
    let parent = Uuid::new_v4();
    let v1 = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "OrganizationRegistered".into(),
        schema_version: 1,
        effective_on: Some(d(2010, 5, 1)),
        payload: format!(
            r#"{{"org_id":"{org}","parent_id":"{parent}","name":"Московская городская организация","short_name":null,"level":"REGIONAL","region":"77","registered_on":"2010-05-01"}}"#
        ),
        personal: None,
    };
    log.append(AppendRequest::single(
        format!("org-{org}"),
        ExpectedVersion::NoStream,
        vec![v1],
        "import",
    ))
    .await
    .unwrap();
    let stored = log.read_stream(&format!("org-{org}"), 0).await.unwrap();
    assert_eq!(
        stored[0].schema_version, 1,
        "the log keeps what was written"
    );
    let expected: Event = OrganizationEvent::Registered {
        org_id: OrgId(org),
        parent_id: Some(OrgId(parent)),
        name: "Московская городская организация".into(),
        short_name: None,
        level: OrgLevel::Regional,
        region_code: Some(77),
        territorial_rights: false,
        registered_on: d(2010, 5, 1),
        established_on: None,
    }
    .into();
    assert_eq!(decode(&stored[0]).unwrap(), expected);
}

#[test]
fn a_read_of_a_person_is_stored_as_it_always_was_and_an_applicant_s_by_application() {
    use domain::audit::PersonalDataRead;
    let viewer = UserId(Uuid::from_u128(1));
    let person = PersonId(Uuid::from_u128(2));
    let stored = r#"{"viewer":"00000000-0000-0000-0000-000000000001","person":"00000000-0000-0000-0000-000000000002"}"#;
    let read = PersonalDataRead::of_person(viewer, person);
    assert_eq!(serde_json::to_string(&read).unwrap(), stored);
    assert_eq!(
        serde_json::from_str::<PersonalDataRead>(stored).unwrap(),
        read
    );
    let applicant = PersonalDataRead::of_application(viewer, ApplicationId(Uuid::from_u128(3)));
    let json = serde_json::to_string(&applicant).unwrap();
    assert!(json.contains(r#""application":"#), "{json}");
    assert_eq!(
        serde_json::from_str::<PersonalDataRead>(&json).unwrap(),
        applicant
    );
}

/// A question with an attachment, stored encrypted (`key`) or in clear.
fn question_with(key: Option<FileKey>) -> (Event, FileHash) {
    let sha256 = FileHash::parse(&"c7".repeat(32)).unwrap();
    let attachment = Attachment {
        file: StoredFile {
            sha256: sha256.clone(),
            format: FileFormat::Text,
            size: 42,
            file_name: "справка.txt".into(),
        },
        key,
    };
    let event = ConsultationEvent::Asked {
        consultation_id: ConsultationId(Uuid::from_u128(77)),
        region_id: OrgId(Uuid::from_u128(7)),
        service: Service::Legal,
        asked_on: d(2026, 3, 1),
        file: attachment.encrypted_file().cloned(),
        personal: Some(Asked {
            asker: Asker::Member(PersonId(Uuid::from_u128(5))),
            topic: "Нагрузка".into(),
            text: "Законно ли?".into(),
            attachment: Some(attachment),
        }),
    };
    (event.into(), sha256)
}

#[tokio::test]
async fn a_question_names_its_encrypted_attachment_in_clear_and_seals_its_key() {
    let dir = TempDir::new().unwrap();
    let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
    let key = FileKey::from_bytes([0x5a; 32]);
    let (event, sha256) = question_with(Some(key.clone()));
    append_all(&log, std::slice::from_ref(&event)).await;
    let stored = log.read_stream(&event.stream(), 0).await.unwrap();
    assert_eq!(stored[0].schema_version, 2);
    assert!(
        stored[0].payload.contains(sha256.as_str()),
        "{}",
        stored[0].payload
    );
    for sealed in [&"5a".repeat(32), "справка"] {
        assert!(!stored[0].payload.contains(sealed), "{}", stored[0].payload);
    }
    let decoded = decode(&stored[0]).unwrap();
    assert_eq!(decoded, event);
    assert_eq!(decoded.file(), Some(&sha256));
}

#[tokio::test]
async fn a_question_stored_in_schema_v1_reads_with_its_attachment_in_clear() {
    let dir = TempDir::new().unwrap();
    let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
    let (event, _) = question_with(None);
    // As v1 wrote it: no `file` in the payload, the attachment without a key.
    let mut v1 = encode(&event).unwrap();
    let mut payload: serde_json::Value = serde_json::from_str(&v1.payload).unwrap();
    payload.as_object_mut().unwrap().remove("file");
    v1.payload = payload.to_string();
    v1.schema_version = 1;
    assert!(!v1.personal.as_deref().unwrap().contains("key"));
    log.append(AppendRequest::single(
        event.stream(),
        ExpectedVersion::NoStream,
        vec![v1],
        "v1",
    ))
    .await
    .unwrap();
    let stored = log.read_stream(&event.stream(), 0).await.unwrap();
    assert_eq!(stored[0].schema_version, 1);
    let decoded = decode(&stored[0]).unwrap();
    assert_eq!(decoded, event);
    assert_eq!(
        decoded.file(),
        None,
        "a file in clear is not named in clear"
    );
}
