//! The import format: the two tables (organisations, members), their columns
//! under Russian headings, other spellings of a heading (built in, or from a
//! mapping file), and the words each coded column takes.
//!
//! docs/import.md describes it for people; this file is what the reader and
//! the export both follow.

use std::collections::HashMap;

/// The two tables of an import.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    /// One row per organisation.
    Organizations,
    /// One row per person: the current (or last) spell and the earlier ones.
    Members,
}

/// A column of either table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Column {
    /// The organisation's code, unique in the file (a UUID keeps the id).
    Code,
    /// Full name.
    Name,
    /// Short name.
    ShortName,
    /// Level in the tree.
    Level,
    /// The parent's code.
    ParentCode,
    /// Region code of a regional organisation.
    RegionCode,
    /// Whether a primary has the rights of a territorial organisation.
    TerritorialRights,
    /// The day it was established (empty: found in place).
    EstablishedOn,
    /// The first day it no longer exists, if dissolved.
    DissolvedOn,
    /// Passport: the type of educational organisation.
    Sector,
    /// Passport: employees.
    Employees,
    /// Passport: students.
    Students,
    /// Passport: the chair's name.
    Chair,
    /// Passport: postal address.
    Address,
    /// A phone (the organisation's or the member's).
    Phone,
    /// An e-mail (the organisation's or the member's).
    Email,
    /// The day the passport takes effect (empty: undated).
    PassportOn,
    /// Earlier parents, one per line: code; the first day under the next.
    EarlierParents,
    /// The member's code, unique in the file (a UUID keeps the id).
    MemberCode,
    /// The home organisation's code (the last spell's).
    OrgCode,
    /// Surname.
    LastName,
    /// Given name.
    FirstName,
    /// Patronymic.
    Patronymic,
    /// Gender.
    Gender,
    /// Birth date.
    BirthDate,
    /// SNILS.
    Snils,
    /// Category.
    Category,
    /// Profession (workers).
    Profession,
    /// Position held.
    Position,
    /// The first day of the last spell.
    AdmittedOn,
    /// The first day after the last spell, if it ended.
    EndedOn,
    /// Why it ended.
    EndReason,
    /// The basis of an expulsion.
    Basis,
    /// Earlier spells, one per line: code; from; until; reason[; basis].
    EarlierSpells,
    /// Earlier details, one change per line: the day; field=value until then; ….
    EarlierDetails,
    /// The active card's number.
    CardNumber,
    /// The active card's kind.
    CardKind,
    /// The day the active card was issued.
    CardIssuedOn,
    /// Cards before the active one, one per line: number; kind; issued on[; blocked on; why].
    EarlierCards,
}

/// A column as a table has it: its heading, whether a row needs it, an example.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// The column.
    pub column: Column,
    /// The heading written in templates and exports.
    pub heading: &'static str,
    /// Other spellings recognised without a mapping file.
    pub aliases: &'static [&'static str],
    /// Whether the header must have it.
    pub required: bool,
    /// The template's example.
    pub example: &'static str,
}

const fn spec(
    column: Column,
    heading: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    example: &'static str,
) -> Spec {
    Spec {
        column,
        heading,
        aliases,
        required,
        example,
    }
}

/// The organisations' table, in the order templates and exports write it.
#[rustfmt::skip]
pub const ORGANIZATION_COLUMNS: &[Spec] = &[
    spec(Column::Code, "Код", &["код организации"], true, "77-0001"),
    spec(Column::Name, "Наименование", &["название", "полное наименование"], true, "Первичная профсоюзная организация школы № 17"),
    spec(Column::ShortName, "Краткое наименование", &["краткое название"], false, "ППО школы № 17"),
    spec(Column::Level, "Уровень", &["уровень организации"], true, "первичная"),
    spec(Column::ParentCode, "Код вышестоящей", &["код вышестоящей организации", "вышестоящая"], false, "77-0000"),
    spec(Column::RegionCode, "Код региона", &["регион"], false, ""),
    spec(Column::TerritorialRights, "Права территориальной", &["с правами территориальной"], false, "нет"),
    spec(Column::EstablishedOn, "Дата создания", &["создана"], false, "01.09.1995"),
    spec(Column::DissolvedOn, "Дата ликвидации", &["ликвидирована"], false, ""),
    spec(Column::Sector, "Тип организации", &["сектор", "тип образовательной организации"], false, "общее"),
    spec(Column::Employees, "Работников", &["численность работников"], false, "84"),
    spec(Column::Students, "Обучающихся", &["численность обучающихся"], false, "0"),
    spec(Column::Chair, "Председатель", &["фио председателя"], false, "Иванова Анна Петровна"),
    spec(Column::Address, "Адрес", &["почтовый адрес"], false, "г. Москва, ул. Садовая, д. 1"),
    spec(Column::Phone, "Телефон", &[], false, "+7 495 000-00-00"),
    spec(Column::Email, "Эл. почта", &["e-mail", "email", "электронная почта"], false, "ppo17@example.ru"),
    spec(Column::PassportOn, "Паспорт с", &["паспорт действует с"], false, ""),
    spec(Column::EarlierParents, "Прежние вышестоящие", &["прежнее подчинение"], false, ""),
];

