//! What `app` refused, in Russian: beside the field at fault on a form, or as
//! a page of its own. Mapped once here, by variant, never by message text.

use app::{Error, Refusal};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use crate::layout;
use crate::visit::Visit;
use crate::words;

/// The message for a refusal, and the form field it belongs beside (in the
/// API's spelling, as the forms name their inputs), if any.
pub fn message(error: &Error) -> (Option<&'static str>, String) {
    match error {
        Error::Validation { field, .. } => {
            let field = field.map(|f| if f == "name" { "lastName" } else { f });
            (field, field_message(field.unwrap_or("")).to_string())
        }
        Error::Rule(rule) => {
            use domain::rules::RuleViolation::*;
            let field = match rule {
                TooYoung { .. } => Some("birthDate"),
                SnilsTaken { .. } | IdentityMismatch | SnilsOutsideSubtree => Some("snils"),
                ExpulsionWithoutBasis => Some("basis"),
                FutureDate { .. } | BeforeCurrentSpell { .. } => Some("effectiveOn"),
                _ => None,
            };
            (field, words::rule(rule))
        }
        Error::NotFound { what } => (None, not_found_message(what)),
        Error::Conflict(_) => (
            None,
            "Пока вы заполняли форму, эти данные изменил кто-то другой. Проверьте их и \
             отправьте форму ещё раз."
                .into(),
        ),
        Error::Unauthenticated => (None, "Войдите, чтобы продолжить.".into()),
        Error::Unavailable(_) => (
            None,
            "Реестр сейчас не может сохранить изменения: ничего не записано. Попробуйте \
             позже."
                .into(),
        ),
        Error::Forbidden(refusal) => (None, forbidden_message(refusal)),
        Error::RateLimited => (
            None,
            "Слишком много запросов подряд с вашего адреса или от вашей учётной записи. \
             Подождите несколько минут и попробуйте ещё раз."
                .into(),
        ),
        Error::Internal(_) => (
            None,
            "Что-то сломалось у нас. Ничего не сохранено; попробуйте ещё раз чуть позже.".into(),
        ),
    }
}

fn field_message(field: &str) -> &'static str {
    match field {
        "lastName" => "Укажите фамилию (не длиннее 200 знаков).",
        "firstName" => "Укажите имя (не длиннее 200 знаков).",
        "patronymic" => "Отчество — не длиннее 200 знаков.",
        "birthDate" => "Укажите дату рождения: день, месяц и год.",
        "snils" => "СНИЛС не сходится: в нём 11 цифр, последние две — контрольное число.",
        "email" => "Адрес почты пишется так: имя@почта.ru.",
        "phone" => "Телефон — не длиннее 200 знаков.",
        "position" => "Должность — не длиннее 200 знаков.",
        "gender" => "Выберите пол.",
        "category" => "Выберите, кем вы являетесь.",
        "profession" => "Выберите профессию из списка.",
        "reason" => "Укажите причину (не длиннее 2000 знаков).",
        "basis" => "Укажите основание: какой орган решил и когда.",
        "number" => "Номер не распознан: проверьте, что он переписан целиком.",
        "secret" => "Код не распознан: в нём 20 знаков, цифры и буквы A–F.",
        "effectiveOn" | "decidedOn" => "Укажите дату: день, месяц и год.",
        "asOf" | "from" | "to" => {
            "Дата не распознана или организации в тот день не было: \
                                   укажите день, месяц и год."
        }
        "knownAt" => "Позиция журнала — целое неотрицательное число.",
        "employees" | "students" => "Численность — целое неотрицательное число.",
        "chairName" => "Имя председателя — не длиннее 200 знаков.",
        "address" => "Адрес — не длиннее 2000 знаков.",
        "orgId" | "toOrgId" | "id" | "parentId" => "Выберите организацию из списка.",
        "after" => "Эта страница списка устарела: начните список сначала.",
        "token" => "Ключ доступа не подошёл. Проверьте, что он вставлен целиком.",
        "title" => "Укажите название (не длиннее 500 знаков).",
        "issuer" => "Укажите, кем издан документ (не длиннее 300 знаков).",
        "issuedOn" => "Укажите дату документа: день, месяц и год, не позже сегодняшнего.",
        "fileName" => "У файла должно быть имя (не длиннее 255 знаков).",
        "content" => {
            "Файл не подходит: библиотека принимает PDF, DOCX, ODT и простой текст до 10 МБ. \
             Вид файла определяется по содержимому и должен совпадать с расширением в имени \
             (.pdf, .docx, .odt, .txt); новая редакция должна отличаться от действующей."
        }
        "documentId" => "Документ отозван: его уже нельзя изменить.",
        "audienceOrgId" => "Выберите, для какой организации документ.",
        "topic" => "Укажите тему вопроса (не длиннее 200 знаков).",
        "text" => "Напишите текст (не длиннее 10 000 знаков).",
        "question" => {
            "Напишите вопрос для публикации (не длиннее 10 000 знаков), без имени автора."
        }
        "answer" => "Напишите ответ для публикации (не длиннее 10 000 знаков).",
        "service" => {
            "Над вашей организацией нет региональной организации, которой можно задать вопрос."
        }
        "consultationId" => {
            "С вопросом этого уже не сделать: закрытый вопрос не принимает ответов, \
             а опубликовать можно только отвеченный вопрос, и только один раз."
        }
        "consent" => "Без согласия на обработку персональных данных заявление не принимается.",
        _ => "Проверьте это поле.",
    }
}

