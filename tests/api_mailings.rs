//! Mailings over GraphQL: who may mail whom (ADMIN and CHAIR over their
//! subtree, nobody else), what a mailing must say, cancelling, and the list
//! each holder sees. No SMTP server: nothing here is sent
//! (`tests/mailing.rs` sends).

mod support;

use serde_json::json;
use support::{assert_refusal, branch, grant, started};

const SCHEDULE: &str = "mutation($input: ScheduleMailingInput!) {
  scheduleMailing(input: $input) { id status recipients queued sent segment { organization { id } audience } }
}";
const CANCEL: &str = "mutation($id: ID!) { cancelMailing(id: $id) { id status } }";
const MAILINGS: &str = "{ mailings { id status } }";

#[tokio::test]
async fn mailings_follow_roles_and_subtrees() {
    let (_dir, server, central, admin) = started().await;
    let (north, _, _) = branch(&server, &admin, &central, 1).await;
    let (south, _, _) = branch(&server, &admin, &central, 2).await;
    let (_, chair) = grant(&server, &admin, "CHAIR", &north, "chair@north.test").await;
    let (_, analyst) = grant(&server, &admin, "ANALYST", &north, "analyst").await;
    let (_, auditor) = grant(&server, &admin, "AUDITOR", &central, "auditor").await;
    let input = |org: &str| json!({ "input": { "orgId": org, "subject": "Собрание", "body": "**Всем** прийти", "sendAt": "2999-01-01T00:00:00Z" } });

    let ours = server.ok(SCHEDULE, input(&north), Some(&chair)).await;
    let ours = &ours["scheduleMailing"];
    assert_eq!(ours["status"], "SCHEDULED");
    assert_eq!(ours["segment"]["organization"]["id"], north);
    assert_eq!(ours["segment"]["audience"], "MEMBERS");
    assert_eq!(ours["recipients"], 0);

    let outside = server
        .refused(SCHEDULE, input(&south), Some(&chair), &admin)
        .await;
    assert_refusal(&outside, "FORBIDDEN", None);
    for token in [&analyst, &auditor] {
        let refused = server
            .refused(SCHEDULE, input(&north), Some(token), &admin)
            .await;
        assert_refusal(&refused, "FORBIDDEN", None);
        let listed = server.graphql(MAILINGS, json!({}), Some(token)).await;
        assert_refusal(&listed["errors"][0], "FORBIDDEN", None);
    }
    let anonymous = server.refused(SCHEDULE, input(&north), None, &admin).await;
    assert_refusal(&anonymous, "UNAUTHENTICATED", None);

    let mut blank = input(&north);
    blank["input"]["subject"] = json!("   ");
    let refused = server.refused(SCHEDULE, blank, Some(&chair), &admin).await;
    assert_refusal(&refused, "VALIDATION", None);
    assert_eq!(refused["extensions"]["field"], "subject", "{refused}");
    let mut ages = input(&north);
    ages["input"]["minAge"] = json!(60);
    ages["input"]["maxAge"] = json!(30);
    assert_refusal(
        &server.refused(SCHEDULE, ages, Some(&chair), &admin).await,
        "VALIDATION",
        None,
    );
    let mut activists = input(&north);
    activists["input"]["audience"] = json!("ACTIVISTS");
    activists["input"]["categories"] = json!(["STUDENT"]);
    assert_refusal(
        &server
            .refused(SCHEDULE, activists, Some(&chair), &admin)
            .await,
        "VALIDATION",
        None,
    );

    // The ADMIN mails the other region; the chair sees only their own.
    let theirs = server.ok(SCHEDULE, input(&south), Some(&admin)).await;
    let theirs = theirs["scheduleMailing"]["id"].clone();
    let seen = server.ok(MAILINGS, json!({}), Some(&chair)).await;
    assert_eq!(
        seen["mailings"],
        json!([{ "id": ours["id"], "status": "SCHEDULED" }])
    );
    let all = server.ok(MAILINGS, json!({}), Some(&admin)).await;
    assert_eq!(all["mailings"].as_array().unwrap().len(), 2);

    let refused = server
        .refused(CANCEL, json!({ "id": theirs }), Some(&chair), &admin)
        .await;
    assert_refusal(&refused, "FORBIDDEN", None);
    let cancelled = server
        .ok(CANCEL, json!({ "id": ours["id"] }), Some(&chair))
        .await;
    assert_eq!(cancelled["cancelMailing"]["status"], "CANCELLED");
    let twice = server
        .refused(CANCEL, json!({ "id": ours["id"] }), Some(&chair), &admin)
        .await;
    assert_refusal(&twice, "VALIDATION", None);
    let unknown = server
        .refused(
            CANCEL,
            json!({ "id": "0190a0a0-0000-7000-8000-000000000000" }),
            Some(&admin),
            &admin,
        )
        .await;
    assert_refusal(&unknown, "NOT_FOUND", None);
}
