//! Moving in from the admin page, in a real headless Chromium against a real
//! `reestr serve`: the root ADMIN uploads the organisations' and members'
//! tables; a file with a bad row writes nothing and shows the row and its
//! report (XLSX, read back); the good rows alone on request are written and
//! counted by the API; the same files again write nothing; an ANALYST gets
//! no upload form. Screenshots land in `target/web-screenshots/`.

mod browser;
mod support;

use browser::Screen;
use serde_json::json;
use support::*;

const ORGS: &str = "Код;Наименование;Уровень;Код вышестоящей;Код региона;Дата создания;Тип организации;Работников\n\
    ЦС;Профсоюз;центральная;;;;;\n\
    Р77;Московская организация;региональная;ЦС;77;;;\n\
    Т1;Районная организация;территориальная;Р77;;01.01.2000;;\n\
    П1;ППО школы № 1;первичная;Т1;;01.09.2001;общее;40\n";

fn members() -> String {
    let mut text = String::from(
        "Код члена;Код организации;Фамилия;Имя;Пол;Дата рождения;СНИЛС;Категория;Дата вступления\n",
    );
    text += &format!(
        "м1;П1;Петрова;Мария;ж;14.03.1985;{};работник;01.09.2015\n",
        snils(301)
    );
    text += "м2;П1;Иванова;Анна;ж;01.02.1980;112-233-445 96;работник;01.09.2015\n";
    text += "м3;П1;Орлова;Ирина;ж;05.06.1990;;работник;01.09.2016\n";
    text
}

/// Uploads the two files with `mode` and waits for the job to end.
async fn upload(browser: &browser::Browser, origin: &str, dir: &std::path::Path, mode: &str) {
    browser.open(&format!("{origin}/admin/import")).await;
    let orgs = dir.join("организации.csv");
    let members = dir.join("члены.csv");
    browser
        .find("#import-orgs")
        .await
        .send_keys(orgs.to_str().unwrap())
        .await
        .unwrap();
    browser
        .find("#import-members")
        .await
        .send_keys(members.to_str().unwrap())
        .await
        .unwrap();
    browser
        .click(&format!("input[name=mode][value={mode}]"))
        .await;
    browser.click("#import-submit").await;
    browser
        .wait_for_attr("#import-state", "data-state", "done")
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_registry_is_uploaded_on_the_admin_page_checked_reported_and_written_once() {
    let (dir, server, central, admin) = started().await;
    let (_, analyst) = grant(&server, &admin, "ANALYST", &central, "Аналитик").await;
    std::fs::write(dir.path().join("организации.csv"), ORGS).unwrap();
    std::fs::write(dir.path().join("члены.csv"), members()).unwrap();
    let origin = server.url.clone();
    let Some(browser) = browser::start(Screen::Desktop).await else {
        return;
    };
    browser.sign_in(&origin, &admin).await;
    browser.open(&format!("{origin}/admin")).await;
    browser.click("#to-import").await;
    browser.find("#import").await;
    browser.screenshot("import-form").await;

    // All or nothing: one bad SNILS, nothing written, the row named.
    upload(&browser, &origin, dir.path(), "all").await;
    browser.screenshot("import-bad-row").await;
    let state = browser.find("#import-state").await;
    assert_eq!(state.attr("data-bad").await.unwrap().as_deref(), Some("1"));
    assert_eq!(
        state.attr("data-written").await.unwrap().as_deref(),
        Some("0")
    );
    let rows = browser.text("#bad-rows tbody").await;
    assert!(
        rows.contains("члены.csv") && rows.contains("СНИЛС") && rows.contains("контрольное число"),
        "{rows}"
    );
    let report = browser
        .find("#import-report")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (status, content_type, bytes) = browser.download(&format!("{origin}{report}")).await;
    assert_eq!(status, 200);
    assert!(content_type.contains("spreadsheetml"), "{content_type}");
    let text = browser::xlsx_text(&bytes);
    assert!(
        text.contains("контрольное число") && text.contains("члены.csv"),
        "{text}"
    );
    let count = "query($id: ID!) { organization(id: $id) { memberCount } }";
    let members_now = |data: serde_json::Value| data["organization"]["memberCount"].clone();
    assert_eq!(
        members_now(
            server
                .ok(count, json!({ "id": central }), Some(&admin))
                .await
        ),
        0,
        "a refused upload wrote nothing"
    );

    // The good rows alone: two members, counted by the API.
    upload(&browser, &origin, dir.path(), "skip").await;
    let state = browser.find("#import-state").await;
    assert_eq!(
        state.attr("data-written").await.unwrap().as_deref(),
        Some("2")
    );
    assert_eq!(
        members_now(
            server
                .ok(count, json!({ "id": central }), Some(&admin))
                .await
        ),
        2
    );
    // The same files again write nothing.
    upload(&browser, &origin, dir.path(), "skip").await;
    let state = browser.find("#import-state").await;
    assert_eq!(
        state.attr("data-written").await.unwrap().as_deref(),
        Some("0")
    );
    assert_eq!(
        members_now(
            server
                .ok(count, json!({ "id": central }), Some(&admin))
                .await
        ),
        2
    );
    browser.open(&format!("{origin}/admin/import")).await;
    let list = browser.text("#imports").await;
    assert_eq!(list.matches("члены.csv").count(), 3, "{list}");
    browser.assert_self_contained(&origin).await;

    // An ANALYST reads figures; the upload is not theirs.
    browser.sign_out().await;
    browser.sign_in(&origin, &analyst).await;
    browser.open(&format!("{origin}/admin/import")).await;
    let body = browser.body().await;
    assert!(!browser.has("#import").await, "{body}");
    assert!(body.contains("недоступно"), "{body}");
    browser.close().await;
}
