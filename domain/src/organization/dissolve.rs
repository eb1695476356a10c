//! DissolveOrganization: the organisation ceases to exist.

use chrono::NaiveDate;

use crate::error::DomainError;
use crate::event::OrganizationEvent;
use crate::ids::OrgId;
use crate::organization::{Organization, OrganizationCommand, check_placed, open};
use crate::rules::{RuleViolation, not_after_today};

/// Dissolve the organisation from `effective_on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DissolveOrganization {
    /// The organisation.
    pub org_id: OrgId,
    /// The first day it no longer exists.
    pub effective_on: NaiveDate,
    /// How many active members have their home inside the organisation's subtree
    /// (itself included), as the caller counted them.
    pub active_members_in_subtree: u64,
}

impl From<DissolveOrganization> for OrganizationCommand {
    fn from(command: DissolveOrganization) -> OrganizationCommand {
        OrganizationCommand::Dissolve(command)
    }
}

/// Decides a dissolution.
///
/// # Errors
/// [`DomainError::NotFound`]; [`RuleViolation::AlreadyDissolved`];
/// [`RuleViolation::NotEmpty`] while active members have their home inside;
/// [`RuleViolation::BeforeCurrentPlacement`] or [`RuleViolation::FutureDate`].
pub(crate) fn decide(
    organization: &Option<Organization>,
    command: &DissolveOrganization,
    today: NaiveDate,
) -> Result<Vec<OrganizationEvent>, DomainError> {
    let organization = open(organization)?;
    if command.active_members_in_subtree > 0 {
        return Err(RuleViolation::NotEmpty {
            active_members: command.active_members_in_subtree,
        }
        .into());
    }
    check_placed(organization, command.effective_on)?;
    not_after_today(command.effective_on, today)?;
    Ok(vec![OrganizationEvent::Dissolved {
        org_id: organization.org_id,
        effective_on: command.effective_on,
    }])
}

#[cfg(test)]
mod tests {
    use crate::event::OrganizationEvent;
    use crate::organization::DissolveOrganization;
    use crate::organization::fixtures::*;
    use crate::rules::RuleViolation;
    use crate::testing::{d, today};
    use crate::vocabulary::organization::OrgLevel;

    fn dissolve(
        active_members_in_subtree: u64,
        effective_on: chrono::NaiveDate,
    ) -> DissolveOrganization {
        DissolveOrganization {
            org_id: SCHOOL,
            effective_on,
            active_members_in_subtree,
        }
    }

    #[test]
    fn an_empty_organisation_is_dissolved() {
        let school = given([registered(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            d(2000, 1, 1),
        )])
        .when(dissolve(0, d(2024, 5, 31)))
        .then([OrganizationEvent::Dissolved {
            org_id: SCHOOL,
            effective_on: d(2024, 5, 31),
        }]);
        assert_eq!(
            school.and_then(|org| org.dissolved_on),
            Some(d(2024, 5, 31))
        );
    }

    #[test]
    fn an_organisation_with_active_members_inside_is_not_dissolved() {
        given([registered(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            d(2000, 1, 1),
        )])
        .when(dissolve(3, d(2024, 5, 31)))
        .then_err(RuleViolation::NotEmpty { active_members: 3 });
    }

    #[test]
    fn an_organisation_is_dissolved_once() {
        given([
            registered(SCHOOL, DISTRICT, OrgLevel::Primary, d(2000, 1, 1)),
            OrganizationEvent::Dissolved {
                org_id: SCHOOL,
                effective_on: d(2020, 1, 1),
            },
        ])
        .when(dissolve(0, d(2024, 5, 31)))
        .then_err(RuleViolation::AlreadyDissolved);
    }

    #[test]
    fn a_dissolution_is_dated_neither_before_registration_nor_after_today() {
        given([registered(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            d(2000, 1, 1),
        )])
        .when(dissolve(0, d(1999, 12, 31)))
        .then_err(RuleViolation::BeforeCurrentPlacement {
            effective_on: d(1999, 12, 31),
            since: d(2000, 1, 1),
        });
        let tomorrow = today().succ_opt().unwrap();
        given([registered(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            d(2000, 1, 1),
        )])
        .when(dissolve(0, tomorrow))
        .then_err(RuleViolation::FutureDate {
            date: tomorrow,
            today: today(),
        });
    }
}
