//! Mailings end to end: a real `reestr serve` sending a campaign to a
//! generated union's region over SMTP to a real server (aiosmtpd, started by
//! the test from `tests/tools/smtp_sink.py`), the SMTP server killed and
//! restarted mid-campaign, `reestr` killed with SIGKILL and restarted
//! mid-campaign; then every recipient with an address got the message, each
//! recipient's copies are one message (one Message-ID), and nobody who
//! unsubscribed or was erased got one. Skipped with a warning where python3
//! lacks aiosmtpd; failing under `CI=true` (`.ci/run` installs it).

mod support;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use serde_json::{Value, json};
use support::mailing::{SCHEDULE, Sink, mail_server, mailing, messages, serve_args, until};
use support::{Server, stdout};
use tempfile::TempDir;

const GENERATE: [&str; 5] = ["generate", "--members", "5000", "--seed", "3"];

/// The largest region and the root ADMIN's token.
async fn region(server: &Server, admin: &str) -> String {
    let data = server
        .ok(
            "{ organizations(level: REGIONAL, first: 200) { edges { node { id memberCount } } } }",
            json!({}),
            Some(admin),
        )
        .await;
    let regions = data["organizations"]["edges"].as_array().unwrap();
    let largest = regions
        .iter()
        .max_by_key(|e| e["node"]["memberCount"].as_i64().unwrap())
        .unwrap();
    largest["node"]["id"].as_str().unwrap().to_string()
}

