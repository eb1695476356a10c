//! The application form, its checks beside each field, and the receipt.
//!
//! The form keeps everything typed on an error: each field is drawn again
//! from what was sent. It carries the receipt's secret from the moment it is
//! drawn, so sending it twice (a double click, a reload after a slow answer)
//! submits one application and shows the same receipt.

use std::collections::HashMap;

use app::applications::SubmitApplication;
use app::joining::{JoinableOrganization, ReceiptSecret};
use app::{Error, input};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use crate::form::{Fields, choice};
use crate::join::choose::crumbs;
use crate::visit::Visit;
use crate::{Web, csrf, fail, layout, words};

/// Where each message goes: a field's name, or `""` for the form as a whole.
type Messages = HashMap<&'static str, String>;

/// The blank form for `org`.
pub fn blank(
    visit: &Visit,
    web: &Web,
    org: &JoinableOrganization,
    path: &[JoinableOrganization],
) -> Response {
    let mut fields = Fields::default();
    let secret = ReceiptSecret::new().to_string();
    fields = fields.with("receipt", &secret);
    form_page(visit, web, org, path, &fields, &Messages::new()).into_response()
}

/// `POST /join/org/{id}`: submits, or draws the form again with what was
/// typed and the messages beside the fields.
pub async fn submit(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let (org, path) = match web.app.joinable_organization(&id) {
        Ok(found) => found,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    let Some(mut fields) = Fields::parse(&body) else {
        let error = Error::invalid("form", "the form could not be read");
        return fail::page(&visit, &web, &error);
    };
    let mut messages = Messages::new();
    let secret = match ReceiptSecret::parse(fields.text("receipt"), "receipt") {
        Ok(secret) => secret,
        Err(_) => {
            let fresh = ReceiptSecret::new();
            fields = fields.with("receipt", &fresh.to_string());
            fresh
        }
    };
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        messages.insert(
            "",
            "Форма устарела. Всё, что вы ввели, сохранено: проверьте и отправьте её ещё раз."
                .into(),
        );
        return refused(&visit, &web, &org, &path, &fields, &messages);
    }
    let application = match read(&org, &fields, &mut messages) {
        Some(application) if messages.is_empty() => application,
        _ => return refused(&visit, &web, &org, &path, &fields, &messages),
    };
    match web
        .app
        .submit_application_with_receipt(visit.client, application, &secret)
        .await
    {
        Ok(submitted) => receipt(
            &visit,
            &web,
            &org,
            &submitted.view.application_id.to_string(),
            &secret,
        ),
        Err(error) => {
            let (field, text) = fail::message(&error);
            if let Error::Internal(detail) = &error {
                tracing::error!(%detail, "submitting an application failed");
            }
            messages.insert(field.unwrap_or(""), text);
            refused(&visit, &web, &org, &path, &fields, &messages)
        }
    }
}

/// The form's fields as the application layer takes them; what cannot even
/// be read (a required field left blank, a choice not on the list) is noted
/// beside its field, and `app` checks the rest.
fn read(
    org: &JoinableOrganization,
    fields: &Fields,
    messages: &mut Messages,
) -> Option<SubmitApplication> {
    let mut required = |name: &'static str, text: &str| {
        if fields.text(name).trim().is_empty() {
            messages.insert(name, text.to_string());
        }
    };
    required("lastName", "Укажите фамилию.");
    required("firstName", "Укажите имя.");
    let gender = choice(fields.text("gender"));
    if gender.is_none() {
        messages.insert("gender", "Выберите пол.".into());
    }
    let category = choice(fields.text("category"));
    if category.is_none() {
        messages.insert("category", "Выберите, кем вы являетесь.".into());
    }
    let profession = match fields.optional("profession") {
        None => None,
        Some(text) => {
            let profession = choice(&text);
            if profession.is_none() {
                messages.insert("profession", "Выберите профессию из списка.".into());
            }
            profession
        }
    };
    let birth_date = match input::date(fields.text("birthDate").trim()) {
        Ok(date) => Some(date),
        Err(_) => {
            messages.insert(
                "birthDate",
                "Укажите дату рождения: день, месяц и год.".into(),
            );
            None
        }
    };
    if !fields.checked("consent") {
        messages.insert(
            "consent",
            "Без согласия на обработку персональных данных заявление не принимается.".into(),
        );
    }
    Some(SubmitApplication {
        org_id: org.org_id.to_string(),
        last_name: fields.text("lastName").to_string(),
        first_name: fields.text("firstName").to_string(),
        patronymic: fields.optional("patronymic"),
        gender: gender?,
        birth_date: birth_date?,
        snils: fields.optional("snils"),
        email: fields.optional("email"),
        phone: fields.optional("phone"),
        category: category?,
        profession,
        position: fields.optional("position"),
        consent: fields.checked("consent"),
    })
}

