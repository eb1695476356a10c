//! The command mutations: each decodes its input, checks who may do it where,
//! runs one command, waits for the read models to include its events, and
//! answers from them (read-your-writes).
//!
//! Everything that can be refused without the log is refused before the
//! command runs, so a refused mutation writes nothing. A repeated `commandId`
//! is answered by the command path from the log; the answer is built from the
//! ids of that first append.
//!
//! Layout: [`organization`] (the tree and passports), [`member`] (members and
//! cards), [`application`] (online applications).

mod application;
mod member;
mod organization;

use async_graphql::{Context, ID};
use chrono::NaiveDate;
use domain::ids::{OrgId, PersonId};
use domain::snils::Snils;
use domain::vocabulary::person::PersonalData;
use projections::registry::{MemberView, OrganizationView};

pub use crate::schema::mutation::application::{ApplicationInput, ApplicationMutation};
pub use crate::schema::mutation::member::{AdmitMemberInput, MemberMutation, UpdateMemberInput};
pub use crate::schema::mutation::organization::{
    OrganizationMutation, PassportInput, RegisterOrganizationInput,
};

use crate::error::ApiError;
use crate::guard::Action;
use crate::schema::scalars::Date;
use crate::schema::{app, parse_uuid, viewer};

/// The longest name, contact or position a mutation takes, in characters: far
/// above any real one, low enough that no field becomes a storage channel.
pub const MAX_NAME_CHARS: usize = 200;

/// The longest free text (a basis, a reason, an address), in characters.
pub const MAX_TEXT_CHARS: usize = 2000;

/// A required text: trimmed, at most `max` characters. Blank is left to the
/// domain, which refuses it with the rule's own field (`name`, `reason`, `basis`).
fn text(value: String, field: &'static str, max: usize) -> Result<String, ApiError> {
    let trimmed = value.trim();
    if trimmed.chars().count() > max {
        return Err(ApiError::Validation {
            message: format!("{field} is longer than {max} characters"),
            field: Some(field),
        });
    }
    Ok(if trimmed.len() == value.len() {
        value
    } else {
        trimmed.to_string()
    })
}

/// An optional text: as [`text`], and blank counts as absent.
fn optional_text(
    value: Option<String>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, ApiError> {
    match value {
        Some(value) if !value.trim().is_empty() => text(value, field, max).map(Some),
        _ => Ok(None),
    }
}

/// An optional e-mail address: one `@` with something on both sides, no spaces.
fn optional_email(value: Option<String>) -> Result<Option<String>, ApiError> {
    let email = optional_text(value, "email", MAX_NAME_CHARS)?;
    if let Some(email) = &email {
        let shaped = email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
            && !email.chars().any(char::is_whitespace)
            && email.matches('@').count() == 1;
        if !shaped {
            return Err(ApiError::Validation {
                message: format!("{email:?} is not an e-mail address"),
                field: Some("email"),
            });
        }
    }
    Ok(email)
}

/// An optional SNILS, its checksum verified; blank counts as absent.
fn optional_snils(value: Option<String>) -> Result<Option<Snils>, ApiError> {
    match value {
        Some(text) if !text.trim().is_empty() => {
            Snils::parse(text.trim())
                .map(Some)
                .map_err(|error| ApiError::Validation {
                    message: format!("{text:?} is not a SNILS: {error}"),
                    field: Some("snils"),
                })
        }
        _ => Ok(None),
    }
}

/// Personal data as a form gives it: names trimmed and bounded, SNILS checked,
/// blank optional fields absent.
#[allow(clippy::too_many_arguments)]
fn personal_data(
    last_name: String,
    first_name: String,
    patronymic: Option<String>,
    birth_date: Date,
    snils: Option<String>,
    email: Option<String>,
    phone: Option<String>,
) -> Result<PersonalData, ApiError> {
    Ok(PersonalData {
        last_name: text(last_name, "lastName", MAX_NAME_CHARS)?,
        first_name: text(first_name, "firstName", MAX_NAME_CHARS)?,
        patronymic: optional_text(patronymic, "patronymic", MAX_NAME_CHARS)?,
        birth_date: birth_date.0,
        snils: optional_snils(snils)?,
        email: optional_email(email)?,
        phone: optional_text(phone, "phone", MAX_NAME_CHARS)?,
    })
}

/// A count that may not be negative.
fn count(value: Option<i32>, field: &'static str) -> Result<Option<u32>, ApiError> {
    value
        .map(|n| {
            u32::try_from(n).map_err(|_| ApiError::Validation {
                message: format!("{field} must not be negative (got {n})"),
                field: Some(field),
            })
        })
        .transpose()
}

/// The date given, or today when omitted.
fn date_or(date: Option<Date>, today: NaiveDate) -> NaiveDate {
    date.map_or(today, |Date(date)| date)
}

/// An organisation id given in `field`.
fn org_id_in(id: &ID, field: &'static str) -> Result<OrgId, ApiError> {
    parse_uuid(id, field).map(OrgId)
}

/// A person id given in `field`.
fn person_id_in(id: &ID, field: &'static str) -> Result<PersonId, ApiError> {
    parse_uuid(id, field).map(PersonId)
}

/// The organisation `org`, which the viewer may `action` on.
///
/// # Errors
/// `NOT_FOUND` for an unknown organisation; `FORBIDDEN` outside the viewer's subtree.
fn organization_target(
    ctx: &Context<'_>,
    action: Action,
    org: OrgId,
) -> Result<OrganizationView, ApiError> {
    let app = app(ctx);
    let view = app.registry.organization(org).ok_or(ApiError::NotFound {
        what: "organisation",
    })?;
    viewer(ctx).may_at(action, org, &app.registry)?;
    Ok(view)
}

/// The person `person`, whom the viewer may change: their (last) home is in
/// the viewer's subtree.
///
/// # Errors
/// `NOT_FOUND` for an unknown person; `FORBIDDEN` outside the viewer's subtree.
fn member_target(ctx: &Context<'_>, person: PersonId) -> Result<MemberView, ApiError> {
    let app = app(ctx);
    let view = app
        .registry
        .member(person)
        .ok_or(ApiError::NotFound { what: "member" })?;
    viewer(ctx).may_at(Action::WriteMembers, view.home, &app.registry)?;
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_and_bounded() {
        assert_eq!(text("  Анна ".into(), "name", 10).unwrap(), "Анна");
        assert!(text("я".repeat(11), "name", 10).is_err());
        assert!(text("я".repeat(10), "name", 10).is_ok());
        assert_eq!(
            optional_text(Some("   ".into()), "phone", 10).unwrap(),
            None
        );
    }

    #[test]
    fn malformed_snils_and_emails_are_refused_with_their_field() {
        for bad in ["112-233-445 96", "12345", "abc"] {
            match optional_snils(Some(bad.into())) {
                Err(ApiError::Validation { field, .. }) => assert_eq!(field, Some("snils")),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert!(
            optional_snils(Some("112-233-445 95".into()))
                .unwrap()
                .is_some()
        );
        assert_eq!(optional_snils(Some(" ".into())).unwrap(), None);
        for bad in ["anna", "anna@", "@mail.ru", "an na@mail.ru", "a@b@mail.ru"] {
            assert!(optional_email(Some(bad.into())).is_err(), "{bad}");
        }
        assert!(optional_email(Some("anna@mail.ru".into())).is_ok());
    }

    #[test]
    fn counts_are_never_negative() {
        assert_eq!(count(Some(3), "employees").unwrap(), Some(3));
        assert!(count(Some(-1), "employees").is_err());
        assert_eq!(count(None, "employees").unwrap(), None);
    }
}
