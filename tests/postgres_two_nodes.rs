//! Two API nodes on one PostgreSQL log, as a deployment behind a load balancer
//! runs them: `reestr serve` twice on the same database, every command sent to
//! one of them at random. Once both have caught up with the log they answer
//! every query alike, equal a third node that folds the log from scratch, and
//! each has applied every position exactly once.

mod support;

#[path = "../eventlog/tests/postgres_support/mod.rs"]
mod postgres_support;

use std::time::{Duration, Instant};

use eventlog::{EventLog, PostgresLog};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use support::{ADMIT, Api, PASSPORT, Server, admission, branch, days_ago, reestr, register, snils};
use tempfile::TempDir;
use tokio::task::JoinSet;

use crate::postgres_support::{TestDatabase, fresh_database};

/// Clients sending commands at once, and commands each sends.
const CLIENTS: u64 = 8;
const STEPS: u64 = 30;

const TRANSFER: &str = "mutation($id: ID!, $to: ID!, $on: Date!) {
    transferMember(memberId: $id, toOrgId: $to, effectiveOn: $on) { id organization { id } } }";
const END: &str = "mutation($id: ID!, $on: Date!) {
    endMembership(memberId: $id, reason: VOLUNTARY_EXIT, effectiveOn: $on) { id status } }";
const ISSUE_CARD: &str =
    "mutation($id: ID!) { issueCard(memberId: $id, kind: VIRTUAL) { number } }";
const SUBMIT: &str =
    "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }";
const APPROVE: &str = "mutation($id: ID!, $on: Date!) {
    approveApplication(id: $id, decidedOn: $on) { id organization { id } } }";
const READ_MODELS: &str = "{ readModels { checkpoint head eventsApplied restoredFrom steady
    digests { name digest } } }";

/// A member one client looks after, and what it expects of them.
struct Member {
    id: String,
    home: String,
    admitted_days_ago: u64,
    transferred: bool,
    ended: bool,
    carded: bool,
    /// Admitted today by approval: no transfer or end can be dated after it
    /// and before today, so the client only issues it a card.
    approved: bool,
}

