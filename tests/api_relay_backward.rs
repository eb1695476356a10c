//! Relay's backward paging over HTTP against a real server: on every
//! connection, walking back from the end with `last: k, before:` gives
//! exactly the reverse of walking forward with `first: k, after:` (the same
//! items, as many as `totalCount`), with `hasPreviousPage` and `hasNextPage`
//! true at both ends and in between; `last` is capped as `first` is, a page
//! is read one way (`first` with `last`, or a cursor of the other way, is
//! VALIDATION), and a backward search records the reads a forward one does.

mod support;

use serde_json::{Value, json};

use support::mailing::{Sink, mail_server, mailing, serve_args, until};
use support::{Server, admission, admit, branch, error_code, grant, started_unlimited};

/// One connection: its name, its query (paged by `$f $a $l $b`), where its
/// page stands in the answer, and whose token reads it.
struct List {
    name: &'static str,
    query: String,
    path: Vec<&'static str>,
    token: String,
}

const PAGE: &str =
    "totalCount edges { cursor } pageInfo { hasPreviousPage hasNextPage startCursor endCursor }";

impl List {
    fn new(name: &'static str, field: &str, path: &[&'static str], token: &str) -> List {
        let args = "first: $f, after: $a, last: $l, before: $b";
        let field = if field.contains("()") {
            field.replace("()", &format!("({args})"))
        } else {
            field.replace(')', &format!(", {args})"))
        };
        List {
            name,
            query: format!(
                "query($f: Int, $a: String, $l: Int, $b: String) {{ {field} {{ {PAGE} }}{close} }}",
                close = " }".repeat(field.matches('{').count())
            ),
            path: path.to_vec(),
            token: token.to_string(),
        }
    }

    async fn page(&self, server: &Server, variables: Value) -> Value {
        let mut data = server.ok(&self.query, variables, Some(&self.token)).await;
        for step in &self.path {
            data = match step.parse::<usize>() {
                Ok(at) => data[at].take(),
                Err(_) => data[*step].take(),
            };
        }
        data
    }

    /// Every cursor walking forward `k` at a time, checking each page's info.
    async fn forward(&self, server: &Server, k: i64) -> (Vec<String>, i64) {
        let (mut seen, mut after, mut total) = (Vec::new(), Value::Null, None);
        loop {
            let page = self.page(server, json!({ "f": k, "a": after })).await;
            let cursors = cursors(&page);
            let info = &page["pageInfo"];
            let name = self.name;
            assert_eq!(info["hasPreviousPage"], !seen.is_empty(), "{name}: {page}");
            ends(&page, &cursors, name);
            total = total.or(page["totalCount"].as_i64());
            seen.extend(cursors);
            if info["hasNextPage"] != true {
                break;
            }
            assert_eq!(page["edges"].as_array().unwrap().len() as i64, k, "{name}");
            after = info["endCursor"].clone();
        }
        (seen, total.unwrap())
    }

    /// Every cursor walking backward from the end `k` at a time, in list
    /// order, checking each page's info.
    async fn backward(&self, server: &Server, k: i64) -> Vec<String> {
        let (mut seen, mut before) = (Vec::<String>::new(), Value::Null);
        loop {
            let page = self.page(server, json!({ "l": k, "b": before })).await;
            let cursors = cursors(&page);
            let info = &page["pageInfo"];
            let name = self.name;
            assert_eq!(info["hasNextPage"], !seen.is_empty(), "{name}: {page}");
            ends(&page, &cursors, name);
            seen.splice(0..0, cursors);
            if info["hasPreviousPage"] != true {
                break;
            }
            assert_eq!(page["edges"].as_array().unwrap().len() as i64, k, "{name}");
            before = info["startCursor"].clone();
        }
        seen
    }
}

