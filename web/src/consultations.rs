//! Consultations: the asker's view in the cabinet (ask the region's legal
//! or methodological service, the list of one's questions, each thread) and
//! the service's desk (questions addressed to it, open or answered; the
//! thread; answer, close, publish to the library without the asker's name).
//!
//! Who asks, who answers and who sees which question is `app`'s; every
//! question shown with its asker is a read recorded before the page is sent.

use app::consultations::{
    AnswerConsultationInput, AskConsultationInput, ConsultationState, PublishConsultationInput,
    Question,
};
use app::{Error, Viewer};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::consultation::Service;
use maud::{Markup, html};
use serde::Deserialize;

use crate::form::{Fields, choice};
use crate::visit::Visit;
use crate::{Web, csrf, fail, layout, words};

/// A question's form: its fields and an attachment of up to 10 MiB.
const ASK_LIMIT: usize = app::library::MAX_FILE_BYTES + 64 * 1024;

/// The consultations' pages.
pub fn routes() -> Router<Web> {
    Router::new()
        .route(
            "/cabinet/consultations",
            get(mine).post(ask).layer(DefaultBodyLimit::max(ASK_LIMIT)),
        )
        .route("/desk/consultations", get(desk))
        .route("/consultations/{id}", get(thread))
        .route("/consultations/{id}/attachment", get(attachment))
        .route("/consultations/{id}/answer", post(answer))
        .route("/consultations/{id}/close", post(close))
        .route("/consultations/{id}/publish", post(publish))
}

/// A service in Russian.
pub fn service_word(service: Service) -> &'static str {
    match service {
        Service::Legal => "Правовая служба",
        Service::Methodological => "Методическая служба",
    }
}

/// Where a question is, in Russian.
fn state_word(question: &Question) -> &'static str {
    let view = &question.view;
    match (view.closed_on.is_some(), view.answered()) {
        (true, _) => "Закрыт",
        (false, true) => "Есть ответ",
        (false, false) => "Ждёт ответа",
    }
}

/// A refusal beside the field it belongs to: (field, message).
type Beside = Option<(&'static str, String)>;

fn field_error(beside: &Beside, field: &str) -> Markup {
    let text = beside
        .as_ref()
        .filter(|(at, _)| *at == field)
        .map(|(_, text)| text);
    html! {
        @if let Some(text) = text {
            div.field-error id={ (field) "-error" } role="alert" { (text) }
        }
    }
}

/// `aria-invalid` for a field the refusal is beside.
fn invalid(beside: &Beside, field: &str) -> Option<&'static str> {
    beside
        .as_ref()
        .filter(|(at, _)| *at == field)
        .map(|_| "true")
}

/// Where `error` is shown: beside its field, or above the form.
fn placed(error: &Error) -> (Beside, Option<String>) {
    let (field, text) = fail::message(error);
    let text = match field {
        Some("content") => "Файл не подходит: можно приложить PDF, DOCX, ODT или простой текст \
                            до 10 МБ (вид файла определяется по содержимому)."
            .to_string(),
        _ => text,
    };
    match field {
        Some(f @ ("topic" | "text" | "content" | "fileName" | "question" | "answer" | "title")) => {
            (
                Some((if f == "fileName" { "content" } else { f }, text)),
                None,
            )
        }
        _ => (None, Some(text)),
    }
}

/// `GET /cabinet/consultations`: the asker's questions and the form.
async fn mine(visit: Visit, State(web): State<Web>) -> Response {
    asker_page(
        &visit,
        &web,
        &Fields::default(),
        &None,
        None,
        StatusCode::OK,
    )
    .await
}

