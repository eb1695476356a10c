//! Meeting mode: a chair convenes a meeting of an organisation, then records
//! each member at the door by their card (typed or scanned from its QR code)
//! and sees the answer in large letters; the list of who came (names: read
//! recorded) downloads as CSV or XLSX. Every command and read goes through
//! `app::meetings` with the session's viewer.

use app::views::MeetingView;
use app::{Error, Viewer, input};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use documents::Format;
use maud::{Markup, html};

use crate::form::Fields;
use crate::visit::Visit;
use crate::{Web, csrf, fail, layout, verify, words};

/// `GET /meetings`: the meetings of the holder's own subtree.
pub async fn start(visit: Visit) -> Response {
    match &visit.viewer {
        Viewer::Holder(holder) => {
            Redirect::to(&format!("/meetings/org/{}", holder.org_id)).into_response()
        }
        _ => Redirect::to("/signin").into_response(),
    }
}

/// `GET /meetings/org/{id}`.
pub async fn list(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    match draw_list(&visit, &web, &id, &Fields::default(), None) {
        Ok(page) => page.into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

fn draw_list(
    visit: &Visit,
    web: &Web,
    id: &str,
    fields: &Fields,
    refused: Option<&str>,
) -> Result<Markup, Error> {
    let meetings = web.app.meetings(&visit.viewer, id)?;
    let org = web.app.named_organization(input::id(id, "orgId")?)?;
    let body = html! {
        h1 { "Собрания: " (org.name) }
        form.panel.narrow #convene method="post" action={ "/meetings/org/" (org.org_id) } {
            h2 { "Созвать собрание" }
            @if let Some(text) = refused { div.notice.bad #convene-error role="alert" { (text) } }
            (layout::csrf_field(visit))
            label for="title" { "Что за собрание" }
            input #title name="title" value=(fields.text("title")) placeholder="Профсоюзное собрание";
            label for="heldOn" { "Дата" }
            input #heldOn type="date" name="heldOn" value=(fields.text("heldOn"));
            div.actions { button type="submit" #convene-submit { "Созвать" } }
        }
        h2 { "Собрания организации и входящих в неё" }
        @if meetings.is_empty() { p.muted #no-meetings { "Собраний пока нет." } }
        ul.choices #meetings { @for meeting in &meetings {
            li { a href={ "/meetings/" (meeting.meeting_id) } {
                (words::date(meeting.held_on)) " — " (meeting.title)
                span.level { "присутствовали: " (meeting.attendees.len()) } } }
        } }
    };
    Ok(layout::page(visit, web, "Собрания", body))
}

/// `POST /meetings/org/{id}` (`title`, `heldOn`): convenes, then opens it.
pub async fn convene(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    let again = |text: String| match draw_list(&visit, &web, &id, &fields, Some(&text)) {
        Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    };
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return again("Страница устарела: отправьте форму ещё раз.".into());
    }
    let Some(title) = fields.optional("title") else {
        return again("Укажите, что за собрание.".into());
    };
    let held_on = match fields.optional("heldOn").map(|d| input::date(&d)) {
        None => None,
        Some(Ok(date)) => Some(date),
        Some(Err(_)) => return again("Укажите дату: день, месяц и год.".into()),
    };
    let convened = web
        .app
        .convene_meeting(
            &visit.viewer,
            app::meetings::ConveneMeeting {
                org_id: id.clone(),
                title,
                held_on,
                command_id: None,
            },
        )
        .await;
    match convened {
        Ok(meeting) => Redirect::to(&format!("/meetings/{}", meeting.meeting_id)).into_response(),
        Err(error) => again(fail::message(&error).1),
    }
}

/// What the last card at the door did.
enum Door {
    Present(String),
    Refused(String),
}

/// `GET /meetings/{id}`.
pub async fn page(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    match draw(&visit, &web, &id, None).await {
        Ok(page) => page.into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

/// `POST /meetings/{id}/attend` (`number`): the card at the door.
pub async fn attend(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    let door = if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        Door::Refused("Страница устарела: поднесите билет ещё раз.".into())
    } else {
        let recorded = web
            .app
            .record_attendance(
                &visit.viewer,
                app::meetings::RecordAttendance {
                    meeting_id: id.clone(),
                    number: fields.text("number").to_string(),
                    command_id: None,
                },
            )
            .await;
        match recorded {
            Ok(recorded) => Door::Present(recorded.person_id.to_string()),
            Err(
                error @ (Error::Forbidden(_) | Error::Unauthenticated | Error::NotFound { .. }),
            ) => {
                return fail::page(&visit, &web, &error);
            }
            Err(error) => Door::Refused(fail::message(&error).1),
        }
    };
    match draw(&visit, &web, &id, Some(door)).await {
        Ok(page) => page.into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

async fn draw(visit: &Visit, web: &Web, id: &str, door: Option<Door>) -> Result<Markup, Error> {
    let meeting: MeetingView = web.app.meeting(&visit.viewer, id)?;
    let org = web.app.named_organization(meeting.org_id)?;
    let reads = web.app.personal_reads(&visit.viewer);
    let mut came = Vec::with_capacity(meeting.attendees.len());
    for attendee in &meeting.attendees {
        reads.show(attendee.person_id)?;
        let member = web.app.member(&visit.viewer, attendee.person_id).ok();
        let name = member
            .as_ref()
            .map(app::meetings::full_name)
            .unwrap_or_default();
        let home = member
            .and_then(|m| web.app.named_organization(m.home).ok())
            .map(|o| o.name)
            .unwrap_or_default();
        came.push((attendee, name, home));
    }
    let present_name = match &door {
        Some(Door::Present(person)) => came
            .iter()
            .find(|(a, _, _)| a.person_id.to_string() == *person)
            .map(|(_, name, _)| name.clone()),
        _ => None,
    };
    let base = format!("/meetings/{}", meeting.meeting_id);
    let body = html! {
        nav.crumbs { a href={ "/meetings/org/" (org.org_id) } { "Собрания: " (org.name) } }
        h1 #meeting-title { (meeting.title) ", " (words::date(meeting.held_on)) }
        @match &door {
            Some(Door::Present(_)) => div.verdict.good #door data-result="PRESENT" role="status" {
                div.word { "ОТМЕЧЕН" } div.org { (present_name.unwrap_or_default()) } }
            Some(Door::Refused(text)) => div.verdict.bad #door data-result="REFUSED" role="alert" {
                div.word { "НЕ ОТМЕЧЕН" } div.org { (text) } }
            None => {}
        }
        form.panel.narrow #attend method="post" action={ (base) "/attend" } {
            (layout::csrf_field(visit))
            (verify::scanner(""))
        }
        h2 { "Присутствуют: " span #attendance-count { (came.len()) } }
        div.actions {
            a.button.secondary #export-xlsx href={ (base) "/attendance/xlsx" } download { "Скачать XLSX" }
            a.button.secondary #export-csv href={ (base) "/attendance/csv" } download { "Скачать CSV" }
        }
        table.wide #attendees {
            thead { tr { th { "№" } th { "Фамилия, имя, отчество" } th { "Организация" } th { "Билет" } } }
            tbody { @for (i, (attendee, name, home)) in came.iter().enumerate() {
                tr { td { (i + 1) } td { (name) } td { (home) } td { (attendee.number) } }
            } }
        }
    };
    reads.record().await?;
    Ok(layout::page_with_scanner(visit, web, "Собрание", body))
}

/// `GET /meetings/{id}/attendance/{format}`: who came, as `csv` or `xlsx`.
pub async fn export(
    visit: Visit,
    State(web): State<Web>,
    Path((id, format)): Path<(String, String)>,
) -> Response {
    let Some(format) = Format::parse(&format) else {
        return fail::page(&visit, &web, &Error::invalid("format", "xlsx, csv or pdf"));
    };
    let file = match web.app.attendance_file(&visit.viewer, &id, format).await {
        Ok(file) => file,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    let Ok(disposition) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", file.file_name))
    else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(file.content_type),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        file.bytes,
    )
        .into_response()
}

/// The verification and meeting pages.
pub fn routes() -> axum::Router<Web> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/verify", get(verify::form))
        .route("/verify/{number}", get(verify::number))
        .route("/meetings", get(start))
        .route("/meetings/org/{id}", get(list).post(convene))
        .route("/meetings/{id}", get(page))
        .route("/meetings/{id}/attend", post(attend))
        .route("/meetings/{id}/attendance/{format}", get(export))
}
