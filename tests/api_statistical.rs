//! The union's statistical report end to end: `statisticalReport` over GraphQL
//! agrees with a naive recomputation from the members' histories (members,
//! categories, gender, youth, tenure, coverage, movement from `from`), on
//! today and on a past date; the viewer's subtree bounds it; the same report
//! as XLSX (every cell read back with calamine), CSV and PDF from the
//! download route and from `reestr report --kind statistical`.

mod support;

use std::io::Cursor;
use std::time::Duration;

use calamine::{Data, Reader, Xlsx};
use chrono::{Datelike, Days, NaiveDate};
use serde_json::{Value, json};
use support::{admission, assert_refusal, days_ago, grant, passport, register, started, today};

const REPORT: &str = "query($org: ID!, $asOf: Date, $from: Date) {
    statisticalReport(orgId: $org, asOf: $asOf, from: $from) {
        asOf from knownAt
        rows { ...row } total { ...row } } }
    fragment row on StatisticalReportRow {
        label itself organization { id }
        statistics { members youth employees students workerCoverage studentCoverage
            byGender { key count } byCategory { key count } byProfession { key count }
            byAgeBand { key count } byTenureBand { key count } }
        movement { admitted transferredIn transferredOut ended net
            endedByReason { key count } } }";

const TRANSFER: &str = "mutation($id: ID!, $to: ID!, $on: Date!) {
    transferMember(memberId: $id, toOrgId: $to, effectiveOn: $on) { id } }";
const END: &str = "mutation($id: ID!, $on: Date!, $reason: EndReason!) {
    endMembership(memberId: $id, reason: $reason, effectiveOn: $on) { id } }";

/// One person of the fixture: who, where and when (days before today).
struct Person {
    last_name: &'static str,
    gender: &'static str,
    category: &'static str,
    birth: &'static str,
    admitted: u64,
    school: usize,
    transfer: Option<(u64, usize)>,
    end: Option<(u64, &'static str)>,
}

const fn person(
    last_name: &'static str,
    gender: &'static str,
    category: &'static str,
    birth: &'static str,
    admitted: u64,
    school: usize,
) -> Person {
    Person {
        last_name,
        gender,
        category,
        birth,
        admitted,
        school,
        transfer: None,
        end: None,
    }
}

fn people() -> Vec<Person> {
    vec![
        person("Андреева", "FEMALE", "WORKER", "1970-03-01", 4000, 0),
        Person {
            transfer: Some((100, 2)),
            ..person("Борисов", "MALE", "WORKER", "1985-06-15", 3000, 0)
        },
        person("Васильева", "FEMALE", "STUDENT", "2004-09-09", 200, 1),
        Person {
            end: Some((50, "VOLUNTARY_EXIT")),
            ..person("Григорьев", "MALE", "PENSIONER", "1950-01-20", 6000, 1)
        },
        Person {
            transfer: Some((30, 1)),
            ..person("Денисова", "FEMALE", "WORKER", "1992-11-30", 1200, 2)
        },
        person("Егорова", "FEMALE", "WORKER", "1960-02-29", 250, 2),
        Person {
            transfer: Some((10, 1)),
            ..person("Жуков", "MALE", "WORKER", "1999-07-07", 30, 0)
        },
        Person {
            end: Some((400, "DEATH")),
            ..person("Зайцева", "FEMALE", "UNEMPLOYED", "1980-05-05", 5000, 2)
        },
    ]
}

/// Schools 0 and 1 are in the northern district, school 2 in the southern.
fn district(school: usize) -> usize {
    usize::from(school == 2)
}

fn day(days_before_today: u64) -> NaiveDate {
    today()
        .checked_sub_days(Days::new(days_before_today))
        .unwrap()
}

impl Person {
    /// The school on `on`, if a member then.
    fn school_on(&self, on: NaiveDate) -> Option<usize> {
        if on < day(self.admitted) || self.end.is_some_and(|(d, _)| on >= day(d)) {
            return None;
        }
        match self.transfer {
            Some((d, to)) if on >= day(d) => Some(to),
            _ => Some(self.school),
        }
    }

