//! The report builder end to end: `report` over GraphQL agrees with
//! `statistics` on past dates, filters and custom bands count who they say,
//! the viewer's subtree bounds it; the same report as XLSX, CSV and PDF from
//! the download route and from `reestr report` reads back to the GraphQL
//! figures (calamine for XLSX, pdf-extract for PDF text), with no person in it.

mod support;

use std::io::Cursor;
use std::time::Duration;

use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};
use support::{Server, admission, assert_refusal, days_ago, grant, passport, register, started};

const REPORT: &str = "query($org: ID!, $dates: [Date!], $rows: ReportDimension!,
    $columns: ReportDimension, $filter: MemberFilterInput, $ageEdges: [Int!]) {
    report(orgId: $org, dates: $dates, rows: $rows, columns: $columns, filter: $filter,
           ageEdges: $ageEdges) {
        knownAt rows columns filterWords
        tables { asOf total columnTotals
            columns { key label organizationId }
            rows { heading { key label organizationId } cells total } } } }";

const STATISTICS: &str = "query($org: ID!, $asOf: Date) {
    statistics(orgId: $org, asOf: $asOf) {
        members byGender { key count } byCategory { key count }
        breakdown { organization { id } members } } }";

fn count(buckets: &Value, key: &str) -> i64 {
    buckets
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == key)
        .map_or(0, |b| b["count"].as_i64().unwrap())
}

/// A small union: a region with two districts, three schools, members of both
/// genders and several categories admitted over the years.
struct Union {
    region: String,
    north: String,
    south: String,
    schools: Vec<String>,
}

async fn union(server: &Server, admin: &str, central: &str) -> Union {
    let region = register(server, admin, central, "Омская", "REGIONAL", Some(55)).await;
    let north = register(server, admin, &region, "Северный", "TERRITORIAL", None).await;
    let south = register(server, admin, &region, "Южный", "TERRITORIAL", None).await;
    let mut schools = Vec::new();
    for (parent, name) in [
        (&north, "Школа № 1"),
        (&north, "Школа № 2"),
        (&south, "Лицей № 3"),
    ] {
        let school = register(server, admin, parent, name, "PRIMARY", None).await;
        passport(server, admin, &school, 20, 200).await;
        schools.push(school);
    }
    let people = [
        ("Андреева", "FEMALE", "WORKER", "1970-03-01", 4000, 0),
        ("Борисов", "MALE", "WORKER", "1985-06-15", 3000, 0),
        ("Васильева", "FEMALE", "STUDENT", "2004-09-09", 500, 1),
        ("Григорьев", "MALE", "PENSIONER", "1950-01-20", 6000, 1),
        ("Денисова", "FEMALE", "WORKER", "1992-11-30", 1200, 2),
        ("Егорова", "FEMALE", "WORKER", "1960-02-29", 200, 2),
        ("Жуков", "MALE", "WORKER", "1999-07-07", 30, 0),
    ];
    for (last_name, gender, category, birth, days, school) in people {
        let mut input = admission(&schools[school], last_name, birth, &days_ago(days));
        input["gender"] = json!(gender);
        input["category"] = json!(category);
        if category != "WORKER" {
            input["profession"] = Value::Null;
        }
        support::admit(server, admin, input).await;
    }
    Union {
        region,
        north,
        south,
        schools,
    }
}