async fn asker_page(
    visit: &Visit,
    web: &Web,
    fields: &Fields,
    beside: &Beside,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    if matches!(visit.viewer, Viewer::Anonymous) {
        return Redirect::to("/cabinet").into_response();
    }
    let reads = web.app.personal_reads(&visit.viewer);
    let mine = match web
        .app
        .consultations(&visit.viewer, ConsultationState::All, None, &reads)
    {
        Ok(found) => found.into_iter().filter(|q| !q.answers).collect::<Vec<_>>(),
        Err(error) => return fail::page(visit, web, &error),
    };
    if let Err(error) = reads.record().await {
        return fail::page(visit, web, &error);
    }
    let asks = web.app.asks_consultations(&visit.viewer);
    let body = html! {
        h1 { "Консультации" }
        p.crumbs { a href="/cabinet" { "Личный кабинет" } }
        @if let Some(text) = notice { div.notice.bad #ask-error role="alert" { (text) } }
        @if asks {
            form.panel.narrow #ask method="post" action="/cabinet/consultations" enctype="multipart/form-data" {
                h2 { "Задать вопрос" }
                p.muted { "Вопрос уйдёт в службу вашей региональной организации профсоюза. \
                    Ответ придёт на вашу электронную почту и появится здесь." }
                (layout::csrf_field(visit))
                label for="service" { "Служба" }
                select #service name="service" {
                    option value="LEGAL" selected[fields.text("service") != "METHODOLOGICAL"] { (service_word(Service::Legal)) }
                    option value="METHODOLOGICAL" selected[fields.text("service") == "METHODOLOGICAL"] { (service_word(Service::Methodological)) }
                }
                label for="topic" { "Тема" }
                input #topic name="topic" maxlength="200" value=(fields.text("topic"))
                    aria-invalid=[invalid(beside, "topic")];
                (field_error(beside, "topic"))
                label for="text" { "Вопрос" }
                textarea #text name="text" rows="8"
                    aria-invalid=[invalid(beside, "text")] { (fields.text("text")) }
                (field_error(beside, "text"))
                label for="file" { "Файл, если нужен (PDF, DOCX, ODT или текст, до 10 МБ)" }
                input #file type="file" name="file";
                (field_error(beside, "content"))
                div.actions { button #ask-submit type="submit" { "Отправить вопрос" } }
            }
        }
        section.panel #my-questions {
            h2 { "Мои вопросы" }
            @if mine.is_empty() { p.muted #no-questions { "Вы пока не задавали вопросов." } }
            @else {
                table {
                    thead { tr { th { "Дата" } th { "Тема" } th { "Служба" } th { "Состояние" } } }
                    tbody { @for q in &mine { tr.question {
                        td { (words::date(q.view.asked_on)) }
                        td { a href={ "/consultations/" (q.view.consultation_id) } {
                            (q.view.asked.as_ref().map(|a| a.topic.as_str()).unwrap_or("—")) } }
                        td { (service_word(q.view.service)) }
                        td.state { (state_word(q)) }
                    } } }
                }
            }
        }
    };
    (status, layout::page(visit, web, "Консультации", body)).into_response()
}

/// A multipart form's text fields and its one file.
struct Upload {
    fields: Fields,
    file_name: String,
    bytes: Vec<u8>,
}

async fn read_multipart(mut multipart: Multipart) -> Option<Upload> {
    let mut upload = Upload {
        fields: Fields::default(),
        file_name: String::new(),
        bytes: Vec::new(),
    };
    while let Some(field) = multipart.next_field().await.ok()? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            upload.file_name = field.file_name().unwrap_or_default().to_string();
            upload.bytes = field.bytes().await.ok()?.to_vec();
        } else {
            let value = field.text().await.ok()?;
            upload.fields = upload.fields.with(&name, &value);
        }
    }
    Some(upload)
}

