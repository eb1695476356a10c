//! Every error code of the contract over real HTTP, with its exact
//! `extensions.code` (and `extensions.rule` for the charter's refusals); every
//! refused request leaves the log head where it was; a repeated `commandId`
//! answers the first result and appends nothing.

mod support;

use serde_json::{Value, json};
use support::{
    ADMIT, Server, admission, assert_refusal, days_ago, days_ahead, grant, register, snils,
    started, today,
};

/// A registry with one primary (`school`), a second one (`other`) and one
/// member of `school` (`member`, at `version`).
struct World {
    _dir: tempfile::TempDir,
    server: Server,
    admin: String,
    school: String,
    other: String,
    member: String,
    version: i64,
}

async fn world() -> World {
    let (dir, server, central, admin) = started().await;
    let regional = register(
        &server,
        &admin,
        &central,
        "Пермский край",
        "REGIONAL",
        Some(59),
    )
    .await;
    let territorial = register(&server, &admin, &regional, "Пермь", "TERRITORIAL", None).await;
    let school = register(&server, &admin, &territorial, "Лицей № 1", "PRIMARY", None).await;
    let other = register(&server, &admin, &territorial, "Лицей № 2", "PRIMARY", None).await;
    let input = admission(&school, "Смирнова", "1988-08-08", "2025-02-01");
    let member = support::admit(&server, &admin, input).await;
    World {
        _dir: dir,
        member: member["id"].as_str().unwrap().to_string(),
        version: member["version"].as_i64().unwrap(),
        server,
        admin,
        school,
        other,
    }
}

impl World {
    /// Runs a request that must be refused with `code` (and `rule`), and must
    /// append nothing; the error.
    async fn refused(
        &self,
        query: &str,
        variables: Value,
        token: Option<&str>,
        code: &str,
        rule: Option<&str>,
    ) -> Value {
        let error = self
            .server
            .refused(query, variables, token, &self.admin)
            .await;
        assert_refusal(&error, code, rule);
        error
    }

    async fn as_admin(&self, query: &str, variables: Value, code: &str, rule: Option<&str>) {
        self.refused(query, variables, Some(&self.admin), code, rule)
            .await;
    }
}

const TRANSFER: &str = "mutation($id: ID!, $to: ID!, $on: Date!, $v: Int, $cmd: ID) {
    transferMember(memberId: $id, toOrgId: $to, effectiveOn: $on, expectedVersion: $v, commandId: $cmd) {
        id version organization { id } } }";

const MEMBERS: &str = "query($org: ID!, $first: Int, $after: String) {
    members(orgId: $org, first: $first, after: $after) { totalCount } }";

#[tokio::test]
async fn bad_input_is_validation_and_changes_nothing() {
    let w = world().await;
    let admit = |input: Value| json!({ "input": input });
    let base = admission(&w.school, "Кузнецова", "1990-01-01", "2025-01-10");
    let with = |field: &str, value: Value| {
        let mut input = base.clone();
        input[field] = value;
        admit(input)
    };

    w.as_admin(
        ADMIT,
        with("admittedOn", json!("2025-02-30")),
        "VALIDATION",
        None,
    )
    .await;
    w.as_admin(
        ADMIT,
        with("birthDate", json!("01.01.1990")),
        "VALIDATION",
        None,
    )
    .await;
    w.as_admin(ADMIT, with("gender", json!("OTHER")), "VALIDATION", None)
        .await;
    let bad_snils = w
        .refused(
            ADMIT,
            with("snils", json!("112-233-445 96")),
            Some(&w.admin),
            "VALIDATION",
            None,
        )
        .await;
    assert_eq!(bad_snils["extensions"]["field"], "snils", "{bad_snils}");
    w.as_admin(ADMIT, with("snils", json!("12345")), "VALIDATION", None)
        .await;
    w.as_admin(
        ADMIT,
        with("email", json!("not an address")),
        "VALIDATION",
        None,
    )
    .await;
    w.as_admin(
        ADMIT,
        with("orgId", json!("not-a-uuid")),
        "VALIDATION",
        None,
    )
    .await;
    let oversize = w
        .refused(
            ADMIT,
            with("lastName", json!("Я".repeat(50_000))),
            Some(&w.admin),
            "VALIDATION",
            None,
        )
        .await;
    assert_eq!(oversize["extensions"]["field"], "lastName", "{oversize}");
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("lastName");
    w.as_admin(ADMIT, admit(missing), "VALIDATION", None).await;

    let org = json!({ "org": w.school });
    let page = |extra: Value| {
        let mut variables = org.clone();
        variables
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        variables
    };
    w.as_admin(MEMBERS, page(json!({ "first": -1 })), "VALIDATION", None)
        .await;
    w.as_admin(
        MEMBERS,
        page(json!({ "after": "garbage" })),
        "VALIDATION",
        None,
    )
    .await;
    w.as_admin(
        "{ events(first: 5, after: \"not a cursor\") { totalCount } }",
        json!({}),
        "VALIDATION",
        None,
    )
    .await;
    w.as_admin(
        "{ member(id: \"42\") { id } }",
        json!({}),
        "VALIDATION",
        None,
    )
    .await;
    w.as_admin(
        "{ statistics(orgId: \"x\") { members } }",
        json!({}),
        "VALIDATION",
        None,
    )
    .await;
    w.as_admin("{ viewer { nonsense } }", json!({}), "VALIDATION", None)
        .await;
    w.as_admin("{ viewer { role ", json!({}), "VALIDATION", None)
        .await;
    let deep = format!(
        "query($id: ID!) {{ organization(id: $id) {{ {} id {} }} }}",
        "parent {".repeat(20),
        "}".repeat(20)
    );
    w.as_admin(&deep, json!({ "id": w.school }), "VALIDATION", None)
        .await;
    let transfer = json!({ "id": w.member, "to": w.other, "on": today().to_string(), "v": -1 });
    w.as_admin(TRANSFER, transfer, "VALIDATION", None).await;
}

