//! The organisations' history: registrations, passports, renames, moves and
//! dissolutions, decided by the charter on the tree the generator keeps.

use domain::event::Event;
use domain::organization::{
    self, DissolveOrganization, MoveOrganization, OrganizationCommand, ParentFacts,
    RegisterOrganization, RenameOrganization, UpdatePassport,
};
use domain::vocabulary::organization::{OrgLevel, Passport, Sector};
use domain::vocabulary::person::Gender;
use rand::Rng;

use crate::history::{History, Step};
use crate::members::phone;
use crate::names::{full_name, latin};
use crate::plan::{Action, Kind};
use crate::regions::REGIONS;

/// Share of a primary's employees who are members (worker coverage).
const COVERAGE: f64 = 0.72;

impl History<'_> {
    pub(crate) fn organisation(&mut self, action: &Action) -> Result<(), Step> {
        let idx = action.subject as usize;
        let planned = &self.tree.orgs[idx];
        let org_id = planned.id;
        let command: OrganizationCommand = match action.kind {
            Kind::Register => RegisterOrganization {
                org_id,
                parent_id: planned.parent.map(|p| self.tree.orgs[p].id),
                name: planned.name.clone(),
                short_name: planned.short_name.clone(),
                level: planned.level,
                region_code: (planned.level == OrgLevel::Regional).then_some(planned.region),
                territorial_rights: planned.territorial_rights,
                // Entered when the history begins, established when founded.
                registered_on: action.entry,
                established_on: Some(action.effective),
                parent: planned.parent.map(|p| self.parent_facts(p)),
                central_exists: planned.level != OrgLevel::Central && self.orgs[0].is_some(),
            }
            .into(),
            // Undated, as a union enters its passports: the first describes
            // the organisation from its founding (DESIGN.md §7).
            Kind::Passport => UpdatePassport {
                org_id,
                passport: self.passport(idx),
                effective_on: None,
            }
            .into(),
            Kind::Rename => {
                let name = self.orgs[idx]
                    .as_ref()
                    .map_or_else(|| planned.name.clone(), |o| o.name.clone());
                let name = if name.contains("МБОУ") {
                    name.replace("МБОУ", "МАОУ")
                } else {
                    format!("{name} имени А. С. Пушкина")
                };
                RenameOrganization {
                    org_id,
                    name,
                    short_name: None,
                    renamed_on: action.effective,
                }
                .into()
            }
            Kind::Move => {
                let target = action.arg as usize;
                MoveOrganization {
                    org_id,
                    new_parent_id: self.tree.orgs[target].id,
                    new_parent: Some(self.parent_facts(target)),
                    effective_on: action.effective,
                }
                .into()
            }
            _ => DissolveOrganization {
                org_id,
                effective_on: action.effective,
                active_members_in_subtree: self.active_in_subtree(idx),
            }
            .into(),
        };
        let events = organization::decide(&self.orgs[idx], &command, action.entry)?;
        for event in &events {
            organization::evolve(&mut self.orgs[idx], event);
        }
        let version = self.org_versions[idx];
        self.org_versions[idx] += events.len() as u64;
        let events = events.into_iter().map(Event::from).collect();
        self.push(vec![(org_id.stream(), version, events)], vec![])
    }

    /// What the charter needs about organisation `idx` as a parent.
    fn parent_facts(&self, idx: usize) -> ParentFacts {
        let mut ancestors = Vec::new();
        let mut next = self.orgs[idx].as_ref().and_then(|o| o.parent_id);
        while let Some(id) = next {
            ancestors.push(id);
            next = self
                .org_index
                .get(&id)
                .and_then(|&i| self.orgs[i as usize].as_ref())
                .and_then(|o| o.parent_id);
        }
        match &self.orgs[idx] {
            Some(o) => ParentFacts {
                level: o.level,
                dissolved: o.dissolved_on.is_some(),
                ancestors,
                established_on: o.established_on,
            },
            None => ParentFacts {
                level: self.tree.orgs[idx].level,
                dissolved: false,
                ancestors,
                established_on: None,
            },
        }
    }

    /// Active members with their home in `idx` or in the homes inside it.
    fn active_in_subtree(&self, idx: usize) -> u64 {
        let inside: u64 = self.tree.homes[idx]
            .iter()
            .filter(|&&h| h != idx)
            .map(|&h| self.active_in[h])
            .sum();
        self.active_in[idx] + inside
    }

    /// The passport of primary `idx`, sized so that about 72% of the workers
    /// its seats will hold are members.
    fn passport(&mut self, idx: usize) -> Passport {
        let planned = &self.tree.orgs[idx];
        let sector = planned.sector.unwrap_or(Sector::Other);
        let seats: f64 = self.tree.homes[idx]
            .iter()
            .map(|&h| self.tree.orgs[h].weight)
            .sum::<f64>()
            * self.seats_per_weight;
        let higher = matches!(sector, Sector::College | Sector::University);
        let workers = seats * if higher { 0.275 } else { 0.969 };
        let noise = 0.85 + 0.3 * self.rng.random::<f64>();
        let employees = ((workers / COVERAGE) * noise).round().max(1.0) as u32;
        let students = match sector {
            Sector::College | Sector::University => Some((seats * 0.695 / 0.6).round() as u32),
            Sector::School => Some(employees * 9),
            Sector::Preschool => Some(employees * 5),
            _ => None,
        };
        let gender = if self.rng.random::<f64>() < 0.8 {
            Gender::Female
        } else {
            Gender::Male
        };
        let chair = full_name(&mut self.rng, gender).written();
        let city = REGIONS
            .iter()
            .find(|r| r.code == planned.region)
            .map_or("Москва", |r| r.city);
        let address = format!(
            "г. {city}, ул. {}, д. {}",
            STREETS[self.rng.random_range(0..STREETS.len())],
            self.rng.random_range(1..120)
        );
        Passport {
            sector: Some(sector),
            employees: Some(employees),
            students,
            chair_name: Some(chair),
            address: Some(address),
            phone: Some(phone(&mut self.rng)),
            email: Some(format!("ppo{idx}@{}.eseur.ru", latin(city))),
        }
    }
}

const STREETS: [&str; 12] = [
    "Ленина",
    "Советская",
    "Мира",
    "Школьная",
    "Садовая",
    "Молодёжная",
    "Гагарина",
    "Пушкина",
    "Комсомольская",
    "Набережная",
    "Октябрьская",
    "Центральная",
];