/// The members' table, in the order templates and exports write it.
#[rustfmt::skip]
pub const MEMBER_COLUMNS: &[Spec] = &[
    spec(Column::MemberCode, "Код члена", &["идентификатор", "код"], false, "м-000001"),
    spec(Column::OrgCode, "Код организации", &["организация"], true, "77-0001"),
    spec(Column::LastName, "Фамилия", &[], true, "Петрова"),
    spec(Column::FirstName, "Имя", &[], true, "Мария"),
    spec(Column::Patronymic, "Отчество", &[], false, "Ивановна"),
    spec(Column::Gender, "Пол", &[], true, "ж"),
    spec(Column::BirthDate, "Дата рождения", &["родилась", "родился"], true, "14.03.1985"),
    spec(Column::Snils, "СНИЛС", &["страховой номер"], false, "112-233-445 95"),
    spec(Column::Email, "Эл. почта", &["e-mail", "email", "электронная почта"], false, ""),
    spec(Column::Phone, "Телефон", &[], false, ""),
    spec(Column::Category, "Категория", &[], true, "работник"),
    spec(Column::Profession, "Профессия", &[], false, "учитель"),
    spec(Column::Position, "Должность", &[], false, "учитель математики"),
    spec(Column::AdmittedOn, "Дата вступления", &["принят", "принята", "дата приёма"], true, "01.09.2015"),
    spec(Column::EndedOn, "Дата выбытия", &["выбыл", "выбыла"], false, ""),
    spec(Column::EndReason, "Причина выбытия", &[], false, ""),
    spec(Column::Basis, "Основание исключения", &["основание"], false, ""),
    spec(Column::EarlierSpells, "Прежние периоды", &["прежнее членство"], false, "77-0002; 01.09.2008; 01.09.2015; перевод"),
    spec(Column::EarlierDetails, "Прежние сведения", &["изменения сведений"], false, "01.02.2019; фамилия=Сидорова; должность=учитель"),
    spec(Column::CardNumber, "Номер билета", &["профсоюзный билет", "билет"], false, ""),
    spec(Column::CardKind, "Вид билета", &[], false, ""),
    spec(Column::CardIssuedOn, "Дата выдачи билета", &[], false, ""),
    spec(Column::EarlierCards, "Прежние билеты", &["прежние профсоюзные билеты"], false, ""),
];

impl Table {
    /// The table's columns.
    pub fn columns(self) -> &'static [Spec] {
        match self {
            Table::Organizations => ORGANIZATION_COLUMNS,
            Table::Members => MEMBER_COLUMNS,
        }
    }

    /// The worksheet (and template file) name.
    pub fn sheet(self) -> &'static str {
        match self {
            Table::Organizations => "Организации",
            Table::Members => "Члены профсоюза",
        }
    }

    /// The heading of `column` in this table.
    pub fn heading(self, column: Column) -> &'static str {
        self.columns()
            .iter()
            .find(|spec| spec.column == column)
            .map_or("", |spec| spec.heading)
    }
}

