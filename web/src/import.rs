//! Moving in from the admin page: an ADMIN of the whole union uploads the
//! organisations' and members' tables (docs/import.md), the import runs in
//! the background through `App::import` (the same rows, rules and report as
//! `reestr import`), and the page follows it to its report.
//!
//! One import runs at a time: its decisions keep the run's facts in memory,
//! so a second one beside it would decide on stale facts. Files live in a
//! temporary directory for the job's life; jobs live in memory (a restart
//! forgets them, and `reestr import` of the same files resumes where one
//! stopped, since every row's ids derive from the files).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use app::import::report::render_report;
use app::import::{
    BATCH_EVENTS, ImportFiles, ImportMode, ImportOptions, ImportOutcome, ImportProgress,
};
use app::{Error, Viewer};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};
use parking_lot::Mutex;

use crate::visit::Visit;
use crate::{Web, csrf, fail, layout};

/// Largest upload: a region's tables (100K members are ~25 MB of CSV); the
/// whole union goes through `reestr import` on the server.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// The import pages.
pub fn routes() -> axum::Router<Web> {
    use axum::routing::get;
    axum::Router::new()
        .route(
            "/admin/import",
            get(form)
                .post(upload)
                .layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/admin/import/{job}", get(job_page))
        .route("/admin/import/{job}/progress", get(progress))
        .route("/admin/import/{job}/report", get(report))
}

/// The imports of this server, the running one last.
#[derive(Default)]
pub(crate) struct Imports {
    jobs: Mutex<Vec<Arc<Job>>>,
}

struct Job {
    id: String,
    mode: ImportMode,
    files: Vec<String>,
    started: Instant,
    pass: Mutex<(String, Option<u64>)>,
    rows: AtomicU64,
    done: Mutex<Option<Result<(ImportOutcome, u64), String>>>,
    /// The uploaded files, removed with the job.
    _dir: tempfile::TempDir,
}

impl ImportProgress for Job {
    fn pass(&self, name: &str, total: Option<u64>) {
        *self.pass.lock() = (name.to_string(), total);
        self.rows.store(0, Ordering::Relaxed);
    }

    fn advance(&self, rows: u64) {
        self.rows.fetch_add(rows, Ordering::Relaxed);
    }
}

impl Imports {
    fn find(&self, id: &str) -> Option<Arc<Job>> {
        self.jobs.lock().iter().find(|j| j.id == id).cloned()
    }
}

/// Refuses anyone but an ADMIN of the whole union, as `reestr import` does.
fn may(visit: &Visit, web: &Web) -> Result<(), Error> {
    match visit.viewer {
        Viewer::Anonymous => Err(Error::Unauthenticated),
        _ => web.app.may_import(&visit.viewer),
    }
}

/// `GET /admin/import`.
pub async fn form(visit: Visit, State(web): State<Web>) -> Response {
    if let Err(error) = may(&visit, &web) {
        return fail::page(&visit, &web, &error);
    }
    draw_form(&visit, &web, None, StatusCode::OK)
}

fn draw_form(visit: &Visit, web: &Web, refused: Option<&str>, status: StatusCode) -> Response {
    let recent: Vec<Arc<Job>> = web.imports.jobs.lock().iter().rev().cloned().collect();
    let body = html! {
        h1 { "Загрузка реестра из таблиц" }
        @if let Some(text) = refused { div.notice.bad #refused role="alert" { (text) } }
        p { "Таблицы организаций и членов профсоюза в XLSX или CSV (UTF-8 или Windows-1251), "
            "столбцы — как в шаблоне. Каждая строка проходит те же правила устава, что и запись вручную; "
            "повторная загрузка тех же файлов ничего не запишет дважды." }
        form.panel.narrow #import method="post" action="/admin/import" enctype="multipart/form-data" {
            (layout::csrf_field(visit))
            label for="import-orgs" { "Организации" }
            input #import-orgs type="file" name="organizations" accept=".xlsx,.csv";
            label for="import-members" { "Члены профсоюза" }
            input #import-members type="file" name="members" accept=".xlsx,.csv";
            label for="import-mapping" { "Другие названия столбцов (необязательно)" }
            input #import-mapping type="file" name="mapping" accept=".txt";
            fieldset {
                legend { "Если найдутся ошибки" }
                label.check { input type="radio" name="mode" value="check" checked; " только проверить, ничего не записывая" }
                label.check { input type="radio" name="mode" value="all"; " записать, только если ошибок нет" }
                label.check { input type="radio" name="mode" value="skip"; " записать верные строки, ошибочные — в отчёт" }
            }
            div.actions { button type="submit" #import-submit { "Загрузить" } }
        }
        @if !recent.is_empty() {
            h2 { "Загрузки" }
            ul #imports { @for job in &recent {
                li { a href={ "/admin/import/" (job.id) } { (job.files.join(", ")) } " — " (state_word(job)) }
            } }
        }
    };
    (status, layout::page(visit, web, "Загрузка реестра", body)).into_response()
}

