//! `/verify`, public: a card number typed in or read from its QR code by the
//! camera (jsQR, served from here) answers VALID, BLOCKED or UNKNOWN in large
//! letters, and nothing else about the holder (what `app::verify_card` says
//! to anyone: the issuing organisation of a valid card). A card's QR code is
//! its address `/verify/<number>`, so a phone's own camera app opens the
//! answer. Staff who record attendance go on to a meeting from here.

use app::views::CardCheckResult;
use app::{Action, Error};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::visit::Visit;
use crate::{Web, fail, layout};

/// `?number=…`
#[derive(Debug, Default, Deserialize)]
pub struct VerifyQuery {
    number: Option<String>,
}

/// The answer in large letters: its code, its word, its class.
pub(crate) fn verdict(result: CardCheckResult) -> (&'static str, &'static str, &'static str) {
    match result {
        CardCheckResult::Valid => ("VALID", "ДЕЙСТВИТЕЛЕН", "good"),
        CardCheckResult::Blocked => ("BLOCKED", "ЗАБЛОКИРОВАН", "bad"),
        CardCheckResult::Unknown => ("UNKNOWN", "НЕ НАЙДЕН", "unknown"),
    }
}

/// The number field with its camera button; the scanner fills the field and
/// sends the form.
pub(crate) fn scanner(number: &str) -> Markup {
    html! {
        label for="number" { "Номер билета (13 цифр)" }
        input #number name="number" inputmode="numeric" autocomplete="off" value=(number)
            placeholder="77 0000000042 5" autofocus;
        div.actions {
            button type="submit" #check { "Проверить" }
            button.secondary type="button" data-scan="number" { "Сканировать QR-код камерой" }
        }
        label.photo for="number-photo" { "…или сфотографируйте QR-код билета" }
        input #number-photo type="file" accept="image/*" capture="environment" data-scan-photo="number";
        div.scanner hidden { video playsinline muted {} p.muted.scan-note {} }
    }
}

/// `GET /verify` and `GET /verify?number=…`.
pub async fn form(
    visit: Visit,
    State(web): State<Web>,
    Query(query): Query<VerifyQuery>,
) -> Response {
    draw(&visit, &web, query.number.as_deref()).await
}

/// `GET /verify/{number}`: what a card's QR code opens.
pub async fn number(visit: Visit, State(web): State<Web>, Path(number): Path<String>) -> Response {
    draw(&visit, &web, Some(&number)).await
}

async fn draw(visit: &Visit, web: &Web, number: Option<&str>) -> Response {
    let number = number.map(str::trim).filter(|n| !n.is_empty());
    let checked = match number {
        None => None,
        Some(number) => {
            let digits = app::meetings::scanned_number(number);
            match web.app.verify_card(&visit.viewer, visit.client, digits) {
                Ok(check) => Some((check.result, check.organization_name)),
                // "A malformed number is simply unknown."
                Err(Error::Validation { .. }) => Some((CardCheckResult::Unknown, None)),
                Err(error) => return fail::page(visit, web, &error),
            }
        }
    };
    let staff = visit.viewer.may(Action::WriteMembers).is_ok();
    let body = html! {
        h1 { "Проверка членского билета" }
        @if let Some((result, org)) = &checked {
            @let (code, word, class) = verdict(*result);
            div.verdict.(class) #verdict data-result=(code) role="status" {
                div.word { (word) }
                div.code { (code) }
                @if let Some(org) = org { div.org { (org) } }
                div.checked { "Билет № " (crate::desk::printed(number.unwrap_or_default())) }
            }
        }
        form.panel.narrow method="get" action="/verify" {
            (scanner(""))
        }
        @if staff {
            p { a href="/meetings" { "Режим собрания: отметить присутствующих по билетам" } }
        }
    };
    layout::page_with_scanner(visit, web, "Проверка билета", body).into_response()
}
