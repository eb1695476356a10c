//! The member's cabinet: signing in with a one-time code sent to the e-mail
//! on record, then the member's own membership (history, tenure, home and its
//! path, card), their contacts, mailings and a request to erase their data.
//!
//! The sign-in page answers the same whether the details are a member's or
//! not (`app` decides and sends); the session is kept as a staff session is,
//! behind the cookie, with the cabinet's token inside.

use std::time::Instant;

use app::cabinet::{CabinetView, ContactsUpdate, SignInRefused};
use app::{Error, Viewer};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use maud::{Markup, html};

use crate::desk::org::full_name;
use crate::form::Fields;
use crate::visit::Visit;
use crate::{Web, csrf, fail, layout, words};

const TITLE: &str = "Личный кабинет";

/// The cabinet's pages.
pub fn routes() -> Router<Web> {
    Router::new()
        .route("/cabinet", get(home))
        .route("/cabinet/code", post(request_code))
        .route("/cabinet/signin", post(sign_in))
        .route("/cabinet/contacts", post(contacts))
        .route("/cabinet/mailings", post(mailings))
        .route("/cabinet/erasure", post(erasure))
}

/// `GET /cabinet`: the cabinet of the signed-in member, or the form to ask for a code.
async fn home(visit: Visit, State(web): State<Web>) -> Response {
    match visit.viewer {
        Viewer::Member(_) => cabinet(&visit, &web, None).await,
        _ => ask_page(&visit, &web, None).into_response(),
    }
}

fn ask_page(visit: &Visit, web: &Web, error: Option<&str>) -> Markup {
    let body = html! {
        div.panel.narrow {
            h1 { (TITLE) }
            p.muted { "Укажите СНИЛС и адрес электронной почты, которые записаны в реестре. \
                Мы отправим на этот адрес код для входа." }
            @if let Some(error) = error { div.notice.bad #cabinet-error role="alert" { (error) } }
            form method="post" action="/cabinet/code" {
                (layout::csrf_field(visit))
                label for="snils" { "СНИЛС" }
                input #snils name="snils" inputmode="numeric" autocomplete="off" required;
                label for="email" { "Электронная почта" }
                input #email type="email" name="email" autocomplete="email" required;
                div.actions { button #send-code type="submit" { "Получить код" } }
            }
        }
    };
    layout::page(visit, web, TITLE, body)
}

fn code_page(visit: &Visit, web: &Web, snils: &str, email: &str, error: Option<&str>) -> Markup {
    let body = html! {
        div.panel.narrow {
            h1 { (TITLE) }
            div.notice #code-sent role="status" {
                "Если СНИЛС и адрес принадлежат члену профсоюза, на этот адрес отправлен код. \
                 Он действует несколько минут."
            }
            @if let Some(error) = error { div.notice.bad #cabinet-error role="alert" { (error) } }
            form method="post" action="/cabinet/signin" {
                (layout::csrf_field(visit))
                input type="hidden" name="snils" value=(snils);
                input type="hidden" name="email" value=(email);
                label for="code" { "Код из письма" }
                input #code name="code" inputmode="numeric" autocomplete="one-time-code" required;
                div.actions { button #sign-in type="submit" { "Войти" } }
            }
            form method="post" action="/cabinet/code" {
                (layout::csrf_field(visit))
                input type="hidden" name="snils" value=(snils);
                input type="hidden" name="email" value=(email);
                button.secondary #resend type="submit" { "Отправить код ещё раз" }
            }
        }
    };
    layout::page(visit, web, TITLE, body)
}

fn stale(visit: &Visit, web: &Web) -> Response {
    let text = "Страница устарела. Откройте личный кабинет ещё раз.";
    (StatusCode::FORBIDDEN, ask_page(visit, web, Some(text))).into_response()
}

/// `POST /cabinet/code`.
async fn request_code(visit: Visit, State(web): State<Web>, body: Bytes) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return stale(&visit, &web);
    }
    let (snils, email) = (fields.text("snils").trim(), fields.text("email").trim());
    match web
        .app
        .request_cabinet_code(visit.client, snils, email)
        .await
    {
        Ok(()) => code_page(&visit, &web, snils, email, None).into_response(),
        Err(Error::Validation { field, .. }) => {
            let text = match field {
                Some("snils") => "Это не СНИЛС: проверьте одиннадцать цифр.",
                _ => "Это не адрес электронной почты.",
            };
            (StatusCode::BAD_REQUEST, ask_page(&visit, &web, Some(text))).into_response()
        }
        Err(Error::RateLimited) => {
            let text = "Слишком много запросов кода. Подождите несколько минут.";
            (
                StatusCode::TOO_MANY_REQUESTS,
                ask_page(&visit, &web, Some(text)),
            )
                .into_response()
        }
        Err(other) => fail::page(&visit, &web, &other),
    }
}

/// `POST /cabinet/signin`.
async fn sign_in(visit: Visit, State(web): State<Web>, body: Bytes) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return stale(&visit, &web);
    }
    let (snils, email) = (fields.text("snils").trim(), fields.text("email").trim());
    let signed = web
        .app
        .sign_in_to_cabinet(visit.client, snils, email, fields.text("code"))
        .await;
    let refused = match signed {
        Ok(Ok(session)) => {
            let id = web.sessions.open(session.token, Instant::now());
            let mut response = Redirect::to("/cabinet").into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, visit.session_cookie(&id));
            return response;
        }
        Ok(Err(refused)) => refused,
        Err(Error::Validation { .. }) => SignInRefused::Wrong,
        Err(other) => return fail::page(&visit, &web, &other),
    };
    let (code, text) = match refused {
        SignInRefused::Wrong => (
            StatusCode::UNAUTHORIZED,
            "Код не подошёл. Проверьте его в письме и введите ещё раз.",
        ),
        SignInRefused::Expired => (
            StatusCode::UNAUTHORIZED,
            "Срок действия кода истёк. Запросите новый код.",
        ),
        SignInRefused::TooManyTries => (
            StatusCode::TOO_MANY_REQUESTS,
            "Слишком много попыток ввести код. Запросите новый код через несколько минут.",
        ),
    };
    (code, code_page(&visit, &web, snils, email, Some(text))).into_response()
}

