//! One line in plain Russian for each event: "Принята в ППО школы № 17",
//! "Переведён из X в Y", "Исключён: <основание>", "Выдан билет № …".
//!
//! Organisations are named as they were at the event (the caller's `name_at`),
//! verbs agree with the person's gender (masculine when it is not known).

use domain::consultation::Service;
use domain::event::{
    AccessEvent, ApplicationEvent, AuditEvent, CardEvent, ConsultationEvent, DocumentEvent, Event,
    MailingEvent, MeetingEvent, OrganizationEvent, PersonEvent,
};
use domain::ids::OrgId;
use domain::vocabulary::card::{CardBlockReason, CardKind};
use domain::vocabulary::person::{EndReason, Gender};

/// What a summary needs besides the event.
pub struct SummaryContext<'a> {
    /// The name of an organisation just before the event's position (for a
    /// renaming: the old name); `None` when unknown.
    pub name_before: &'a dyn Fn(OrgId) -> Option<String>,
    /// The person's gender, when the event is about a person and it is known.
    pub gender: Option<Gender>,
}

/// The organisation an event concerns, for `HistoryEntry.organization`.
pub fn organization_of(event: &Event) -> Option<OrgId> {
    match event {
        Event::Organization(e) => Some(e.org_id()),
        Event::Person(PersonEvent::Admitted { home_org, .. })
        | Event::Person(PersonEvent::MembershipEnded { home_org, .. }) => Some(*home_org),
        Event::Person(PersonEvent::Transferred { to_org, .. }) => Some(*to_org),
        Event::Application(ApplicationEvent::Submitted { org_id, .. }) => Some(*org_id),
        _ => None,
    }
}

/// The event in one line of plain words.
pub fn summarize(event: &Event, context: &SummaryContext<'_>) -> String {
    let name = |org: OrgId| {
        (context.name_before)(org).unwrap_or_else(|| "организацию без названия".to_string())
    };
    match event {
        Event::Person(e) => person_line(e, context.gender, &name),
        Event::Organization(e) => match e {
            OrganizationEvent::Registered { name, .. } => {
                format!("Зарегистрирована организация «{name}»")
            }
            OrganizationEvent::Renamed {
                org_id,
                name: new_name,
                ..
            } => format!("Переименована: «{}» → «{new_name}»", name(*org_id)),
            OrganizationEvent::Moved {
                from_parent,
                to_parent,
                ..
            } => format!(
                "Перемещена из {} в {}",
                name(*from_parent),
                name(*to_parent)
            ),
            OrganizationEvent::PassportUpdated { .. } => "Обновлён паспорт организации".into(),
            OrganizationEvent::Dissolved { .. } => "Организация ликвидирована".into(),
        },
        Event::Application(e) => match e {
            ApplicationEvent::Submitted { org_id, .. } => {
                format!("Подано заявление о вступлении в {}", name(*org_id))
            }
            ApplicationEvent::Approved { .. } => "Заявление одобрено".into(),
            ApplicationEvent::Rejected { reason, .. } => {
                format!("Заявление отклонено: {reason}")
            }
        },
        Event::Card(CardEvent::NumberReserved { number, .. }) => {
            format!("Номер билета {number} закреплён")
        }
        Event::Access(AccessEvent::RoleGranted { holder, .. }) => {
            format!("Предоставлены права: {holder}")
        }
        Event::Access(AccessEvent::RoleRevoked { .. }) => "Права отозваны".into(),
        Event::Audit(AuditEvent::PersonalDataRead { reads }) => {
            format!("Просмотр персональных данных: {}", reads.len())
        }
        Event::Meeting(MeetingEvent::Convened { org_id, title, .. }) => {
            format!("{} созывает: «{title}»", name(*org_id))
        }
        Event::Meeting(MeetingEvent::AttendanceRecorded { number, .. }) => {
            format!("Присутствие на собрании отмечено по билету {number}")
        }
        Event::Mailing(e) => mailing_line(e),
        Event::Library(e) => library_line(e),
        Event::Consultation(e) => consultation_line(e),
    }
}

