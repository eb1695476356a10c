//! The union the tests build: its log, the states `decide` needs, and helpers.

pub(crate) use std::collections::HashMap;
pub(crate) use std::sync::Arc;

pub(crate) use chrono::NaiveDate;
pub(crate) use domain::application::{
    self, Application, ApplicationCommand, ApproveApplication, RejectApplication, SubmitApplication,
};
pub(crate) use domain::card_number::CardNumber;
pub(crate) use domain::event::Event;
pub(crate) use domain::ids::{ApplicationId, OrgId, PersonId};
pub(crate) use domain::organization::{
    self, MoveOrganization, Organization, OrganizationCommand, ParentFacts, RegisterOrganization,
    UpdatePassport,
};
pub(crate) use domain::person::{
    self, AdmitMember, BlockCard, EndMembership, ErasePersonalData, HomeFacts, IssueCard, Person,
    PersonCommand, TransferMember,
};
pub(crate) use domain::snils::Snils;
pub(crate) use domain::testing::{application as app_id, d, org, person as pid, today};
pub(crate) use domain::vocabulary::card::CardKind;
pub(crate) use domain::vocabulary::organization::{OrgLevel, Passport, Sector};
pub(crate) use domain::vocabulary::person::{
    EndReason, Gender, MemberCategory, PersonalData, Profile,
};
pub(crate) use eventlog::{AppendRequest, EventLog, ExpectedVersion, SqliteLog, codec};
pub(crate) use projections::registry::{
    ApplicationStatus, ApplicationStatusKind, CardCheckResult, CardStatus, MemberFilter,
    MemberStatus, Registry,
};
pub(crate) use projections::runtime::{Projection, Projector};
pub(crate) use tempfile::TempDir;

pub(crate) const CENTRAL: u128 = 1;
pub(crate) const MOSCOW: u128 = 2;
pub(crate) const NORTH: u128 = 3;
pub(crate) const SOUTH: u128 = 4;
pub(crate) const SCHOOL: u128 = 5;
pub(crate) const KINDERGARTEN: u128 = 6;
pub(crate) const COLLEGE: u128 = 7;
pub(crate) const TVER: u128 = 8;
pub(crate) const UNIVERSITY: u128 = 9;

/// A union built command by command, its log, and the states `decide` needs.
pub(crate) struct Union {
    pub(crate) _dir: TempDir,
    pub(crate) log: Arc<dyn EventLog>,
    pub(crate) orgs: HashMap<OrgId, Option<Organization>>,
    pub(crate) levels: HashMap<OrgId, OrgLevel>,
    pub(crate) people: HashMap<PersonId, Person>,
    pub(crate) applications: HashMap<ApplicationId, Option<Application>>,
}

impl Union {
    pub(crate) async fn new() -> Union {
        let dir = tempfile::tempdir().expect("a temp dir");
        let log = SqliteLog::open(dir.path().join("reestr.sqlite")).expect("the log opens");
        Union {
            _dir: dir,
            log: Arc::new(log),
            orgs: HashMap::new(),
            levels: HashMap::new(),
            people: HashMap::new(),
            applications: HashMap::new(),
        }
    }

    pub(crate) async fn append(&self, events: Vec<Event>, erase: bool) {
        let Some(stream) = events.first().map(Event::stream) else {
            return;
        };
        let mut request = AppendRequest::single(
            stream.clone(),
            ExpectedVersion::Any,
            events
                .iter()
                .map(|e| codec::encode(e).expect("encodes"))
                .collect(),
            "tester",
        );
        if erase {
            request.erase_personal_data_of.push(stream);
        }
        self.log.append(request).await.expect("appended");
    }

    pub(crate) async fn register(
        &mut self,
        id: u128,
        parent: Option<u128>,
        name: &str,
        level: OrgLevel,
        region: Option<u8>,
        rights: bool,
    ) {
        let parent_id = parent.map(org);
        let command = RegisterOrganization {
            org_id: org(id),
            parent_id,
            name: name.into(),
            short_name: None,
            level,
            region_code: region,
            territorial_rights: rights,
            registered_on: d(2000, 1, 1),
            established_on: None,
            parent: parent_id.map(|p| self.parent(p)),
            central_exists: level != OrgLevel::Central,
        };
        self.levels.insert(org(id), level);
        self.org(command.into()).await;
    }

    pub(crate) fn parent(&self, parent: OrgId) -> ParentFacts {
        ParentFacts {
            level: self.levels[&parent],
            dissolved: false,
            ancestors: vec![],
            established_on: None,
        }
    }

    pub(crate) async fn org(&mut self, command: OrganizationCommand) {
        let org_id = match &command {
            OrganizationCommand::Register(c) => c.org_id,
            OrganizationCommand::Rename(c) => c.org_id,
            OrganizationCommand::Move(c) => c.org_id,
            OrganizationCommand::UpdatePassport(c) => c.org_id,
            OrganizationCommand::Dissolve(c) => c.org_id,
        };
        let state = self.orgs.entry(org_id).or_default();
        let events = organization::decide(state, &command, today()).expect("the charter accepts");
        for event in &events {
            organization::evolve(state, event);
        }
        self.append(events.into_iter().map(Event::from).collect(), false)
            .await;
    }