fn state_word(job: &Job) -> &'static str {
    match &*job.done.lock() {
        None => "идёт",
        Some(Err(_)) => "не удалась",
        Some(Ok((outcome, _))) if outcome.bad.is_empty() => "без ошибок",
        Some(Ok(_)) => "есть ошибки",
    }
}

/// `POST /admin/import` (multipart: `organizations`, `members`, `mapping`, `mode`).
pub async fn upload(visit: Visit, State(web): State<Web>, multipart: Multipart) -> Response {
    if let Err(error) = may(&visit, &web) {
        return fail::page(&visit, &web, &error);
    }
    let refuse = |text: &str| draw_form(&visit, &web, Some(text), StatusCode::UNPROCESSABLE_ENTITY);
    let dir = match tempfile::Builder::new().prefix("reestr-import").tempdir() {
        Ok(dir) => dir,
        Err(error) => {
            tracing::error!(%error, "no directory for an upload");
            return refuse("Не удалось сохранить файлы на сервере.");
        }
    };
    let sent = match read_upload(multipart, dir.path()).await {
        Ok(sent) => sent,
        Err(text) => return refuse(&text),
    };
    if !visit.csrf_ok(&web, &sent.csrf) {
        return refuse("Страница устарела: отправьте форму ещё раз.");
    }
    if sent.files.organizations.is_none() && sent.files.members.is_empty() {
        return refuse("Выберите хотя бы один файл: организации или членов профсоюза.");
    }
    let mode = match sent.mode.as_str() {
        "all" => ImportMode::AllOrNothing,
        "skip" => ImportMode::SkipInvalid,
        _ => ImportMode::Check,
    };
    let job = {
        let mut jobs = web.imports.jobs.lock();
        if jobs.iter().any(|j| j.done.lock().is_none()) {
            drop(jobs);
            return refuse("Уже идёт загрузка: дождитесь её окончания.");
        }
        let job = Arc::new(Job {
            id: job_id(),
            mode,
            files: sent.names,
            started: Instant::now(),
            pass: Mutex::new((String::new(), None)),
            rows: AtomicU64::new(0),
            done: Mutex::new(None),
            _dir: dir,
        });
        // Keep the last few for the list; the running one is never dropped.
        if jobs.len() >= 8 {
            jobs.remove(0);
        }
        jobs.push(job.clone());
        job
    };
    let app = web.app.clone();
    let viewer = visit.viewer.clone();
    let files = sent.files;
    let running = job.clone();
    tokio::spawn(async move {
        let options = ImportOptions {
            mode,
            batch_events: BATCH_EVENTS,
            bulk: None,
        };
        let outcome = app
            .import(&viewer, &files, &options, running.as_ref())
            .await;
        let elapsed = running.started.elapsed().as_secs();
        *running.done.lock() = Some(outcome.map(|o| (o, elapsed)).map_err(|error| {
            tracing::error!(?error, "an import from the admin page failed");
            fail::message(&error).1
        }));
    });
    Redirect::to(&format!("/admin/import/{}", job.id)).into_response()
}

struct Upload {
    files: ImportFiles,
    names: Vec<String>,
    mode: String,
    csrf: String,
}

async fn read_upload(mut multipart: Multipart, dir: &std::path::Path) -> Result<Upload, String> {
    let too_big = "Файлы слишком велики для загрузки через страницу (не больше 64 МБ): \
                   загрузите таблицы по регионам или командой reestr import на сервере.";
    let mut sent = Upload {
        files: ImportFiles::default(),
        names: Vec::new(),
        mode: String::new(),
        csrf: String::new(),
    };
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_big.into());
            }
            Err(_) => return Err("Форма пришла не целиком: отправьте её ещё раз.".into()),
        };
        let name = field.name().unwrap_or("").to_string();
        let file_name = field.file_name().map(clean_name);
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(error) if error.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(too_big.into());
            }
            Err(_) => return Err("Форма пришла не целиком: отправьте её ещё раз.".into()),
        };
        match (name.as_str(), file_name) {
            (csrf::FIELD, _) => sent.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            ("mode", _) => sent.mode = String::from_utf8_lossy(&bytes).into_owned(),
            ("organizations" | "members" | "mapping", Some(file_name)) if !bytes.is_empty() => {
                // The tables keep their names: the report names the file.
                let path = dir.join(format!("{}-{file_name}", sent.names.len()));
                std::fs::write(&path, &bytes)
                    .map_err(|_| "Не удалось сохранить файлы на сервере.".to_string())?;
                match name.as_str() {
                    "organizations" => sent.files.organizations = Some(path),
                    "members" => sent.files.members.push(path),
                    _ => sent.files.mapping = Some(path),
                }
                sent.names.push(file_name);
            }
            _ => {}
        }
    }
    Ok(sent)
}

/// A file name as sent, without any directory and with nothing a path could abuse.
fn clean_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base.chars().filter(|c| !c.is_control()).take(120).collect();
    if clean.is_empty() || clean.starts_with('.') {
        format!("file{clean}")
    } else {
        clean
    }
}

/// A job's id in its page's address: 128 random bits, so one admin cannot
/// guess another's upload.
fn job_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