    fn age_on(&self, on: NaiveDate) -> i32 {
        let birth: NaiveDate = self.birth.parse().unwrap();
        let had_birthday = (on.month(), on.day()) >= (birth.month(), birth.day());
        on.year() - birth.year() - i32::from(!had_birthday)
    }
}

/// What the report should say of district `d` (`None`: the whole region) on
/// `on`, movement from `from`: a naive walk over the fixture.
fn expected(d: Option<usize>, on: NaiveDate, from: NaiveDate) -> Value {
    let inside = |school: Option<usize>| school.is_some_and(|s| d.is_none_or(|d| district(s) == d));
    let people = people();
    let members: Vec<&Person> = people.iter().filter(|p| inside(p.school_on(on))).collect();
    let count = |f: &dyn Fn(&Person) -> bool| members.iter().filter(|p| f(p)).count() as i64;
    let tenure = |p: &Person| (on - day(p.admitted)).num_days() as f64 / 365.25;
    let bands = [0.0, 1.0, 5.0, 10.0, 20.0, f64::MAX];
    let in_period = |days: u64| (from..=on).contains(&day(days));
    let (mut admitted, mut moved_in, mut moved_out, mut ended) = (0, 0, 0, 0);
    for p in &people {
        if in_period(p.admitted) && inside(Some(p.school)) {
            admitted += 1;
        }
        if let Some((at, to)) = p.transfer.filter(|(at, _)| in_period(*at)) {
            let was = p.school_on(day(at + 1));
            match (inside(was), inside(Some(to))) {
                (false, true) => moved_in += 1,
                (true, false) => moved_out += 1,
                _ => {}
            }
        }
        if let Some((at, _)) = p.end.filter(|(at, _)| in_period(*at))
            && inside(p.school_on(day(at + 1)))
        {
            ended += 1;
        }
    }
    let before = people
        .iter()
        .filter(|p| inside(p.school_on(from.pred_opt().unwrap())))
        .count() as i64;
    json!({
        "members": members.len(),
        "youth": count(&|p| p.age_on(on) <= 35),
        "female": count(&|p| p.gender == "FEMALE"),
        "workers": count(&|p| p.category == "WORKER"),
        "students": count(&|p| p.category == "STUDENT"),
        "pensioners": count(&|p| p.category == "PENSIONER"),
        "tenure": (0..5).map(|b| count(&|p| (bands[b]..bands[b + 1]).contains(&tenure(p))))
            .collect::<Vec<_>>(),
        "admitted": admitted, "in": moved_in, "out": moved_out, "ended": ended,
        "net": members.len() as i64 - before,
    })
}

fn bucket(buckets: &Value, key: &str) -> i64 {
    buckets
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == key)
        .map_or(0, |b| b["count"].as_i64().unwrap())
}

