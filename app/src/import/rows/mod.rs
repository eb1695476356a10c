//! A row's cells read into what the commands take: every cell checked,
//! every fault named by its column, all of a row's faults at once.
//! Organisations here, members in `member.rs`.

pub(crate) mod details;
mod member;

pub use crate::import::rows::details::{Change, DetailChange, Field};
pub use crate::import::rows::member::{CardRow, MemberRow, SpellRow, member_row};

use chrono::{Datelike, NaiveDate};
use domain::ids::OrgId;
use domain::vocabulary::organization::{OrgLevel, Passport};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::import::format::{Column, Table, Words};
use crate::import::read::Row;
use crate::import::report::{BadRow, Problem};
use crate::import::words::{LEVELS, SECTORS, YES_NO};
use crate::input::{FIRST_YEAR, LAST_YEAR, MAX_NAME_CHARS, MAX_TEXT_CHARS};

/// An organisation's row.
#[derive(Clone, Debug)]
pub struct OrgRow {
    /// Its line.
    pub line: u64,
    /// Its code.
    pub code: String,
    /// Its id: the code when it is a UUID, else derived from the code.
    pub org_id: OrgId,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Level.
    pub level: OrgLevel,
    /// The parent's code.
    pub parent_code: Option<String>,
    /// Region code.
    pub region_code: Option<u8>,
    /// Rights of a territorial organisation.
    pub territorial_rights: bool,
    /// Established on.
    pub established_on: Option<NaiveDate>,
    /// Dissolved from.
    pub dissolved_on: Option<NaiveDate>,
    /// The passport, when any of its cells is filled in.
    pub passport: Option<Passport>,
    /// The passport's date.
    pub passport_on: Option<NaiveDate>,
    /// The earlier parents' codes, oldest first, each with the first day
    /// under the next one (the last under the parent of `parent_code`).
    pub earlier_parents: Vec<(String, NaiveDate)>,
}

/// A row's cells, read column by column; faults gather in `bad`.
struct Cells<'a> {
    row: &'a Row,
    table: Table,
    file: &'a str,
    bad: Vec<BadRow>,
}

impl<'a> Cells<'a> {
    fn fault(&mut self, column: Column, message: String) {
        let heading = self.table.heading(column);
        self.bad.push(BadRow::new(
            self.file,
            self.row.line,
            Some(heading),
            Problem::Cell(message),
        ));
    }

    fn text(&self, column: Column) -> Option<String> {
        let text = self.row.get(column);
        (!text.is_empty()).then(|| text.to_string())
    }

    fn bounded(&mut self, column: Column, max: usize) -> Option<String> {
        let text = self.text(column)?;
        if text.chars().count() > max {
            self.fault(column, format!("Слишком длинно: не больше {max} знаков"));
            return None;
        }
        Some(text)
    }

    fn required(&mut self, column: Column) -> Option<String> {
        let text = self.bounded(column, MAX_NAME_CHARS);
        if text.is_none() && self.row.get(column).is_empty() {
            self.fault(column, "Не заполнено обязательное поле".into());
        }
        text
    }

    fn word<T: Copy + PartialEq>(&mut self, column: Column, words: &Words<T>) -> Option<T> {
        let text = self.text(column)?;
        let value = words.read(&text);
        if value.is_none() {
            self.fault(column, format!("«{text}» не из списка: {}", words.listed()));
        }
        value
    }

    fn date(&mut self, column: Column) -> Option<NaiveDate> {
        let text = self.text(column)?;
        let value = date(&text);
        if value.is_none() {
            self.fault(column, bad_date(&text));
        }
        value
    }

    fn count(&mut self, column: Column) -> Option<u32> {
        let text = self.text(column)?;
        let value = text.replace([' ', '\u{a0}'], "").parse::<u32>().ok();
        if value.is_none() {
            self.fault(column, format!("«{text}» не целое неотрицательное число"));
        }
        value
    }
}

/// A date written ДД.ММ.ГГГГ (or ГГГГ-ММ-ДД), within 1900..2200.
pub fn date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let date = NaiveDate::parse_from_str(text, "%d.%m.%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"))
        .ok()?;
    (FIRST_YEAR..=LAST_YEAR)
        .contains(&date.year())
        .then_some(date)
}

fn bad_date(text: &str) -> String {
    format!(
        "Дата «{text}» не распознана: ожидается ДД.ММ.ГГГГ между {FIRST_YEAR} и {LAST_YEAR} годом"
    )
}

