//! The chair's daily digest of new applications, through a real SMTP server
//! (aiosmtpd): with the digest chosen, two applications of one day are one
//! message the next morning listing both, and restarts do not send it again.
//! The registry's calendar is its local time, so the day changes between
//! two starts by their time zone (`TZ`): 24 hours apart, whatever the hour.
//! Skipped with a warning without aiosmtpd; failing under `CI=true`.

mod support;

use std::time::Duration;

use serde_json::json;
use support::Server;
use support::mailing::{Sink, bodies, mail_server, messages, serve_args, until};

/// A day behind UTC and a day ahead (POSIX: the offset is west of UTC).
const YESTERDAY: &str = "UTC+11";
const TOMORROW: &str = "UTC-13";
const CHAIR: &str = "chair@school7.test";

fn digests(sink: &Sink) -> Vec<String> {
    messages(&sink.dir)
        .into_iter()
        .filter(|m| m.to == CHAIR && m.subject.starts_with("Новые заявления"))
        .map(|m| m.subject)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applications_of_a_day_are_one_digest_sent_once() {
    let Some(python) = mail_server() else { return };
    let (dir, central, admin) = support::init();
    let sink = Sink::start(&python, dir.path());
    let key = dir.path().join("mail.key");
    let mut args = serve_args(&sink, key.to_str().unwrap(), "100");
    args.extend(["--digest-hour", "0"]);
    let start = async |tz: &str| {
        Server::run_with_env(dir.path(), &args, "GraphQL", &[("TZ", tz)])
            .await
            .0
    };
    let server = start(YESTERDAY).await;
    let (_, _, school) = support::branch(&server, &admin, &central, 7).await;
    let passport = json!({ "sector": "SCHOOL", "chairName": "Петрова Н. В.", "email": CHAIR });
    server
        .ok(
            support::PASSPORT,
            json!({ "id": school, "input": passport }),
            Some(&admin),
        )
        .await;
    let chosen = server
        .ok(
            "mutation($o: ID!) { setApplicationDigest(orgId: $o, daily: true) }",
            json!({ "o": school }),
            Some(&admin),
        )
        .await;
    assert_eq!(chosen["setApplicationDigest"], true);
    let mut ids = vec![];
    for (last, email) in [
        ("Соколова", "sokolova@mail.ru"),
        ("Орлова", "orlova@mail.ru"),
    ] {
        let input = json!({ "input": {
            "orgId": school, "lastName": last, "firstName": "Мария", "gender": "FEMALE",
            "birthDate": "1990-05-06", "email": email, "category": "WORKER", "consent": true } });
        let data = server
            .ok(
                "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }",
                input,
                None,
            )
            .await;
        ids.push(
            data["submitApplication"]["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // The receipts go out; the chair hears nothing until the day is over.
    until(Duration::from_secs(30), "the receipts", async || {
        messages(&sink.dir).len() >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        messages(&sink.dir).iter().all(|m| m.to != CHAIR),
        "{:?}",
        messages(&sink.dir)
    );
    server.terminate(Duration::from_secs(20));

    // The next morning: one digest with both.
    let server = start(TOMORROW).await;
    until(Duration::from_secs(30), "the digest", async || {
        !digests(&sink).is_empty()
    })
    .await;
    server.terminate(Duration::from_secs(20));
    let server = start(TOMORROW).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let sent = digests(&sink);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].ends_with(": 2"), "{sent:?}");
    let subject = &sent[0];
    let body = &bodies(&sink.dir, CHAIR, subject)[0];
    for id in &ids {
        assert!(body.contains(id.as_str()), "{id} not in {body}");
    }
    drop(server);
}
