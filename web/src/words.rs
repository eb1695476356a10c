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

/// A charter rule in words: what the charter says and why it refuses.
pub fn rule(rule: &RuleViolation) -> String {
    use RuleViolation::*;
    match rule {
        ActiveElsewhere { .. } => {
            "Этот человек уже состоит в профсоюзе в другой организации: член профсоюза \
             состоит на учёте только в одной организации (правило 1)."
                .into()
        }
        HomeNotFound => "Такой организации нет в реестре (правило 2).".into(),
        HomeDissolved => "Организация ликвидирована и не принимает членов (правило 2).".into(),
        NotAHomeLevel { level: l } => format!(
            "На учёте состоят в первичной организации, подразделении или профгруппе, \
             а это {} (правило 2).",
            level(*l)
        ),
        TooYoung { age } => {
            format!("В профсоюз принимают с 14 лет, а в этот день исполнилось {age} (правило 2).")
        }
        NoConsent => {
            "Без согласия на обработку персональных данных заявление не принимается (правило 2)."
                .into()
        }
        ApplicationDecided => "По этому заявлению уже принято решение (правило 2).".into(),
        NotAMember => "Этот человек сейчас не состоит в профсоюзе (правило 3).".into(),
        SameHome => "Член профсоюза уже состоит в этой организации (правило 3).".into(),
        AlreadyErased => "Персональные данные этого человека удалены (правило 3).".into(),
        ExpulsionWithoutBasis => {
            "Для исключения нужно основание: какой орган решил и когда (правило 3).".into()
        }
        BeforeCurrentSpell {
            spell_start,
            effective_on,
        } => format!(
            "Дата {} раньше начала текущего членства ({}) (правило 4).",
            date(*effective_on),
            date(*spell_start)
        ),
        FutureDate { date: d, .. } => format!(
            "Дата {} ещё не наступила: действие задним числом можно, будущим нельзя (правило 4).",
            date(*d)
        ),
        BeforeCurrentPlacement {
            effective_on,
            since,
        } => format!(
            "Дата {} раньше, чем организация заняла своё место в структуре ({}) (правило 4).",
            date(*effective_on),
            date(*since)
        ),
        BeforeEstablishment {
            date: d,
            established_on,
        } => format!(
            "Дата {} раньше создания организации ({}) (правило 4).",
            date(*d),
            date(*established_on)
        ),
        BeforeCurrentPassport {
            effective_on,
            since,
        } => format!(
            "Дата паспорта {} раньше начала действующего паспорта организации ({}) (правило 4).",
            date(*effective_on),
            date(*since)
        ),
        SnilsTaken { .. } => {
            "Этот СНИЛС уже есть в реестре у другого человека: СНИЛС у каждого свой (правило 5)."
                .into()
        }
        IdentityMismatch => {
            "Этот СНИЛС принадлежит человеку с другими датой рождения, именем или полом: \
             проверьте СНИЛС или сначала исправьте данные (правило 5)."
                .into()
        }
        SnilsOutsideSubtree => {
            "Человек с этим СНИЛС состоит на учёте вне вашей части структуры: это может \
             сделать организация, в которую входят обе (правило 5)."
                .into()
        }
        CardNotActive => "Этот билет не действует (правило 6).".into(),
        CardNumberTaken => "Билет с таким номером уже выдавался (правило 6).".into(),
        ParentNotFound => "Вышестоящей организации нет в реестре (правило 6).".into(),
        ParentDissolved => "Вышестоящая организация ликвидирована (правило 6).".into(),
        ParentLevel { .. } => {
            "Организация этого уровня не может входить в выбранную (правило 6).".into()
        }
        MoveCreatesCycle => "Организацию нельзя перевести внутрь неё самой (правило 6).".into(),
        SameParent => "Организация уже входит в выбранную (правило 6).".into(),
        NotEmpty { active_members } => {
            format!("В организации ещё {active_members} членов профсоюза на учёте (правило 6).")
        }
        AlreadyDissolved => "Организация ликвидирована (правило 6).".into(),
        SecondCentral => "Центральная организация уже есть (правило 6).".into(),
        NotAPrimary => "Паспорт ведёт только первичная организация (правило 6).".into(),
        NotAnAdmin => "Роли выдаёт и отзывает только администратор (правило 7).".into(),
        OutsideSubtree => "Организация вне вашей части структуры (правило 7).".into(),
        AlreadyRevoked => "Роль уже отозвана (правило 7).".into(),
        RoleOverDissolved => "Нельзя выдать роль в ликвидированной организации (правило 7).".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_speak_russian_and_name_their_number() {
        let text = rule(&RuleViolation::TooYoung { age: 12 });
        assert!(text.contains("14 лет") && text.contains("12"), "{text}");
        assert!(rule(&RuleViolation::NoConsent).contains("правило 2"));
        assert_eq!(
            date(NaiveDate::from_ymd_opt(2025, 3, 7).unwrap()),
            "07.03.2025"
        );
    }
}
