//! UpdatePassport: a primary organisation's passport is replaced by a new version.

use chrono::NaiveDate;

use crate::error::DomainError;
use crate::event::OrganizationEvent;
use crate::ids::OrgId;
use crate::organization::{Organization, OrganizationCommand, check_dated, open};
use crate::rules::RuleViolation;
use crate::vocabulary::organization::{OrgLevel, Passport};

/// Replace the passport of a primary organisation, as of `updated_on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdatePassport {
    /// The organisation.
    pub org_id: OrgId,
    /// The whole passport as it is now.
    pub passport: Passport,
    /// The day of the update.
    pub updated_on: NaiveDate,
}

impl From<UpdatePassport> for OrganizationCommand {
    fn from(command: UpdatePassport) -> OrganizationCommand {
        OrganizationCommand::UpdatePassport(command)
    }
}

/// Decides a passport update.
///
/// # Errors
/// [`DomainError::NotFound`]; [`RuleViolation::AlreadyDissolved`];
/// [`RuleViolation::NotAPrimary`]: only a primary organisation keeps a passport;
/// `BeforeRegistration` or `FutureDate` for the date.
pub(crate) fn decide(
    organization: &Option<Organization>,
    command: &UpdatePassport,
    today: NaiveDate,
) -> Result<Vec<OrganizationEvent>, DomainError> {
    let organization = open(organization)?;
    if organization.level != OrgLevel::Primary {
        return Err(RuleViolation::NotAPrimary.into());
    }
    check_dated(organization, command.updated_on, today)?;
    Ok(vec![OrganizationEvent::PassportUpdated {
        org_id: organization.org_id,
        passport: command.passport.clone(),
        updated_on: command.updated_on,
    }])
}

#[cfg(test)]
mod tests {
    use crate::event::OrganizationEvent;
    use crate::organization::UpdatePassport;
    use crate::organization::fixtures::*;
    use crate::rules::RuleViolation;
    use crate::testing::d;
    use crate::vocabulary::organization::{OrgLevel, Passport, Sector};

    fn passport() -> Passport {
        Passport {
            sector: Some(Sector::School),
            employees: Some(84),
            students: Some(900),
            ..Passport::default()
        }
    }

    #[test]
    fn a_primary_organisation_keeps_its_passport() {
        let school = given([registered(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            d(2000, 1, 1),
        )])
        .when(UpdatePassport {
            org_id: SCHOOL,
            passport: passport(),
            updated_on: d(2024, 1, 1),
        })
        .then([OrganizationEvent::PassportUpdated {
            org_id: SCHOOL,
            passport: passport(),
            updated_on: d(2024, 1, 1),
        }]);
        assert_eq!(
            school.map(|org| org.passport.sector),
            Some(Some(Sector::School))
        );
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
            passport: passport(),
            updated_on: d(2024, 1, 1),
        })
        .then_err(RuleViolation::NotAPrimary);
    }
}
