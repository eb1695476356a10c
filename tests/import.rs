//! Moving in from spreadsheets, end to end over the binary: a file with every
//! kind of bad row is reported and changes nothing (checked, by default, and
//! the good rows alone on request); the templates; other encodings,
//! delimiters and spellings. The round trip and kill -9: `import_round_trip.rs`.

mod support;

use std::path::Path;

use serde_json::Value;
use tempfile::TempDir;

use support::{log_lines, reestr, snils, stdout};

const ORGS: &str = "Код;Наименование;Уровень;Код вышестоящей;Код региона;Дата создания;Тип организации;Работников\n\
    ЦС;Профсоюз;центральная;;;;;\n\
    Р77;Московская организация;региональная;ЦС;77;;;\n\
    Т1;Районная организация;территориальная;Р77;;01.01.2000;;\n\
    П1;ППО школы № 1;первичная;Т1;;01.09.2001;общее;40\n";

const MEMBERS_HEADER: &str =
    "Код члена;Код организации;Фамилия;Имя;Пол;Дата рождения;СНИЛС;Категория;Дата вступления";

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_string()
}

/// `reestr import` of `orgs` and `members` into `data`, bad rows reported
/// to `report`.
fn import(data: &Path, orgs: &str, members: &str, report: &Path) -> std::process::Command {
    let mut command = reestr(data);
    command
        .args([
            "import",
            "--org-file",
            orgs,
            "--member-file",
            members,
            "--report",
        ])
        .arg(report);
    command
}

/// Imports [`ORGS`] and one member `row` under `header` into `data`; bad
/// rows are reported to `dir/report.csv`.
fn import_row(dir: &Path, data: &Path, header: &str, row: &str) -> std::process::Output {
    let orgs = write(dir, "организации.csv", ORGS.as_bytes());
    let members = write(dir, "члены.csv", format!("{header}\n{row}\n").as_bytes());
    import(data, &orgs, &members, &dir.join("report.csv"))
        .output()
        .unwrap()
}

/// [`import_row`], which must succeed: the log's events after it.
fn imported_row(dir: &Path, data: &Path, header: &str, row: &str) -> Vec<Value> {
    let output = import_row(dir, data, header, row);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    log_lines(data)
}

#[test]
fn a_file_with_every_kind_of_bad_row_is_reported_and_changes_nothing() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    stdout(reestr(&data).arg("init").output().unwrap());
    let before = log_lines(&data);
    let good = snils(101);
    let mut members = format!("{MEMBERS_HEADER}\n");
    members += &format!("м1;П1;Петрова;Мария;ж;14.03.1985;{good};работник;01.09.2015\n"); // 2: good
    members += "м2;П1;Иванова;Анна;ж;01.02.1980;112-233-445 96;работник;01.09.2015\n"; // 3: checksum
    members += "м3;НЕТ;Сидорова;Ольга;ж;01.02.1980;;работник;01.09.2015\n"; // 4: unknown organisation
    members += "м4;П1;Юная;Вера;ж;01.02.2010;;обучающийся;01.09.2020\n"; // 5: under 14
    members += &format!("м5;П1;Петрова;Мария;ж;14.03.1985;{good};работник;01.09.2016\n"); // 6: two active spells
    members += "м6;П1;Козлова;Нина;ж;31.02.1980;;работник;01.09.2015\n"; // 7: bad date
    members += &format!("м1;П1;Петрова;Мария;ж;14.03.1985;{good};работник;01.09.2015\n"); // 8: duplicate
    let mut bytes = members.into_bytes();
    // 9: a Windows-1251 line in a UTF-8 file.
    let (line, _, _) =
        encoding_rs::WINDOWS_1251.encode("м7;П1;Орлова;Ирина;ж;01.02.1980;;работник;01.09.2015\n");
    bytes.extend_from_slice(&line);
    let orgs = write(dir.path(), "организации.csv", ORGS.as_bytes());
    let members = write(dir.path(), "члены.csv", &bytes);
    let report = dir.path().join("отчёт.csv");
    for extra in [&["--check"][..], &[][..]] {
        let output = import(&data, &orgs, &members, &report)
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(summary["badRows"], 7, "{summary}");
        assert_eq!(summary["written"], false);
        let text = std::fs::read_to_string(&report).unwrap();
        let rows: Vec<Vec<&str>> = text
            .trim_start_matches('\u{feff}')
            .lines()
            .skip(1)
            .map(|l| l.split(';').collect())
            .collect();
        let found: Vec<(&str, &str, &str)> = rows.iter().map(|r| (r[1], r[2], r[3])).collect();
        assert_eq!(
            found,
            vec![
                ("3", "СНИЛС", "VALIDATION"),
                ("4", "Код организации", "HOME_NOT_FOUND"),
                ("5", "Дата вступления", "TOO_YOUNG"),
                ("6", "СНИЛС", "ACTIVE_ELSEWHERE"),
                ("7", "Дата рождения", "VALIDATION"),
                ("8", "Фамилия", "DUPLICATE_ROW"),
                ("9", "", "ENCODING"),
            ],
            "{text}"
        );
        assert!(text.contains("контрольное число"), "{text}");
        assert!(text.contains("с 14 лет"), "{text}");
        assert!(rows.iter().all(|r| r[0] == "члены.csv"), "{text}");
        assert_eq!(log_lines(&data), before, "a refused import wrote nothing");
    }
    // The good rows alone, on request: the organisations and one member.
    let output = reestr(&data)
        .args([
            "import",
            "--org-file",
            &orgs,
            "--member-file",
            &members,
            "--skip-invalid",
            "--report",
        ])
        .arg(&report)
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(output.status.success(), "{summary}");
    assert_eq!(
        (
            summary["writtenMembers"].as_i64(),
            summary["writtenRows"].as_i64()
        ),
        (Some(1), Some(4)),
        "{summary}"
    );
    let after = log_lines(&data);
    let admitted = after
        .iter()
        .filter(|e| e["type"] == "MemberAdmitted")
        .count();
    assert_eq!(admitted, 1);
}

