//! The union's library: search in Russian with filters and highlights, a
//! document's page with the beginning of its text, its versions and their
//! downloads, and for an ADMIN the upload form, a new version and the
//! withdrawal. Every read and command goes through `app::library` with the
//! session's viewer, which decides who reads which document.

mod forms;

use app::library::{LibraryHit, LibrarySearch};
use app::{Action, Error, Window, input};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use domain::library::{DocumentKind, Readers};
use maud::{Markup, html};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use crate::form::choice;
use crate::visit::Visit;
use crate::{Web, fail, layout, words};
use forms::{Refused, beside};

/// Largest upload form: the library's largest file and the form around it.
const UPLOAD_LIMIT: usize = app::library::MAX_FILE_BYTES + 64 * 1024;

/// Documents a page of results shows.
const PAGE: i64 = 20;

/// Characters of a document's text its page shows.
const PREVIEW_CHARS: usize = 3000;

/// The library's pages.
pub fn routes() -> axum::Router<Web> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/library", get(search))
        .route(
            "/library/upload",
            get(forms::upload_form)
                .post(forms::upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/library/{id}", get(document))
        .route(
            "/library/{id}/revise",
            post(forms::revise).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/library/{id}/withdraw", post(forms::withdraw))
        .route("/library/{id}/download", get(download))
        .route("/library/{id}/download/{version}", get(download_version))
}

/// The search form's fields.
#[derive(Deserialize, Default)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    after: Option<String>,
}

/// `GET /library?q=&kind=&issuer=&from=&to=&after=`.
pub async fn search(
    visit: Visit,
    State(web): State<Web>,
    Query(form): Query<SearchForm>,
) -> Response {
    match draw_search(&visit, &web, &form) {
        Ok(page) => page.into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

fn draw_search(visit: &Visit, web: &Web, form: &SearchForm) -> Result<Markup, Error> {
    let date = |text: &str, field| match text.trim() {
        "" => Ok(None),
        text => input::date(text)
            .map(Some)
            .map_err(|message| Error::invalid(field, message)),
    };
    let search = LibrarySearch {
        search: Some(form.q.clone()).filter(|q| !q.trim().is_empty()),
        kind: choice(&form.kind),
        issuer: Some(form.issuer.clone()).filter(|i| !i.trim().is_empty()),
        from: date(&form.from, "from")?,
        to: date(&form.to, "to")?,
        window: Window::Forward {
            first: PAGE,
            after: form.after.clone(),
        },
    };
    let page = web.app.library_documents(&visit.viewer, search)?;
    let issuers = web.app.library_issuers(&visit.viewer)?;
    let next = page.has_next_page.then(|| {
        let query = serde_urlencoded::to_string([
            ("q", form.q.as_str()),
            ("kind", form.kind.as_str()),
            ("issuer", form.issuer.as_str()),
            ("from", form.from.as_str()),
            ("to", form.to.as_str()),
            ("after", page.end_cursor.as_deref().unwrap_or("")),
        ])
        .unwrap_or_default();
        format!("/library?{query}")
    });
    let body = html! {
        h1 { "Библиотека" }
        @if visit.viewer.may(Action::WriteLibrary).is_ok() {
            p { a.button #upload-link href="/library/upload" { "Загрузить документ" } }
        }
        form.panel #library-search method="get" action="/library" {
            label for="q" { "Что найти" }
            input #q type="search" name="q" value=(form.q) placeholder="коллективный договор";
            div.row {
                div { label for="kind" { "Вид" }
                    select #kind name="kind" {
                        option value="" { "любой" }
                        @for kind in DocumentKind::ALL {
                            option value=(kind.code()) selected[form.kind == kind.code()] { (kind_word(kind)) }
                        }
                    } }
                div { label for="issuer" { "Кем издан" }
                    select #issuer name="issuer" {
                        option value="" { "кем угодно" }
                        @for issuer in &issuers {
                            option value=(issuer) selected[&form.issuer == issuer] { (issuer) }
                        }
                    } }
                div { label for="from" { "Издан с" } input #from type="date" name="from" value=(form.from); }
                div { label for="to" { "по" } input #to type="date" name="to" value=(form.to); }
            }
            div.actions { button type="submit" #search-submit { "Найти" } }
        }
        p #found-count { "Найдено документов: " (page.total_count) }
        ul.choices #documents { @for (_, hit) in &page.items { li { (found(hit)) } } }
        @if let Some(next) = next { p { a #next-page href=(next) { "Дальше" } } }
    };
    Ok(layout::page(visit, web, "Библиотека", body))
}

/// One document found, with its highlight.
fn found(hit: &LibraryHit) -> Markup {
    let document = &hit.document;
    html! {
        a.document href={ "/library/" (document.document_id) } { (document.title) }
        span.level { (kind_word(document.kind)) ", " (words::date(document.issued_on)) ", " (document.issuer) }
        @if let Some(highlight) = &hit.highlight {
            p.highlight {
                @for (text, marked) in pieces(&highlight.fragment, &highlight.marks) {
                    @if marked { mark { (text) } } @else { (text) }
                }
            }
        }
    }
}

/// `fragment` cut into its plain and marked pieces.
fn pieces(fragment: &str, marks: &[std::ops::Range<usize>]) -> Vec<(String, bool)> {
    let chars: Vec<char> = fragment.chars().collect();
    let mut pieces = Vec::new();
    let mut at = 0;
    for mark in marks {
        let (start, end) = (mark.start.min(chars.len()), mark.end.min(chars.len()));
        if start < at {
            continue;
        }
        pieces.push((chars[at..start].iter().collect(), false));
        pieces.push((chars[start..end].iter().collect(), true));
        at = end;
    }
    pieces.push((chars[at..].iter().collect(), false));
    pieces
}

/// `GET /library/{id}`.
pub async fn document(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    match draw_document(&visit, &web, &id, None) {
        Ok(page) => page.into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

fn draw_document(
    visit: &Visit,
    web: &Web,
    id: &str,
    refused: Option<&Refused>,
) -> Result<Markup, Error> {
    let document = web.app.library_document(&visit.viewer, id)?;
    let text = web.app.library_text(&visit.viewer, id)?;
    let audience = web
        .app
        .named_organization(document.audience.org_id)
        .map(|o| o.name)
        .unwrap_or_default();
    let preview: Option<String> = text.map(|t| t.chars().take(PREVIEW_CHARS).collect());
    let admin = web.app.changes_library_document(&visit.viewer, &document);
    let body = html! {
        h1 #document-title { (document.title) }
        @if let Some(refused) = refused.filter(|r| r.field.is_none()) {
            div.notice.bad #document-error role="alert" { (refused.text) } }
        @if let Some(withdrawn) = &document.withdrawn {
            div.notice.bad #withdrawn { "Документ отозван " (words::date(withdrawn.withdrawn_on)) ": " (withdrawn.reason) }
        }
        dl.facts {
            dt { "Вид" } dd #document-kind { (kind_word(document.kind)) }
            dt { "Дата" } dd { (words::date(document.issued_on)) }
            dt { "Кем издан" } dd #document-issuer { (document.issuer) }
            dt { "Для кого" } dd { (audience) ", " (readers_word(document.audience.readers)) }
        }
        p { a.button #download href={ "/library/" (document.document_id) "/download" } {
            "Скачать (" (document.current().file.file_name) ")" } }
        h2 { "Текст" }
        @match &preview {
            Some(text) if !text.trim().is_empty() => { pre.preview #preview { (text) } }
            _ => { p.muted #preview { "Текст этого файла прочитать не удалось; его можно скачать." } }
        }
        h2 { "Редакции" }
        ol #versions { @for version in &document.versions {
            li { a href={ "/library/" (document.document_id) "/download/" (version.version) } {
                "Редакция " (version.version) " от " (words::date(version.on)) } " — " (version.file.file_name)
                @if !version.note.is_empty() { " (" (version.note) ")" } }
        } }
        @if admin && document.withdrawn.is_none() {
            form.panel.narrow #revise method="post" enctype="multipart/form-data"
                action={ "/library/" (document.document_id) "/revise" } {
                h2 { "Новая редакция" }
                (layout::csrf_field(visit))
                label for="file" { "Файл" }
                input #file type="file" name="file" aria-invalid=[beside(refused, "file").map(|_| "true")];
                @if let Some(text) = beside(refused, "file") { div.field-error #file-error role="alert" { (text) } }
                label for="note" { "Что изменилось" } input #note name="note";
                @if let Some(text) = beside(refused, "note") { div.field-error #note-error role="alert" { (text) } }
                div.actions { button type="submit" #revise-submit { "Загрузить редакцию" } }
            }
            form.panel.narrow #withdraw method="post" action={ "/library/" (document.document_id) "/withdraw" } {
                h2 { "Отозвать документ" }
                (layout::csrf_field(visit))
                label for="reason" { "Причина" }
                input #reason name="reason" placeholder="Утратил силу" aria-invalid=[beside(refused, "reason").map(|_| "true")];
                @if let Some(text) = beside(refused, "reason") { div.field-error #reason-error role="alert" { (text) } }
                div.actions { button type="submit" #withdraw-submit { "Отозвать" } }
            }
        }
        p { a href="/library" { "К библиотеке" } }
    };
    Ok(layout::page(visit, web, &document.title, body))
}

/// `GET /library/{id}/download`: the version in force.
pub async fn download(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    file(&visit, &web, &id, None).await
}

/// `GET /library/{id}/download/{version}`.
pub async fn download_version(
    visit: Visit,
    State(web): State<Web>,
    Path((id, version)): Path<(String, u32)>,
) -> Response {
    file(&visit, &web, &id, Some(version)).await
}

async fn file(visit: &Visit, web: &Web, id: &str, version: Option<u32>) -> Response {
    match web.app.library_file(&visit.viewer, id, version).await {
        Ok(file) => {
            let disposition = content_disposition(&file.file_name);
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
        Err(error) => fail::page(visit, web, &error),
    }
}

/// An attachment under its own name (RFC 6266 `filename*` for Cyrillic,
/// an ASCII `filename` beside it).
fn content_disposition(name: &str) -> HeaderValue {
    let ascii: String = name
        .chars()
        .map(|c| match c {
            c if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') => c,
            _ => '_',
        })
        .collect();
    let encoded = utf8_percent_encode(name, NON_ALPHANUMERIC);
    HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("attachment"))
}

/// A kind of document in Russian.
pub fn kind_word(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Law => "Закон",
        DocumentKind::Charter => "Устав",
        DocumentKind::Regulation => "Положение",
        DocumentKind::CollectiveAgreement => "Коллективный договор, соглашение",
        DocumentKind::MethodGuide => "Методические рекомендации",
        DocumentKind::Template => "Образец документа",
        DocumentKind::Consultation => "Консультация",
        DocumentKind::Other => "Другое",
    }
}

/// Who reads a document, in Russian.
pub fn readers_word(readers: Readers) -> &'static str {
    match readers {
        Readers::Everyone => "все сотрудники с доступом",
        Readers::Chairs => "только председатели",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_highlight_is_cut_into_plain_and_marked_pieces() {
        let pieces = pieces("заключили договор на год", &[10..17, 21..24]);
        assert_eq!(
            pieces,
            [
                ("заключили ".to_string(), false),
                ("договор".to_string(), true),
                (" на ".to_string(), false),
                ("год".to_string(), true),
                (String::new(), false)
            ]
        );
    }
}
