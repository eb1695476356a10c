//! The web pages in a real headless Chromium against a real `reestr serve`:
//! joining on a phone, signing in and out, the chair's desk. Screenshots land
//! in `target/web-screenshots/`. Without Chromium these tests warn and pass;
//! under `CI=true` they fail.

mod browser;
mod support;

use browser::Screen;
use serde_json::json;
use support::*;

const APPLICATIONS: &str = "query($org: ID!) { applications(orgId: $org) { totalCount
    edges { node { id lastName status } } } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_person_joins_on_a_phone_keeps_what_was_typed_and_checks_the_status() {
    let (_dir, server, central, admin) = started().await;
    let (_, territorial, primary) = branch(&server, &admin, &central, 77).await;
    register(
        &server,
        &admin,
        &territorial,
        "Гимназия № 3 имени А. С. Пушкина",
        "PRIMARY",
        None,
    )
    .await;
    let Some(browser) = browser::start(Screen::Phone).await else {
        return;
    };
    let origin = server.url.clone();

    // Region → territorial → primary.
    browser.open(&format!("{origin}/join")).await;
    browser.assert_self_contained(&origin).await;
    browser.screenshot("join-1-regions-phone").await;
    browser.click("ul.choices a").await;
    assert!(browser.body().await.contains("Район 77"));
    browser.click("ul.choices a").await;
    assert!(browser.body().await.contains("Школа 77"));
    assert!(browser.body().await.contains("Гимназия"));
    browser.screenshot("join-2-primaries-phone").await;
    let school = browser.find("ul.choices li:last-child a").await;
    assert!(school.text().await.unwrap().contains("Школа 77"));
    school.click().await.unwrap();
    assert_eq!(browser.text("#org-name").await, "Школа 77");
    browser.assert_self_contained(&origin).await;

    // An empty form: messages beside the fields, nothing written.
    browser.click("#submit").await;
    assert!(browser.text("#lastName-error").await.contains("фамилию"));
    assert!(browser.text("#consent-error").await.contains("согласия"));
    assert!(browser.text("#gender-error").await.contains("пол"));

    // A bad SNILS: its message beside it, everything typed kept.
    browser.fill("#lastName", "Смирнова").await;
    browser.fill("#firstName", "Ольга").await;
    browser.fill("#patronymic", "Ивановна").await;
    browser.set("#birthDate", "1990-04-12").await;
    browser.choose("#gender", "FEMALE").await;
    browser.choose("#category", "WORKER").await;
    browser.choose("#profession", "TEACHER").await;
    browser.fill("#position", "учитель математики").await;
    browser.fill("#snils", "123-456-789 00").await;
    browser.fill("#email", "olga@example.ru").await;
    browser.click("#consent").await;
    browser.click("#submit").await;
    assert!(browser.text("#snils-error").await.contains("СНИЛС"));
    assert_eq!(browser.value("#lastName").await, "Смирнова");
    assert_eq!(browser.value("#birthDate").await, "1990-04-12");
    assert_eq!(browser.value("#email").await, "olga@example.ru");
    assert_eq!(browser.value("#profession").await, "TEACHER");
    assert_eq!(
        browser
            .eval("return document.querySelector('#consent').checked;")
            .await,
        json!(true)
    );
    browser.screenshot("join-3-errors-phone").await;
    let none = server
        .ok(APPLICATIONS, json!({ "org": primary }), Some(&admin))
        .await;
    assert_eq!(
        none["applications"]["totalCount"], 0,
        "a refused form wrote nothing"
    );

    // Fixed: the receipt.
    browser.fill("#snils", &snils(112_233_445)).await;
    browser.click("#submit").await;
    let number = browser.text("#receipt-number").await;
    let secret = browser.text("#receipt-secret").await;
    browser.assert_self_contained(&origin).await;
    browser.screenshot("join-4-receipt-phone").await;
    let pending = server
        .ok(APPLICATIONS, json!({ "org": primary }), Some(&admin))
        .await;
    assert_eq!(pending["applications"]["totalCount"], 1);
    assert_eq!(
        pending["applications"]["edges"][0]["node"]["id"],
        number.as_str()
    );
    assert_eq!(
        pending["applications"]["edges"][0]["node"]["lastName"],
        "Смирнова"
    );

    // The same form sent twice (a double click, a reload): one application.
    let (first, second) = submit_twice(&origin, &primary).await;
    assert_eq!(first, second, "a form sent twice shows the same receipt");
    let twice = server
        .ok(APPLICATIONS, json!({ "org": primary }), Some(&admin))
        .await;
    assert_eq!(
        twice["applications"]["totalCount"], 2,
        "a form sent twice submits once"
    );

    // The status by receipt; a wrong secret finds nothing.
    browser.open(&format!("{origin}/join/status")).await;
    browser.fill("#number", &number).await;
    browser.fill("#secret", "0000-0000-0000-0000-0000").await;
    browser.click("form.panel button[type=submit]").await;
    assert!(browser.text("#status-error").await.contains("не найдено"));
    browser.fill("#secret", &secret.to_lowercase()).await;
    browser.click("form.panel button[type=submit]").await;
    assert_eq!(browser.text("#status .status").await, "На рассмотрении");
    browser.assert_self_contained(&origin).await;
    browser.screenshot("join-5-status-phone").await;

    // Search by name, answered as one types.
    browser.open(&format!("{origin}/join")).await;
    browser.fill("#q", "пушкин").await;
    let found = browser.text("#results ul.choices").await;
    assert!(found.contains("Гимназия № 3"), "{found}");
    browser.screenshot("join-6-search-phone").await;

    // The organisation's printable link with its QR code.
    browser
        .open(&format!("{origin}/join/org/{primary}/link"))
        .await;
    assert!(browser.has("#qr svg").await);
    assert!(
        browser
            .text("#address")
            .await
            .ends_with(&format!("/join/org/{primary}"))
    );
    browser.assert_self_contained(&origin).await;
    browser.screenshot("join-7-link-phone").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_sign_in_with_a_token_see_their_role_and_sign_out() {
    let (_dir, server, central, admin) = started().await;
    let (regional, _, primary) = branch(&server, &admin, &central, 50).await;
    let (chair_id, chair) = grant(&server, &admin, "CHAIR", &primary, "Петрова Н. В.").await;
    let (_, analyst) = grant(&server, &admin, "ANALYST", &regional, "Аналитик региона").await;
    let origin = server.url.clone();

    // A form posted without its CSRF token is refused and opens no session.
    let refused = reqwest::Client::new()
        .post(format!("{origin}/signin"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={chair}"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
    assert!(
        refused
            .headers()
            .get_all("set-cookie")
            .iter()
            .all(|c| !c.to_str().unwrap().starts_with("reestr_session")),
        "no session without the CSRF token"
    );

    let Some(browser) = browser::start(Screen::Desktop).await else {
        return;
    };
    browser.open(&format!("{origin}/signin")).await;
    browser.assert_self_contained(&origin).await;
    browser.fill("#token", "reestr_0000").await;
    browser.click("button[type=submit]").await;
    assert!(browser.text("#token-error").await.contains("не подошёл"));
    browser.screenshot("signin-1-bad-token").await;

    browser.fill("#token", &chair).await;
    browser.click("button[type=submit]").await;
    assert!(browser.text("#role").await.contains("председатель"));
    assert!(browser.text("#subtree").await.contains("Школа 50"));
    assert!(browser.text("header .who").await.contains("Петрова Н. В."));
    assert!(
        browser.has("nav a[href='/desk']").await,
        "a chair has the desk"
    );
    browser.assert_self_contained(&origin).await;
    browser.screenshot("signin-2-chair-home").await;
    let cookies = browser.client.get_all_cookies().await.unwrap();
    let session = cookies
        .iter()
        .find(|c| c.name() == "reestr_session")
        .expect("a session cookie");
    assert_eq!(session.http_only(), Some(true));
    assert_eq!(session.same_site(), Some(cookie::SameSite::Strict));
    assert!(
        !session.value().contains(&chair),
        "the cookie is not the token"
    );

    // Signing out ends the session: the home asks to sign in again.
    browser.sign_out().await;
    browser.open(&format!("{origin}/staff")).await;
    assert!(browser.url().await.ends_with("/signin"));
    // The old cookie, sent again, opens nothing.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{origin}/staff"))
        .header("cookie", format!("reestr_session={}", session.value()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        replay.status(),
        303,
        "a signed-out session is gone on the server"
    );

    // An analyst: the region, no desk, no personal data.
    browser.fill("#token", &analyst).await;
    browser.click("button[type=submit]").await;
    assert!(browser.text("#role").await.contains("аналитик"));
    assert!(browser.text("#subtree").await.contains("Регион 50"));
    assert!(!browser.has("nav a[href='/desk']").await);
    assert!(browser.body().await.contains("Персональные данные"));
    browser.screenshot("signin-3-analyst-home").await;
    browser.sign_out().await;

    // A revoked role ends its session at the next page.
    browser.open(&format!("{origin}/signin")).await;
    browser.fill("#token", &chair).await;
    browser.click("button[type=submit]").await;
    assert!(browser.text("#role").await.contains("председатель"));
    server
        .ok(
            "mutation($u: ID!) { revokeRole(userId: $u) }",
            json!({ "u": chair_id }),
            Some(&admin),
        )
        .await;
    browser.open(&format!("{origin}/staff")).await;
    assert!(
        browser.url().await.ends_with("/signin"),
        "a revoked token signs out"
    );
    browser.close().await;
}

/// The value of `name="NAME" value="…"` in a page's HTML.
fn hidden(html: &str, name: &str) -> String {
    let at = html.find(&format!("name=\"{name}\" value=\"")).expect(name) + name.len() + 15;
    html[at..].split('"').next().unwrap().to_string()
}

/// Draws the application form of `org` once and sends it twice, as a browser
/// would (its cookie, CSRF token and receipt field); the receipt numbers.
async fn submit_twice(origin: &str, org: &str) -> (String, String) {
    let client = reqwest::Client::new();
    let form = client
        .get(format!("{origin}/join/org/{org}"))
        .send()
        .await
        .unwrap();
    let cookie = form.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = form.text().await.unwrap();
    let body = format!(
        "csrf={}&receipt={}&lastName=Twice&firstName=Once&gender=MALE&birthDate=1980-01-01&category=WORKER&consent=yes",
        hidden(&html, "csrf"),
        hidden(&html, "receipt"),
    );
    let mut numbers = Vec::new();
    for _ in 0..2 {
        let page = client
            .post(format!("{origin}/join/org/{org}"))
            .header("cookie", &cookie)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 200);
        let html = page.text().await.unwrap();
        let at = html.find("id=\"receipt-number\">").expect("a receipt") + 19;
        numbers.push(html[at..].split('<').next().unwrap().to_string());
    }
    (numbers.remove(0), numbers.remove(0))
}

const SUBMIT: &str =
    "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }";

/// Submits an application to `org` as a member of the public; its id.
async fn apply(server: &support::Server, org: &str, last_name: &str, snils_number: u64) -> String {
    let input = json!({
        "orgId": org, "lastName": last_name, "firstName": "Мария", "patronymic": "Олеговна",
        "gender": "FEMALE", "birthDate": "1988-02-03", "category": "WORKER",
        "profession": "TEACHER", "snils": snils(snils_number), "consent": true,
    });
    let data = server.ok(SUBMIT, json!({ "input": input }), None).await;
    data["submitApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_chair_decides_applications_and_manages_members_and_an_analyst_sees_no_one() {
    let (_dir, server, central, admin) = started().await;
    let (regional, territorial, primary) = branch(&server, &admin, &central, 61).await;
    let other = register(&server, &admin, &territorial, "Школа 62", "PRIMARY", None).await;
    let (chair_id, chair) = grant(
        &server,
        &admin,
        "CHAIR",
        &territorial,
        "Председатель района",
    )
    .await;
    let (_, analyst) = grant(&server, &admin, "ANALYST", &regional, "Аналитик").await;
    let approved = apply(&server, &primary, "Кузнецова", 100_200_300).await;
    let rejected = apply(&server, &primary, "Лебедева", 100_200_301).await;
    let origin = server.url.clone();
    let Some(browser) = browser::start(Screen::Desktop).await else {
        return;
    };
    browser.sign_in(&origin, &chair).await;
    browser.open(&format!("{origin}/desk/org/{primary}")).await;
    let pending = browser.text("#pending").await;
    assert!(
        pending.contains("Кузнецова Мария Олеговна") && pending.contains("Лебедева"),
        "{pending}"
    );
    browser.assert_self_contained(&origin).await;
    browser.screenshot("desk-1-pending").await;

    // Approve with an electronic card.
    let row = format!("tr[data-application='{approved}']");
    browser
        .choose(&format!("{row} select[name=issueCard]"), "VIRTUAL")
        .await;
    browser.click(&format!("{row} button.approve")).await;
    assert!(browser.text("#done").await.contains("одобрено"));
    assert!(
        browser
            .text("#member-list")
            .await
            .contains("Кузнецова Мария Олеговна")
    );
    assert_eq!(browser.text("#member-count").await, "1");

    // Reject: without a reason it is refused and nothing changes; with one it is done.
    let row = format!("tr[data-application='{rejected}']");
    browser.click(&format!("{row} button.reject")).await;
    assert!(browser.text("#refused").await.contains("причину"));
    let row_reason = format!("{row} input[name=reason]");
    browser.fill(&row_reason, "Не работает в этой школе").await;
    browser.click(&format!("{row} button.reject")).await;
    assert!(browser.text("#done").await.contains("отклонено"));
    assert!(browser.has("#no-applications").await);
    browser.screenshot("desk-2-decided").await;
    let statuses = server
        .ok(
            "query($a: ID!, $b: ID!) { a: application(id: $a) { status } b: application(id: $b) { status } }",
            json!({ "a": approved, "b": rejected }),
            Some(&admin),
        )
        .await;
    assert_eq!(statuses["a"]["status"], "APPROVED");
    assert_eq!(statuses["b"]["status"], "REJECTED");

    // The member's page: personal data, recorded as read by the chair.
    browser.click("#member-list a").await;
    assert_eq!(
        browser.text("#member-name").await,
        "Кузнецова Мария Олеговна"
    );
    assert!(browser.text("#member-cards").await.contains("электронный"));
    let member_url = browser.url().await;
    let member_id = member_url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    let reads = server
        .ok(
            "query($m: ID) { personalDataReads(memberId: $m) { nodes { viewerId } } }",
            json!({ "m": member_id }),
            Some(&admin),
        )
        .await;
    let readers: Vec<&str> = reads["personalDataReads"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["viewerId"].as_str())
        .collect();
    assert!(
        readers.contains(&chair_id.as_str()),
        "the chair's read is recorded: {reads}"
    );
    browser.assert_self_contained(&origin).await;
    browser.screenshot("desk-3-member").await;

    // The card: blocked without a reason is refused; blocked; a new one issued.
    browser.click("#card button.danger").await;
    assert!(browser.text("#block-reason-error").await.contains("почему"));
    browser.fill("#block-reason", "Утерян").await;
    browser.click("#card button.danger").await;
    assert!(browser.text("#done").await.contains("заблокирован"));
    assert!(browser.text("#member-cards").await.contains("заблокирован"));
    browser.choose("#card-kind", "PLASTIC").await;
    browser.click("#issue-card").await;
    assert!(browser.text("#done").await.contains("выдан"));
    assert!(
        browser
            .text("#member-cards")
            .await
            .contains("пластиковый · действует")
    );

    // An expulsion without its basis: the charter's rule in words, nothing changed.
    browser.choose("#end-reason", "EXPULSION").await;
    browser.set("#end-date", &today().to_string()).await;
    browser.click("#end button[type=submit]").await;
    assert!(browser.text("#end-basis-error").await.contains("основание"));
    assert_eq!(
        browser.value("#end-reason").await,
        "EXPULSION",
        "the choice is kept"
    );
    browser.screenshot("desk-4-expulsion-refused").await;
    let status = server
        .ok(
            "query($m: ID!) { member(id: $m) { status } }",
            json!({ "m": member_id }),
            Some(&admin),
        )
        .await;
    assert_eq!(status["member"]["status"], "ACTIVE");

    // Transfer to the other school of the district.
    browser.choose("#toOrgId", &other).await;
    browser.set("#transfer-date", &today().to_string()).await;
    browser.click("#transfer button[type=submit]").await;
    assert!(browser.text("#done").await.contains("переведён"));
    let moved = server
        .ok(
            "query($m: ID!) { member(id: $m) { organization { id } } }",
            json!({ "m": member_id }),
            Some(&admin),
        )
        .await;
    assert_eq!(moved["member"]["organization"]["id"], other.as_str());

    // Expelled with a basis.
    browser.choose("#end-reason", "EXPULSION").await;
    browser
        .fill("#end-basis", "Решение профкома, протокол № 4")
        .await;
    browser.set("#end-date", &today().to_string()).await;
    browser.click("#end button[type=submit]").await;
    assert!(browser.text("#done").await.contains("прекращено"));
    assert!(browser.text("#history").await.len() > 10);
    browser.screenshot("desk-5-ended").await;

    // The passport: not ready for electronic admission until its mandatory
    // fields are there; a negative headcount refused beside its field.
    browser.open(&format!("{origin}/desk/org/{primary}")).await;
    assert_eq!(
        browser
            .find("#readiness")
            .await
            .attr("data-ready")
            .await
            .unwrap()
            .as_deref(),
        Some("no")
    );
    browser.choose("#passport-sector", "SCHOOL").await;
    browser.fill("#passport-employees", "-5").await;
    browser.fill("#passport-chairName", "Петрова Н. В.").await;
    browser.fill("#passport-email", "ppo61@example.ru").await;
    browser.click("#passport-submit").await;
    assert!(
        browser.has("#passport-employees-error").await,
        "{}",
        browser.body().await
    );
    assert_eq!(browser.value("#passport-chairName").await, "Петрова Н. В.");
    browser.fill("#passport-employees", "40").await;
    browser.click("#passport-submit").await;
    assert!(browser.text("#done").await.contains("Паспорт"));
    assert_eq!(
        browser
            .find("#readiness")
            .await
            .attr("data-ready")
            .await
            .unwrap()
            .as_deref(),
        Some("yes")
    );
    browser.screenshot("desk-6-passport").await;

    // Admission at the desk, with a too-young birth date refused by the charter.
    browser.open(&format!("{origin}/desk/org/{primary}")).await;
    browser.click("#admit summary").await;
    browser.fill("#admit-lastName", "Орлов").await;
    browser.fill("#admit-firstName", "Пётр").await;
    browser.set("#admit-birthDate", &days_ago(365 * 10)).await;
    browser.set("#admit-admittedOn", &today().to_string()).await;
    browser.click("#admit-submit").await;
    assert!(
        browser
            .text("#admit-birthDate-error")
            .await
            .contains("14 лет")
    );
    assert_eq!(browser.value("#admit-lastName").await, "Орлов");
    browser.screenshot("desk-7-admission-refused").await;
    browser.set("#admit-birthDate", "1975-06-30").await;
    browser.click("#admit-submit").await;
    assert_eq!(browser.text("#member-name").await, "Орлов Пётр");
    browser.sign_out().await;

    // An analyst: no desk, no names anywhere.
    browser.sign_in(&origin, &analyst).await;
    browser.open(&format!("{origin}/desk/org/{primary}")).await;
    let body = browser.body().await;
    assert!(body.contains("аналитик"), "{body}");
    for name in ["Кузнецова", "Лебедева", "Орлов"] {
        assert!(!body.contains(name), "an analyst saw {name}");
    }
    browser.open(&member_url).await;
    assert!(!browser.body().await.contains("Кузнецова"));
    browser.screenshot("desk-8-analyst-refused").await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_analyst_sees_figures_and_charts_of_the_region_and_no_person() {
    let (_dir, server, central, admin) = started().await;
    let (regional, territorial, primary) = branch(&server, &admin, &central, 63).await;
    passport(&server, &admin, &primary, 10, 0).await;
    for (name, born) in [
        ("Соколова", "1995-05-05"),
        ("Морозов", "1960-01-20"),
        ("Волкова", "1979-11-11"),
    ] {
        admit(
            &server,
            &admin,
            admission(&primary, name, born, &days_ago(400)),
        )
        .await;
    }
    let (_, analyst) = grant(&server, &admin, "ANALYST", &regional, "Аналитик региона").await;
    let origin = server.url.clone();
    let Some(browser) = browser::start(Screen::Desktop).await else {
        return;
    };
    browser.sign_in(&origin, &analyst).await;
    browser.click("nav a[href='/stats']").await;
    assert_eq!(browser.text("#stat-members").await, "3");
    assert_eq!(browser.text("#stat-youth").await, "1");
    assert_eq!(browser.text("#stat-worker-coverage").await, "30,0 %");
    for chart in [
        "gender",
        "category",
        "profession",
        "age",
        "tenure",
        "sector",
        "movement",
    ] {
        browser.find(&format!("#chart-{chart} svg")).await;
    }
    assert!(browser.text("#breakdown").await.contains("Район 63"));
    browser.assert_self_contained(&origin).await;
    let body = browser.body().await;
    for name in ["Соколова", "Морозов", "Волкова"] {
        assert!(!body.contains(name), "an analyst saw {name}");
    }
    browser.screenshot("stats-1-region").await;

    // Down the tree, and a date before anyone was admitted.
    browser
        .click(&format!("#breakdown a[href='/stats/org/{territorial}']"))
        .await;
    assert_eq!(browser.text("#stat-members").await, "3");
    browser.set("#asOf", &days_ago(500)).await;
    browser.click("form.panel button[type=submit]").await;
    browser
        .wait_for_url(&format!("asOf={}", days_ago(500)))
        .await;
    assert_eq!(browser.text("#stat-members").await, "0");
    // Bad input: a Russian message, no panic.
    browser
        .open(&format!("{origin}/stats/org/{territorial}?asOf=31.02.2020"))
        .await;
    assert!(
        browser.body().await.contains("Дата не распознана"),
        "{}",
        browser.body().await
    );
    browser.open(&format!("{origin}/stats/org/{central}")).await;
    assert!(browser.body().await.contains("вне вашей части"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_auditor_reads_the_journal_of_the_region_and_the_payload_read_is_recorded() {
    let (_dir, server, central, admin) = started().await;
    let (regional, _, primary) = branch(&server, &admin, &central, 64).await;
    let (_, _, elsewhere) = branch(&server, &admin, &central, 65).await;
    let member = admit(
        &server,
        &admin,
        admission(&primary, "Григорьева", "1985-03-03", &days_ago(30)),
    )
    .await;
    admit(
        &server,
        &admin,
        admission(&elsewhere, "Чужая", "1985-03-03", &days_ago(30)),
    )
    .await;
    let (auditor_id, auditor) =
        grant(&server, &admin, "AUDITOR", &regional, "Ревизор региона").await;
    let (_, analyst) = grant(&server, &admin, "ANALYST", &regional, "Аналитик").await;
    let origin = server.url.clone();
    let Some(browser) = browser::start(Screen::Desktop).await else {
        return;
    };
    browser.sign_in(&origin, &auditor).await;
    browser.click("nav a[href='/journal']").await;
    let events = browser.text("#events").await;
    assert!(events.contains("Школа 64"), "{events}");
    assert!(
        !events.contains("Школа 65"),
        "another region's events leak: {events}"
    );
    assert!(
        !events.contains("Григорьева"),
        "lines carry no personal data"
    );
    browser.assert_self_contained(&origin).await;
    browser.screenshot("journal-1-region").await;

    // Only admissions.
    browser.choose("#type", "MemberAdmitted").await;
    browser.click("form.panel button[type=submit]").await;
    browser.wait_for_url("type=MemberAdmitted").await;
    let types = browser
        .eval("return [...document.querySelectorAll('#events tr[data-type]')].map(r => r.dataset.type);")
        .await;
    assert_eq!(types, json!(["MemberAdmitted"]), "{types}");

    // The payload, personal data included, and its read recorded.
    browser.click("#events a[href^='/journal/event/']").await;
    assert!(browser.text("#event-data").await.contains("Григорьева"));
    browser.screenshot("journal-2-event").await;
    let reads = server
        .ok(
            "query($m: ID) { personalDataReads(memberId: $m) { nodes { viewerId } } }",
            json!({ "m": member["id"] }),
            Some(&admin),
        )
        .await;
    assert!(
        reads.to_string().contains(&auditor_id),
        "the auditor's read is recorded: {reads}"
    );

    // A member's full history through the stream filter.
    browser
        .open(&format!(
            "{origin}/journal?stream=person-{}",
            member["id"].as_str().unwrap()
        ))
        .await;
    assert!(browser.text("#events").await.contains("Принят"));
    browser
        .open(&format!("{origin}/journal/event/999999"))
        .await;
    assert!(browser.body().await.contains("Не найдено"));
    browser.sign_out().await;

    // An analyst has no journal.
    browser.sign_in(&origin, &analyst).await;
    assert!(!browser.has("nav a[href='/journal']").await);
    browser.open(&format!("{origin}/journal")).await;
    assert!(
        browser
            .body()
            .await
            .contains("недоступно для роли «аналитик»")
    );
    browser.close().await;
}
