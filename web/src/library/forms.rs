//! The library's forms for an ADMIN: the upload, a new version and the
//! withdrawal, each refusal beside the field it is about.

use app::library::{ReviseLibraryDocument, UploadLibraryDocument, WithdrawLibraryDocument};
use app::views::Holder;
use app::{Action, Error, Viewer, input};
use axum::body::Bytes;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::library::{DocumentKind, Readers};
use maud::{Markup, html};

use super::{draw_document, kind_word, readers_word};
use crate::form::{Fields, choice};
use crate::visit::Visit;
use crate::{Web, csrf, fail, layout};

/// Why a form came back: the message, and the field it belongs beside
/// (the form's own name for it), or above the form when none.
pub(super) struct Refused<'a> {
    pub(super) field: Option<&'static str>,
    pub(super) text: &'a str,
}

impl<'a> Refused<'a> {
    /// A message beside `field`.
    fn beside(field: &'static str, text: &'a str) -> Refused<'a> {
        Refused {
            field: Some(field),
            text,
        }
    }

    /// Its text if it belongs beside `field`.
    fn at(&self, field: &str) -> Option<&str> {
        (self.field == Some(field)).then_some(self.text)
    }
}

/// The upload and revise forms' name for the field `app` refused (in the
/// API's spelling): the file's content and its name are the file field.
fn form_field(field: Option<&'static str>) -> Option<&'static str> {
    match field? {
        "content" | "fileName" => Some("file"),
        "audienceOrgId" => Some("audience"),
        field @ ("title" | "kind" | "issuedOn" | "issuer" | "readers" | "note" | "reason") => {
            Some(field)
        }
        _ => None,
    }
}

/// `error` as a refusal beside its field where the form has it.
fn refusal(error: &Error) -> (Option<&'static str>, String) {
    let (field, text) = fail::message(error);
    (form_field(field), text)
}

/// The text of `refused` if it belongs beside `field`.
pub(super) fn beside<'a>(refused: Option<&'a Refused>, field: &str) -> Option<&'a str> {
    refused.and_then(|r| r.at(field))
}

/// `GET /library/upload`: the form, for an ADMIN.
pub async fn upload_form(visit: Visit, State(web): State<Web>) -> Response {
    if let Err(error) = visit.viewer.may(Action::WriteLibrary) {
        return fail::page(&visit, &web, &error);
    }
    draw_upload(&visit, &web, &Fields::default(), None).into_response()
}

fn draw_upload(visit: &Visit, web: &Web, fields: &Fields, refused: Option<&Refused>) -> Markup {
    let home = match &visit.viewer {
        Viewer::Holder(Holder { org_id, .. }) => Some(*org_id),
        _ => None,
    };
    // The holder's own organisation and those directly under it.
    let mut audiences = Vec::new();
    if let Some(home) = home {
        if let Ok(org) = web.app.named_organization(home) {
            audiences.push((org.org_id.to_string(), org.name));
        }
        if let Ok(children) = web.app.children(&visit.viewer, home, 500, None) {
            audiences.extend(
                children
                    .items
                    .into_iter()
                    .map(|(_, org)| (org.org_id.to_string(), org.name)),
            );
        }
    }
    let invalid = |field: &str| beside(refused, field).map(|_| "true");
    let error = |field: &str| {
        html! { @if let Some(text) = beside(refused, field) {
        div.field-error id={ (field) "-error" } role="alert" { (text) } } }
    };
    let body = html! {
        h1 { "Загрузить документ" }
        form.panel.narrow #upload method="post" action="/library/upload" enctype="multipart/form-data" {
            @if let Some(refused) = refused.filter(|r| r.field.is_none()) {
                div.notice.bad #upload-error role="alert" { (refused.text) } }
            (layout::csrf_field(visit))
            label for="title" { "Название" }
            input #title name="title" value=(fields.text("title")) aria-invalid=[invalid("title")];
            (error("title"))
            label for="kind" { "Вид" }
            select #kind name="kind" aria-invalid=[invalid("kind")] { @for kind in DocumentKind::ALL {
                option value=(kind.code()) selected[fields.text("kind") == kind.code()] { (kind_word(kind)) } } }
            (error("kind"))
            label for="issuedOn" { "Дата документа" }
            input #issuedOn type="date" name="issuedOn" value=(fields.text("issuedOn")) aria-invalid=[invalid("issuedOn")];
            (error("issuedOn"))
            label for="issuer" { "Кем издан" }
            input #issuer name="issuer" value=(fields.text("issuer")) placeholder="Государственная Дума" aria-invalid=[invalid("issuer")];
            (error("issuer"))
            label for="audience" { "Для кого" }
            select #audience name="audience" aria-invalid=[invalid("audience")] { @for (id, name) in &audiences {
                option value=(id) selected[fields.text("audience") == id] { (name) } } }
            div.hint { "Документ увидят в этой организации и во всех, что в неё входят." }
            (error("audience"))
            label for="readers" { "Кто читает" }
            select #readers name="readers" {
                option value="EVERYONE" { (readers_word(Readers::Everyone)) }
                option value="CHAIRS" selected[fields.text("readers") == "CHAIRS"] { (readers_word(Readers::Chairs)) }
            }
            label for="file" { "Файл" }
            input #file type="file" name="file" accept=".pdf,.docx,.odt,.txt" aria-invalid=[invalid("file")];
            div.hint { "PDF, DOCX, ODT или простой текст, до 10 МБ. Вид файла проверяется по содержимому." }
            (error("file"))
            div.actions { button type="submit" #upload-submit { "Загрузить" } }
        }
    };
    layout::page(visit, web, "Загрузить документ", body)
}

