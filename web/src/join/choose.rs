//! Walking the tree down to the organisation one applies to.

use app::joining::JoinableOrganization;
use app::{Error, Page};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::join::apply;
use crate::visit::Visit;
use crate::{Web, fail, layout, qr, words};

/// Organisations on one page of a list.
const PAGE: i64 = 100;

/// `?q=…&parent=…&after=…`
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    q: Option<String>,
    parent: Option<String>,
    after: Option<String>,
}

/// `GET /join`: the regional organisations, and a search over the whole union.
pub async fn regions(
    visit: Visit,
    State(web): State<Web>,
    Query(query): Query<ListQuery>,
) -> Response {
    match web
        .app
        .joinable_organizations(None, None, PAGE, query.after.as_deref())
    {
        Ok(page) => {
            let body = html! {
                h1 { "Вступить в профсоюз" }
                p.muted { "Выберите организацию, в которой будете состоять на учёте: "
                    "обычно это профсоюзная организация вашего места работы или учёбы." }
                (search_box(None, ""))
                h2 { "Или выберите регион" }
                (list(&page, "/join?"))
            };
            layout::page(&visit, &web, "Вступить в профсоюз", body).into_response()
        }
        Err(error) => fail::page(&visit, &web, &error),
    }
}

/// `GET /join/search?q=…&parent=…`: primary organisations by name; for htmx
/// the results alone, else a whole page.
pub async fn search(
    visit: Visit,
    State(web): State<Web>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Response {
    let text = query.q.clone().unwrap_or_default();
    let mut pairs = vec![("q", text.as_str())];
    if let Some(parent) = &query.parent {
        pairs.push(("parent", parent));
    }
    let more = format!(
        "/join/search?{}&",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    );
    let results = if text.trim().chars().count() < 2 {
        Ok(html! { p.muted { "Введите хотя бы две буквы названия." } })
    } else {
        web.app
            .joinable_organizations(
                query.parent.as_deref(),
                Some(&text),
                PAGE,
                query.after.as_deref(),
            )
            .map(|page| {
                html! {
                    @if page.items.is_empty() {
                        p.muted { "Ничего не нашлось. Попробуйте другое слово из названия." }
                    } @else {
                        p.muted { "Найдено: " (page.total_count) }
                        (list(&page, &more))
                    }
                }
            })
    };
    let results = match results {
        Ok(results) => results,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    if headers.contains_key("hx-request") {
        return results.into_response();
    }
    let body = html! {
        h1 { "Поиск организации" }
        (search_box(query.parent.as_deref(), &text))
        div #results { (results) }
    };
    layout::page(&visit, &web, "Поиск организации", body).into_response()
}

/// `GET /join/org/{id}`: the form, for an organisation that takes
/// applications; else the organisations inside it.
pub async fn organization(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    Query(query): Query<ListQuery>,
) -> Response {
    let (org, path) = match web.app.joinable_organization(&id) {
        Ok(found) => found,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    if org.takes_applications {
        return apply::blank(&visit, &web, &org, &path);
    }
    let page = match web
        .app
        .joinable_organizations(Some(&id), None, PAGE, query.after.as_deref())
    {
        Ok(page) => page,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    let body = html! {
        (crumbs(&path))
        h1 { (org.name) }
        (search_box(Some(&id), ""))
        h2 { "Выберите организацию" }
        @if page.items.is_empty() {
            p.muted { "Здесь пока нет организаций, принимающих заявления." }
        }
        (list(&page, &format!("/join/org/{id}?")))
    };
    layout::page(&visit, &web, &org.name, body).into_response()
}

/// `GET /join/org/{id}/link`: the organisation's joining link and its QR
/// code, to print and hang up.
pub async fn link(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    let (org, _) = match web.app.joinable_organization(&id) {
        Ok(found) => found,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    if !org.takes_applications {
        let error = Error::invalid("orgId", "not an organisation one applies to");
        return fail::page(&visit, &web, &error);
    }
    let host = visit.host.clone().unwrap_or_else(|| "localhost".into());
    let address = format!("http://{host}/join/org/{}", org.org_id);
    let body = html! {
        div.panel.narrow {
            h1 { "Вступайте в профсоюз" }
            p.receipt { (org.name) }
            div.qr #qr { (qr::svg(&address)) }
            p { "Наведите камеру телефона на код или откройте адрес:" }
            p { code #address { (address) } }
            div.actions { button type="button" data-print { "Распечатать" } }
        }
    };
    layout::page(&visit, &web, "Ссылка для вступления", body).into_response()
}

pub(super) fn crumbs(path: &[JoinableOrganization]) -> Markup {
    html! {
        nav.crumbs aria-label="Где вы" {
            a href="/join" { "Все регионы" }
            @for step in path {
                " › " a href={ "/join/org/" (step.org_id) } { (step.name) }
            }
        }
    }
}

fn search_box(parent: Option<&str>, text: &str) -> Markup {
    html! {
        form.panel method="get" action="/join/search" role="search" {
            label for="q" { "Найти организацию по названию" }
            @if let Some(parent) = parent { input type="hidden" name="parent" value=(parent); }
            input #q type="search" name="q" value=(text) placeholder="например, школа № 5"
                autocomplete="off" minlength="2"
                hx-get="/join/search" hx-trigger="input changed delay:300ms, search"
                hx-target="#results" hx-include="closest form";
            div.actions { button type="submit" { "Найти" } }
            div #results {}
        }
    }
}

fn list(page: &Page<JoinableOrganization>, more: &str) -> Markup {
    html! {
        ul.choices {
            @for (_, org) in &page.items {
                li { a href={ "/join/org/" (org.org_id) } {
                    (org.name) span.level { (words::level(org.level)) }
                } }
            }
        }
        @if let (true, Some(cursor)) = (page.has_next_page, &page.end_cursor) {
            p.pager { a href={ (more) "after=" (cursor) } { "Показать ещё" } }
        }
    }
}
