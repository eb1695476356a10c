//! What the command path asks the registry before calling `decide`: facts about
//! a home or a parent, the SNILS holder, and the stream versions to append with.

use chrono::NaiveDate;
use domain::ids::{ApplicationId, OrgId, PersonId};
use domain::organization::ParentFacts;
use domain::person::HomeFacts;
use domain::snils::Snils;
use domain::vocabulary::organization::OrgLevel;
use domain::vocabulary::person::Gender;

use crate::registry::Registry;

impl Registry {
    /// What the registry knows about `org_id` as a home on `on` (dissolved if its
    /// dissolution took effect on or before that day).
    pub fn home_facts(&self, org_id: OrgId, on: NaiveDate) -> HomeFacts {
        let model = self.model.read();
        let org = model
            .orgs
            .find(org_id)
            .and_then(|idx| model.orgs.get(idx))
            .filter(|org| org.registered);
        match org {
            None => HomeFacts::not_found(),
            Some(org) if org.dissolved_on.is_some_and(|d| d <= on) => {
                HomeFacts::dissolved(org.level).established(org.established_on)
            }
            Some(org) => HomeFacts::open(org.level).established(org.established_on),
        }
    }

    /// What the registry knows about `org_id` as a parent; `None` when unknown.
    pub fn parent_facts(&self, org_id: OrgId) -> Option<ParentFacts> {
        let model = self.model.read();
        let idx = model.orgs.find(org_id)?;
        let org = model.orgs.get(idx).filter(|org| org.registered)?;
        let ancestors = model
            .orgs
            .ancestry(idx)
            .skip(1)
            .filter_map(|i| model.orgs.get(i).map(|o| o.org_id))
            .collect();
        Some(ParentFacts {
            level: org.level,
            dissolved: org.dissolved_on.is_some(),
            ancestors,
            established_on: org.established_on,
        })
    }

    /// Whether the CENTRAL organisation is registered.
    pub fn central_exists(&self) -> bool {
        let model = self.model.read();
        model
            .orgs
            .records
            .iter()
            .any(|org| org.registered && org.level == OrgLevel::Central)
    }

    /// The person who has `snils` (erased persons have none).
    pub fn snils_holder(&self, snils: Snils) -> Option<PersonId> {
        let model = self.model.read();
        let idx = model.members.find_by_snils(snils)?;
        model.members.get(idx).map(|m| m.person_id)
    }

    /// The person's gender, which stays after erasure (for plain-words history).
    pub fn gender(&self, person_id: PersonId) -> Option<Gender> {
        let model = self.model.read();
        model
            .members
            .get(model.members.find(person_id)?)
            .map(|m| m.gender)
    }

    /// The version of the organisation's stream; `None` before it exists.
    pub fn organization_version(&self, org_id: OrgId) -> Option<u64> {
        let model = self.model.read();
        let org = model.orgs.get(model.orgs.find(org_id)?)?;
        (org.version > 0).then_some(u64::from(org.version))
    }

    /// The version of the person's stream; `None` before it exists.
    pub fn person_version(&self, person_id: PersonId) -> Option<u64> {
        let model = self.model.read();
        let member = model.members.get(model.members.find(person_id)?)?;
        (member.version > 0).then_some(u64::from(member.version))
    }

    /// The version of the application's stream; `None` before it exists.
    pub fn application_version(&self, application_id: ApplicationId) -> Option<u64> {
        let model = self.model.read();
        let record = model
            .applications
            .get(model.applications.find(application_id)?)?;
        Some(u64::from(record.version))
    }

    /// The highest card sequence issued in `region_code` so far (0: none).
    pub fn last_card_sequence(&self, region_code: u8) -> u64 {
        self.model.read().cards.last_sequence(region_code)
    }

    /// Whether `org_id` is `ancestor` or below it in the tree as it is now.
    pub fn within(&self, org_id: OrgId, ancestor: OrgId) -> bool {
        let model = self.model.read();
        let (Some(idx), Some(root)) = (model.orgs.find(org_id), model.orgs.find(ancestor)) else {
            return false;
        };
        model.orgs.ancestry(idx).any(|i| i == root)
    }

    /// Active members whose home is in the subtree of `org_id`, now (0: unknown).
    pub fn active_in_subtree(&self, org_id: OrgId) -> u64 {
        self.member_count(org_id).map_or(0, u64::from)
    }

    /// The region code of the regional organisation at or above `org_id`.
    pub fn region_code(&self, org_id: OrgId) -> Option<u8> {
        let model = self.model.read();
        model.orgs.region_code(model.orgs.find(org_id)?)
    }
}