async fn cabinet(visit: &Visit, web: &Web, notice: Option<&str>) -> Response {
    let reads = web.app.personal_reads(&visit.viewer);
    let view = match web.app.cabinet(&reads).await {
        Ok(view) => view,
        Err(error) => return fail::page(visit, web, &error),
    };
    if let Err(error) = reads.record().await {
        return fail::page(visit, web, &error);
    }
    layout::page(visit, web, TITLE, cabinet_body(visit, &view, notice)).into_response()
}

fn cabinet_body(visit: &Visit, view: &CabinetView, notice: Option<&str>) -> Markup {
    let member = &view.member;
    let today = app::today();
    let tenure = member.tenure_days(today);
    let personal = member.personal.as_ref();
    html! {
        h1 #cabinet-name { (full_name(member)) }
        @if let Some(notice) = notice { div.notice.good #cabinet-notice role="status" { (notice) } }
        section.panel #membership {
            h2 { "Членство" }
            p #status { @if member.ended_on.is_none() { "Член профсоюза с " (words::date(member.joined_on)) }
                @else { "Членство прекращено" } }
            p #tenure { "Профсоюзный стаж: " (tenure) " дн. (около " (tenure / 365) " лет)" }
            p #organization { "Организация: " (view.path.last().map(|o| o.name.as_str()).unwrap_or("—")) }
            p.muted #org-path { @for (i, org) in view.path.iter().enumerate() {
                @if i > 0 { " → " } (org.name) } }
        }
        section.panel #card {
            h2 { "Профсоюзный билет" }
            @match member.card() {
                Some(card) => {
                    p #card-number { "№ " (crate::desk::printed(&card.number.to_string())) }
                    div.actions {
                        a.button #card-page href={ "/desk/member/" (member.person_id) "/card" } { "Билет с QR-кодом" }
                        a.button #card-png href={ "/desk/member/" (member.person_id) "/card.png" } download { "Электронный билет (PNG)" }
                    }
                }
                None => { p #no-card { "Действующего билета нет." } }
            }
        }
        section.panel #history {
            h2 { "История членства" }
            ul { @for entry in &view.history {
                li { @if let Some(on) = entry.effective_on { (words::date(on)) ": " } (entry.summary) }
            } }
        }
        section.panel #contacts {
            h2 { "Контакты" }
            form method="post" action="/cabinet/contacts" {
                (layout::csrf_field(visit))
                label for="phone" { "Телефон" }
                input #phone name="phone" value=(personal.and_then(|p| p.phone.as_deref()).unwrap_or(""));
                label for="new-email" { "Электронная почта" }
                input #new-email type="email" name="email" value=(personal.and_then(|p| p.email.as_deref()).unwrap_or(""));
                div.actions { button #save-contacts type="submit" { "Сохранить" } }
            }
        }
        section.panel #mailings {
            h2 { "Рассылки" }
            form method="post" action="/cabinet/mailings" {
                (layout::csrf_field(visit))
                @if view.unsubscribed {
                    p #mailings-state { "Вы отказались от рассылок профсоюза." }
                    input type="hidden" name="take" value="yes";
                    button #resubscribe type="submit" { "Снова получать рассылки" }
                } @else {
                    p #mailings-state { "Вы получаете рассылки профсоюза." }
                    input type="hidden" name="take" value="no";
                    button #unsubscribe type="submit" { "Отказаться от рассылок" }
                }
            }
        }
        section.panel #documents {
            h2 { "Документы и консультации" }
            p { a #consultations-link href="/cabinet/consultations" { "Консультации: задать вопрос правовой или методической службе" } }
        }
        section.panel #erasure {
            h2 { "Удаление персональных данных" }
            @match view.erasure_requested {
                Some(on) => { p #erasure-state { "Запрос на удаление отправлен " (words::date(on))
                    ". Его рассмотрит председатель вашей организации." } }
                None => {
                    p.muted { "Председатель вашей организации рассмотрит запрос. После удаления \
                        ваши имя, СНИЛС и контакты будут стёрты; история членства и стаж останутся без них." }
                    form method="post" action="/cabinet/erasure" {
                        (layout::csrf_field(visit))
                        button.danger #request-erasure type="submit" { "Попросить удалить мои данные" }
                    }
                }
            }
        }
    }
}

