//! The chair's desk: an organisation's pending applications (approve, with a
//! card if wanted, or reject with a reason), its members with search and
//! paging, admitting a member, and a member's page (personal data, recorded
//! as read; history; transfer; end of membership).
//!
//! `org.rs` is the organisation's desk, `member.rs` the member's page,
//! `card.rs` the member's card (page, PDF, PNG),
//! `decide.rs` the commands' form handlers, `passport.rs` the
//! organisation's passport with its readiness for electronic admission. Every read and command goes
//! through `app` with the session's viewer: a role that may not gets `app`'s
//! refusal, in Russian.

mod card;
mod decide;
mod erasures;
mod member;
pub(crate) mod org;
mod passport;

pub(crate) use card::printed;

use axum::Router;
use axum::routing::{get, post};

use crate::Web;

/// The desk's pages.
pub fn routes() -> Router<Web> {
    Router::new()
        .route("/desk", get(org::start))
        .route("/desk/org/{id}", get(org::desk))
        .route("/desk/org/{id}/admit", post(decide::admit))
        .route("/desk/org/{id}/passport", post(passport::update))
        .route("/desk/org/{id}/digest", post(passport::digest))
        .route("/desk/application/{id}/approve", post(decide::approve))
        .route("/desk/application/{id}/reject", post(decide::reject))
        .route("/desk/member/{id}", get(member::page))
        .route("/desk/erasures", get(erasures::page))
        .route("/desk/erasures/{id}/confirm", post(erasures::confirm))
        .route("/desk/erasures/{id}/decline", post(erasures::decline))
        .route("/desk/member/{id}/transfer", post(decide::transfer))
        .route("/desk/member/{id}/end", post(decide::end))
        .route("/desk/member/{id}/card/issue", post(decide::issue_card))
        .route("/desk/member/{id}/card/block", post(decide::block_card))
        .route("/desk/member/{id}/card", get(card::page))
        .route("/desk/member/{id}/card.pdf", get(card::pdf))
        .route("/desk/member/{id}/card.png", get(card::png))
}

/// What a command just did, shown once on the page it returns to (a code in
/// the address, never free text).
pub(crate) fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "approved" => "Заявление одобрено: человек принят в профсоюз.",
        "rejected" => "Заявление отклонено.",
        "admitted" => "Член профсоюза принят.",
        "transferred" => "Член профсоюза переведён.",
        "ended" => "Членство прекращено.",
        "card-issued" => "Членский билет выдан.",
        "passport" => "Паспорт организации сохранён.",
        "card-blocked" => "Членский билет заблокирован.",
        _ => return None,
    })
}