/// `row` (of the GraphQL answer) says what `want` says.
fn check_row(row: &Value, want: &Value) {
    let s = &row["statistics"];
    let m = &row["movement"];
    let tenure: Vec<i64> = s["byTenureBand"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["count"].as_i64().unwrap())
        .collect();
    let got = json!({
        "members": s["members"], "youth": s["youth"],
        "female": bucket(&s["byGender"], "FEMALE"),
        "workers": bucket(&s["byCategory"], "WORKER"),
        "students": bucket(&s["byCategory"], "STUDENT"),
        "pensioners": bucket(&s["byCategory"], "PENSIONER"),
        "tenure": tenure,
        "admitted": m["admitted"], "in": m["transferredIn"], "out": m["transferredOut"],
        "ended": m["ended"], "net": m["net"],
    });
    assert_eq!(&got, want, "{}: {row}", row["label"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_statistical_report_agrees_with_the_histories_and_its_files_read_back() {
    let (dir, server, central, token) = started().await;
    let admin = token.as_str();
    let region = register(&server, admin, &central, "Омская", "REGIONAL", Some(55)).await;
    let north = register(&server, admin, &region, "Северный", "TERRITORIAL", None).await;
    let south = register(&server, admin, &region, "Южный", "TERRITORIAL", None).await;
    let mut schools = Vec::new();
    for (parent, name) in [
        (&north, "Школа № 1"),
        (&north, "Школа № 2"),
        (&south, "Лицей № 3"),
    ] {
        let school = register(&server, admin, parent, name, "PRIMARY", None).await;
        passport(&server, admin, &school, 20, 200).await;
        schools.push(school);
    }
    for p in people() {
        let mut input = admission(
            &schools[p.school],
            p.last_name,
            p.birth,
            &days_ago(p.admitted),
        );
        input["gender"] = json!(p.gender);
        input["category"] = json!(p.category);
        if p.category != "WORKER" {
            input["profession"] = Value::Null;
        }
        let id = support::admit(&server, admin, input).await["id"].clone();
        if let Some((at, to)) = p.transfer {
            let vars = json!({ "id": id, "to": schools[to], "on": days_ago(at) });
            server.ok(TRANSFER, vars, Some(admin)).await;
        }
        if let Some((at, reason)) = p.end {
            let vars = json!({ "id": id, "on": days_ago(at), "reason": reason });
            server.ok(END, vars, Some(admin)).await;
        }
    }

    // Today, movement over the last 300 days; and on a past date.
    let from = day(300);
    for (on, from) in [(today(), from), (day(120), day(700))] {
        let vars = json!({ "org": region, "asOf": on.to_string(), "from": from.to_string() });
        let report = server.ok(REPORT, vars, Some(admin)).await["statisticalReport"].clone();
        assert_eq!(report["from"], from.to_string());
        let rows = report["rows"].as_array().unwrap();
        let labels: Vec<&str> = rows.iter().map(|r| r["label"].as_str().unwrap()).collect();
        assert_eq!(labels, ["Северный", "Южный"], "{report}");
        assert_eq!(rows[0]["organization"]["id"], north.as_str());
        check_row(&rows[0], &expected(Some(0), on, from));
        check_row(&rows[1], &expected(Some(1), on, from));
        check_row(&report["total"], &expected(None, on, from));
        assert_eq!(report["total"]["label"], "Всего");
    }
    let vars = json!({ "org": region, "from": from.to_string() });
    let now = server.ok(REPORT, vars, Some(admin)).await["statisticalReport"].clone();
    assert_eq!(now["total"]["statistics"]["members"], 6);
    // Coverage: three working members of forty employees in the north.
    let north_row = &now["rows"][0]["statistics"];
    assert_eq!(north_row["employees"], 40);
    assert_eq!(north_row["workerCoverage"], 3.0 / 40.0);
    // The movement of the year by default.
    let default = server
        .ok(REPORT, json!({ "org": region }), Some(admin))
        .await["statisticalReport"]["from"]
        .clone();
    assert_eq!(
        default,
        NaiveDate::from_ymd_opt(today().year(), 1, 1)
            .unwrap()
            .to_string()
    );
    // A primary organisation has no children: its members are its own row.
    let school = server
        .ok(REPORT, json!({ "org": schools[1] }), Some(admin))
        .await["statisticalReport"]
        .clone();
    assert_eq!(school["rows"][0]["itself"], true, "{school}");
    assert_eq!(school["rows"][0]["movement"], Value::Null);
    assert_eq!(
        school["rows"][0]["statistics"]["members"],
        school["total"]["statistics"]["members"]
    );

    // The subtree bounds who may ask; bad input is a typed error.
    let (_, analyst) = grant(&server, admin, "ANALYST", &north, "analyst@north").await;
    let theirs = server
        .ok(REPORT, json!({ "org": north }), Some(&analyst))
        .await;
    assert_eq!(
        theirs["statisticalReport"]["total"]["statistics"]["members"],
        4
    );
    let outside = server
        .refused(REPORT, json!({ "org": south }), Some(&analyst), admin)
        .await;
    assert_refusal(&outside, "FORBIDDEN", None);
    let backwards = json!({ "org": region, "asOf": days_ago(10), "from": days_ago(5) });
    let refused = server.refused(REPORT, backwards, Some(admin), admin).await;
    assert_refusal(&refused, "VALIDATION", None);

    // The files, over HTTP and from the command line.
    let body = json!({ "orgId": region, "from": from.to_string() });
    let client = reqwest::Client::new();
    let download = |format: &'static str, token: String| {
        let request = client
            .post(format!("{}/reports/statistical/{format}", server.url))
            .bearer_auth(token)
            .json(&body);
        async move {
            let response = request.send().await.unwrap();
            (response.status(), response.bytes().await.unwrap().to_vec())
        }
    };
    let (status, xlsx) = download("xlsx", token.clone()).await;
    assert_eq!(status, 200);
    check_xlsx(&xlsx, &now);
    let (_, csv) = download("csv", token.clone()).await;
    check_csv(&csv, &now);
    let (_, pdf) = download("pdf", token.clone()).await;
    check_pdf(&pdf);
    let (status, _) = download("xlsx", analyst.clone()).await;
    assert_eq!(status, 403);
    let (status, _) = download("docx", token.clone()).await;
    assert_eq!(status, 400);

    assert!(server.terminate(Duration::from_secs(20)).success());
    for format in ["xlsx", "csv", "pdf"] {
        let out = dir.path().join(format!("statistical.{format}"));
        support::stdout(
            support::reestr(dir.path())
                .args(["report", "--kind", "statistical", "--format", format, "-o"])
                .arg(&out)
                .arg("--input")
                .arg(body.to_string())
                .output()
                .unwrap(),
        );
        let bytes = std::fs::read(&out).unwrap();
        match format {
            "xlsx" => check_xlsx(&bytes, &now),
            "csv" => check_csv(&bytes, &now),
            _ => check_pdf(&bytes),
        }
    }
}

/// The columns of each sheet and where a row of the GraphQL answer has them
/// (a path of keys; a bucket as `[list, key]`; coverage as a percentage).
fn sheets() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        (
            "Численность и охват",
            vec![
                ("Работающих", "statistics.employees"),
                ("Обучающихся", "statistics.students"),
                ("Членов профсоюза", "statistics.members"),
                ("Работающие", "statistics.byCategory:WORKER"),
                ("Обучающиеся", "statistics.byCategory:STUDENT"),
                ("Неработающие пенсионеры", "statistics.byCategory:PENSIONER"),
                ("Временно не работающие", "statistics.byCategory:UNEMPLOYED"),
                ("Охват работающих, %", "statistics.workerCoverage%"),
                ("Охват обучающихся, %", "statistics.studentCoverage%"),
                ("Молодёжь до 35 лет", "statistics.youth"),
            ],
        ),
        (
            "Пол и возраст",
            vec![
                ("Женщины", "statistics.byGender:FEMALE"),
                ("Мужчины", "statistics.byGender:MALE"),
                ("до 35 лет", "statistics.byAgeBand:AGE_UP_TO_35"),
                ("66 лет и старше", "statistics.byAgeBand:AGE_66_PLUS"),
            ],
        ),
        (
            "Профессии",
            vec![("Учителя", "statistics.byProfession:TEACHER")],
        ),
        (
            "Профсоюзный стаж",
            vec![
                ("менее 1 года", "statistics.byTenureBand:TENURE_UNDER_1"),
                ("от 10 до 20 лет", "statistics.byTenureBand:TENURE_10_TO_20"),
            ],
        ),
        (
            "Движение",
            vec![
                ("Принято", "movement.admitted"),
                ("Прибыло (переводом)", "movement.transferredIn"),
                ("Убыло (переводом)", "movement.transferredOut"),
                (
                    "Вышли по собственному желанию",
                    "movement.endedByReason:VOLUNTARY_EXIT",
                ),
                ("Выбыло всего", "movement.ended"),
                ("Изменение численности", "movement.net"),
            ],
        ),
    ]
}

