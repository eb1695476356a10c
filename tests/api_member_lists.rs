//! Member lists end to end: `/reports/members/{format}` and `reestr report
//! --kind members` list the members of a subtree with filters; an ADMIN's or
//! CHAIR's list has the personal fields and is recorded as a read of each
//! member listed (`personalDataReads`), an ANALYST's (and the operator's) has
//! none and records nothing, and an ANALYST demanding them is refused.

mod support;

use std::io::Cursor;
use std::time::Duration;

use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};
use support::{Server, admission, days_ago, grant, register, snils, started};

const READS: &str = "query($v: ID) { personalDataReads(viewerId: $v, first: 100) {
    totalCount nodes { memberId } } }";
const END: &str = "mutation($id: ID!, $on: Date!) {
    endMembership(memberId: $id, reason: VOLUNTARY_EXIT, effectiveOn: $on) { id } }";

/// The member ids `viewer` is recorded as having read, once there are at
/// least `expected` of them (the audit model follows the log within moments)
/// or after five seconds.
async fn reads_by(server: &Server, root: &str, viewer: &str, expected: usize) -> Vec<String> {
    for attempt in 0..50 {
        let data = server.ok(READS, json!({ "v": viewer }), Some(root)).await;
        let mut ids: Vec<String> = data["personalDataReads"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["memberId"].as_str().map(String::from))
            .collect();
        if ids.len() >= expected || attempt == 49 {
            ids.sort();
            ids.dedup();
            return ids;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    unreachable!("the last attempt returns")
}

async fn download(server: &Server, token: &str, format: &str, body: &Value) -> (u16, Vec<u8>) {
    let response = reqwest::Client::new()
        .post(format!("{}/reports/members/{format}", server.url))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

/// The workbook's one sheet as text rows (numbers as their text).
fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let name = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&name).unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::String(s) => s.clone(),
                    Data::Float(x) => x.to_string(),
                    Data::Empty => String::new(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    let header = rows.iter().position(|r| r[0] == "№").expect("a header row");
    rows[header..].to_vec()
}

/// The CSV's table: the header line and the member lines after it.
fn csv_table(bytes: &[u8]) -> (String, Vec<String>) {
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    let mut lines = text.lines().skip_while(|l| !l.starts_with("№;"));
    let header = lines.next().expect("a header line").to_string();
    (header, lines.map(String::from).collect())
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let k = rows[0].iter().position(|h| h == name).unwrap_or_else(|| {
        panic!("no column {name} in {:?}", rows[0]);
    });
    rows[1..].iter().map(|r| r[k].clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn member_lists_show_personal_fields_only_where_the_role_may_and_record_them() {
    let (dir, server, central, root) = started().await;
    let region = register(&server, &root, &central, "Омская", "REGIONAL", Some(55)).await;
    let north = register(&server, &root, &region, "Северный", "TERRITORIAL", None).await;
    let south = register(&server, &root, &region, "Южный", "TERRITORIAL", None).await;
    let school_n = register(&server, &root, &north, "Школа № 1", "PRIMARY", None).await;
    let school_s = register(&server, &root, &south, "Лицей № 3", "PRIMARY", None).await;
    let people = [
        ("Андреева", "FEMALE", "WORKER", &school_n, 1),
        ("Борисов", "MALE", "WORKER", &school_n, 2),
        ("Васильева", "FEMALE", "STUDENT", &school_n, 3),
        ("Григорьев", "MALE", "WORKER", &school_n, 4),
        ("Денисова", "FEMALE", "WORKER", &school_s, 5),
    ];
    let mut ids = Vec::new();
    for (last_name, gender, category, school, n) in people {
        let mut input = admission(school, last_name, "1980-01-01", &days_ago(1000));
        input["gender"] = json!(gender);
        input["category"] = json!(category);
        input["snils"] = json!(snils(100_000_000 + n));
        input["email"] = json!(format!("{n}@school.example"));
        if category != "WORKER" {
            input["profession"] = Value::Null;
        }
        ids.push(
            support::admit(&server, &root, input).await["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    server
        .ok(END, json!({ "id": ids[3], "on": days_ago(5) }), Some(&root))
        .await;

    // A CHAIR of the north: the active members with their personal fields,
    // filtered, and each listed member recorded as read.
    let (chair_user, chair) = grant(&server, &root, "CHAIR", &north, "chair@north").await;
    let body = json!({ "orgId": north, "categories": ["WORKER", "STUDENT"] });
    let (status, xlsx) = download(&server, &chair, "xlsx", &body).await;
    assert_eq!(status, 200);
    let rows = xlsx_rows(&xlsx);
    assert_eq!(
        column(&rows, "Фамилия"),
        ["Андреева", "Борисов", "Васильева"]
    );
    assert_eq!(column(&rows, "СНИЛС")[0], snils(100_000_001));
    assert_eq!(column(&rows, "E-mail")[1], "2@school.example");
    assert_eq!(column(&rows, "Категория")[2], "Обучающиеся");
    assert_eq!(column(&rows, "Организация"), ["Школа № 1"; 3]);
    assert_eq!(column(&rows, "Профсоюзный стаж, лет")[0], "2.7");
    let mut listed = ids[..3].to_vec();
    listed.sort();
    assert_eq!(reads_by(&server, &root, &chair_user, 3).await, listed);

    // Filters: women only; former members, with the reason.
    let women = json!({ "orgId": region, "genders": ["FEMALE"] });
    let (status, _) = download(&server, &chair, "csv", &women).await;
    assert_eq!(status, 403, "the region is outside the chair's subtree");
    let (_, csv) = download(&server, &root, "csv", &women).await;
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(
        text.contains("Андреева") && text.contains("Денисова"),
        "{text}"
    );
    assert!(!text.contains("Борисов"), "{text}");
    let former = json!({ "orgId": north, "status": "ENDED" });
    let (_, xlsx) = download(&server, &root, "xlsx", &former).await;
    let rows = xlsx_rows(&xlsx);
    assert_eq!(column(&rows, "Фамилия"), ["Григорьев"]);
    assert_eq!(column(&rows, "Причина"), ["по собственному желанию"]);

    // An ANALYST: the same list without a personal field, and no read recorded.
    let (analyst_user, analyst) = grant(&server, &root, "ANALYST", &north, "analyst").await;
    let (status, csv) = download(&server, &analyst, "csv", &body).await;
    assert_eq!(status, 200);
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    let (header, lines) = csv_table(&csv);
    assert!(
        header.starts_with("№;Пол;Год рождения;Категория"),
        "{header}"
    );
    for personal in [
        "Андреева",
        "Борисов",
        "@school.example",
        "1980-01-01",
        "01.01.1980",
    ] {
        assert!(
            !text.contains(personal),
            "{personal} in an analyst's list: {text}"
        );
    }
    assert_eq!(lines.len(), 3, "{text}");
    let (status, xlsx) = download(&server, &analyst, "xlsx", &body).await;
    assert_eq!(status, 200);
    assert!(!xlsx_rows(&xlsx)[0].contains(&"Фамилия".to_string()));
    let demanded = json!({ "orgId": north, "personal": true });
    let (status, refusal) = download(&server, &analyst, "xlsx", &demanded).await;
    assert_eq!(status, 403);
    let refusal: Value = serde_json::from_slice(&refusal).unwrap();
    assert_eq!(refusal["code"], "FORBIDDEN");
    let (status, _) = download(&server, &analyst, "csv", &json!({ "orgId": south })).await;
    assert_eq!(status, 403);
    let (status, _) = download(
        &server,
        &root,
        "csv",
        &json!({ "orgId": north, "ageFrom": -1 }),
    )
    .await;
    assert_eq!(status, 400);

    // The command line: as a token's holder (personal, recorded) and as the
    // operator (no personal field).
    let (admin_user, admin) = grant(&server, &root, "ADMIN", &south, "admin@south").await;
    assert!(server.terminate(Duration::from_secs(20)).success());
    let out = dir.path().join("south.csv");
    let input = json!({ "orgId": south }).to_string();
    support::stdout(
        support::reestr(dir.path())
            .args([
                "report", "--kind", "members", "--format", "csv", "--token", &admin, "-o",
            ])
            .arg(&out)
            .args(["--input", &input])
            .output()
            .unwrap(),
    );
    let text = String::from_utf8(std::fs::read(&out).unwrap()[3..].to_vec()).unwrap();
    assert!(
        text.contains("Денисова") && text.contains(&snils(100_000_005)),
        "{text}"
    );
    let out = dir.path().join("operator.csv");
    support::stdout(
        support::reestr(dir.path())
            .args(["report", "--kind", "members", "--format", "csv", "-o"])
            .arg(&out)
            .args(["--input", &input])
            .output()
            .unwrap(),
    );
    let bytes = std::fs::read(&out).unwrap();
    let (header, lines) = csv_table(&bytes);
    assert!(!header.contains("Фамилия") && !lines.concat().contains("Денисова"));
    assert_eq!(lines.len(), 1, "{lines:?}");
    let server = Server::start(dir.path()).await;
    assert_eq!(
        reads_by(&server, &root, &admin_user, 1).await,
        [ids[4].clone()]
    );
    // Read after a restart, which folds the whole log before it serves: an
    // analyst's lists left nothing to find.
    assert_eq!(
        reads_by(&server, &root, &analyst_user, 0).await,
        Vec::<String>::new()
    );
}
