//! The desk's commands: each reads its form, checks the CSRF token, calls one
//! `App` command with the session's viewer, and returns to the page it came
//! from (303), or draws that page again with the refusal and what was typed.

use app::applications::{ApproveApplication, RejectApplication};
use app::members::{AdmitMember, BlockCard, EndMembership, IssueCard, TransferMember};
use app::{Error, input};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use crate::desk::{member, org};
use crate::form::{Fields, choice};
use crate::visit::Visit;
use crate::{Web, csrf, fail};

/// A refusal to show on the page drawn again: which form, beside which field.
pub(crate) struct Refused {
    pub form: &'static str,
    pub field: Option<&'static str>,
    pub text: String,
}

impl Refused {
    pub(crate) fn of(form: &'static str, error: &Error) -> Refused {
        if let Error::Internal(detail) = error {
            tracing::error!(%detail, "a desk command failed");
        }
        let (field, text) = fail::message(error);
        Refused { form, field, text }
    }

    pub(crate) fn stale(form: &'static str) -> Refused {
        Refused {
            form,
            field: None,
            text: "Страница устарела. Всё, что вы ввели, сохранено: отправьте форму ещё раз."
                .into(),
        }
    }
}

fn fields(body: &Bytes) -> Fields {
    Fields::parse(body).unwrap_or_default()
}

/// Draws the organisation's desk again after a refusal.
pub(crate) async fn desk_again(
    visit: &Visit,
    web: &Web,
    org_id: &str,
    fields: &Fields,
    refused: Refused,
) -> Response {
    let query = org::DeskQuery::default();
    match org::draw(visit, web, org_id, &query, fields, Some(&refused)).await {
        Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
        Err(error) => fail::page(visit, web, &error),
    }
}

/// The organisation an application was made to (to return to its desk).
fn application_org(visit: &Visit, web: &Web, id: &str) -> Result<String, Error> {
    let application = web.app.application(&visit.viewer, input::id(id, "id")?)?;
    Ok(application.view.org_id.to_string())
}

/// `POST /desk/application/{id}/approve` (`issueCard`: none, VIRTUAL, PLASTIC).
pub async fn approve(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = fields(&body);
    let org = match application_org(&visit, &web, &id) {
        Ok(org) => org,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return desk_again(
            &visit,
            &web,
            &org,
            &Fields::default(),
            Refused::stale("decision"),
        )
        .await;
    }
    let issue_card = fields.optional("issueCard").and_then(|kind| choice(&kind));
    let decided = web
        .app
        .approve_application(
            &visit.viewer,
            ApproveApplication {
                id,
                decided_on: None,
                issue_card,
                command_id: None,
            },
        )
        .await;
    match decided {
        Ok(_) => Redirect::to(&format!("/desk/org/{org}?done=approved")).into_response(),
        Err(error) => {
            desk_again(
                &visit,
                &web,
                &org,
                &Fields::default(),
                Refused::of("decision", &error),
            )
            .await
        }
    }
}

/// `POST /desk/application/{id}/reject` (`reason`).
pub async fn reject(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = fields(&body);
    let org = match application_org(&visit, &web, &id) {
        Ok(org) => org,
        Err(error) => return fail::page(&visit, &web, &error),
    };
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return desk_again(
            &visit,
            &web,
            &org,
            &Fields::default(),
            Refused::stale("decision"),
        )
        .await;
    }
    let Some(reason) = fields.optional("reason") else {
        let refused = Refused {
            form: "decision",
            field: Some("reason"),
            text: "Чтобы отклонить заявление, укажите причину отказа.".into(),
        };
        return desk_again(&visit, &web, &org, &Fields::default(), refused).await;
    };
    let decided = web
        .app
        .reject_application(
            &visit.viewer,
            RejectApplication {
                id,
                reason,
                command_id: None,
            },
        )
        .await;
    match decided {
        Ok(_) => Redirect::to(&format!("/desk/org/{org}?done=rejected")).into_response(),
        Err(error) => {
            desk_again(
                &visit,
                &web,
                &org,
                &Fields::default(),
                Refused::of("decision", &error),
            )
            .await
        }
    }
}

/// `POST /desk/org/{id}/admit`: an admission by the chair.
pub async fn admit(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = fields(&body);
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return desk_again(&visit, &web, &id, &fields, Refused::stale("admit")).await;
    }
    let refuse = |field: &'static str, text: &str| Refused {
        form: "admit",
        field: Some(field),
        text: text.to_string(),
    };
    let admission = (|| {
        for (field, text) in [
            ("lastName", "Укажите фамилию."),
            ("firstName", "Укажите имя."),
        ] {
            if fields.optional(field).is_none() {
                return Err(refuse(field, text));
            }
        }
        let date = |field: &'static str| {
            input::date(fields.text(field).trim())
                .map_err(|_| refuse(field, "Укажите дату: день, месяц и год."))
        };
        Ok(AdmitMember {
            org_id: id.clone(),
            last_name: fields.text("lastName").to_string(),
            first_name: fields.text("firstName").to_string(),
            patronymic: fields.optional("patronymic"),
            gender: choice(fields.text("gender"))
                .ok_or_else(|| refuse("gender", "Выберите пол."))?,
            birth_date: date("birthDate")?,
            snils: fields.optional("snils"),
            email: fields.optional("email"),
            phone: fields.optional("phone"),
            category: choice(fields.text("category"))
                .ok_or_else(|| refuse("category", "Выберите категорию."))?,
            profession: fields.optional("profession").and_then(|p| choice(&p)),
            position: fields.optional("position"),
            admitted_on: date("admittedOn")?,
            issue_card: fields.optional("issueCard").and_then(|kind| choice(&kind)),
            command_id: None,
        })
    })();
    let admission = match admission {
        Ok(admission) => admission,
        Err(refused) => return desk_again(&visit, &web, &id, &fields, refused).await,
    };
    match web.app.admit_member(&visit.viewer, admission).await {
        Ok(member) => Redirect::to(&format!("/desk/member/{}?done=admitted", member.person_id))
            .into_response(),
        Err(error) => desk_again(&visit, &web, &id, &fields, Refused::of("admit", &error)).await,
    }
}

