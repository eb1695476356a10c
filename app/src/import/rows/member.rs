//! A member's row: personal data, profile, the spells (the row's own and the
//! earlier ones of `Прежние периоды`), the active card.

use chrono::NaiveDate;
use domain::card_number::CardNumber;
use domain::ids::PersonId;
use domain::snils::{Snils, SnilsError};
use domain::vocabulary::card::CardKind;
use domain::vocabulary::person::{Gender, MemberCategory, PersonalData, Profession};
use uuid::Uuid;

use crate::import::format::{Column, Table, Words};
use crate::import::read::Row;
use crate::import::report::BadRow;
use crate::import::rows::details::{self, DetailChange, Field, Values};
use crate::import::rows::{Cells, bad_date, date, derived_id};
use crate::import::words::{CARD_KINDS, CATEGORIES, GENDERS, PROFESSIONS, SPELL_ENDS, SpellEnd};
use crate::input::{MAX_NAME_CHARS, MAX_TEXT_CHARS};

/// One spell of a member's row.
#[derive(Clone, Debug)]
pub struct SpellRow {
    /// The home's code.
    pub org_code: String,
    /// The first day.
    pub start: NaiveDate,
    /// How and when it ended (the first day after it), if it did.
    pub end: Option<(NaiveDate, SpellEnd, Option<String>)>,
    /// The column a refusal about it points at.
    pub column: Column,
}

/// A card of `Прежние билеты`.
#[derive(Clone, Debug)]
pub struct CardRow {
    /// Its number.
    pub number: CardNumber,
    /// Plastic or virtual.
    pub kind: CardKind,
    /// The day of issue.
    pub issued_on: NaiveDate,
    /// Blocked on request: the day and why (a card replaced by the next one,
    /// or blocked when the membership ended, is blocked by that on its own).
    pub blocked: Option<(NaiveDate, String)>,
}

/// A member's row.
#[derive(Clone, Debug)]
pub struct MemberRow {
    /// Its line.
    pub line: u64,
    /// What makes the row one person: the member code, else the SNILS, else
    /// names and birth date.
    pub identity: String,
    /// The person's id: the member code when it is a UUID, else derived from
    /// the identity.
    pub person_id: PersonId,
    /// Personal data.
    pub personal: PersonalData,
    /// Gender.
    pub gender: Gender,
    /// Category.
    pub category: MemberCategory,
    /// Profession.
    pub profession: Option<Profession>,
    /// Position.
    pub position: Option<String>,
    /// The spells, oldest first; the last one is the row's own columns.
    pub spells: Vec<SpellRow>,
    /// The active card: number, kind, issued on.
    pub card: Option<(CardNumber, CardKind, Option<NaiveDate>)>,
    /// The cards before the active one, oldest first.
    pub earlier_cards: Vec<CardRow>,
    /// Changes of details, oldest first: `personal` and the profile above are
    /// as they were at the first admission.
    pub changes: Vec<DetailChange>,
}

