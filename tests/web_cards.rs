//! The card, verification, meeting and admin pages in a real headless
//! Chromium against a real `reestr serve`: a card issued and shown, its PDF
//! and PNG downloaded and read back, the PNG's QR code read by the page's own
//! scanner (jsQR) to verify it and to record attendance, the list of who came
//! exported, a blocked card and a random number verified, a role granted on
//! the admin page and its new holder signed in, and an analyst who sees no
//! person anywhere. Screenshots land in `target/web-screenshots/`.

mod browser;
mod support;

use browser::Screen;
use serde_json::json;
use support::*;

#[tokio::test(flavor = "multi_thread")]
async fn a_card_is_shown_downloaded_verified_and_scanned_at_a_meeting_and_an_analyst_sees_no_one() {
    let (dir, server, central, admin) = started().await;
    let (regional, territorial, primary) = branch(&server, &admin, &central, 66).await;
    let (chair_id, chair) = grant(
        &server,
        &admin,
        "CHAIR",
        &territorial,
        "Председатель района",
    )
    .await;
    let mut input = admission(&primary, "Кузнецова", "1985-03-03", &days_ago(100));
    input["issueCard"] = json!("VIRTUAL");
    let member = admit(&server, &admin, input).await;
    let member_id = member["id"].as_str().unwrap().to_string();
    let number = member["card"]["number"].as_str().unwrap().to_string();
    let printed = format!("{} {} {}", &number[..2], &number[2..12], &number[12..]);
    let origin = server.url.clone();
    let Some(browser) = browser::start(Screen::Desktop).await else {
        return;
    };

    // The card page, reached from the member's page.
    browser.sign_in(&origin, &chair).await;
    browser
        .open(&format!("{origin}/desk/member/{member_id}"))
        .await;
    browser.click("#open-card").await;
    assert_eq!(browser.text("#card-number").await, printed);
    assert!(browser.text("#card-name").await.contains("Кузнецова Анна"));
    assert!(browser.text("#card-org").await.contains("Школа 66"));
    assert!(browser.text("#card-status").await.contains("Действует"));
    assert!(browser.has("#card-qr svg").await);
    browser.assert_self_contained(&origin).await;
    browser.screenshot("card-1-page").await;

    // The files: a PDF with the number in its text, a PNG that names it.
    let card = format!("{origin}/desk/member/{member_id}/card");
    let (status, content_type, pdf) = browser.download(&format!("{card}.pdf")).await;
    assert_eq!((status, content_type.as_str()), (200, "application/pdf"));
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdf_extract::extract_text_from_mem(&pdf).unwrap();
    assert!(text.contains(&printed), "{text}");
    assert!(text.contains("Кузнецова"), "{text}");
    let (status, content_type, png) = browser.download(&format!("{card}.png")).await;
    assert_eq!((status, content_type.as_str()), (200, "image/png"));
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    assert!(
        png.windows(printed.len()).any(|w| w == printed.as_bytes()),
        "the PNG names its card"
    );
    let png_path = dir.path().join("card.png");
    std::fs::write(&png_path, &png).unwrap();
    std::fs::copy(&png_path, browser.shots.join("card-2-wallet.png")).unwrap();

    // Verified: typed, and read from the PNG's QR code by the page's scanner.
    browser.open(&format!("{origin}/verify")).await;
    browser.assert_self_contained(&origin).await;
    browser.fill("#number", &printed).await;
    browser.click("#check").await;
    browser
        .wait_for_attr("#verdict", "data-result", "VALID")
        .await;
    assert!(browser.text("#verdict").await.contains("ДЕЙСТВИТЕЛЕН"));
    browser.screenshot("verify-1-valid").await;
    browser.open(&format!("{origin}/verify")).await;
    browser
        .find("#number-photo")
        .await
        .send_keys(png_path.to_str().unwrap())
        .await
        .unwrap();
    browser
        .wait_for_attr("#verdict", "data-result", "VALID")
        .await;
    assert!(
        browser.url().await.contains(&number),
        "the scanned number was sent"
    );

    // Meeting mode: convene, the card at the door (scanned), twice, who came.
    browser.open(&format!("{origin}/meetings")).await;
    browser.fill("#title", "Отчётная конференция").await;
    browser.click("#convene-submit").await;
    assert!(
        browser
            .text("#meeting-title")
            .await
            .contains("Отчётная конференция")
    );
    browser
        .find("#number-photo")
        .await
        .send_keys(png_path.to_str().unwrap())
        .await
        .unwrap();
    browser
        .wait_for_attr("#door", "data-result", "PRESENT")
        .await;
    assert!(browser.text("#door").await.contains("Кузнецова"));
    assert_eq!(browser.text("#attendance-count").await, "1");
    assert!(
        browser
            .text("#attendees")
            .await
            .contains("Кузнецова Анна Сергеевна")
    );
    browser.assert_self_contained(&origin).await;
    browser.screenshot("meeting-1-present").await;
    browser.fill("#number", &number).await;
    browser.click("#check").await;
    browser
        .wait_for_attr("#door", "data-result", "REFUSED")
        .await;
    assert!(browser.text("#door").await.contains("уже отмечен"));
    assert_eq!(
        browser.text("#attendance-count").await,
        "1",
        "one record per member"
    );
    browser.screenshot("meeting-2-twice").await;
    let meeting_url = browser.url().await;
    let meeting_url = meeting_url.trim_end_matches("/attend").to_string();
    let (status, _, xlsx) = browser
        .download(&format!("{meeting_url}/attendance/xlsx"))
        .await;
    assert_eq!(status, 200);
    assert!(browser::xlsx_text(&xlsx).contains("Кузнецова Анна Сергеевна"));
    let (_, _, csv) = browser
        .download(&format!("{meeting_url}/attendance/csv"))
        .await;
    assert!(String::from_utf8_lossy(&csv).contains(&number));
    let meetings = server
        .ok(
            "query($o: ID!) { meetings(orgId: $o) { title attendanceCount attendees { cardNumber } } }",
            json!({ "o": territorial }),
            Some(&admin),
        )
        .await;
    assert_eq!(meetings["meetings"][0]["attendanceCount"], 1);
    assert_eq!(
        meetings["meetings"][0]["attendees"][0]["cardNumber"],
        number.as_str()
    );

    // Blocked at the desk: BLOCKED; a number no card has and a malformed one: UNKNOWN.
    browser
        .open(&format!("{origin}/desk/member/{member_id}"))
        .await;
    browser.fill("#block-reason", "Утерян").await;
    browser.click("#card button.danger").await;
    assert!(browser.text("#done").await.contains("заблокирован"));
    browser.sign_out().await;
    browser.open(&format!("{origin}/verify/{number}")).await;
    browser
        .wait_for_attr("#verdict", "data-result", "BLOCKED")
        .await;
    assert!(
        !browser.body().await.contains("Кузнецова"),
        "no name to the public"
    );
    browser.screenshot("verify-2-blocked").await;
    let random = domain::card_number::CardNumber::new(99, rand::random::<u32>() as u64 + 1)
        .unwrap()
        .to_string();
    for unknown in [random.as_str(), "12345"] {
        browser
            .open(&format!("{origin}/verify?number={unknown}"))
            .await;
        let verdict = browser.find("#verdict").await;
        assert_eq!(
            verdict.attr("data-result").await.unwrap().as_deref(),
            Some("UNKNOWN"),
            "{unknown}"
        );
    }
    browser.screenshot("verify-3-unknown").await;

    // The admin grants an analyst over the region; the token signs in.
    browser.sign_in(&origin, &admin).await;
    browser.click("nav a[href='/admin']").await;
    browser.fill("#grant-holder", "Аналитик Иванова").await;
    browser.choose("#grant-role", "ANALYST").await;
    browser.choose("#grant-org", &regional).await;
    browser.click("#grant-submit").await;
    let token = browser.text("#new-token").await;
    assert!(token.starts_with("reestr_"), "{token}");
    assert!(browser.text("#holders").await.contains("Аналитик Иванова"));
    assert!(
        browser
            .text("#holders")
            .await
            .contains("Председатель района")
    );
    browser.assert_self_contained(&origin).await;
    browser.screenshot("admin-1-granted").await;
    // Revoked on the page: the chair's token no longer opens anything.
    browser
        .click(&format!("tr[data-holder='{chair_id}'] button.revoke"))
        .await;
    assert!(browser.text("#revoked").await.contains("отозвана"));
    assert!(
        !browser
            .text("#holders")
            .await
            .contains("Председатель района")
    );
    let refused = server
        .graphql("{ viewer { role } }", json!({}), Some(&chair))
        .await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
    browser.sign_out().await;
    browser.sign_in(&origin, &token).await;
    assert!(browser.text("#role").await.contains("аналитик"));
    assert!(browser.text("#subtree").await.contains("Регион 66"));

    // The analyst: figures and the report file, no person anywhere.
    browser.click("nav a[href='/stats']").await;
    assert_eq!(browser.text("#stat-members").await, "1");
    browser.screenshot("stats-2-download").await;
    let (status, content_type, report) = browser
        .download(&format!(
            "{origin}/stats/org/{regional}/report/xlsx?rows=CHILD&columns=AGE_BAND"
        ))
        .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&report));
    assert!(content_type.contains("spreadsheetml"));
    let cells = browser::xlsx_text(&report);
    assert!(
        cells.contains("Район 66") && !cells.contains("Кузнецова"),
        "{cells}"
    );
    for page in [
        format!("{origin}/desk/member/{member_id}/card"),
        format!("{origin}/desk/member/{member_id}/card.png"),
        meeting_url.clone(),
        format!("{origin}/meetings/org/{territorial}"),
        format!("{origin}/admin/org/{regional}"),
        format!("{origin}/verify/{number}"),
    ] {
        let (_, _, bytes) = browser.download(&page).await;
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("Кузнецова"),
            "an analyst saw a name at {page}"
        );
        browser.open(&page).await;
        assert!(!browser.body().await.contains("Кузнецова"), "{page}");
    }
    browser.open(&meeting_url).await;
    assert!(
        browser
            .body()
            .await
            .contains("недоступно для роли «аналитик»")
    );
    browser.screenshot("meeting-3-analyst-refused").await;
    browser.close().await;

    // On a phone, as a steward at the door holds it.
    let Some(phone) = browser::start(Screen::Phone).await else {
        return;
    };
    phone.open(&format!("{origin}/verify/{random}")).await;
    phone
        .wait_for_attr("#verdict", "data-result", "UNKNOWN")
        .await;
    let width = phone
        .eval("return document.documentElement.scrollWidth <= window.innerWidth;")
        .await;
    assert_eq!(width, json!(true), "the page fits the phone's width");
    phone.assert_self_contained(&origin).await;
    phone.screenshot("verify-4-phone").await;
    phone.close().await;
}
