//! No audit side doors (issue 11, item 4): every path that shows personal data
//! records the read: an applicant's names (`applications`, `application`), a
//! name `search` that confirms who is where (even asking for ids only), the
//! journal's `data` of an application's stream and the subscription, and the
//! command line's `reestr events`, which shows personal data only to a token's
//! holder and records it like any other read.

mod support;

use std::time::Duration;

use serde_json::json;
use support::{Server, admission, grant, message_within, reestr, started, stdout, subscribe};

const APPLICANT: &str = "Заявителева";
const SOUGHT: &str = "Искомая";

const SUBMIT: &str =
    "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }";
const READS: &str = "query($v: ID) { personalDataReads(viewerId: $v, first: 100) {
    totalCount nodes { memberId applicationId } } }";

/// The reads recorded of `viewer`: (member ids, application ids, total), once
/// `done` holds of them (the audit trail's read model follows the log within
/// moments of the read's record), or as they are after five seconds.
async fn reads_by(
    server: &Server,
    root: &str,
    viewer: &str,
    done: impl Fn(&[String], &[String], i64) -> bool,
) -> (Vec<String>, Vec<String>, i64) {
    for attempt in 0..50 {
        let data = server.ok(READS, json!({ "v": viewer }), Some(root)).await;
        let reads = &data["personalDataReads"];
        let ids = |field: &str| -> Vec<String> {
            reads["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|n| n[field].as_str().map(String::from))
                .collect()
        };
        let found = (
            ids("memberId"),
            ids("applicationId"),
            reads["totalCount"].as_i64().unwrap(),
        );
        if done(&found.0, &found.1, found.2) || attempt == 49 {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    unreachable!("the last attempt returns")
}

#[tokio::test]
async fn every_path_that_shows_personal_data_records_the_read_the_command_line_included() {
    let (dir, server, central, root) = started().await;
    let root = root.as_str();
    let (_, _, primary) = support::branch(&server, root, &central, 61).await;
    let (chair_user, chair) = grant(&server, root, "CHAIR", &primary, "chair").await;
    let (auditor_user, auditor) = grant(&server, root, "AUDITOR", &central, "auditor").await;

    let application = json!({
        "orgId": primary, "lastName": APPLICANT, "firstName": "Вера", "gender": "FEMALE",
        "birthDate": "1991-01-01", "category": "WORKER", "profession": "TEACHER", "consent": true,
    });
    let submitted = server
        .ok(SUBMIT, json!({ "input": application }), None)
        .await;
    let application_id = submitted["submitApplication"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let member = support::admit(
        &server,
        root,
        admission(&primary, SOUGHT, "1980-01-01", "2020-01-01"),
    )
    .await;
    let member_id = member["id"].as_str().unwrap().to_string();

    // The chair lists applicants and confirms, by name alone, who is a member.
    let listed = server
        .ok(
            "query($org: ID!) { applications(orgId: $org) { edges { node { id lastName } } } }",
            json!({ "org": primary }),
            Some(&chair),
        )
        .await;
    assert!(listed.to_string().contains(APPLICANT), "{listed}");
    let (_, applications, _) = reads_by(&server, root, &chair_user, |_, a, _| {
        a.contains(&application_id)
    })
    .await;
    assert!(
        applications.contains(&application_id),
        "the list of applicants is a read: {applications:?}"
    );
    let searched = server
        .ok(
            "query($org: ID!, $q: String) { members(orgId: $org, search: $q) { totalCount edges { node { id } } } }",
            json!({ "org": primary, "q": SOUGHT }),
            Some(&chair),
        )
        .await;
    assert_eq!(searched["members"]["totalCount"], 1, "{searched}");
    let (members, _, _) =
        reads_by(&server, root, &chair_user, |m, _, _| m.contains(&member_id)).await;
    assert!(
        members.contains(&member_id),
        "a search by name is a read: {members:?}"
    );

    // The auditor reads the application's stream, then subscribes from 0.
    let journal = "query($s: String!) { events(stream: $s) { edges { node { data } } } }";
    let stream = format!("application-{application_id}");
    let events = server
        .ok(journal, json!({ "s": stream }), Some(&auditor))
        .await;
    assert!(events.to_string().contains(APPLICANT), "{events}");
    let (_, applications, journal_reads) = reads_by(&server, root, &auditor_user, |_, a, _| {
        a.contains(&application_id)
    })
    .await;
    assert!(
        applications.contains(&application_id),
        "events {{ data }} is a read: {applications:?}"
    );
    let mut socket = subscribe(
        &server,
        Some(&auditor),
        "subscription($s: String) { events(fromPosition: 0, stream: $s) { data } }",
        json!({ "s": stream }),
    )
    .await;
    let first = message_within(&mut socket, Duration::from_secs(10))
        .await
        .expect("an event");
    assert!(first.to_string().contains(APPLICANT), "{first}");
    let (_, _, after_subscription) =
        reads_by(&server, root, &auditor_user, |_, _, n| n > journal_reads).await;
    assert!(
        after_subscription > journal_reads,
        "the subscription's data is a read"
    );
    drop(socket);

    // The command line: no token, no personal data; a token, the data and its record.
    let before_cli = after_subscription;
    let status = server.terminate(Duration::from_secs(20));
    assert!(status.success(), "{status}");
    let anonymous = reestr(dir.path())
        .args(["events", "--stream", &stream])
        .output()
        .unwrap();
    let printed = stdout(anonymous);
    assert!(printed.contains("ApplicationSubmitted"), "{printed}");
    assert!(
        !printed.contains(APPLICANT),
        "personal data without a token: {printed}"
    );
    let shown = reestr(dir.path())
        .args(["events", "--stream", &stream, "--token", &auditor])
        .output()
        .unwrap();
    let printed = stdout(shown);
    assert!(printed.contains(APPLICANT), "{printed}");
    let server = Server::start(dir.path()).await;
    let (_, applications, after_cli) =
        reads_by(&server, root, &auditor_user, |_, _, n| n > before_cli).await;
    assert!(
        after_cli > before_cli,
        "reestr events --token recorded its read ({before_cli} → {after_cli})"
    );
    assert!(applications.contains(&application_id), "{applications:?}");
}
