//! Members' requests, from their cabinets, to erase their personal data: a
//! chair's or admin's list over their subtree, each confirmed by the same
//! `erasePersonalData` as the member page's, or declined with a reason.

use app::members::ErasePersonalData;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use crate::desk::org::full_name;
use crate::form::Fields;
use crate::visit::Visit;
use crate::{Web, csrf, fail, layout, words};

const TITLE: &str = "Запросы на удаление данных";

/// `GET /desk/erasures`.
pub async fn page(visit: Visit, State(web): State<Web>) -> Response {
    let reads = web.app.personal_reads(&visit.viewer);
    let requests = match web.app.erasure_requests(&reads) {
        Ok(requests) => requests,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    if let Err(error) = reads.record().await {
        return fail::page(&visit, &web, &error);
    }
    let body = html! {
        h1 { (TITLE) }
        @if requests.is_empty() { p #no-erasures { "Запросов нет." } }
        @for request in &requests {
            @let id = request.member.person_id;
            section.panel.erasure-request data-member=(id) {
                h2 { a href={ "/desk/member/" (id) } { (full_name(&request.member)) } }
                p { "Запрос из личного кабинета от " (words::date(request.requested_on)) "." }
                div.actions {
                    form method="post" action={ "/desk/erasures/" (id) "/confirm" } {
                        (layout::csrf_field(&visit))
                        button.danger.confirm-erasure type="submit" { "Удалить персональные данные" }
                    }
                    form method="post" action={ "/desk/erasures/" (id) "/decline" } {
                        (layout::csrf_field(&visit))
                        label for={ "reason-" (id) } { "Причина отказа" }
                        input id={ "reason-" (id) } name="reason" required;
                        button.secondary.decline-erasure type="submit" { "Отказать" }
                    }
                }
            }
        }
    };
    layout::page(&visit, &web, TITLE, body).into_response()
}

/// `POST /desk/erasures/{id}/confirm`: the member's data erased.
pub async fn confirm(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return Redirect::to("/desk/erasures").into_response();
    }
    let input = ErasePersonalData {
        member_id: id,
        basis: "Просьба члена профсоюза из личного кабинета".into(),
        command_id: None,
    };
    match web.app.erase_personal_data(&visit.viewer, input).await {
        Ok(_) => Redirect::to("/desk/erasures").into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

/// `POST /desk/erasures/{id}/decline`.
pub async fn decline(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return Redirect::to("/desk/erasures").into_response();
    }
    let person = match app::input::id(&id, "memberId") {
        Ok(person) => person,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    let reason = fields.text("reason").to_string();
    match web.app.decline_erasure(&visit.viewer, person, reason).await {
        Ok(()) => Redirect::to("/desk/erasures").into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}
