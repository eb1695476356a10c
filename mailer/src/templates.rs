//! The notifications' texts, in Russian: subject and Markdown body per kind.

use app::mailing::digest::Digest;
use app::mailing::notices::NoticeFacts;
use domain::mailing::notify::NotificationKind;

use crate::render::Content;

/// The message of a notification of `kind` with `facts`.
pub fn notice(kind: NotificationKind, facts: &NoticeFacts) -> Content {
    let org = facts
        .organization
        .as_deref()
        .unwrap_or("профсоюзная организация");
    let number = facts.application.as_deref().unwrap_or("—");
    let on = facts
        .on
        .map(|d| d.format("%d.%m.%Y").to_string())
        .unwrap_or_default();
    let (subject, body) = match kind {
        NotificationKind::ApplicationReceived => (
            "Заявление о вступлении в профсоюз принято".to_string(),
            format!(
                "Здравствуйте!\n\nВаше заявление о вступлении в профсоюз ({org}) от {on} принято \
                 и передано председателю первичной организации.\n\nНомер заявления: `{number}`. \
                 Узнать, что с ним, можно на странице «Что с моим заявлением» по номеру и коду из квитанции."
            ),
        ),
        NotificationKind::NewApplication => (
            "Новое заявление о вступлении в профсоюз".to_string(),
            format!(
                "Здравствуйте!\n\nВ {org} поступило новое заявление о вступлении в профсоюз ({on}).\n\n\
                 Рассмотрите его на странице «Заявления» рабочего места председателя."
            ),
        ),
        NotificationKind::ApplicationApproved => (
            "Вы приняты в профсоюз".to_string(),
            format!(
                "Здравствуйте!\n\nВаше заявление № `{number}` одобрено: с {on} вы член профсоюза \
                 ({org}). Добро пожаловать!"
            ),
        ),
        NotificationKind::ApplicationRejected => (
            "Заявление о вступлении в профсоюз отклонено".to_string(),
            format!(
                "Здравствуйте!\n\nВаше заявление № `{number}` отклонено {on}.\n\nПричина: {}",
                facts.reason.as_deref().unwrap_or("не указана")
            ),
        ),
        NotificationKind::CardIssued => (
            "Вам выдан профсоюзный билет".to_string(),
            format!(
                "Здравствуйте!\n\n{on} вам выдан профсоюзный билет № {} ({org}).",
                facts.card.map(|c| c.to_string()).unwrap_or_default()
            ),
        ),
        // Digests are written by [`digest`]; a notice never has this kind.
        NotificationKind::NewApplicationsDigest => (
            "Новые заявления о вступлении в профсоюз".to_string(),
            format!("Здравствуйте!\n\nВ {org} поступили новые заявления о вступлении в профсоюз."),
        ),
        NotificationKind::CabinetCode => (
            "Код входа в личный кабинет".to_string(),
            format!(
                "Здравствуйте!\n\nКод входа в личный кабинет члена профсоюза: **{}**\n\n\
                 Код действует несколько минут и только один раз. Если вы не просили код, \
                 просто не обращайте внимания на это письмо: без кода в кабинет не войти.",
                facts.code.as_deref().unwrap_or("—")
            ),
        ),
        NotificationKind::ConsultationAnswered => (
            "Ответ на ваш вопрос".to_string(),
            format!(
                "Здравствуйте!\n\nНа ваш вопрос «{}» ({org}) дан ответ {on}.\n\n{}\n\n\
                 Вся переписка по вопросу — в личном кабинете, раздел «Консультации».",
                facts.topic.as_deref().unwrap_or("—"),
                facts.answer.as_deref().unwrap_or("")
            ),
        ),
    };
    Content::render(&subject, &body)
}

/// The day's digest of new applications, for the organisation's chair.
pub fn digest(digest: &Digest) -> Content {
    let day = digest.day.format("%d.%m.%Y");
    let count = digest.applications.len();
    let list: String = digest
        .applications
        .iter()
        .map(|a| format!("- заявление № `{}`\n", a.0))
        .collect();
    let body = format!(
        "Здравствуйте!\n\nЗа {day} в {} поступило новых заявлений о вступлении в профсоюз: \
         {count}.\n\n{list}\nРассмотрите их на странице «Заявления» рабочего места председателя.",
        digest.org_name
    );
    Content::render(
        &format!("Новые заявления о вступлении в профсоюз за {day}: {count}"),
        &body,
    )
}