fn refused(
    visit: &Visit,
    web: &Web,
    org: &JoinableOrganization,
    path: &[JoinableOrganization],
    fields: &Fields,
    messages: &Messages,
) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        form_page(visit, web, org, path, fields, messages),
    )
        .into_response()
}

fn form_page(
    visit: &Visit,
    web: &Web,
    org: &JoinableOrganization,
    path: &[JoinableOrganization],
    fields: &Fields,
    messages: &Messages,
) -> Markup {
    let text = |name: &'static str,
                label: &str,
                kind: &str,
                autocomplete: &str,
                hint: Option<&str>| {
        html! {
            div {
                label for=(name) { (label) }
                input id=(name) name=(name) type=(kind) value=(fields.text(name))
                    autocomplete=(autocomplete)
                    aria-invalid=[messages.contains_key(name).then_some("true")]
                    aria-describedby=[messages.contains_key(name).then(|| format!("{name}-error"))];
                @if let Some(hint) = hint { div.hint { (hint) } }
                (message(messages, name))
            }
        }
    };
    let select = |name: &'static str, label: &str, options: &[(&str, &str)], blank: &str| {
        html! {
            div {
                label for=(name) { (label) }
                select id=(name) name=(name)
                    aria-invalid=[messages.contains_key(name).then_some("true")] {
                    option value="" { (blank) }
                    @for (value, words) in options {
                        option value=(value) selected[fields.text(name) == *value] { (words) }
                    }
                }
                (message(messages, name))
            }
        }
    };
    let body = html! {
        (crumbs(path))
        h1 { "Заявление о вступлении в профсоюз" }
        p.muted { "В организацию: " strong #org-name { (org.name) } }
        @if let Some(general) = messages.get("") {
            div.notice.bad #form-error role="alert" { (general) }
        } @else if !messages.is_empty() {
            div.notice.bad #form-error role="alert" { "Исправьте отмеченные поля — всё остальное сохранено." }
        }
        form.panel method="post" action={ "/join/org/" (org.org_id) } novalidate {
            (layout::csrf_field(visit))
            input type="hidden" name="receipt" value=(fields.text("receipt"));
            div.row {
                (text("lastName", "Фамилия", "text", "family-name", None))
                (text("firstName", "Имя", "text", "given-name", None))
                (text("patronymic", "Отчество (если есть)", "text", "additional-name", None))
            }
            div.row {
                (text("birthDate", "Дата рождения", "date", "bday", Some("В профсоюз принимают с 14 лет.")))
                (select("gender", "Пол", words::GENDERS, "— выберите —"))
            }
            div.row {
                (select("category", "Кем вы являетесь", words::CATEGORIES, "— выберите —"))
                (select("profession", "Профессия (для работников)", words::PROFESSIONS, "— не указана —"))
            }
            (text("position", "Должность (если работаете)", "text", "organization-title", None))
            div.row {
                (text("snils", "СНИЛС (если есть)", "text", "off", Some("11 цифр, например 112-233-445 95.")))
                (text("email", "Электронная почта", "email", "email", None))
                (text("phone", "Телефон", "tel", "tel", None))
            }
            label.check for="consent" {
                input #consent type="checkbox" name="consent" value="yes"
                    checked[fields.checked("consent")]
                    aria-invalid=[messages.contains_key("consent").then_some("true")];
                span { "Я согласен(на) на обработку моих персональных данных Профсоюзом для учёта "
                    "членства (Федеральный закон № 152-ФЗ)." }
            }
            (message(messages, "consent"))
            div.actions { button type="submit" #submit { "Отправить заявление" } }
        }
    };
    layout::page(visit, web, "Заявление о вступлении", body)
}

fn message(messages: &Messages, name: &'static str) -> Markup {
    html! {
        @if let Some(text) = messages.get(name) {
            div.field-error id={ (name) "-error" } { (text) }
        }
    }
}

fn receipt(
    visit: &Visit,
    web: &Web,
    org: &JoinableOrganization,
    number: &str,
    secret: &ReceiptSecret,
) -> Response {
    let body = html! {
        div.panel.narrow.receipt {
            h1 { "Заявление принято" }
            p { "Заявление в организацию «" (org.name) "» ждёт решения председателя." }
            p { "Номер заявления:" br; code #receipt-number { (number) } }
            p { "Код для проверки:" br; code #receipt-secret { (secret) } }
            p.muted { "Сохраните номер и код — распечатайте или сфотографируйте эту страницу. "
                "Код показывается только сейчас; по нему и номеру можно узнать, что с заявлением." }
            div.actions {
                button type="button" data-print { "Распечатать" }
                a href="/join/status" { "Проверить заявление" }
            }
        }
    };
    layout::page(visit, web, "Заявление принято", body).into_response()
}
