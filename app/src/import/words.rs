//! The words the coded columns take, in Russian first, the API's codes too.

use domain::vocabulary::card::CardKind;
use domain::vocabulary::organization::{OrgLevel, Sector};
use domain::vocabulary::person::{EndReason, Gender, MemberCategory, Profession};

use crate::import::format::Words;

/// Levels of the tree.
pub const LEVELS: Words<OrgLevel> = Words {
    values: &[
        (
            OrgLevel::Central,
            &["центральная", "центральный совет", "профсоюз", "CENTRAL"],
        ),
        (
            OrgLevel::Regional,
            &["региональная", "межрегиональная", "REGIONAL"],
        ),
        (
            OrgLevel::Territorial,
            &["территориальная", "местная", "TERRITORIAL"],
        ),
        (OrgLevel::Primary, &["первичная", "ппо", "PRIMARY"]),
        (
            OrgLevel::Subdivision,
            &["подразделение", "структурное подразделение", "SUBDIVISION"],
        ),
        (OrgLevel::Group, &["профгруппа", "группа", "GROUP"]),
    ],
};

/// Types of educational organisation.
pub const SECTORS: Words<Sector> = Words {
    values: &[
        (Sector::Preschool, &["дошкольное", "PRESCHOOL"]),
        (Sector::School, &["общее", "школа", "SCHOOL"]),
        (Sector::College, &["профессиональное", "колледж", "COLLEGE"]),
        (Sector::University, &["высшее", "вуз", "UNIVERSITY"]),
        (Sector::Supplementary, &["дополнительное", "SUPPLEMENTARY"]),
        (Sector::Governance, &["органы управления", "GOVERNANCE"]),
        (Sector::Other, &["другое", "иное", "OTHER"]),
    ],
};

/// Genders.
pub const GENDERS: Words<Gender> = Words {
    values: &[
        (Gender::Female, &["ж", "женский", "жен", "FEMALE"]),
        (Gender::Male, &["м", "мужской", "муж", "MALE"]),
    ],
};

/// Categories of members.
pub const CATEGORIES: Words<MemberCategory> = Words {
    values: &[
        (
            MemberCategory::Worker,
            &["работник", "работающий", "WORKER"],
        ),
        (
            MemberCategory::Student,
            &["обучающийся", "студент", "STUDENT"],
        ),
        (
            MemberCategory::Pensioner,
            &["неработающий пенсионер", "пенсионер", "PENSIONER"],
        ),
        (MemberCategory::Unemployed, &["безработный", "UNEMPLOYED"]),
    ],
};

/// Professions of workers.
pub const PROFESSIONS: Words<Profession> = Words {
    values: &[
        (Profession::Teacher, &["учитель", "TEACHER"]),
        (
            Profession::PreschoolEducator,
            &["воспитатель", "PRESCHOOL_EDUCATOR"],
        ),
        (Profession::Lecturer, &["преподаватель", "LECTURER"]),
        (Profession::Head, &["руководитель", "HEAD"]),
        (
            Profession::OtherPedagogical,
            &["иной педагогический работник", "OTHER_PEDAGOGICAL"],
        ),
        (
            Profession::SupportStaff,
            &["учебно-вспомогательный персонал", "SUPPORT_STAFF"],
        ),
        (Profession::Other, &["другое", "иное", "OTHER"]),
    ],
};

/// How a spell ended: a transfer (the next spell begins that day elsewhere)
/// or an end of membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpellEnd {
    /// Transferred to the next spell's home.
    Transfer,
    /// Membership ended.
    Ended(EndReason),
}

/// Ways a spell ends.
pub const SPELL_ENDS: Words<SpellEnd> = Words {
    values: &[
        (SpellEnd::Transfer, &["перевод", "TRANSFER"]),
        (
            SpellEnd::Ended(EndReason::VoluntaryExit),
            &["добровольный выход", "выход", "VOLUNTARY_EXIT"],
        ),
        (
            SpellEnd::Ended(EndReason::Expulsion),
            &["исключение", "EXPULSION"],
        ),
        (
            SpellEnd::Ended(EndReason::LeftEducation),
            &["выход из системы образования", "LEFT_EDUCATION"],
        ),
        (SpellEnd::Ended(EndReason::Death), &["смерть", "DEATH"]),
    ],
};

/// Kinds of cards.
pub const CARD_KINDS: Words<CardKind> = Words {
    values: &[
        (CardKind::Plastic, &["пластиковый", "PLASTIC"]),
        (
            CardKind::Virtual,
            &["виртуальный", "электронный", "VIRTUAL"],
        ),
    ],
};

/// Yes and no.
pub const YES_NO: Words<bool> = Words {
    values: &[
        (true, &["да", "1", "true"]),
        (false, &["нет", "0", "false"]),
    ],
};
