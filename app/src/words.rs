//! The charter's refusals in Russian, one sentence per rule for every door:
//! the pages (`web/src/words.rs` says them through [`rule`]) and the command
//! line's reports (an import's bad rows).

use chrono::NaiveDate;
use domain::error::{DomainError, InvalidInput};
use domain::rules::RuleViolation;

/// A date as Russians write it.
pub fn day(date: NaiveDate) -> String {
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
            crate::import::words::LEVELS.word(*l)
        ),
        TooYoung { age } => {
            format!("В профсоюз принимают с 14 лет, а в этот день исполнилось {age} (правило 2).")
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
            day(*effective_on),
            day(*spell_start)
        ),
        FutureDate { date: d, .. } => format!(
            "Дата {} ещё не наступила: действие задним числом можно, будущим нельзя (правило 4).",
            day(*d)
        ),
        BeforeCurrentPlacement {
            effective_on,
            since,
        } => format!(
            "Дата {} раньше, чем организация заняла своё место в структуре ({}) (правило 4).",
            day(*effective_on),
            day(*since)
        ),
        BeforeEstablishment {
            date: d,
            established_on,
        } => format!(
            "Дата {} раньше создания организации ({}) (правило 4).",
            day(*d),
            day(*established_on)
        ),
        BeforeCurrentPassport {
            effective_on,
            since,
        } => format!(
            "Дата паспорта {} раньше начала действующего паспорта организации ({}) (правило 4).",
            day(*effective_on),
            day(*since)
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
        MeetingConvened => "Это собрание уже созвано (правило 6).".into(),
        MeetingOfDissolved => {
            "Ликвидированная организация не проводит собраний (правило 6).".into()
        }
        MeetingNotConvened => "Такое собрание не созывалось (правило 6).".into(),
        UnknownCard => "Билета с таким номером нет (правило 6).".into(),
        OutsideMeeting => {
            "Член профсоюза состоит на учёте не в организации, которая проводит собрание \
             (правило 6)."
                .into()
        }
        AlreadyPresent => "Этот член профсоюза уже отмечен на собрании (правило 6).".into(),
    }
}

/// A refusal of malformed input, or of something missing or there already, in words.
pub fn refusal(error: &DomainError) -> String {
    match error {
        DomainError::Rule(violation) => rule(violation),
        DomainError::Validation(invalid) => match invalid {
            InvalidInput::EmptyName => "Имя или наименование не может быть пустым.".into(),
            InvalidInput::EmptyReason => "Нужна причина.".into(),
            InvalidInput::EmptyBasis => "Нужно основание.".into(),
            InvalidInput::EmptyHolder => "Нужно указать, кому выдаётся роль.".into(),
            InvalidInput::TokenHash => "Хеш токена: 64 шестнадцатеричные цифры.".into(),
            InvalidInput::RegionCode { .. } => {
                "Код региона (1–99) указывается у региональной организации, и только у неё.".into()
            }
            InvalidInput::TerritorialRightsNotPrimary => {
                "Права территориальной бывают только у первичной организации.".into()
            }
            InvalidInput::MissingParent => {
                "Нужна вышестоящая организация: без неё бывает только центральная.".into()
            }
            InvalidInput::NothingToChange => "Изменений нет.".into(),
            InvalidInput::BirthYearMismatch => "Год рождения не совпадает с датой рождения.".into(),
            InvalidInput::DecidedBeforeSubmission => {
                "Решение датировано раньше подачи заявления.".into()
            }
            InvalidInput::NoConsent => {
                "Без согласия на обработку персональных данных заявление не принимается.".into()
            }
        },
        DomainError::NotFound { what } => format!("Не найдено: {what}."),
        DomainError::AlreadyExists { what } => format!("Уже есть: {what}."),
    }
}
