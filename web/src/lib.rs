//! The registry's web pages, in Russian: joining online (public), signing in
//! with a staff token, the chair's desk. Server-rendered HTML (maud, checked
//! at compile time), htmx for the parts a page updates in place, every
//! script, style and font embedded and served from here (no internet needed).
//!
//! Layout: [`router`] mounts the pages on the GraphQL server. `visit.rs` turns
//! a request's cookies into its [`Visit`](visit::Visit) (the viewer from the
//! session, the CSRF token of its forms); `session.rs` and `csrf.rs` hold the
//! sessions and the tokens; `layout.rs` the page shell, `words.rs` the union's
//! words in Russian, `fail.rs` what `app` refused in Russian; `form.rs` reads
//! a form body. One module per page group: `signin.rs`, `join/`, `desk/`, `stats.rs`, `journal.rs`,
//! `verify.rs` (a card checked, public), `meetings.rs` (attendance by card),
//! `admin.rs` (roles granted and revoked in a subtree), `import.rs` (the
//! registry's tables uploaded and imported in the background), `cabinet.rs`
//! (the member's own cabinet, signed in with a code by e-mail), `library.rs`
//! (the union's documents: search, a document's page and download, the upload),
//! `consultations.rs` (questions to a region's services: the asker's view, the desk).
//!
//! Not here: who may see or do what (every page asks `app`, whose guard
//! decides), any charter rule, any read of the read models but through `App`.

mod admin;
mod assets;
mod cabinet;
mod consultations;
mod csrf;
mod desk;
mod fail;
mod form;
mod headers;
mod import;
mod join;
mod journal;
mod layout;
mod library;
mod limits;
mod meetings;
mod qr;
mod session;
mod signin;
mod staff;
mod stats;
mod stats_file;
mod unsubscribe;
mod verify;
mod visit;
mod words;

use std::sync::Arc;
use std::time::Duration;

use app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::routing::{get, post};
use tower_http::timeout::TimeoutLayer;

use crate::csrf::Csrf;
use crate::session::Sessions;

/// Largest form accepted: an application is well under a kibibyte.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Longest a page may take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How the pages are served.
#[derive(Clone, Copy, Debug, Default)]
pub struct WebOptions {
    /// Whether one trusted reverse proxy stands in front: then the client's
    /// address is the last `X-Forwarded-For` entry, and `X-Forwarded-Proto:
    /// https` marks the session cookie `Secure`.
    pub trust_proxy: bool,
}

/// What every page handler shares; cheap to clone.
#[derive(Clone)]
pub(crate) struct Web {
    pub app: App,
    pub sessions: Arc<Sessions>,
    pub csrf: Arc<Csrf>,
    pub imports: Arc<import::Imports>,
    pub options: WebOptions,
}

/// The pages over `app`, to merge into the server's router.
pub fn router(app: App, options: WebOptions) -> Router {
    let web = Web {
        app,
        sessions: Arc::new(Sessions::default()),
        csrf: Arc::new(Csrf::default()),
        imports: Arc::new(import::Imports::default()),
        options,
    };
    let timeout = TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, REQUEST_TIMEOUT);
    let pages = Router::new()
        .route("/", get(staff::start))
        .route("/signin", get(signin::form).post(signin::sign_in))
        .route("/signout", post(signin::sign_out))
        .route("/staff", get(staff::home))
        .route("/stats", get(stats::start))
        .route("/stats/org/{id}", get(stats::page))
        .route("/stats/org/{id}/report/{format}", get(stats_file::download))
        .route("/journal", get(journal::page))
        .route("/journal/event/{position}", get(journal::event))
        .merge(join::routes())
        .merge(desk::routes())
        .merge(meetings::routes())
        .merge(library::routes())
        .merge(admin::routes())
        .merge(import::routes())
        .merge(unsubscribe::routes())
        .merge(cabinet::routes())
        .merge(consultations::routes())
        .fallback(fail::not_found)
        .layer(axum::middleware::from_fn_with_state(
            web.clone(),
            limits::admit,
        ))
        .layer(axum::middleware::from_fn(visit::give_nonce))
        .layer(axum::middleware::from_fn(headers::secure))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(timeout)
        .with_state(web);
    Router::new()
        .route("/assets/{hash}/{name}", get(assets::serve))
        .merge(pages)
}
