//! The command mutations through the schema, over a real log: each answers
//! with its own effect, refuses bad input and foreign subtrees with the
//! contract's codes, and a refused or repeated mutation writes nothing.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use app::views::Holder;
use app::{App, ClientAddr, Viewer};
use async_graphql::{Request, Variables};
use chrono::{Days, NaiveDate};
use domain::ids::{OrgId, UserId};
use domain::snils::Snils;
use domain::vocabulary::access::Role;
use eventlog::SqliteLog;
use graphql::schema::{self, Limits, ReestrSchema};
use serde_json::{Value, json};
use tempfile::TempDir;
use uuid::Uuid;

const ORG: &str = "id name shortName level regionCode territorialRights parent { id } dissolved \
                   memberCount version passport { sector employees students chairName updatedOn }";

/// Non-personal fields only: showing personal data appends an audit event,
/// which would move the log head these tests watch.
const MEMBER: &str = "id status organization { id } joinedOn endedOn endReason category \
                      position erased version card { number kind status } \
                      cards { number kind status blockReason }";

const REGISTER: &str = "mutation($input: RegisterOrganizationInput!) {
    registerOrganization(input: $input) { id } }";

/// A registry with a small tree: CENTRAL > REGIONAL (77) > two TERRITORIALs,
/// with primaries `school_a`, `school_b` under the first and `school_c` under
/// the second.
struct World {
    _dir: TempDir,
    app: App,
    schema: ReestrSchema,
    central: String,
    territorial_2: String,
    school_a: String,
    school_b: String,
    school_c: String,
}

fn holder(role: Role, org: &str) -> Viewer {
    Viewer::Holder(Holder {
        user_id: UserId(Uuid::now_v7()),
        role,
        org_id: OrgId(Uuid::parse_str(org).unwrap()),
        holder: format!("{role:?} of {org}"),
    })
}

fn today() -> NaiveDate {
    app::today()
}

fn days_ago(days: u64) -> String {
    today()
        .checked_sub_days(Days::new(days))
        .unwrap()
        .to_string()
}

fn snils(number: u64) -> String {
    Snils::from_number(number).unwrap().to_string()
}

impl World {
    async fn new() -> World {
        World::with(|_| {}).await
    }

    /// A world whose app is adjusted by `configure` before the schema is built.
    async fn with(configure: impl FnOnce(&mut App)) -> World {
        let dir = tempfile::tempdir().unwrap();
        let log = Arc::new(SqliteLog::open(dir.path().join("log.db")).unwrap());
        let mut app = App::start(log);
        configure(&mut app);
        let schema = schema::build(app.clone(), Limits::default());
        // Nothing exists yet: an ADMIN bound to no organisation registers the root.
        let bootstrap = holder(Role::Admin, &Uuid::now_v7().to_string());
        let central = register(&schema, &bootstrap, None, "Профсоюз", "CENTRAL", None).await;
        let admin = holder(Role::Admin, &central);
        let region = register(
            &schema,
            &admin,
            Some(&central),
            "Московская городская",
            "REGIONAL",
            Some(77),
        )
        .await;
        let territorial_1 = register(
            &schema,
            &admin,
            Some(&region),
            "Северный округ",
            "TERRITORIAL",
            None,
        )
        .await;
        let territorial_2 = register(
            &schema,
            &admin,
            Some(&region),
            "Южный округ",
            "TERRITORIAL",
            None,
        )
        .await;
        let school_a = register(
            &schema,
            &admin,
            Some(&territorial_1),
            "Школа 1",
            "PRIMARY",
            None,
        )
        .await;
        let school_b = register(
            &schema,
            &admin,
            Some(&territorial_1),
            "Школа 2",
            "PRIMARY",
            None,
        )
        .await;
        let school_c = register(
            &schema,
            &admin,
            Some(&territorial_2),
            "Школа 3",
            "PRIMARY",
            None,
        )
        .await;
        World {
            _dir: dir,
            app,
            schema,
            central,
            territorial_2,
            school_a,
            school_b,
            school_c,
        }
    }

    fn admin(&self) -> Viewer {
        holder(Role::Admin, &self.central)
    }

    fn head(&self) -> u64 {
        self.app.head()
    }

    async fn run(&self, viewer: Option<&Viewer>, query: &str, variables: Value) -> Value {
        run(&self.schema, viewer, None, query, variables).await
    }

    /// The data of a request that must succeed.
    async fn ok(&self, viewer: &Viewer, query: &str, variables: Value) -> Value {
        data(self.run(Some(viewer), query, variables).await)
    }

