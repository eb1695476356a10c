//! A member's page: personal data (recorded as read before the page leaves),
//! memberships and cards, the history in plain words, and the forms that
//! transfer the member or end the membership.

use app::organizations::OrganizationsQuery;
use app::views::{CardStatus, MemberStatus};
use app::{Action, Error, input};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use domain::ids::PersonId;
use domain::vocabulary::organization::OrgLevel;
use maud::{Markup, html};
use serde::Deserialize;

use crate::desk::decide::Refused;
use crate::desk::{notice, org::full_name};
use crate::form::Fields;
use crate::visit::Visit;
use crate::{Web, fail, layout, words};

/// `?done=…`
#[derive(Debug, Default, Deserialize)]
pub struct MemberQuery {
    done: Option<String>,
}

/// `GET /desk/member/{id}`.
pub async fn page(
    visit: Visit,
    State(web): State<Web>,
    Path(id): Path<String>,
    Query(query): Query<MemberQuery>,
) -> Response {
    match draw(
        &visit,
        &web,
        &id,
        query.done.as_deref(),
        &Fields::default(),
        None,
    )
    .await
    {
        Ok(page) => page.into_response(),
        Err(error) => fail::page(&visit, &web, &error),
    }
}

/// The member's page, with the forms showing `fields` and, after a
/// refusal, why.
pub(crate) async fn draw(
    visit: &Visit,
    web: &Web,
    id: &str,
    done: Option<&str>,
    fields: &Fields,
    refused: Option<&Refused>,
) -> Result<Markup, Error> {
    let viewer = &visit.viewer;
    let person: PersonId = input::id(id, "memberId")?;
    let member = web.app.member(viewer, person)?;
    let reads = web.app.personal_reads(viewer);
    reads.show(person)?;
    let history = web.app.history(viewer, person).await?;
    let home = web.app.named_organization(member.home)?;
    // Roles are the same throughout their subtree: whoever reads this
    // member may change them exactly when the role writes members at all.
    let may_write = viewer.may(Action::WriteMembers).is_ok();
    let targets = if may_write {
        web.app
            .organizations(
                viewer,
                OrganizationsQuery {
                    level: Some(OrgLevel::Primary),
                    first: 200,
                    ..OrganizationsQuery::default()
                },
            )
            .map(|page| page.items)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let beside = |form: &str, name: &str| {
        refused
            .filter(|r| r.form == form && r.field == Some(name))
            .map(|r| r.text.clone())
    };
    let general = |form: &str| {
        refused
            .filter(|r| r.form == form && r.field.is_none())
            .map(|r| r.text.clone())
    };
    let personal = member.personal.as_ref();
    let body = html! {
        nav.crumbs { a href={ "/desk/org/" (home.org_id) } { (home.name) } }
        h1 #member-name { (full_name(&member)) }
        @if let Some(text) = done.and_then(notice) {
            div.notice.good #done role="status" { (text) }
        }
        div.panel {
            table { tbody {
                tr { th { "Состояние" } td #member-status { @if member.status == MemberStatus::Active { "состоит на учёте" } @else { "выбыл(а)" }
                    @if let Some(reason) = member.end_reason { " — " (words::end_reason(reason)) } } }
                tr { th { "Организация" } td { (home.name) } }
                tr { th { "Дата рождения" } td { @if let Some(p) = personal { (words::date(p.birth_date)) } @else { (member.birth_year) } } }
                tr { th { "Пол" } td { (words::gender(member.gender)) } }
                tr { th { "Категория" } td { (words::category(member.category))
                    @if let Some(p) = member.profession { ", " (words::profession(p)) }
                    @if let Some(p) = &member.position { ", " (p) } } }
                @if let Some(p) = personal {
                    tr { th { "СНИЛС" } td { (p.snils.map(|s| s.to_string()).unwrap_or_else(|| "—".into())) } }
                    tr { th { "Почта" } td { (p.email.as_deref().unwrap_or("—")) } }
                    tr { th { "Телефон" } td { (p.phone.as_deref().unwrap_or("—")) } }
                }
                tr { th { "Членство" } td { @for (i, spell) in member.memberships.iter().enumerate() {
                    @if i > 0 { br; }
                    "с " (words::date(spell.start))
                    @if let Some(end) = spell.end { " по " (words::date(end)) }
                } } }
                tr { th { "Билеты" } td #member-cards { @if member.cards.is_empty() { "—" }
                    @for card in &member.cards {
                        div { (card.number) " · " (words::card_kind(card.kind)) " · "
                            @if card.status == CardStatus::Active { "действует" } @else { "заблокирован" } }
                    }
                    @if !member.cards.is_empty() {
                        div { a #open-card href={ "/desk/member/" (member.person_id) "/card" } { "Билет с QR-кодом: PDF и картинка для телефона" } }
                    } } }
            } }
        }
        @if may_write && member.status == MemberStatus::Active {
            div.row {
                div { form.panel #transfer method="post" action={ "/desk/member/" (member.person_id) "/transfer" } {
                    h2 { "Перевести" }
                    @if let Some(text) = general("transfer") { div.notice.bad role="alert" { (text) } }
                    (layout::csrf_field(visit))
                    input type="hidden" name="version" value=(member.version);
                    label for="toOrgId" { "В организацию" }
                    select #toOrgId name="toOrgId" {
                        @for (_, target) in targets.iter().filter(|(_, t)| t.org_id != member.home) {
                            option value=(target.org_id) selected[fields.text("toOrgId") == target.org_id.to_string()] { (target.name) }
                        }
                    }
                    label for="transfer-date" { "С даты" }
                    input #transfer-date type="date" name="effectiveOn" value=(fields.text("effectiveOn"));
                    @if let Some(text) = beside("transfer", "effectiveOn") { div.field-error { (text) } }
                    div.actions { button type="submit" { "Перевести" } }
                } }
                div { form.panel #end method="post" action={ "/desk/member/" (member.person_id) "/end" } {
                    h2 { "Прекратить членство" }
                    @if let Some(text) = general("end") { div.notice.bad #end-error role="alert" { (text) } }
                    (layout::csrf_field(visit))
                    input type="hidden" name="version" value=(member.version);
                    label for="end-reason" { "Причина" }
                    select #end-reason name="reason" {
                        option value="" { "— выберите —" }
                        @for (value, text) in words::END_REASONS { option value=(value) selected[fields.text("reason") == *value] { (text) } }
                    }
                    @if let Some(text) = beside("end", "reason") { div.field-error { (text) } }
                    label for="end-basis" { "Основание (для исключения: орган, дата и номер решения)" }
                    input #end-basis name="basis" value=(fields.text("basis"));
                    @if let Some(text) = beside("end", "basis") { div.field-error #end-basis-error { (text) } }
                    label for="end-date" { "С даты" }
                    input #end-date type="date" name="effectiveOn" value=(fields.text("effectiveOn"));
                    @if let Some(text) = beside("end", "effectiveOn") { div.field-error #end-date-error { (text) } }
                    div.actions { button.danger type="submit" { "Прекратить" } }
                } }
            }
        }
        @if may_write && member.status == MemberStatus::Active {
            div.panel #card {
                h2 { "Членский билет" }
                @if let Some(text) = general("card") { div.notice.bad #card-error role="alert" { (text) } }
                @if let Some(card) = member.card() {
                    form method="post" action={ "/desk/member/" (member.person_id) "/card/block" } {
                        (layout::csrf_field(visit))
                        input type="hidden" name="number" value=(card.number);
                        p { "Действующий билет № " strong { (card.number) } " (" (words::card_kind(card.kind)) ")" }
                        label for="block-reason" { "Причина блокировки" }
                        input #block-reason name="blockReason" value=(fields.text("blockReason"));
                        @if let Some(text) = beside("card", "reason") { div.field-error #block-reason-error { (text) } }
                        div.actions { button.danger type="submit" { "Заблокировать билет" } }
                    }
                }
                form method="post" action={ "/desk/member/" (member.person_id) "/card/issue" } {
                    (layout::csrf_field(visit))
                    label for="card-kind" { @if member.card().is_some() { "Выдать новый билет взамен" } @else { "Выдать билет" } }
                    select #card-kind name="kind" {
                        @for (value, text) in words::CARD_KINDS.iter().filter(|(v, _)| !v.is_empty()) {
                            option value=(value) { (text) }
                        }
                    }
                    div.actions { button type="submit" #issue-card { "Выдать" } }
                }
            }
        }
        h2 { "История" }
        table.wide #history { thead { tr { th { "Дата" } th { "Событие" } } }
            tbody { @for entry in history.iter().rev() {
                tr { td { (entry.effective_on.map(words::date).unwrap_or_else(|| entry.recorded_at.format("%d.%m.%Y").to_string())) }
                     td { (entry.summary) } }
            } }
        }
    };
    reads.record().await?;
    Ok(layout::page(visit, web, &full_name(&member), body))
}
