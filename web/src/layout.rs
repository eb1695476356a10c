//! The page shell: the head with the embedded assets, the top bar with the
//! signed-in holder's role and subtree and the pages their role opens, and
//! the sign-out button.

use app::{Action, Viewer};
use maud::{DOCTYPE, Markup, html};

use crate::visit::Visit;
use crate::{Web, assets, csrf, words};

/// The hidden CSRF field every form carries.
pub fn csrf_field(visit: &Visit) -> Markup {
    html! { input type="hidden" name=(csrf::FIELD) value=(visit.csrf); }
}

/// A whole page titled `title` around `body`.
pub fn page(visit: &Visit, web: &Web, title: &str, body: Markup) -> Markup {
    shell(visit, web, title, body, &[])
}

/// A page whose body has charts: ECharts is loaded too (a megabyte, so only here).
pub fn page_with_charts(visit: &Visit, web: &Web, title: &str, body: Markup) -> Markup {
    shell(visit, web, title, body, &["echarts.min.js"])
}

/// A page that reads QR codes from the camera: jsQR is loaded too.
pub fn page_with_scanner(visit: &Visit, web: &Web, title: &str, body: Markup) -> Markup {
    shell(visit, web, title, body, &["jsQR.js"])
}

fn shell(visit: &Visit, web: &Web, title: &str, body: Markup, scripts: &[&str]) -> Markup {
    html! {
        (DOCTYPE)
        html lang="ru" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                // htmx would otherwise add a <style> element, which the CSP refuses.
                meta name="htmx-config" content=r#"{"includeIndicatorStyles":false,"allowEval":false}"#;
                title { (title) " — Реестр Профсоюза" }
                link rel="stylesheet" href=(assets::url("site.css"));
                @for script in scripts { script src=(assets::url(script)) {} }
                script src=(assets::url("site.js")) {}
                script src=(assets::url("htmx.min.js")) defer {}
            }
            body {
                (top_bar(visit, web))
                main { (body) }
            }
        }
    }
}

fn top_bar(visit: &Visit, web: &Web) -> Markup {
    let holder = match &visit.viewer {
        Viewer::Holder(holder) => Some(holder),
        _ => None,
    };
    let may = |action| visit.viewer.may(action).is_ok();
    html! {
        header.top {
            div.bar {
                a.brand href="/" { "Реестр Профсоюза" }
                @if let Some(holder) = holder {
                    nav aria-label="Разделы" {
                        a href="/staff" { "Главная" }
                        @if may(Action::WriteMembers) { a href="/desk" { "Стол председателя" } }
                        @if may(Action::WriteMembers) { a href="/meetings" { "Собрания" } }
                        @if may(Action::WriteMembers) { a href="/desk/erasures" { "Запросы на удаление" } }
                        @if may(Action::WriteRoles) { a href="/admin" { "Доступ" } }
                        @if may(Action::ReadStatistics) { a href="/stats" { "Статистика" } }
                        @if may(Action::ReadEvents) { a href="/journal" { "Журнал" } }
                        @if may(Action::ReadLibrary) { a href="/library" { "Библиотека" } }
                        @if may(Action::AnswerConsultations) { a href="/desk/consultations" { "Консультации" } }
                    }
                    span.who data-role=(format!("{:?}", holder.role).to_uppercase()) {
                        (holder.holder) ", " (words::role(holder.role)) ": "
                        (web.app.named_organization(holder.org_id).map(|o| o.name).unwrap_or_default())
                    }
                    form method="post" action="/signout" {
                        (csrf_field(visit))
                        button type="submit" { "Выйти" }
                    }
                } @else if matches!(visit.viewer, Viewer::Member(_)) {
                    nav aria-label="Разделы" { a href="/cabinet" { "Личный кабинет" } }
                    form method="post" action="/signout" {
                        (csrf_field(visit))
                        button #signout type="submit" { "Выйти" }
                    }
                } @else {
                    nav {
                        a href="/join" { "Вступить в профсоюз" }
                        a href="/cabinet" { "Личный кабинет" }
                        a href="/join/status" { "Проверить заявление" }
                        a href="/verify" { "Проверить билет" }
                        a href="/signin" { "Вход для сотрудников" }
                    }
                }
            }
        }
    }
}