/// Reads a member's row.
///
/// # Errors
/// Every faulty cell of the row.
pub fn member_row(file: &str, row: &Row) -> Result<MemberRow, Vec<BadRow>> {
    let mut cells = Cells {
        row,
        table: Table::Members,
        file,
        bad: Vec::new(),
    };
    let org_code = cells.required(Column::OrgCode);
    let last_name = cells.required(Column::LastName);
    let first_name = cells.required(Column::FirstName);
    let patronymic = cells.bounded(Column::Patronymic, MAX_NAME_CHARS);
    let gender = required_word(&mut cells, Column::Gender, &GENDERS);
    let birth_date = required_date(&mut cells, Column::BirthDate);
    let snils = cells
        .text(Column::Snils)
        .and_then(|text| match Snils::parse(&text) {
            Ok(snils) => Some(snils),
            Err(SnilsError::Checksum) => {
                cells.fault(
                    Column::Snils,
                    format!("СНИЛС «{text}»: контрольное число не сходится (правило 5)"),
                );
                None
            }
            Err(SnilsError::Format) => {
                cells.fault(
                    Column::Snils,
                    format!("СНИЛС «{text}»: нужно 11 цифр, например 112-233-445 95"),
                );
                None
            }
        });
    let email = cells.bounded(Column::Email, MAX_NAME_CHARS);
    if let Some(email) = &email
        && !email.contains('@')
    {
        cells.fault(
            Column::Email,
            format!("«{email}» не адрес электронной почты"),
        );
    }
    let phone = cells.bounded(Column::Phone, MAX_NAME_CHARS);
    let category = required_word(&mut cells, Column::Category, &CATEGORIES);
    let profession = cells.word(Column::Profession, &PROFESSIONS);
    let position = cells.bounded(Column::Position, MAX_NAME_CHARS);
    let admitted_on = required_date(&mut cells, Column::AdmittedOn);
    let ended_on = cells.date(Column::EndedOn);
    let reason = cells.word(Column::EndReason, &SPELL_ENDS);
    let basis = cells.bounded(Column::Basis, MAX_TEXT_CHARS);
    let last_end = match (ended_on, reason) {
        (None, None) => None,
        (Some(_), Some(SpellEnd::Transfer)) => {
            cells.fault(
                Column::EndReason,
                "Последний период не кончается переводом: перевод — это начало следующего".into(),
            );
            None
        }
        (Some(on), Some(reason)) => Some((on, reason, basis)),
        (Some(_), None) if row.get(Column::EndReason).is_empty() => {
            cells.fault(
                Column::EndReason,
                "Указана дата выбытия, но не причина".into(),
            );
            None
        }
        (None, Some(_)) => {
            cells.fault(
                Column::EndedOn,
                "Указана причина выбытия, но не дата".into(),
            );
            None
        }
        _ => None,
    };
    let mut spells = earlier_spells(&mut cells);
    let card = card(&mut cells);
    let earlier_cards = earlier_cards(&mut cells);
    let (first, changes) = earlier_details(&mut cells);
    if !cells.bad.is_empty() {
        return Err(cells.bad);
    }
    let (Some(org_code), Some(last_name), Some(first_name), Some(gender), Some(birth_date)) =
        (org_code, last_name, first_name, gender, birth_date)
    else {
        return Err(cells.bad);
    };
    let (Some(category), Some(admitted_on)) = (category, admitted_on) else {
        return Err(cells.bad);
    };
    spells.push(SpellRow {
        org_code,
        start: admitted_on,
        end: last_end,
        column: Column::AdmittedOn,
    });
    let personal = PersonalData {
        last_name,
        first_name,
        patronymic,
        birth_date,
        snils,
        email,
        phone,
    };
    let code = cells.text(Column::MemberCode);
    let identity = match (&code, snils) {
        (Some(code), _) => format!("code {code}"),
        (None, Some(snils)) => format!("snils {}", snils.digits()),
        (None, None) => format!(
            "person {} {} {} {}",
            crate::import::format::normal(&personal.last_name),
            crate::import::format::normal(&personal.first_name),
            crate::import::format::normal(personal.patronymic.as_deref().unwrap_or("")),
            personal.birth_date
        ),
    };
    let person_id = code
        .as_deref()
        .and_then(|code| Uuid::parse_str(code).ok())
        .unwrap_or_else(|| derived_id("person", &identity));
    // The identity is the row's as it is now; the person is admitted as they were.
    let mut personal = personal;
    let (mut category, mut profession, mut position) = (category, profession, position);
    if !changes.is_empty() {
        let value =
            |field: Field| first[Field::ALL.iter().position(|f| *f == field).unwrap_or(0)].clone();
        personal.last_name = value(Field::LastName).unwrap_or_default();
        personal.first_name = value(Field::FirstName).unwrap_or_default();
        personal.patronymic = value(Field::Patronymic);
        personal.email = value(Field::Email);
        personal.phone = value(Field::Phone);
        category = value(Field::Category)
            .and_then(|c| CATEGORIES.read(&c))
            .unwrap_or(category);
        profession = value(Field::Profession).and_then(|p| PROFESSIONS.read(&p));
        position = value(Field::Position);
    }
    Ok(MemberRow {
        line: row.line,
        identity,
        person_id: PersonId(person_id),
        personal,
        gender,
        category,
        profession,
        position,
        spells,
        card,
        earlier_cards,
        changes,
    })
}

