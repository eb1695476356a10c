//! The union's library over GraphQL on a real `reestr serve`: an ADMIN
//! uploads a DOCX, a PDF and a text file for audiences of the whole union,
//! one region's chairs and another region; each holder finds, in Russian and
//! in any word form, only what their role and subtree read; a new version
//! replaces the text found, a withdrawal takes the document out; the files
//! come back byte for byte over `GET /library/{id}/file`; a restarted server
//! rebuilds the same index from the log and the data directory's files.

mod support;

#[path = "support/library.rs"]
mod library;

use std::time::Duration;

use library::*;
use serde_json::{Value, json};
use support::*;

const DOCUMENT: &str = "query($id: ID!) { libraryDocument(id: $id) { id title withdrawnOn
    textPreview(chars: 500) currentVersion { version } audience { id } } }";

async fn search(server: &Server, token: &str, variables: Value) -> Value {
    server.ok(SEARCH, variables, Some(token)).await["libraryDocuments"].clone()
}

fn titles(found: &Value) -> Vec<String> {
    found["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["title"].as_str().unwrap().to_string())
        .collect()
}

/// The words a highlight marks, as the characters its ranges name.
fn marked(edge: &Value) -> Vec<String> {
    let fragment: Vec<char> = edge["highlight"]["fragment"]
        .as_str()
        .unwrap()
        .chars()
        .collect();
    edge["highlight"]["marks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let (start, end) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
            fragment[start as usize..end as usize].iter().collect()
        })
        .collect()
}

async fn download(server: &Server, token: &str, id: &str, query: &str) -> (u16, String, Vec<u8>) {
    let response = reqwest::Client::new()
        .get(format!("{}/library/{id}/file{query}", server.url))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (
        status,
        content_type,
        response.bytes().await.unwrap().to_vec(),
    )
}

/// `reestr serve` with room for a file in a request: the API's default body
/// limit (1 MiB) is smaller than a PDF with its font embedded, as base64.
async fn serve(dir: &std::path::Path) -> Server {
    let flags = ["serve", "--no-request-limits", "--body-limit", "16000000"];
    Server::run(dir, &flags, "GraphQL and GraphiQL").await.0
}

