//! Many clients at once over real HTTP: 32 tasks admit the same people (same
//! SNILS), transfer the same members between primaries with and without
//! `expectedVersion`, end memberships and re-admit. Afterwards no rule is
//! broken (one person per SNILS, at most one active home each, every history a
//! valid sequence matching the answers the clients got), the statistics agree
//! with the member lists, and they are the same after a restart of the server
//! on the same data directory (a rebuild of the read models from the log).

mod support;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use Outcome::*;
use serde_json::{Value, json};
use support::{ADMIT, Api, Server, admission, register, snils, started, today};
use tokio::task::JoinSet;

const PEOPLE: usize = 8;
const TASKS: usize = 32;

const TRANSFER: &str = "mutation($id: ID!, $to: ID!, $on: Date!, $v: Int) {
    transferMember(memberId: $id, toOrgId: $to, effectiveOn: $on, expectedVersion: $v) { id } }";
const END: &str = "mutation($id: ID!) {
    endMembership(memberId: $id, reason: VOLUNTARY_EXIT, effectiveOn: \"2025-09-01\") { id } }";

/// What one client did and what it was answered.
#[derive(Debug)]
enum Outcome {
    Admitted { person: String, snils: usize },
    Transferred { person: String },
    Ended { person: String },
    Refused(String),
}

/// Runs one mutation and sorts its answer; anything but success, a charter
/// refusal or a conflict fails the test.
async fn attempt(api: Api, token: String, query: &'static str, variables: Value) -> Value {
    let answer = api.graphql(query, variables.clone(), Some(&token)).await;
    let code = &answer["errors"][0]["extensions"]["code"];
    let expected = code.is_null() || code == "RULE_VIOLATION" || code == "CONFLICT";
    assert!(expected, "{query} with {variables}: {answer}");
    answer
}

fn outcome(answer: &Value, field: &str, made: impl FnOnce(String) -> Outcome) -> Outcome {
    match answer["data"][field]["id"].as_str() {
        Some(id) => made(id.to_string()),
        None => {
            let error = &answer["errors"][0]["extensions"];
            Refused(format!("{} {}", error["code"], error["rule"]))
        }
    }
}

async fn admissions(
    server: &Server,
    token: &str,
    homes: &[String],
    on: &str,
    n: usize,
) -> JoinSet<Outcome> {
    let mut tasks = JoinSet::new();
    for i in 0..n {
        let person = i % PEOPLE;
        let mut input = admission(
            &homes[i % homes.len()],
            &format!("Гонкина {person}"),
            "1980-01-01",
            on,
        );
        input["snils"] = json!(snils(100_200_300 + person as u64));
        let (api, token) = (server.api(), token.to_string());
        tasks.spawn(async move {
            let answer = attempt(api, token, ADMIT, json!({ "input": input })).await;
            outcome(&answer, "admitMember", |person_id| Admitted {
                person: person_id,
                snils: person,
            })
        });
    }
    tasks
}

#[tokio::test]
async fn concurrent_clients_break_no_rule_and_a_rebuild_gives_the_same_statistics() {
    let (dir, server, central, token) = started().await;
    let admin = token.as_str();
    let regional = register(
        &server,
        admin,
        &central,
        "Свердловская",
        "REGIONAL",
        Some(66),
    )
    .await;
    let territorial = register(
        &server,
        admin,
        &regional,
        "Екатеринбург",
        "TERRITORIAL",
        None,
    )
    .await;
    let mut homes = Vec::new();
    for n in 1..=3 {
        homes.push(
            register(
                &server,
                admin,
                &territorial,
                &format!("Школа {n}"),
                "PRIMARY",
                None,
            )
            .await,
        );
    }

    // Round 1: everyone admits the same eight people.
    let mut outcomes = admissions(&server, admin, &homes, "2025-01-15", TASKS)
        .await
        .join_all()
        .await;
    let mut person_of = HashMap::new();
    for o in &outcomes {
        if let Admitted { person, snils } = o {
            let first = person_of.insert(*snils, person.clone());
            assert!(
                first.is_none(),
                "SNILS {snils} admitted twice at once: {outcomes:?}"
            );
        }
    }
    assert_eq!(
        person_of.len(),
        PEOPLE,
        "each person is admitted once: {outcomes:?}"
    );

    // Round 2: transfers of the same members to the same homes, half with the
    // version read before, while others try to admit them again.
    let mut tasks = admissions(&server, admin, &homes, "2025-02-01", PEOPLE).await;
    for i in 0..TASKS {
        let person = person_of[&(i % PEOPLE)].clone();
        let on = format!("2025-0{}-01", 3 + i / PEOPLE);
        let mut variables =
            json!({ "id": person, "to": homes[(i / PEOPLE + i % PEOPLE) % 3], "on": on });
        if i % 2 == 1 {
            let query = "query($id: ID!) { member(id: $id) { version } }";
            let data = server.ok(query, json!({ "id": person }), Some(admin)).await;
            variables["v"] = data["member"]["version"].clone();
        }
        let (api, token) = (server.api(), token.clone());
        tasks.spawn(async move {
            let answer = attempt(api, token, TRANSFER, variables).await;
            outcome(&answer, "transferMember", |person| Transferred { person })
        });
    }
    outcomes.extend(tasks.join_all().await);

    // Round 3: half of them leave while others transfer them and admit them again.
    let mut tasks = admissions(&server, admin, &homes, "2025-10-01", PEOPLE * 3).await;
    for i in 0..PEOPLE {
        let person = person_of[&i].clone();
        let (api, token) = (server.api(), token.clone());
        if i % 2 == 0 {
            let variables = json!({ "id": person });
            tasks.spawn(async move {
                let answer = attempt(api, token, END, variables).await;
                outcome(&answer, "endMembership", |person| Ended { person })
            });
        } else {
            let variables = json!({ "id": person, "to": homes[i % 3], "on": "2025-08-01" });
            tasks.spawn(async move {
                let answer = attempt(api, token, TRANSFER, variables).await;
                outcome(&answer, "transferMember", |person| Transferred { person })
            });
        }
    }
    outcomes.extend(tasks.join_all().await);

    // Every attempt was answered: done, or refused by a rule or a conflict.
    let mut tally: BTreeMap<&str, usize> = BTreeMap::new();
    for o in &outcomes {
        let kind = match o {
            Admitted { .. } => "admitted",
            Transferred { .. } => "transferred",
            Ended { .. } => "ended",
            Refused(why) => why.as_str(),
        };
        *tally.entry(kind).or_default() += 1;
    }
    assert_eq!(
        outcomes.len(),
        TASKS + PEOPLE + TASKS + PEOPLE * 3 + PEOPLE,
        "{tally:?}"
    );
    // Round 2's admissions meet active members: refused, never conflicting.
    let active_elsewhere = tally.get("\"RULE_VIOLATION\" \"ACTIVE_ELSEWHERE\"");
    assert!(active_elsewhere >= Some(&PEOPLE), "{tally:?}");

    // Every person: one per SNILS, a valid history that matches the answers.
    let people = everyone(&server, admin, &regional).await;
    assert_eq!(people.len(), PEOPLE, "{people:#?}");
    let mut by_snils = BTreeMap::new();
    for person in &people {
        *by_snils
            .entry(person["snils"].as_str().unwrap().to_string())
            .or_insert(0) += 1;
    }
    assert!(by_snils.values().all(|&n| n == 1), "{by_snils:?}");
    let mut active_in: HashMap<String, i64> = HashMap::new();
    for person in &people {
        let id = person["id"].as_str().unwrap();
        let count = |want: fn(&Outcome) -> Option<&String>| {
            outcomes
                .iter()
                .filter(|o| want(o).is_some_and(|p| p == id))
                .count()
        };
        let admitted = count(|o| {
            if let Admitted { person, .. } = o {
                Some(person)
            } else {
                None
            }
        });
        let transferred = count(|o| {
            if let Transferred { person } = o {
                Some(person)
            } else {
                None
            }
        });
        let ended = count(|o| {
            if let Ended { person } = o {
                Some(person)
            } else {
                None
            }
        });
        let home = replay(person, [admitted, transferred, ended]);
        if let Some(home) = home {
            *active_in.entry(home).or_default() += 1;
        }
    }

    // The statistics agree with the lists: each primary and the whole root.
    let stats = "query($org: ID!) { statistics(orgId: $org) { members } }";
    for home in &homes {
        let figure = server.ok(stats, json!({ "org": home }), Some(admin)).await;
        let expected = active_in.get(home).copied().unwrap_or(0);
        assert_eq!(
            figure["statistics"]["members"], expected,
            "{home}: {figure}"
        );
    }
    let total: i64 = active_in.values().sum();
    let root = server
        .ok(stats, json!({ "org": central }), Some(admin))
        .await;
    assert_eq!(root["statistics"]["members"], total, "{root}");

    // A restart rebuilds the read models from the log: the same figures.
    // The read models apply the log's last events (the audit of the reads
    // above) a moment after they are committed: take the figures once they
    // reflect the whole log.
    let head = server.head(admin).await;
    let mut before = full_statistics(&server, admin, &central).await;
    for _ in 0..500 {
        if before[0]["statistics"]["knownAt"] == head {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
        before = full_statistics(&server, admin, &central).await;
    }
    assert_eq!(
        before[0]["statistics"]["knownAt"], head,
        "the statistics never caught up"
    );
    let status = tokio::task::spawn_blocking(move || server.terminate(Duration::from_secs(15)))
        .await
        .unwrap();
    assert!(status.success(), "exit status after SIGTERM: {status}");
    let server = Server::start(dir.path()).await;
    assert_eq!(server.head(admin).await, head, "a restart appends nothing");
    let after = full_statistics(&server, admin, &central).await;
    let mut differences = Vec::new();
    differ(&before, &after, "statistics".into(), &mut differences);
    assert!(
        differences.is_empty(),
        "the statistics differ after a rebuild from the log (before → after):\n{}",
        differences.join("\n")
    );
    assert_eq!(
        everyone(&server, admin, &regional).await,
        people,
        "the members differ after a rebuild"
    );
}

/// Every person of the subtree (active and ended), with what the checks need.
async fn everyone(server: &Server, admin: &str, org: &str) -> Vec<Value> {
    let query = "query($org: ID!, $status: MembershipStatus) {
        members(orgId: $org, status: $status, first: 1000) { totalCount edges { node {
            id snils status version organization { id } joinedOn endedOn
            history { type effectiveOn organization { id } } } } } }";
    let mut people = Vec::new();
    for status in ["ACTIVE", "ENDED"] {
        let data = server
            .ok(query, json!({ "org": org, "status": status }), Some(admin))
            .await;
        let edges = data["members"]["edges"].as_array().unwrap();
        assert_eq!(data["members"]["totalCount"], edges.len());
        people.extend(edges.iter().map(|e| e["node"].clone()));
    }
    people.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    people
}

/// Replays a person's history: each step valid in its state, dated not
/// before the spell it changes, counts as the clients were answered
/// ([admitted, transferred, ended]), and ends where the member stands. The
/// active home, if any.
fn replay(person: &Value, answered: [usize; 3]) -> Option<String> {
    let mut home: Option<String> = None;
    let (mut since, mut counts) = (String::new(), [0; 3]);
    for step in person["history"].as_array().unwrap() {
        let on = step["effectiveOn"].as_str().unwrap_or_default().to_string();
        let org = step["organization"]["id"].as_str().map(str::to_owned);
        let kind = step["type"].as_str().unwrap();
        let index = match kind {
            "MemberAdmitted" => 0,
            "MemberTransferred" => 1,
            "MembershipEnded" => 2,
            _ => continue,
        };
        assert_eq!(
            home.is_some(),
            index != 0,
            "{kind} in the wrong state: {person}"
        );
        assert!(on >= since, "{kind} on {on} before {since}: {person}");
        if index == 1 {
            assert_ne!(org, home, "a transfer to the same home: {person}");
        }
        home = if index == 2 { None } else { org };
        since = on;
        counts[index] += 1;
    }
    assert_eq!(
        counts, answered,
        "[admitted, transferred, ended] by history and by answers: {person}"
    );
    let status = if home.is_some() { "ACTIVE" } else { "ENDED" };
    assert_eq!(person["status"], status, "{person}");
    if let Some(home) = &home {
        assert_eq!(person["organization"]["id"], home.as_str(), "{person}");
    }
    assert!(today().to_string() >= since);
    home
}

/// The whole statistics of `org` (every figure, three levels of breakdown)
/// today and on two past dates.
async fn full_statistics(server: &Server, admin: &str, org: &str) -> Value {
    let figures = "organization { id } asOf knownAt members youth employees students
        workerCoverage studentCoverage byGender { key count } byCategory { key count }
        byProfession { key count } byAgeBand { key count } byTenureBand { key count }
        bySector { key count }";
    let query = format!(
        "query($org: ID!, $on: Date) {{ statistics(orgId: $org, asOf: $on) {{ {figures}
        breakdown {{ {figures} breakdown {{ {figures} breakdown {{ {figures} }} }} }} }} }}"
    );
    let mut all = Vec::new();
    for on in [
        today().to_string(),
        "2025-07-01".into(),
        "2025-02-01".into(),
    ] {
        all.push(
            server
                .ok(&query, json!({ "org": org, "on": on }), Some(admin))
                .await,
        );
    }
    Value::Array(all)
}

/// The paths at which `a` and `b` differ, with both values.
fn differ(a: &Value, b: &Value, path: String, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, value) in x {
                differ(value, &y[key], format!("{path}.{key}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                let key = p["key"].as_str().map_or(i.to_string(), str::to_owned);
                differ(p, q, format!("{path}[{key}]"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} → {b}")),
        _ => {}
    }
}
