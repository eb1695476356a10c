//! Notifications end to end, through a real SMTP server (aiosmtpd, as in
//! `tests/mailing.rs`): the applicant's receipt and decision, the chair's
//! new application, the member's card; a mailing to activists and its
//! progress as a subscription. Skipped with a warning without aiosmtpd;
//! failing under `CI=true`.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use serde_json::{Value, json};
use support::Server;
use support::mailing::{SCHEDULE, Sink, mail_server, mailing, messages, serve_args, until};

/// Notifications: the applicant gets the receipt and the decision, the
/// chair named in the passport gets the new application, the member the card
/// issue; once each, in Russian.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_reach_the_applicant_the_chair_and_the_member() {
    let Some(python) = mail_server() else { return };
    let (dir, central, admin) = support::init();
    let sink = Sink::start(&python, dir.path());
    let key = dir.path().join("mail.key");
    let (server, _) = Server::run(
        dir.path(),
        &serve_args(&sink, key.to_str().unwrap(), "100"),
        "GraphQL",
    )
    .await;
    let (_, _, school) = support::branch(&server, &admin, &central, 7).await;
    let passport = json!({ "sector": "SCHOOL", "employees": 40, "chairName": "Петрова Н. В.", "email": "chair@school7.test" });
    server
        .ok(
            support::PASSPORT,
            json!({ "id": school, "input": passport }),
            Some(&admin),
        )
        .await;
    let apply = |last: &str, email: &str| {
        json!({ "input": {
            "orgId": school, "lastName": last, "firstName": "Мария", "gender": "FEMALE",
            "birthDate": "1990-05-06", "email": email, "category": "WORKER", "profession": "TEACHER",
            "consent": true } })
    };
    const SUBMIT: &str =
        "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }";
    let yes = server
        .ok(SUBMIT, apply("Соколова", "sokolova@mail.ru"), None)
        .await["submitApplication"]["id"]
        .clone();
    let no = server
        .ok(SUBMIT, apply("Орлова", "orlova@mail.ru"), None)
        .await["submitApplication"]["id"]
        .clone();
    let member = server
        .ok(
            "mutation($id: ID!) { approveApplication(id: $id) { id } }",
            json!({ "id": yes }),
            Some(&admin),
        )
        .await["approveApplication"]["id"]
        .clone();
    server
        .ok(
            "mutation($id: ID!) { rejectApplication(id: $id, reason: \"не работает в организации\") { id } }",
            json!({ "id": no }),
            Some(&admin),
        )
        .await;
    server
        .ok(
            "mutation($id: ID!) { issueCard(memberId: $id) { number } }",
            json!({ "id": member }),
            Some(&admin),
        )
        .await;
    let expected = [
        (
            "sokolova@mail.ru",
            "Заявление о вступлении в профсоюз принято",
        ),
        (
            "orlova@mail.ru",
            "Заявление о вступлении в профсоюз принято",
        ),
        (
            "chair@school7.test",
            "Новое заявление о вступлении в профсоюз",
        ),
        (
            "chair@school7.test",
            "Новое заявление о вступлении в профсоюз",
        ),
        ("sokolova@mail.ru", "Вы приняты в профсоюз"),
        (
            "orlova@mail.ru",
            "Заявление о вступлении в профсоюз отклонено",
        ),
        ("sokolova@mail.ru", "Вам выдан профсоюзный билет"),
    ];
    until(Duration::from_secs(30), "every notification", async || {
        messages(&sink.dir).len() >= expected.len()
    })
    .await;
    // Nothing more comes (each once).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut got: Vec<(String, String)> = messages(&sink.dir)
        .into_iter()
        .map(|m| (m.to, m.subject))
        .collect();
    got.sort();
    let mut want: Vec<(String, String)> = expected
        .iter()
        .map(|(to, subject)| (to.to_string(), subject.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want);
    let texts: Vec<String> = std::fs::read_dir(&sink.dir)
        .unwrap()
        .filter_map(|e| {
            let raw = std::fs::read(e.unwrap().path()).unwrap();
            let mail = mailparse::parse_mail(&raw).unwrap();
            let subject = mail
                .headers
                .iter()
                .find(|h| h.get_key() == "Subject")?
                .get_value();
            (subject == "Заявление о вступлении в профсоюз отклонено")
                .then(|| mail.subparts[0].get_body().unwrap())
        })
        .collect();
    let text = &texts[0];
    assert!(text.contains("не работает в организации"), "{text}");

    // Activists: the holders of roles (at their label's address) and the
    // passports' chairs of the subtree, not its members.
    support::grant(
        &server,
        &admin,
        "CHAIR",
        &school,
        "predsedatel@school7.test",
    )
    .await;
    sink.clear();
    let activists = server
        .ok(
            SCHEDULE,
            json!({ "input": { "orgId": school, "audience": "ACTIVISTS", "subject": "Актив", "body": "Совещание" } }),
            Some(&admin),
        )
        .await["scheduleMailing"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Its progress as a subscription: each change until it is finished, then complete.
    let mut socket = support::subscribe(
        &server,
        Some(&admin),
        "subscription($id: ID!) { mailingProgress(id: $id) { status recipients sent queued } }",
        json!({ "id": activists }),
    )
    .await;
    let mut last = Value::Null;
    loop {
        let message = support::next_message(&mut socket).await;
        match message["type"].as_str() {
            Some("next") => last = message["payload"]["data"]["mailingProgress"].clone(),
            Some("complete") => break,
            other => panic!("{other:?}: {message}"),
        }
    }
    assert_eq!(
        last,
        json!({ "status": "FINISHED", "recipients": 2, "sent": 2, "queued": 0 })
    );
    assert_eq!(
        mailing(&server, &admin, &activists).await["status"],
        "FINISHED"
    );
    let to: HashSet<String> = messages(&sink.dir).into_iter().map(|m| m.to).collect();
    let want: HashSet<String> = ["predsedatel@school7.test", "chair@school7.test"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(to, want);
}