async fn upload(server: &Server, token: &str, input: Value) -> String {
    let data = server
        .ok(UPLOAD, json!({ "input": input }), Some(token))
        .await;
    data["uploadLibraryDocument"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn holders_find_in_russian_only_what_their_audience_reads() {
    let (dir, central, admin) = init();
    let server = serve(dir.path()).await;
    let (regional, territorial, _) = branch(&server, &admin, &central, 71).await;
    let (other_region, other_territorial, _) = branch(&server, &admin, &central, 72).await;
    let (_, chair) = grant(&server, &admin, "CHAIR", &territorial, "Председатель").await;
    let (_, analyst) = grant(&server, &admin, "ANALYST", &regional, "Аналитик").await;
    let (_, other_chair) = grant(&server, &admin, "CHAIR", &other_territorial, "Сосед").await;
    let (_, other_admin) = grant(&server, &admin, "ADMIN", &other_region, "Админ 72").await;

    let agreement_docx = docx_file(
        "Коллективный договор",
        &["Стороны заключили настоящий коллективный договор на 2024–2027 годы."],
    );
    let agreement = upload(
        &server,
        &admin,
        upload_input(
            "Коллективный договор МБОУ СОШ № 17",
            "COLLECTIVE_AGREEMENT",
            "2024-01-15",
            "ППО МБОУ СОШ № 17",
            &central,
            "EVERYONE",
            "Коллективный договор.docx",
            &agreement_docx,
        ),
    )
    .await;
    let pay_pdf = pdf_file(
        "Положение об оплате труда",
        &["Порядок премирования работников устанавливается комиссией."],
    );
    let pay = upload(
        &server,
        &admin,
        upload_input(
            "Положение об оплате труда",
            "REGULATION",
            "2023-09-01",
            "Региональная организация",
            &regional,
            "CHAIRS",
            "pay.pdf",
            &pay_pdf,
        ),
    )
    .await;
    let guide = upload(
        &server,
        &other_admin,
        upload_input(
            "Методические рекомендации по охране труда",
            "METHOD_GUIDE",
            "2022-03-10",
            "Региональная организация",
            &other_region,
            "EVERYONE",
            "guide.txt",
            "Уполномоченным по охране труда рекомендуется проводить проверки.".as_bytes(),
        ),
    )
    .await;

    // «договора» finds «договор», with the word marked where it was found.
    let found = search(&server, &chair, json!({ "search": "договора" })).await;
    assert_eq!(titles(&found), ["Коллективный договор МБОУ СОШ № 17"]);
    let words = marked(&found["edges"][0]);
    assert!(
        words
            .iter()
            .all(|w| w.to_lowercase().starts_with("договор")),
        "{words:?}"
    );
    assert!(!words.is_empty());
    // The PDF's text is found by its chairs, in another form of the word.
    let found = search(&server, &chair, json!({ "search": "премирование" })).await;
    assert_eq!(titles(&found), ["Положение об оплате труда"]);

    // Who reads what: role × subtree, chairs only for the PDF.
    let all = |token: String| {
        let server = &server;
        async move {
            let mut seen = titles(&search(server, &token, json!({})).await);
            seen.sort();
            seen
        }
    };
    assert_eq!(
        all(chair.clone()).await,
        [
            "Коллективный договор МБОУ СОШ № 17",
            "Положение об оплате труда"
        ]
    );
    assert_eq!(
        all(analyst.clone()).await,
        ["Коллективный договор МБОУ СОШ № 17"]
    );
    assert_eq!(
        all(other_chair.clone()).await,
        [
            "Коллективный договор МБОУ СОШ № 17",
            "Методические рекомендации по охране труда"
        ]
    );
    assert_eq!(all(admin.clone()).await.len(), 3);
    for (token, id) in [(&analyst, &pay), (&other_chair, &pay), (&chair, &guide)] {
        let response = server
            .graphql(DOCUMENT, json!({ "id": id }), Some(token))
            .await;
        assert_eq!(error_code(&response), "FORBIDDEN", "{response}");
        let (status, _, _) = download(&server, token, id, "").await;
        assert_eq!(status, 403);
    }
    let response = server.graphql(SEARCH, json!({}), None).await;
    assert_eq!(error_code(&response), "UNAUTHENTICATED");

    // Filters: kind, issuer, dates.
    let found = search(&server, &admin, json!({ "kind": "REGULATION" })).await;
    assert_eq!(titles(&found), ["Положение об оплате труда"]);
    let found = search(
        &server,
        &admin,
        json!({ "issuer": "Региональная организация" }),
    )
    .await;
    assert_eq!(found["totalCount"], 2);
    let found = search(
        &server,
        &admin,
        json!({ "from": "2023-01-01", "to": "2023-12-31" }),
    )
    .await;
    assert_eq!(titles(&found), ["Положение об оплате труда"]);
    // Newest issued first, paged.
    let first = search(&server, &admin, json!({ "first": 2 })).await;
    assert_eq!(first["totalCount"], 3);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    let rest = search(
        &server,
        &admin,
        json!({ "first": 2, "after": first["pageInfo"]["endCursor"] }),
    )
    .await;
    assert_eq!(titles(&rest), ["Методические рекомендации по охране труда"]);
    assert_eq!(rest["pageInfo"]["hasNextPage"], false);
    assert_eq!(rest["pageInfo"]["hasPreviousPage"], true);
    // Backward from the end: the same documents, the same order.
    let end = search(&server, &admin, json!({ "last": 2 })).await;
    assert_eq!(end["pageInfo"]["hasPreviousPage"], true);
    assert_eq!(end["pageInfo"]["hasNextPage"], false);
    let start = search(
        &server,
        &admin,
        json!({ "last": 2, "before": end["pageInfo"]["startCursor"] }),
    )
    .await;
    assert_eq!(start["pageInfo"]["hasPreviousPage"], false);
    assert_eq!(start["pageInfo"]["hasNextPage"], true);
    let backward: Vec<String> = titles(&start).into_iter().chain(titles(&end)).collect();
    let forward: Vec<String> = titles(&first).into_iter().chain(titles(&rest)).collect();
    assert_eq!(backward, forward);

    // The files come back as uploaded, with their types.
    let (status, content_type, bytes) = download(&server, &chair, &agreement, "").await;
    assert_eq!(status, 200);
    assert_eq!(
        content_type,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert_eq!(bytes, agreement_docx);
    let (_, content_type, bytes) = download(&server, &chair, &pay, "").await;
    assert_eq!(
        (content_type.as_str(), bytes),
        ("application/pdf", pay_pdf.clone())
    );

    // Refused, writing nothing: a file that is none of the four whatever its
    // name, a chair, an ADMIN of another subtree, a future date.
    let png = upload_input(
        "Скан",
        "OTHER",
        "2024-01-01",
        "Профсоюз",
        &central,
        "EVERYONE",
        "scan.pdf",
        NOT_A_DOCUMENT,
    );
    let error = server
        .refused(UPLOAD, json!({ "input": png }), Some(&admin), &admin)
        .await;
    assert_refusal(&error, "VALIDATION", None);
    assert_eq!(error["extensions"]["field"], "content");
    let text = "Текст".as_bytes();
    for (token, audience, code) in [
        (&chair, &territorial, "FORBIDDEN"),
        (&other_admin, &regional, "FORBIDDEN"),
    ] {
        let input = upload_input(
            "Т",
            "OTHER",
            "2024-01-01",
            "П",
            audience,
            "EVERYONE",
            "t.txt",
            text,
        );
        let error = server
            .refused(UPLOAD, json!({ "input": input }), Some(token), &admin)
            .await;
        assert_refusal(&error, code, None);
    }
    let future = upload_input(
        "Т",
        "OTHER",
        &days_ahead(5),
        "П",
        &central,
        "EVERYONE",
        "t.txt",
        text,
    );
    let error = server
        .refused(UPLOAD, json!({ "input": future }), Some(&admin), &admin)
        .await;
    assert_eq!(error["extensions"]["field"], "issuedOn", "{error}");

    // A new version: its text is found, the old one's no longer; the same
    // file again is no new version; the first version still downloads.
    let revised_docx = docx_file(
        "Коллективный договор",
        &["Дополнительное соглашение о продлении срока действия."],
    );
    let revise = json!({ "input": {
        "documentId": agreement, "fileName": "Договор, ред. 2.docx",
        "contentBase64": base64(&revised_docx), "note": "Продлён" } });
    let revised = server.ok(REVISE, revise.clone(), Some(&admin)).await;
    assert_eq!(
        revised["reviseLibraryDocument"]["currentVersion"]["version"],
        2
    );
    assert_eq!(
        titles(&search(&server, &chair, json!({ "search": "продление" })).await).len(),
        1
    );
    assert_eq!(
        search(&server, &chair, json!({ "search": "заключили" })).await["totalCount"],
        0
    );
    let error = server.refused(REVISE, revise, Some(&admin), &admin).await;
    assert_eq!(error["extensions"]["field"], "content", "{error}");
    let (_, _, bytes) = download(&server, &chair, &agreement, "?version=1").await;
    assert_eq!(bytes, agreement_docx);
    let preview = server
        .ok(DOCUMENT, json!({ "id": agreement }), Some(&chair))
        .await;
    let preview = preview["libraryDocument"]["textPreview"].as_str().unwrap();
    assert!(preview.contains("продлении"), "{preview}");

    // Withdrawn: no longer found, its page says so, no new version.
    let withdraw = json!({ "input": { "documentId": agreement, "reason": "Срок действия истёк" } });
    let withdrawn = server.ok(WITHDRAW, withdraw.clone(), Some(&admin)).await;
    assert_eq!(
        withdrawn["withdrawLibraryDocument"]["withdrawnOn"],
        today().to_string()
    );
    assert_eq!(
        search(&server, &chair, json!({ "search": "договора" })).await["totalCount"],
        0
    );
    let error = server
        .refused(WITHDRAW, withdraw, Some(&admin), &admin)
        .await;
    assert_refusal(&error, "VALIDATION", None);

    // A restart rebuilds the same index from the log and the files.
    let before: Vec<Value> = [&chair, &analyst, &other_chair, &admin]
        .iter()
        .map(|t| (*t).clone())
        .map(|t| json!(t))
        .collect();
    let mut answers = Vec::new();
    for token in &before {
        let token = token.as_str().unwrap();
        answers.push(search(&server, token, json!({ "search": "труда" })).await);
    }
    server.terminate(Duration::from_secs(20));
    let server = serve(dir.path()).await;
    for (token, answer) in before.iter().zip(&answers) {
        let token = token.as_str().unwrap();
        assert_eq!(
            &search(&server, token, json!({ "search": "труда" })).await,
            answer
        );
    }
    let found = search(&server, &chair, json!({ "search": "премирования" })).await;
    assert_eq!(titles(&found), ["Положение об оплате труда"]);
}
