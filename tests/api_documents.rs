//! Document templates end to end: each of the union's documents filled in
//! for a real member (or organisation) over `/documents/{template}/{format}`
//! and from `reestr document`, read back (DOCX by unzipping and reading its
//! XML here, PDF with pdf-extract); the reads of personal data recorded; an
//! ANALYST refused; an ADMIN of the union replacing a template with their own
//! DOCX whose placeholders Word split over runs, then going back.

mod support;

use std::io::{Cursor, Read, Write};
use std::time::Duration;

use serde_json::{Value, json};
use support::{PASSPORT, Server, admission, days_ago, grant, register, snils, started};

const END: &str = "mutation($id: ID!, $on: Date!) {
    endMembership(memberId: $id, reason: VOLUNTARY_EXIT, effectiveOn: $on) { id } }";
const READS: &str = "query($v: ID) { personalDataReads(viewerId: $v, first: 100) {
    nodes { memberId } } }";

/// The text of a DOCX's body: each paragraph's `<w:t>` texts joined, one
/// line per paragraph (read with the zip crate and plain string search, not
/// with the code under test).
fn docx_text(bytes: &[u8]) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut xml)
        .unwrap();
    let mut text = String::new();
    for paragraph in xml.split("</w:p>") {
        let mut rest = paragraph;
        while let Some(open) = rest.find("<w:t") {
            let after = &rest[open + 4..];
            // `<w:t>` or `<w:t xml:space=…>`, not `<w:tbl>`, `<w:tc>`, …
            if !(after.starts_with('>') || after.starts_with(' ')) {
                rest = after;
                continue;
            }
            let start = after.find('>').unwrap() + 1;
            let end = after.find("</w:t>").unwrap();
            text.push_str(
                &after[start..end]
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"),
            );
            rest = &after[end..];
        }
        text.push('\n');
    }
    text
}