/// A multipart form's text fields and its one file.
struct Upload {
    fields: Fields,
    file_name: String,
    bytes: Vec<u8>,
}

/// Reads a multipart form; a broken one is `None`.
async fn read_multipart(mut multipart: Multipart) -> Option<Upload> {
    let mut fields = Fields::default();
    let mut file_name = String::new();
    let mut bytes = Vec::new();
    while let Some(field) = multipart.next_field().await.ok()? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            file_name = field.file_name().unwrap_or_default().to_string();
            bytes = field.bytes().await.ok()?.to_vec();
        } else {
            let value = field.text().await.ok()?;
            fields = fields.with(&name, &value);
        }
    }
    Some(Upload {
        fields,
        file_name,
        bytes,
    })
}

/// `POST /library/upload` (multipart: the fields and `file`).
pub async fn upload(visit: Visit, State(web): State<Web>, multipart: Multipart) -> Response {
    let Some(form) = read_multipart(multipart).await else {
        let text = "Форма не дошла целиком (файл больше 10 МБ?). Попробуйте ещё раз.";
        let refused = Refused::beside("file", text);
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            draw_upload(&visit, &web, &Fields::default(), Some(&refused)),
        )
            .into_response();
    };
    let fields = &form.fields;
    let again = |field: Option<&'static str>, text: &str| {
        let refused = Refused { field, text };
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            draw_upload(&visit, &web, fields, Some(&refused)),
        )
            .into_response()
    };
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return again(None, "Страница устарела: отправьте форму ещё раз.");
    }
    let Some(kind) = choice::<DocumentKind>(fields.text("kind")) else {
        return again(Some("kind"), "Выберите вид документа.");
    };
    let Ok(issued_on) = input::date(fields.text("issuedOn")) else {
        return again(
            Some("issuedOn"),
            "Укажите дату документа: день, месяц и год.",
        );
    };
    let readers = choice::<Readers>(fields.text("readers")).unwrap_or(Readers::Everyone);
    if form.bytes.is_empty() {
        return again(Some("file"), "Выберите файл.");
    }
    let uploaded = web
        .app
        .upload_library_document(
            &visit.viewer,
            UploadLibraryDocument {
                title: fields.text("title").to_string(),
                kind,
                issued_on,
                issuer: fields.text("issuer").to_string(),
                audience_org_id: fields.text("audience").to_string(),
                readers,
                file_name: form.file_name.clone(),
                content: STANDARD.encode(&form.bytes),
                command_id: None,
            },
        )
        .await;
    match uploaded {
        Ok(document) => Redirect::to(&format!("/library/{}", document.document_id)).into_response(),
        Err(error) => {
            let (field, text) = refusal(&error);
            again(field, &text)
        }
    }
}

/// `POST /library/{id}/revise` (multipart: `note`, `file`).
pub async fn revise(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    multipart: Multipart,
) -> Response {
    let again = |field: Option<&'static str>, text: &str| {
        let refused = Refused { field, text };
        match draw_document(&visit, &web, &id, Some(&refused)) {
            Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
            Err(error) => fail::page(&visit, &web, &error),
        }
    };
    let Some(form) = read_multipart(multipart).await else {
        return again(
            Some("file"),
            "Форма не дошла целиком (файл больше 10 МБ?). Попробуйте ещё раз.",
        );
    };
    if !visit.csrf_ok(&web, form.fields.text(csrf::FIELD)) {
        return again(None, "Страница устарела: отправьте форму ещё раз.");
    }
    if form.bytes.is_empty() {
        return again(Some("file"), "Выберите файл.");
    }
    let revised = web
        .app
        .revise_library_document(
            &visit.viewer,
            ReviseLibraryDocument {
                document_id: id.clone(),
                file_name: form.file_name.clone(),
                content: STANDARD.encode(&form.bytes),
                note: form.fields.optional("note"),
                command_id: None,
            },
        )
        .await;
    match revised {
        Ok(document) => Redirect::to(&format!("/library/{}", document.document_id)).into_response(),
        Err(error) => {
            let (field, text) = refusal(&error);
            again(field, &text)
        }
    }
}

/// `POST /library/{id}/withdraw` (`reason`).
pub async fn withdraw(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    let again = |field: Option<&'static str>, text: &str| {
        let refused = Refused { field, text };
        match draw_document(&visit, &web, &id, Some(&refused)) {
            Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
            Err(error) => fail::page(&visit, &web, &error),
        }
    };
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return again(None, "Страница устарела: отправьте форму ещё раз.");
    }
    let withdrawn = web
        .app
        .withdraw_library_document(
            &visit.viewer,
            WithdrawLibraryDocument {
                document_id: id.clone(),
                reason: fields.text("reason").to_string(),
                command_id: None,
            },
        )
        .await;
    match withdrawn {
        Ok(document) => Redirect::to(&format!("/library/{}", document.document_id)).into_response(),
        Err(error) => {
            let (field, text) = refusal(&error);
            again(field, &text)
        }
    }
}
