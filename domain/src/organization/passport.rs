//! UpdatePassport: a primary organisation's passport is replaced by a new version.

use chrono::NaiveDate;

use crate::error::DomainError;
use crate::event::OrganizationEvent;
use crate::ids::OrgId;
use crate::organization::{Organization, OrganizationCommand, check_dated, dates, open};
use crate::rules::RuleViolation;
use crate::vocabulary::organization::{OrgLevel, Passport};

/// Replace the passport of a primary organisation, from `effective_on` or
/// undated (see [`dates`](crate::organization::dates)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdatePassport {
    /// The organisation.
    pub org_id: OrgId,
    /// The whole passport.
    pub passport: Passport,
    /// The day it takes effect; `None`: undated.
    pub effective_on: Option<NaiveDate>,
}

impl From<UpdatePassport> for OrganizationCommand {
    fn from(command: UpdatePassport) -> OrganizationCommand {
        OrganizationCommand::UpdatePassport(command)
    }
}

/// Decides a passport update, entered `today`.
///
/// # Errors
/// [`DomainError::NotFound`]; [`RuleViolation::AlreadyDissolved`];
/// [`RuleViolation::NotAPrimary`]: only a primary organisation keeps a passport;
/// for the date, [`RuleViolation::BeforeEstablishment`],
/// [`RuleViolation::BeforeCurrentPassport`] or [`RuleViolation::FutureDate`].
pub(crate) fn decide(
    organization: &Option<Organization>,
    command: &UpdatePassport,
    today: NaiveDate,
) -> Result<Vec<OrganizationEvent>, DomainError> {
    let organization = open(organization)?;
    if organization.level != OrgLevel::Primary {
        return Err(RuleViolation::NotAPrimary.into());
    }
    if let Some(effective_on) = command.effective_on {
        check_dated(organization, effective_on, today)?;
        dates::check_passport_order(organization.passport_from, effective_on)?;
    }
    Ok(vec![OrganizationEvent::PassportUpdated {
        org_id: organization.org_id,
        passport: command.passport.clone(),
        updated_on: today,
        effective_on: command.effective_on,
    }])
}

#[cfg(test)]
mod tests {
    use crate::event::OrganizationEvent;
    use crate::organization::fixtures::*;
    use crate::organization::{PassportFrom, UpdatePassport};
    use crate::rules::RuleViolation;
    use crate::testing::{d, today};
    use crate::vocabulary::organization::{OrgLevel, Passport, Sector};

    fn passport() -> Passport {
        Passport {
            sector: Some(Sector::School),
            employees: Some(84),
            students: Some(900),
            ..Passport::default()
        }
    }

    fn update(effective_on: Option<chrono::NaiveDate>) -> UpdatePassport {
        UpdatePassport {
            org_id: SCHOOL,
            passport: passport(),
            effective_on,
        }
    }

    fn updated(effective_on: Option<chrono::NaiveDate>) -> OrganizationEvent {
        OrganizationEvent::PassportUpdated {
            org_id: SCHOOL,
            passport: passport(),
            updated_on: today(),
            effective_on,
        }
    }

    #[test]
    fn an_undated_first_passport_describes_the_school_from_its_beginning() {
        let school = given([registered(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            d(2000, 1, 1),
        )])
        .when(update(None))
        .then([updated(None)]);
        assert_eq!(
            school.map(|org| (org.passport.sector, org.passport_from)),
            Some((Some(Sector::School), Some(PassportFrom::Beginning)))
        );
    }

    #[test]
    fn a_later_undated_passport_applies_from_the_day_it_is_entered() {
        let school = given([
            registered(SCHOOL, DISTRICT, OrgLevel::Primary, d(2000, 1, 1)),
            updated(None),
        ])
        .when(update(None))
        .then([updated(None)]);
        assert_eq!(
            school.map(|org| org.passport_from),
            Some(Some(PassportFrom::On(today())))
        );
    }

    #[test]
    fn a_dated_passport_is_not_before_the_school_was_established_nor_the_current_passport() {
        let established = registered(SCHOOL, DISTRICT, OrgLevel::Primary, d(2000, 1, 1));
        given([established.clone()])
            .when(update(Some(d(1999, 12, 31))))
            .then_err(RuleViolation::BeforeEstablishment {
                date: d(1999, 12, 31),
                established_on: d(2000, 1, 1),
            });
        given([established.clone(), updated(Some(d(2015, 9, 1)))])
            .when(update(Some(d(2015, 8, 31))))
            .then_err(RuleViolation::BeforeCurrentPassport {
                effective_on: d(2015, 8, 31),
                since: d(2015, 9, 1),
            });
        given([established, updated(Some(d(2015, 9, 1)))])
            .when(update(Some(d(2015, 9, 1))))
            .then([updated(Some(d(2015, 9, 1)))]);
    }

    #[test]
    fn a_school_found_in_place_takes_a_passport_dated_long_ago() {
        given([found_in_place(SCHOOL, DISTRICT, OrgLevel::Primary, today())])
            .when(update(Some(d(1995, 9, 1))))
            .then([updated(Some(d(1995, 9, 1)))]);
    }

    #[test]
    fn a_territorial_organisation_has_no_passport() {
        given([registered(
            DISTRICT,
            MOSCOW,
            OrgLevel::Territorial,
            d(2000, 1, 1),
        )])
        .when(UpdatePassport {
            org_id: DISTRICT,
            ..update(None)
        })
        .then_err(RuleViolation::NotAPrimary);
    }
}
