//! MoveOrganization: the organisation moves under another parent.

use chrono::NaiveDate;

use crate::error::DomainError;
use crate::event::OrganizationEvent;
use crate::ids::OrgId;
use crate::organization::{
    Organization, OrganizationCommand, ParentFacts, check_parent, check_placed, dates, open,
};
use crate::rules::{RuleViolation, not_after_today};

/// Move the organisation under `new_parent_id` from `effective_on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MoveOrganization {
    /// The organisation.
    pub org_id: OrgId,
    /// The new parent.
    pub new_parent_id: OrgId,
    /// What the registry knows about the new parent; `None` when it does not know it.
    pub new_parent: Option<ParentFacts>,
    /// The first day under the new parent.
    pub effective_on: NaiveDate,
}

impl From<MoveOrganization> for OrganizationCommand {
    fn from(command: MoveOrganization) -> OrganizationCommand {
        OrganizationCommand::Move(command)
    }
}

/// Decides a move.
///
/// # Errors
/// [`DomainError::NotFound`]; [`RuleViolation::AlreadyDissolved`];
/// [`RuleViolation::SameParent`]; [`RuleViolation::MoveCreatesCycle`] when the new
/// parent is the organisation or one of its descendants;
/// [`RuleViolation::ParentNotFound`], [`RuleViolation::ParentDissolved`],
/// [`RuleViolation::ParentLevel`] (the CENTRAL organisation never moves);
/// [`RuleViolation::BeforeCurrentPlacement`],
/// [`RuleViolation::BeforeEstablishment`] (of the new parent) or
/// [`RuleViolation::FutureDate`].
pub(crate) fn decide(
    organization: &Option<Organization>,
    command: &MoveOrganization,
    today: NaiveDate,
) -> Result<Vec<OrganizationEvent>, DomainError> {
    let organization = open(organization)?;
    let Some(from_parent) = organization.parent_id else {
        let parent_level = command.new_parent.as_ref().map(|parent| parent.level);
        return Err(RuleViolation::ParentLevel {
            level: organization.level,
            parent_level,
        }
        .into());
    };
    if command.new_parent_id == from_parent {
        return Err(RuleViolation::SameParent.into());
    }
    let creates_cycle = command.new_parent_id == organization.org_id
        || command
            .new_parent
            .as_ref()
            .is_some_and(|parent| parent.ancestors.contains(&organization.org_id));
    if creates_cycle {
        return Err(RuleViolation::MoveCreatesCycle.into());
    }
    check_parent(
        organization.level,
        organization.territorial_rights,
        command.new_parent.as_ref(),
    )?;
    check_placed(organization, command.effective_on)?;
    if let Some(parent) = &command.new_parent {
        dates::check_begun(parent.established_on, command.effective_on)?;
    }
    not_after_today(command.effective_on, today)?;
    Ok(vec![OrganizationEvent::Moved {
        org_id: organization.org_id,
        from_parent,
        to_parent: command.new_parent_id,
        effective_on: command.effective_on,
    }])
}

#[cfg(test)]
mod tests {
    use crate::event::OrganizationEvent;
    use crate::organization::fixtures::*;
    use crate::organization::{MoveOrganization, ParentFacts};
    use crate::rules::RuleViolation;
    use crate::testing::d;
    use crate::vocabulary::organization::OrgLevel;

    fn move_under(
        org_id: crate::ids::OrgId,
        new_parent_id: crate::ids::OrgId,
        facts: ParentFacts,
        on: chrono::NaiveDate,
    ) -> MoveOrganization {
        MoveOrganization {
            org_id,
            new_parent_id,
            new_parent: Some(facts),
            effective_on: on,
        }
    }

    fn school() -> OrganizationEvent {
        registered(SCHOOL, DISTRICT, OrgLevel::Primary, d(2000, 1, 1))
    }

    #[test]
    fn a_primary_moves_to_another_territorial_organisation() {
        let school = given([school()])
            .when(move_under(
                SCHOOL,
                OTHER_DISTRICT,
                parent(OrgLevel::Territorial, &[MOSCOW, CENTRAL]),
                d(2023, 9, 1),
            ))
            .then([OrganizationEvent::Moved {
                org_id: SCHOOL,
                from_parent: DISTRICT,
                to_parent: OTHER_DISTRICT,
                effective_on: d(2023, 9, 1),
            }]);
        assert_eq!(
            school.map(|org| (org.parent_id, org.placed_since)),
            Some((Some(OTHER_DISTRICT), Some(d(2023, 9, 1))))
        );
    }

