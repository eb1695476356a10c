//! An organisation's desk: pending applications, members, admission.

use app::members::MembersQuery;
use app::views::{ApplicationStatusKind, MemberStatus, OrganizationView};
use app::{Error, Viewer};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::desk::{decide, notice, passport};
use crate::form::Fields;
use crate::visit::Visit;
use crate::{Web, fail, layout, words};
use domain::vocabulary::organization::OrgLevel;

/// Members on one page.
const MEMBERS_PAGE: i64 = 25;

/// `?q=…&status=…&only=…&after=…&done=…`
#[derive(Debug, Default, Deserialize)]
pub struct DeskQuery {
    q: Option<String>,
    status: Option<String>,
    only: Option<String>,
    after: Option<String>,
    done: Option<String>,
}

/// `GET /desk`: the desk of the holder's own organisation.
pub async fn start(visit: Visit) -> Response {
    match &visit.viewer {
        Viewer::Holder(holder) => {
            Redirect::to(&format!("/desk/org/{}", holder.org_id)).into_response()
        }
        _ => Redirect::to("/signin").into_response(),
    }
}

/// `GET /desk/org/{id}`.
pub async fn desk(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    Query(query): Query<DeskQuery>,
) -> Response {
    match draw(&visit, &web, &id, &query, &Fields::default(), None).await {
        Ok(page) => page.into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

/// The desk of `id`, with the admission form showing `admission` and, when
/// it was refused, why.
pub(crate) async fn draw(
    visit: &Visit,
    web: &Web,
    id: &str,
    query: &DeskQuery,
    admission: &Fields,
    refused: Option<&decide::Refused>,
) -> Result<Markup, Error> {
    let viewer = &visit.viewer;
    let org_id = app::input::id(id, "id")?;
    let org = web.app.organization(viewer, org_id)?;
    let reads = web.app.personal_reads(viewer);
    let pending = web
        .app
        .applications(viewer, id, ApplicationStatusKind::Pending, 50, None)?;
    let status = match query.status.as_deref() {
        Some("ENDED") => MemberStatus::Ended,
        _ => MemberStatus::Active,
    };
    let members = web.app.members(
        &reads,
        MembersQuery {
            org_id: id.to_string(),
            // As the API: the whole subtree unless asked for this organisation alone.
            include_descendants: query.only.is_none(),
            status,
            search: query.q.clone().filter(|q| !q.trim().is_empty()),
            first: MEMBERS_PAGE,
            after: query.after.clone(),
        },
    )?;
    for (_, member) in &members.items {
        reads.show(member.person_id)?;
    }
    let children = web.app.children(viewer, org_id, 100, None)?;
    let body = html! {
        (crumbs(web, &org))
        h1 { (org.name) }
        @if let Some(text) = query.done.as_deref().and_then(notice) {
            div.notice.good #done role="status" { (text) }
        }
        @if let Some(refused) = refused.filter(|r| r.form == "decision") {
            div.notice.bad #refused role="alert" { (refused.text) }
        }
        p.muted { (words::level(org.level)) " · членов на учёте: " strong #member-count { (org.member_count) }
            @if org.level == OrgLevel::Primary {
                " · " a href={ "/join/org/" (org.org_id) "/link" } { "ссылка и QR-код для вступления" }
            }
            " · " a #org-meetings href={ "/meetings/org/" (org.org_id) } { "собрания" }
        }
        @if !children.items.is_empty() {
            details.panel {
                summary { "Организации в составе (" (children.total_count) ")" }
                ul.choices { @for (_, child) in &children.items {
                    li { a href={ "/desk/org/" (child.org_id) } { (child.name)
                        span.level { (words::level(child.level)) " · " (child.member_count) } } }
                } }
            }
        }
        h2 #applications { "Заявления на вступление (" (pending.total_count) ")" }
        @if pending.items.is_empty() {
            p.muted #no-applications { "Новых заявлений нет." }
        } @else {
            table.wide #pending { thead { tr { th { "Заявитель" } th { "Подано" } th { "Решение" } } }
                tbody { @for (_, application) in &pending.items {
                    @let names = application.names(&reads)?;
                    tr data-application=(application.view.application_id) {
                        td { @if let Some(n) = names { (n.last_name) " " (n.first_name) " " (n.patronymic.as_deref().unwrap_or("")) }
                             @else { span.muted { "данные удалены" } } }
                        td { (words::date(application.view.submitted_on)) }
                        td.stack {
                            form.inline method="post" action={ "/desk/application/" (application.view.application_id) "/approve" } {
                                (layout::csrf_field(visit))
                                select name="issueCard" aria-label="Членский билет" {
                                    @for (value, text) in words::CARD_KINDS { option value=(value) { (text) } }
                                }
                                " " button type="submit" .approve { "Принять" }
                            }
                            form.inline method="post" action={ "/desk/application/" (application.view.application_id) "/reject" } {
                                (layout::csrf_field(visit))
                                input name="reason" placeholder="Причина отказа" aria-label="Причина отказа";
                                " " button.danger type="submit" .reject { "Отклонить" }
                            }
                        }
                    }
                } }
            }
        }
        h2 #members { "Члены профсоюза (" (members.total_count) ")" }
        form.panel method="get" action={ "/desk/org/" (org.org_id) } role="search" {
            div.row {
                div { label for="q" { "Поиск по фамилии, имени, СНИЛС" }
                    input #q type="search" name="q" value=(query.q.as_deref().unwrap_or("")); }
                div { label for="status" { "Состояние" }
                    select #status name="status" {
                        option value="ACTIVE" { "состоят на учёте" }
                        option value="ENDED" selected[status == MemberStatus::Ended] { "выбывшие" }
                    } }
            }
            label.check { input type="checkbox" name="only" value="1" checked[query.only.is_some()];
                span { "только эта организация, без входящих в неё" } }
            div.actions { button type="submit" { "Показать" } }
        }
        @if members.items.is_empty() {
            p.muted #no-members { "Никого не нашлось." }
        } @else {
            table.wide #member-list { thead { tr { th { "ФИО" } th { "Год рождения" } th { "Категория" } th { "На учёте с" } th { "Билет" } } }
                tbody { @for (_, member) in &members.items {
                    tr { td { a href={ "/desk/member/" (member.person_id) } { (full_name(member)) } }
                        td { (member.birth_year) }
                        td { (words::category(member.category)) }
                        td { (words::date(member.joined_on)) }
                        td { @if let Some(card) = member.card() { (card.number) } @else { "—" } } }
                } }
            }
            @if let (true, Some(cursor)) = (members.has_next_page, &members.end_cursor) {
                p.pager { a href=(more(&org, query, cursor)) { "Следующие " (MEMBERS_PAGE) } }
            }
        }
        @if visit.viewer.may(app::Action::WriteMembers).is_ok() {
            (admission_form(visit, &org, admission, refused))
        }
        @if org.level == OrgLevel::Primary && visit.viewer.may(app::Action::WritePassport).is_ok() {
            @let mine = refused.filter(|r| r.form == "passport");
            (passport::panel(visit, &org, mine.map(|_| admission), mine))
            (passport::digest_form(visit, &org, web.app.application_digest(org.org_id)))
        }
    };
    reads.record().await?;
    Ok(layout::page(visit, web, &org.name, body))
}