fn value_at(row: &Value, path: &str) -> Option<f64> {
    let (path, percent) = match path.strip_suffix('%') {
        Some(p) => (p, true),
        None => (path, false),
    };
    let (path, key) = match path.split_once(':') {
        Some((p, k)) => (p, Some(k)),
        None => (path, None),
    };
    let mut v = row;
    for part in path.split('.') {
        v = &v[part];
    }
    let x = match key {
        Some(key) => bucket(v, key) as f64,
        None => v.as_f64()?,
    };
    Some(if percent {
        (x * 1000.0).round() / 10.0
    } else {
        x
    })
}

fn rows_of(report: &Value) -> Vec<Value> {
    let mut rows = report["rows"].as_array().unwrap().clone();
    rows.push(report["total"].clone());
    rows
}

/// Every sheet: the header, a row per organisation and the totals, each cell
/// a number equal to the GraphQL answer.
fn check_xlsx(bytes: &[u8], report: &Value) {
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let names = workbook.sheet_names();
    let sheets = sheets();
    let expected_names: Vec<&str> = sheets.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, expected_names);
    for (name, columns) in sheets {
        let range = workbook.worksheet_range(name).unwrap();
        let cells: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
        let header = cells
            .iter()
            .position(|r| r.first() == Some(&Data::String("Организация".into())))
            .unwrap_or_else(|| panic!("no header in {name}: {cells:?}"));
        let body = &cells[header + 1..];
        let rows = rows_of(report);
        assert_eq!(body.len(), rows.len(), "{name}: {body:?}");
        for (line, row) in body.iter().zip(&rows) {
            assert_eq!(line[0], Data::String(row["label"].as_str().unwrap().into()));
            for (heading, path) in &columns {
                let k = cells[header]
                    .iter()
                    .position(|h| h == &Data::String((*heading).into()))
                    .unwrap_or_else(|| panic!("no column {heading} in {name}"));
                match value_at(row, path) {
                    Some(x) => assert_eq!(line[k], Data::Float(x), "{name} {heading} {row}"),
                    None => assert_eq!(line[k], Data::Empty, "{name} {heading} {row}"),
                }
            }
        }
    }
}

fn check_csv(bytes: &[u8], report: &Value) {
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = std::str::from_utf8(&bytes[3..]).unwrap();
    for row in rows_of(report) {
        let s = &row["statistics"];
        let line = format!(
            "{};{};{};{}",
            row["label"].as_str().unwrap(),
            s["employees"],
            s["students"],
            s["members"]
        );
        assert!(
            text.lines().any(|l| l.starts_with(&line)),
            "no {line} in {text}"
        );
    }
}

fn check_pdf(bytes: &[u8]) {
    let text = pdf_extract::extract_text_from_mem(bytes).unwrap();
    let squeezed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for word in [
        "Статистический отчёт",
        "Северный",
        "Южный",
        "Движение",
        "Всего",
    ] {
        assert!(squeezed.contains(word), "no {word} in {squeezed}");
    }
    assert!(
        !squeezed.contains("Андреева"),
        "a person in an aggregate report"
    );
}
