//! The auditors' journal: the events of the holder's subtree (the whole log
//! at the root) in the log's order, a page at a time, one plain line each, filtered by type,
//! actor and stream (a stream of one person is their full history); an
//! event's payload on its own page, its personal data only for roles that
//! see it and recorded as read before the page leaves.

use app::journal::{JournalEvent, JournalQuery};
use app::{Error, Page};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use crate::visit::Visit;
use crate::{Web, fail, layout};

/// Events shown on one page.
const SHOWN: usize = 50;

/// Journal pages read looking for events that pass the filters, at most.
const SCANNED_PAGES: usize = 20;

/// The stored types, as the filter offers them (type, words).
const TYPES: &[(&str, &str)] = &[
    ("MemberAdmitted", "приём"),
    ("MemberTransferred", "перевод"),
    ("MemberProfileUpdated", "изменение данных"),
    ("MembershipEnded", "прекращение членства"),
    ("PersonalDataErased", "удаление персональных данных"),
    ("CardIssued", "выдача билета"),
    ("CardBlocked", "блокировка билета"),
    ("ApplicationSubmitted", "заявление"),
    ("ApplicationApproved", "одобрение заявления"),
    ("ApplicationRejected", "отказ по заявлению"),
    ("OrganizationRegistered", "регистрация организации"),
    ("OrganizationRenamed", "переименование организации"),
    ("OrganizationMoved", "перемещение организации"),
    ("OrganizationPassportUpdated", "паспорт организации"),
    ("OrganizationDissolved", "ликвидация организации"),
    ("RoleGranted", "выдача роли"),
    ("RoleRevoked", "отзыв роли"),
    ("MeetingConvened", "созыв собрания"),
    ("AttendanceRecorded", "присутствие на собрании"),
    ("PersonalDataRead", "просмотр персональных данных"),
];

/// `?type=…&actor=…&stream=…&after=…`
#[derive(Debug, Default, Deserialize)]
pub struct JournalFilters {
    r#type: Option<String>,
    actor: Option<String>,
    stream: Option<String>,
    after: Option<String>,
}