/// `GET /admin/import/{job}`.
pub async fn job_page(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    let job = match found(&visit, &web, &id) {
        Ok(job) => job,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    let body = html! {
        h1 { "Загрузка: " (job.files.join(", ")) }
        p.muted { (mode_words(job.mode)) }
        (state(&job))
        p { a href="/admin/import" { "Загрузить ещё" } }
    };
    layout::page(&visit, &web, "Загрузка реестра", body).into_response()
}

/// `GET /admin/import/{job}/progress`: the state, for htmx to swap in.
pub async fn progress(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    match found(&visit, &web, &id) {
        Ok(job) => state(&job).into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

fn found(visit: &Visit, web: &Web, id: &str) -> Result<Arc<Job>, Error> {
    may(visit, web)?;
    web.imports
        .find(id)
        .ok_or(Error::NotFound { what: "import" })
}

fn mode_words(mode: ImportMode) -> &'static str {
    match mode {
        ImportMode::Check => "Только проверка: ничего не записывается.",
        ImportMode::AllOrNothing => "Запись, только если ошибок нет.",
        ImportMode::SkipInvalid => "Запись верных строк; ошибочные — в отчёт.",
    }
}

/// Where the job stands: a running one polls for itself every second.
fn state(job: &Job) -> Markup {
    let done = job.done.lock().clone();
    let id = &job.id;
    match done {
        None => {
            let (pass, total) = job.pass.lock().clone();
            let rows = job.rows.load(Ordering::Relaxed);
            html! {
                div #import-state data-state="running" role="status"
                    hx-get={ "/admin/import/" (id) "/progress" } hx-trigger="every 1s" hx-swap="outerHTML" {
                    p { "Идёт " (if pass.is_empty() { "подготовка" } else { &pass }) ": "
                        strong { (rows) } @if let Some(total) = total { " из " (total) } " строк, "
                        (job.started.elapsed().as_secs()) " с" }
                    @if let Some(total) = total.filter(|t| *t > 0) {
                        progress max=(total) value=(rows) {}
                    }
                }
            }
        }
        Some(Err(text)) => html! {
            div #import-state data-state="failed" .notice.bad role="alert" { "Загрузка не удалась: " (text) }
        },
        Some(Ok((outcome, seconds))) => {
            let wrote = outcome.wrote(job.mode);
            let (written_rows, written_members) = if wrote {
                (outcome.written_rows, outcome.written_members)
            } else {
                (0, 0)
            };
            let written = written_rows > 0;
            html! {
                div #import-state data-state="done" data-bad=(outcome.bad.len()) data-written=(written_members) {
                    @if outcome.bad.is_empty() {
                        div.notice.good role="status" { "Ошибок нет. "
                            @if written { "Записано строк: " (written_rows) ", из них членов профсоюза: " (written_members) "." }
                            @else if job.mode == ImportMode::Check { "Ничего не записано: это была проверка." }
                            @else { "Ничего нового: эти строки уже в реестре." } }
                    } @else {
                        div.notice.bad role="alert" { "Строк с ошибками: " (outcome.bad.len()) ". "
                            @if written { "Записаны верные строки: " (written_rows) "." }
                            @else { "Ничего не записано." } }
                    }
                    p.muted { "Прочитано строк: " (outcome.rows) "; уже были в реестре: " (outcome.done_rows)
                        "; событий: " (outcome.events) "; " (seconds) " с." }
                    @if !outcome.bad.is_empty() {
                        p { a #import-report href={ "/admin/import/" (id) "/report" } download { "Отчёт об ошибках (XLSX)" } }
                        table.wide #bad-rows {
                            thead { tr { th { "Файл" } th { "Строка" } th { "Столбец" } th { "Код" } th { "Причина" } } }
                            tbody { @for bad in outcome.bad.iter().take(200) {
                                tr { td { (file_shown(&bad.file)) } td { (bad.line) } td { (bad.column.unwrap_or("")) }
                                     td { code { (bad.code()) } } td { (bad.message()) } }
                            } }
                        }
                        @if outcome.bad.len() > 200 { p.muted { "Показаны первые 200; все — в отчёте." } }
                    }
                }
            }
        }
    }
}

/// The uploaded name, without the number the server put before it.
fn file_shown(file: &str) -> &str {
    file.split_once('-').map_or(file, |(_, name)| name)
}

/// `GET /admin/import/{job}/report`: the bad rows as XLSX.
pub async fn report(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    let job = match found(&visit, &web, &id) {
        Ok(job) => job,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    let Some(Ok((outcome, _))) = job.done.lock().clone() else {
        return fail::page(
            &visit,
            &web,
            &Error::NotFound {
                what: "import report",
            },
        );
    };
    let mut bad = outcome.bad;
    for row in &mut bad {
        row.file = file_shown(&row.file).to_string();
    }
    match render_report(&bad, true) {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"import-report.xlsx\"",
                ),
            ],
            Body::from(bytes),
        )
            .into_response(),
        Err(detail) => fail::page(&visit, &web, &Error::internal(detail)),
    }
}