#[test]
fn the_templates_read_back_as_the_format() {
    let dir = TempDir::new().unwrap();
    let out = stdout(
        reestr(&dir.path().join("data"))
            .args(["import", "--template"])
            .arg(dir.path().join("t"))
            .output()
            .unwrap(),
    );
    let files: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(files["templates"].as_array().unwrap().len(), 5, "{files}");
    // The example rows check as far as a registry without their parents allows.
    let data = dir.path().join("data");
    let output = reestr(&data)
        .args(["import", "--check", "--org-file"])
        .arg(dir.path().join("t/организации.xlsx"))
        .arg("--member-file")
        .arg(dir.path().join("t/члены.csv"))
        .arg("--report")
        .arg(dir.path().join("r.csv"))
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary["rows"], 2, "{summary}");
    let report = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
    assert!(report.contains("PARENT_NOT_FOUND"), "{report}");
}

#[test]
fn windows_1251_commas_and_other_spellings_read_as_the_same_rows() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    stdout(reestr(&data).arg("init").output().unwrap());
    let orgs = ORGS.replace(';', ",");
    let (orgs, _, _) = encoding_rs::WINDOWS_1251.encode(&orgs);
    let members = format!(
        "Member code,Код организации,Surname,Имя,Пол,Дата рождения,СНИЛС,Категория,Дата приема\n\
         м1,П1,Петрова,Мария,ж,14.03.1985,{},работник,01.09.2015\n",
        snils(7)
    );
    let (members, _, _) = encoding_rs::WINDOWS_1251.encode(&members);
    let mapping = "# English\nSurname = Фамилия\nMember code = Код члена\n";
    let orgs = write(dir.path(), "orgs.csv", &orgs);
    let members = write(dir.path(), "members.csv", &members);
    let mapping = write(dir.path(), "mapping.txt", mapping.as_bytes());
    let output = reestr(&data)
        .args(["import", "--org-file", &orgs, "--member-file", &members])
        .args(["--mapping", &mapping])
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(output.status.success(), "{summary}");
    assert_eq!(summary["writtenMembers"], 1, "{summary}");
    let admitted: Vec<Value> = log_lines(&data)
        .into_iter()
        .filter(|e| e["type"] == "MemberAdmitted")
        .collect();
    assert_eq!(admitted.len(), 1);
    assert_eq!(admitted[0]["effectiveOn"], "2015-09-01");
}

