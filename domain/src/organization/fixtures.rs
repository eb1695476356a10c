//! Fixtures for the organisation tests: a small tree and event/command builders.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::event::OrganizationEvent;
use crate::ids::OrgId;
use crate::organization::{Organization, OrganizationCommand, ParentFacts, RegisterOrganization};
use crate::testing::{Given, TestHarness, today};
use crate::vocabulary::organization::OrgLevel;

pub const CENTRAL: OrgId = OrgId(Uuid::from_u128(100));
pub const MOSCOW: OrgId = OrgId(Uuid::from_u128(177));
pub const DISTRICT: OrgId = OrgId(Uuid::from_u128(1771));
pub const SCHOOL: OrgId = OrgId(Uuid::from_u128(17711));
pub const OTHER_DISTRICT: OrgId = OrgId(Uuid::from_u128(1772));

/// The organisation aggregate's harness, today being [`today`].
pub fn given(
    events: impl IntoIterator<Item = OrganizationEvent>,
) -> Given<Option<Organization>, OrganizationCommand, OrganizationEvent> {
    TestHarness::new(
        crate::organization::decide,
        crate::organization::evolve,
        today(),
    )
    .given(events)
}

/// Facts about an open parent of `level` whose ancestors are `ancestors`.
pub fn parent(level: OrgLevel, ancestors: &[OrgId]) -> ParentFacts {
    ParentFacts {
        level,
        dissolved: false,
        ancestors: ancestors.to_vec(),
        established_on: None,
    }
}

pub fn register(
    org_id: OrgId,
    parent_id: OrgId,
    level: OrgLevel,
    facts: ParentFacts,
    on: NaiveDate,
) -> RegisterOrganization {
    RegisterOrganization {
        org_id,
        parent_id: Some(parent_id),
        name: format!("организация {level:?}"),
        short_name: None,
        level,
        region_code: None,
        territorial_rights: false,
        registered_on: on,
        established_on: Some(on),
        parent: Some(facts),
        central_exists: true,
    }
}

pub fn registered(
    org_id: OrgId,
    parent_id: OrgId,
    level: OrgLevel,
    on: NaiveDate,
) -> OrganizationEvent {
    OrganizationEvent::Registered {
        org_id,
        parent_id: Some(parent_id),
        name: format!("организация {level:?}"),
        short_name: None,
        level,
        region_code: None,
        territorial_rights: false,
        registered_on: on,
        established_on: Some(on),
    }
}

/// Registered on `on` without a date of establishment: found in place.
pub fn found_in_place(
    org_id: OrgId,
    parent_id: OrgId,
    level: OrgLevel,
    on: NaiveDate,
) -> OrganizationEvent {
    OrganizationEvent::Registered {
        org_id,
        parent_id: Some(parent_id),
        name: format!("организация {level:?}"),
        short_name: None,
        level,
        region_code: None,
        territorial_rights: false,
        registered_on: on,
        established_on: None,
    }
}