#[tokio::test]
async fn not_found_conflict_and_charter_refusals_change_nothing() {
    let w = world().await;
    let unknown = "00000000-0000-7000-8000-000000000000";
    let today = today().to_string();

    // NOT_FOUND.
    w.as_admin(MEMBERS, json!({ "org": unknown }), "NOT_FOUND", None)
        .await;
    let transfer = |id: &str, to: &str, on: &str| json!({ "id": id, "to": to, "on": on });
    w.as_admin(
        TRANSFER,
        transfer(unknown, &w.other, &today),
        "NOT_FOUND",
        None,
    )
    .await;
    w.as_admin(
        TRANSFER,
        transfer(&w.member, unknown, &today),
        "NOT_FOUND",
        None,
    )
    .await;
    w.as_admin(
        "{ statistics(orgId: \"00000000-0000-7000-8000-000000000000\") { members } }",
        json!({}),
        "NOT_FOUND",
        None,
    )
    .await;

    // RULE_VIOLATION, each with its rule.
    let child = admission(&w.school, "Юная", &days_ago(13 * 366), &today);
    w.as_admin(
        ADMIT,
        json!({ "input": child }),
        "RULE_VIOLATION",
        Some("TOO_YOUNG"),
    )
    .await;
    let future = admission(&w.school, "Будущая", "1990-01-01", &days_ahead(1));
    w.as_admin(
        ADMIT,
        json!({ "input": future }),
        "RULE_VIOLATION",
        Some("FUTURE_DATE"),
    )
    .await;
    w.as_admin(
        TRANSFER,
        transfer(&w.member, &w.school, &today),
        "RULE_VIOLATION",
        Some("SAME_HOME"),
    )
    .await;
    w.as_admin(
        TRANSFER,
        transfer(&w.member, &w.other, &days_ahead(1)),
        "RULE_VIOLATION",
        Some("FUTURE_DATE"),
    )
    .await;
    w.as_admin(
        TRANSFER,
        transfer(&w.member, &w.other, "2025-01-31"),
        "RULE_VIOLATION",
        Some("BEFORE_CURRENT_SPELL"),
    )
    .await;
    let expel = "mutation($id: ID!) { endMembership(memberId: $id, reason: EXPULSION,
        effectiveOn: \"2025-06-01\") { status } }";
    w.as_admin(
        expel,
        json!({ "id": w.member }),
        "RULE_VIOLATION",
        Some("EXPULSION_WITHOUT_BASIS"),
    )
    .await;

    // CONFLICT: a stale expectedVersion.
    let mut moved = transfer(&w.member, &w.other, "2025-03-01");
    moved["v"] = json!(w.version);
    let data = w.server.ok(TRANSFER, moved, Some(&w.admin)).await;
    assert!(data["transferMember"]["version"].as_i64().unwrap() > w.version);
    let mut stale = transfer(&w.member, &w.school, "2025-04-01");
    stale["v"] = json!(w.version);
    w.as_admin(TRANSFER, stale, "CONFLICT", None).await;

    // A repeated commandId: the first answer, nothing appended.
    let command = "0192f5a0-0000-7000-8000-000000000001";
    let mut once = transfer(&w.member, &w.school, "2025-05-01");
    once["cmd"] = json!(command);
    let first = w.server.ok(TRANSFER, once.clone(), Some(&w.admin)).await;
    let head = w.server.head(&w.admin).await;
    let again = w.server.ok(TRANSFER, once, Some(&w.admin)).await;
    assert_eq!(again, first, "a repeated command answers as the first time");
    assert_eq!(w.server.head(&w.admin).await, head, "and appends nothing");
    let mut input = admission(&w.school, "Повторова", "1992-02-02", "2025-02-02");
    input["commandId"] = json!("0192f5a0-0000-7000-8000-000000000002");
    input["snils"] = json!(snils(222_333_444));
    let first = w
        .server
        .ok(ADMIT, json!({ "input": input }), Some(&w.admin))
        .await;
    let head = w.server.head(&w.admin).await;
    let again = w
        .server
        .ok(ADMIT, json!({ "input": input }), Some(&w.admin))
        .await;
    assert_eq!(again, first);
    assert_eq!(w.server.head(&w.admin).await, head);
    // The same person without the commandId: the SNILS is taken by an active member.
    input.as_object_mut().unwrap().remove("commandId");
    w.as_admin(
        ADMIT,
        json!({ "input": input }),
        "RULE_VIOLATION",
        Some("ACTIVE_ELSEWHERE"),
    )
    .await;
}

