//! RegisterOrganization: a new organisation joins the tree.

use chrono::NaiveDate;

use crate::error::{DomainError, InvalidInput, non_blank};
use crate::event::OrganizationEvent;
use crate::ids::OrgId;
use crate::organization::{Organization, OrganizationCommand, ParentFacts, check_parent, dates};
use crate::rules::{RuleViolation, not_after_today};
use crate::vocabulary::organization::OrgLevel;

/// Register `org_id` under `parent_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisterOrganization {
    /// The new organisation.
    pub org_id: OrgId,
    /// Its parent; `None` only for the CENTRAL organisation.
    pub parent_id: Option<OrgId>,
    /// Full name.
    pub name: String,
    /// Short name.
    pub short_name: Option<String>,
    /// Level in the tree.
    pub level: OrgLevel,
    /// Region code 1..=99, for (and only for) a REGIONAL organisation.
    pub region_code: Option<u8>,
    /// A PRIMARY with the rights of a territorial organisation (sits under a REGIONAL one).
    pub territorial_rights: bool,
    /// The day it is entered in the registry (today).
    pub registered_on: NaiveDate,
    /// The day it was established; `None`: found in place (see `dates`).
    pub established_on: Option<NaiveDate>,
    /// What the registry knows about `parent_id`; `None` when it does not know it.
    pub parent: Option<ParentFacts>,
    /// Whether a CENTRAL organisation is registered already.
    pub central_exists: bool,
}

impl From<RegisterOrganization> for OrganizationCommand {
    fn from(command: RegisterOrganization) -> OrganizationCommand {
        OrganizationCommand::Register(command)
    }
}

/// Decides a registration.
///
/// # Errors
/// [`DomainError::AlreadyExists`]; [`InvalidInput::EmptyName`],
/// [`InvalidInput::RegionCode`], [`InvalidInput::TerritorialRightsNotPrimary`],
/// [`InvalidInput::MissingParent`]; [`RuleViolation::SecondCentral`];
/// [`RuleViolation::ParentNotFound`], [`RuleViolation::ParentDissolved`],
/// [`RuleViolation::ParentLevel`]; [`RuleViolation::FutureDate`] for either
/// date; [`RuleViolation::BeforeEstablishment`] when established before its
/// parent was.
pub(crate) fn decide(
    organization: &Option<Organization>,
    command: &RegisterOrganization,
    today: NaiveDate,
) -> Result<Vec<OrganizationEvent>, DomainError> {
    if organization.is_some() {
        return Err(DomainError::AlreadyExists {
            what: "organisation",
        });
    }
    non_blank(&command.name, InvalidInput::EmptyName)?;
    let regional = command.level == OrgLevel::Regional;
    let region_code_fits = match command.region_code {
        Some(code) => regional && (1..=99).contains(&code),
        None => !regional,
    };
    if !region_code_fits {
        return Err(InvalidInput::RegionCode {
            region_code: command.region_code,
        }
        .into());
    }
    if command.territorial_rights && command.level != OrgLevel::Primary {
        return Err(InvalidInput::TerritorialRightsNotPrimary.into());
    }
    match (command.level, command.parent_id) {
        (OrgLevel::Central, Some(_)) => {
            let parent_level = command.parent.as_ref().map(|parent| parent.level);
            return Err(RuleViolation::ParentLevel {
                level: OrgLevel::Central,
                parent_level,
            }
            .into());
        }
        (OrgLevel::Central, None) if command.central_exists => {
            return Err(RuleViolation::SecondCentral.into());
        }
        (OrgLevel::Central, None) => {}
        (_, None) => return Err(InvalidInput::MissingParent.into()),
        (level, Some(_)) => {
            check_parent(level, command.territorial_rights, command.parent.as_ref())?
        }
    }
    not_after_today(command.registered_on, today)?;
    if let Some(established_on) = command.established_on {
        not_after_today(established_on, today)?;
        if let Some(parent) = &command.parent {
            dates::check_begun(parent.established_on, established_on)?;
        }
    }
    Ok(vec![OrganizationEvent::Registered {
        org_id: command.org_id,
        parent_id: command.parent_id,
        name: command.name.trim().to_string(),
        short_name: command
            .short_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        level: command.level,
        region_code: command.region_code,
        territorial_rights: command.territorial_rights,
        registered_on: command.registered_on,
        established_on: command.established_on,
    }])
}