fn person_line(
    event: &PersonEvent,
    gender: Option<Gender>,
    name: &dyn Fn(OrgId) -> String,
) -> String {
    let she = gender == Some(Gender::Female);
    let verb = |masculine: &str, feminine: &str| {
        if she {
            feminine.to_string()
        } else {
            masculine.to_string()
        }
    };
    match event {
        PersonEvent::Admitted {
            home_org,
            application_id,
            ..
        } => {
            let by_application = if application_id.is_some() {
                " по электронному заявлению"
            } else {
                ""
            };
            format!(
                "{} в {}{by_application}",
                verb("Принят", "Принята"),
                name(*home_org)
            )
        }
        PersonEvent::Transferred {
            from_org, to_org, ..
        } => format!(
            "{} из {} в {}",
            verb("Переведён", "Переведена"),
            name(*from_org),
            name(*to_org)
        ),
        PersonEvent::ProfileUpdated {
            profile, personal, ..
        } => {
            let mut fields = Vec::new();
            for (changed, field) in [
                (profile.category.is_some(), "категория"),
                (profile.profession.is_some(), "профессия"),
                (profile.position.is_some(), "должность"),
            ] {
                if changed {
                    fields.push(field);
                }
            }
            if let Some(p) = personal {
                for (changed, field) in [
                    (p.last_name.is_some(), "фамилия"),
                    (p.first_name.is_some(), "имя"),
                    (p.patronymic.is_some(), "отчество"),
                    (p.snils.is_some(), "СНИЛС"),
                    (p.email.is_some(), "электронная почта"),
                    (p.phone.is_some(), "телефон"),
                ] {
                    if changed {
                        fields.push(field);
                    }
                }
            }
            if fields.is_empty() {
                "Изменены сведения о члене профсоюза".into()
            } else {
                format!("Изменены сведения: {}", fields.join(", "))
            }
        }
        PersonEvent::MembershipEnded { reason, basis, .. } => match reason {
            EndReason::VoluntaryExit => {
                format!("{} по собственному желанию", verb("Выбыл", "Выбыла"))
            }
            EndReason::Expulsion => match basis {
                Some(basis) => format!("{}: {basis}", verb("Исключён", "Исключена")),
                None => format!("{} из профсоюза", verb("Исключён", "Исключена")),
            },
            EndReason::LeftEducation => format!(
                "{} в связи с уходом из сферы образования",
                verb("Выбыл", "Выбыла")
            ),
            EndReason::Death => format!("{} в связи со смертью", verb("Выбыл", "Выбыла")),
        },
        PersonEvent::PersonalDataErased { .. } => "Персональные данные удалены".into(),
        PersonEvent::CardIssued { number, kind, .. } => match kind {
            CardKind::Plastic => format!("Выдан билет № {number}"),
            CardKind::Virtual => format!("Выдан электронный билет № {number}"),
        },
        PersonEvent::CardBlocked { number, reason, .. } => {
            let why = match reason {
                CardBlockReason::Replaced => "выдан новый билет",
                CardBlockReason::MembershipEnded => "членство прекращено",
                CardBlockReason::Requested(words) => words,
            };
            format!("Билет № {number} заблокирован: {why}")
        }
    }
}

fn library_line(event: &DocumentEvent) -> String {
    match event {
        DocumentEvent::Uploaded { title, .. } => {
            format!("В библиотеку загружен документ «{title}»")
        }
        DocumentEvent::Revised { version, .. } => {
            format!("Загружена редакция {version} документа библиотеки")
        }
        DocumentEvent::Withdrawn { reason, .. } => {
            format!("Документ библиотеки отозван: {reason}")
        }
    }
}

/// A question's line: never its topic or text (the asker's personal data).
fn consultation_line(event: &ConsultationEvent) -> String {
    match event {
        ConsultationEvent::Asked { service, .. } => match service {
            Service::Legal => "Задан вопрос правовой службе".into(),
            Service::Methodological => "Задан вопрос методической службе".into(),
        },
        ConsultationEvent::Answered { message, .. } => format!("Дан ответ на вопрос ({message})"),
        ConsultationEvent::Closed { .. } => "Вопрос закрыт".into(),
        ConsultationEvent::Published { .. } => "Вопрос с ответом опубликован в библиотеке".into(),
    }
}

fn mailing_line(event: &MailingEvent) -> String {
    match event {
        MailingEvent::Scheduled { subject, .. } => format!("Запланирована рассылка «{subject}»"),
        MailingEvent::Cancelled { .. } => "Рассылка отменена".into(),
        MailingEvent::RecipientsListed { recipients, .. } => {
            format!(
                "Составлен список получателей рассылки: {}",
                recipients.len()
            )
        }
        MailingEvent::Delivered { .. } => "Письмо рассылки доставлено".into(),
        MailingEvent::Failed { reason, .. } => format!("Письмо рассылки не доставлено: {reason}"),
        MailingEvent::Skipped { .. } => "Письмо рассылки не отправлялось".into(),
        MailingEvent::Unsubscribed { .. } => "Отказ от рассылок".into(),
        MailingEvent::NotificationsStarted { .. } => "Начата отправка уведомлений".into(),
        MailingEvent::NotificationRecorded { .. } => "Уведомление отправлено".into(),
        MailingEvent::Resubscribed { .. } => "Рассылки снова включены".into(),
        MailingEvent::CabinetCodeIssued { .. } => "Отправлен код входа в личный кабинет".into(),
        MailingEvent::CabinetCodeRefused { .. } => "Неверный код входа в личный кабинет".into(),
        MailingEvent::CabinetSignedIn { .. } => "Вход в личный кабинет".into(),
        MailingEvent::ErasureRequested { .. } => {
            "Член профсоюза просит удалить его персональные данные".into()
        }
        MailingEvent::DigestChosen { daily: true, .. } => {
            "Новые заявления председателю: одним письмом в день".into()
        }
        MailingEvent::DigestChosen { daily: false, .. } => {
            "Новые заявления председателю: каждое сразу".into()
        }
        MailingEvent::DigestRecorded { applications, .. } => format!(
            "Отправлена сводка новых заявлений за день: {}",
            applications.len()
        ),
        MailingEvent::ErasureDeclined { reason, .. } => {
            format!("В удалении персональных данных отказано: {reason}")
        }
    }
}