/// `POST /cabinet/consultations` (multipart: `service`, `topic`, `text`, `file`).
async fn ask(visit: Visit, State(web): State<Web>, multipart: Multipart) -> Response {
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    let Some(form) = read_multipart(multipart).await else {
        let text = "Форма не дошла целиком (файл больше 10 МБ?). Попробуйте ещё раз.";
        return asker_page(
            &visit,
            &web,
            &Fields::default(),
            &None,
            Some(text),
            unprocessable,
        )
        .await;
    };
    let fields = &form.fields;
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        let text = "Страница устарела: отправьте форму ещё раз.";
        return asker_page(
            &visit,
            &web,
            fields,
            &None,
            Some(text),
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let service = choice::<Service>(fields.text("service")).unwrap_or(Service::Legal);
    let attached = !form.bytes.is_empty();
    let asked = web
        .app
        .ask_consultation(
            &visit.viewer,
            AskConsultationInput {
                service,
                topic: fields.text("topic").to_string(),
                text: fields.text("text").to_string(),
                file_name: attached.then(|| form.file_name.clone()),
                content: attached.then(|| STANDARD.encode(&form.bytes)),
                command_id: None,
            },
        )
        .await;
    match asked {
        Ok(question) => {
            Redirect::to(&format!("/consultations/{}", question.consultation_id)).into_response()
        }
        Err(error @ (Error::Validation { .. } | Error::NotFound { .. })) => {
            let (beside, notice) = placed(&error);
            asker_page(
                &visit,
                &web,
                fields,
                &beside,
                notice.as_deref(),
                unprocessable,
            )
            .await
        }
        Err(error) => fail::page(&visit, &web, &error),
    }
}

/// The desk's filters.
#[derive(Deserialize, Default)]
struct DeskFilter {
    state: Option<String>,
    service: Option<String>,
}

/// `GET /desk/consultations`: the questions addressed to the viewer's service.
async fn desk(visit: Visit, State(web): State<Web>, Query(filter): Query<DeskFilter>) -> Response {
    if !web.app.answers_consultations(&visit.viewer) {
        let refused = match &visit.viewer {
            Viewer::Holder(holder) => app::Refusal::Role {
                role: holder.role,
                action: app::Action::AnswerConsultations,
            }
            .into(),
            _ => Error::Unauthenticated,
        };
        return fail::page(&visit, &web, &refused);
    }
    let state_code = filter.state.as_deref().unwrap_or("open");
    let state = match state_code {
        "answered" => ConsultationState::Answered,
        "closed" => ConsultationState::Closed,
        "all" => ConsultationState::All,
        _ => ConsultationState::Open,
    };
    let service = filter.service.as_deref().and_then(choice::<Service>);
    let reads = web.app.personal_reads(&visit.viewer);
    let found = match web.app.consultations(&visit.viewer, state, service, &reads) {
        Ok(found) => found.into_iter().filter(|q| q.answers).collect::<Vec<_>>(),
        Err(error) => return fail::page(&visit, &web, &error),
    };
    if let Err(error) = reads.record().await {
        return fail::page(&visit, &web, &error);
    }
    let tab = |code: &str, word: &str| {
        let href = match &filter.service {
            Some(s) => format!("/desk/consultations?state={code}&service={s}"),
            None => format!("/desk/consultations?state={code}"),
        };
        html! { @if code == state_code { strong id={ "tab-" (code) } { (word) } }
        @else { a.button.secondary id={ "tab-" (code) } href=(href) { (word) } } }
    };
    let body = html! {
        h1 { "Консультации: вопросы в службы" }
        form.inline #desk-filter method="get" action="/desk/consultations" {
            input type="hidden" name="state" value=(state_code);
            label for="service-filter" { "Служба" }
            select #service-filter name="service" {
                option value="" { "Все службы" }
                @for s in [Service::Legal, Service::Methodological] {
                    @let code = if s == Service::Legal { "LEGAL" } else { "METHODOLOGICAL" };
                    option value=(code) selected[filter.service.as_deref() == Some(code)] { (service_word(s)) }
                }
            }
            button #filter-submit type="submit" { "Показать" }
        }
        p.actions #tabs { (tab("open", "Ждут ответа")) (tab("answered", "С ответом")) (tab("closed", "Закрытые")) (tab("all", "Все")) }
        @if found.is_empty() { p.muted #no-questions { "Вопросов нет." } }
        @else {
            table #questions {
                thead { tr { th { "Дата" } th { "Тема" } th { "Кто спрашивает" } th { "Служба" } th { "Состояние" } } }
                tbody { @for q in &found { tr.question {
                    td { (words::date(q.view.asked_on)) }
                    td { a href={ "/consultations/" (q.view.consultation_id) } {
                        (q.view.asked.as_ref().map(|a| a.topic.as_str()).unwrap_or("(данные автора удалены)")) } }
                    td { (q.asker_name.as_deref().unwrap_or("—")) }
                    td { (service_word(q.view.service)) }
                    td.state { (state_word(q)) }
                } } }
            }
        }
    };
    layout::page(&visit, &web, "Консультации", body).into_response()
}