/// `GET /journal`.
pub async fn page(
    visit: Visit,
    State(web): State<Web>,
    Query(filters): Query<JournalFilters>,
) -> Response {
    match draw(&visit, &web, &filters).await {
        Ok(page) => page.into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

fn blank(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|t| !t.is_empty())
}

async fn draw(visit: &Visit, web: &Web, filters: &JournalFilters) -> Result<Markup, Error> {
    let kind = blank(&filters.r#type);
    let actor = blank(&filters.actor);
    let stream = blank(&filters.stream);
    let mut shown: Vec<JournalEvent> = Vec::new();
    let mut after = blank(&filters.after).map(str::to_string);
    let mut more = false;
    for _ in 0..SCANNED_PAGES {
        let page: Page<JournalEvent> = web
            .app
            .events(
                &visit.viewer,
                JournalQuery {
                    from_position: 0,
                    stream: stream.map(str::to_string),
                    first: 200,
                    after: after.clone(),
                    count_total: false,
                },
            )
            .await?;
        more = page.has_next_page;
        after = page.end_cursor.clone();
        for (_, event) in page.items {
            let passes = kind.is_none_or(|k| event.stored.event_type == k)
                && actor.is_none_or(|a| {
                    event.stored.actor == a
                        || label(web, &event.stored.actor).is_some_and(|l| l.contains(a))
                });
            if passes && shown.len() < SHOWN {
                shown.push(event);
            }
        }
        if shown.len() >= SHOWN || !more {
            break;
        }
    }
    let next = after.filter(|_| more).map(|cursor| {
        let mut pairs = vec![("after", cursor)];
        for (name, value) in [("type", kind), ("actor", actor), ("stream", stream)] {
            if let Some(value) = value {
                pairs.push((name, value.to_string()));
            }
        }
        format!(
            "/journal?{}",
            serde_urlencoded::to_string(&pairs).unwrap_or_default()
        )
    });
    let body = html! {
        h1 { "Журнал событий" }
        form.panel method="get" action="/journal" {
            div.row {
                div { label for="type" { "Событие" }
                    select #type name="type" {
                        option value="" { "все" }
                        @for (value, words) in TYPES { option value=(value) selected[kind == Some(*value)] { (words) } }
                    } }
                div { label for="actor" { "Кто (идентификатор или имя)" }
                    input #actor name="actor" value=(actor.unwrap_or("")); }
                div { label for="stream" { "Поток (например, person-… — вся история человека)" }
                    input #stream name="stream" value=(stream.unwrap_or("")); }
            }
            div.actions { button type="submit" { "Показать" } a href="/journal" { "Сбросить" } }
        }
        @if shown.is_empty() {
            p.muted #no-events { "Событий с такими условиями нет." }
        } @else {
            table.wide #events {
                thead { tr { th.num { "№" } th { "Записано" } th { "Событие" } th { "Кто" } th { "" } } }
                tbody { @for event in &shown {
                    @let stored = &event.stored;
                    tr data-type=(stored.event_type) {
                        td.num { (stored.position) }
                        td { (stored.recorded_at.format("%d.%m.%Y %H:%M:%S")) " UTC"
                            @if let Some(on) = stored.effective_on { br; span.muted { "с " (crate::words::date(on)) } } }
                        td { (web.app.journal_line(event))
                            @if stored.stream.starts_with("person-") {
                                br; a.muted href={ "/journal?stream=" (stored.stream) } { "вся история" }
                            } }
                        td { (label(web, &stored.actor).unwrap_or_else(|| stored.actor.clone())) }
                        td { a href={ "/journal/event/" (stored.position) } { "данные" } }
                    }
                } }
            }
        }
        @if let Some(next) = next { p.pager { a #next href=(next) { "Дальше" } } }
    };
    Ok(layout::page(visit, web, "Журнал событий", body))
}

/// The label of a holder named as an actor by their user id.
fn label(web: &Web, actor: &str) -> Option<String> {
    web.app.holder_label(actor.parse().ok()?)
}

/// `GET /journal/event/{position}`: one event's payload.
pub async fn event(visit: Visit, State(web): State<Web>, Path(position): Path<String>) -> Response {
    match draw_event(&visit, &web, &position).await {
        Ok(page) => page.into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

async fn draw_event(visit: &Visit, web: &Web, position: &str) -> Result<Markup, Error> {
    let position: i64 = position
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or(Error::NotFound { what: "event" })?;
    let page = web
        .app
        .events(
            &visit.viewer,
            JournalQuery {
                from_position: position - 1,
                stream: None,
                first: 1,
                after: None,
                count_total: false,
            },
        )
        .await?;
    let event = page
        .items
        .into_iter()
        .map(|(_, event)| event)
        .find(|event| event.stored.position == position as u64)
        .ok_or(Error::NotFound { what: "event" })?;
    let reads = web.app.personal_reads(&visit.viewer);
    let data = event.data(Some(&reads))?;
    let pretty = serde_json::to_string_pretty(&data).map_err(Error::internal)?;
    let stored = &event.stored;
    let body = html! {
        nav.crumbs { a href="/journal" { "Журнал" } }
        h1 { "Событие № " (stored.position) }
        div.panel {
            p #event-line { (web.app.journal_line(&event)) }
            p.muted { (stored.event_type) " · поток " (stored.stream) " · версия " (stored.version)
                " · " (stored.recorded_at.format("%d.%m.%Y %H:%M:%S")) " UTC · "
                (label(web, &stored.actor).unwrap_or_else(|| stored.actor.clone())) }
            pre #event-data { (pretty) }
        }
    };
    reads.record().await?;
    Ok(layout::page(visit, web, "Событие журнала", body))
}