/// Draws the member's page again after a refusal.
async fn member_again(
    visit: &Visit,
    web: &Web,
    id: &str,
    fields: &Fields,
    refused: Refused,
) -> Response {
    match member::draw(visit, web, id, None, fields, Some(&refused)).await {
        Ok(page) => (StatusCode::UNPROCESSABLE_ENTITY, page).into_response(),
        Err(error) => fail::page(visit, web, &error),
    }
}

/// `POST /desk/member/{id}/transfer` (`toOrgId`, `effectiveOn`).
pub async fn transfer(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = fields(&body);
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return member_again(&visit, &web, &id, &fields, Refused::stale("transfer")).await;
    }
    let effective_on = match input::date(fields.text("effectiveOn").trim()) {
        Ok(date) => date,
        Err(_) => {
            let refused = Refused {
                form: "transfer",
                field: Some("effectiveOn"),
                text: "Укажите дату перевода.".into(),
            };
            return member_again(&visit, &web, &id, &fields, refused).await;
        }
    };
    let moved = web
        .app
        .transfer_member(
            &visit.viewer,
            TransferMember {
                member_id: id.clone(),
                to_org_id: fields.text("toOrgId").trim().to_string(),
                effective_on,
                expected_version: fields.text("version").parse().ok(),
                command_id: None,
            },
        )
        .await;
    match moved {
        Ok(_) => Redirect::to(&format!("/desk/member/{id}?done=transferred")).into_response(),
        Err(error) => {
            member_again(&visit, &web, &id, &fields, Refused::of("transfer", &error)).await
        }
    }
}

/// `POST /desk/member/{id}/end` (`reason`, `basis` for an expulsion, `effectiveOn`).
pub async fn end(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = fields(&body);
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return member_again(&visit, &web, &id, &fields, Refused::stale("end")).await;
    }
    let refuse = |field: &'static str, text: &str| Refused {
        form: "end",
        field: Some(field),
        text: text.to_string(),
    };
    let Some(reason) = choice(fields.text("reason")) else {
        let refused = refuse("reason", "Выберите, почему прекращается членство.");
        return member_again(&visit, &web, &id, &fields, refused).await;
    };
    let Ok(effective_on) = input::date(fields.text("effectiveOn").trim()) else {
        let refused = refuse("effectiveOn", "Укажите дату прекращения членства.");
        return member_again(&visit, &web, &id, &fields, refused).await;
    };
    let ended = web
        .app
        .end_membership(
            &visit.viewer,
            EndMembership {
                member_id: id.clone(),
                reason,
                effective_on,
                basis: fields.optional("basis"),
                expected_version: fields.text("version").parse().ok(),
                command_id: None,
            },
        )
        .await;
    match ended {
        Ok(_) => Redirect::to(&format!("/desk/member/{id}?done=ended")).into_response(),
        Err(error) => member_again(&visit, &web, &id, &fields, Refused::of("end", &error)).await,
    }
}

/// `POST /desk/member/{id}/card/issue` (`kind`): a new card (the active one,
/// if any, is replaced).
pub async fn issue_card(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = fields(&body);
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return member_again(&visit, &web, &id, &fields, Refused::stale("card")).await;
    }
    let issued = web
        .app
        .issue_card(
            &visit.viewer,
            IssueCard {
                member_id: id.clone(),
                kind: choice(fields.text("kind")),
                issued_on: None,
                command_id: None,
            },
        )
        .await;
    match issued {
        Ok(_) => Redirect::to(&format!("/desk/member/{id}?done=card-issued")).into_response(),
        Err(error) => member_again(&visit, &web, &id, &fields, Refused::of("card", &error)).await,
    }
}

/// `POST /desk/member/{id}/card/block` (`number`, `reason`).
pub async fn block_card(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = fields(&body);
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return member_again(&visit, &web, &id, &fields, Refused::stale("card")).await;
    }
    let Some(reason) = fields.optional("blockReason") else {
        let refused = Refused {
            form: "card",
            field: Some("reason"),
            text: "Укажите, почему билет блокируется (например, утерян).".into(),
        };
        return member_again(&visit, &web, &id, &fields, refused).await;
    };
    let blocked = web
        .app
        .block_card(
            &visit.viewer,
            BlockCard {
                number: fields.text("number").to_string(),
                reason,
                command_id: None,
            },
        )
        .await;
    match blocked {
        Ok(_) => Redirect::to(&format!("/desk/member/{id}?done=card-blocked")).into_response(),
        Err(error) => member_again(&visit, &web, &id, &fields, Refused::of("card", &error)).await,
    }
}
