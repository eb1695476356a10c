//! RenameOrganization: the organisation takes a new name.

use chrono::NaiveDate;

use crate::error::{DomainError, InvalidInput, non_blank};
use crate::event::OrganizationEvent;
use crate::ids::OrgId;
use crate::organization::{Organization, OrganizationCommand, check_dated, open};

/// Rename the organisation from `renamed_on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenameOrganization {
    /// The organisation.
    pub org_id: OrgId,
    /// New full name.
    pub name: String,
    /// New short name.
    pub short_name: Option<String>,
    /// The day of the renaming.
    pub renamed_on: NaiveDate,
}

impl From<RenameOrganization> for OrganizationCommand {
    fn from(command: RenameOrganization) -> OrganizationCommand {
        OrganizationCommand::Rename(command)
    }
}

/// Decides a renaming.
///
/// # Errors
/// [`DomainError::NotFound`]; [`RuleViolation::AlreadyDissolved`](crate::rules::RuleViolation::AlreadyDissolved);
/// [`InvalidInput::EmptyName`]; `BeforeEstablishment` or `FutureDate` for the date.
pub(crate) fn decide(
    organization: &Option<Organization>,
    command: &RenameOrganization,
    today: NaiveDate,
) -> Result<Vec<OrganizationEvent>, DomainError> {
    let organization = open(organization)?;
    non_blank(&command.name, InvalidInput::EmptyName)?;
    check_dated(organization, command.renamed_on, today)?;
    Ok(vec![OrganizationEvent::Renamed {
        org_id: organization.org_id,
        name: command.name.trim().to_string(),
        short_name: command
            .short_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        renamed_on: command.renamed_on,
    }])
}

#[cfg(test)]
mod tests {
    use crate::error::{DomainError, InvalidInput};
    use crate::event::OrganizationEvent;
    use crate::organization::RenameOrganization;
    use crate::organization::fixtures::*;
    use crate::rules::RuleViolation;
    use crate::testing::d;
    use crate::vocabulary::organization::OrgLevel;

    fn rename(name: &str, renamed_on: chrono::NaiveDate) -> RenameOrganization {
        RenameOrganization {
            org_id: SCHOOL,
            name: name.into(),
            short_name: Some("Школа 17".into()),
            renamed_on,
        }
    }

    #[test]
    fn an_organisation_takes_a_new_name() {
        let school = given([registered(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            d(2000, 1, 1),
        )])
        .when(rename("Гимназия № 17", d(2020, 1, 1)))
        .then([OrganizationEvent::Renamed {
            org_id: SCHOOL,
            name: "Гимназия № 17".into(),
            short_name: Some("Школа 17".into()),
            renamed_on: d(2020, 1, 1),
        }]);
        assert_eq!(
            school.map(|org| org.name),
            Some("Гимназия № 17".to_string())
        );
    }

    #[test]
    fn a_renaming_needs_a_name_an_organisation_and_a_date_after_registration() {
        given([])
            .when(rename("Гимназия", d(2020, 1, 1)))
            .then_err(DomainError::NotFound {
                what: "organisation",
            });
        given([registered(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            d(2000, 1, 1),
        )])
        .when(rename(" ", d(2020, 1, 1)))
        .then_err(InvalidInput::EmptyName);
        given([registered(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            d(2000, 1, 1),
        )])
        .when(rename("Гимназия", d(1999, 1, 1)))
        .then_err(RuleViolation::BeforeEstablishment {
            date: d(1999, 1, 1),
            established_on: d(2000, 1, 1),
        });
    }

    #[test]
    fn a_dissolved_organisation_is_not_renamed() {
        given([
            registered(SCHOOL, DISTRICT, OrgLevel::Primary, d(2000, 1, 1)),
            OrganizationEvent::Dissolved {
                org_id: SCHOOL,
                effective_on: d(2020, 1, 1),
            },
        ])
        .when(rename("Гимназия", d(2021, 1, 1)))
        .then_err(RuleViolation::AlreadyDissolved);
    }
}
