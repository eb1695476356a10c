//! `Прежние сведения`: a member's details before each change, so an import
//! admits the person as they were and replays every change on its day.
//!
//! One change per line (or `|`): the day, then each field that changed on it
//! with the value it had until then, `ДД.ММ.ГГГГ; фамилия=Сидорова;
//! профессия=учитель`. An empty value says the field was empty. A `;` inside a
//! value is kept when what follows it names no field, a `|` when what follows
//! is not a day; a line break never is.

use chrono::NaiveDate;
use domain::vocabulary::person::{
    MemberCategory, PersonalData, PersonalDataPatch, Profession, ProfilePatch,
};

use crate::import::format::{Column, Words};
use crate::import::rows::{bad_date, date};
use crate::import::words::{CATEGORIES, PROFESSIONS};
use crate::input::MAX_NAME_CHARS;
use crate::words::day;

/// A detail that changes over a membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Surname.
    LastName,
    /// Given name.
    FirstName,
    /// Patronymic.
    Patronymic,
    /// E-mail.
    Email,
    /// Phone.
    Phone,
    /// Category.
    Category,
    /// Profession.
    Profession,
    /// Position.
    Position,
}

/// Each field's names in a line, the first one what exports write.
pub const FIELDS: Words<Field> = Words {
    values: &[
        (Field::LastName, &["фамилия"]),
        (Field::FirstName, &["имя"]),
        (Field::Patronymic, &["отчество"]),
        (
            Field::Email,
            &["эл. почта", "e-mail", "email", "электронная почта"],
        ),
        (Field::Phone, &["телефон"]),
        (Field::Category, &["категория"]),
        (Field::Profession, &["профессия"]),
        (Field::Position, &["должность"]),
    ],
};

impl Field {
    /// Every field, in the order a line lists them.
    pub const ALL: [Field; 8] = [
        Field::LastName,
        Field::FirstName,
        Field::Patronymic,
        Field::Email,
        Field::Phone,
        Field::Category,
        Field::Profession,
        Field::Position,
    ];

    /// The row's column holding the field's value now.
    pub fn column(self) -> Column {
        match self {
            Field::LastName => Column::LastName,
            Field::FirstName => Column::FirstName,
            Field::Patronymic => Column::Patronymic,
            Field::Email => Column::Email,
            Field::Phone => Column::Phone,
            Field::Category => Column::Category,
            Field::Profession => Column::Profession,
            Field::Position => Column::Position,
        }
    }

    fn index(self) -> usize {
        Field::ALL.iter().position(|f| *f == self).unwrap_or(0)
    }

    /// Why `value` cannot be this field's, if it cannot.
    fn fault(self, value: Option<&str>) -> Option<String> {
        let name = FIELDS.word(self);
        match (self, value) {
            (Field::LastName | Field::FirstName | Field::Category, None) => {
                Some(format!("«{name}» не может быть пустым"))
            }
            (_, Some(text)) if text.chars().count() > MAX_NAME_CHARS => Some(format!(
                "«{name}»: слишком длинно, не больше {MAX_NAME_CHARS} знаков"
            )),
            (Field::Email, Some(text)) if !text.contains('@') => {
                Some(format!("«{text}» не адрес электронной почты"))
            }
            (Field::Category, Some(text)) if CATEGORIES.read(text).is_none() => Some(format!(
                "категория «{text}» не из списка: {}",
                CATEGORIES.listed()
            )),
            (Field::Profession, Some(text)) if PROFESSIONS.read(text).is_none() => Some(format!(
                "профессия «{text}» не из списка: {}",
                PROFESSIONS.listed()
            )),
            _ => None,
        }
    }
}

/// One change: its day and each changed field's value until then.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The day of the change.
    pub on: NaiveDate,
    /// Each field that changed, with its value before the change.
    pub earlier: Vec<(Field, Option<String>)>,
}

/// A change as the import replays it: the day and each field's new value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DetailChange {
    /// The day of the change.
    pub on: NaiveDate,
    /// Each changed field with its value from that day (`None`: emptied,
    /// which only a re-admission does).
    pub after: Assignments,
}

/// Fields and their values, as text.
pub type Assignments = Vec<(Field, Option<String>)>;

/// Every field's value, as text, indexed as [`Field::ALL`].
pub type Values = [Option<String>; 8];

