//! The member's cabinet in a real headless Chromium against a real `reestr
//! serve` with a real SMTP server (aiosmtpd): a member asks for a code, the
//! test reads it from the message, signs in, sees history, tenure and card,
//! changes the phone, unsubscribes and asks for erasure, which the chair
//! confirms on the desk; unknown details get the same page and no mail; a
//! wrong code, an expired one and too many tries are refused in Russian.
//! Skipped with a warning without Chromium or aiosmtpd; failing under `CI=true`.

mod browser;
mod support;

use std::time::Duration;

use browser::{Browser, Screen};
use serde_json::json;
use support::mailing::{Sink, cabinet_codes, mail_server, messages, serve_args, until};
use support::*;

const EMAIL: &str = "ivanova@mail.ru";

/// A served registry with a school, its chair and a member with SNILS,
/// e-mail and a card: (dir, sink, server, admin, chair, member id, SNILS, school).
async fn registry(
    python: &str,
    extra: &[&str],
) -> (
    tempfile::TempDir,
    Sink,
    Server,
    String,
    String,
    String,
    String,
    String,
) {
    let (dir, central, admin) = init();
    let sink = Sink::start(python, dir.path());
    let key = dir.path().join("mail.key");
    let mut args = serve_args(&sink, key.to_str().unwrap(), "100");
    args.extend_from_slice(extra);
    let (server, _) = Server::run(dir.path(), &args, "GraphQL").await;
    let (_, _, school) = branch(&server, &admin, &central, 12).await;
    let (_, chair) = grant(&server, &admin, "CHAIR", &school, "Петрова Н. В.").await;
    let snils = snils(223_344_556);
    let mut input = admission(&school, "Иванова", "1980-02-03", "2010-09-01");
    input["snils"] = json!(snils);
    input["email"] = json!(EMAIL);
    input["phone"] = json!("+7 900 000-00-01");
    input["issueCard"] = json!("VIRTUAL");
    let member = admit(&server, &admin, input).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    (dir, sink, server, admin, chair, member, snils, school)
}

/// Asks for a code on the cabinet's page; the page's visible text.
async fn ask(browser: &Browser, origin: &str, snils: &str, email: &str) -> String {
    browser.open(&format!("{origin}/cabinet")).await;
    browser.fill("#snils", snils).await;
    browser.fill("#email", email).await;
    browser.click("#send-code").await;
    browser.find("#code-sent").await;
    browser.text("main").await
}

async fn enter(browser: &Browser, code: &str) {
    browser.fill("#code", code).await;
    browser.click("#sign-in").await;
}

async fn nth_code(sink: &Sink, n: usize) -> String {
    until(Duration::from_secs(30), "the code's message", async || {
        cabinet_codes(&sink.dir, EMAIL).len() >= n
    })
    .await;
    cabinet_codes(&sink.dir, EMAIL)[n - 1].clone()
}

fn other_than(code: &str) -> &'static str {
    if code == "000000" { "111111" } else { "000000" }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_signs_in_with_a_code_from_the_mail_and_the_chair_confirms_their_erasure() {
    let Some(python) = mail_server() else { return };
    let (_dir, sink, server, admin, chair, member, snils, school) = registry(&python, &[]).await;
    let origin = server.url.clone();
    let Some(browser) = browser::start(Screen::Phone).await else {
        return;
    };

    // Nobody's details: the same page as a member's, and no mail.
    let nobody = ask(
        &browser,
        &origin,
        &support::snils(887_766_554),
        "nobody@mail.ru",
    )
    .await;
    let known = ask(&browser, &origin, &snils, EMAIL).await;
    assert_eq!(nobody, known);
    let code = nth_code(&sink, 1).await;
    assert!(messages(&sink.dir).iter().all(|m| m.to == EMAIL));
    browser.screenshot("cabinet-code").await;

    enter(&browser, other_than(&code)).await;
    assert!(
        browser
            .text("#cabinet-error")
            .await
            .contains("Код не подошёл"),
        "{}",
        browser.body().await
    );
    enter(&browser, &code).await;
    assert!(browser.text("#cabinet-name").await.contains("Иванова"));
    assert!(browser.text("#tenure").await.contains("стаж"));
    assert!(browser.text("#organization").await.contains("Школа 12"));
    assert!(browser.text("#card-number").await.contains("№"));
    assert!(!browser.text("#history").await.is_empty());
    browser.screenshot("cabinet").await;

    // The card page of their own, and nobody else's member page.
    browser.click("#card-page").await;
    browser.find("#union-card").await;
    browser.open(&format!("{origin}/cabinet")).await;

    browser.fill("#phone", "+7 900 123-45-67").await;
    browser.click("#save-contacts").await;
    assert!(
        browser
            .text("#cabinet-notice")
            .await
            .contains("Контакты сохранены")
    );
    assert_eq!(browser.value("#phone").await, "+7 900 123-45-67");
    browser.click("#unsubscribe").await;
    assert!(browser.text("#mailings-state").await.contains("отказались"));
    browser.click("#request-erasure").await;
    assert!(
        browser
            .text("#erasure-state")
            .await
            .contains("Запрос на удаление отправлен")
    );
    let phone = server
        .ok(
            "query($id: ID!) { member(id: $id) { phone } }",
            json!({ "id": member }),
            Some(&admin),
        )
        .await;
    assert_eq!(phone["member"]["phone"], "+7 900 123-45-67");
    browser.click("#signout").await;
    browser.find("header a[href='/signin']").await;

    // The chair sees the request on the desk and confirms it.
    browser.sign_in(&origin, &chair).await;
    browser.open(&format!("{origin}/desk/erasures")).await;
    browser
        .wait_for_attr(".erasure-request", "data-member", &member)
        .await;
    browser.screenshot("cabinet-erasure-desk").await;
    browser.click(".confirm-erasure").await;
    browser.find("#no-erasures").await;
    let gone = server
        .ok(
            "query($id: ID!) { member(id: $id) { erased lastName email phone } }",
            json!({ "id": member }),
            Some(&admin),
        )
        .await;
    assert_eq!(
        gone["member"],
        json!({ "erased": true, "lastName": null, "email": null, "phone": null })
    );

    // The chair chooses a daily digest of new applications on the desk.
    browser.open(&format!("{origin}/desk/org/{school}")).await;
    assert!(browser.text("#digest-state").await.contains("каждое сразу"));
    browser.click("#digest-toggle").await;
    for _ in 0..50 {
        if browser
            .text("#digest-state")
            .await
            .contains("одним письмом")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        browser
            .text("#digest-state")
            .await
            .contains("одним письмом")
    );
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_code_and_too_many_tries_are_refused_in_russian() {
    let Some(python) = mail_server() else { return };
    let (_dir, sink, server, _, _, _, snils, _) =
        registry(&python, &["--cabinet-code-seconds", "1"]).await;
    let origin = server.url.clone();
    let Some(browser) = browser::start(Screen::Desktop).await else {
        return;
    };
    ask(&browser, &origin, &snils, EMAIL).await;
    let code = nth_code(&sink, 1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    enter(&browser, &code).await;
    assert!(
        browser
            .text("#cabinet-error")
            .await
            .contains("Срок действия кода истёк"),
        "{}",
        browser.body().await
    );
    for _ in 1..5 {
        enter(&browser, other_than(&code)).await;
        assert!(
            browser
                .text("#cabinet-error")
                .await
                .contains("Код не подошёл")
        );
    }
    enter(&browser, &code).await;
    assert!(
        browser
            .text("#cabinet-error")
            .await
            .contains("Слишком много попыток"),
        "{}",
        browser.body().await
    );
    browser.close().await;
}
