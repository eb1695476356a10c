//! Report headings in the union's words: one place for every door, so a
//! GraphQL answer, an XLSX sheet and a PDF page say the same thing.

use std::collections::HashMap;

use domain::ids::OrgId;
use domain::vocabulary::organization::OrgLevel;
use projections::registry::Registry;
use projections::statistics::bands::{CATEGORIES, GENDERS, PROFESSIONS, SECTORS};
use projections::statistics::{Key, MemberFilter};

use crate::reports::{Heading, ReportDimension};

/// Names of organisations and regions, looked up once per report.
pub(crate) struct Names<'a> {
    registry: &'a Registry,
    regions: HashMap<u8, String>,
}

impl<'a> Names<'a> {
    pub(crate) fn new(registry: &'a Registry) -> Names<'a> {
        let regions = registry
            .organizations(None, Some(OrgLevel::Regional), None, 10_000, None)
            .map(|page| {
                page.items
                    .into_iter()
                    .map(|(_, o)| o)
                    .filter(|o| o.dissolved_on.is_none())
                    .filter_map(|o| o.region_code.map(|code| (code, o.name)))
                    .collect()
            })
            .unwrap_or_default();
        Names { registry, regions }
    }

    fn organization(&self, org: OrgId) -> String {
        self.registry
            .organization(org)
            .map_or_else(|| org.0.to_string(), |o| o.name)
    }

    /// The heading of `key`.
    pub(crate) fn heading(&self, key: &Key) -> Heading {
        let organization = match key {
            Key::Child(org) | Key::Itself(org) => Some(*org),
            _ => None,
        };
        let label = match key {
            Key::Child(org) => self.organization(*org),
            Key::Itself(org) => format!("{} (непосредственно)", self.organization(*org)),
            Key::Region(Some(code)) => match self.regions.get(code) {
                Some(name) => format!("{code:02} — {name}"),
                None => format!("Регион {code:02}"),
            },
            other => label(other),
        };
        Heading {
            key: key_text(key),
            label,
            organization,
        }
    }
}

/// The stable key of a heading.
pub(crate) fn key_text(key: &Key) -> String {
    match key {
        Key::Gender(g) => GENDERS[usize::from(*g)].to_string(),
        Key::Category(c) => CATEGORIES[usize::from(*c)].to_string(),
        Key::Profession(Some(p)) => PROFESSIONS[usize::from(*p)].to_string(),
        Key::Sector(Some(s)) => SECTORS[usize::from(*s)].to_string(),
        Key::Profession(None) | Key::Sector(None) | Key::Region(None) => "NONE".to_string(),
        Key::AgeBand { from, until } => match until {
            Some(until) => format!("AGE_{from}_{}", until - 1),
            None => format!("AGE_{from}_PLUS"),
        },
        Key::TenureBand {
            from_milli,
            until_milli,
        } => match until_milli {
            Some(until) => format!("TENURE_{}_{}", years(*from_milli), years(*until)),
            None => format!("TENURE_{}_PLUS", years(*from_milli)),
        },
        Key::Region(Some(code)) => format!("{code:02}"),
        Key::Level(level) => level_key(*level).to_string(),
        Key::Child(org) => org.0.to_string(),
        Key::Itself(_) => "ITSELF".to_string(),
    }
}

/// Years from thousandths, without a trailing `.0` (1, 2.5).
fn years(milli: u64) -> String {
    if milli.is_multiple_of(1000) {
        (milli / 1000).to_string()
    } else {
        format!("{}", milli as f64 / 1000.0)
    }
}

fn level_key(level: OrgLevel) -> &'static str {
    match level {
        OrgLevel::Central => "CENTRAL",
        OrgLevel::Regional => "REGIONAL",
        OrgLevel::Territorial => "TERRITORIAL",
        OrgLevel::Primary => "PRIMARY",
        OrgLevel::Subdivision => "SUBDIVISION",
        OrgLevel::Group => "GROUP",
    }
}

pub(crate) const GENDER_WORDS: [&str; 2] = ["Женщины", "Мужчины"];
pub(crate) const CATEGORY_WORDS: [&str; 4] = [
    "Работающие",
    "Обучающиеся",
    "Неработающие пенсионеры",
    "Временно не работающие",
];
pub(crate) const PROFESSION_WORDS: [&str; 7] = [
    "Учителя",
    "Воспитатели",
    "Преподаватели",
    "Руководители",
    "Иные педагогические работники",
    "Учебно-вспомогательный и обслуживающий персонал",
    "Прочие",
];
pub(crate) const SECTOR_WORDS: [&str; 7] = [
    "Дошкольные образовательные организации",
    "Общеобразовательные организации",
    "Профессиональные образовательные организации",
    "Образовательные организации высшего образования",
    "Организации дополнительного образования",
    "Органы управления образованием",
    "Прочие организации",
];

/// The contract's `AgeBand` values in words.
pub(crate) const AGE_BAND_WORDS: [&str; 5] = [
    "до 35 лет",
    "36–45 лет",
    "46–55 лет",
    "56–65 лет",
    "66 лет и старше",
];
/// The contract's `TenureBand` values in words.
pub(crate) const TENURE_BAND_WORDS: [&str; 5] = [
    "менее 1 года",
    "от 1 до 5 лет",
    "от 5 до 10 лет",
    "от 10 до 20 лет",
    "20 лет и более",
];
/// The contract's `EndReason` values in words, as a movement column.
pub(crate) const END_REASON_WORDS: [&str; 4] = [
    "Вышли по собственному желанию",
    "Исключены",
    "Выбыли в связи с уходом из системы образования",
    "Умерли",
];