fn not_found_message(what: &str) -> String {
    match what {
        "organisation" => "Такой организации нет в реестре.".into(),
        "application" => "Заявление не найдено: проверьте номер и код.".into(),
        "member" | "person" => "Такого члена профсоюза нет в реестре.".into(),
        "card" => "Такого членского билета нет.".into(),
        "document" | "version" | "file" => "Такого документа нет в библиотеке.".into(),
        "consultation" => "Такого вопроса нет.".into(),
        "attachment" => "К вопросу не приложен файл.".into(),
        _ => "Не найдено.".into(),
    }
}

fn forbidden_message(refusal: &Refusal) -> String {
    match refusal {
        Refusal::Role { role, .. } => format!("Это недоступно для роли «{}».", words::role(*role)),
        Refusal::OutsideSubtree { .. } => {
            "Это вне вашей части структуры профсоюза: ваша роль действует только в своей \
             организации и ниже."
                .into()
        }
        Refusal::PersonalData => "Персональные данные этой роли не показываются.".into(),
        Refusal::RootOnly(_) => "Это может только центральная организация.".into(),
        Refusal::Member => "В личном кабинете видны только ваши собственные сведения.".into(),
        Refusal::NotAMember => "Это делается только в личном кабинете члена профсоюза.".into(),
    }
}

fn status(error: &Error) -> StatusCode {
    match error {
        Error::Validation { .. } | Error::Rule(_) => StatusCode::UNPROCESSABLE_ENTITY,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::RateLimited => StatusCode::TOO_MANY_REQUESTS,
        Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A page saying what went wrong; without a session, the sign-in page.
pub fn page(visit: &Visit, web: &crate::Web, error: &Error) -> Response {
    if matches!(error, Error::Unauthenticated) {
        return Redirect::to("/signin").into_response();
    }
    if let Error::Internal(detail) = error {
        tracing::error!(%detail, "a page failed");
    }
    let (_, text) = message(error);
    let body = html! {
        div.notice.bad role="alert" { (text) }
        p { a href="/" { "На главную" } }
    };
    (
        status(error),
        layout::page(visit, web, "Не получилось", body),
    )
        .into_response()
}

/// A failure before any page could be drawn (the session's token could not
/// be checked).
pub fn internal(error: &Error) -> Response {
    tracing::error!(%error, "authenticating a session failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "Что-то сломалось у нас. Попробуйте ещё раз чуть позже.",
    )
        .into_response()
}

/// Any address the pages do not have.
pub async fn not_found(visit: Visit, state: axum::extract::State<crate::Web>) -> Response {
    let body = html! {
        h1 { "Такой страницы нет" }
        p { "Проверьте адрес или начните " a href="/" { "с главной страницы" } "." }
    };
    (
        StatusCode::NOT_FOUND,
        layout::page(&visit, &state, "Страница не найдена", body),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_land_beside_their_field_in_russian() {
        let (field, text) = message(&Error::invalid("snils", "x"));
        assert_eq!(field, Some("snils"));
        assert!(text.contains("СНИЛС"));
        let (field, text) = message(&Error::from(domain::error::DomainError::from(
            domain::error::InvalidInput::NoConsent,
        )));
        assert_eq!(field, Some("consent"));
        assert!(text.contains("согласия"));
        let (_, text) = message(&Error::internal("disk I/O error at /var/lib/x"));
        assert!(!text.contains("/var"), "no detail leaks: {text}");
    }
}