#[test]
fn earlier_parents_cards_and_details_are_imported_and_their_faults_named() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let orgs = "Код;Наименование;Уровень;Код вышестоящей;Код региона;Дата создания;Прежние вышестоящие\n\
        ЦС;Профсоюз;центральная;;;;\n\
        Р77;Московская организация;региональная;ЦС;77;;\n\
        Т1;Районная организация;территориальная;Р77;;01.01.2000;\n\
        Т2;Новая районная организация;территориальная;Р77;;01.01.2019;\n\
        П1;ППО школы № 1;первичная;Т2;;01.09.2001;\"Т1; 01.03.2020\"\n\
        П2;ППО школы № 2;первичная;Т2;;01.09.2001;\"Т1; 01.03.2018\"\n";
    let header = "Код члена;Код организации;Фамилия;Имя;Пол;Дата рождения;Категория;Дата вступления;\
        Дата выбытия;Причина выбытия;Номер билета;Дата выдачи билета;Прежние билеты;Прежние сведения";
    let members = [
        // 2: good: a card lost and a new one; a new surname and category.
        "м1;П1;Петрова;Мария;ж;14.03.1985;работник;01.09.2015;;;7700000001717;01.04.2018;\
         \"7700000001139; электронный; 01.09.2016; 01.03.2018; утерян\";\
         \"01.02.2019; фамилия=Сидорова; категория=обучающийся\"",
        // 3: a field no change can name.
        "м2;П1;Иванова;Анна;ж;01.02.1980;работник;01.09.2015;;;;;;\"01.01.2019; рост=180\"",
        // 4: a change before the person joined.
        "м3;П1;Орлова;Ирина;ж;01.02.1980;работник;01.09.2015;;;;;;\"01.01.2010; фамилия=Белова\"",
        // 5: an earlier card whose check digit is wrong.
        "м4;П1;Козлова;Нина;ж;01.02.1980;работник;01.09.2015;;;;;\"7700000001130; пластиковый; 01.01.2016\";",
        // 6: an active card of someone who left.
        "м5;П1;Белова;Вера;ж;01.02.1980;работник;01.09.2015;01.01.2020;добровольный выход;7700000000461;;;",
    ];
    let orgs = write(dir.path(), "организации.csv", orgs.as_bytes());
    let members = write(
        dir.path(),
        "члены.csv",
        format!("{header}\n{}\n", members.join("\n")).as_bytes(),
    );
    let report = dir.path().join("отчёт.csv");
    let output = reestr(&data)
        .args([
            "import",
            "--org-file",
            &orgs,
            "--member-file",
            &members,
            "--check",
            "--report",
        ])
        .arg(&report)
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = std::fs::read_to_string(&report).unwrap();
    assert_eq!(summary["badRows"], 5, "{summary}\n{text}");
    let rows: Vec<Vec<&str>> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| l.split(';').collect())
        .collect();
    let found: Vec<(&str, &str, &str, &str)> =
        rows.iter().map(|r| (r[0], r[1], r[2], r[3])).collect();
    assert_eq!(
        found,
        vec![
            (
                "организации.csv",
                "7",
                "Прежние вышестоящие",
                "BEFORE_ESTABLISHMENT"
            ),
            ("члены.csv", "3", "Прежние сведения", "VALIDATION"),
            ("члены.csv", "4", "Прежние сведения", "VALIDATION"),
            ("члены.csv", "5", "Прежние билеты", "VALIDATION"),
            ("члены.csv", "6", "Номер билета", "VALIDATION"),
        ],
        "{text}"
    );
    assert!(text.contains("рост"), "{text}");
    assert!(text.contains("не состоял в профсоюзе"), "{text}");
    assert!(text.contains("«Прежние билеты»"), "{text}");

    let output = reestr(&data)
        .args([
            "import",
            "--org-file",
            &orgs,
            "--member-file",
            &members,
            "--skip-invalid",
            "--report",
        ])
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let events = log_lines(&data);
    let of = |kind: &str| -> Vec<&Value> { events.iter().filter(|e| e["type"] == kind).collect() };
    let moved = of("OrganizationMoved");
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(
        moved[0]["data"]["effective_on"], "2020-03-01",
        "{}",
        moved[0]
    );
    assert_eq!(of("CardIssued").len(), 2);
    let blocked: Vec<String> = of("CardBlocked")
        .iter()
        .map(|e| e["data"].to_string())
        .collect();
    assert!(blocked.iter().any(|b| b.contains("утерян")), "{blocked:?}");
    let updated = of("MemberProfileUpdated");
    assert_eq!(updated.len(), 1);
    assert!(
        updated[0].to_string().contains("2019-02-01"),
        "{}",
        updated[0]
    );
    let admitted = of("MemberAdmitted");
    assert!(
        admitted[0].to_string().contains("STUDENT"),
        "admitted as they were: {}",
        admitted[0]
    );
}

#[test]
fn a_readmission_takes_the_details_of_its_day_even_emptied_ones() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let header = "Код члена;Код организации;Фамилия;Имя;Пол;Дата рождения;Категория;Телефон;\
        Дата вступления;Прежние периоды;Прежние сведения";
    // Left in 2019 as a student with a phone; back in 2021 as a worker
    // without one: the change of that day is the re-admission's.
    let row = "м1;П1;Белова;Вера;ж;01.02.1980;работник;;01.09.2021;\
        \"П1; 01.09.2015; 01.09.2019; добровольный выход\";\
        \"01.09.2021; телефон=+7 900 000-00-00; категория=обучающийся\"";
    let events = imported_row(dir.path(), &data, header, row);
    let admitted: Vec<&Value> = events
        .iter()
        .filter(|e| e["type"] == "MemberAdmitted")
        .collect();
    assert_eq!(admitted.len(), 2);
    assert_eq!(
        admitted[0]["data"]["profile"]["category"], "STUDENT",
        "{}",
        admitted[0]
    );
    assert_eq!(
        admitted[1]["data"]["profile"]["category"], "WORKER",
        "{}",
        admitted[1]
    );
    assert!(events.iter().all(|e| e["type"] != "MemberProfileUpdated"));
}