/// Reads the column's text: the changes, oldest first, or what is wrong with
/// each line.
pub fn read(text: &str) -> Result<Vec<Change>, Vec<String>> {
    let mut changes: Vec<Change> = Vec::new();
    let mut faults = Vec::new();
    for entry in entries(text) {
        match change(&entry) {
            Ok(change) => {
                if let Some(last) = changes.last()
                    && last.on > change.on
                {
                    faults.push(format!(
                        "Изменение «{entry}»: изменения идут по порядку дат"
                    ));
                }
                changes.push(change);
            }
            Err(fault) => faults.push(format!("Изменение «{entry}»: {fault}")),
        }
    }
    if faults.is_empty() {
        Ok(changes)
    } else {
        Err(faults)
    }
}

/// The lines of the text: split at line breaks, and at `|` before a day.
fn entries(text: &str) -> Vec<String> {
    let mut entries: Vec<String> = Vec::new();
    for line in text.lines() {
        let mut pieces = line.split('|');
        let mut current = pieces.next().unwrap_or("").to_string();
        for piece in pieces {
            let starts_with_day = piece
                .split(';')
                .next()
                .is_some_and(|head| date(head).is_some());
            if starts_with_day {
                entries.push(std::mem::take(&mut current));
                current = piece.to_string();
            } else {
                current.push('|');
                current.push_str(piece);
            }
        }
        entries.push(current);
    }
    entries
        .into_iter()
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty())
        .collect()
}

fn change(entry: &str) -> Result<Change, String> {
    let mut parts = entry.split(';');
    let head = parts.next().unwrap_or("").trim();
    let Some(on) = date(head) else {
        return Err(bad_date(head));
    };
    // Rejoin a `;` that names no field with the value before it.
    let mut assignments: Vec<String> = Vec::new();
    for part in parts {
        let named = part
            .split_once('=')
            .is_some_and(|(name, _)| FIELDS.read(name).is_some());
        match assignments.last_mut() {
            Some(last) if !named => {
                last.push(';');
                last.push_str(part);
            }
            _ => assignments.push(part.to_string()),
        }
    }
    let mut earlier: Vec<(Field, Option<String>)> = Vec::new();
    for assignment in &assignments {
        let Some((name, value)) = assignment.split_once('=') else {
            return Err(format!(
                "«{}»: нужно «поле=прежнее значение», поля: {}",
                assignment.trim(),
                FIELDS.listed()
            ));
        };
        let Some(field) = FIELDS.read(name) else {
            return Err(format!(
                "поле «{}» не из списка: {}",
                name.trim(),
                FIELDS.listed()
            ));
        };
        if earlier.iter().any(|(f, _)| *f == field) {
            return Err(format!("поле «{}» названо дважды", FIELDS.word(field)));
        }
        let value = value.trim();
        let value = (!value.is_empty()).then(|| value.to_string());
        if let Some(fault) = field.fault(value.as_deref()) {
            return Err(fault);
        }
        earlier.push((field, value));
    }
    if earlier.is_empty() {
        return Err(format!("не названо ни одного поля: {}", FIELDS.listed()));
    }
    Ok(Change { on, earlier })
}

/// One change as a line of the column.
pub fn line(change: &Change) -> String {
    let mut line = day(change.on);
    for (field, value) in &change.earlier {
        line.push_str("; ");
        line.push_str(FIELDS.word(*field));
        line.push('=');
        line.push_str(value.as_deref().unwrap_or(""));
    }
    line
}

/// Undoes `changes` (oldest first) on `values`, from the newest back:
/// `values` ends as they were before the first change, and the answer is
/// each change's new values, oldest first.
pub fn unwind(values: &mut Values, changes: &[Change]) -> Vec<(NaiveDate, Assignments)> {
    let mut later: Vec<(NaiveDate, Assignments)> = changes
        .iter()
        .rev()
        .map(|change| {
            let after = change
                .earlier
                .iter()
                .map(|(field, before)| {
                    let slot = &mut values[field.index()];
                    (*field, std::mem::replace(slot, before.clone()))
                })
                .collect();
            (change.on, after)
        })
        .collect();
    later.reverse();
    later
}

