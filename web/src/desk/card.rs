//! A member's card: its number, QR code, holder, organisation and status on
//! a page, and as files: a card-sized PDF to print, a PNG for a phone's
//! wallet (both drawn by `documents::card`). The QR code carries the card's
//! address on `/verify`, so any phone's camera checks it. The holder's name is
//! personal data: every view and file records the read first.

use app::Error;
use app::views::{CardStatus, CardView, MemberView};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use documents::card::CardFace;
use maud::html;

use crate::desk::org::full_name;
use crate::visit::Visit;
use crate::{Web, fail, layout, qr, words};

/// The heading on every card.
const TITLE: &str = "Электронный профсоюзный билет";

/// The card's number as printed: region, sequence, check digit.
pub(crate) fn printed(number: &str) -> String {
    if number.len() == 13 && number.is_ascii() {
        format!("{} {} {}", &number[..2], &number[2..12], &number[12..])
    } else {
        number.to_string()
    }
}

/// The member's card to show: the active one, else the latest.
fn shown(member: &MemberView) -> Option<&CardView> {
    member.card().or_else(|| member.cards.last())
}

struct Drawn {
    member: MemberView,
    card: CardView,
    face: CardFace,
}

/// The member, their card and its face, the read recorded.
async fn face(visit: &Visit, web: &Web, id: &str) -> Result<Drawn, Error> {
    let viewer = &visit.viewer;
    let person = app::input::id(id, "memberId")?;
    let member = web.app.member(viewer, person)?;
    let card = shown(&member)
        .cloned()
        .ok_or(Error::NotFound { what: "card" })?;
    let home = web
        .app
        .named_organization(card.issued_by.unwrap_or(member.home))
        .or_else(|_| web.app.named_organization(member.home))?;
    let reads = web.app.personal_reads(viewer);
    reads.show(person)?;
    reads.record().await?;
    let status = match card.status {
        CardStatus::Active => format!("Действует, выдан {}", words::date(card.issued_on)),
        CardStatus::Blocked => format!(
            "Заблокирован{}",
            card.blocked_on
                .map(|d| format!(" {}", words::date(d)))
                .unwrap_or_default()
        ),
    };
    let host = visit.host.clone().unwrap_or_else(|| "localhost".into());
    let face = CardFace {
        title: TITLE.into(),
        number: printed(&card.number.to_string()),
        name: full_name(&member),
        organisation: home.name,
        status,
        qr: format!("http://{host}/verify/{}", card.number),
    };
    Ok(Drawn { member, card, face })
}

/// `GET /desk/member/{id}/card`.
pub async fn page(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    let Drawn { member, card, face } = match face(&visit, &web, &id).await {
        Ok(drawn) => drawn,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    let base = format!("/desk/member/{}/card", member.person_id);
    let active = card.status == CardStatus::Active;
    let body = html! {
        nav.crumbs.noprint { a href={ "/desk/member/" (member.person_id) } { (face.name) } }
        h1.noprint { "Членский билет" }
        div.union-card #union-card data-status=(if active { "active" } else { "blocked" }) {
            div.band { (TITLE) }
            div.face {
                div.lines {
                    div.name #card-name { (face.name) }
                    div.org #card-org { (face.organisation) }
                    div.small { "№ билета" }
                    div.number #card-number { (face.number) }
                    div.small #card-status { (face.status) }
                }
                div.qr #card-qr { (qr::svg(&face.qr)) }
            }
        }
        p.muted.noprint { "Вид билета: " (words::card_kind(card.kind)) ". QR-код ведёт на страницу проверки: "
            code { (face.qr) } }
        div.actions.noprint {
            a.button #card-pdf href={ (base) ".pdf" } download { "PDF для печати (85,6 × 54 мм)" }
            a.button #card-png href={ (base) ".png" } download { "Картинка для телефона (PNG)" }
            button.secondary type="button" data-print { "Распечатать страницу" }
        }
    };
    layout::page(&visit, &web, "Членский билет", body).into_response()
}

/// `GET /desk/member/{id}/card.pdf`.
pub async fn pdf(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    file(&visit, &web, &id, "pdf").await
}

/// `GET /desk/member/{id}/card.png`.
pub async fn png(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    file(&visit, &web, &id, "png").await
}

async fn file(visit: &Visit, web: &Web, id: &str, format: &'static str) -> Response {
    let drawn = match face(visit, web, id).await {
        Ok(drawn) => drawn,
        Err(error) => return fail::page(visit, web, &error),
    };
    let (rendered, content_type) = match format {
        "pdf" => (documents::card::pdf(&drawn.face), "application/pdf"),
        _ => (documents::card::png(&drawn.face), "image/png"),
    };
    let bytes = match rendered {
        Ok(bytes) => bytes,
        Err(error) => return fail::page(visit, web, &Error::internal(error)),
    };
    let disposition = format!(
        "attachment; filename=\"bilet-{}.{format}\"",
        drawn.card.number
    );
    let Ok(disposition) = HeaderValue::from_str(&disposition) else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}
