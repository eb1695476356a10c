//! Joining online, for anyone: choose the region, the territorial and the
//! primary organisation (or find it by name), fill in the application, keep
//! the receipt, and check the application's status with it later.
//!
//! `choose.rs` walks the tree, `apply.rs` is the form and its receipt,
//! `status.rs` the look-up by receipt. Every page works without script;
//! with it, the search answers as one types (htmx).

mod apply;
mod choose;
mod status;

use axum::Router;
use axum::routing::get;

use crate::Web;

/// The public pages.
pub fn routes() -> Router<Web> {
    Router::new()
        .route("/join", get(choose::regions))
        .route("/join/search", get(choose::search))
        .route(
            "/join/org/{id}",
            get(choose::organization).post(apply::submit),
        )
        .route("/join/org/{id}/link", get(choose::link))
        .route("/join/status", get(status::form).post(status::check))
}
