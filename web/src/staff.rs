//! The start page, and the signed-in holder's home: who they are, where
//! their role reaches, and the pages it opens.

use app::{Action, Viewer};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use crate::visit::Visit;
use crate::{Web, layout, words};

/// `GET /`: joining and checking for visitors; the home for staff.
pub async fn start(visit: Visit, State(web): State<Web>) -> Response {
    if visit.session.is_some() {
        return Redirect::to("/staff").into_response();
    }
    let body = html! {
        h1 { "Реестр членов Профсоюза" }
        div.panel.narrow.stack {
            p { a.button href="/join" { "Вступить в профсоюз" } }
            p { a href="/join/status" { "Проверить, что с моим заявлением" } }
            p.muted { "Председателям, специалистам, аналитикам и ревизорам: "
                a href="/signin" { "вход по ключу доступа" } "." }
        }
    };
    layout::page(&visit, &web, "Главная", body).into_response()
}

/// `GET /staff`: the holder's role and subtree, and their pages.
pub async fn home(visit: Visit, State(web): State<Web>) -> Response {
    let Viewer::Holder(holder) = &visit.viewer else {
        return Redirect::to("/signin").into_response();
    };
    let may = |action| visit.viewer.may(action).is_ok();
    let org = web.app.named_organization(holder.org_id).ok();
    let path = web.app.path(holder.org_id);
    let body = html! {
        h1 { "Здравствуйте, " (holder.holder) }
        div.panel {
            p #role { "Ваша роль: " strong { (words::role(holder.role)) } }
            @if let Some(org) = &org {
                p #subtree { "Действует в организации " strong { (org.name) }
                    " (" (words::level(org.level)) ") и во всех организациях, входящих в неё." }
                @if path.len() > 1 {
                    p.crumbs { @for (i, step) in path.iter().enumerate() {
                        @if i > 0 { " › " } (step.name)
                    } }
                }
                p { "Членов профсоюза на учёте: " strong #member-count { (org.member_count) } }
            }
        }
        h2 { "Что вы можете сделать" }
        ul.choices {
            @if may(Action::WriteMembers) {
                li { a href="/desk" { "Стол председателя: заявления и члены профсоюза" } }
            }
            @if may(Action::ReadStatistics) {
                li { a href="/stats" { "Статистика: численность, охват, движение" } }
            }
            @if may(Action::ReadEvents) {
                li { a href="/journal" { "Журнал событий: кто, что и когда изменил" } }
            }
            @if may(Action::WriteMembers) {
                li { a href="/meetings" { "Собрания: отметить присутствующих по билетам" } }
            }
            @if may(Action::WriteRoles) {
                li { a href="/admin" { "Доступ: выдать и отозвать роли" } }
            }
            li { a href="/verify" { "Проверить членский билет" } }
            @if !may(Action::ReadMembers) {
                li.muted { "Персональные данные членов профсоюза вашей роли не показываются." }
            }
        }
    };
    layout::page(&visit, &web, "Главная", body).into_response()
}