/// `Прежние билеты`: one per line (or `|`): number; kind; issued on[; blocked on; why].
fn earlier_cards(cells: &mut Cells<'_>) -> Vec<CardRow> {
    let column = Column::EarlierCards;
    let Some(text) = cells.text(column) else {
        return Vec::new();
    };
    let mut cards = Vec::new();
    for entry in text
        .split(['\n', '|'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let parts: Vec<&str> = entry.splitn(5, ';').map(str::trim).collect();
        let (number, kind, issued_on, blocked) = match parts.as_slice() {
            [number, kind, issued_on] => (number, kind, issued_on, None),
            [number, kind, issued_on, blocked_on, why] => {
                (number, kind, issued_on, Some((*blocked_on, *why)))
            }
            _ => {
                cells.fault(
                    column,
                    format!("Билет «{entry}»: нужно «номер; вид; дата выдачи[; дата блокировки; причина]»"),
                );
                continue;
            }
        };
        let Ok(number) = CardNumber::parse(&number.replace([' ', '-'], "")) else {
            cells.fault(
                column,
                format!("Билет «{entry}»: номер — 13 цифр с верной контрольной"),
            );
            continue;
        };
        let Some(kind) = CARD_KINDS.read(kind) else {
            cells.fault(
                column,
                format!(
                    "Билет «{entry}»: вид «{kind}» не из списка: {}",
                    CARD_KINDS.listed()
                ),
            );
            continue;
        };
        let Some(issued_on) = date(issued_on) else {
            cells.fault(column, format!("Билет «{entry}»: {}", bad_date(issued_on)));
            continue;
        };
        let blocked = match blocked {
            None => None,
            Some((on, why)) => match (date(on), why.is_empty()) {
                (Some(on), false) => Some((on, why.to_string())),
                (None, _) => {
                    cells.fault(column, format!("Билет «{entry}»: {}", bad_date(on)));
                    continue;
                }
                (_, true) => {
                    cells.fault(
                        column,
                        format!("Билет «{entry}»: не указана причина блокировки"),
                    );
                    continue;
                }
            },
        };
        cards.push(CardRow {
            number,
            kind,
            issued_on,
            blocked,
        });
    }
    cards
}

/// `Прежние сведения`: the values before the first change, and each change
/// as the patches that make it.
fn earlier_details(cells: &mut Cells<'_>) -> (Values, Vec<DetailChange>) {
    let column = Column::EarlierDetails;
    let mut values: Values = Field::ALL.map(|field| cells.text(field.column()));
    let Some(text) = cells.text(column) else {
        return (values, Vec::new());
    };
    let changes = match details::read(&text) {
        Ok(changes) => changes,
        Err(faults) => {
            faults.into_iter().for_each(|f| cells.fault(column, f));
            return (values, Vec::new());
        }
    };
    let changes = details::unwind(&mut values, &changes)
        .into_iter()
        .map(|(on, after)| DetailChange { on, after })
        .collect();
    (values, changes)
}

fn required_word<T: Copy + PartialEq>(
    cells: &mut Cells<'_>,
    column: Column,
    words: &Words<T>,
) -> Option<T> {
    if cells.row.get(column).is_empty() {
        cells.fault(
            column,
            format!("Не заполнено обязательное поле: {}", words.listed()),
        );
        return None;
    }
    cells.word(column, words)
}

fn required_date(cells: &mut Cells<'_>, column: Column) -> Option<NaiveDate> {
    if cells.row.get(column).is_empty() {
        cells.fault(column, "Не заполнена обязательная дата (ДД.ММ.ГГГГ)".into());
        return None;
    }
    cells.date(column)
}

/// `Прежние периоды`: one spell per line (or `|`): code; from; until; reason[; basis].
fn earlier_spells(cells: &mut Cells<'_>) -> Vec<SpellRow> {
    let column = Column::EarlierSpells;
    let Some(text) = cells.text(column) else {
        return Vec::new();
    };
    let mut spells = Vec::new();
    for entry in text
        .split(['\n', '|'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let parts: Vec<&str> = entry.splitn(5, ';').map(str::trim).collect();
        let [code, from, until, reason, rest @ ..] = parts.as_slice() else {
            cells.fault(
                column,
                format!("Период «{entry}»: нужно «код; с; по; причина»"),
            );
            continue;
        };
        let (Some(start), Some(end)) = (date(from), date(until)) else {
            cells.fault(
                column,
                format!(
                    "Период «{entry}»: {}",
                    bad_date(if date(from).is_none() { from } else { until })
                ),
            );
            continue;
        };
        let Some(reason) = SPELL_ENDS.read(reason) else {
            cells.fault(
                column,
                format!(
                    "Период «{entry}»: причина «{reason}» не из списка: {}",
                    SPELL_ENDS.listed()
                ),
            );
            continue;
        };
        let basis = rest
            .first()
            .filter(|b| !b.is_empty())
            .map(|b| b.to_string());
        spells.push(SpellRow {
            org_code: code.to_string(),
            start,
            end: Some((end, reason, basis)),
            column,
        });
    }
    spells
}

fn card(cells: &mut Cells<'_>) -> Option<(CardNumber, CardKind, Option<NaiveDate>)> {
    let text = cells.text(Column::CardNumber)?;
    let number = match CardNumber::parse(&text.replace([' ', '-'], "")) {
        Ok(number) => number,
        Err(error) => {
            let why = match error {
                domain::card_number::CardNumberError::Checksum => "контрольная цифра не сходится",
                _ => "нужно 13 цифр: код региона, номер, контрольная цифра",
            };
            cells.fault(Column::CardNumber, format!("Номер билета «{text}»: {why}"));
            return None;
        }
    };
    let kind = cells
        .word(Column::CardKind, &CARD_KINDS)
        .unwrap_or(CardKind::Plastic);
    let issued_on = cells.date(Column::CardIssuedOn);
    Some((number, kind, issued_on))
}