/// A heading in words (organisations and regions aside).
fn label(key: &Key) -> String {
    match key {
        Key::Gender(g) => GENDER_WORDS[usize::from(*g)].to_string(),
        Key::Category(c) => CATEGORY_WORDS[usize::from(*c)].to_string(),
        Key::Profession(Some(p)) => PROFESSION_WORDS[usize::from(*p)].to_string(),
        Key::Profession(None) => "Профессия не указана".to_string(),
        Key::Sector(Some(s)) => SECTOR_WORDS[usize::from(*s)].to_string(),
        Key::Sector(None) => "Тип организации не указан".to_string(),
        Key::AgeBand {
            from: 0,
            until: Some(until),
        } => format!("до {} лет", until - 1),
        Key::AgeBand {
            from,
            until: Some(until),
        } => format!("{from}–{} лет", until - 1),
        Key::AgeBand { from, until: None } => format!("{from} лет и старше"),
        Key::TenureBand {
            from_milli: 0,
            until_milli: Some(until),
        } => format!("менее {} лет", years(*until)),
        Key::TenureBand {
            from_milli,
            until_milli: Some(until),
        } => format!("от {} до {} лет", years(*from_milli), years(*until)),
        Key::TenureBand {
            from_milli,
            until_milli: None,
        } => format!("{} лет и более", years(*from_milli)),
        Key::Region(Some(code)) => format!("Регион {code:02}"),
        Key::Region(None) => "Вне региональных организаций".to_string(),
        Key::Level(level) => level_words(*level).to_string(),
        Key::Child(org) | Key::Itself(org) => org.0.to_string(),
    }
}

fn level_words(level: OrgLevel) -> &'static str {
    match level {
        OrgLevel::Central => "Центральный совет",
        OrgLevel::Regional => "Региональные организации",
        OrgLevel::Territorial => "Территориальные организации",
        OrgLevel::Primary => "Первичные организации",
        OrgLevel::Subdivision => "Организации структурных подразделений",
        OrgLevel::Group => "Профгруппы",
    }
}

/// A dimension's name in words, for a table's corner heading.
pub fn dimension_words(dimension: ReportDimension) -> &'static str {
    match dimension {
        ReportDimension::Gender => "Пол",
        ReportDimension::Category => "Категория",
        ReportDimension::Profession => "Профессия",
        ReportDimension::AgeBand => "Возраст",
        ReportDimension::TenureBand => "Профсоюзный стаж",
        ReportDimension::Sector => "Тип образовательной организации",
        ReportDimension::Region => "Регион",
        ReportDimension::Level => "Уровень организации",
        ReportDimension::Child => "Организация",
    }
}

/// The filter in words, one line per part given.
pub(crate) fn filter_words(filter: &MemberFilter) -> Vec<String> {
    let list = |words: Vec<String>| words.join(", ");
    let mut lines = Vec::new();
    if !filter.genders.is_empty() {
        lines.push(format!(
            "Пол: {}",
            list(
                filter
                    .genders
                    .iter()
                    .map(|&g| GENDER_WORDS[usize::from(g)].to_lowercase())
                    .collect()
            )
        ));
    }
    if !filter.categories.is_empty() {
        lines.push(format!(
            "Категория: {}",
            list(
                filter
                    .categories
                    .iter()
                    .map(|&c| CATEGORY_WORDS[usize::from(c)].to_lowercase())
                    .collect()
            )
        ));
    }
    if !filter.professions.is_empty() {
        lines.push(format!(
            "Профессия: {}",
            list(
                filter
                    .professions
                    .iter()
                    .map(|&p| PROFESSION_WORDS[usize::from(p)].to_lowercase())
                    .collect()
            )
        ));
    }
    match (filter.age_from, filter.age_to) {
        (Some(from), Some(to)) => lines.push(format!("Возраст: от {from} до {to} лет")),
        (Some(from), None) => lines.push(format!("Возраст: от {from} лет")),
        (None, Some(to)) => lines.push(format!("Возраст: до {to} лет")),
        (None, None) => {}
    }
    let y = |v: f64| years((v * 1000.0).round() as u64);
    match (filter.tenure_from_years, filter.tenure_under_years) {
        (Some(from), Some(under)) => {
            lines.push(format!("Стаж: от {} до {} лет", y(from), y(under)))
        }
        (Some(from), None) => lines.push(format!("Стаж: от {} лет", y(from))),
        (None, Some(under)) => lines.push(format!("Стаж: менее {} лет", y(under))),
        (None, None) => {}
    }
    if !filter.sectors.is_empty() {
        lines.push(format!(
            "Тип организации: {}",
            list(
                filter
                    .sectors
                    .iter()
                    .map(|&s| SECTOR_WORDS[usize::from(s)].to_lowercase())
                    .collect()
            )
        ));
    }
    if !filter.region_codes.is_empty() {
        lines.push(format!(
            "Регионы: {}",
            list(
                filter
                    .region_codes
                    .iter()
                    .map(|c| format!("{c:02}"))
                    .collect()
            )
        ));
    }
    if !filter.levels.is_empty() {
        lines.push(format!(
            "Уровень: {}",
            list(
                filter
                    .levels
                    .iter()
                    .map(|&l| level_words(l).to_lowercase())
                    .collect()
            )
        ));
    }
    lines
}