/// Headings as one compares them: lower case, ё as е, single spaces, no
/// trailing `*` or `:`.
pub fn normal(text: &str) -> String {
    let text = text
        .trim()
        .trim_end_matches(['*', ':'])
        .to_lowercase()
        .replace('ё', "е");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Other spellings of headings, from a mapping file: one `spelling = Heading`
/// per line, `#` starting a comment.
#[derive(Clone, Debug, Default)]
pub struct Mapping {
    spellings: HashMap<String, String>,
}

impl Mapping {
    /// Reads a mapping file's text.
    ///
    /// # Errors
    /// The line number and text of a line without `=`.
    pub fn parse(text: &str) -> Result<Mapping, String> {
        let mut spellings = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let Some((spelling, heading)) = line.split_once('=') else {
                return Err(format!("строка {}: нет знака «=»: {line}", n + 1));
            };
            spellings.insert(normal(spelling), normal(heading));
        }
        Ok(Mapping { spellings })
    }

    /// The column a header cell names in `table`, if any.
    pub fn column(&self, table: Table, heading: &str) -> Option<Column> {
        let heading = normal(heading);
        let heading = self.spellings.get(&heading).unwrap_or(&heading);
        let named = |spec: &&Spec| normal(spec.heading) == *heading;
        let aliased = |spec: &&Spec| spec.aliases.iter().any(|a| normal(a) == *heading);
        let columns = table.columns();
        columns
            .iter()
            .find(named)
            .or_else(|| columns.iter().find(aliased))
            .map(|spec| spec.column)
    }
}

/// The words a coded column takes: each value with its spellings, the first
/// one what exports write.
pub struct Words<T: 'static> {
    /// Each value and its spellings.
    pub values: &'static [(T, &'static [&'static str])],
}

impl<T: Copy + PartialEq> Words<T> {
    /// The value `text` spells, any case, ё as е.
    pub fn read(&self, text: &str) -> Option<T> {
        // A word as exports write it needs no folding: most cells of a
        // large file, and folding allocates for every spelling.
        let exact = text.trim();
        if let Some((value, _)) = self.values.iter().find(|(_, s)| s.contains(&exact)) {
            return Some(*value);
        }
        let text = normal(text);
        self.values
            .iter()
            .find(|(_, spellings)| spellings.iter().any(|s| normal(s) == text))
            .map(|(value, _)| *value)
    }

    /// The word exports write for `value`.
    pub fn word(&self, value: T) -> &'static str {
        self.values
            .iter()
            .find(|(v, _)| *v == value)
            .map_or("", |(_, spellings)| spellings[0])
    }

    /// Every value's first word, for messages.
    pub fn listed(&self) -> String {
        let words: Vec<&str> = self.values.iter().map(|(_, s)| s[0]).collect();
        words.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_found_by_name_alias_and_mapping() {
        let none = Mapping::default();
        assert_eq!(
            none.column(Table::Members, " фамилия* "),
            Some(Column::LastName)
        );
        assert_eq!(
            none.column(Table::Members, "Дата приема"),
            Some(Column::AdmittedOn)
        );
        assert_eq!(none.column(Table::Members, "Surname"), None);
        let mapping = Mapping::parse("# English\nSurname = Фамилия\n").unwrap();
        assert_eq!(
            mapping.column(Table::Members, "SURNAME"),
            Some(Column::LastName)
        );
        assert!(Mapping::parse("Surname Фамилия").is_err());
    }

    #[test]
    fn a_word_is_read_as_written_in_any_case_and_with_yo() {
        use crate::import::words::{GENDERS, LEVELS};
        use domain::vocabulary::organization::OrgLevel;
        use domain::vocabulary::person::Gender;
        assert_eq!(GENDERS.read("женский"), Some(Gender::Female));
        assert_eq!(GENDERS.read(" МУЖ "), Some(Gender::Male));
        assert_eq!(GENDERS.read("female"), Some(Gender::Female));
        assert_eq!(LEVELS.read("Первичная"), Some(OrgLevel::Primary));
        assert_eq!(
            LEVELS.read("Структурное   подразделение"),
            Some(OrgLevel::Subdivision)
        );
        assert_eq!(GENDERS.read("женщина"), None);
        assert_eq!(GENDERS.read(""), None);
    }

    #[test]
    fn every_table_has_each_heading_once() {
        for table in [Table::Organizations, Table::Members] {
            let none = Mapping::default();
            for spec in table.columns() {
                assert_eq!(none.column(table, spec.heading), Some(spec.column));
            }
        }
    }
}
