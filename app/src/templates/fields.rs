//! The values a template is filled with, from the read models: a member's
//! (and their home's) for the member documents, an organisation's cards for
//! the card register. Anything the registry does not know is a blank line
//! to fill in by hand.

use std::collections::HashMap;

use chrono::NaiveDate;
use documents::docx::Fields;
use domain::vocabulary::card::CardKind;
use domain::vocabulary::organization::OrgLevel;
use domain::vocabulary::person::{EndReason, Gender};
use projections::registry::{CardStatus, CardView, MemberView, OrganizationView, Registry};

use crate::reports::labels::{CATEGORY_WORDS, PROFESSION_WORDS};

/// What stands where the registry knows nothing.
pub const BLANK: &str = "____________";

/// The placeholders of an organisation, in every template.
pub const ORG_PLACEHOLDERS: [&str; 8] = [
    "org.name",
    "org.chair",
    "org.address",
    "org.phone",
    "org.email",
    "today",
    "minutes.number",
    "minutes.date",
];

/// The placeholders of a member, in the member documents.
pub const MEMBER_PLACEHOLDERS: [&str; 18] = [
    "member.last_name",
    "member.first_name",
    "member.patronymic",
    "member.full_name",
    "member.birth_date",
    "member.snils",
    "member.email",
    "member.phone",
    "member.gender",
    "member.category",
    "member.profession",
    "member.position",
    "member.joined_on",
    "member.ended_on",
    "member.end_reason",
    "member.tenure_years",
    "member.card_number",
    "member.card_issued_on",
];

/// The placeholders of a card register's row (`{{cards.…}}`), repeated per card.
pub const CARD_PLACEHOLDERS: [&str; 7] = [
    "cards.n",
    "cards.number",
    "cards.kind",
    "cards.holder",
    "cards.issued_on",
    "cards.status",
    "cards.blocked_on",
];

fn date(day: NaiveDate) -> String {
    day.format("%d.%m.%Y").to_string()
}

fn or_blank(value: Option<String>) -> String {
    value
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| BLANK.to_string())
}

/// The full name of `member`, or `None` after erasure.
pub(crate) fn full_name(member: &MemberView) -> Option<String> {
    member
        .personal
        .as_ref()
        .map(domain::vocabulary::person::PersonalData::full_name)
}

/// The organisation's part: `org` with the passport of the primary
/// organisation at or above it (chair, address, contacts).
pub(crate) fn organization(
    fields: &mut Fields,
    registry: &Registry,
    org: &OrganizationView,
    today: NaiveDate,
    minutes: (Option<String>, Option<NaiveDate>),
) {
    let primary = registry
        .path(org.org_id)
        .into_iter()
        .rev()
        .find(|o| o.level == OrgLevel::Primary);
    let passport = primary
        .as_ref()
        .unwrap_or(org)
        .passport
        .as_ref()
        .map(|(p, _)| p.clone());
    let of = |f: fn(&domain::vocabulary::organization::Passport) -> Option<String>| {
        or_blank(passport.as_ref().and_then(f))
    };
    let values = [
        ("org.name", org.name.clone()),
        ("org.chair", of(|p| p.chair_name.clone())),
        ("org.address", of(|p| p.address.clone())),
        ("org.phone", of(|p| p.phone.clone())),
        ("org.email", of(|p| p.email.clone())),
        ("today", date(today)),
        ("minutes.number", or_blank(minutes.0)),
        ("minutes.date", or_blank(minutes.1.map(date))),
    ];
    fields
        .values
        .extend(values.map(|(k, v)| (k.to_string(), v)));
}

/// The member's part.
pub(crate) fn member(fields: &mut Fields, member: &MemberView, today: NaiveDate) {
    let p = member.personal.as_ref();
    let card = member.card().or(member.cards.last());
    let gender = match member.gender {
        Gender::Female => "женский",
        Gender::Male => "мужской",
    };
    let category = projections::statistics::bands::category_index(member.category);
    let end_reason = member.end_reason.map(|r| match r {
        EndReason::VoluntaryExit => "выход по собственному желанию",
        EndReason::Expulsion => "исключение",
        EndReason::LeftEducation => "уход из системы образования",
        EndReason::Death => "смерть",
    });
    let tenure = f64::from(member.tenure_days(today)) / 365.25;
    let values = [
        ("member.last_name", p.map(|p| p.last_name.clone())),
        ("member.first_name", p.map(|p| p.first_name.clone())),
        ("member.patronymic", p.and_then(|p| p.patronymic.clone())),
        ("member.full_name", full_name(member)),
        ("member.birth_date", p.map(|p| date(p.birth_date))),
        (
            "member.snils",
            p.and_then(|p| p.snils.as_ref()).map(ToString::to_string),
        ),
        ("member.email", p.and_then(|p| p.email.clone())),
        ("member.phone", p.and_then(|p| p.phone.clone())),
        ("member.gender", Some(gender.to_string())),
        (
            "member.category",
            Some(CATEGORY_WORDS[usize::from(category)].to_lowercase()),
        ),
        (
            "member.profession",
            member.profession.map(|x| {
                let k = projections::statistics::bands::profession_index(x);
                PROFESSION_WORDS[usize::from(k)].to_lowercase()
            }),
        ),
        ("member.position", member.position.clone()),
        ("member.joined_on", Some(date(member.joined_on))),
        ("member.ended_on", member.ended_on.map(date)),
        ("member.end_reason", end_reason.map(str::to_string)),
        (
            "member.tenure_years",
            Some(format!("{tenure:.1}").replace('.', ",")),
        ),
        ("member.card_number", card.map(|c| c.number.to_string())),
        ("member.card_issued_on", card.map(|c| date(c.issued_on))),
    ];
    fields
        .values
        .extend(values.map(|(k, v)| (k.to_string(), or_blank(v))));
}

/// The register's rows: every card of `members`, in the order of issue.
pub(crate) fn cards(fields: &mut Fields, members: &[MemberView]) {
    let mut cards: Vec<(&CardView, &MemberView)> = members
        .iter()
        .flat_map(|m| m.cards.iter().map(move |c| (c, m)))
        .collect();
    cards.sort_by_key(|(c, _)| (c.issued_on, c.number.to_string()));
    let rows = cards
        .into_iter()
        .enumerate()
        .map(|(k, (card, member))| {
            let kind = match card.kind {
                CardKind::Plastic => "пластиковый",
                CardKind::Virtual => "электронный",
            };
            let status = match card.status {
                CardStatus::Active => "действует",
                CardStatus::Blocked => "заблокирован",
            };
            HashMap::from([
                ("n".to_string(), (k + 1).to_string()),
                ("number".to_string(), card.number.to_string()),
                ("kind".to_string(), kind.to_string()),
                ("holder".to_string(), or_blank(full_name(member))),
                ("issued_on".to_string(), date(card.issued_on)),
                ("status".to_string(), status.to_string()),
                (
                    "blocked_on".to_string(),
                    card.blocked_on.map(date).unwrap_or_default(),
                ),
            ])
        })
        .collect();
    fields.lists.insert("cards".to_string(), rows);
}
