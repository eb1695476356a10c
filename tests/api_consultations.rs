//! Consultations over GraphQL on a real `reestr serve` with a real SMTP
//! server (aiosmtpd): a member signed in to the cabinet (the code read from
//! the sink) and a school's chair ask their region's services; only the
//! asker and the region's service (its ADMIN and CHAIR) see a question, the
//! asker's name only the service, each read recorded; other roles, another
//! region's holders and a chair below are refused; the service answers (the
//! asker gets the answer by e-mail and sees it), closes, and the region's
//! ADMIN publishes the question to the library without the asker's name,
//! found by the library's search; the member's erasure takes their question
//! and its thread out of every answer and out of the log's clear text.
//! The attachment is kept encrypted under a key sealed with the question: its
//! bytes are nowhere in clear in the data directory (its file store
//! included) before the erasure or after, the asker and the service download
//! it byte for byte from the pages, and after the erasure nobody does.
//! Skipped with a warning without aiosmtpd; failing under `CI=true`.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::mailing::{Sink, bodies, cabinet_codes, mail_server, serve_args, until};
use support::{Server, error_code, pages};

const FIELDS: &str = "id regionId regionName service askedOn topic text askerName erased
    attachmentName answers { message on text } closedOn publishedDocumentId mayAnswer mayPublish";

fn ask_query() -> String {
    format!(
        "mutation($input: AskConsultationInput!) {{ askConsultation(input: $input) {{ {FIELDS} }} }}"
    )
}
fn list_query() -> String {
    format!(
        "query($state: ConsultationFilter, $service: ConsultationService) {{
            consultations(state: $state, service: $service) {{ {FIELDS} }} }}"
    )
}
fn one_query() -> String {
    format!("query($id: ID!) {{ consultation(id: $id) {{ {FIELDS} }} }}")
}
fn answer_query() -> String {
    format!(
        "mutation($input: AnswerConsultationInput!) {{ answerConsultation(input: $input) {{ {FIELDS} }} }}"
    )
}
fn close_query() -> String {
    format!(
        "mutation($input: CloseConsultationInput!) {{ closeConsultation(input: $input) {{ {FIELDS} }} }}"
    )
}
fn publish_query() -> String {
    format!(
        "mutation($input: PublishConsultationInput!) {{ publishConsultation(input: $input) {{ {FIELDS} }} }}"
    )
}

/// What the member asks: their name and a phrase no one else writes, so
/// their absence can be looked for.
const SECRET: &str =
    "Моя фамилия Иванова, и директор школы № 7 Пётр Сидоров не платит мне за классное руководство";
const TOPIC: &str = "Доплата за классное руководство";
/// What the attached file says: a string nobody else writes, looked for in
/// every file of the data directory.
const MARKER: &str = "Скан-приказ-Q7731: нагрузка Ивановой, классное руководство 5 «Б»";

/// Every file under `dir`, however deep (the database, its WAL, the file store).
fn every_file(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(every_file(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// Asserts that no file of the data directory `dir` holds `needle`'s bytes
/// in clear (but the SMTP sink's `mail/`, the e-mails the registry sent).
fn nowhere_in_clear(dir: &std::path::Path, needle: &str, when: &str) {
    let needle = needle.as_bytes();
    let mail = dir.join("mail");
    let files = every_file(dir);
    assert!(
        files.iter().any(|f| f.starts_with(dir.join("files"))),
        "{when}: no file store to look in"
    );
    for path in files.into_iter().filter(|f| !f.starts_with(&mail)) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "{when}: {} holds it in clear",
            path.display()
        );
    }
}

/// The files kept in the data directory's file store.
fn stored_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let store = dir.join("files");
    if store.exists() {
        every_file(&store)
    } else {
        Vec::new()
    }
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

async fn sign_in(server: &Server, sink: &Sink, snils: &str, email: &str) -> String {
    let asked = server
        .graphql(
            "mutation($s: String!, $e: String!) { requestCabinetCode(snils: $s, email: $e) }",
            json!({ "s": snils, "e": email }),
            None,
        )
        .await;
    assert_eq!(asked["data"]["requestCabinetCode"], true, "{asked}");
    until(Duration::from_secs(30), "the cabinet's code", async || {
        !cabinet_codes(&sink.dir, email).is_empty()
    })
    .await;
    let code = cabinet_codes(&sink.dir, email).pop().unwrap();
    let signed = server
        .ok(
            "mutation($s: String!, $e: String!, $c: String!) {
                signInToCabinet(snils: $s, email: $e, code: $c) { token } }",
            json!({ "s": snils, "e": email, "c": code }),
            None,
        )
        .await;
    signed["signInToCabinet"]["token"]
        .as_str()
        .unwrap()
        .to_string()
}