#[cfg(test)]
mod tests {
    use crate::error::{DomainError, InvalidInput};
    use crate::event::OrganizationEvent;
    use crate::organization::fixtures::*;
    use crate::organization::{ParentFacts, RegisterOrganization};
    use crate::rules::RuleViolation;
    use crate::testing::{d, today};
    use crate::vocabulary::organization::OrgLevel;

    fn central(central_exists: bool) -> RegisterOrganization {
        RegisterOrganization {
            org_id: CENTRAL,
            parent_id: None,
            name: "Профсоюз".into(),
            short_name: None,
            level: OrgLevel::Central,
            region_code: None,
            territorial_rights: false,
            registered_on: d(1990, 1, 1),
            established_on: None,
            parent: None,
            central_exists,
        }
    }

    fn regional(region_code: Option<u8>) -> RegisterOrganization {
        RegisterOrganization {
            region_code,
            ..register(
                MOSCOW,
                CENTRAL,
                OrgLevel::Regional,
                parent(OrgLevel::Central, &[]),
                d(1990, 2, 1),
            )
        }
    }

    #[test]
    fn the_central_organisation_is_registered_once() {
        given([])
            .when(central(false))
            .then([OrganizationEvent::Registered {
                org_id: CENTRAL,
                parent_id: None,
                name: "Профсоюз".into(),
                short_name: None,
                level: OrgLevel::Central,
                region_code: None,
                territorial_rights: false,
                registered_on: d(1990, 1, 1),
                established_on: None,
            }]);
        given([])
            .when(central(true))
            .then_err(RuleViolation::SecondCentral);
    }

    #[test]
    fn a_regional_organisation_needs_a_region_code_from_1_to_99() {
        for code in [None, Some(0), Some(100)] {
            given([])
                .when(regional(code))
                .then_err(InvalidInput::RegionCode { region_code: code });
        }
        let moscow = given([])
            .when(regional(Some(77)))
            .then([OrganizationEvent::Registered {
                org_id: MOSCOW,
                parent_id: Some(CENTRAL),
                name: "организация Regional".into(),
                short_name: None,
                level: OrgLevel::Regional,
                region_code: Some(77),
                territorial_rights: false,
                registered_on: d(1990, 2, 1),
                established_on: Some(d(1990, 2, 1)),
            }]);
        assert_eq!(moscow.map(|org| org.region_code), Some(Some(77)));
    }

    #[test]
    fn only_a_regional_organisation_has_a_region_code() {
        let command = RegisterOrganization {
            region_code: Some(77),
            ..register(
                DISTRICT,
                MOSCOW,
                OrgLevel::Territorial,
                parent(OrgLevel::Regional, &[CENTRAL]),
                d(1995, 1, 1),
            )
        };
        given([]).when(command).then_err(InvalidInput::RegionCode {
            region_code: Some(77),
        });
    }