    #[test]
    fn a_move_under_the_same_parent_is_refused() {
        given([school()])
            .when(move_under(
                SCHOOL,
                DISTRICT,
                parent(OrgLevel::Territorial, &[MOSCOW, CENTRAL]),
                d(2023, 9, 1),
            ))
            .then_err(RuleViolation::SameParent);
    }

    #[test]
    fn a_move_under_itself_or_a_descendant_is_a_cycle() {
        let district = registered(DISTRICT, MOSCOW, OrgLevel::Territorial, d(1995, 1, 1));
        given([district.clone()])
            .when(move_under(
                DISTRICT,
                DISTRICT,
                parent(OrgLevel::Regional, &[]),
                d(2023, 9, 1),
            ))
            .then_err(RuleViolation::MoveCreatesCycle);
        given([district])
            .when(move_under(
                DISTRICT,
                SCHOOL,
                parent(OrgLevel::Primary, &[DISTRICT, MOSCOW, CENTRAL]),
                d(2023, 9, 1),
            ))
            .then_err(RuleViolation::MoveCreatesCycle);
    }

    #[test]
    fn a_move_needs_a_parent_of_the_right_level_that_is_not_dissolved() {
        given([school()])
            .when(move_under(
                SCHOOL,
                MOSCOW,
                parent(OrgLevel::Regional, &[CENTRAL]),
                d(2023, 9, 1),
            ))
            .then_err(RuleViolation::ParentLevel {
                level: OrgLevel::Primary,
                parent_level: Some(OrgLevel::Regional),
            });
        let dissolved = ParentFacts {
            dissolved: true,
            ..parent(OrgLevel::Territorial, &[MOSCOW, CENTRAL])
        };
        given([school()])
            .when(move_under(SCHOOL, OTHER_DISTRICT, dissolved, d(2023, 9, 1)))
            .then_err(RuleViolation::ParentDissolved);
    }

    #[test]
    fn a_move_is_not_dated_before_the_last_one() {
        let moved = OrganizationEvent::Moved {
            org_id: SCHOOL,
            from_parent: DISTRICT,
            to_parent: OTHER_DISTRICT,
            effective_on: d(2023, 9, 1),
        };
        given([school(), moved])
            .when(move_under(
                SCHOOL,
                DISTRICT,
                parent(OrgLevel::Territorial, &[MOSCOW, CENTRAL]),
                d(2023, 8, 31),
            ))
            .then_err(RuleViolation::BeforeCurrentPlacement {
                effective_on: d(2023, 8, 31),
                since: d(2023, 9, 1),
            });
    }

    #[test]
    fn an_organisation_found_in_place_moves_as_of_any_past_day() {
        let school = found_in_place(SCHOOL, DISTRICT, OrgLevel::Primary, d(2024, 5, 1));
        given([school.clone()])
            .when(move_under(
                SCHOOL,
                OTHER_DISTRICT,
                parent(OrgLevel::Territorial, &[MOSCOW, CENTRAL]),
                d(2012, 9, 1),
            ))
            .then([OrganizationEvent::Moved {
                org_id: SCHOOL,
                from_parent: DISTRICT,
                to_parent: OTHER_DISTRICT,
                effective_on: d(2012, 9, 1),
            }]);
        let new_parent = ParentFacts {
            established_on: Some(d(2013, 1, 1)),
            ..parent(OrgLevel::Territorial, &[MOSCOW, CENTRAL])
        };
        given([school])
            .when(move_under(
                SCHOOL,
                OTHER_DISTRICT,
                new_parent,
                d(2012, 9, 1),
            ))
            .then_err(RuleViolation::BeforeEstablishment {
                date: d(2012, 9, 1),
                established_on: d(2013, 1, 1),
            });
    }

    #[test]
    fn an_organisation_established_on_a_day_moves_from_that_day_on() {
        given([school()])
            .when(move_under(
                SCHOOL,
                OTHER_DISTRICT,
                parent(OrgLevel::Territorial, &[MOSCOW, CENTRAL]),
                d(1999, 12, 31),
            ))
            .then_err(RuleViolation::BeforeCurrentPlacement {
                effective_on: d(1999, 12, 31),
                since: d(2000, 1, 1),
            });
    }
}