fn pdf_text(bytes: &[u8]) -> String {
    let text = pdf_extract::extract_text_from_mem(bytes).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn post(server: &Server, token: &str, path: &str, body: &Value) -> (u16, Vec<u8>) {
    let response = reqwest::Client::new()
        .post(format!("{}{path}", server.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    (
        response.status().as_u16(),
        response.bytes().await.unwrap().to_vec(),
    )
}

async fn put(server: &Server, token: &str, template: &str, bytes: Vec<u8>) -> u16 {
    let response = reqwest::Client::new()
        .put(format!("{}/documents/templates/{template}", server.url))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

/// `blank` (a DOCX) with its body replaced by `paragraphs` (raw `<w:p>` XML).
fn with_body(blank: &[u8], paragraphs: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(blank)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let name = file.name().to_string();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        if name == "word/document.xml" {
            let xml = String::from_utf8(bytes).unwrap();
            let start = xml.find("<w:body>").unwrap() + "<w:body>".len();
            let end = xml.find("</w:body>").unwrap();
            bytes = format!("{}{paragraphs}{}", &xml[..start], &xml[end..]).into_bytes();
        }
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_document_is_filled_with_real_data_and_an_admin_may_bring_their_own_template() {
    let (dir, server, central, root) = started().await;
    let region = register(&server, &root, &central, "Омская", "REGIONAL", Some(55)).await;
    let district = register(&server, &root, &region, "Северный", "TERRITORIAL", None).await;
    let school = register(&server, &root, &district, "Школа № 17", "PRIMARY", None).await;
    let passport = json!({ "sector": "SCHOOL", "employees": 40, "chairName": "Петрова Н. И." });
    server
        .ok(
            PASSPORT,
            json!({ "id": school, "input": passport }),
            Some(&root),
        )
        .await;
    let mut input = admission(&school, "Иванова", "1985-04-12", &days_ago(400));
    input["snils"] = json!(snils(112_233_445));
    input["phone"] = json!("+7 900 000-00-01");
    input["issueCard"] = json!("PLASTIC");
    let anna = support::admit(&server, &root, input).await;
    let anna_id = anna["id"].as_str().unwrap().to_string();
    let anna_card = anna["card"]["number"].as_str().unwrap().to_string();
    let mut input = admission(&school, "Соколов", "1979-10-01", &days_ago(900));
    input["gender"] = json!("MALE");
    input["issueCard"] = json!("VIRTUAL");
    let oleg = support::admit(&server, &root, input).await;
    let oleg_id = oleg["id"].as_str().unwrap().to_string();
    let oleg_card = oleg["card"]["number"].as_str().unwrap().to_string();
    server
        .ok(
            END,
            json!({ "id": oleg_id, "on": days_ago(3) }),
            Some(&root),
        )
        .await;
    let joined = support::date(&days_ago(400)).format("%d.%m.%Y").to_string();
    let ended = support::date(&days_ago(3)).format("%d.%m.%Y").to_string();
    let snils_text = snils(112_233_445);

    // Each document, as DOCX and as PDF, says what the registry knows.
    let anna_q = json!({ "memberId": anna_id });
    let minutes_q =
        json!({ "memberId": anna_id, "minutesNumber": "7", "minutesDate": days_ago(399) });
    let cases: [(&str, Value, Vec<&str>); 5] = [
        (
            "admission-application",
            anna_q.clone(),
            vec![
                "Прошу принять меня",
                "Иванова Анна Сергеевна",
                "Школа № 17",
                &snils_text,
                &joined,
            ],
        ),
        (
            "admission-minutes",
            minutes_q,
            vec![
                "ВЫПИСКА ИЗ ПРОТОКОЛА № 7",
                "Иванова Анна Сергеевна",
                "12.04.1985",
                "Петрова Н. И.",
            ],
        ),
        (
            "record-card",
            anna_q.clone(),
            vec![
                "УЧЁТНАЯ КАРТОЧКА",
                &anna_card,
                "Фамилия: Иванова",
                "+7 900 000-00-01",
                "учителя",
            ],
        ),
        (
            "card-register",
            json!({ "orgId": school }),
            vec![
                "ЖУРНАЛ УЧЁТА",
                &anna_card,
                &oleg_card,
                "Соколов Анна Сергеевна",
                "заблокирован",
            ],
        ),
        (
            "exit-application",
            json!({ "memberId": oleg_id }),
            vec![
                "по собственному желанию с",
                &ended,
                "Соколов Анна Сергеевна",
            ],
        ),
    ];
    for (template, query, words) in &cases {
        let (status, docx) = post(
            &server,
            &root,
            &format!("/documents/{template}/docx"),
            query,
        )
        .await;
        assert_eq!(
            status,
            200,
            "{template}: {}",
            String::from_utf8_lossy(&docx)
        );
        let text = docx_text(&docx);
        let (status, pdf) =
            post(&server, &root, &format!("/documents/{template}/pdf"), query).await;
        assert_eq!(status, 200);
        let pdf = pdf_text(&pdf);
        for word in words {
            assert!(
                text.contains(word),
                "{template}: no {word} in the DOCX:\n{text}"
            );
            assert!(
                pdf.contains(word),
                "{template}: no {word} in the PDF: {pdf}"
            );
        }
        assert!(
            !text.contains("{{"),
            "{template}: a placeholder left: {text}"
        );
    }
    // The register lists one row per card, in the order of issue.
    let (_, register) = post(
        &server,
        &root,
        "/documents/card-register/docx",
        &json!({ "orgId": school }),
    )
    .await;
    let text = docx_text(&register);
    assert!(
        text.find(&oleg_card).unwrap() < text.find(&anna_card).unwrap(),
        "{text}"
    );

    // Every person shown was recorded as read by the root ADMIN.
    let me = server
        .ok("{ viewer { userId } }", json!({}), Some(&root))
        .await;
    let me = me["viewer"]["userId"].clone();
    let mut read: Vec<String> = Vec::new();
    for _ in 0..50 {
        let data = server.ok(READS, json!({ "v": me }), Some(&root)).await;
        read = data["personalDataReads"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["memberId"].as_str().map(String::from))
            .collect();
        if read.contains(&anna_id) && read.contains(&oleg_id) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        read.contains(&anna_id) && read.contains(&oleg_id),
        "{read:?}"
    );

    // Personal data only where the role may.
    let (_, analyst) = grant(&server, &root, "ANALYST", &region, "analyst").await;
    let (status, _) = post(&server, &analyst, "/documents/record-card/pdf", &anna_q).await;
    assert_eq!(status, 403);
    let (status, _) = post(&server, &root, "/documents/record-card/odt", &anna_q).await;
    assert_eq!(status, 400);
    let (status, _) = post(&server, &root, "/documents/record-card/pdf", &json!({})).await;
    assert_eq!(status, 400);

    // An ADMIN of the union brings their own template; Word split its
    // placeholders over runs of different formatting.
    let blank = reqwest::Client::new()
        .get(format!("{}/documents/templates/record-card", server.url))
        .bearer_auth(&root)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert!(docx_text(&blank).contains("{{member.last_name}}"));
    let own = with_body(
        &blank,
        "<w:p><w:r><w:t xml:space=\"preserve\">Член: {</w:t></w:r><w:r><w:rPr><w:b/></w:rPr>\
         <w:t>{member.</w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>last_</w:t></w:r><w:r>\
         <w:t>name}}, билет {{ member.card_number }}</w:t></w:r></w:p>",
    );
    let (_, regional_admin) = grant(&server, &root, "ADMIN", &region, "admin@region").await;
    assert_eq!(
        put(&server, &regional_admin, "record-card", own.clone()).await,
        403
    );
    let unknown = with_body(&blank, "<w:p><w:r><w:t>{{member.salary}}</w:t></w:r></w:p>");
    assert_eq!(put(&server, &root, "record-card", unknown).await, 400);
    assert_eq!(
        put(&server, &root, "record-card", b"not a docx".to_vec()).await,
        400
    );
    assert_eq!(put(&server, &root, "record-card", own.clone()).await, 204);
    let (_, docx) = post(&server, &root, "/documents/record-card/docx", &anna_q).await;
    let expected = format!("Член: Иванова, билет {anna_card}");
    assert_eq!(docx_text(&docx).trim(), expected);
    let (_, pdf) = post(&server, &root, "/documents/record-card/pdf", &anna_q).await;
    assert!(pdf_text(&pdf).contains(&expected));
    let reset = reqwest::Client::new()
        .delete(format!("{}/documents/templates/record-card", server.url))
        .bearer_auth(&root)
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 204);
    let (_, docx) = post(&server, &root, "/documents/record-card/docx", &anna_q).await;
    assert!(docx_text(&docx).contains("УЧЁТНАЯ КАРТОЧКА"));

    // The command line: the operator replaces the template, a token's holder
    // fills it in.
    assert!(server.terminate(Duration::from_secs(20)).success());
    let own_path = dir.path().join("own.docx");
    std::fs::write(&own_path, &own).unwrap();
    support::stdout(
        support::reestr(dir.path())
            .args(["document", "record-card", "--replace"])
            .arg(&own_path)
            .output()
            .unwrap(),
    );
    for (format, out) in [("docx", "card.docx"), ("pdf", "card.pdf")] {
        let out = dir.path().join(out);
        support::stdout(
            support::reestr(dir.path())
                .args([
                    "document",
                    "record-card",
                    "--format",
                    format,
                    "--token",
                    &root,
                    "-o",
                ])
                .arg(&out)
                .args(["--input", &anna_q.to_string()])
                .output()
                .unwrap(),
        );
        let bytes = std::fs::read(&out).unwrap();
        let text = if format == "docx" {
            docx_text(&bytes)
        } else {
            pdf_text(&bytes)
        };
        assert!(text.contains(&expected), "{format}: {text}");
    }
    let refused = support::reestr(dir.path())
        .args(["document", "record-card", "--format", "pdf", "-o"])
        .arg(dir.path().join("x.pdf"))
        .args(["--input", &anna_q.to_string()])
        .output()
        .unwrap();
    assert_eq!(
        refused.status.code(),
        Some(2),
        "the operator sees no personal data"
    );
}
