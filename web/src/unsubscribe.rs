//! Unsubscribing from mailings by the signed link every message carries.
//!
//! `GET` only asks (mail scanners follow links); `POST` unsubscribes: from
//! the page's button (with its CSRF token) or from a mail client's one-click
//! request (RFC 8058: `List-Unsubscribe=One-Click`, no page, no cookie), the
//! link's signature being what authorises either.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use maud::{Markup, html};

use crate::form::Fields;
use crate::visit::Visit;
use crate::{Web, csrf, fail, layout};

/// The unsubscribe page.
pub fn routes() -> Router<Web> {
    Router::new().route("/unsubscribe/{token}", get(ask).post(unsubscribe))
}

/// `GET /unsubscribe/{token}`.
async fn ask(visit: Visit, State(web): State<Web>, Path(token): Path<String>) -> Response {
    let person = match web.app.unsubscribe_subject(&token) {
        Ok(person) => person,
        Err(error) => return refused(&visit, &web, &error),
    };
    let body = if web.app.unsubscribed(person) {
        done_text()
    } else {
        html! {
            h1 { "Отказ от рассылок" }
            p { "Вы больше не будете получать информационные рассылки профсоюза. \
                 Уведомления о ваших заявлениях и билете продолжат приходить." }
            form.panel.narrow method="post" action={ "/unsubscribe/" (token) } {
                (layout::csrf_field(&visit))
                button #unsubscribe type="submit" { "Отказаться от рассылок" }
            }
        }
    };
    layout::page(&visit, &web, "Отказ от рассылок", body).into_response()
}

/// `POST /unsubscribe/{token}`.
async fn unsubscribe(
    visit: Visit,
    State(web): State<Web>,
    Path(token): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    let one_click = fields.text("List-Unsubscribe") == "One-Click";
    if !one_click && !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        let body = html! {
            h1 { "Отказ от рассылок" }
            div.notice.bad role="alert" { "Страница устарела: откройте ссылку из письма ещё раз." }
        };
        return (
            StatusCode::FORBIDDEN,
            layout::page(&visit, &web, "Отказ от рассылок", body),
        )
            .into_response();
    }
    match web.app.unsubscribe(&token).await {
        Ok(_) if one_click => StatusCode::OK.into_response(),
        Ok(_) => layout::page(&visit, &web, "Отказ от рассылок", done_text()).into_response(),
        Err(error) => refused(&visit, &web, &error),
    }
}

fn done_text() -> Markup {
    html! {
        h1 { "Отказ от рассылок" }
        div.notice.good #unsubscribed role="status" {
            "Готово: рассылки профсоюза вам больше не придут."
        }
    }
}

fn refused(visit: &Visit, web: &Web, error: &app::Error) -> Response {
    if let app::Error::Internal(detail) = error {
        tracing::error!(%detail, "unsubscribing failed");
    }
    let text = match error {
        app::Error::Validation { .. } => {
            "Ссылка не подошла: откройте её из письма целиком, как она есть.".to_string()
        }
        app::Error::NotFound { .. } => "Такого члена профсоюза в реестре нет.".to_string(),
        other => fail::message(other).1,
    };
    let code = match error {
        app::Error::Validation { .. } => StatusCode::BAD_REQUEST,
        app::Error::NotFound { .. } => StatusCode::NOT_FOUND,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let body = html! {
        h1 { "Отказ от рассылок" }
        div.notice.bad role="alert" { (text) }
    };
    (code, layout::page(visit, web, "Отказ от рассылок", body)).into_response()
}
