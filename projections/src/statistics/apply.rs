//! The fold: events into organisations, spells and persons.
//!
//! Under the charter a person's events come in effective-date order (rule 4:
//! nothing before the current spell began), so a new spell's tenure before it
//! is the previous spell's plus that spell's length, and everything it depends
//! on was logged before it. Where a log breaks that order the person is marked
//! irregular and counted by the exact walk instead, so the fold never trusts
//! what it has not checked.

use std::sync::Arc;

use domain::event::{OrganizationEvent, PersonEvent};
use domain::organization::PassportFrom;
use domain::vocabulary::person::{PersonalData, Profile};

use crate::statistics::Statistics;
use crate::statistics::bands::{
    FOREVER, category_index, day, end_reason_index, erased_birth_day, gender_index,
    profession_index, sector_index,
};
use crate::statistics::orgs::{Dated, NONE, Orgs, PassportFigures};
use crate::statistics::persons::{Persons, ProfileChange};
use crate::statistics::table::{
    Chunk, DEFERRED, END_REASON_BIT, NO_ORG, NO_POSITION, NewSpell, SpellRef, attrs,
};

/// A log position in the columns' `u32`; the log would need four billion events
/// to reach the cap, which then reads as "known at the very end".
pub(crate) fn position(pos: u64) -> u32 {
    u32::try_from(pos).unwrap_or(NO_POSITION - 1)
}

impl Statistics {
    /// Folds one organisation event (copy-on-write if a report holds the old set).
    pub(crate) fn apply_org(&self, event: &OrganizationEvent, pos: u32) {
        let mut guard = self.orgs.write();
        let orgs = Arc::make_mut(&mut guard);
        match event {
            OrganizationEvent::Registered {
                org_id,
                parent_id,
                level,
                established_on,
                region_code,
                ..
            } => {
                if orgs.index.contains_key(org_id) {
                    return;
                }
                let idx = orgs.len() as u32;
                let parent = parent_id
                    .and_then(|p| orgs.index.get(&p).copied())
                    .unwrap_or(NONE);
                orgs.ids.push(*org_id);
                orgs.index.insert(*org_id, idx);
                orgs.level.push(*level);
                orgs.registered_pos.push(pos);
                orgs.established.push(established_on.map_or(i32::MIN, day));
                orgs.region_code.push(*region_code);
                orgs.registered_parent.push(parent);
                orgs.moves.push(Vec::new());
                orgs.dissolved.push(None);
                orgs.passports.push(Vec::new());
                orgs.ever_children.push(Vec::new());
                orgs.chunks.push(Arc::default());
                if parent != NONE {
                    orgs.ever_children[parent as usize].push(idx);
                }
                orgs.generation += 1;
            }
            OrganizationEvent::Moved {
                org_id,
                to_parent,
                effective_on,
                ..
            } => {
                let (Some(&org), Some(&to)) = (orgs.index.get(org_id), orgs.index.get(to_parent))
                else {
                    return;
                };
                if orgs.moves[org as usize].is_empty() {
                    orgs.moved.push(org);
                }
                orgs.moves[org as usize].push(Dated {
                    day: day(*effective_on),
                    pos,
                    value: to,
                });
                if !orgs.ever_children[to as usize].contains(&org) {
                    orgs.ever_children[to as usize].push(org);
                }
                orgs.generation += 1;
            }
            OrganizationEvent::Dissolved {
                org_id,
                effective_on,
            } => {
                if let Some(&org) = orgs.index.get(org_id) {
                    orgs.dissolved[org as usize].get_or_insert(Dated {
                        day: day(*effective_on),
                        pos,
                        value: (),
                    });
                }
            }
            OrganizationEvent::PassportUpdated {
                org_id,
                passport,
                updated_on,
                effective_on,
            } => {
                if let Some(&org) = orgs.index.get(org_id) {
                    // DESIGN.md §7, the same rule as the charter's state: an
                    // undated first passport describes the organisation from
                    // its beginning (a day before every other).
                    let first = orgs.passports[org as usize].is_empty();
                    let from = match PassportFrom::of(first, *effective_on, *updated_on) {
                        PassportFrom::Beginning => i32::MIN,
                        PassportFrom::On(from) => day(from),
                    };
                    orgs.passports[org as usize].push(Dated {
                        day: from,
                        pos,
                        value: PassportFigures {
                            sector: passport.sector.map(sector_index),
                            employees: passport.employees.unwrap_or(0),
                            students: passport.students.unwrap_or(0),
                        },
                    });
                }
            }
            OrganizationEvent::Renamed { .. } => {}
        }
    }

