//! An application's status, for the holder of its receipt.

use app::Error;
use app::joining::ReceiptStatus;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::application::ApplicationStatus;
use maud::{Markup, html};

use crate::form::Fields;
use crate::visit::Visit;
use crate::{Web, csrf, fail, layout, words};

/// `GET /join/status`.
pub async fn form(visit: Visit, State(web): State<Web>) -> Response {
    page(&visit, &web, &Fields::default(), None, None).into_response()
}

/// `POST /join/status`: the status, or why not (the look-up is a POST so the
/// secret stays out of addresses, histories and logs).
pub async fn check(visit: Visit, State(web): State<Web>, body: Bytes) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        let message = (
            None,
            "Страница устарела: отправьте форму ещё раз.".to_string(),
        );
        return (
            StatusCode::FORBIDDEN,
            page(&visit, &web, &fields, None, Some(message)),
        )
            .into_response();
    }
    match web
        .app
        .application_by_receipt(fields.text("number"), fields.text("secret"))
        .await
    {
        Ok(status) => page(&visit, &web, &fields, Some(&status), None).into_response(),
        Err(error) => {
            if let Error::Internal(detail) = &error {
                tracing::error!(%detail, "looking up a receipt failed");
            }
            let (field, text) = fail::message(&error);
            let code = match error {
                Error::NotFound { .. } => StatusCode::NOT_FOUND,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (code, page(&visit, &web, &fields, None, Some((field, text)))).into_response()
        }
    }
}

fn page(
    visit: &Visit,
    web: &Web,
    fields: &Fields,
    status: Option<&ReceiptStatus>,
    error: Option<(Option<&'static str>, String)>,
) -> Markup {
    let beside = |name: &str| match &error {
        Some((Some(field), text)) if *field == name => Some(text.clone()),
        _ => None,
    };
    let body = html! {
        h1 { "Что с моим заявлением" }
        @if let Some(status) = status { (shown(status)) }
        @if let Some((None, text)) = &error {
            div.notice.bad #status-error role="alert" { (text) }
        }
        form.panel.narrow method="post" action="/join/status" {
            (layout::csrf_field(visit))
            label for="number" { "Номер заявления" }
            input #number name="number" value=(fields.text("number")) autocomplete="off"
                aria-invalid=[beside("number").map(|_| "true")];
            @if let Some(text) = beside("number") { div.field-error { (text) } }
            label for="secret" { "Код для проверки" }
            input #secret name="secret" value=(fields.text("secret")) autocomplete="off"
                placeholder="XXXX-XXXX-XXXX-XXXX-XXXX"
                aria-invalid=[beside("secret").map(|_| "true")];
            @if let Some(text) = beside("secret") { div.field-error { (text) } }
            div.actions { button type="submit" { "Проверить" } }
        }
    };
    layout::page(visit, web, "Проверить заявление", body)
}

fn shown(status: &ReceiptStatus) -> Markup {
    html! {
        div.panel.narrow #status {
            p { "Заявление от " (words::date(status.submitted_on)) " в организацию «"
                (status.organization) "»" }
            @match &status.status {
                ApplicationStatus::Pending => {
                    p.status data-status="PENDING" { "На рассмотрении" }
                    p.muted { "Председатель организации ещё не принял решение." }
                }
                ApplicationStatus::Approved { decided_on, .. } => {
                    div.notice.good {
                        p.status data-status="APPROVED" { "Принято" }
                        p { "Вы член профсоюза с " (words::date(status.submitted_on))
                            " (решение от " (words::date(*decided_on)) ")." }
                    }
                }
                ApplicationStatus::Rejected { reason, decided_on } => {
                    div.notice.bad {
                        p.status data-status="REJECTED" { "Отклонено" }
                        p { (words::date(*decided_on)) ": " (reason) }
                    }
                }
            }
        }
    }
}