    /// The error of a request that must fail, checking that it wrote nothing.
    async fn refused(&self, viewer: Option<&Viewer>, query: &str, variables: Value) -> Value {
        let head = self.head();
        let response = self.run(viewer, query, variables).await;
        assert_eq!(self.head(), head, "a refused mutation wrote: {response}");
        first_error(response)
    }

    async fn admit(&self, org: &str, last_name: &str, snils: Option<String>) -> Value {
        let query = format!(
            "mutation($input: AdmitMemberInput!) {{ admitMember(input: $input) {{ {MEMBER} }} }}"
        );
        let response = self
            .ok(
                &self.admin(),
                &query,
                json!({ "input": admission(org, last_name, snils) }),
            )
            .await;
        response["admitMember"].clone()
    }
}

fn admission(org: &str, last_name: &str, snils: Option<String>) -> Value {
    json!({
        "orgId": org,
        "lastName": last_name,
        "firstName": "Анна",
        "patronymic": "Сергеевна",
        "gender": "FEMALE",
        "birthDate": "1990-05-01",
        "snils": snils,
        "email": "anna@example.ru",
        "category": "WORKER",
        "profession": "TEACHER",
        "admittedOn": days_ago(30),
    })
}

async fn register(
    schema: &ReestrSchema,
    viewer: &Viewer,
    parent: Option<&str>,
    name: &str,
    level: &str,
    region_code: Option<i32>,
) -> String {
    let input = json!({
        "parentId": parent, "name": name, "level": level, "regionCode": region_code,
    });
    let response = run(
        schema,
        Some(viewer),
        None,
        REGISTER,
        json!({ "input": input }),
    )
    .await;
    data(response)["registerOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn run(
    schema: &ReestrSchema,
    viewer: Option<&Viewer>,
    client: Option<ClientAddr>,
    query: &str,
    variables: Value,
) -> Value {
    let mut request = Request::new(query).variables(Variables::from_json(variables));
    if let Some(viewer) = viewer {
        request = request.data(viewer.clone());
    }
    if let Some(client) = client {
        request = request.data(client);
    }
    serde_json::to_value(schema.execute(request).await).unwrap()
}

fn data(response: Value) -> Value {
    assert!(
        response.get("errors").is_none_or(|e| e == &json!([])),
        "unexpected errors: {response}"
    );
    response["data"].clone()
}

fn first_error(response: Value) -> Value {
    let error = response["errors"][0].clone();
    assert!(!error.is_null(), "expected an error: {response}");
    error
}

fn code(error: &Value) -> &str {
    error["extensions"]["code"].as_str().unwrap_or("<none>")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organization_mutations_answer_with_their_own_effect() {
    let world = World::new().await;
    let admin = world.admin();

    let query = format!(
        "mutation($id: ID!) {{ renameOrganization(id: $id, name: \" Школа № 1 \", \
         shortName: \"Ш1\") {{ {ORG} }} }}"
    );
    let renamed = world
        .ok(&admin, &query, json!({ "id": world.school_a }))
        .await["renameOrganization"]
        .clone();
    assert_eq!(renamed["name"], "Школа № 1");
    assert_eq!(renamed["shortName"], "Ш1");
    assert_eq!(renamed["regionCode"], 77);

    let query = format!(
        "mutation($id: ID!, $input: PassportInput!) {{ updatePassport(id: $id, input: $input) \
         {{ {ORG} }} }}"
    );
    let passport = json!({ "sector": "SCHOOL", "employees": 80, "students": 900,
                           "chairName": "Иванова И. И.", "email": "school1@example.ru" });
    let updated = world
        .ok(
            &admin,
            &query,
            json!({ "id": world.school_a, "input": passport }),
        )
        .await["updatePassport"]
        .clone();
    assert_eq!(updated["passport"]["sector"], "SCHOOL");
    assert_eq!(updated["passport"]["employees"], 80);
    assert_eq!(updated["passport"]["updatedOn"], today().to_string());
    assert_eq!(updated["version"], renamed["version"].as_i64().unwrap() + 1);

    let query = format!(
        "mutation($id: ID!, $to: ID!) {{ moveOrganization(id: $id, newParentId: $to) {{ {ORG} }} }}"
    );
    let moved = world
        .ok(
            &admin,
            &query,
            json!({ "id": world.school_b, "to": world.territorial_2 }),
        )
        .await["moveOrganization"]
        .clone();
    assert_eq!(moved["parent"]["id"], world.territorial_2.as_str());

    let query = format!(
        "mutation($id: ID!, $on: Date!) {{ dissolveOrganization(id: $id, effectiveOn: $on) \
         {{ {ORG} }} }}"
    );
    let dissolved = world
        .ok(
            &admin,
            &query,
            json!({ "id": world.school_b, "on": today().to_string() }),
        )
        .await["dissolveOrganization"]
        .clone();
    assert_eq!(dissolved["dissolved"], true);

    let query = format!(
        "mutation($input: RegisterOrganizationInput!) {{ registerOrganization(input: $input) \
         {{ {ORG} }} }}"
    );
    let input = json!({ "parentId": world.territorial_2, "name": "Гимназия 5",
                        "shortName": "Г5", "level": "PRIMARY" });
    let registered =
        world.ok(&admin, &query, json!({ "input": input })).await["registerOrganization"].clone();
    assert_eq!(registered["level"], "PRIMARY");
    assert_eq!(registered["territorialRights"], false);
    assert_eq!(registered["parent"]["id"], world.territorial_2.as_str());
    assert_eq!(registered["memberCount"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_mutations_answer_with_their_own_effect() {
    let world = World::new().await;
    let admin = world.admin();

    let query = format!(
        "mutation($input: AdmitMemberInput!) {{ admitMember(input: $input) \
         {{ {MEMBER} lastName snils }} }}"
    );
    let mut input = admission(&world.school_a, "Петрова", Some(snils(123_456_789)));
    input["issueCard"] = json!("PLASTIC");
    let admitted = world.ok(&admin, &query, json!({ "input": input })).await["admitMember"].clone();
    let member = admitted["id"].as_str().unwrap().to_string();
    assert_eq!(admitted["status"], "ACTIVE");
    assert_eq!(admitted["lastName"], "Петрова");
    assert_eq!(admitted["snils"], snils(123_456_789));
    assert_eq!(admitted["joinedOn"], days_ago(30));
    assert_eq!(admitted["organization"]["id"], world.school_a.as_str());
    assert_eq!(admitted["card"]["kind"], "PLASTIC");
    let first_card = admitted["card"]["number"].as_str().unwrap().to_string();
    assert!(first_card.starts_with("77"), "{first_card}");

    let query = format!(
        "mutation($id: ID!, $to: ID!, $on: Date!) {{ transferMember(memberId: $id, toOrgId: $to, \
         effectiveOn: $on) {{ {MEMBER} }} }}"
    );
    let transferred = world
        .ok(
            &admin,
            &query,
            json!({ "id": member, "to": world.school_b, "on": days_ago(10) }),
        )
        .await["transferMember"]
        .clone();
    assert_eq!(transferred["organization"]["id"], world.school_b.as_str());
    assert_eq!(transferred["joinedOn"], days_ago(30));

    let query = format!(
        "mutation($id: ID!, $input: UpdateMemberInput!) {{ updateMember(memberId: $id, \
         input: $input) {{ {MEMBER} lastName email }} }}"
    );
    let input = json!({ "lastName": "Сидорова", "position": "завуч", "email": "s@example.ru" });
    let updated = world
        .ok(&admin, &query, json!({ "id": member, "input": input }))
        .await["updateMember"]
        .clone();
    assert_eq!(updated["lastName"], "Сидорова");
    assert_eq!(updated["email"], "s@example.ru");
    assert_eq!(updated["position"], "завуч");
    assert_eq!(updated["category"], "WORKER");

    let query = "mutation($id: ID!) { issueCard(memberId: $id, kind: VIRTUAL) \
                 { number kind status issuedOn member { card { number } cards { status } } } }";
    let card = world.ok(&admin, query, json!({ "id": member })).await["issueCard"].clone();
    let second_card = card["number"].as_str().unwrap().to_string();
    assert_ne!(second_card, first_card);
    assert_eq!(card["kind"], "VIRTUAL");
    assert_eq!(card["status"], "ACTIVE");
    assert_eq!(card["issuedOn"], today().to_string());
    assert_eq!(card["member"]["card"]["number"], second_card.as_str());
    assert_eq!(
        card["member"]["cards"],
        json!([{ "status": "BLOCKED" }, { "status": "ACTIVE" }])
    );

    let query = "mutation($id: ID!) { issueCard(memberId: $id) { kind } }";
    let third = world.ok(&admin, query, json!({ "id": member })).await;
    assert_eq!(third["issueCard"]["kind"], "PLASTIC", "the default kind");

    let query = "mutation($number: String!) { blockCard(number: $number, reason: \"утерян\") \
                 { number status blockedOn blockReason } }";
    let error = world
        .refused(Some(&admin), query, json!({ "number": first_card }))
        .await;
    assert_eq!(
        error["extensions"]["rule"], "CARD_NOT_ACTIVE",
        "the first card was replaced already"
    );
    let current = world
        .ok(
            &admin,
            "query($id: ID!) { member(id: $id) { card { number } } }",
            json!({ "id": member }),
        )
        .await["member"]["card"]["number"]
        .as_str()
        .unwrap()
        .to_string();
    let blocked = world.ok(&admin, query, json!({ "number": current })).await["blockCard"].clone();
    assert_eq!(blocked["status"], "BLOCKED");
    assert_eq!(blocked["blockReason"], "утерян");
    assert_eq!(blocked["blockedOn"], today().to_string());

    let query = format!(
        "mutation($id: ID!, $on: Date!) {{ endMembership(memberId: $id, reason: EXPULSION, \
         effectiveOn: $on, basis: \"решение профкома от 01.02\") {{ {MEMBER} }} }}"
    );
    let ended = world
        .ok(&admin, &query, json!({ "id": member, "on": days_ago(1) }))
        .await["endMembership"]
        .clone();
    assert_eq!(ended["status"], "ENDED");
    assert_eq!(ended["endReason"], "EXPULSION");
    assert_eq!(ended["endedOn"], days_ago(1));

    let query = format!(
        "mutation($id: ID!) {{ erasePersonalData(memberId: $id, basis: \"заявление\") \
         {{ {MEMBER} lastName }} }}"
    );
    let erased =
        world.ok(&admin, &query, json!({ "id": member })).await["erasePersonalData"].clone();
    assert_eq!(erased["erased"], true);
    assert_eq!(erased["lastName"], Value::Null);
    assert_eq!(erased["status"], "ENDED", "history stays");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn applications_are_submitted_anonymously_and_decided_by_the_chair() {
    let world = World::new().await;
    let chair = holder(Role::Chair, &world.school_a);
    let submit = "mutation($input: ApplicationInput!) { submitApplication(input: $input) \
                  { id status submittedOn lastName organization { id } } }";
    let application = |last_name: &str| {
        let mut input = admission(&world.school_a, last_name, None);
        input.as_object_mut().unwrap().remove("admittedOn");
        input["consent"] = json!(true);
        json!({ "input": input })
    };

    let submitted =
        data(world.run(None, submit, application("Орлова")).await)["submitApplication"].clone();
    assert_eq!(submitted["status"], "PENDING");
    assert_eq!(
        submitted["lastName"], "Орлова",
        "the applicant sees their own names"
    );
    assert_eq!(submitted["submittedOn"], today().to_string());
    let first = submitted["id"].as_str().unwrap().to_string();
    let second = data(world.run(None, submit, application("Лебедева")).await)["submitApplication"]
        ["id"]
        .as_str()
        .unwrap()
        .to_string();

    let pending = world
        .ok(
            &chair,
            "query($org: ID!) { applications(orgId: $org) { totalCount } }",
            json!({ "org": world.school_a }),
        )
        .await;
    assert_eq!(pending["applications"]["totalCount"], 2);

    let query = format!(
        "mutation($id: ID!) {{ approveApplication(id: $id, issueCard: VIRTUAL) \
         {{ {MEMBER} lastName }} }}"
    );
    let member =
        world.ok(&chair, &query, json!({ "id": first })).await["approveApplication"].clone();
    assert_eq!(member["status"], "ACTIVE");
    assert_eq!(member["lastName"], "Орлова");
    assert_eq!(member["organization"]["id"], world.school_a.as_str());
    assert_eq!(member["joinedOn"], today().to_string());
    assert_eq!(member["card"]["kind"], "VIRTUAL");

    let query = "mutation($id: ID!) { rejectApplication(id: $id, reason: \"не работает в школе\") \
                 { status decidedOn rejectionReason } }";
    let rejected =
        world.ok(&chair, query, json!({ "id": second })).await["rejectApplication"].clone();
    assert_eq!(rejected["status"], "REJECTED");
    assert_eq!(rejected["rejectionReason"], "не работает в школе");
    assert_eq!(rejected["decidedOn"], today().to_string());

    let error = world
        .refused(Some(&chair), query, json!({ "id": second }))
        .await;
    assert_eq!(error["extensions"]["rule"], "APPLICATION_DECIDED");

    let mut no_consent = application("Кузнецова");
    no_consent["input"]["consent"] = json!(false);
    let error = world.refused(None, submit, no_consent).await;
    assert_eq!(error["extensions"]["code"], "VALIDATION", "{error}");
    assert_eq!(error["extensions"]["field"], "consent", "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinned_version_that_moved_on_is_a_conflict() {
    let world = World::new().await;
    let admin = world.admin();
    let rename = "mutation($id: ID!, $v: Int) { renameOrganization(id: $id, name: \"Школа 10\", \
                  expectedVersion: $v) { version } }";
    let version = world
        .ok(
            &admin,
            "query($id: ID!) { organization(id: $id) { version } }",
            json!({ "id": world.school_a }),
        )
        .await["organization"]["version"]
        .as_i64()
        .unwrap();

    let error = world
        .refused(
            Some(&admin),
            rename,
            json!({ "id": world.school_a, "v": version + 5 }),
        )
        .await;
    assert_eq!(code(&error), "CONFLICT");

    let renamed = world
        .ok(
            &admin,
            rename,
            json!({ "id": world.school_a, "v": version }),
        )
        .await;
    assert_eq!(renamed["renameOrganization"]["version"], version + 1);
    let error = world
        .refused(
            Some(&admin),
            rename,
            json!({ "id": world.school_a, "v": version }),
        )
        .await;
    assert_eq!(code(&error), "CONFLICT", "the same version a second time");

    let member = world.admit(&world.school_a, "Зайцева", None).await;
    let transfer = "mutation($id: ID!, $to: ID!, $on: Date!, $v: Int) { transferMember(\
                    memberId: $id, toOrgId: $to, effectiveOn: $on, expectedVersion: $v) { id } }";
    let error = world
        .refused(
            Some(&admin),
            transfer,
            json!({ "id": member["id"], "to": world.school_b, "on": days_ago(1),
                    "v": member["version"].as_i64().unwrap() + 1 }),
        )
        .await;
    assert_eq!(code(&error), "CONFLICT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_command_id_answers_the_first_result_and_writes_nothing() {
    let world = World::new().await;
    let admin = world.admin();
    let command_id = Uuid::now_v7().to_string();
    let query = format!(
        "mutation($input: AdmitMemberInput!) {{ admitMember(input: $input) {{ {MEMBER} }} }}"
    );
    let mut input = admission(&world.school_a, "Белова", Some(snils(222_333_444)));
    input["commandId"] = json!(command_id);
    input["issueCard"] = json!("PLASTIC");
    let first = world
        .ok(&admin, &query, json!({ "input": input.clone() }))
        .await;
    let head = world.head();
    let again = world.ok(&admin, &query, json!({ "input": input })).await;
    assert_eq!(again, first);
    assert_eq!(world.head(), head);

    let input = json!({ "parentId": world.territorial_2, "name": "Лицей 7", "level": "PRIMARY",
                        "commandId": Uuid::now_v7().to_string() });
    let first = world
        .ok(&admin, REGISTER, json!({ "input": input.clone() }))
        .await;
    let head = world.head();
    let again = world.ok(&admin, REGISTER, json!({ "input": input })).await;
    assert_eq!(again, first);
    assert_eq!(world.head(), head);

    let member = first_member_id(&world, &admin).await;
    let issue = "mutation($id: ID!, $c: ID) { issueCard(memberId: $id, commandId: $c) { number } }";
    let variables = json!({ "id": member, "c": Uuid::now_v7().to_string() });
    let first = world.ok(&admin, issue, variables.clone()).await;
    let head = world.head();
    let again = world.ok(&admin, issue, variables).await;
    assert_eq!(again, first, "the same card, not a third one");
    assert_eq!(world.head(), head);
}

async fn first_member_id(world: &World, viewer: &Viewer) -> String {
    let members = world
        .ok(
            viewer,
            "query($org: ID!) { members(orgId: $org) { edges { node { id } } } }",
            json!({ "org": world.school_a }),
        )
        .await;
    members["members"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn charter_refusals_name_their_rule_and_write_nothing() {
    let world = World::new().await;
    let admin = world.admin();
    let member = world.admit(&world.school_a, "Новикова", None).await;

    let transfer = "mutation($id: ID!, $to: ID!, $on: Date!) { transferMember(memberId: $id, \
                    toOrgId: $to, effectiveOn: $on) { id } }";
    let error = world
        .refused(
            Some(&admin),
            transfer,
            json!({ "id": member["id"], "to": world.school_a, "on": days_ago(1) }),
        )
        .await;
    assert_eq!(code(&error), "RULE_VIOLATION");
    assert_eq!(error["extensions"]["rule"], "SAME_HOME");

    let error = world
        .refused(
            Some(&admin),
            transfer,
            json!({ "id": member["id"], "to": world.central, "on": days_ago(1) }),
        )
        .await;
    assert_eq!(error["extensions"]["rule"], "NOT_A_HOME_LEVEL");

    let dissolve = "mutation($id: ID!, $on: Date!) { dissolveOrganization(id: $id, \
                    effectiveOn: $on) { id } }";
    let error = world
        .refused(
            Some(&admin),
            dissolve,
            json!({ "id": world.school_a, "on": today().to_string() }),
        )
        .await;
    assert_eq!(error["extensions"]["rule"], "NOT_EMPTY");

    let end = "mutation($id: ID!, $on: Date!) { endMembership(memberId: $id, reason: EXPULSION, \
               effectiveOn: $on) { id } }";
    let error = world
        .refused(
            Some(&admin),
            end,
            json!({ "id": member["id"], "on": days_ago(1) }),
        )
        .await;
    assert_eq!(error["extensions"]["rule"], "EXPULSION_WITHOUT_BASIS");

    let tomorrow = today().checked_add_days(Days::new(1)).unwrap().to_string();
    let mut input = admission(&world.school_b, "Морозова", None);
    input["admittedOn"] = json!(tomorrow);
    let error = world
        .refused(
            Some(&admin),
            "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { id } }",
            json!({ "input": input }),
        )
        .await;
    assert_eq!(error["extensions"]["rule"], "FUTURE_DATE");

    let error = world
        .refused(
            Some(&admin),
            REGISTER,
            json!({ "input": { "name": "Второй", "level": "CENTRAL" } }),
        )
        .await;
    assert_eq!(error["extensions"]["rule"], "SECOND_CENTRAL");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_before_anything_is_written() {
    let world = World::new().await;
    let admin = world.admin();
    let member = world.admit(&world.school_a, "Соколова", None).await;
    let admit = "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { id } }";
    let check = |error: &Value, code_: &str, field: Option<&str>| {
        assert_eq!(code(error), code_, "{error}");
        if let Some(field) = field {
            assert_eq!(error["extensions"]["field"], field, "{error}");
        }
    };

    let error = world
        .refused(
            Some(&admin),
            admit,
            json!({ "input": admission(&world.school_a, "Волкова", Some("112-233-445 96".into())) }),
        )
        .await;
    check(&error, "VALIDATION", Some("snils"));

    let mut input = admission(&world.school_a, &"Я".repeat(201), None);
    let error = world
        .refused(Some(&admin), admit, json!({ "input": input.clone() }))
        .await;
    check(&error, "VALIDATION", Some("lastName"));

    input["lastName"] = json!("   ");
    let error = world
        .refused(Some(&admin), admit, json!({ "input": input.clone() }))
        .await;
    check(&error, "VALIDATION", Some("name"));

    input["lastName"] = json!("Волкова");
    input["email"] = json!("not an address");
    let error = world
        .refused(Some(&admin), admit, json!({ "input": input.clone() }))
        .await;
    check(&error, "VALIDATION", Some("email"));

    input["email"] = Value::Null;
    input["birthDate"] = json!("1990-02-30");
    let error = world
        .refused(Some(&admin), admit, json!({ "input": input.clone() }))
        .await;
    check(&error, "VALIDATION", None);

    input["birthDate"] = json!("1990-05-01");
    input["orgId"] = json!("not-a-uuid");
    let error = world
        .refused(Some(&admin), admit, json!({ "input": input.clone() }))
        .await;
    check(&error, "VALIDATION", Some("orgId"));

    input["orgId"] = json!(Uuid::now_v7().to_string());
    let error = world
        .refused(Some(&admin), admit, json!({ "input": input.clone() }))
        .await;
    check(&error, "NOT_FOUND", None);

    input["orgId"] = json!(world.school_a);
    input["commandId"] = json!("42");
    let error = world
        .refused(Some(&admin), admit, json!({ "input": input }))
        .await;
    check(&error, "VALIDATION", Some("commandId"));

    let rename = "mutation($id: ID!, $v: Int) { renameOrganization(id: $id, name: \"X\", \
                  expectedVersion: $v) { id } }";
    let error = world
        .refused(
            Some(&admin),
            rename,
            json!({ "id": world.school_a, "v": -1 }),
        )
        .await;
    check(&error, "VALIDATION", Some("expectedVersion"));

    let error = world
        .refused(
            Some(&admin),
            rename,
            json!({ "id": Uuid::now_v7().to_string(), "v": null }),
        )
        .await;
    check(&error, "NOT_FOUND", None);

    let erase = "mutation($id: ID!) { erasePersonalData(memberId: $id, basis: \"x\") { id } }";
    let error = world
        .refused(
            Some(&admin),
            erase,
            json!({ "id": Uuid::now_v7().to_string() }),
        )
        .await;
    check(&error, "NOT_FOUND", None);

    let error = world
        .refused(
            Some(&admin),
            "mutation($n: String!) { blockCard(number: $n, reason: \"x\") { number } }",
            json!({ "n": "12345" }),
        )
        .await;
    check(&error, "VALIDATION", Some("number"));

    let error = world
        .refused(
            Some(&admin),
            "mutation($id: ID!) { approveApplication(id: $id) { id } }",
            json!({ "id": Uuid::now_v7().to_string() }),
        )
        .await;
    check(&error, "NOT_FOUND", None);

    let error = world
        .refused(
            Some(&admin),
            REGISTER,
            json!({ "input": { "parentId": world.central, "name": "Регион",
                               "level": "REGIONAL", "regionCode": 100 } }),
        )
        .await;
    check(&error, "VALIDATION", Some("regionCode"));

    let error = world
        .refused(
            Some(&admin),
            "mutation($id: ID!) { updatePassport(id: $id, input: { employees: -3 }) { id } }",
            json!({ "id": world.school_a }),
        )
        .await;
    check(&error, "VALIDATION", Some("employees"));

    let error = world
        .refused(
            Some(&admin),
            "mutation($id: ID!) { updateMember(memberId: $id, input: {}) { id } }",
            json!({ "id": member["id"] }),
        )
        .await;
    check(&error, "VALIDATION", Some("input"));

    let error = world
        .refused(
            Some(&admin),
            "mutation($id: ID!, $b: String!) { erasePersonalData(memberId: $id, basis: $b) { id } }",
            json!({ "id": member["id"], "b": "x".repeat(2001) }),
        )
        .await;
    check(&error, "VALIDATION", Some("basis"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_stay_within_the_role_and_its_subtree() {
    let world = World::new().await;
    let member_c = world.admit(&world.school_c, "Егорова", None).await;
    let member_a = world.admit(&world.school_a, "Павлова", None).await;
    let chair_a = holder(Role::Chair, &world.school_a);
    let admit = "mutation($input: AdmitMemberInput!) { admitMember(input: $input) { id } }";

    let error = world
        .refused(
            Some(&chair_a),
            admit,
            json!({ "input": admission(&world.school_c, "Ильина", None) }),
        )
        .await;
    assert_eq!(code(&error), "FORBIDDEN");

    let transfer = "mutation($id: ID!, $to: ID!, $on: Date!) { transferMember(memberId: $id, \
                    toOrgId: $to, effectiveOn: $on) { id } }";
    let error = world
        .refused(
            Some(&chair_a),
            transfer,
            json!({ "id": member_c["id"], "to": world.school_a, "on": days_ago(1) }),
        )
        .await;
    assert_eq!(code(&error), "FORBIDDEN", "the source home is outside");

    let error = world
        .refused(
            Some(&chair_a),
            "mutation($id: ID!) { erasePersonalData(memberId: $id, basis: \"x\") { id } }",
            json!({ "id": member_c["id"] }),
        )
        .await;
    assert_eq!(code(&error), "FORBIDDEN");

    let error = world
        .refused(
            Some(&chair_a),
            "mutation($id: ID!) { updatePassport(id: $id, input: { employees: 3 }) { id } }",
            json!({ "id": world.school_c }),
        )
        .await;
    assert_eq!(code(&error), "FORBIDDEN");

    let error = world
        .refused(
            Some(&chair_a),
            "mutation($id: ID!) { renameOrganization(id: $id, name: \"Моя школа\") { id } }",
            json!({ "id": world.school_a }),
        )
        .await;
    assert_eq!(
        code(&error),
        "FORBIDDEN",
        "a chair does not change the tree"
    );

    // Inside its subtree, the chair does what a chair does.
    let ok = world
        .ok(
            &chair_a,
            "mutation($id: ID!) { updatePassport(id: $id, input: { employees: 3 }) \
             { passport { employees } } }",
            json!({ "id": world.school_a }),
        )
        .await;
    assert_eq!(ok["updatePassport"]["passport"]["employees"], 3);
    // A chair changes only its own subtree: moving a member out of it into
    // another is for a holder above both.
    let error = world
        .refused(
            Some(&chair_a),
            transfer,
            json!({ "id": member_a["id"], "to": world.school_c, "on": days_ago(1) }),
        )
        .await;
    assert_eq!(code(&error), "FORBIDDEN", "the target home is outside");
    let admin = holder(Role::Admin, &world.central);
    let moved = world
        .ok(
            &admin,
            transfer,
            json!({ "id": member_a["id"], "to": world.school_c, "on": days_ago(1) }),
        )
        .await;
    assert_eq!(moved["transferMember"]["id"], member_a["id"]);

    for role in [Role::Auditor, Role::Analyst] {
        let viewer = holder(role, &world.central);
        let error = world
            .refused(
                Some(&viewer),
                admit,
                json!({ "input": admission(&world.school_a, "Ильина", None) }),
            )
            .await;
        assert_eq!(code(&error), "FORBIDDEN", "{role:?}");
        let error = world
            .refused(
                Some(&viewer),
                REGISTER,
                json!({ "input": { "parentId": world.territorial_2, "name": "Лицей",
                                   "level": "PRIMARY" } }),
            )
            .await;
        assert_eq!(code(&error), "FORBIDDEN", "{role:?}");
    }

    let error = world
        .refused(
            None,
            admit,
            json!({ "input": admission(&world.school_a, "Ильина", None) }),
        )
        .await;
    assert_eq!(code(&error), "UNAUTHENTICATED");

    let regional_admin = holder(Role::Admin, &world.territorial_2);
    let error = world
        .refused(
            Some(&regional_admin),
            REGISTER,
            json!({ "input": { "name": "Ещё один союз", "level": "CENTRAL" } }),
        )
        .await;
    assert_eq!(code(&error), "FORBIDDEN");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_submissions_are_limited_per_client_address() {
    let world = World::new().await;
    let submit = "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }";
    let mut input = admission(&world.school_a, "Фёдорова", None);
    input.as_object_mut().unwrap().remove("admittedOn");
    input["consent"] = json!(true);
    let variables = json!({ "input": input });
    let first = ClientAddr(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)));
    let second = ClientAddr(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 2)));

    for _ in 0..app::rate_limit::SUBMISSION_BURST {
        data(run(&world.schema, None, Some(first), submit, variables.clone()).await);
    }
    let head = world.head();
    let response = run(&world.schema, None, Some(first), submit, variables.clone()).await;
    assert_eq!(code(&first_error(response)), "RATE_LIMITED");
    assert_eq!(world.head(), head);

    data(run(&world.schema, None, Some(second), submit, variables.clone()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_an_address_share_one_bucket() {
    let world = World::with(|app| {
        app.set_submission_limit(app::rate_limit::SubmissionLimit::new(
            std::num::NonZeroU32::MIN,
            std::num::NonZeroU32::MIN,
        ));
    })
    .await;
    let submit = "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }";
    let mut input = admission(&world.school_a, "Фёдорова", None);
    input.as_object_mut().unwrap().remove("admittedOn");
    input["consent"] = json!(true);
    let variables = json!({ "input": input });
    data(world.run(None, submit, variables.clone()).await);
    let error = world.refused(None, submit, variables).await;
    assert_eq!(code(&error), "RATE_LIMITED");
}

#[test]
fn the_mutations_keep_the_contract() {
    let contract = include_str!("../../../shared/api.graphql");
    let ours = [
        "RegisterOrganizationInput",
        "PassportInput",
        "AdmitMemberInput",
        "UpdateMemberInput",
        "ApplicationInput",
    ];
    let broken: Vec<String> = graphql::contract::breaking_changes(contract, &schema::sdl())
        .unwrap()
        .into_iter()
        .map(|change| change.to_string())
        .filter(|change| {
            let mutation = change.starts_with("Mutation.")
                && !change.starts_with("Mutation.grantRole")
                && !change.starts_with("Mutation.revokeRole");
            mutation || ours.iter().any(|input| change.contains(input))
        })
        .collect();
    assert_eq!(broken, Vec::<String>::new());
}