    /// Folds one person event.
    pub(crate) fn apply_person(&self, persons: &mut Persons, event: &PersonEvent, pos: u32) {
        let orgs = Arc::clone(&self.orgs.read());
        match event {
            PersonEvent::Admitted {
                person_id,
                home_org,
                effective_on,
                profile,
                personal,
                ..
            } => {
                let Some(&home) = orgs.index.get(home_org) else {
                    return;
                };
                let person = persons.find_or_add(*person_id, profile.birth_year);
                admit(
                    &orgs,
                    persons,
                    person,
                    home,
                    day(*effective_on),
                    pos,
                    profile,
                    personal.as_ref(),
                );
            }
            PersonEvent::Transferred {
                person_id,
                from_org,
                to_org,
                effective_on,
            } => {
                let (Some(person), Some(&to)) = (persons.find(*person_id), orgs.index.get(to_org))
                else {
                    return;
                };
                let from = orgs.index.get(from_org).copied().unwrap_or(NO_ORG);
                transfer(&orgs, persons, person, from, to, day(*effective_on), pos);
            }
            PersonEvent::MembershipEnded {
                person_id,
                reason,
                effective_on,
                ..
            } => {
                let Some(person) = persons.find(*person_id) else {
                    return;
                };
                let info = END_REASON_BIT | u32::from(end_reason_index(*reason));
                if !close_last(&orgs, persons, person, day(*effective_on), pos, info) {
                    mark_irregular(&orgs, persons, person);
                }
            }
            PersonEvent::ProfileUpdated {
                person_id,
                profile,
                updated_on,
                ..
            } => {
                let Some(person) = persons.find(*person_id) else {
                    return;
                };
                if profile.category.is_none() && profile.profession.is_none() {
                    return;
                }
                let change = ProfileChange {
                    day: day(*updated_on),
                    pos,
                    category: profile.category.map(category_index),
                    profession: profile.profession.map(|p| Some(profession_index(p))),
                };
                add_profile_change(&orgs, persons, person, change);
            }
            PersonEvent::PersonalDataErased { person_id, .. } => {
                let Some(person) = persons.find(*person_id) else {
                    return;
                };
                // The one change to the past: from now on this person's age is
                // computed from the birth year alone, as a rebuild would.
                let birth = erased_birth_day(i32::from(persons.birth_year[person as usize]));
                for spell in persons.spells(person) {
                    orgs.chunks[spell.org() as usize]
                        .write()
                        .set_birth(spell.idx() as usize, birth);
                }
            }
            PersonEvent::CardIssued { .. } | PersonEvent::CardBlocked { .. } => {}
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn admit(
    orgs: &Orgs,
    persons: &mut Persons,
    person: u32,
    home: u32,
    start: i32,
    pos: u32,
    profile: &Profile,
    personal: Option<&PersonalData>,
) {
    let category = category_index(profile.category);
    let profession = profile.profession.map(profession_index);
    let last = persons.last_spell[person as usize];
    let (birth, gender, tenure_before) = if last.is_none() {
        let birth = personal.map_or_else(
            || erased_birth_day(profile.birth_year),
            |p| day(p.birth_date),
        );
        (birth, gender_index(profile.gender), Some(0))
    } else {
        // A re-admission: birth day and gender are the first admission's; the
        // new profile is a second profile event, so the person is deferred.
        let chunk = orgs.chunks[last.org() as usize].read();
        let i = last.idx() as usize;
        let regular = chunk.end_pos()[i] != NO_POSITION
            && chunk.start()[i] <= chunk.end()[i]
            && chunk.end()[i] <= start;
        let tenure =
            regular.then(|| chunk.tenure_before()[i] + (chunk.end()[i] - chunk.start()[i]) as u32);
        (chunk.birth()[i], chunk.attrs()[i] & 1, tenure)
    };
    let change = ProfileChange {
        day: start,
        pos,
        category: Some(category),
        profession: Some(profession),
    };
    if !last.is_none() {
        add_profile_change(orgs, persons, person, change);
    }
    open_spell(
        orgs,
        persons,
        person,
        home,
        NewSpell {
            start,
            start_pos: pos,
            birth,
            attrs: attrs(gender, category, profession),
            tenure_before: tenure_before.unwrap_or(0),
            person,
            from_org: NO_ORG,
        },
        tenure_before.is_some(),
    );
}

fn transfer(
    orgs: &Orgs,
    persons: &mut Persons,
    person: u32,
    from: u32,
    to: u32,
    start: i32,
    pos: u32,
) {
    let last = persons.last_spell[person as usize];
    if last.is_none() {
        return;
    }
    let (birth, attrs, tenure) = {
        let chunk = orgs.chunks[last.org() as usize].read();
        let i = last.idx() as usize;
        let regular = chunk.end_pos()[i] == NO_POSITION && chunk.start()[i] <= start;
        let tenure = regular.then(|| chunk.tenure_before()[i] + (start - chunk.start()[i]) as u32);
        (chunk.birth()[i], chunk.attrs()[i], tenure)
    };
    close_last(orgs, persons, person, start, pos, to);
    let spell = NewSpell {
        start,
        start_pos: pos,
        birth,
        attrs,
        tenure_before: tenure.unwrap_or(0),
        person,
        from_org: from,
    };
    open_spell(orgs, persons, person, to, spell, tenure.is_some());
}

/// Closes the person's last spell if it is open; false if there was none open
/// or it would end before it began.
fn close_last(orgs: &Orgs, persons: &Persons, person: u32, end: i32, pos: u32, info: u32) -> bool {
    let last = persons.last_spell[person as usize];
    if last.is_none() {
        return false;
    }
    let mut chunk = orgs.chunks[last.org() as usize].write();
    let i = last.idx() as usize;
    if chunk.end_pos()[i] != NO_POSITION {
        return false;
    }
    let regular = chunk.start()[i] <= end;
    chunk.close(last.idx(), end, pos, info);
    regular
}

fn open_spell(
    orgs: &Orgs,
    persons: &mut Persons,
    person: u32,
    home: u32,
    mut spell: NewSpell,
    regular: bool,
) {
    let deferred = persons.histories.contains_key(&person) || persons.irregular.contains(&person);
    if deferred {
        spell.attrs |= DEFERRED;
    }
    let idx = orgs.chunks[home as usize].write().push(spell);
    let last = persons.last_spell[person as usize];
    if !last.is_none() {
        // Exactly as long as needed: a `Vec` would start at four.
        let earlier = persons.earlier_spells.entry(person).or_default();
        earlier.reserve_exact(1);
        earlier.push(last);
    }
    persons.last_spell[person as usize] = SpellRef::new(home, idx);
    if !regular {
        mark_irregular(orgs, persons, person);
    }
}

/// Records a second (or later) profile event of `person`, starting the history
/// with the first admission's profile, and defers the person's spells.
fn add_profile_change(orgs: &Orgs, persons: &mut Persons, person: u32, change: ProfileChange) {
    if !persons.histories.contains_key(&person) {
        // No history yet: the only profile event so far is the first admission,
        // whose profile is the first spell's attributes.
        let spells = persons.spells(person);
        let Some(first) = spells.first() else {
            return;
        };
        let chunk = orgs.chunks[first.org() as usize].read();
        let i = first.idx() as usize;
        let a = chunk.attrs()[i];
        let profession = (a >> 3) & 7;
        let admission = ProfileChange {
            day: chunk.start()[i],
            pos: chunk.start_pos()[i],
            category: Some((a >> 1) & 3),
            profession: Some((profession != 7).then_some(profession)),
        };
        drop(chunk);
        persons.histories.insert(person, vec![admission]);
        defer(orgs, persons, person);
    }
    if let Some(history) = persons.histories.get_mut(&person) {
        history.reserve_exact(1);
        history.push(change);
    }
}

fn mark_irregular(orgs: &Orgs, persons: &mut Persons, person: u32) {
    if persons.irregular.insert(person) {
        defer(orgs, persons, person);
    }
}

fn defer(orgs: &Orgs, persons: &Persons, person: u32) {
    for spell in persons.spells(person) {
        let mut chunk: parking_lot::RwLockWriteGuard<'_, Chunk> =
            orgs.chunks[spell.org() as usize].write();
        chunk.mark_attrs(spell.idx() as usize, DEFERRED);
    }
}

/// Days of a spell before `day`, as `domain::calendar::Spell::days_before`.
pub(crate) fn days_before(start: i32, end: i32, day: i32) -> u32 {
    let until = if end == FOREVER { day } else { end.min(day) };
    u32::try_from(until - start).unwrap_or(0)
}
