//! The registry's model and how each event changes it.

use chrono::NaiveDate;
use domain::event::{ApplicationEvent, Event, OrganizationEvent, PersonEvent};
use domain::organization::PassportFrom;
use domain::vocabulary::person::{PersonalData, Profile};
use serde::{Deserialize, Serialize};

use crate::registry::applications::{
    ApplicantNames, ApplicationRecord, ApplicationStatus, ApplicationTable,
};
use crate::registry::cards::{BlockCode, CardRecord, CardTable};
use crate::registry::members::{MemberTable, NO_TEXT};
use crate::registry::orgs::{MemberStatus, NO_ORG, OrgTable};
use crate::runtime::Applied;

/// Everything the registry knows, folded from the log.
#[derive(Default, Serialize, Deserialize)]
pub(crate) struct Model {
    pub(crate) orgs: OrgTable,
    pub(crate) members: MemberTable,
    pub(crate) cards: CardTable,
    pub(crate) applications: ApplicationTable,
    /// The position of the last event applied.
    pub(crate) position: u64,
}

impl Model {
    /// Folds one event in. Validates nothing: the log is history.
    pub(crate) fn apply(&mut self, applied: &Applied) {
        let version = u32::try_from(applied.stored.version).unwrap_or(u32::MAX);
        match &applied.event {
            Event::Organization(event) => self.apply_organization(event, version),
            Event::Person(event) => self.apply_person(event, version),
            Event::Application(event) => self.apply_application(event, version),
            Event::Card(_)
            | Event::Access(_)
            | Event::Audit(_)
            | Event::Meeting(_)
            | Event::Mailing(_)
            | Event::Library(_)
            | Event::Consultation(_) => {}
        }
        self.position = applied.stored.position;
    }

    fn apply_organization(&mut self, event: &OrganizationEvent, version: u32) {
        let org_idx = self.orgs.intern(event.org_id());
        match event {
            OrganizationEvent::Registered {
                parent_id,
                name,
                short_name,
                level,
                region_code,
                territorial_rights,
                established_on,
                ..
            } => {
                if let Some(org) = self.orgs.get_mut(org_idx) {
                    org.established_on = *established_on;
                    org.level = *level;
                    org.region_code = *region_code;
                    org.territorial_rights = *territorial_rights;
                    org.registered = true;
                }
                self.orgs.rename(org_idx, name, short_name.as_deref());
                let parent = parent_id.map_or(NO_ORG, |p| self.orgs.intern(p));
                self.orgs.set_parent(org_idx, parent);
            }
            OrganizationEvent::Renamed {
                name, short_name, ..
            } => self.orgs.rename(org_idx, name, short_name.as_deref()),
            OrganizationEvent::Moved { to_parent, .. } => {
                let parent = self.orgs.intern(*to_parent);
                self.orgs.set_parent(org_idx, parent);
            }
            OrganizationEvent::PassportUpdated {
                passport,
                updated_on,
                effective_on,
                ..
            } => {
                if let Some(org) = self.orgs.get_mut(org_idx) {
                    let first = org.passport_from.is_none();
                    org.passport_from = Some(PassportFrom::of(first, *effective_on, *updated_on));
                    org.passport = Some(Box::new((passport.clone(), *updated_on)));
                }
            }
            OrganizationEvent::Dissolved { effective_on, .. } => {
                if let Some(org) = self.orgs.get_mut(org_idx) {
                    org.dissolved_on = Some(*effective_on);
                }
            }
        }
        if let Some(org) = self.orgs.get_mut(org_idx) {
            org.version = version;
        }
    }