/// `GET /consultations/{id}`: the thread, with the service's forms.
async fn thread(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    thread_page(
        &visit,
        &web,
        &id,
        &Fields::default(),
        &None,
        None,
        StatusCode::OK,
    )
    .await
}

async fn thread_page(
    visit: &Visit,
    web: &Web,
    id: &str,
    fields: &Fields,
    beside: &Beside,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    let reads = web.app.personal_reads(&visit.viewer);
    let question = match web.app.consultation(&visit.viewer, id, &reads) {
        Ok(question) => question,
        Err(error) => return fail::page(visit, web, &error),
    };
    if let Err(error) = reads.record().await {
        return fail::page(visit, web, &error);
    }
    let view = &question.view;
    let asked = view.asked.as_ref();
    let topic = asked.map(|a| a.topic.as_str()).unwrap_or("Вопрос");
    let joined_answers: String = view
        .answers
        .iter()
        .filter_map(|a| a.text.as_deref())
        .collect::<Vec<_>>()
        .join("\n\n");
    let or = |name: &str, default: &str| {
        let given = fields.text(name);
        if given.is_empty() {
            default.to_string()
        } else {
            given.to_string()
        }
    };
    let body = html! {
        p.crumbs {
            @if question.answers { a href="/desk/consultations" { "Консультации" } }
            @else { a href="/cabinet/consultations" { "Мои вопросы" } }
        }
        h1 #topic { (topic) }
        @if let Some(text) = notice { div.notice.bad #thread-error role="alert" { (text) } }
        section.panel #question {
            p.muted {
                (service_word(view.service)) ", " (question.region) " · " (words::date(view.asked_on))
                " · " span #state { (state_word(&question)) }
            }
            @if let Some(name) = &question.asker_name { p #asker { "Спрашивает: " (name) } }
            @match asked {
                Some(asked) => {
                    div #question-text { @for line in asked.text.lines() { p { (line) } } }
                    @if let Some(attachment) = &asked.attachment {
                        p { a #attachment href={ "/consultations/" (view.consultation_id) "/attachment" } { "Приложенный файл: " (attachment.file.file_name) } }
                    }
                }
                None => { p.muted #erased { "Персональные данные автора удалены: текст вопроса и ответов стёрт." } }
            }
        }
        section.panel #answers {
            h2 { "Ответы" }
            @if view.answers.is_empty() { p.muted #no-answers { "Ответа пока нет." } }
            @for answer in &view.answers {
                div.answer id={ "answer-" (answer.message) } {
                    p.muted { "Ответ службы, " (words::date(answer.on)) }
                    @match &answer.text {
                        Some(text) => { @for line in text.lines() { p { (line) } } }
                        None => { p.muted { "(стёрт)" } }
                    }
                }
            }
        }
        @if let Some((document, on)) = view.published {
            p.notice.good #published { "Опубликовано в библиотеке " (words::date(on)) ": "
                a #published-link href={ "/library/" (document) } { "открыть документ" } }
        }
        @if question.answers && view.closed_on.is_none() && asked.is_some() {
            form.panel #answer-form method="post" action={ "/consultations/" (view.consultation_id) "/answer" } {
                h2 { "Ответить" }
                (layout::csrf_field(visit))
                label for="answer-text" { "Текст ответа" }
                textarea #answer-text name="text" rows="8"
                    aria-invalid=[invalid(beside, "text")] { (fields.text("text")) }
                (field_error(beside, "text"))
                p.muted { "Автор получит ответ по электронной почте и увидит его в личном кабинете." }
                div.actions { button #answer-submit type="submit" { "Отправить ответ" } }
            }
            form.panel method="post" action={ "/consultations/" (view.consultation_id) "/close" } {
                (layout::csrf_field(visit))
                div.actions { button.secondary #close-submit type="submit" { "Закрыть вопрос" } }
            }
        }
        @if question.publishes && view.published.is_none() && view.answered() {
            form.panel #publish-form method="post" action={ "/consultations/" (view.consultation_id) "/publish" } {
                h2 { "Опубликовать в библиотеке" }
                p.muted { "Опубликуется только то, что написано ниже: уберите из вопроса имя автора \
                    и всё, по чему его можно узнать. Документ увидят все в региональной организации." }
                (layout::csrf_field(visit))
                label for="publish-title" { "Название" }
                input #publish-title name="title" value=(or("title", &format!("Консультация: {topic}")));
                (field_error(beside, "title"))
                label for="publish-question" { "Вопрос (без имени автора)" }
                textarea #publish-question name="question" rows="6" { (or("question", asked.map(|a| a.text.as_str()).unwrap_or(""))) }
                (field_error(beside, "question"))
                label for="publish-answer" { "Ответ" }
                textarea #publish-answer name="answer" rows="8" { (or("answer", &joined_answers)) }
                (field_error(beside, "answer"))
                div.actions { button #publish-submit type="submit" { "Опубликовать" } }
            }
        }
    };
    (status, layout::page(visit, web, topic, body)).into_response()
}

/// The fields of a thread's form, once its CSRF token holds.
fn checked(visit: &Visit, web: &Web, body: &Bytes) -> Option<Fields> {
    let fields = Fields::parse(body).unwrap_or_default();
    visit
        .csrf_ok(web, fields.text(csrf::FIELD))
        .then_some(fields)
}

/// After a service's command: back to the thread, or the form again with
/// the refusal beside its field.
async fn after(
    visit: &Visit,
    web: &Web,
    id: &str,
    fields: &Fields,
    done: Result<app::views::ConsultationView, Error>,
) -> Response {
    match done {
        Ok(_) => Redirect::to(&format!("/consultations/{id}")).into_response(),
        Err(error @ (Error::Validation { .. } | Error::Conflict(_))) => {
            let (beside, notice) = placed(&error);
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            thread_page(visit, web, id, fields, &beside, notice.as_deref(), status).await
        }
        Err(error) => fail::page(visit, web, &error),
    }
}

fn stale_thread(id: &str) -> Response {
    Redirect::to(&format!("/consultations/{id}")).into_response()
}

/// `POST /consultations/{id}/answer` (`text`).
async fn answer(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(fields) = checked(&visit, &web, &body) else {
        return stale_thread(&id);
    };
    let done = web
        .app
        .answer_consultation(
            &visit.viewer,
            AnswerConsultationInput {
                consultation_id: id.clone(),
                text: fields.text("text").to_string(),
                command_id: None,
            },
        )
        .await;
    after(&visit, &web, &id, &fields, done).await
}

/// `POST /consultations/{id}/close`.
async fn close(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(fields) = checked(&visit, &web, &body) else {
        return stale_thread(&id);
    };
    let done = web.app.close_consultation(&visit.viewer, &id, None).await;
    after(&visit, &web, &id, &fields, done).await
}

/// `POST /consultations/{id}/publish` (`title`, `question`, `answer`).
async fn publish(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Some(fields) = checked(&visit, &web, &body) else {
        return stale_thread(&id);
    };
    let done = web
        .app
        .publish_consultation(
            &visit.viewer,
            PublishConsultationInput {
                consultation_id: id.clone(),
                title: fields.text("title").to_string(),
                question: fields.text("question").to_string(),
                answer: fields.text("answer").to_string(),
                command_id: None,
            },
        )
        .await;
    after(&visit, &web, &id, &fields, done).await
}

/// `GET /consultations/{id}/attachment`.
async fn attachment(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    let reads = web.app.personal_reads(&visit.viewer);
    let file = web
        .app
        .consultation_attachment(&visit.viewer, &id, &reads)
        .await;
    if let Err(error) = reads.record().await {
        return fail::page(&visit, &web, &error);
    }
    match file {
        Ok(file) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(file.content_type),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("attachment"),
                ),
            ],
            file.bytes,
        )
            .into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}
