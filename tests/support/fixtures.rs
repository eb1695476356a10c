//! Small helpers for the API: dates, SNILS, and the organisations, members
//! and roles most tests start from.

use chrono::{Days, NaiveDate};
use serde_json::{Value, json};

use super::Server;

/// The registry's today: the local date, as the server reads it.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// `days` before today, as `YYYY-MM-DD`.
pub fn days_ago(days: u64) -> String {
    today()
        .checked_sub_days(Days::new(days))
        .unwrap()
        .to_string()
}

/// `days` after today, as `YYYY-MM-DD`.
pub fn days_ahead(days: u64) -> String {
    today()
        .checked_add_days(Days::new(days))
        .unwrap()
        .to_string()
}

/// A calendar date.
pub fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// A valid SNILS (checksum included) made from a nine-digit number.
pub fn snils(number: u64) -> String {
    domain::snils::Snils::from_number(number)
        .unwrap()
        .to_string()
}

pub const REGISTER: &str = "mutation($input: RegisterOrganizationInput!) {
    registerOrganization(input: $input) { id } }";

/// Registers an organisation as `token`'s holder; its id.
pub async fn register(
    server: &Server,
    token: &str,
    parent: &str,
    name: &str,
    level: &str,
    region_code: Option<i32>,
) -> String {
    let input =
        json!({ "parentId": parent, "name": name, "level": level, "regionCode": region_code });
    let data = server
        .ok(REGISTER, json!({ "input": input }), Some(token))
        .await;
    data["registerOrganization"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A regional subtree numbered `n` (region code `n`) under `central`, one
/// organisation per level: (regional, territorial, primary).
pub async fn branch(
    server: &Server,
    token: &str,
    central: &str,
    n: i32,
) -> (String, String, String) {
    let regional = register(
        server,
        token,
        central,
        &format!("Регион {n}"),
        "REGIONAL",
        Some(n),
    )
    .await;
    let territorial = register(
        server,
        token,
        &regional,
        &format!("Район {n}"),
        "TERRITORIAL",
        None,
    )
    .await;
    let primary = register(
        server,
        token,
        &territorial,
        &format!("Школа {n}"),
        "PRIMARY",
        None,
    )
    .await;
    (regional, territorial, primary)
}

pub const PASSPORT: &str = "mutation($id: ID!, $input: PassportInput!) {
    updatePassport(id: $id, input: $input) { id passport { sector employees students } } }";

/// Sets a school passport (`employees`, `students`) on a primary organisation.
pub async fn passport(server: &Server, token: &str, org: &str, employees: i32, students: i32) {
    let input = json!({ "sector": "SCHOOL", "employees": employees, "students": students });
    let data = server
        .ok(PASSPORT, json!({ "id": org, "input": input }), Some(token))
        .await;
    assert_eq!(data["updatePassport"]["passport"]["employees"], employees);
}

pub const ADMIT: &str = "mutation($input: AdmitMemberInput!) {
    admitMember(input: $input) { id version status organization { id } card { number } } }";

/// An admission's input: a teacher born on `birth_date`, admitted on `admitted_on`.
pub fn admission(org: &str, last_name: &str, birth_date: &str, admitted_on: &str) -> Value {
    json!({
        "orgId": org,
        "lastName": last_name,
        "firstName": "Анна",
        "patronymic": "Сергеевна",
        "gender": "FEMALE",
        "birthDate": birth_date,
        "category": "WORKER",
        "profession": "TEACHER",
        "admittedOn": admitted_on,
    })
}

/// Admits a member with `input` as `token`'s holder; the member's
/// `id version status organization { id } card { number }`.
pub async fn admit(server: &Server, token: &str, input: Value) -> Value {
    let data = server
        .ok(ADMIT, json!({ "input": input }), Some(token))
        .await;
    data["admitMember"].clone()
}

pub const GRANT: &str = "mutation($input: GrantRoleInput!) {
    grantRole(input: $input) { userId role token } }";

/// Grants `role` over `org` as `token`'s holder: the new holder's user id and token.
pub async fn grant(
    server: &Server,
    token: &str,
    role: &str,
    org: &str,
    holder: &str,
) -> (String, String) {
    let input = json!({ "role": role, "orgId": org, "holder": holder });
    let data = server
        .ok(GRANT, json!({ "input": input }), Some(token))
        .await;
    let granted = &data["grantRole"];
    (
        granted["userId"].as_str().unwrap().to_string(),
        granted["token"].as_str().unwrap().to_string(),
    )
}

/// Every event of the log in `data_dir` as `reestr events` prints it, without
/// what differs between two runs by nature (event ids, commit times, the
/// correlation ids of import batches).
pub fn log_lines(data_dir: &std::path::Path) -> Vec<Value> {
    let out = super::stdout(super::reestr(data_dir).arg("events").output().unwrap());
    out.lines()
        .map(|line| {
            let mut event: Value = serde_json::from_str(line).unwrap();
            for field in ["eventId", "recordedAt", "correlationId"] {
                event.as_object_mut().unwrap().remove(field);
            }
            event
        })
        .collect()
}
