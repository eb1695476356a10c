//! Staff admin, for an ADMIN of a subtree: the holders of roles over its
//! organisations, a role granted (its token shown once, on the answer page
//! only) and revoked. `app` decides who may grant what where.

use app::access::{GrantRole, RevokeRole};
use app::organizations::OrganizationsQuery;
use app::{Error, Viewer, input};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::vocabulary::access::Role;
use maud::{Markup, html};

use crate::form::{Fields, choice};
use crate::visit::Visit;
use crate::{Web, csrf, fail, layout, words};

/// The roles an ADMIN grants, by their API names.
const ROLES: &[(&str, Role)] = &[
    ("CHAIR", Role::Chair),
    ("ANALYST", Role::Analyst),
    ("AUDITOR", Role::Auditor),
    ("ADMIN", Role::Admin),
];

/// The admin pages.
pub fn routes() -> axum::Router<Web> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/admin", get(start))
        .route("/admin/org/{id}", get(page).post(grant))
        .route("/admin/org/{id}/revoke", post(revoke))
}

/// `GET /admin`: the holder's own subtree.
pub async fn start(visit: Visit) -> Response {
    match &visit.viewer {
        Viewer::Holder(holder) => {
            Redirect::to(&format!("/admin/org/{}", holder.org_id)).into_response()
        }
        _ => Redirect::to("/signin").into_response(),
    }
}

/// What the page says above the lists.
enum Said {
    Nothing,
    Granted { holder: String, token: String },
    Revoked,
    Refused(String),
}

/// `GET /admin/org/{id}`.
pub async fn page(visit: Visit, State(web): State<Web>, Path(id): Path<String>) -> Response {
    respond(&visit, &web, &id, &Fields::default(), Said::Nothing)
}

fn respond(visit: &Visit, web: &Web, id: &str, fields: &Fields, said: Said) -> Response {
    let status = match said {
        Said::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::OK,
    };
    match draw(visit, web, id, fields, &said) {
        Ok(page) => (status, page).into_response(),
        Err(error) => fail::page(visit, web, &error),
    }
}

fn draw(visit: &Visit, web: &Web, id: &str, fields: &Fields, said: &Said) -> Result<Markup, Error> {
    let holders = web.app.role_holders(&visit.viewer, id)?;
    let root = web.app.named_organization(input::id(id, "orgId")?)?;
    let mut orgs = vec![root.clone()];
    if let Ok(page) = web.app.organizations(
        &visit.viewer,
        OrganizationsQuery {
            first: 200,
            ..OrganizationsQuery::default()
        },
    ) {
        let registry_orgs = page.items.into_iter().map(|(_, org)| org);
        orgs.extend(registry_orgs.filter(|org| org.org_id != root.org_id));
    }
    let name_of = |org| {
        web.app
            .named_organization(org)
            .map(|o| o.name)
            .unwrap_or_default()
    };
    let chosen_org = fields.text("orgId");
    // One's own role is not revoked from here: the page would lock its user out.
    let me = match &visit.viewer {
        Viewer::Holder(holder) => Some(holder.user_id),
        _ => None,
    };
    let body = html! {
        h1 { "Доступ: " (root.name) }
        @if web.app.may_import(&visit.viewer).is_ok() {
            p { a #to-import href="/admin/import" { "Загрузить реестр из таблиц" } }
        }
        @match said {
            Said::Granted { holder, token } => div.notice.good #granted role="status" {
                p { "Роль выдана: " strong { (holder) } ". Передайте ключ доступа владельцу — он показан один раз:" }
                p { code #new-token { (token) } }
            }
            Said::Revoked => div.notice.good #revoked role="status" { "Роль отозвана: ключ больше не действует." }
            Said::Refused(text) => div.notice.bad #refused role="alert" { (text) }
            Said::Nothing => {}
        }
        form.panel.narrow #grant method="post" action={ "/admin/org/" (root.org_id) } {
            h2 { "Выдать роль" }
            (layout::csrf_field(visit))
            label for="grant-holder" { "Кому (имя или почта)" }
            input #grant-holder name="holder" value=(fields.text("holder"));
            label for="grant-role" { "Роль" }
            select #grant-role name="role" { @for (value, role) in ROLES {
                option value=(value) selected[fields.text("role") == *value] { (words::role(*role)) } } }
            label for="grant-org" { "В организации (и во всех входящих в неё)" }
            select #grant-org name="orgId" { @for org in &orgs {
                option value=(org.org_id) selected[chosen_org == org.org_id.to_string()] {
                    (org.name) " (" (words::level(org.level)) ")" } } }
            div.actions { button type="submit" #grant-submit { "Выдать" } }
        }
        h2 { "Роли в этой части структуры" }
        table.wide #holders {
            thead { tr { th { "Кто" } th { "Роль" } th { "Организация" } th {} } }
            tbody { @for holder in &holders {
                tr data-holder=(holder.user_id) {
                    td { (holder.holder) } td { (words::role(holder.role)) } td { (name_of(holder.org_id)) }
                    td { @if Some(holder.user_id) != me {
                        form.inline method="post" action={ "/admin/org/" (root.org_id) "/revoke" } {
                            (layout::csrf_field(visit))
                            input type="hidden" name="userId" value=(holder.user_id);
                            button.danger.revoke type="submit" { "Отозвать" }
                        }
                    } @else { span.muted { "это вы" } } }
                }
            } }
        }
    };
    Ok(layout::page(visit, web, "Доступ", body))
}

/// `POST /admin/org/{id}` (`holder`, `role`, `orgId`).
pub async fn grant(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    let refuse = |text: &str| respond(&visit, &web, &id, &fields, Said::Refused(text.into()));
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        return refuse("Страница устарела: отправьте форму ещё раз.");
    }
    let Some(holder) = fields.optional("holder") else {
        return refuse("Укажите, кому выдаётся роль.");
    };
    let Some(role) = choice::<Role>(fields.text("role")) else {
        return refuse("Выберите роль.");
    };
    let granted = web
        .app
        .grant_role(
            &visit.viewer,
            GrantRole {
                role,
                org_id: fields.text("orgId").trim().to_string(),
                holder: holder.clone(),
                command_id: None,
            },
        )
        .await;
    match granted {
        Ok(granted) => respond(
            &visit,
            &web,
            &id,
            &Fields::default(),
            Said::Granted {
                holder,
                token: granted.token,
            },
        ),
        Err(error) => refuse(&fail::message(&error).1),
    }
}

/// `POST /admin/org/{id}/revoke` (`userId`).
pub async fn revoke(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let fields = Fields::parse(&body).unwrap_or_default();
    if !visit.csrf_ok(&web, fields.text(csrf::FIELD)) {
        let said = Said::Refused("Страница устарела: отправьте форму ещё раз.".into());
        return respond(&visit, &web, &id, &Fields::default(), said);
    }
    let revoked = web
        .app
        .revoke_role(
            &visit.viewer,
            RevokeRole {
                user_id: fields.text("userId").trim().to_string(),
            },
        )
        .await;
    let said = match revoked {
        Ok(()) => Said::Revoked,
        Err(error) => Said::Refused(fail::message(&error).1),
    };
    respond(&visit, &web, &id, &Fields::default(), said)
}
