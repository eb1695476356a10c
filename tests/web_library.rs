//! The library's pages in a real headless Chromium against a real
//! `reestr serve`: the root ADMIN uploads a DOCX, a PDF and a text file
//! through the upload form (a file whose content is not what its name says is
//! refused beside the field, the form kept), finds them in Russian in any
//! word form with filters and highlights, opens a document's page with its
//! text and downloads it, puts in a new version and withdraws it; a chair,
//! an analyst and a chair of another region each see only their audience.
//! Screenshots land in `target/web-screenshots/`.

mod browser;
mod support;

#[path = "support/library.rs"]
mod library;

use std::path::Path;

use browser::{Browser, Screen};
use library::{docx_file, pdf_file};
use support::*;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// What the upload form is given.
struct Upload<'a> {
    title: &'a str,
    kind: &'a str,
    issued_on: &'a str,
    issuer: &'a str,
    audience: &'a str,
    readers: &'a str,
    file: &'a Path,
}

/// Fills the upload form and sends it.
async fn fill_upload(browser: &Browser, origin: &str, upload: &Upload<'_>) {
    browser.open(&format!("{origin}/library/upload")).await;
    browser.fill("#title", upload.title).await;
    browser.choose("#kind", upload.kind).await;
    browser.set("#issuedOn", upload.issued_on).await;
    browser.fill("#issuer", upload.issuer).await;
    browser.choose("#audience", upload.audience).await;
    browser.choose("#readers", upload.readers).await;
    browser
        .find("#file")
        .await
        .send_keys(upload.file.to_str().unwrap())
        .await
        .unwrap();
    browser.click("#upload-submit").await;
}

/// Uploads through the form; the new document's id, from its page.
async fn upload(browser: &Browser, origin: &str, upload: &Upload<'_>) -> String {
    fill_upload(browser, origin, upload).await;
    assert_eq!(browser.text("#document-title").await, upload.title);
    let url = browser.url().await;
    url.rsplit('/').next().unwrap().to_string()
}

/// Searches with the form on `/library`; the titles found.
async fn search(browser: &Browser, origin: &str, fill: &[(&str, &str)]) -> Vec<String> {
    browser.open(&format!("{origin}/library")).await;
    for (field, value) in fill {
        match *field {
            "#kind" | "#issuer" => browser.choose(field, value).await,
            "#from" | "#to" => browser.set(field, value).await,
            _ => browser.fill(field, value).await,
        }
    }
    browser.click("#search-submit").await;
    browser.wait_for_url("/library?").await;
    titles(browser).await
}

/// The titles on a page of results.
async fn titles(browser: &Browser) -> Vec<String> {
    browser.find("#found-count").await;
    let mut titles = Vec::new();
    for link in browser
        .client
        .find_all(fantoccini::Locator::Css("#documents a.document"))
        .await
        .unwrap()
    {
        titles.push(link.text().await.unwrap());
    }
    titles
}

/// The words marked in the results' highlights.
async fn marked(browser: &Browser) -> Vec<String> {
    let mut words = Vec::new();
    for mark in browser
        .client
        .find_all(fantoccini::Locator::Css("#documents .highlight mark"))
        .await
        .unwrap()
    {
        words.push(mark.text().await.unwrap());
    }
    words
}

