//! Consultations through the real pages in headless Chromium against a real
//! `reestr serve` with a real SMTP server (aiosmtpd): a member signs in to
//! the cabinet with the code read from the sink, asks the legal service a
//! question with a file (a blank topic first, refused beside its field);
//! the region's ADMIN finds it on the desk among the open ones, reads the
//! asker's name, answers; the member gets the answer by e-mail and sees it
//! in the cabinet; the ADMIN publishes it without the name and closes it;
//! the library's search finds the published document. Screenshots land in
//! `target/web-screenshots/`. Skipped with a warning without Chromium or
//! aiosmtpd; failing under `CI=true`.

mod browser;
mod support;

use std::time::Duration;

use browser::{Browser, Screen};
use serde_json::json;
use support::mailing::{Sink, bodies, cabinet_codes, mail_server, serve_args, until};
use support::*;

const EMAIL: &str = "sidorova@mail.ru";

async fn wait_text(browser: &Browser, css: &str, part: &str) {
    for _ in 0..100 {
        if browser.has(css).await && browser.text(css).await.contains(part) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no {part:?} in {css}: {}", browser.body().await);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_member_asks_in_the_cabinet_the_service_answers_and_publishes_it_to_the_library() {
    let Some(python) = mail_server() else { return };
    let (dir, central, admin) = init();
    let sink = Sink::start(&python, dir.path());
    let key = dir.path().join("mail.key");
    let args = serve_args(&sink, key.to_str().unwrap(), "100");
    let (server, _) = Server::run(dir.path(), &args, "GraphQL").await;
    let (region, _, school) = branch(&server, &admin, &central, 31).await;
    let (_, region_admin) = grant(&server, &admin, "ADMIN", &region, "Юрист региона").await;
    let snils = snils(334_455_667);
    let mut input = admission(&school, "Сидорова", "1982-05-06", "2012-09-01");
    input["snils"] = json!(snils);
    input["email"] = json!(EMAIL);
    admit(&server, &admin, input).await;
    let origin = server.url.clone();
    let Some(browser) = browser::start(Screen::Desktop).await else {
        return;
    };

    // The member signs in with the code from the mail.
    browser.open(&format!("{origin}/cabinet")).await;
    browser.fill("#snils", &snils).await;
    browser.fill("#email", EMAIL).await;
    browser.click("#send-code").await;
    browser.find("#code-sent").await;
    until(Duration::from_secs(30), "the code's message", async || {
        !cabinet_codes(&sink.dir, EMAIL).is_empty()
    })
    .await;
    let code = cabinet_codes(&sink.dir, EMAIL).pop().unwrap();
    browser.fill("#code", &code).await;
    browser.click("#sign-in").await;
    browser.find("#cabinet-name").await;
    browser.click("#consultations-link").await;
    browser.find("#ask").await;
    assert!(browser.has("#no-questions").await);

    // A blank topic is refused beside its field, the text kept.
    browser.choose("#service", "LEGAL").await;
    browser
        .fill(
            "#text",
            "Положена ли мне доплата за работу в сельской местности?",
        )
        .await;
    browser.click("#ask-submit").await;
    wait_text(&browser, "#topic-error", "Укажите тему").await;
    assert!(browser.text("#text").await.contains("сельской местности"));
    browser.screenshot("consultation-1-ask-error").await;

    let attached = dir.path().join("справка.txt");
    std::fs::write(&attached, "Справка о стаже работы в сельской школе").unwrap();
    browser.fill("#topic", "Сельская надбавка").await;
    browser
        .find("#file")
        .await
        .send_keys(attached.to_str().unwrap())
        .await
        .unwrap();
    browser.click("#ask-submit").await;
    wait_text(&browser, "#topic", "Сельская надбавка").await;
    assert!(browser.text("#state").await.contains("Ждёт ответа"));
    assert!(browser.text("#attachment").await.contains("справка.txt"));
    assert!(
        !browser.has("#asker").await,
        "the asker sees no name of theirs"
    );
    assert!(!browser.has("#answer-form").await);
    let thread_url = browser.url().await;
    browser.screenshot("consultation-2-asked").await;
    browser.assert_self_contained(&origin).await;
    browser.click("#signout").await;

    // The region's ADMIN: the desk, the thread, the answer.
    browser.sign_in(&origin, &region_admin).await;
    browser.open(&format!("{origin}/desk/consultations")).await;
    wait_text(&browser, "#questions", "Сельская надбавка").await;
    assert!(browser.text("#questions").await.contains("Сидорова"));
    browser.screenshot("consultation-3-desk").await;
    browser.click("#tab-answered").await;
    browser.find("#no-questions").await;
    browser.click("#tab-open").await;
    browser.click("#questions a").await;
    wait_text(&browser, "#asker", "Сидорова").await;
    let (status, _, bytes) = browser
        .download(&format!("{}/attachment", thread_url.trim_end_matches('/')))
        .await;
    assert_eq!(status, 200);
    assert!(String::from_utf8(bytes).unwrap().contains("сельской школе"));
    browser.click("#answer-submit").await;
    wait_text(&browser, "#text-error", "Напишите текст").await;
    let answer = "Да: повышение оклада на 25 % установлено статьёй 20 закона об образовании.";
    browser.fill("#answer-text", answer).await;
    browser.click("#answer-submit").await;
    wait_text(&browser, "#answer-1", "25 %").await;
    assert!(browser.text("#state").await.contains("Есть ответ"));
    browser.screenshot("consultation-4-answered").await;

    // The asker is told by e-mail.
    until(Duration::from_secs(30), "the answer's e-mail", async || {
        !bodies(&sink.dir, EMAIL, "Ответ на ваш вопрос").is_empty()
    })
    .await;
    let mail = bodies(&sink.dir, EMAIL, "Ответ на ваш вопрос")
        .pop()
        .unwrap();
    assert!(
        mail.contains("Сельская надбавка") && mail.contains("25 %"),
        "{mail}"
    );

    // Published without the name (the ADMIN edits it out), then closed.
    browser
        .fill(
            "#publish-question",
            "Положена ли доплата учителю сельской школы?",
        )
        .await;
    browser.screenshot("consultation-5-publish-form").await;
    browser.click("#publish-submit").await;
    wait_text(&browser, "#published", "Опубликовано").await;
    browser.click("#close-submit").await;
    wait_text(&browser, "#state", "Закрыт").await;
    assert!(!browser.has("#answer-form").await);
    browser
        .open(&format!("{origin}/library?q=доплаты+сельских+учителей"))
        .await;
    wait_text(&browser, "main", "Консультация: Сельская надбавка").await;
    browser.screenshot("consultation-6-library").await;
    browser.sign_out().await;

    // The member sees the answer in the cabinet.
    browser.open(&format!("{origin}/cabinet")).await;
    browser.fill("#snils", &snils).await;
    browser.fill("#email", EMAIL).await;
    browser.click("#send-code").await;
    until(Duration::from_secs(30), "the second code", async || {
        cabinet_codes(&sink.dir, EMAIL).len() >= 2
    })
    .await;
    let code = cabinet_codes(&sink.dir, EMAIL).pop().unwrap();
    browser.fill("#code", &code).await;
    browser.click("#sign-in").await;
    browser.find("#cabinet-name").await;
    browser
        .open(&format!("{origin}/cabinet/consultations"))
        .await;
    wait_text(&browser, "#my-questions", "Закрыт").await;
    browser.click("#my-questions a").await;
    wait_text(&browser, "#answer-1", "25 %").await;
    assert!(browser.has("#published").await);
    browser.screenshot("consultation-7-cabinet-thread").await;
    browser.close().await;
}
