//! The member's cabinet over GraphQL, with the codes read from a real SMTP
//! server (aiosmtpd, `tests/support/mailing.rs`): a code asked for by SNILS
//! and e-mail, the same answer and no mail for details that are nobody's,
//! wrong, used, expired codes and too many tries refused alike, the member's
//! own record read (and recorded) and every other refused, contacts,
//! mailings, and an erasure request declined, then confirmed by the chair.
//! Skipped with a warning without aiosmtpd; failing under `CI=true`.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::Server;
use support::mailing::{Sink, cabinet_codes, mail_server, messages, serve_args, until};

const REQUEST: &str =
    "mutation($s: String!, $e: String!) { requestCabinetCode(snils: $s, email: $e) }";
const SIGN_IN: &str = "mutation($s: String!, $e: String!, $c: String!) {
    signInToCabinet(snils: $s, email: $e, code: $c) { token expiresAt memberId } }";
const OWN: &str = "{ viewer { kind role member { id lastName email phone tenureDays
    card { number } history { summary } organization { name path { name } } } } }";

struct Registry {
    _dir: tempfile::TempDir,
    sink: Sink,
    server: Server,
    admin: String,
    chair: String,
    member: String,
    other: String,
    snils: String,
}

/// A registry with a school, its chair, two members (one with SNILS and
/// e-mail), served with the SMTP sink and `extra` flags.
async fn registry(python: &str, extra: &[&str]) -> Registry {
    let (dir, central, admin) = support::init();
    let sink = Sink::start(python, dir.path());
    let key = dir.path().join("mail.key");
    let mut args = serve_args(&sink, key.to_str().unwrap(), "100");
    args.extend_from_slice(extra);
    let (server, _) = Server::run(dir.path(), &args, "GraphQL").await;
    let (_, _, school) = support::branch(&server, &admin, &central, 7).await;
    let (_, chair) = support::grant(&server, &admin, "CHAIR", &school, "Петрова Н. В.").await;
    let snils = support::snils(112_233_445);
    let mut input = support::admission(&school, "Иванова", "1985-03-04", "2015-09-01");
    input["snils"] = json!(snils);
    input["email"] = json!("Ivanova@Mail.ru");
    input["phone"] = json!("+7 900 000-00-01");
    input["issueCard"] = json!("VIRTUAL");
    let member = support::admit(&server, &admin, input).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut input = support::admission(&school, "Орлова", "1990-01-02", "2020-09-01");
    input["email"] = json!("orlova@mail.ru");
    let other = support::admit(&server, &admin, input).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    Registry {
        _dir: dir,
        sink,
        server,
        admin,
        chair,
        member,
        other,
        snils,
    }
}

async fn request(server: &Server, snils: &str, email: &str) -> Value {
    server
        .graphql(REQUEST, json!({ "s": snils, "e": email }), None)
        .await
}

async fn sign_in(server: &Server, snils: &str, email: &str, code: &str) -> Value {
    server
        .graphql(SIGN_IN, json!({ "s": snils, "e": email, "c": code }), None)
        .await
}

/// A code that is not `code`.
fn other_than(code: &str) -> String {
    if code == "000000" { "111111" } else { "000000" }.to_string()
}