#[test]
fn a_change_dated_after_a_leaving_recorded_later_is_replayed_before_it() {
    let dir = TempDir::new().unwrap();
    let data = dir.path().join("data");
    let header = "Код члена;Код организации;Фамилия;Имя;Пол;Дата рождения;Категория;Телефон;\
        Дата вступления;Дата выбытия;Причина выбытия;Прежние сведения";
    // The phone changed on 13.12.2019 while she was a member; her leaving
    // was recorded after that, dated 16.11.2019 (as the export writes such
    // a person: found 40 times in the full union's round trip).
    let row = "м1;П1;Смирнова;Вера;ж;10.01.1982;работник;+7 917 124-93-58;05.07.2017;16.11.2019;\
        добровольный выход;\"13.12.2019; телефон=+7 978 973-40-08\"";
    let events = imported_row(dir.path(), &data, header, row);
    let person: Vec<&str> = events
        .iter()
        .filter_map(|e| e["type"].as_str())
        .filter(|t| t.starts_with("Member") && *t != "MemberCardIssued")
        .collect();
    assert_eq!(
        person,
        ["MemberAdmitted", "MemberProfileUpdated", "MembershipEnded"],
        "{events:?}"
    );
    let updated = events
        .iter()
        .find(|e| e["type"] == "MemberProfileUpdated")
        .unwrap();
    assert_eq!(updated["data"]["updated_on"], "2019-12-13", "{updated}");
    let ended = events
        .iter()
        .find(|e| e["type"] == "MembershipEnded")
        .unwrap();
    assert_eq!(ended["data"]["effective_on"], "2019-11-16", "{ended}");
    // A change in no spell and after none that ended is still refused.
    let row = "м2;П1;Орлова;Анна;ж;10.01.1982;работник;;05.07.2017;;;\"01.01.2016; телефон=+7 900 000-00-00\"";
    let output = import_row(dir.path(), &dir.path().join("data2"), header, row);
    assert_eq!(output.status.code(), Some(2));
    let text = std::fs::read_to_string(dir.path().join("report.csv")).unwrap();
    assert!(
        text.contains("Изменение 01.01.2016: в этот день человек не состоял в профсоюзе"),
        "{text}"
    );
}

#[test]
fn a_refused_dissolution_leaves_its_organisation_registered_when_bad_rows_are_skipped() {
    let dir = TempDir::new().unwrap();
    let orgs = format!(
        "{}\n{}П2;ППО школы № 2;первичная;Т1;;01.09.2001;общее;30;01.06.2024\n",
        ORGS.lines().next().unwrap().to_string() + ";Дата ликвидации",
        ORGS.lines()
            .skip(1)
            .map(|line| format!("{line};\n"))
            .collect::<String>()
    );
    let orgs = write(dir.path(), "организации.csv", orgs.as_bytes());
    // Still a member of П2 on the day it is to be dissolved.
    let members = format!(
        "{MEMBERS_HEADER}\nм1;П2;Петрова;Мария;ж;14.03.1985;{};работник;01.09.2015\n",
        snils(101)
    );
    let members = write(dir.path(), "члены.csv", members.as_bytes());
    let report = dir.path().join("report.csv");
    let rows = |report: &Path| -> Vec<(String, String)> {
        let text = std::fs::read_to_string(report).unwrap();
        text.lines()
            .skip(1)
            .map(|line| {
                let cells: Vec<&str> = line.split(';').collect();
                (cells[1].to_string(), cells[2].to_string())
            })
            .collect()
    };

    // By default the row is bad and nothing is written.
    let data = dir.path().join("data");
    stdout(reestr(&data).arg("init").output().unwrap());
    let before = log_lines(&data);
    let output = import(&data, &orgs, &members, &report).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(rows(&report), [("6".into(), "Дата ликвидации".into())]);
    assert_eq!(log_lines(&data), before);

    // Skipping bad rows: the organisation and its member are written, the
    // dissolution alone is refused and reported on the organisation's row.
    let output = import(&data, &orgs, &members, &report)
        .arg("--skip-invalid")
        .output()
        .unwrap();
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(output.status.success(), "{summary}");
    assert_eq!(rows(&report), [("6".into(), "Дата ликвидации".into())]);
    assert_eq!(summary["writtenMembers"], 1, "{summary}");
    let events = log_lines(&data);
    let of = |kind: &str| events.iter().filter(|e| e["type"] == kind).count();
    assert_eq!(of("OrganizationRegistered"), 5, "{events:?}");
    assert_eq!(of("MemberAdmitted"), 1);
    assert_eq!(of("OrganizationDissolved"), 0);
}