    #[test]
    fn a_primary_sits_under_a_territorial_or_with_territorial_rights_under_a_regional() {
        let under_district = register(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            parent(OrgLevel::Territorial, &[MOSCOW, CENTRAL]),
            d(2000, 1, 1),
        );
        given([]).when(under_district).then([registered(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            d(2000, 1, 1),
        )]);
        let under_region = register(
            SCHOOL,
            MOSCOW,
            OrgLevel::Primary,
            parent(OrgLevel::Regional, &[CENTRAL]),
            d(2000, 1, 1),
        );
        given([])
            .when(under_region.clone())
            .then_err(RuleViolation::ParentLevel {
                level: OrgLevel::Primary,
                parent_level: Some(OrgLevel::Regional),
            });
        given([])
            .when(RegisterOrganization {
                territorial_rights: true,
                ..under_region
            })
            .then([OrganizationEvent::Registered {
                org_id: SCHOOL,
                parent_id: Some(MOSCOW),
                name: "организация Primary".into(),
                short_name: None,
                level: OrgLevel::Primary,
                region_code: None,
                territorial_rights: true,
                registered_on: d(2000, 1, 1),
                established_on: Some(d(2000, 1, 1)),
            }]);
    }

    #[test]
    fn nothing_is_registered_under_an_unknown_or_dissolved_parent() {
        let unknown = RegisterOrganization {
            parent: None,
            ..register(
                DISTRICT,
                MOSCOW,
                OrgLevel::Territorial,
                parent(OrgLevel::Regional, &[]),
                d(2000, 1, 1),
            )
        };
        given([])
            .when(unknown)
            .then_err(RuleViolation::ParentNotFound);
        let dissolved = ParentFacts {
            dissolved: true,
            ..parent(OrgLevel::Regional, &[CENTRAL])
        };
        given([])
            .when(register(
                DISTRICT,
                MOSCOW,
                OrgLevel::Territorial,
                dissolved,
                d(2000, 1, 1),
            ))
            .then_err(RuleViolation::ParentDissolved);
    }

    #[test]
    fn every_organisation_but_the_central_one_needs_a_parent() {
        let orphan = RegisterOrganization {
            parent_id: None,
            ..register(
                DISTRICT,
                MOSCOW,
                OrgLevel::Territorial,
                parent(OrgLevel::Regional, &[]),
                d(2000, 1, 1),
            )
        };
        given([]).when(orphan).then_err(InvalidInput::MissingParent);
    }

    #[test]
    fn an_organisation_is_registered_once_and_not_in_the_future() {
        let command = register(
            DISTRICT,
            MOSCOW,
            OrgLevel::Territorial,
            parent(OrgLevel::Regional, &[CENTRAL]),
            d(2000, 1, 1),
        );
        given([registered(
            DISTRICT,
            MOSCOW,
            OrgLevel::Territorial,
            d(2000, 1, 1),
        )])
        .when(command.clone())
        .then_err(DomainError::AlreadyExists {
            what: "organisation",
        });
        let tomorrow = today().succ_opt().unwrap();
        given([])
            .when(RegisterOrganization {
                registered_on: tomorrow,
                ..command
            })
            .then_err(RuleViolation::FutureDate {
                date: tomorrow,
                today: today(),
            });
    }

    #[test]
    fn an_organisation_is_established_neither_in_the_future_nor_before_its_parent() {
        let command = register(
            SCHOOL,
            DISTRICT,
            OrgLevel::Primary,
            ParentFacts {
                established_on: Some(d(2010, 9, 1)),
                ..parent(OrgLevel::Territorial, &[MOSCOW, CENTRAL])
            },
            today(),
        );
        given([])
            .when(RegisterOrganization {
                established_on: Some(d(2010, 8, 31)),
                ..command.clone()
            })
            .then_err(RuleViolation::BeforeEstablishment {
                date: d(2010, 8, 31),
                established_on: d(2010, 9, 1),
            });
        let tomorrow = today().succ_opt().unwrap();
        given([])
            .when(RegisterOrganization {
                established_on: Some(tomorrow),
                ..command.clone()
            })
            .then_err(RuleViolation::FutureDate {
                date: tomorrow,
                today: today(),
            });
        let school = given([])
            .when(RegisterOrganization {
                established_on: None,
                ..command
            })
            .then([found_in_place(SCHOOL, DISTRICT, OrgLevel::Primary, today())]);
        assert_eq!(
            school.map(|org| (org.established_on, org.placed_since)),
            Some((None, None))
        );
    }
}
