//! A primary organisation's passport on its desk: the mandatory fields for
//! electronic admission checked (`app::joining::admission_readiness`), and
//! the form that updates it.

use app::joining::admission_readiness;
use app::organizations::{PassportForm, UpdatePassport};
use app::views::OrganizationView;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::desk::decide::{Refused, desk_again};
use crate::form::{Fields, choice};
use crate::visit::Visit;
use crate::{Web, csrf, layout, words};

/// Sectors, as the form offers them.
const SECTORS: &[&str] = &[
    "PRESCHOOL",
    "SCHOOL",
    "COLLEGE",
    "UNIVERSITY",
    "SUPPLEMENTARY",
    "GOVERNANCE",
    "OTHER",
];

fn requirement(key: &str) -> &'static str {
    match key {
        "sector" => "тип организации",
        "headcount" => "численность работников или обучающихся",
        "chairName" => "председатель",
        _ => "телефон или почта для связи",
    }
}

/// The passport panel of `org`, its form showing `fields` (or the passport).
pub fn panel(
    visit: &Visit,
    org: &OrganizationView,
    fields: Option<&Fields>,
    refused: Option<&Refused>,
) -> Markup {
    let passport = org.passport.as_ref().map(|(p, _)| p);
    let readiness = admission_readiness(passport);
    let ready = readiness.iter().all(|(_, ok)| *ok);
    let stored = |name: &str| -> String {
        let Some(p) = passport else {
            return String::new();
        };
        match name {
            "sector" => p
                .sector
                .and_then(|s| serde_json::to_value(s).ok())
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            "employees" => p.employees.map(|n| n.to_string()).unwrap_or_default(),
            "students" => p.students.map(|n| n.to_string()).unwrap_or_default(),
            "chairName" => p.chair_name.clone().unwrap_or_default(),
            "address" => p.address.clone().unwrap_or_default(),
            "phone" => p.phone.clone().unwrap_or_default(),
            "email" => p.email.clone().unwrap_or_default(),
            _ => String::new(),
        }
    };
    let value = |name: &str| match fields {
        Some(fields) => fields.text(name).to_string(),
        None => stored(name),
    };
    let refused = refused.filter(|r| r.form == "passport");
    let beside = |name: &str| {
        refused
            .filter(|r| r.field == Some(name))
            .map(|r| r.text.clone())
    };
    let input = |name: &'static str, label: &str, kind: &str| {
        html! { div {
            label for={ "passport-" (name) } { (label) }
            input id={ "passport-" (name) } name=(name) type=(kind) value=(value(name))
                aria-invalid=[beside(name).map(|_| "true")];
            @if let Some(text) = beside(name) { div.field-error id={ "passport-" (name) "-error" } { (text) } }
        } }
    };
    html! {
        details.panel #passport open[refused.is_some() || !ready] {
            summary { "Паспорт организации: "
                @if ready { span #readiness data-ready="yes" { "готов к приёму заявлений онлайн" } }
                @else { span #readiness data-ready="no" { "не заполнен для приёма заявлений онлайн" } } }
            ul { @for (key, ok) in &readiness {
                li { @if *ok { "✓ " } @else { "✗ не указано: " } (requirement(key)) }
            } }
            @if let Some(r) = refused.filter(|r| r.field.is_none()) {
                div.notice.bad #passport-error role="alert" { (r.text) }
            }
            form method="post" action={ "/desk/org/" (org.org_id) "/passport" } {
                (layout::csrf_field(visit))
                input type="hidden" name="version" value=(org.version);
                div.row {
                    div { label for="passport-sector" { "Тип организации" }
                        select #passport-sector name="sector" {
                            option value="" { "— не указан —" }
                            @for sector in SECTORS {
                                option value=(sector) selected[value("sector") == *sector] { (words::bucket(sector)) }
                            }
                        } }
                    (input("employees", "Работников", "number"))
                    (input("students", "Обучающихся", "number"))
                }
                div.row { (input("chairName", "Председатель", "text")) (input("phone", "Телефон", "tel")) (input("email", "Почта", "email")) }
                (input("address", "Адрес", "text"))
                div.actions { button type="submit" #passport-submit { "Сохранить паспорт" } }
            }
        }
    }
}

/// How new applications reach the passport's chair: each at once, or one
/// digest a day (the next morning).
pub fn digest_form(visit: &Visit, org: &OrganizationView, daily: bool) -> Markup {
    html! {
        form.panel #digest method="post" action={ "/desk/org/" (org.org_id) "/digest" } {
            (layout::csrf_field(visit))
            p #digest-state { "Новые заявления приходят председателю на почту: "
                @if daily { "одним письмом в день (утром следующего дня)." } @else { "каждое сразу." } }
            input type="hidden" name="daily" value=(if daily { "no" } else { "yes" });
            button.secondary #digest-toggle type="submit" {
                @if daily { "Присылать каждое заявление сразу" } @else { "Присылать одним письмом в день" }
            }
        }
    }
}

/// `POST /desk/org/{id}/digest`.
pub async fn digest(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return desk_again(&visit, &web, &id, &fields, Refused::stale("digest")).await;
    }
    let org = match app::input::id(&id, "id") {
        Ok(org) => org,
        Err(error) => {
            return desk_again(&visit, &web, &id, &fields, Refused::of("digest", &error)).await;
        }
    };
    let daily = fields.text("daily") == "yes";
    match web
        .app
        .set_application_digest(&visit.viewer, org, daily)
        .await
    {
        Ok(()) => Redirect::to(&format!("/desk/org/{id}")).into_response(),
        Err(error) => desk_again(&visit, &web, &id, &fields, Refused::of("digest", &error)).await,
    }
}

/// `POST /desk/org/{id}/passport`.
pub async fn update(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return desk_again(&visit, &web, &id, &fields, Refused::stale("passport")).await;
    }
    let count = |name: &'static str| -> Result<Option<i64>, Refused> {
        match fields.optional(name) {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| Refused {
                form: "passport",
                field: Some(name),
                text: "Укажите целое число.".into(),
            }),
        }
    };
    let form = (|| {
        Ok::<_, Refused>(PassportForm {
            sector: fields.optional("sector").and_then(|s| choice(&s)),
            employees: count("employees")?,
            students: count("students")?,
            chair_name: fields.optional("chairName"),
            address: fields.optional("address"),
            phone: fields.optional("phone"),
            email: fields.optional("email"),
        })
    })();
    let form = match form {
        Ok(form) => form,
        Err(refused) => return desk_again(&visit, &web, &id, &fields, refused).await,
    };
    let updated = web
        .app
        .update_passport(
            &visit.viewer,
            UpdatePassport {
                id: id.clone(),
                input: form,
                // Undated, as the desk enters the passport in effect now: the
                // first describes the organisation from its beginning.
                effective_on: None,
                expected_version: fields.text("version").parse().ok(),
                command_id: None,
            },
        )
        .await;
    match updated {
        Ok(_) => Redirect::to(&format!("/desk/org/{id}?done=passport")).into_response(),
        Err(error) => desk_again(&visit, &web, &id, &fields, Refused::of("passport", &error)).await,
    }
}