    pub(crate) async fn person(&mut self, person_id: PersonId, command: PersonCommand) {
        let erase = matches!(command, PersonCommand::Erase(_));
        let state = self.people.entry(person_id).or_default();
        let events = person::decide(state, &command, today()).expect("the charter accepts");
        for event in &events {
            person::evolve(state, event);
        }
        self.append(events.into_iter().map(Event::from).collect(), erase)
            .await;
    }

    pub(crate) async fn admit(
        &mut self,
        who: u128,
        home: u128,
        on: NaiveDate,
        personal: PersonalData,
        gender: Gender,
    ) {
        let command = AdmitMember {
            person_id: pid(who),
            home_org: org(home),
            home: HomeFacts::open(self.levels[&org(home)]),
            effective_on: on,
            profile: Profile::new(
                &personal,
                gender,
                MemberCategory::Worker,
                None,
                Some("учитель".into()),
            ),
            personal,
            snils_holder: None,
            application_id: None,
        };
        self.person(pid(who), command.into()).await;
    }

    pub(crate) async fn transfer(&mut self, who: u128, to: u128, on: NaiveDate) {
        let to_facts = HomeFacts::open(self.levels[&org(to)]);
        let command = TransferMember {
            person_id: pid(who),
            to_org: org(to),
            to: to_facts,
            effective_on: on,
        };
        self.person(pid(who), command.into()).await;
    }

    pub(crate) async fn end(&mut self, who: u128, reason: EndReason, on: NaiveDate) {
        let basis = (reason == EndReason::Expulsion).then(|| "решение комитета".to_string());
        let command = EndMembership {
            person_id: pid(who),
            reason,
            basis,
            effective_on: on,
        };
        self.person(pid(who), command.into()).await;
    }

    pub(crate) async fn issue(&mut self, who: u128, sequence: u64, on: NaiveDate) -> CardNumber {
        let number = CardNumber::new(77, sequence).expect("a number");
        let command = IssueCard {
            person_id: pid(who),
            number,
            kind: CardKind::Plastic,
            issued_on: on,
        };
        self.person(pid(who), command.into()).await;
        number
    }

    pub(crate) async fn application(
        &mut self,
        id: ApplicationId,
        command: ApplicationCommand,
    ) -> Vec<Event> {
        let state = self.applications.entry(id).or_default();
        let events = application::decide(state, &command, today()).expect("the charter accepts");
        for event in &events {
            application::evolve(state, event);
        }
        events.into_iter().map(Event::from).collect()
    }
}

pub(crate) fn personal(last: &str, first: &str, snils: u64) -> PersonalData {
    PersonalData {
        last_name: last.into(),
        first_name: first.into(),
        patronymic: Some("Петровна".into()),
        birth_date: d(1985, 3, 4),
        snils: Snils::from_number(snils),
        email: Some("me@example.ru".into()),
        phone: None,
    }
}

/// The tree: CENTRAL > MOSCOW (77) > NORTH > SCHOOL, KINDERGARTEN; MOSCOW > SOUTH > COLLEGE;
/// CENTRAL > TVER (69) > UNIVERSITY (a primary with territorial rights).
pub(crate) async fn tree() -> Union {
    let mut u = Union::new().await;
    u.register(CENTRAL, None, "Профсоюз", OrgLevel::Central, None, false)
        .await;
    u.register(
        MOSCOW,
        Some(CENTRAL),
        "Московская организация",
        OrgLevel::Regional,
        Some(77),
        false,
    )
    .await;
    u.register(
        NORTH,
        Some(MOSCOW),
        "Северный округ",
        OrgLevel::Territorial,
        None,
        false,
    )
    .await;
    u.register(
        SOUTH,
        Some(MOSCOW),
        "Южный округ",
        OrgLevel::Territorial,
        None,
        false,
    )
    .await;
    u.register(
        SCHOOL,
        Some(NORTH),
        "ППО школы № 17",
        OrgLevel::Primary,
        None,
        false,
    )
    .await;
    u.register(
        KINDERGARTEN,
        Some(NORTH),
        "ППО детского сада № 5",
        OrgLevel::Primary,
        None,
        false,
    )
    .await;
    u.register(
        COLLEGE,
        Some(SOUTH),
        "ППО колледжа",
        OrgLevel::Primary,
        None,
        false,
    )
    .await;
    u.register(
        TVER,
        Some(CENTRAL),
        "Тверская организация",
        OrgLevel::Regional,
        Some(69),
        false,
    )
    .await;
    u.register(
        UNIVERSITY,
        Some(TVER),
        "ППО университета",
        OrgLevel::Primary,
        None,
        true,
    )
    .await;
    u
}

pub(crate) async fn folded(u: &Union) -> Arc<Registry> {
    let registry = Arc::new(Registry::new());
    let projector = Projector::new(
        Arc::clone(&u.log),
        vec![registry.clone() as Arc<dyn Projection>],
        0,
    );
    projector.catch_up().await.expect("caught up");
    registry
}

pub(crate) fn count(registry: &Registry, id: u128) -> u32 {
    registry.member_count(org(id)).expect("known")
}

pub(crate) fn active_in(id: u128, search: Option<&str>) -> MemberFilter<'_> {
    MemberFilter {
        org_id: org(id),
        include_descendants: true,
        status: MemberStatus::Active,
        search,
    }
}

pub(crate) fn found(registry: &Registry, filter: &MemberFilter<'_>) -> Vec<PersonId> {
    let page = registry.members(filter, 100, None).expect("a page");
    assert_eq!(page.total_count, page.items.len() as u64);
    page.items.into_iter().map(|(_, m)| m.person_id).collect()
}
