//! The command path's [`Facts`], answered by the registry read model.

use std::sync::Arc;

use chrono::NaiveDate;
use domain::ids::{OrgId, PersonId};
use domain::organization::ParentFacts;
use domain::person::HomeFacts;
use domain::snils::Snils;
use projections::registry::Registry;

use crate::commands::Facts;

/// [`Facts`] from the registry, as of the registry's today.
pub struct RegistryFacts {
    registry: Arc<Registry>,
    today: fn() -> NaiveDate,
}

impl RegistryFacts {
    /// Facts from `registry`; a home counts as dissolved when its dissolution
    /// took effect on or before `today()`.
    pub fn new(registry: Arc<Registry>, today: fn() -> NaiveDate) -> RegistryFacts {
        RegistryFacts { registry, today }
    }
}

impl Facts for RegistryFacts {
    fn home(&self, org: OrgId) -> HomeFacts {
        self.registry.home_facts(org, (self.today)())
    }

    fn parent(&self, org: OrgId) -> Option<ParentFacts> {
        self.registry.parent_facts(org)
    }

    fn central_exists(&self) -> bool {
        self.registry.central_exists()
    }

    fn active_members_in_subtree(&self, org: OrgId) -> u64 {
        self.registry.active_in_subtree(org)
    }

    fn snils_holder(&self, snils: Snils) -> Option<PersonId> {
        self.registry.snils_holder(snils)
    }

    fn region_code(&self, org: OrgId) -> Option<u8> {
        self.registry.region_code(org)
    }

    fn last_card_sequence(&self, region_code: u8) -> u64 {
        self.registry.last_card_sequence(region_code)
    }

    fn within(&self, org: OrgId, ancestor: OrgId) -> bool {
        self.registry.within(org, ancestor)
    }
}