/// The fields of a cabinet form, once its CSRF token holds.
fn checked(visit: &Visit, web: &Web, body: &Bytes) -> Option<Fields> {
    let fields = Fields::parse(body).unwrap_or_default();
    visit
        .csrf_ok(web, fields.text(csrf::FIELD))
        .then_some(fields)
}

/// `POST /cabinet/contacts`.
async fn contacts(visit: Visit, State(web): State<Web>, body: Bytes) -> Response {
    let Some(fields) = checked(&visit, &web, &body) else {
        return stale(&visit, &web);
    };
    let update = ContactsUpdate {
        email: fields.optional("email"),
        phone: fields.optional("phone"),
    };
    match web.app.update_my_contacts(&visit.viewer, update).await {
        Ok(_) => cabinet(&visit, &web, Some("Контакты сохранены.")).await,
        Err(error @ Error::Validation { .. }) => {
            cabinet(&visit, &web, Some(&fail::message(&error).1)).await
        }
        Err(error) => fail::page(&visit, &web, &error),
    }
}

/// `POST /cabinet/mailings`.
async fn mailings(visit: Visit, State(web): State<Web>, body: Bytes) -> Response {
    let Some(fields) = checked(&visit, &web, &body) else {
        return stale(&visit, &web);
    };
    let take = fields.text("take") == "yes";
    match web.app.set_my_mailings(&visit.viewer, take).await {
        Ok(()) if take => cabinet(&visit, &web, Some("Рассылки снова включены.")).await,
        Ok(()) => cabinet(&visit, &web, Some("Вы отказались от рассылок.")).await,
        Err(error) => fail::page(&visit, &web, &error),
    }
}

/// `POST /cabinet/erasure`.
async fn erasure(visit: Visit, State(web): State<Web>, body: Bytes) -> Response {
    if checked(&visit, &web, &body).is_none() {
        return stale(&visit, &web);
    }
    match web.app.request_my_erasure(&visit.viewer).await {
        Ok(()) => cabinet(&visit, &web, Some("Запрос на удаление данных отправлен.")).await,
        Err(error) => fail::page(&visit, &web, &error),
    }
}