/// One client: commands to either node at random, each on state the client
/// made itself (so every command is valid and must succeed whichever node it
/// reaches, whatever the other node did just before).
async fn client(seed: u64, nodes: [Api; 2], admin: String, homes: Vec<String>) -> Vec<Member> {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut members: Vec<Member> = Vec::new();
    let mut applied = false;
    for step in 0..STEPS {
        let node = &nodes[rng.random_range(0..2)];
        let token = Some(admin.as_str());
        let roll = rng.random_range(0..100);
        let active: Vec<usize> = (0..members.len()).filter(|&i| !members[i].ended).collect();
        let pick = (!active.is_empty()).then(|| active[rng.random_range(0..active.len())]);
        let dated = pick.filter(|&i| !members[i].approved);
        match (roll, pick) {
            (0..40, _) | (_, None) => {
                let home = homes[rng.random_range(0..homes.len())].clone();
                let admitted_days_ago = rng.random_range(400..1500);
                let mut input = admission(
                    &home,
                    &format!("Узлова {seed}-{step}"),
                    "1985-03-04",
                    &days_ago(admitted_days_ago),
                );
                input["snils"] = json!(snils(200_000_000 + seed * 1_000 + step));
                if rng.random_bool(0.3) {
                    input["gender"] = json!("MALE");
                }
                let data = node.ok(ADMIT, json!({ "input": input }), token).await;
                members.push(Member {
                    id: data["admitMember"]["id"].as_str().unwrap().to_string(),
                    home,
                    admitted_days_ago,
                    transferred: false,
                    ended: false,
                    carded: false,
                    approved: false,
                });
            }
            (40..60, Some(_)) if dated.is_some_and(|i| !members[i].transferred) => {
                let i = dated.unwrap_or_default();
                let member = &mut members[i];
                let to = homes.iter().find(|h| **h != member.home).unwrap().clone();
                let on = days_ago(rng.random_range(200..400));
                let vars = json!({ "id": member.id, "to": to, "on": on });
                let data = node.ok(TRANSFER, vars, token).await;
                assert_eq!(data["transferMember"]["organization"]["id"], json!(to));
                member.home = to;
                member.transferred = true;
            }
            (60..72, Some(_)) if dated.is_some() => {
                let i = dated.unwrap_or_default();
                let on = days_ago(rng.random_range(10..200));
                let data = node
                    .ok(END, json!({ "id": members[i].id, "on": on }), token)
                    .await;
                assert_eq!(data["endMembership"]["status"], "ENDED");
                members[i].ended = true;
            }
            (72..84, Some(i)) if !members[i].carded => {
                let data = node
                    .ok(ISSUE_CARD, json!({ "id": members[i].id }), token)
                    .await;
                assert!(data["issueCard"]["number"].is_string());
                members[i].carded = true;
            }
            (84..92, _) if !applied => {
                // Submitted to one node, approved through either. One a
                // client, half the clients to each node: the public
                // submission limit allows five at once per address and node.
                applied = true;
                let node = &nodes[(seed % 2) as usize];
                let home = homes[rng.random_range(0..homes.len())].clone();
                let mut application =
                    admission(&home, &format!("Заявкина {seed}-{step}"), "1990-01-02", "");
                let fields = application.as_object_mut().unwrap();
                fields.remove("admittedOn");
                fields.insert("consent".into(), json!(true));
                fields.insert(
                    "snils".into(),
                    json!(snils(300_000_000 + seed * 1_000 + step)),
                );
                let submitted = node.ok(SUBMIT, json!({ "input": application }), None).await;
                let id = submitted["submitApplication"]["id"].clone();
                let approver = &nodes[rng.random_range(0..2)];
                let on = days_ago(0);
                let data = approver
                    .ok(APPROVE, json!({ "id": id, "on": on }), token)
                    .await;
                members.push(Member {
                    id: data["approveApplication"]["id"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    home,
                    admitted_days_ago: 0,
                    transferred: false,
                    ended: false,
                    carded: false,
                    approved: true,
                });
            }
            _ => {
                // Passports: every client writes the same few organisation
                // streams through both nodes, so appends conflict across
                // nodes and are decided again.
                let org = &homes[rng.random_range(0..homes.len())];
                let employees = rng.random_range(10..90);
                let input = json!({ "sector": "SCHOOL", "employees": employees, "students": 300 });
                node.ok(PASSPORT, json!({ "id": org, "input": input }), token)
                    .await;
            }
        }
    }
    members
}

/// Waits until the node has applied every event up to `head`.
async fn caught_up(node: &Server, admin: &str, head: u64) -> Value {
    let started = Instant::now();
    loop {
        let data = node.ok(READ_MODELS, json!({}), Some(admin)).await;
        if data["readModels"]["checkpoint"].as_u64() >= Some(head) {
            assert_eq!(
                data["readModels"]["steady"], true,
                "nothing is written now: {data}"
            );
            return data["readModels"].clone();
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{} did not reach position {head}: {data}",
            node.url
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Every event of the journal as `(position, id)`, page by page.
async fn journal(node: &Server, admin: &str) -> Vec<(u64, String)> {
    const PAGE: &str = "query($after: String) { events(first: 1000, after: $after) {
        edges { cursor node { position id } } pageInfo { hasNextPage } } }";
    let mut events = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = node.ok(PAGE, json!({ "after": after }), Some(admin)).await;
        let page = &data["events"];
        for edge in page["edges"].as_array().unwrap() {
            let position = edge["node"]["position"].as_u64().unwrap();
            events.push((position, edge["node"]["id"].as_str().unwrap().to_string()));
            after = edge["cursor"].clone();
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return events;
        }
    }
}

/// What the test compares between nodes: figures on several dates, with the
/// breakdown down to every primary, movement, and the member lists.
async fn answers(node: &Server, admin: &str, central: &str) -> Vec<Value> {
    const STATISTICS: &str = "query($org: ID!, $on: Date) { statistics(orgId: $org, asOf: $on) {
        knownAt members youth employees workerCoverage
        byGender { key count } byAgeBand { key count } byTenureBand { key count }
        breakdown { organization { id } members employees
            breakdown { organization { id } members breakdown { organization { id } members } } } } }";
    const MOVEMENT: &str = "query($org: ID!, $from: Date!, $to: Date!) {
        movement(orgId: $org, from: $from, to: $to) { admitted transferredIn transferredOut ended net } }";
    const MEMBERS: &str = "query($org: ID!, $status: MembershipStatus) {
        members(orgId: $org, status: $status, first: 1000) { totalCount
            edges { node { id status joinedOn endedOn organization { id } card { number } } } } }";
    let mut answers = Vec::new();
    for on in [
        None,
        Some(days_ago(100)),
        Some(days_ago(300)),
        Some(days_ago(1000)),
    ] {
        let vars = json!({ "org": central, "on": on });
        answers.push(node.ok(STATISTICS, vars, Some(admin)).await);
    }
    let vars = json!({ "org": central, "from": days_ago(1500), "to": days_ago(0) });
    answers.push(node.ok(MOVEMENT, vars, Some(admin)).await);
    for status in ["ACTIVE", "ENDED"] {
        let vars = json!({ "org": central, "status": status });
        answers.push(node.ok(MEMBERS, vars, Some(admin)).await);
    }
    answers
}