fn ids(list: &Value) -> Vec<String> {
    let list = if list["data"].is_object() {
        &list["data"]
    } else {
        list
    };
    list["consultations"]
        .as_array()
        .unwrap_or_else(|| panic!("a list: {list}"))
        .iter()
        .map(|q| q["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn askers_and_the_regions_service_alone_see_a_question_answered_published_and_erased() {
    let Some(python) = mail_server() else { return };
    let (dir, central, admin) = support::init();
    let sink = Sink::start(&python, dir.path());
    let key = dir.path().join("mail.key");
    let args = serve_args(&sink, key.to_str().unwrap(), "100");
    let (server, _) = Server::run(dir.path(), &args, "GraphQL").await;
    let s = &server;
    let (region, territory, school) = support::branch(s, &admin, &central, 7).await;
    let (other_region, _, _) = support::branch(s, &admin, &central, 8).await;
    let (region_admin_id, region_admin) =
        support::grant(s, &admin, "ADMIN", &region, "Правовой инспектор").await;
    let (_, region_chair) = support::grant(s, &admin, "CHAIR", &region, "Председатель рег.").await;
    let (_, school_chair) = support::grant(s, &admin, "CHAIR", &school, "Петрова").await;
    let (_, territory_chair) = support::grant(s, &admin, "CHAIR", &territory, "Район").await;
    let (_, other_admin) = support::grant(s, &admin, "ADMIN", &other_region, "Сосед").await;
    let (_, auditor) = support::grant(s, &admin, "AUDITOR", &region, "Ревизор").await;
    let (_, analyst) = support::grant(s, &admin, "ANALYST", &region, "Аналитик").await;
    let snils = support::snils(112_233_445);
    let mut input = support::admission(&school, "Иванова", "1985-03-04", "2015-09-01");
    input["snils"] = json!(snils);
    input["email"] = json!("ivanova@mail.ru");
    let member = support::admit(s, &admin, input).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = sign_in(s, &sink, &snils, "ivanova@mail.ru").await;

    // Who may ask: the member and a chair; nobody else.
    let ask = |service: &str, topic: &str, text: &str| json!({ "input": { "service": service, "topic": topic, "text": text } });
    let mut asking = ask("LEGAL", TOPIC, SECRET);
    asking["input"]["fileName"] = json!("приказ.txt");
    asking["input"]["contentBase64"] = json!(b64(MARKER.as_bytes()));
    let asked = s.ok(&ask_query(), asking, Some(&token)).await;
    let question = &asked["askConsultation"];
    let id = question["id"].as_str().unwrap().to_string();
    assert_eq!(question["regionId"], region.as_str(), "{question}");
    assert_eq!(question["regionName"], "Регион 7");
    assert_eq!(question["topic"], TOPIC);
    assert_eq!(question["text"], SECRET);
    assert_eq!(question["attachmentName"], "приказ.txt");
    // Kept encrypted: one file in the store, and the marker nowhere in clear
    // in the data directory, before any erasure.
    let kept = stored_files(dir.path());
    assert_eq!(kept.len(), 1, "the attachment is kept");
    let ciphertext = kept[0].clone();
    nowhere_in_clear(dir.path(), MARKER, "before the erasure");
    assert!(
        question["askerName"].is_null(),
        "the asker is not shown their own name back"
    );
    assert_eq!(question["mayAnswer"], false);
    let chairs = s
        .ok(
            &ask_query(),
            ask(
                "METHODOLOGICAL",
                "Аттестация",
                "Как проходит аттестация учителей?",
            ),
            Some(&school_chair),
        )
        .await;
    let chairs_id = chairs["askConsultation"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(chairs["askConsultation"]["regionId"], region.as_str());
    for (who, refused_token, code) in [
        ("nobody", None, "UNAUTHENTICATED"),
        ("an auditor", Some(auditor.as_str()), "FORBIDDEN"),
        ("an analyst", Some(analyst.as_str()), "FORBIDDEN"),
        ("an admin", Some(region_admin.as_str()), "FORBIDDEN"),
    ] {
        let refused = s
            .refused(
                &ask_query(),
                ask("LEGAL", "Тема", "Текст"),
                refused_token,
                &admin,
            )
            .await;
        assert_eq!(refused["extensions"]["code"], code, "{who}: {refused}");
    }
    // A file is judged by its content, as the library's.
    let mut binary = ask("LEGAL", "Тема", "Текст");
    binary["input"]["fileName"] = json!("scan.pdf");
    binary["input"]["contentBase64"] = json!(b64(&[0u8, 159, 146, 150, 0, 1]));
    let refused = s.refused(&ask_query(), binary, Some(&token), &admin).await;
    assert_eq!(refused["extensions"]["code"], "VALIDATION", "{refused}");
    assert_eq!(refused["extensions"]["field"], "content", "{refused}");
    let blank = s
        .refused(
            &ask_query(),
            ask("LEGAL", "  ", "Текст"),
            Some(&token),
            &admin,
        )
        .await;
    assert_eq!(blank["extensions"]["field"], "topic", "{blank}");

    // Who sees which question.
    let list =
        |token: String| async move { s.graphql(&list_query(), json!({}), Some(&token)).await };
    let mut service_sees = ids(&list(region_admin.clone()).await);
    service_sees.sort();
    let mut both = vec![id.clone(), chairs_id.clone()];
    both.sort();
    assert_eq!(service_sees, both);
    let mut chair_sees = ids(&list(region_chair.clone()).await);
    chair_sees.sort();
    assert_eq!(chair_sees, both);
    let root_sees = ids(&list(admin.clone()).await);
    assert_eq!(root_sees.len(), 2, "the root's ADMIN is above every region");
    assert_eq!(ids(&list(token.clone()).await), vec![id.clone()]);
    assert_eq!(
        ids(&list(school_chair.clone()).await),
        vec![chairs_id.clone()]
    );
    assert!(ids(&list(other_admin.clone()).await).is_empty());
    assert!(ids(&list(territory_chair.clone()).await).is_empty());
    for refused_token in [&auditor, &analyst] {
        let answer = list(refused_token.clone()).await;
        assert_eq!(error_code(&answer), "FORBIDDEN", "{answer}");
    }
    let seen = s
        .ok(&one_query(), json!({ "id": id }), Some(&region_admin))
        .await;
    let asker = seen["consultation"]["askerName"].as_str().unwrap();
    assert!(
        asker.contains("Иванова") && asker.contains("Школа 7"),
        "{asker}"
    );
    assert_eq!(seen["consultation"]["mayAnswer"], true);
    assert_eq!(seen["consultation"]["mayPublish"], true);
    for outsider in [&other_admin, &school_chair, &territory_chair] {
        let refused = s
            .graphql(&one_query(), json!({ "id": id }), Some(outsider))
            .await;
        assert_eq!(error_code(&refused), "FORBIDDEN", "{refused}");
    }
    let unknown = s
        .graphql(
            &one_query(),
            json!({ "id": "0190d0a0-0000-7000-8000-000000000000" }),
            Some(&region_admin),
        )
        .await;
    assert_eq!(error_code(&unknown), "NOT_FOUND", "{unknown}");
    // The service's reads of the asker are recorded.
    let reads = s
        .ok(
            "query($m: ID) { personalDataReads(memberId: $m, first: 100) { nodes { viewerId } } }",
            json!({ "m": member }),
            Some(&admin),
        )
        .await;
    let readers: Vec<&str> = reads["personalDataReads"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["viewerId"].as_str())
        .collect();
    assert!(readers.contains(&region_admin_id.as_str()), "{reads}");

    // The attachment, decrypted for the asker and the service alone, byte for
    // byte, from the pages (the cabinet's session and a staff session).
    let code_mail = cabinet_codes(&sink.dir, "ivanova@mail.ru").len();
    s.ok(
        "mutation($s: String!, $e: String!) { requestCabinetCode(snils: $s, email: $e) }",
        json!({ "s": snils, "e": "ivanova@mail.ru" }),
        None,
    )
    .await;
    until(
        Duration::from_secs(30),
        "a second cabinet code",
        async || cabinet_codes(&sink.dir, "ivanova@mail.ru").len() > code_mail,
    )
    .await;
    let code = cabinet_codes(&sink.dir, "ivanova@mail.ru").pop().unwrap();
    let members_pages = pages::session(
        s,
        "/cabinet",
        "/cabinet/signin",
        &[
            ("snils", snils.as_str()),
            ("email", "ivanova@mail.ru"),
            ("code", code.as_str()),
        ],
    )
    .await;
    let services_pages = pages::session(s, "/signin", "/signin", &[("token", &region_admin)]).await;
    let outsiders_pages = pages::session(s, "/signin", "/signin", &[("token", &other_admin)]).await;
    let attachment = format!("/consultations/{id}/attachment");
    for (who, cookies) in [
        ("the asker", &members_pages),
        ("the service", &services_pages),
    ] {
        let (status, bytes) = pages::get(s, cookies, &attachment).await;
        assert_eq!(status, 200, "{who}: {}", String::from_utf8_lossy(&bytes));
        assert!(bytes == MARKER.as_bytes(), "{who} got other bytes");
    }
    let (status, bytes) = pages::get(s, &outsiders_pages, &attachment).await;
    assert_eq!(status, 403, "another region's ADMIN downloads it");
    assert!(!String::from_utf8_lossy(&bytes).contains(MARKER));

    // Answers: the service only; a thread; the asker notified and shown.
    let answer = |text: &str| json!({ "input": { "consultationId": id, "text": text } });
    for outsider in [&other_admin, &school_chair, &token] {
        let refused = s
            .refused(&answer_query(), answer("Ответ"), Some(outsider), &admin)
            .await;
        assert_eq!(refused["extensions"]["code"], "FORBIDDEN", "{refused}");
    }
    let first = "Доплата за классное руководство установлена приказом Минпросвещения; \
                 обратитесь в комиссию по трудовым спорам.";
    s.ok(&answer_query(), answer(first), Some(&region_chair))
        .await;
    let answered = s
        .ok(
            &answer_query(),
            answer("Образец заявления приложим позже."),
            Some(&region_admin),
        )
        .await;
    let thread = &answered["answerConsultation"]["answers"];
    assert_eq!(thread.as_array().unwrap().len(), 2, "{thread}");
    assert_eq!(thread[0]["message"], 1);
    assert_eq!(thread[0]["text"], first);
    let mine = s.ok(&one_query(), json!({ "id": id }), Some(&token)).await;
    assert_eq!(mine["consultation"]["answers"][0]["text"], first, "{mine}");
    until(Duration::from_secs(30), "the answer's e-mail", async || {
        bodies(&sink.dir, "ivanova@mail.ru", "Ответ на ваш вопрос").len() >= 2
    })
    .await;
    let mail = bodies(&sink.dir, "ivanova@mail.ru", "Ответ на ваш вопрос");
    assert!(mail[0].contains("классное руководство"), "{}", mail[0]);
    assert!(
        mail.iter()
            .any(|m| m.contains("комиссию по трудовым спорам")),
        "{mail:?}"
    );

    // The desk's filters.
    let filtered = |state: &str| {
        let region_admin = region_admin.clone();
        let state = state.to_string();
        async move {
            ids(&s
                .ok(
                    &list_query(),
                    json!({ "state": state }),
                    Some(&region_admin),
                )
                .await)
        }
    };
    assert_eq!(filtered("OPEN").await, vec![chairs_id.clone()]);
    assert_eq!(filtered("ANSWERED").await, vec![id.clone()]);
    assert!(filtered("CLOSED").await.is_empty());
    let legal = s
        .ok(
            &list_query(),
            json!({ "service": "LEGAL" }),
            Some(&region_admin),
        )
        .await;
    assert_eq!(ids(&legal), vec![id.clone()]);

    // Publishing: an ADMIN over the region, once, the text as approved.
    let publishing = json!({ "input": {
        "consultationId": id,
        "title": "Консультация: доплата за классное руководство",
        "question": "Работодатель не выплачивает доплату за классное руководство. Что делать?",
        "answer": first,
    } });
    let refused = s
        .refused(
            &publish_query(),
            publishing.clone(),
            Some(&region_chair),
            &admin,
        )
        .await;
    assert_eq!(refused["extensions"]["code"], "FORBIDDEN", "{refused}");
    let unanswered = s
        .refused(
            &publish_query(),
            json!({ "input": { "consultationId": chairs_id, "title": "Т", "question": "В", "answer": "О" } }),
            Some(&region_admin),
            &admin,
        )
        .await;
    assert_eq!(
        unanswered["extensions"]["field"], "consultationId",
        "{unanswered}"
    );
    let published = s
        .ok(&publish_query(), publishing.clone(), Some(&region_admin))
        .await;
    let document = published["publishConsultation"]["publishedDocumentId"]
        .as_str()
        .expect("a document")
        .to_string();
    let again = s
        .refused(&publish_query(), publishing, Some(&region_admin), &admin)
        .await;
    assert_eq!(again["extensions"]["field"], "consultationId", "{again}");
    let found = s
        .ok(
            "query($q: String) { libraryDocuments(search: $q) { edges { node { id title kind issuer } } } }",
            json!({ "q": "доплаты классного руководства" }),
            Some(&token),
        )
        .await;
    let edges = found["libraryDocuments"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{found}");
    assert_eq!(edges[0]["node"]["id"], document.as_str());
    assert_eq!(edges[0]["node"]["kind"], "CONSULTATION");
    assert_eq!(edges[0]["node"]["issuer"], "Регион 7");
    let text = s
        .ok(
            "query($id: ID!) { libraryDocument(id: $id) { textPreview(chars: 5000) } }",
            json!({ "id": document }),
            Some(&region_admin),
        )
        .await;
    let text = text["libraryDocument"]["textPreview"].as_str().unwrap();
    assert!(
        text.contains("Что делать?") && text.contains("комиссию"),
        "{text}"
    );
    for name in ["Иванова", "Сидоров", "Анна"] {
        assert!(
            !text.contains(name),
            "the published text names {name}: {text}"
        );
    }
    // Another region's holders do not read it.
    let elsewhere = s
        .ok(
            "query($q: String) { libraryDocuments(search: $q) { totalCount } }",
            json!({ "q": "классного руководства" }),
            Some(&other_admin),
        )
        .await;
    assert_eq!(
        elsewhere["libraryDocuments"]["totalCount"], 0,
        "{elsewhere}"
    );

    // Closing: once; no answer after.
    let close = json!({ "input": { "consultationId": id } });
    let closed = s
        .ok(&close_query(), close.clone(), Some(&region_admin))
        .await;
    assert!(
        closed["closeConsultation"]["closedOn"].is_string(),
        "{closed}"
    );
    let late = s
        .refused(&answer_query(), answer("Ещё"), Some(&region_admin), &admin)
        .await;
    assert_eq!(late["extensions"]["field"], "consultationId", "{late}");
    let twice = s
        .refused(&close_query(), close, Some(&region_admin), &admin)
        .await;
    assert_eq!(twice["extensions"]["code"], "VALIDATION", "{twice}");

    // Erasure: the asker and their thread are gone from every answer.
    let erased = s
        .ok(
            "mutation($m: ID!) { erasePersonalData(memberId: $m, basis: \"заявление\") { id } }",
            json!({ "m": member }),
            Some(&admin),
        )
        .await;
    assert_eq!(erased["erasePersonalData"]["id"], member.as_str());
    let after = s
        .ok(&one_query(), json!({ "id": id }), Some(&region_admin))
        .await;
    let after = &after["consultation"];
    assert_eq!(after["erased"], true, "{after}");
    for field in ["topic", "text", "askerName", "attachmentName"] {
        assert!(after[field].is_null(), "{field} after erasure: {after}");
    }
    assert!(after["answers"][0]["text"].is_null(), "{after}");
    assert_eq!(
        after["publishedDocumentId"],
        document.as_str(),
        "the publication stays"
    );
    let desk = s.ok(&list_query(), json!({}), Some(&region_admin)).await;
    assert!(!desk.to_string().contains("Иванова"), "{desk}");
    assert!(!desk.to_string().contains("Сидоров"), "{desk}");
    let journal = s
        .ok(
            "query($s: String) { events(stream: $s, first: 50) { edges { node { type data } } } }",
            json!({ "s": format!("consultation-{id}") }),
            Some(&admin),
        )
        .await;
    assert!(
        journal.to_string().contains("ConsultationAsked"),
        "{journal}"
    );
    assert!(!journal.to_string().contains("Сидоров"), "{journal}");
    // The signed-out member's token is no longer good.
    let gone = s.graphql(&list_query(), json!({}), Some(&token)).await;
    assert!(!gone["errors"][0].is_null(), "{gone}");
    // Nor is the attachment anyone's: its key died with the question's.
    let (status, bytes) = pages::get(s, &services_pages, &attachment).await;
    assert_eq!(status, 404, "the service after the erasure");
    assert!(!String::from_utf8_lossy(&bytes).contains(MARKER));
    let (status, bytes) = pages::get(s, &members_pages, &attachment).await;
    assert_ne!(status, 200, "the erased asker's session");
    assert!(!String::from_utf8_lossy(&bytes).contains(MARKER));
    assert!(ciphertext.exists(), "the ciphertext stays, unreadable");

    // Nor anywhere in the log's clear text.
    let status = server.terminate(Duration::from_secs(20));
    assert!(status.success(), "{status}");
    let printed = support::stdout(support::reestr(dir.path()).arg("events").output().unwrap());
    assert!(printed.contains("ConsultationAnswered"), "{printed:.400}");
    for needle in ["Сидоров", TOPIC, "комиссию по трудовым спорам"] {
        assert!(!printed.contains(needle), "reestr events prints {needle:?}");
    }
    nowhere_in_clear(dir.path(), "Сидоров", "after the erasure");
    nowhere_in_clear(dir.path(), MARKER, "after the erasure");
}