/// The text of `css` once it holds `part` (the page a form's submit loads
/// may come after the old one is read).
async fn text_holding(browser: &Browser, css: &str, part: &str) -> String {
    let mut seen = String::new();
    for _ in 0..100 {
        seen = browser.text(css).await;
        if seen.contains(part) {
            return seen;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never held {part:?}: {seen}")
}

/// Every title `token`'s holder sees in the library with no words, sorted.
async fn seen_by(browser: &Browser, origin: &str, token: &str) -> Vec<String> {
    browser.sign_in(origin, token).await;
    browser.open(&format!("{origin}/library")).await;
    let mut seen = titles(browser).await;
    seen.sort();
    seen
}

const AGREEMENT: &str = "Коллективный договор МБОУ СОШ № 17";
const PAY: &str = "Положение об оплате труда";
const GUIDE: &str = "Методические рекомендации по охране труда";

#[tokio::test(flavor = "multi_thread")]
async fn an_admin_keeps_the_library_and_each_role_reads_only_its_audience() {
    let (dir, server, central, admin) = started().await;
    let (regional, territorial, _) = branch(&server, &admin, &central, 71).await;
    let (other_region, other_territorial, _) = branch(&server, &admin, &central, 72).await;
    let (_, chair) = grant(&server, &admin, "CHAIR", &territorial, "Председатель").await;
    let (_, analyst) = grant(&server, &admin, "ANALYST", &regional, "Аналитик").await;
    let (_, other_chair) = grant(&server, &admin, "CHAIR", &other_territorial, "Сосед").await;

    let files = dir.path().join("files-to-upload");
    std::fs::create_dir_all(&files).unwrap();
    let agreement_docx = docx_file(
        "Коллективный договор",
        &["Стороны заключили настоящий коллективный договор на 2024–2027 годы."],
    );
    let pay_pdf = pdf_file(
        PAY,
        &["Порядок премирования работников устанавливается комиссией."],
    );
    let guide_text = "Уполномоченным по охране труда рекомендуется проводить проверки.";
    let revised_docx = docx_file(
        "Коллективный договор",
        &["Дополнительное соглашение о продлении срока действия договора."],
    );
    let write = |name: &str, bytes: &[u8]| {
        let path = files.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let agreement_file = write("Коллективный договор.docx", &agreement_docx);
    let misnamed_file = write("договор.pdf", &agreement_docx);
    let pay_file = write("Положение.pdf", &pay_pdf);
    let guide_file = write("рекомендации.txt", guide_text.as_bytes());
    let revised_file = write("Договор, ред. 2.docx", &revised_docx);

    let origin = server.url.clone();
    let Some(browser) = browser::start(Screen::Desktop).await else {
        return;
    };
    browser.sign_in(&origin, &admin).await;
    browser.click("header a[href='/library']").await;
    browser.find("#library-search").await;
    assert_eq!(browser.text("#found-count").await, "Найдено документов: 0");
    browser.click("#upload-link").await;
    browser.find("#upload").await;
    browser.assert_self_contained(&origin).await;
    browser.screenshot("library-1-upload-form").await;

    // A DOCX named as a PDF: refused beside the file field, the form kept,
    // nothing written.
    let agreement = Upload {
        title: AGREEMENT,
        kind: "COLLECTIVE_AGREEMENT",
        issued_on: "2024-01-15",
        issuer: "ППО МБОУ СОШ № 17",
        audience: &central,
        readers: "EVERYONE",
        file: &misnamed_file,
    };
    fill_upload(&browser, &origin, &agreement).await;
    let error = browser.text("#file-error").await;
    assert!(
        error.contains("по содержимому") && error.contains("расширением"),
        "{error}"
    );
    assert_eq!(browser.value("#title").await, AGREEMENT);
    assert_eq!(browser.value("#issuedOn").await, "2024-01-15");
    assert_eq!(browser.value("#kind").await, "COLLECTIVE_AGREEMENT");
    assert!(!browser.has("#upload-error").await);
    browser.screenshot("library-2-misnamed-file").await;
    let none = server
        .ok(library::SEARCH, serde_json::json!({}), Some(&admin))
        .await;
    assert_eq!(none["libraryDocuments"]["totalCount"], 0);

    // The three documents, each through the form.
    let agreement_id = upload(
        &browser,
        &origin,
        &Upload {
            file: &agreement_file,
            ..agreement
        },
    )
    .await;
    assert!(browser.text("#preview").await.contains("заключили"));
    assert_eq!(
        browser.text("#document-kind").await,
        "Коллективный договор, соглашение"
    );
    browser.assert_self_contained(&origin).await;
    browser.screenshot("library-3-document").await;
    let pay_id = upload(
        &browser,
        &origin,
        &Upload {
            title: PAY,
            kind: "REGULATION",
            issued_on: "2023-09-01",
            issuer: "Региональная организация",
            audience: &regional,
            readers: "CHAIRS",
            file: &pay_file,
        },
    )
    .await;
    assert!(browser.text("#preview").await.contains("премирования"));
    let guide_id = upload(
        &browser,
        &origin,
        &Upload {
            title: GUIDE,
            kind: "METHOD_GUIDE",
            issued_on: "2022-03-10",
            issuer: "Региональная организация",
            audience: &other_region,
            readers: "EVERYONE",
            file: &guide_file,
        },
    )
    .await;

    // «договора» finds «договор», the word marked.
    let found = search(&browser, &origin, &[("#q", "договора")]).await;
    assert_eq!(found, [AGREEMENT]);
    let words = marked(&browser).await;
    assert!(!words.is_empty());
    assert!(
        words
            .iter()
            .all(|w| w.to_lowercase().starts_with("договор")),
        "{words:?}"
    );
    browser.assert_self_contained(&origin).await;
    browser.screenshot("library-4-search").await;
    // The PDF's text, in another form of the word.
    assert_eq!(
        search(&browser, &origin, &[("#q", "премирование")]).await,
        [PAY]
    );
    // Filters: kind, issuer, dates; the form keeps what was chosen.
    assert_eq!(
        search(&browser, &origin, &[("#kind", "REGULATION")]).await,
        [PAY]
    );
    assert_eq!(browser.value("#kind").await, "REGULATION");
    let mut by_issuer = search(
        &browser,
        &origin,
        &[("#issuer", "Региональная организация")],
    )
    .await;
    by_issuer.sort();
    assert_eq!(by_issuer, [GUIDE, PAY]);
    assert_eq!(
        search(
            &browser,
            &origin,
            &[("#from", "2023-01-01"), ("#to", "2023-12-31")]
        )
        .await,
        [PAY]
    );
    assert_eq!(
        search(
            &browser,
            &origin,
            &[("#q", "труда"), ("#kind", "METHOD_GUIDE")]
        )
        .await,
        [GUIDE]
    );
    browser.screenshot("library-5-filtered").await;
    // Newest issued first without words.
    assert_eq!(
        search(&browser, &origin, &[]).await,
        [AGREEMENT, PAY, GUIDE]
    );

    // The document's page: its download is the file as uploaded.
    browser
        .open(&format!("{origin}/library/{agreement_id}"))
        .await;
    let href = browser
        .find("#download")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (status, content_type, bytes) = browser.download(&format!("{origin}{href}")).await;
    assert_eq!((status, content_type.as_str()), (200, DOCX));
    assert!(bytes == agreement_docx, "the download is the file uploaded");

    // Each role its audience, before anything is withdrawn.
    browser.sign_out().await;
    assert_eq!(
        seen_by(&browser, &origin, &chair).await,
        [AGREEMENT, PAY],
        "a chair reads chairs-only documents for their region"
    );
    assert!(
        !browser.has("#upload-link").await,
        "a chair uploads nothing"
    );
    browser.screenshot("library-6-chair").await;
    browser.open(&format!("{origin}/library/{guide_id}")).await;
    assert!(browser.body().await.contains("вне вашей части"));
    let (status, _, _) = browser
        .download(&format!("{origin}/library/{guide_id}/download"))
        .await;
    assert_eq!(status, 403);
    browser.open(&format!("{origin}/library/upload")).await;
    assert!(!browser.has("#upload").await);
    assert!(browser.body().await.contains("недоступно"));
    browser.sign_out().await;

    assert_eq!(
        seen_by(&browser, &origin, &analyst).await,
        [AGREEMENT],
        "an analyst reads what is for everyone, not for chairs"
    );
    browser.open(&format!("{origin}/library/{pay_id}")).await;
    let body = browser.body().await;
    assert!(body.contains("недоступно для роли «аналитик»"), "{body}");
    let (status, _, _) = browser
        .download(&format!("{origin}/library/{pay_id}/download"))
        .await;
    assert_eq!(status, 403);
    browser.sign_out().await;

    assert_eq!(
        seen_by(&browser, &origin, &other_chair).await,
        [AGREEMENT, GUIDE],
        "another region's chair does not read region 71's documents"
    );
    assert!(
        search(&browser, &origin, &[("#q", "премирование")])
            .await
            .is_empty()
    );
    browser.open(&format!("{origin}/library/{pay_id}")).await;
    assert!(browser.body().await.contains("вне вашей части"));
    browser.sign_out().await;

    // A new version: a misnamed file refused beside the field, then the
    // real one; its text is found, the first version still downloads.
    browser.sign_in(&origin, &admin).await;
    browser
        .open(&format!("{origin}/library/{agreement_id}"))
        .await;
    browser
        .find("#file")
        .await
        .send_keys(misnamed_file.to_str().unwrap())
        .await
        .unwrap();
    browser.click("#revise-submit").await;
    assert!(browser.text("#file-error").await.contains("расширением"));
    browser.screenshot("library-7-revise-refused").await;
    browser
        .find("#file")
        .await
        .send_keys(revised_file.to_str().unwrap())
        .await
        .unwrap();
    browser.fill("#note", "Продлён срок действия").await;
    browser.click("#revise-submit").await;
    let versions = text_holding(&browser, "#versions", "Редакция 2").await;
    assert!(
        versions.contains("Редакция 2") && versions.contains("Продлён срок действия"),
        "{versions}"
    );
    assert!(browser.text("#preview").await.contains("продлении"));
    let (_, _, bytes) = browser
        .download(&format!("{origin}/library/{agreement_id}/download/1"))
        .await;
    assert!(bytes == agreement_docx, "the first version is kept");
    let (_, _, bytes) = browser
        .download(&format!("{origin}/library/{agreement_id}/download"))
        .await;
    assert!(bytes == revised_docx, "the version in force is the new one");
    browser.screenshot("library-8-revised").await;
    assert_eq!(
        search(&browser, &origin, &[("#q", "продление")]).await,
        [AGREEMENT]
    );
    assert!(
        search(&browser, &origin, &[("#q", "заключили")])
            .await
            .is_empty()
    );

    // Withdrawn: its page says so and offers no forms; it is found no more.
    browser
        .open(&format!("{origin}/library/{agreement_id}"))
        .await;
    browser.fill("#reason", "Срок действия истёк").await;
    browser.click("#withdraw-submit").await;
    let withdrawn = browser.text("#withdrawn").await;
    assert!(withdrawn.contains("Срок действия истёк"), "{withdrawn}");
    assert!(!browser.has("#revise").await && !browser.has("#withdraw").await);
    browser.screenshot("library-9-withdrawn").await;
    assert!(
        search(&browser, &origin, &[("#q", "договора")])
            .await
            .is_empty()
    );
    browser.sign_out().await;

    // On a phone, a chair's search reads as well.
    browser.close().await;
    let Some(phone) = browser::start(Screen::Phone).await else {
        return;
    };
    phone.sign_in(&origin, &chair).await;
    assert_eq!(
        search(&phone, &origin, &[("#q", "премирования работников")]).await,
        [PAY]
    );
    phone.assert_self_contained(&origin).await;
    phone.screenshot("library-10-search-phone").await;
    phone.open(&format!("{origin}/library/{pay_id}")).await;
    phone.find("#preview").await;
    phone.screenshot("library-11-document-phone").await;
    phone.close().await;
}