#[tokio::test]
async fn tokens_roles_and_rates_are_refused_with_their_codes() {
    let w = world().await;
    let member = json!({ "id": w.member });
    let input = admission(&w.school, "Аноним", "1990-01-01", "2025-01-01");

    // UNAUTHENTICATED: a bad token, or none where one is needed.
    let bad = "reestr_".to_string() + &"f".repeat(64);
    let read = "query($id: ID!) { member(id: $id) { id } }";
    w.refused(read, member.clone(), Some(&bad), "UNAUTHENTICATED", None)
        .await;
    w.refused(read, member.clone(), None, "UNAUTHENTICATED", None)
        .await;
    let admit = json!({ "input": input });
    w.refused(ADMIT, admit.clone(), None, "UNAUTHENTICATED", None)
        .await;
    w.refused(ADMIT, admit, Some(&bad), "UNAUTHENTICATED", None)
        .await;

    // FORBIDDEN: an analyst asking for a name gets a refusal, not a null.
    let (_, analyst) = grant(&w.server, &w.admin, "ANALYST", &w.school, "analyst").await;
    let name = "query($id: ID!) { member(id: $id) { lastName } }";
    w.refused(name, member.clone(), Some(&analyst), "FORBIDDEN", None)
        .await;
    let stats = "query($org: ID!) { statistics(orgId: $org) { members } }";
    let allowed = w
        .server
        .ok(stats, json!({ "org": w.school }), Some(&analyst))
        .await;
    assert_eq!(allowed["statistics"]["members"], 1, "{allowed}");

    // RATE_LIMITED: many anonymous submissions from one address.
    let submit = "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }";
    let application = json!({ "input": {
        "orgId": w.school, "lastName": "Заявитель", "firstName": "Иван", "gender": "MALE",
        "birthDate": "1990-01-01", "category": "WORKER", "consent": true } });
    let mut accepted = 0;
    let limited = loop {
        let head = w.server.head(&w.admin).await;
        let answer = w.server.graphql(submit, application.clone(), None).await;
        if answer["errors"].is_null() {
            accepted += 1;
            assert!(accepted < 20, "twenty submissions in a row were accepted");
            continue;
        }
        assert_eq!(w.server.head(&w.admin).await, head, "{answer}");
        break answer;
    };
    assert!(accepted >= 1, "the first submission was refused: {limited}");
    assert_eq!(support::error_code(&limited), "RATE_LIMITED", "{limited}");
    // Without consent (were the limit not reached) it would be VALIDATION: the
    // limit is checked first, so a flood of bad submissions is limited too.
    let mut no_consent = application.clone();
    no_consent["input"]["consent"] = json!(false);
    w.refused(submit, no_consent, None, "RATE_LIMITED", None)
        .await;
}

/// Issue 17, item 7: what the design's words say. A card verifies VALID,
/// BLOCKED or UNKNOWN only, so a number a scanner misread is UNKNOWN, not an
/// error; consent is a field the form must fill, not a rule of the charter.
#[tokio::test]
async fn a_misread_card_is_unknown_and_a_missing_consent_is_a_field_to_fill() {
    let w = world().await;
    let verify = "query($n: String!) { verifyCard(number: $n) { number result organizationName } }";
    for misread in [
        "12345",
        "0000-0000-0000-0000-0000",
        "ЧЛЕН 42",
        &"9".repeat(500),
    ] {
        let answer = w
            .server
            .ok(verify, json!({ "n": misread }), Some(&w.admin))
            .await;
        let check = &answer["verifyCard"];
        assert_eq!(check["result"], "UNKNOWN", "{misread}: {answer}");
        assert!(check["organizationName"].is_null(), "{answer}");
        assert!(
            check["number"].as_str().unwrap().chars().count() <= 32,
            "{answer}"
        );
    }

    let submit = "mutation($input: ApplicationInput!) {
        submitApplication(input: $input) { id } }";
    let no_consent = json!({ "input": {
        "orgId": w.school, "lastName": "Заявитель", "firstName": "Иван", "gender": "MALE",
        "birthDate": "1990-01-01", "category": "WORKER", "consent": false } });
    let head = w.server.head(&w.admin).await;
    let refused = w.server.graphql(submit, no_consent, None).await;
    assert_refusal(&refused["errors"][0], "VALIDATION", None);
    assert_eq!(
        refused["errors"][0]["extensions"]["field"], "consent",
        "{refused}"
    );
    assert!(
        refused["errors"][0]["extensions"]["rule"].is_null(),
        "{refused}"
    );
    assert_eq!(w.server.head(&w.admin).await, head);
}