async fn report(server: &Server, token: &str, variables: Value) -> Value {
    server.ok(REPORT, variables, Some(token)).await["report"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_agrees_with_statistics_and_its_files_read_back_to_its_figures() {
    let (dir, server, central, token) = started().await;
    let admin = token.as_str();
    let u = union(&server, admin, &central).await;
    let dates = [days_ago(1000), days_ago(100), days_ago(0)];

    // By child and gender on three dates: the totals are the statistics'.
    let variables =
        json!({ "org": u.region, "dates": dates, "rows": "CHILD", "columns": "GENDER" });
    let by_child = report(&server, admin, variables.clone()).await;
    assert_eq!(by_child["tables"].as_array().unwrap().len(), 3);
    for (table, date) in by_child["tables"].as_array().unwrap().iter().zip(&dates) {
        let stats = server
            .ok(
                STATISTICS,
                json!({ "org": u.region, "asOf": date }),
                Some(admin),
            )
            .await["statistics"]
            .clone();
        assert_eq!(table["asOf"], date.as_str());
        assert_eq!(table["total"], stats["members"], "{date}: {table}");
        let columns: Vec<&str> = table["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["key"].as_str().unwrap())
            .collect();
        assert_eq!(columns, ["FEMALE", "MALE"]);
        assert_eq!(
            table["columnTotals"],
            json!([
                count(&stats["byGender"], "FEMALE"),
                count(&stats["byGender"], "MALE")
            ])
        );
        // One row per district, as the breakdown lists them, with its members.
        let rows = table["rows"].as_array().unwrap();
        let breakdown = stats["breakdown"].as_array().unwrap();
        assert_eq!(rows.len(), breakdown.len(), "{table}");
        for (row, child) in rows.iter().zip(breakdown) {
            assert_eq!(
                row["heading"]["organizationId"],
                child["organization"]["id"]
            );
            assert_eq!(row["total"], child["members"]);
        }
        assert_eq!(rows[0]["heading"]["label"], "Северный");
    }
    let now = &by_child["tables"][2];
    assert_eq!(now["total"], 7);

    // A filter and custom bands: working women, by age band cut at 40 and 60.
    let filtered = report(
        &server,
        admin,
        json!({ "org": u.region, "rows": "AGE_BAND", "ageEdges": [40, 60],
                "filter": { "genders": ["FEMALE"], "categories": ["WORKER"] } }),
    )
    .await;
    let table = &filtered["tables"][0];
    let labels: Vec<&str> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["heading"]["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["до 39 лет", "40–59 лет", "60 лет и старше"]);
    // Денисова (33), Андреева (56), Егорова (66).
    let counts: Vec<i64> = table["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["total"].as_i64().unwrap())
        .collect();
    assert_eq!(counts, [1, 1, 1], "{table}");
    assert_eq!(
        filtered["filterWords"],
        json!(["Пол: женщины", "Категория: работающие"])
    );

    // Bad input is a typed error; the subtree bounds who may ask.
    let same = server
        .refused(
            REPORT,
            json!({ "org": u.region, "rows": "GENDER", "columns": "GENDER" }),
            Some(admin),
            admin,
        )
        .await;
    assert_refusal(&same, "VALIDATION", None);
    let bad_edges = server
        .refused(
            REPORT,
            json!({ "org": u.region, "rows": "AGE_BAND", "ageEdges": [50, 40] }),
            Some(admin),
            admin,
        )
        .await;
    assert_refusal(&bad_edges, "VALIDATION", None);
    let (_, analyst) = grant(&server, admin, "ANALYST", &u.north, "analyst@north").await;
    let north = report(
        &server,
        &analyst,
        json!({ "org": u.north, "rows": "CHILD", "columns": "CATEGORY" }),
    )
    .await;
    assert_eq!(north["tables"][0]["total"], 5);
    let outside = server
        .refused(
            REPORT,
            json!({ "org": u.south, "rows": "GENDER" }),
            Some(&analyst),
            admin,
        )
        .await;
    assert_refusal(&outside, "FORBIDDEN", None);

    // The files of the first report, over HTTP.
    let body = json!({ "orgId": u.region, "dates": dates, "rows": "CHILD", "columns": "GENDER" });
    let client = reqwest::Client::new();
    let download = |format: &'static str, token: String| {
        let request = client
            .post(format!("{}/reports/{format}", server.url))
            .bearer_auth(token)
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let headers = response.headers().clone();
            (status, headers, response.bytes().await.unwrap().to_vec())
        }
    };
    let (status, headers, xlsx) = download("xlsx", token.clone()).await;
    assert_eq!(status, 200);
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".xlsx\"")
    );
    check_xlsx(&xlsx, &by_child);
    let (_, _, csv) = download("csv", token.clone()).await;
    check_csv(&csv, &by_child);
    let (status, headers, pdf) = download("pdf", token.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/pdf");
    check_pdf(&pdf, &by_child);
    // The route checks the token and the subtree as the query does.
    let (status, _, _) = download("xlsx", "nonsense".into()).await;
    assert_eq!(status, 401);
    let (status, _, _) = download("xlsx", analyst.clone()).await;
    assert_eq!(status, 403);
    let (status, _, refusal) = download("docx", token.clone()).await;
    assert_eq!(status, 400);
    let refusal: Value = serde_json::from_slice(&refusal).unwrap();
    assert_eq!(refusal["code"], "VALIDATION");

    // The command line writes the same files, once the server has stopped.
    assert!(server.terminate(Duration::from_secs(20)).success());
    for format in ["xlsx", "csv", "pdf"] {
        let out = dir.path().join(format!("report.{format}"));
        let printed = support::stdout(
            support::reestr(dir.path())
                .args(["report", "--format", format, "-o"])
                .arg(&out)
                .arg("--input")
                .arg(body.to_string())
                .output()
                .unwrap(),
        );
        assert!(printed.contains("\"bytes\""), "{printed}");
        let bytes = std::fs::read(&out).unwrap();
        match format {
            "xlsx" => check_xlsx(&bytes, &by_child),
            "csv" => check_csv(&bytes, &by_child),
            _ => check_pdf(&bytes, &by_child),
        }
    }
    let refused = support::reestr(dir.path())
        .args(["report", "--format", "xlsx", "-o"])
        .arg(dir.path().join("x.xlsx"))
        .arg("--input")
        .arg(json!({ "orgId": u.region, "rows": "NOPE" }).to_string())
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    let _ = u.schools;
}

/// Every sheet of the workbook is one table: its title row, the header, a row
/// per heading with numbers as numbers, and the totals.
fn check_xlsx(bytes: &[u8], report: &Value) {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let tables = report["tables"].as_array().unwrap();
    let names = workbook.sheet_names();
    assert_eq!(names.len(), tables.len(), "{names:?}");
    for (name, table) in names.iter().zip(tables) {
        let range = workbook.worksheet_range(name).unwrap();
        let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        let header = rows
            .iter()
            .position(|r| r.first() == Some(&Data::String("Организация".into())))
            .unwrap_or_else(|| panic!("no header in {rows:?}"));
        assert_eq!(rows[header][1], Data::String("Женщины".into()));
        assert_eq!(rows[header][2], Data::String("Мужчины".into()));
        assert_eq!(rows[header][3], Data::String("Всего".into()));
        let body = &rows[header + 1..];
        let expected = table["rows"].as_array().unwrap();
        assert_eq!(body.len(), expected.len() + 1, "{body:?}");
        for (row, want) in body.iter().zip(expected) {
            assert_eq!(
                row[0],
                Data::String(want["heading"]["label"].as_str().unwrap().into())
            );
            for (k, cell) in want["cells"].as_array().unwrap().iter().enumerate() {
                assert_eq!(row[k + 1], Data::Float(cell.as_f64().unwrap()), "{row:?}");
            }
            assert_eq!(row[3], Data::Float(want["total"].as_f64().unwrap()));
        }
        let totals = &body[expected.len()];
        assert_eq!(totals[0], Data::String("Всего".into()));
        assert_eq!(totals[3], Data::Float(table["total"].as_f64().unwrap()));
    }
}

/// UTF-8 with a byte-order mark, `;` between fields, the same rows.
fn check_csv(bytes: &[u8], report: &Value) {
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    assert!(text.contains("\r\n"));
    let lines: Vec<&str> = text.lines().collect();
    for table in report["tables"].as_array().unwrap() {
        for row in table["rows"].as_array().unwrap() {
            let mut fields = vec![row["heading"]["label"].as_str().unwrap().to_string()];
            fields.extend(
                row["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.to_string()),
            );
            fields.push(row["total"].to_string());
            let line = fields.join(";");
            assert!(lines.contains(&line.as_str()), "no line {line} in {text}");
        }
        let totals: Vec<String> = table["columnTotals"]
            .as_array()
            .unwrap()
            .iter()
            .map(Value::to_string)
            .collect();
        let line = format!("Всего;{};{}", totals.join(";"), table["total"]);
        assert!(lines.contains(&line.as_str()), "no totals {line} in {text}");
    }
}

/// The PDF's text holds the Cyrillic headings, the names of the districts, and
/// each table's figures; it names no person.
fn check_pdf(bytes: &[u8], report: &Value) {
    assert!(bytes.starts_with(b"%PDF"));
    let text = pdf_extract::extract_text_from_mem(bytes).unwrap();
    let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for word in [
        "Численность членов профсоюза",
        "Женщины",
        "Мужчины",
        "Северный",
        "Южный",
        "Всего",
    ] {
        assert!(squeezed.contains(word), "no {word} in {squeezed}");
    }
    for table in report["tables"].as_array().unwrap() {
        for row in table["rows"].as_array().unwrap() {
            let mut line = vec![row["heading"]["label"].as_str().unwrap().to_string()];
            line.extend(
                row["cells"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|c| c.to_string()),
            );
            line.push(row["total"].to_string());
            let line = line.join(" ");
            assert!(squeezed.contains(&line), "no row {line} in {squeezed}");
        }
    }
    for person in ["Андреева", "Борисов", "Жуков"] {
        assert!(
            !squeezed.contains(person),
            "{person} in an aggregate report"
        );
    }
}