fn cursors(page: &Value) -> Vec<String> {
    page["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("not a page: {page}"))
        .iter()
        .map(|edge| edge["cursor"].as_str().unwrap().to_string())
        .collect()
}

/// `startCursor` and `endCursor` name the page's first and last edges.
fn ends(page: &Value, cursors: &[String], name: &str) {
    let info = &page["pageInfo"];
    assert_eq!(
        info["startCursor"].as_str(),
        cursors.first().map(String::as_str),
        "{name}: {page}"
    );
    assert_eq!(
        info["endCursor"].as_str(),
        cursors.last().map(String::as_str),
        "{name}: {page}"
    );
}

/// A union of two regions with members in both, applications, reads of
/// personal data in the trail, and a regional auditor: (server, admin,
/// central, one primary, the auditor's token).
async fn union() -> (tempfile::TempDir, Server, String, String, String, String) {
    let (dir, server, central, admin) = started_unlimited().await;
    let (regional, _, school) = branch(&server, &admin, &central, 7).await;
    let (_, _, other) = branch(&server, &admin, &central, 8).await;
    // A third region, so that the root has children enough to page.
    branch(&server, &admin, &central, 9).await;
    for (n, home) in [&school, &other, &school, &other, &school, &school, &other]
        .into_iter()
        .enumerate()
    {
        let name = format!("Пагинова{}", ["а", "б", "в", "г", "д", "е", "ж"][n]);
        admit(
            &server,
            &admin,
            admission(home, &name, "1980-01-01", "2024-01-01"),
        )
        .await;
    }
    for n in 0..5 {
        let input = json!({ "orgId": school, "lastName": format!("Заявитель{n}"),
            "firstName": "Пётр", "gender": "MALE", "birthDate": "1990-01-01",
            "category": "WORKER", "consent": true });
        server
            .ok(
                "mutation($input: ApplicationInput!) { submitApplication(input: $input) { id } }",
                json!({ "input": input }),
                None,
            )
            .await;
    }
    let (_, auditor) = grant(&server, &admin, "AUDITOR", &regional, "Аудитор региона").await;
    // Reads of personal data for the trail, each member's name once per
    // query, each query one event of the audit trail's stream.
    for _ in 0..3 {
        server
            .ok(
                &format!(
                    "{{ members(orgId: \"{central}\") {{ edges {{ node {{ lastName }} }} }} }}"
                ),
                json!({}),
                Some(&admin),
            )
            .await;
    }
    let started = std::time::Instant::now();
    loop {
        let trail = server
            .ok(
                "{ personalDataReads { totalCount } }",
                json!({}),
                Some(&admin),
            )
            .await;
        if trail["personalDataReads"]["totalCount"].as_i64() >= Some(21) {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{trail}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    (dir, server, admin, central, school, auditor)
}

#[tokio::test]
async fn every_connection_walks_backward_as_the_reverse_of_forward() {
    let (_dir, server, admin, central, school, auditor) = union().await;
    let lists = [
        List::new(
            "organizations",
            "organizations()",
            &["organizations"],
            &admin,
        ),
        List::new(
            "organizations found by name",
            "organizations(search: \"7\")",
            &["organizations"],
            &admin,
        ),
        List::new(
            "children",
            &format!("organization(id: \"{central}\") {{ children() "),
            &["organization", "children"],
            &admin,
        ),
        List::new(
            "members",
            &format!("members(orgId: \"{central}\")"),
            &["members"],
            &admin,
        ),
        List::new(
            "applications",
            &format!("applications(orgId: \"{school}\")"),
            &["applications"],
            &admin,
        ),
        List::new(
            "personalDataReads",
            "personalDataReads()",
            &["personalDataReads"],
            &admin,
        ),
        List::new(
            "the journal below the root",
            "events()",
            &["events"],
            &auditor,
        ),
        List::new("the journal", "events()", &["events"], &admin),
        List::new(
            "the journal of one stream",
            "events(stream: \"audit-personal-data\")",
            &["events"],
            &admin,
        ),
        List::new(
            "the journal from a position",
            "events(fromPosition: 5)",
            &["events"],
            &admin,
        ),
        // Last: a search records its reads, which the trail and the journal list.
        List::new(
            "members by name",
            &format!("members(orgId: \"{central}\", search: \"пагинова\")"),
            &["members"],
            &admin,
        ),
    ];
    for list in &lists {
        for k in [1, 2, 3] {
            let name = list.name;
            let (forward, total) = list.forward(&server, k).await;
            let backward = list.backward(&server, k).await;
            assert!(forward.len() >= 3, "{name}: too short to page: {forward:?}");
            assert_eq!(
                backward, forward,
                "{name}: backward by {k} is not forward reversed"
            );
            assert_eq!(forward.len() as i64, total, "{name}: totalCount");
            let mut distinct = forward.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(distinct.len(), forward.len(), "{name}: a cursor twice");
            // From the middle: the page before an item ends just before it
            // and says items follow (that item) and precede (when they do).
            let middle = forward.len() / 2;
            let page = list
                .page(&server, json!({ "l": 1, "b": forward[middle] }))
                .await;
            assert_eq!(cursors(&page), [forward[middle - 1].clone()], "{name}");
            assert_eq!(page["pageInfo"]["hasNextPage"], true, "{name}");
            assert_eq!(page["pageInfo"]["hasPreviousPage"], middle > 1, "{name}");
        }
    }
}

#[tokio::test]
async fn last_is_capped_as_first_and_a_page_is_read_one_way() {
    let (_dir, server, central, admin) = started_unlimited().await;
    let query =
        |args: &str| format!("{{ members(orgId: \"{central}\", {args}) {{ totalCount }} }}");
    let refused = |args: &'static str, field: &'static str| {
        let query = query(args);
        let server = &server;
        let admin = &admin;
        async move {
            let answer = server.graphql(&query, json!({}), Some(admin)).await;
            assert_eq!(error_code(&answer), "VALIDATION", "{args}: {answer}");
            assert_eq!(
                answer["errors"][0]["extensions"]["field"], field,
                "{args}: {answer}"
            );
        }
    };
    refused("last: 1001", "last").await;
    refused("last: -1", "last").await;
    refused("first: 2, last: 2", "last").await;
    refused("first: 2, before: \"cjE6bTAuMA\"", "before").await;
    refused("last: 2, after: \"cjE6bTAuMA\"", "after").await;
    refused("last: 2, before: \"garbage\"", "before").await;
    refused("before: \"o3\"", "before").await;
    for allowed in [
        "last: 1000",
        "last: 0",
        "first: 1000",
        "before: null, last: 5",
    ] {
        let answer = server.ok(&query(allowed), json!({}), Some(&admin)).await;
        assert!(
            answer["members"]["totalCount"].is_i64(),
            "{allowed}: {answer}"
        );
    }
    // A variable left unset is no `first` given.
    let answer = server
        .ok(
            &format!(
                "query($f: Int) {{ members(orgId: \"{central}\", first: $f, last: 3) {{ totalCount }} }}"
            ),
            json!({}),
            Some(&admin),
        )
        .await;
    assert!(answer["members"]["totalCount"].is_i64(), "{answer}");
}

#[tokio::test]
async fn a_backward_page_keeps_the_guard_and_records_the_reads_of_a_forward_one() {
    let (_dir, server, admin, central, school, auditor) = union().await;
    let trail = |member: String| {
        let server = &server;
        let admin = &admin;
        async move {
            let data = server
                .ok(
                    "query($m: ID) { personalDataReads(memberId: $m) { totalCount } }",
                    json!({ "m": member }),
                    Some(admin),
                )
                .await;
            data["personalDataReads"]["totalCount"].as_i64().unwrap()
        }
    };
    let search = format!(
        "{{ members(orgId: \"{central}\", search: \"пагинова\", last: 2) {{ edges {{ node {{ id }} }} }} }}"
    );
    let page = server.ok(&search, json!({}), Some(&admin)).await;
    let shown: Vec<String> = page["members"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(shown.len(), 2, "{page}");
    // Each shown member gets one more read (three in the union's setup).
    let started = std::time::Instant::now();
    for member in shown {
        while trail(member.clone()).await < 4 {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(10),
                "{member}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    // The auditor of one region reads no members, backward as forward; the
    // anonymous nobody's applications.
    for args in ["first: 2", "last: 2"] {
        let members = format!("{{ members(orgId: \"{central}\", {args}) {{ totalCount }} }}");
        let refused = server.graphql(&members, json!({}), Some(&auditor)).await;
        assert_eq!(error_code(&refused), "FORBIDDEN", "{args}: {refused}");
        let applications =
            format!("{{ applications(orgId: \"{school}\", {args}) {{ totalCount }} }}");
        let refused = server.graphql(&applications, json!({}), None).await;
        assert!(!error_code(&refused).is_null(), "{args}: {refused}");
    }
}

/// `recipientStatuses` of a sent mailing: its recipients walked back from
/// the end are its recipients walked forward (the sender lists them, so this
/// one needs an SMTP server: skipped loudly without aiosmtpd).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recipient_statuses_walk_backward_as_the_reverse_of_forward() {
    let Some(python) = mail_server() else { return };
    let (dir, central, admin) = support::init();
    let sink = Sink::start(&python, dir.path());
    let key = dir.path().join("mail.key");
    let (server, _) = Server::run(
        dir.path(),
        &serve_args(&sink, key.to_str().unwrap(), "100"),
        "GraphQL",
    )
    .await;
    let (_, _, school) = branch(&server, &admin, &central, 7).await;
    for n in 0..7 {
        let name = format!("Получатель{n}");
        admit(
            &server,
            &admin,
            admission(&school, &name, "1980-01-01", "2024-01-01"),
        )
        .await;
    }
    let input = json!({ "orgId": school, "subject": "Собрание", "body": "Всем прийти" });
    let scheduled = server
        .ok(
            support::mailing::SCHEDULE,
            json!({ "input": input }),
            Some(&admin),
        )
        .await;
    let id = scheduled["scheduleMailing"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    until(
        std::time::Duration::from_secs(30),
        "the mailing ends",
        async || mailing(&server, &admin, &id).await["status"] == "FINISHED",
    )
    .await;
    let list = List::new(
        "recipientStatuses",
        &format!("mailings(orgId: \"{school}\") {{ recipientStatuses() "),
        &["mailings", "0", "recipientStatuses"],
        &admin,
    );
    for k in [1, 2, 3] {
        let (forward, total) = list.forward(&server, k).await;
        assert_eq!(forward.len(), 7, "{forward:?}");
        assert_eq!(total, 7);
        assert_eq!(list.backward(&server, k).await, forward, "by {k}");
    }
    drop(sink);
}