impl DetailChange {
    /// The change as an update's patches.
    ///
    /// # Errors
    /// A field the change empties: an update sets values, it never clears
    /// one (only a re-admission, which gives the contacts anew, does).
    pub fn patches(&self) -> Result<(ProfilePatch, PersonalDataPatch), String> {
        let mut profile = ProfilePatch::default();
        let mut personal = PersonalDataPatch::default();
        for (field, value) in &self.after {
            let Some(value) = value.clone() else {
                return Err(format!(
                    "Изменение {}: «{}» после него пусто, а изменение значение не стирает \
                     (пусто может стать только при новом вступлении)",
                    day(self.on),
                    FIELDS.word(*field)
                ));
            };
            match field {
                Field::LastName => personal.last_name = Some(value),
                Field::FirstName => personal.first_name = Some(value),
                Field::Patronymic => personal.patronymic = Some(value),
                Field::Email => personal.email = Some(value),
                Field::Phone => personal.phone = Some(value),
                Field::Category => profile.category = CATEGORIES.read(&value),
                Field::Profession => profile.profession = PROFESSIONS.read(&value),
                Field::Position => profile.position = Some(value),
            }
        }
        Ok((profile, personal))
    }

    /// The change applied to a person's details (a re-admission gives them
    /// as they are after it).
    pub fn apply_to(&self, personal: &mut PersonalData, profile: &mut ProfileValues) {
        for (field, value) in &self.after {
            match field {
                Field::LastName => personal.last_name = value.clone().unwrap_or_default(),
                Field::FirstName => personal.first_name = value.clone().unwrap_or_default(),
                Field::Patronymic => personal.patronymic = value.clone(),
                Field::Email => personal.email = value.clone(),
                Field::Phone => personal.phone = value.clone(),
                Field::Category => {
                    if let Some(category) = value.as_deref().and_then(|v| CATEGORIES.read(v)) {
                        profile.category = category;
                    }
                }
                Field::Profession => {
                    profile.profession = value.as_deref().and_then(|v| PROFESSIONS.read(v));
                }
                Field::Position => profile.position = value.clone(),
            }
        }
    }
}

/// The profile's changing part: category, profession, position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileValues {
    /// Category.
    pub category: MemberCategory,
    /// Profession.
    pub profession: Option<Profession>,
    /// Position.
    pub position: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        date(text).unwrap()
    }

    #[test]
    fn a_line_reads_back_as_written() {
        let change = Change {
            on: d("01.02.2019"),
            earlier: vec![
                (Field::LastName, Some("Сидорова".into())),
                (Field::Phone, None),
                (Field::Position, Some("учитель; завуч | методист".into())),
            ],
        };
        let text = line(&change);
        assert_eq!(read(&text), Ok(vec![change.clone()]));
        let two = format!("{text}|02.02.2020; профессия=учитель");
        assert_eq!(read(&two).unwrap().len(), 2);
    }

    #[test]
    fn unwinding_gives_the_first_values_and_each_change_its_new_ones() {
        let mut values: Values = Default::default();
        values[Field::LastName.index()] = Some("Петрова".into());
        values[Field::Phone.index()] = Some("+7 900".into());
        let changes =
            read("01.02.2019; фамилия=Сидорова; телефон=\n01.03.2020; фамилия=Иванова").unwrap();
        let after = unwind(&mut values, &changes);
        assert_eq!(values[Field::LastName.index()].as_deref(), Some("Сидорова"));
        assert_eq!(values[Field::Phone.index()], None);
        assert_eq!(
            after[0].1,
            vec![
                (Field::LastName, Some("Иванова".into())),
                (Field::Phone, Some("+7 900".into()))
            ]
        );
        assert_eq!(after[1].1, vec![(Field::LastName, Some("Петрова".into()))]);
        let first = DetailChange {
            on: after[0].0,
            after: after[0].1.clone(),
        };
        let (_, personal) = first.patches().unwrap();
        assert_eq!(personal.last_name.as_deref(), Some("Иванова"));
    }

    #[test]
    fn bad_lines_are_named() {
        for text in [
            "32.01.2019; фамилия=А",
            "01.01.2019; рост=180",
            "01.01.2019",
            "01.01.2019; фамилия=",
            "01.01.2019; категория=космонавт",
            "01.01.2019; эл. почта=нет",
            "01.01.2020; имя=А\n01.01.2019; имя=Б",
            "01.01.2019; имя=А; имя=Б",
        ] {
            assert!(read(text).is_err(), "{text}");
        }
        let cleared = DetailChange {
            on: d("01.01.2019"),
            after: vec![(Field::Phone, None)],
        };
        assert!(cleared.patches().is_err());
    }
}