/// Two nodes on a new registry in a fresh database: the database (dropped at
/// the end), the nodes, the CENTRAL organisation and the root ADMIN's token.
/// Each node has a data directory of its own (in `dirs`), where it keeps
/// its snapshot of the read models.
async fn two_nodes() -> Option<(TestDatabase, Server, Server, String, String, TempDir)> {
    let database = fresh_database().await?;
    let init = reestr(std::path::Path::new("/nonexistent"))
        .args(["--database-url", &database.url, "init"])
        .output()
        .unwrap();
    let out = support::stdout(init);
    let central = out
        .lines()
        .next()
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    let admin = out.lines().last().unwrap().to_string();
    let dirs = TempDir::new().unwrap();
    for node in ["a", "b"] {
        std::fs::create_dir(dirs.path().join(node)).unwrap();
    }
    let a = Server::on_database_in(&database.url, &dirs.path().join("a")).await;
    let b = Server::on_database_in(&database.url, &dirs.path().join("b")).await;
    Some((database, a, b, central, admin, dirs))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_nodes_on_one_database_serve_the_same_registry() {
    let Some((database, a, b, central, admin, dirs)) = two_nodes().await else {
        return;
    };
    let url = database.url.as_str();

    // Two regions of two primaries each, registered through either node.
    let (_, territorial_1, primary_1) = branch(&a, &admin, &central, 11).await;
    let (_, territorial_2, primary_2) = branch(&b, &admin, &central, 12).await;
    let primary_3 = register(&b, &admin, &territorial_1, "Лицей 11", "PRIMARY", None).await;
    let primary_4 = register(&a, &admin, &territorial_2, "Лицей 12", "PRIMARY", None).await;
    let homes = vec![primary_1, primary_2, primary_3, primary_4];

    let mut clients = JoinSet::new();
    for seed in 0..CLIENTS {
        let nodes = [a.api(), b.api()];
        clients.spawn(client(seed, nodes, admin.clone(), homes.clone()));
    }
    let members: Vec<Member> = clients.join_all().await.into_iter().flatten().collect();

    // The head as the database has it, not as either node has heard of it.
    let log = PostgresLog::open(url).await.unwrap();
    let head = *log.head().borrow();
    log.shutdown().await.unwrap();
    let read_a = caught_up(&a, &admin, head).await;
    let read_b = caught_up(&b, &admin, head).await;
    for read in [&read_a, &read_b] {
        assert_eq!(read["checkpoint"], head, "{read}");
        assert_eq!(
            read["eventsApplied"], head,
            "no event skipped or applied twice: {read}"
        );
    }
    assert_eq!(read_a["digests"], read_b["digests"]);

    // Each node's journal is the log: positions 1..=head, the same events.
    let journal_a = journal(&a, &admin).await;
    let positions: Vec<u64> = journal_a.iter().map(|(position, _)| *position).collect();
    assert_eq!(positions, (1..=head).collect::<Vec<_>>());
    assert_eq!(journal_a, journal(&b, &admin).await);

    let answered = answers(&a, &admin, &central).await;
    assert_eq!(answered, answers(&b, &admin, &central).await);
    assert_eq!(answered[0]["statistics"]["knownAt"], head);

    // What the clients were told is what both nodes hold.
    let active = &answered[5]["members"];
    let ended = &answered[6]["members"];
    let expected_active = members.iter().filter(|m| !m.ended).count();
    assert_eq!(active["totalCount"], expected_active);
    assert_eq!(ended["totalCount"], members.len() - expected_active);
    for member in &members {
        let list = if member.ended { ended } else { active };
        let node = list["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|edge| edge["node"]["id"] == member.id.as_str())
            .unwrap_or_else(|| panic!("member {} is missing", member.id));
        assert_eq!(node["node"]["organization"]["id"], member.home.as_str());
        assert_eq!(node["node"]["joinedOn"], days_ago(member.admitted_days_ago));
        if !member.ended {
            assert_eq!(node["node"]["card"].is_object(), member.carded, "{node}");
        }
    }

    // A third node folding the log from position 0 holds the same models.
    let c = Server::on_database(url).await;
    let read_c = caught_up(&c, &admin, head).await;
    assert_eq!(
        read_c["digests"], read_a["digests"],
        "a rebuild equals the live nodes"
    );
    assert_eq!(answers(&c, &admin, &central).await, answered);

    // A node stopped cleanly keeps a snapshot in its own data directory and
    // starts from it again: only what came after is folded, the same models.
    assert!(a.terminate(Duration::from_secs(60)).success());
    let snapshot = dirs.path().join("a/snapshots/read-models.snapshot");
    assert!(snapshot.exists(), "node a's snapshot");
    assert!(
        !dirs
            .path()
            .join("b/snapshots/read-models.snapshot")
            .exists()
    );
    let head = {
        let log = PostgresLog::open(url).await.unwrap();
        let head = *log.head().borrow();
        log.shutdown().await.unwrap();
        head
    };
    let a = Server::on_database_in(url, &dirs.path().join("a")).await;
    let read_a = caught_up(&a, &admin, head).await;
    assert!(read_a["restoredFrom"].as_u64().unwrap() > 0, "{read_a}");
    assert_eq!(
        read_a["checkpoint"].as_u64().unwrap(),
        read_a["restoredFrom"].as_u64().unwrap() + read_a["eventsApplied"].as_u64().unwrap()
    );
    let read_c = caught_up(&c, &admin, head).await;
    assert_eq!(
        read_a["digests"], read_c["digests"],
        "restored equals rebuilt"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_person_per_snils_and_fresh_tokens_across_nodes() {
    let Some((_database, a, b, central, admin, _dirs)) = two_nodes().await else {
        return;
    };
    let (_, _, primary) = branch(&a, &admin, &central, 21).await;

    // A chair granted through one node works on the other at once.
    let (_, chair) = support::grant(&a, &admin, "CHAIR", &primary, "Председатель").await;
    let viewer = b.ok("{ viewer { role } }", json!({}), Some(&chair)).await;
    assert_eq!(viewer["viewer"]["role"], "CHAIR");

    // Each SNILS admitted four times at once, twice through each node: one
    // person each, whichever node answers first; the others are refused.
    const PEOPLE: u64 = 6;
    let mut admissions = JoinSet::new();
    for person in 0..PEOPLE {
        for attempt in 0..4 {
            let node = if attempt % 2 == 0 { a.api() } else { b.api() };
            let mut input = admission(
                &primary,
                &format!("Двойникова {person}"),
                "1979-05-06",
                &days_ago(30),
            );
            input["snils"] = json!(snils(400_000_000 + person));
            let token = chair.clone();
            admissions.spawn(async move {
                let answer = node
                    .graphql(ADMIT, json!({ "input": input }), Some(&token))
                    .await;
                (person, answer)
            });
        }
    }
    let mut admitted = vec![Vec::new(); PEOPLE as usize];
    for (person, answer) in admissions.join_all().await {
        match answer["data"]["admitMember"]["id"].as_str() {
            Some(id) => admitted[person as usize].push(id.to_string()),
            None => {
                let error = &answer["errors"][0]["extensions"];
                assert_eq!(error["code"], "RULE_VIOLATION", "{answer}");
            }
        }
    }
    for (person, ids) in admitted.iter().enumerate() {
        assert_eq!(
            ids.len(),
            1,
            "SNILS {person} was admitted {} times: {ids:?}",
            ids.len()
        );
    }
    let members = "query($org: ID!) { members(orgId: $org) { totalCount } }";
    for node in [&a, &b] {
        let started = Instant::now();
        loop {
            let data = node
                .ok(members, json!({ "org": primary }), Some(&chair))
                .await;
            if data["members"]["totalCount"] == PEOPLE {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "{data}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