    fn apply_person(&mut self, event: &PersonEvent, version: u32) {
        let member_idx = self.members.intern(event.person_id());
        match event {
            PersonEvent::Admitted {
                home_org,
                effective_on,
                profile,
                personal,
                ..
            } => self.admit(
                member_idx,
                version,
                *home_org,
                *effective_on,
                profile,
                personal.as_ref(),
            ),
            PersonEvent::Transferred { to_org, .. } => {
                let to = self.orgs.intern(*to_org);
                if let Some(record) = self.members.get_mut(member_idx) {
                    let from = std::mem::replace(&mut record.home, to);
                    self.orgs
                        .remove_member(from, member_idx, MemberStatus::Active);
                    self.orgs.add_member(to, member_idx, MemberStatus::Active);
                }
            }
            PersonEvent::ProfileUpdated {
                profile, personal, ..
            } => {
                if let Some(position) = &profile.position {
                    let text = self.members.intern_text(position);
                    if let Some(record) = self.members.get_mut(member_idx) {
                        record.position = text;
                    }
                }
                if let Some(record) = self.members.get_mut(member_idx) {
                    record.category = profile.category.unwrap_or(record.category);
                    record.profession = profile.profession.or(record.profession);
                }
                if let (Some(patch), Some(mut current)) =
                    (personal, self.members.personal(member_idx))
                {
                    patch.apply_to(&mut current);
                    self.members.set_personal(member_idx, Some(&current));
                }
            }
            PersonEvent::MembershipEnded {
                reason,
                effective_on,
                ..
            } => {
                if let Some(record) = self.members.get_mut(member_idx)
                    && record.active
                {
                    record.active = false;
                    record.end_reason = Some(*reason);
                    record.ended_on = Some(*effective_on);
                    let home = record.home;
                    self.orgs
                        .remove_member(home, member_idx, MemberStatus::Active);
                    self.orgs.add_member(home, member_idx, MemberStatus::Ended);
                }
            }
            PersonEvent::PersonalDataErased { person_id, .. } => {
                self.applications.erase_applicant(*person_id);
                self.members.set_personal(member_idx, None);
                if let Some(record) = self.members.get_mut(member_idx) {
                    record.erased = true;
                }
            }
            PersonEvent::CardIssued {
                number,
                kind,
                issued_on,
                ..
            } => {
                let (previous, issued_by) = self
                    .members
                    .get(member_idx)
                    .map_or((u32::MAX, NO_ORG), |r| (r.last_card, r.home));
                let card_idx = self.cards.issue(CardRecord {
                    number: *number,
                    member: member_idx,
                    previous,
                    issued_by,
                    issued_on: *issued_on,
                    blocked_on: None,
                    kind: *kind,
                    block: BlockCode::NotBlocked,
                });
                if let Some(record) = self.members.get_mut(member_idx) {
                    record.last_card = card_idx;
                }
            }
            PersonEvent::CardBlocked {
                number,
                reason,
                blocked_on,
                ..
            } => {
                if let Some(card_idx) = self.cards.find(*number) {
                    self.cards.block(card_idx, reason, *blocked_on);
                }
            }
        }
        if let Some(record) = self.members.get_mut(member_idx) {
            record.version = version;
        }
    }

    fn admit(
        &mut self,
        member_idx: u32,
        version: u32,
        home_org: domain::ids::OrgId,
        effective_on: NaiveDate,
        profile: &Profile,
        personal: Option<&PersonalData>,
    ) {
        let home = self.orgs.intern(home_org);
        let position = profile
            .position
            .as_deref()
            .map_or(NO_TEXT, |p| self.members.intern_text(p));
        let Some(record) = self.members.get_mut(member_idx) else {
            return;
        };
        let (old_home, was_active, was_ended) =
            (record.home, record.active, record.end_reason.is_some());
        if let (true, Some(ended_on)) = (was_ended, record.ended_on) {
            let earlier = (record.joined_on, ended_on);
            self.members
                .earlier
                .entry(member_idx)
                .or_default()
                .push(earlier);
            self.members.readmitted_at.insert(member_idx, version);
        }
        let Some(record) = self.members.get_mut(member_idx) else {
            return;
        };
        record.home = home;
        record.joined_on = effective_on;
        record.ended_on = None;
        record.end_reason = None;
        record.active = true;
        record.birth_year = i16::try_from(profile.birth_year).unwrap_or(0);
        record.gender = profile.gender;
        record.category = profile.category;
        record.profession = profile.profession;
        record.position = position;
        if was_active {
            self.orgs
                .remove_member(old_home, member_idx, MemberStatus::Active);
        } else if was_ended {
            self.orgs
                .remove_member(old_home, member_idx, MemberStatus::Ended);
        }
        self.orgs.add_member(home, member_idx, MemberStatus::Active);
        if let Some(personal) = personal {
            self.members.set_personal(member_idx, Some(personal));
        }
    }

    fn apply_application(&mut self, event: &ApplicationEvent, version: u32) {
        match event {
            ApplicationEvent::Submitted {
                application_id,
                org_id,
                submitted_on,
                personal,
                ..
            } => {
                let org = self.orgs.intern(*org_id);
                self.applications.submit(ApplicationRecord {
                    application_id: *application_id,
                    org,
                    submitted_on: *submitted_on,
                    names: personal.as_ref().map(|p| ApplicantNames {
                        last_name: p.last_name.clone(),
                        first_name: p.first_name.clone(),
                        patronymic: p.patronymic.clone(),
                    }),
                    status: ApplicationStatus::Pending,
                    version,
                });
            }
            ApplicationEvent::Approved {
                application_id,
                person_id,
                decided_on,
            } => self.applications.decide(
                *application_id,
                ApplicationStatus::Approved {
                    person_id: *person_id,
                    decided_on: *decided_on,
                },
                version,
            ),
            ApplicationEvent::Rejected {
                application_id,
                reason,
                decided_on,
            } => self.applications.decide(
                *application_id,
                ApplicationStatus::Rejected {
                    reason: reason.clone(),
                    decided_on: *decided_on,
                },
                version,
            ),
        }
    }
}