/// Every active member of `org`'s subtree: id and e-mail.
async fn members(server: &Server, admin: &str, org: &str) -> Vec<(String, Option<String>)> {
    let mut all = vec![];
    let mut after = Value::Null;
    loop {
        let data = server
            .ok(
                "query($org: ID!, $after: String) { members(orgId: $org, first: 500, after: $after) {
                    edges { node { id email } } pageInfo { hasNextPage endCursor } } }",
                json!({ "org": org, "after": after }),
                Some(admin),
            )
            .await;
        let page = &data["members"];
        for edge in page["edges"].as_array().unwrap() {
            let node = &edge["node"];
            all.push((
                node["id"].as_str().unwrap().to_string(),
                node["email"].as_str().map(str::to_string),
            ));
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return all;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_campaign_survives_a_dead_smtp_server_and_a_killed_reestr() {
    let Some(python) = mail_server() else { return };
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let out = stdout(support::reestr(&data).args(GENERATE).output().unwrap());
    let admin = out.lines().last().unwrap().to_string();
    let key = dir.path().join("mail.key");
    let key = key.to_str().unwrap();
    let mut sink = Sink::start(&python, dir.path());
    let (server, _) = Server::run(&data, &serve_args(&sink, key, "2000"), "GraphQL").await;
    let region = region(&server, &admin).await;
    let people = members(&server, &admin, &region).await;
    let with_address: Vec<&(String, Option<String>)> =
        people.iter().filter(|(_, e)| e.is_some()).collect();
    assert!(
        with_address.len() > 100,
        "a region of {} with addresses",
        with_address.len()
    );

    // A first mailing to one member's own organisation, to get a real link.
    let first = &with_address[0];
    let home = server
        .ok(
            "query($id: ID!) { member(id: $id) { organization { id } } }",
            json!({ "id": first.0 }),
            Some(&admin),
        )
        .await["member"]["organization"]["id"]
        .clone();
    let small = server
        .ok(
            SCHEDULE,
            json!({ "input": { "orgId": home, "subject": "Проверка", "body": "Текст" } }),
            Some(&admin),
        )
        .await["scheduleMailing"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    until(Duration::from_secs(30), "the first mailing", async || {
        mailing(&server, &admin, &small).await["status"] == "FINISHED"
    })
    .await;
    let to_first = messages(&sink.dir)
        .into_iter()
        .find(|m| m.to == *first.1.as_ref().unwrap())
        .expect("the first member got the first mailing");
    let link = to_first
        .unsubscribe
        .expect("a member's message has List-Unsubscribe");
    // The page asks first (a link scanner's GET unsubscribes nobody).
    let page = reqwest::get(&link).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.text()
            .await
            .unwrap()
            .contains("Отказаться от рассылок")
    );
    // A mail client's one-click unsubscribe (RFC 8058).
    let clicked = reqwest::Client::new()
        .post(&link)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), 200);
    let forged = format!("{}x", link.trim_end_matches(|c| c != '.'));
    let refused = reqwest::Client::new()
        .post(&forged)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400, "a forged link unsubscribes nobody");
    assert!(refused.text().await.unwrap().contains("Ссылка не подошла"));
    sink.clear();

    // The campaign, slowly enough to be interrupted twice.
    drop(server);
    let (server, _) = Server::run(&data, &serve_args(&sink, key, "60"), "GraphQL").await;
    let campaign = server
        .ok(
            SCHEDULE,
            json!({ "input": { "orgId": region, "subject": "Собрание актива", "body": "# Приглашение\n\nПриходите **в среду**." } }),
            Some(&admin),
        )
        .await["scheduleMailing"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    until(Duration::from_secs(30), "recipients listed", async || {
        mailing(&server, &admin, &campaign).await["recipients"].as_i64() > Some(0)
    })
    .await;
    // Erased while their message is pending: the last of the list.
    let erased = with_address.last().unwrap();
    server
        .ok(
            "mutation($id: ID!) { erasePersonalData(memberId: $id, basis: \"заявление\") { id } }",
            json!({ "id": erased.0 }),
            Some(&admin),
        )
        .await;
    until(Duration::from_secs(60), "a third sent", async || {
        messages(&sink.dir).len() > with_address.len() / 3
    })
    .await;
    drop(server); // SIGKILL mid-campaign
    let (server, _) = Server::run(&data, &serve_args(&sink, key, "60"), "GraphQL").await;
    until(Duration::from_secs(60), "two thirds sent", async || {
        messages(&sink.dir).len() > with_address.len() * 2 / 3
    })
    .await;
    sink.kill(); // the SMTP server dies mid-campaign
    tokio::time::sleep(Duration::from_secs(3)).await;
    sink.restart();
    until(
        Duration::from_secs(120),
        "the campaign finished",
        async || mailing(&server, &admin, &campaign).await["status"] == "FINISHED",
    )
    .await;

    let got = messages(&sink.dir);
    // Message-ID `<mailing.m<person>@reestr>`: one per recipient, whatever
    // the copies (people may share an address).
    let simple = |id: &str| id.replace('-', "");
    let mut by_person: HashMap<String, HashSet<&str>> = HashMap::new();
    for message in &got {
        assert_eq!(message.subject, "Собрание актива");
        let person = message
            .message_id
            .split_once(".m")
            .and_then(|(_, rest)| rest.split_once('@'))
            .map(|(person, _)| person.to_string())
            .unwrap_or_else(|| panic!("{}", message.message_id));
        by_person.entry(person).or_default().insert(&message.to);
    }
    assert!(
        !by_person.contains_key(&simple(&first.0)),
        "the unsubscribed member got the campaign"
    );
    assert!(
        !by_person.contains_key(&simple(&erased.0)),
        "the erased member got the campaign"
    );
    let expected: HashMap<String, &str> = with_address
        .iter()
        .filter(|(id, _)| *id != first.0 && *id != erased.0)
        .map(|(id, e)| (simple(id), e.as_deref().unwrap()))
        .collect();
    let received: HashSet<&String> = by_person.keys().collect();
    assert_eq!(
        received,
        expected.keys().collect::<HashSet<_>>(),
        "every recipient with an address got the campaign"
    );
    for (person, to) in &by_person {
        assert_eq!(
            to.iter().copied().collect::<Vec<_>>(),
            vec![expected[person]]
        );
    }
    // At least once to SMTP: a batch sent and not recorded when reestr was
    // killed goes again (same Message-ID); no more than one batch.
    let resent = got.len() - expected.len();
    assert!(resent <= 25, "{resent} copies sent again");
    let view = mailing(&server, &admin, &campaign).await;
    assert_eq!(view["sent"].as_u64(), Some(expected.len() as u64), "{view}");
    assert_eq!(view["queued"], 0);
    assert_eq!(
        view["recipients"].as_i64().unwrap(),
        people.len() as i64,
        "every active member is listed once"
    );
    assert!(
        view["skipped"].as_i64().unwrap() >= (people.len() - with_address.len()) as i64 + 2,
        "{view}"
    );
    // Per recipient: the statuses, a page at a time, agree with the sink.
    let mut statuses: HashMap<String, String> = HashMap::new();
    let mut after = Value::Null;
    loop {
        let data = server
            .ok(
                "query($after: String) { mailings { id recipientStatuses(first: 500, after: $after) {
                    nodes { memberId status } endCursor hasNextPage totalCount } } }",
                json!({ "after": after }),
                Some(&admin),
            )
            .await;
        let page = data["mailings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == campaign.as_str())
            .unwrap()["recipientStatuses"]
            .clone();
        for node in page["nodes"].as_array().unwrap() {
            statuses.insert(
                simple(node["memberId"].as_str().unwrap()),
                node["status"].as_str().unwrap().to_string(),
            );
        }
        if page["hasNextPage"] != true {
            break;
        }
        after = page["endCursor"].clone();
    }
    assert_eq!(statuses.len(), people.len());
    assert_eq!(statuses[&simple(&first.0)], "SKIPPED_UNSUBSCRIBED");
    assert_eq!(statuses[&simple(&erased.0)], "SKIPPED_ERASED");
    for (id, email) in &people {
        let status = &statuses[&simple(id)];
        match email {
            None => assert_eq!(status, "SKIPPED_NO_ADDRESS"),
            Some(_) if expected.contains_key(&simple(id)) => assert_eq!(status, "SENT"),
            Some(_) => assert!(status.starts_with("SKIPPED")),
        }
    }
    eprintln!("campaign: {view}; {resent} copies sent again after the kill");
}
