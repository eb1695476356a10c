//! Meetings over GraphQL on a real `reestr serve`: a chair convenes one in
//! their subtree and records members by card; the list names them as
//! `Member` does everywhere (each read recorded); other subtrees, analysts
//! and the public are refused, and a refusal writes nothing.

mod support;

use serde_json::json;
use support::*;

const CONVENE: &str = "mutation($input: ConveneMeetingInput!) {
    conveneMeeting(input: $input) { id title heldOn attendanceCount organization { id } } }";
const RECORD: &str = "mutation($input: RecordAttendanceInput!) {
    recordAttendance(input: $input) { id attendanceCount attendees { cardNumber member { id } } } }";
const MEETING: &str = "query($id: ID!) { meeting(id: $id) { title attendanceCount
    attendees { cardNumber recordedOn member { lastName } } } }";

#[tokio::test(flavor = "multi_thread")]
async fn a_chair_records_members_by_card_and_the_list_is_read_as_personal_data() {
    let (_dir, server, central, admin) = started().await;
    let (_, territorial, primary) = branch(&server, &admin, &central, 71).await;
    let (_, _, elsewhere) = branch(&server, &admin, &central, 72).await;
    let (chair_id, chair) = grant(&server, &admin, "CHAIR", &territorial, "Председатель").await;
    let (_, analyst) = grant(&server, &admin, "ANALYST", &central, "Аналитик").await;
    let card = |member: &serde_json::Value| member["card"]["number"].as_str().unwrap().to_string();
    let mut input = admission(&primary, "Белова", "1980-01-01", &days_ago(10));
    input["issueCard"] = json!("PLASTIC");
    let belova = admit(&server, &admin, input).await;
    let mut input = admission(&elsewhere, "Чужая", "1980-01-01", &days_ago(10));
    input["issueCard"] = json!("PLASTIC");
    let stranger = admit(&server, &admin, input).await;

    // Convened by the chair in their subtree; not in another, not by an analyst.
    let convened = server
        .ok(
            CONVENE,
            json!({ "input": { "orgId": territorial, "title": "Пленум" } }),
            Some(&chair),
        )
        .await;
    let meeting = convened["conveneMeeting"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(convened["conveneMeeting"]["heldOn"], today().to_string());
    assert_eq!(convened["conveneMeeting"]["attendanceCount"], 0);
    for (org, token) in [(&elsewhere, &chair), (&territorial, &analyst)] {
        let error = server
            .refused(
                CONVENE,
                json!({ "input": { "orgId": org, "title": "Пленум" } }),
                Some(token),
                &admin,
            )
            .await;
        assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{error}");
    }
    let error = server
        .refused(
            CONVENE,
            json!({ "input": { "orgId": territorial, "title": "Пленум", "heldOn": days_ahead(3) } }),
            Some(&chair),
            &admin,
        )
        .await;
    assert_refusal(&error, "RULE_VIOLATION", Some("FUTURE_DATE"));

    // Recorded by the card's QR address; once; a stranger's card is outside.
    let address = format!("http://example/verify/{}", card(&belova));
    let recorded = server
        .ok(
            RECORD,
            json!({ "input": { "meetingId": meeting, "number": address } }),
            Some(&chair),
        )
        .await;
    assert_eq!(recorded["recordAttendance"]["attendanceCount"], 1);
    assert_eq!(
        recorded["recordAttendance"]["attendees"][0]["member"]["id"],
        belova["id"]
    );
    let again = server
        .refused(
            RECORD,
            json!({ "input": { "meetingId": meeting, "number": card(&belova) } }),
            Some(&chair),
            &admin,
        )
        .await;
    assert_refusal(&again, "RULE_VIOLATION", Some("ALREADY_PRESENT"));
    let outside = server
        .refused(
            RECORD,
            json!({ "input": { "meetingId": meeting, "number": card(&stranger) } }),
            None,
            &admin,
        )
        .await;
    assert_eq!(
        outside["extensions"]["code"], "UNAUTHENTICATED",
        "{outside}"
    );
    let outside = server
        .refused(
            RECORD,
            json!({ "input": { "meetingId": meeting, "number": card(&stranger) } }),
            Some(&admin),
            &admin,
        )
        .await;
    assert_refusal(&outside, "RULE_VIOLATION", Some("OUTSIDE_MEETING"));

    // The list: names for the chair, the read recorded; nothing for an analyst.
    let listed = server
        .ok(MEETING, json!({ "id": meeting }), Some(&chair))
        .await;
    assert_eq!(listed["meeting"]["attendanceCount"], 1);
    assert_eq!(
        listed["meeting"]["attendees"][0]["member"]["lastName"],
        "Белова"
    );
    let reads = server
        .ok(
            "query($m: ID) { personalDataReads(memberId: $m) { nodes { viewerId } } }",
            json!({ "m": belova["id"] }),
            Some(&admin),
        )
        .await;
    assert!(
        reads.to_string().contains(&chair_id),
        "the chair's read of the list is recorded: {reads}"
    );
    let refused = server
        .graphql(MEETING, json!({ "id": meeting }), Some(&analyst))
        .await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert!(!refused.to_string().contains("Белова"));
}