fn more(org: &OrganizationView, query: &DeskQuery, cursor: &str) -> String {
    let mut pairs = vec![("after", cursor.to_string())];
    if let Some(q) = &query.q {
        pairs.push(("q", q.clone()));
    }
    if let Some(status) = &query.status {
        pairs.push(("status", status.clone()));
    }
    if query.only.is_some() {
        pairs.push(("only", "1".into()));
    }
    format!(
        "/desk/org/{}?{}",
        org.org_id,
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// A member's full name (shown only after `PersonalReads::show`).
pub(crate) fn full_name(member: &app::views::MemberView) -> String {
    match &member.personal {
        Some(p) => p.full_name(),
        None => "данные удалены".into(),
    }
}

fn crumbs(web: &Web, org: &OrganizationView) -> Markup {
    let path = web.app.path(org.org_id);
    html! {
        nav.crumbs aria-label="Где вы" {
            @for (i, step) in path.iter().enumerate() {
                @if i > 0 { " › " }
                a href={ "/desk/org/" (step.org_id) } { (step.name) }
            }
        }
    }
}

fn admission_form(
    visit: &Visit,
    org: &OrganizationView,
    fields: &Fields,
    refused: Option<&decide::Refused>,
) -> Markup {
    let refused = refused.filter(|r| r.form == "admit");
    let beside = |name: &str| {
        refused
            .filter(|r| r.field == Some(name))
            .map(|r| r.text.clone())
    };
    let input = |name: &'static str, label: &str, kind: &str| {
        html! { div {
            label for={ "admit-" (name) } { (label) }
            input id={ "admit-" (name) } name=(name) type=(kind) value=(fields.text(name))
                aria-invalid=[beside(name).map(|_| "true")];
            @if let Some(text) = beside(name) { div.field-error id={ "admit-" (name) "-error" } { (text) } }
        } }
    };
    let select = |name: &'static str, label: &str, options: &[(&str, &str)]| {
        html! { div {
            label for={ "admit-" (name) } { (label) }
            select id={ "admit-" (name) } name=(name) {
                @for (value, text) in options { option value=(value) selected[fields.text(name) == *value] { (text) } }
            }
            @if let Some(text) = beside(name) { div.field-error id={ "admit-" (name) "-error" } { (text) } }
        } }
    };
    html! {
        details.panel #admit open[refused.is_some()] {
            summary { "Принять в профсоюз по личному заявлению" }
            @if let Some(r) = refused.filter(|r| r.field.is_none()) {
                div.notice.bad #admit-error role="alert" { (r.text) }
            }
            form method="post" action={ "/desk/org/" (org.org_id) "/admit" } {
                (layout::csrf_field(visit))
                div.row { (input("lastName", "Фамилия", "text")) (input("firstName", "Имя", "text")) (input("patronymic", "Отчество", "text")) }
                div.row { (input("birthDate", "Дата рождения", "date")) (select("gender", "Пол", words::GENDERS)) (input("admittedOn", "Дата приёма", "date")) }
                div.row { (select("category", "Категория", words::CATEGORIES)) (select("profession", "Профессия", words::PROFESSIONS)) (input("position", "Должность", "text")) }
                div.row { (input("snils", "СНИЛС", "text")) (input("email", "Почта", "email")) (input("phone", "Телефон", "tel")) }
                div.row { (select("issueCard", "Членский билет", words::CARD_KINDS)) }
                div.actions { button type="submit" #admit-submit { "Принять" } }
            }
        }
    }
}