async fn code_number(sink: &Sink, n: usize) -> String {
    until(Duration::from_secs(30), "the code's message", async || {
        cabinet_codes(&sink.dir, "Ivanova@Mail.ru").len() >= n
    })
    .await;
    cabinet_codes(&sink.dir, "Ivanova@Mail.ru")[n - 1].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_signs_in_with_a_code_and_sees_only_their_own_record() {
    let Some(python) = mail_server() else { return };
    let r = registry(&python, &[]).await;
    let s = &r.server;

    // The same answer for a member's details, another e-mail, and nobody's.
    for (snils, email) in [
        (r.snils.as_str(), "ivanova@mail.ru"),
        (r.snils.as_str(), "someone@mail.ru"),
        (&support::snils(998_877_665)[..], "nobody@mail.ru"),
    ] {
        let answer = request(s, snils, email).await;
        assert_eq!(
            answer["data"],
            json!({ "requestCabinetCode": true }),
            "{answer}"
        );
    }
    let code = code_number(&r.sink, 1).await;
    // Nothing went elsewhere, and one code only.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let sent: Vec<String> = messages(&r.sink.dir).into_iter().map(|m| m.to).collect();
    assert!(sent.iter().all(|to| to == "Ivanova@Mail.ru"), "{sent:?}");
    assert_eq!(cabinet_codes(&r.sink.dir, "Ivanova@Mail.ru").len(), 1);

    // A wrong code, for the member and for nobody: the same refusal.
    for (snils, email) in [
        (r.snils.as_str(), "ivanova@mail.ru"),
        (&support::snils(998_877_665)[..], "nobody@mail.ru"),
    ] {
        let wrong = sign_in(s, snils, email, &other_than(&code)).await;
        assert_eq!(support::error_code(&wrong), "VALIDATION", "{wrong}");
        assert_eq!(wrong["errors"][0]["extensions"]["field"], "code", "{wrong}");
    }
    let signed = sign_in(s, &r.snils, "ivanova@mail.ru", &code).await;
    let session = &signed["data"]["signInToCabinet"];
    let token = session["token"].as_str().expect("a token").to_string();
    assert_eq!(session["memberId"], r.member.as_str());
    // Single use.
    let again = sign_in(s, &r.snils, "ivanova@mail.ru", &code).await;
    assert_eq!(support::error_code(&again), "VALIDATION", "{again}");

    // Their own record, personal data included.
    let own = s.ok(OWN, json!({}), Some(&token)).await;
    let viewer = &own["viewer"];
    assert_eq!(viewer["kind"], "MEMBER");
    assert_eq!(viewer["role"], Value::Null);
    let me = &viewer["member"];
    assert_eq!(me["id"], r.member.as_str());
    assert_eq!(me["lastName"], "Иванова");
    assert!(me["tenureDays"].as_i64().unwrap() > 365 * 10, "{me}");
    assert!(me["card"]["number"].is_string(), "{me}");
    assert_eq!(me["organization"]["name"], "Школа 7");
    assert_eq!(me["organization"]["path"].as_array().unwrap().len(), 4);
    assert!(!me["history"].as_array().unwrap().is_empty());
    // Their read of their own data is recorded like anyone's.
    let reads = s
        .ok(
            "query($v: ID) { personalDataReads(viewerId: $v) { nodes { memberId } } }",
            json!({ "v": r.member }),
            Some(&r.admin),
        )
        .await;
    assert!(
        reads["personalDataReads"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["memberId"] == r.member.as_str()),
        "{reads}"
    );
    // Nobody else's.
    let refused = s
        .graphql(
            "query($id: ID!) { member(id: $id) { lastName } }",
            json!({ "id": r.other }),
            Some(&token),
        )
        .await;
    assert_eq!(support::error_code(&refused), "FORBIDDEN", "{refused}");
    let refused = s
        .graphql(
            "{ events(first: 1) { totalCount } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(support::error_code(&refused), "FORBIDDEN", "{refused}");

    // Contacts and mailings through the real command paths.
    let changed = s
        .ok(
            "mutation { updateMyContacts(input: { phone: \"+7 900 111-22-33\" }) { phone email } }",
            json!({}),
            Some(&token),
        )
        .await;
    assert_eq!(changed["updateMyContacts"]["phone"], "+7 900 111-22-33");
    assert_eq!(changed["updateMyContacts"]["email"], "Ivanova@Mail.ru");
    for take in [false, true] {
        let set = s
            .ok(
                "mutation($t: Boolean!) { setMyMailings(take: $t) }",
                json!({ "t": take }),
                Some(&token),
            )
            .await;
        assert_eq!(set["setMyMailings"], take);
    }

    // Erasure: asked, declined by the chair, asked again, confirmed.
    const REQUESTS: &str = "{ erasureRequests { member { id lastName } requestedOn } }";
    s.ok("mutation { requestMyErasure }", json!({}), Some(&token))
        .await;
    let waiting = s.ok(REQUESTS, json!({}), Some(&r.chair)).await;
    assert_eq!(
        waiting["erasureRequests"][0]["member"]["id"],
        r.member.as_str()
    );
    s.ok(
        "mutation($id: ID!) { declineErasure(memberId: $id, reason: \"идёт проверка\") }",
        json!({ "id": r.member }),
        Some(&r.chair),
    )
    .await;
    let waiting = s.ok(REQUESTS, json!({}), Some(&r.chair)).await;
    assert_eq!(waiting["erasureRequests"], json!([]));
    s.ok("mutation { requestMyErasure }", json!({}), Some(&token))
        .await;
    s.ok(
        "mutation($id: ID!) { erasePersonalData(memberId: $id, basis: \"просьба члена\") { erased } }",
        json!({ "id": r.member }),
        Some(&r.chair),
    )
    .await;
    let waiting = s.ok(REQUESTS, json!({}), Some(&r.admin)).await;
    assert_eq!(waiting["erasureRequests"], json!([]));
    // The session ends with the data.
    let gone = s.graphql(OWN, json!({}), Some(&token)).await;
    assert_eq!(support::error_code(&gone), "UNAUTHENTICATED", "{gone}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_codes_and_too_many_tries_are_refused() {
    let Some(python) = mail_server() else { return };
    let r = registry(&python, &["--cabinet-code-seconds", "1"]).await;
    let s = &r.server;
    request(s, &r.snils, "ivanova@mail.ru").await;
    let code = code_number(&r.sink, 1).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let late = sign_in(s, &r.snils, "ivanova@mail.ru", &code).await;
    assert_eq!(support::error_code(&late), "VALIDATION", "{late}");
    assert!(
        late["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{late}"
    );
    // Five tries an e-mail, then RATE_LIMITED, for a member and for nobody.
    for (snils, email) in [
        (r.snils.clone(), "ivanova@mail.ru"),
        (support::snils(998_877_665), "nobody@mail.ru"),
    ] {
        let tried = if email == "ivanova@mail.ru" { 1 } else { 0 };
        for _ in tried..5 {
            let wrong = sign_in(s, &snils, email, "123456").await;
            assert_eq!(support::error_code(&wrong), "VALIDATION", "{wrong}");
        }
        let stopped = sign_in(s, &snils, email, "123456").await;
        assert_eq!(support::error_code(&stopped), "RATE_LIMITED", "{stopped}");
    }
}
