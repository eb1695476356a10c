//! The union's words in Russian, for every enum a page shows or a form offers.

use chrono::NaiveDate;
use domain::rules::RuleViolation;
use domain::vocabulary::access::Role;
use domain::vocabulary::card::CardKind;
use domain::vocabulary::organization::OrgLevel;
use domain::vocabulary::person::{EndReason, Gender, MemberCategory, Profession};

/// A role, as a person holds it.
pub fn role(role: Role) -> &'static str {
    match role {
        Role::Admin => "администратор",
        Role::Chair => "председатель",
        Role::Auditor => "ревизор",
        Role::Analyst => "аналитик",
    }
}

/// An organisation's level.
pub fn level(level: OrgLevel) -> &'static str {
    match level {
        OrgLevel::Central => "центральная организация",
        OrgLevel::Regional => "региональная организация",
        OrgLevel::Territorial => "территориальная организация",
        OrgLevel::Primary => "первичная организация",
        OrgLevel::Subdivision => "структурное подразделение",
        OrgLevel::Group => "профгруппа",
    }
}

/// Genders, as the form offers them (value, words).
pub const GENDERS: &[(&str, &str)] = &[("FEMALE", "женский"), ("MALE", "мужской")];

/// A gender.
pub fn gender(gender: Gender) -> &'static str {
    match gender {
        Gender::Female => "женский",
        Gender::Male => "мужской",
    }
}

/// Categories, as the form offers them.
pub const CATEGORIES: &[(&str, &str)] = &[
    ("WORKER", "работник"),
    ("STUDENT", "обучающийся (студент)"),
    ("PENSIONER", "неработающий пенсионер"),
    ("UNEMPLOYED", "временно не работающий"),
];

/// A category.
pub fn category(category: MemberCategory) -> &'static str {
    match category {
        MemberCategory::Worker => "работник",
        MemberCategory::Student => "обучающийся",
        MemberCategory::Pensioner => "неработающий пенсионер",
        MemberCategory::Unemployed => "временно не работающий",
    }
}

/// Professions, as the form offers them.
pub const PROFESSIONS: &[(&str, &str)] = &[
    ("TEACHER", "учитель"),
    ("PRESCHOOL_EDUCATOR", "воспитатель"),
    ("LECTURER", "преподаватель"),
    ("HEAD", "руководитель"),
    ("OTHER_PEDAGOGICAL", "другой педагогический работник"),
    ("SUPPORT_STAFF", "учебно-вспомогательный персонал"),
    ("OTHER", "другое"),
];

/// A profession.
pub fn profession(profession: Profession) -> &'static str {
    match profession {
        Profession::Teacher => "учитель",
        Profession::PreschoolEducator => "воспитатель",
        Profession::Lecturer => "преподаватель",
        Profession::Head => "руководитель",
        Profession::OtherPedagogical => "другой педагогический работник",
        Profession::SupportStaff => "учебно-вспомогательный персонал",
        Profession::Other => "другое",
    }
}

/// Card kinds, as the approval offers them.
pub const CARD_KINDS: &[(&str, &str)] = &[
    ("", "без билета"),
    ("VIRTUAL", "электронный билет"),
    ("PLASTIC", "пластиковый билет"),
];

/// A card kind.
pub fn card_kind(kind: CardKind) -> &'static str {
    match kind {
        CardKind::Virtual => "электронный",
        CardKind::Plastic => "пластиковый",
    }
}

/// Ways a membership ends, as the form offers them.
pub const END_REASONS: &[(&str, &str)] = &[
    ("VOLUNTARY_EXIT", "добровольный выход"),
    ("EXPULSION", "исключение"),
    ("LEFT_EDUCATION", "выход из системы образования"),
    ("DEATH", "смерть"),
];

/// Why a membership ended.
pub fn end_reason(reason: EndReason) -> &'static str {
    match reason {
        EndReason::VoluntaryExit => "добровольный выход",
        EndReason::Expulsion => "исключение",
        EndReason::LeftEducation => "выход из системы образования",
        EndReason::Death => "смерть",
    }
}

/// A statistics bucket's key (`FEMALE`, `AGE_UP_TO_35`, `SCHOOL`, …) in words.
pub fn bucket(key: &str) -> &str {
    let listed = GENDERS
        .iter()
        .chain(CATEGORIES)
        .chain(PROFESSIONS)
        .chain(END_REASONS)
        .find(|(value, _)| *value == key);
    if let Some((_, words)) = listed {
        return words;
    }
    match key {
        "AGE_UP_TO_35" => "до 35 лет",
        "AGE_36_TO_45" => "36–45 лет",
        "AGE_46_TO_55" => "46–55 лет",
        "AGE_56_TO_65" => "56–65 лет",
        "AGE_66_PLUS" => "66 лет и старше",
        "TENURE_UNDER_1" => "меньше года",
        "TENURE_1_TO_5" => "1–5 лет",
        "TENURE_5_TO_10" => "5–10 лет",
        "TENURE_10_TO_20" => "10–20 лет",
        "TENURE_20_PLUS" => "20 лет и больше",
        "PRESCHOOL" => "дошкольное",
        "SCHOOL" => "общее",
        "COLLEGE" => "профессиональное",
        "UNIVERSITY" => "высшее",
        "SUPPLEMENTARY" => "дополнительное",
        "GOVERNANCE" => "органы управления",
        other => other,
    }
}

/// A date as Russians write it.
pub fn date(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// A charter rule in words: what the charter says and why it refuses (the
/// sentences are `app`'s, one per rule for every door).
pub fn rule(rule: &RuleViolation) -> String {
    app::words::rule(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_speak_russian_and_name_their_number() {
        let text = rule(&RuleViolation::TooYoung { age: 12 });
        assert!(text.contains("14 лет") && text.contains("12"), "{text}");
        assert!(rule(&RuleViolation::ApplicationDecided).contains("правило 2"));
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2025, 3, 7).unwrap()),
            "07.03.2025"
        );
    }
}
