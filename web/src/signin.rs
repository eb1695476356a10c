//! Signing in with a staff token (as `reestr token` or `grantRole` issued it)
//! in exchange for a session cookie, and signing out.

use std::time::Instant;

use app::{Error, Viewer};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use crate::form::Fields;
use crate::visit::Visit;
use crate::{Web, csrf, layout};

/// `GET /signin`.
pub async fn form(visit: Visit, State(web): State<Web>) -> Response {
    if visit.session.is_some() {
        return Redirect::to("/staff").into_response();
    }
    page(&visit, &web, None).into_response()
}

fn page(visit: &Visit, web: &Web, error: Option<&str>) -> Markup {
    let body = html! {
        div.panel.narrow {
            h1 { "Вход для сотрудников" }
            p.muted { "Вставьте ключ доступа, который вам выдали вместе с ролью. "
                "Ключ начинается с reestr_." }
            form method="post" action="/signin" {
                (layout::csrf_field(visit))
                label for="token" { "Ключ доступа" }
                input #token type="password" name="token" autocomplete="off" required
                    aria-invalid=[error.map(|_| "true")];
                @if let Some(error) = error {
                    div.field-error #token-error role="alert" { (error) }
                }
                div.actions { button type="submit" { "Войти" } }
            }
        }
    };
    layout::page(visit, web, "Вход", body)
}

/// `POST /signin`: a valid token opens a session.
pub async fn sign_in(visit: Visit, State(web): State<Web>, body: Bytes) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        let text = "Страница входа устарела. Вставьте ключ ещё раз.";
        return (StatusCode::FORBIDDEN, page(&visit, &web, Some(text))).into_response();
    }
    let token = fields.text("token").trim().to_string();
    match web.app.authenticate(Some(&token)).await {
        Ok(Viewer::Holder(_)) => {
            let id = web.sessions.open(token, Instant::now());
            let mut response = Redirect::to("/staff").into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, visit.session_cookie(&id));
            response
        }
        Ok(_) | Err(Error::Unauthenticated) => {
            let text = "Ключ доступа не подошёл: он неверен или роль отозвана.";
            (StatusCode::UNAUTHORIZED, page(&visit, &web, Some(text))).into_response()
        }
        Err(other) => crate::fail::page(&visit, &web, &other),
    }
}

/// `POST /signout`: the session ends here and in the browser.
pub async fn sign_out(visit: Visit, State(web): State<Web>, body: Bytes) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    if let Some(id) = &visit.session
        && visit.csrf_ok(&web, fields.text(csrf::FIELD))
    {
        web.sessions.end(id);
    }
    let mut response = Redirect::to("/").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, visit.clear_session_cookie());
    response
}