/// An id derived from `kind` and `text`: the same text gives the same id.
pub fn derived_id(kind: &str, text: &str) -> Uuid {
    let mut hash = Sha256::new();
    hash.update(b"reestr import\0");
    hash.update(kind.as_bytes());
    hash.update(b"\0");
    hash.update(text.as_bytes());
    let digest = hash.finalize();
    let mut bytes = [0; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// The id an organisation's code stands for.
pub fn org_id(code: &str) -> OrgId {
    OrgId(Uuid::parse_str(code.trim()).unwrap_or_else(|_| derived_id("org", code.trim())))
}

/// Reads an organisation's row.
///
/// # Errors
/// Every faulty cell of the row.
pub fn org_row(file: &str, row: &Row) -> Result<OrgRow, Vec<BadRow>> {
    let mut cells = Cells {
        row,
        table: Table::Organizations,
        file,
        bad: Vec::new(),
    };
    let code = cells.required(Column::Code);
    let name = cells.required(Column::Name);
    let short_name = cells.bounded(Column::ShortName, MAX_NAME_CHARS);
    let level = cells.word(Column::Level, &LEVELS);
    if row.get(Column::Level).is_empty() {
        cells.fault(Column::Level, "Не заполнено обязательное поле".into());
    }
    let parent_code = cells.text(Column::ParentCode);
    let region_code = cells.count(Column::RegionCode).and_then(|code| {
        let code = u8::try_from(code).ok().filter(|c| (1..=99).contains(c));
        if code.is_none() {
            cells.fault(Column::RegionCode, "Код региона: число от 1 до 99".into());
        }
        code
    });
    let territorial_rights = cells
        .word(Column::TerritorialRights, &YES_NO)
        .unwrap_or(false);
    let established_on = cells.date(Column::EstablishedOn);
    let dissolved_on = cells.date(Column::DissolvedOn);
    let passport = Passport {
        sector: cells.word(Column::Sector, &SECTORS),
        employees: cells.count(Column::Employees),
        students: cells.count(Column::Students),
        chair_name: cells.bounded(Column::Chair, MAX_NAME_CHARS),
        address: cells.bounded(Column::Address, MAX_TEXT_CHARS),
        phone: cells.bounded(Column::Phone, MAX_NAME_CHARS),
        email: cells.bounded(Column::Email, MAX_NAME_CHARS),
    };
    let passport_on = cells.date(Column::PassportOn);
    let earlier_parents = earlier_parents(&mut cells);
    if !earlier_parents.is_empty() && parent_code.is_none() {
        cells.fault(
            Column::EarlierParents,
            "Прежние вышестоящие указаны, а нынешняя (код вышестоящей) — нет".into(),
        );
    }
    if !cells.bad.is_empty() {
        return Err(cells.bad);
    }
    let (Some(code), Some(name), Some(level)) = (code, name, level) else {
        return Err(cells.bad);
    };
    Ok(OrgRow {
        line: row.line,
        org_id: org_id(&code),
        code,
        name,
        short_name,
        level,
        parent_code,
        region_code,
        territorial_rights,
        established_on,
        dissolved_on,
        passport: (passport != Passport::default()).then_some(passport),
        passport_on,
        earlier_parents,
    })
}

/// `Прежние вышестоящие`: one per line (or `|`): code; the first day under
/// the next parent; oldest first.
fn earlier_parents(cells: &mut Cells<'_>) -> Vec<(String, NaiveDate)> {
    let column = Column::EarlierParents;
    let Some(text) = cells.text(column) else {
        return Vec::new();
    };
    let mut parents: Vec<(String, NaiveDate)> = Vec::new();
    for entry in text
        .split(['\n', '|'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let parts: Vec<&str> = entry.split(';').map(str::trim).collect();
        let [code, until] = parts.as_slice() else {
            cells.fault(
                column,
                format!("«{entry}»: нужно «код вышестоящей; дата перехода к следующей»"),
            );
            continue;
        };
        let Some(until) = date(until) else {
            cells.fault(column, format!("«{entry}»: {}", bad_date(until)));
            continue;
        };
        if parents.last().is_some_and(|(_, last)| *last >= until) {
            cells.fault(
                column,
                format!("«{entry}»: прежние вышестоящие идут по порядку дат"),
            );
            continue;
        }
        parents.push((code.to_string(), until));
    }
    parents
}
