//! One person's state as the export keeps it while it writes their row: the
//! aggregate folded from their stream, and what the row tells that the
//! aggregate forgets (how each spell ended, the values each change replaced,
//! the day a card was blocked on request).

use chrono::NaiveDate;
use domain::card_number::CardNumber;
use domain::event::PersonEvent;
use domain::person::{self, Person};
use domain::vocabulary::card::CardBlockReason;

use crate::import::rows::details::{Change, Field, Values};
use crate::import::words::{CATEGORIES, PROFESSIONS, SpellEnd};

#[derive(Default)]
pub(super) struct Kept {
    pub(super) person: Person,
    /// How each closed spell ended, in order.
    pub(super) ends: Vec<(NaiveDate, SpellEnd, Option<String>)>,
    /// Each change of details with the values before it, in order.
    pub(super) changes: Vec<Change>,
    /// The day each card blocked on request was blocked.
    pub(super) blocked_on: Vec<(CardNumber, NaiveDate)>,
}

impl Kept {
    /// Folds the person's next event in.
    pub(super) fn apply(&mut self, event: &PersonEvent) {
        match event {
            PersonEvent::Transferred { effective_on, .. } => {
                self.ends.push((*effective_on, SpellEnd::Transfer, None))
            }
            PersonEvent::MembershipEnded {
                effective_on,
                reason,
                basis,
                ..
            } => self
                .ends
                .push((*effective_on, SpellEnd::Ended(*reason), basis.clone())),
            PersonEvent::CardBlocked {
                number,
                reason: CardBlockReason::Requested(_),
                blocked_on,
                ..
            } => self.blocked_on.push((*number, *blocked_on)),
            PersonEvent::ProfileUpdated {
                profile,
                personal,
                updated_on,
                ..
            } => {
                let earlier = earlier_values(&self.person, profile, personal.as_ref());
                if !earlier.is_empty() {
                    self.changes.push(Change {
                        on: *updated_on,
                        earlier,
                    });
                }
            }
            _ => {}
        }
        // A re-admission gives contacts and profile anew: what it
        // changed is a change of that day.
        let readmitted = match event {
            PersonEvent::Admitted { effective_on, .. } if !self.person.spells.is_empty() => {
                details_now(&self.person).map(|before| (*effective_on, before))
            }
            _ => None,
        };
        person::evolve(&mut self.person, event);
        if let Some((on, before)) = readmitted
            && let Some(after) = details_now(&self.person)
        {
            let earlier: Vec<(Field, Option<String>)> = Field::ALL
                .iter()
                .zip(before.into_iter().zip(after))
                .filter(|(_, (b, a))| b != a)
                .map(|(field, (b, _))| (*field, b))
                .collect();
            if !earlier.is_empty() {
                self.changes.push(Change { on, earlier });
            }
        }
    }
}

/// The values `profile` and `personal` are about to replace in `person`.
fn earlier_values(
    person: &Person,
    profile: &domain::vocabulary::person::ProfilePatch,
    personal: Option<&domain::vocabulary::person::PersonalDataPatch>,
) -> Vec<(Field, Option<String>)> {
    let mut earlier = Vec::new();
    if let Some(patch) = personal
        && let Some(now) = &person.personal
    {
        let fields = [
            (
                Field::LastName,
                &patch.last_name,
                Some(now.last_name.clone()),
            ),
            (
                Field::FirstName,
                &patch.first_name,
                Some(now.first_name.clone()),
            ),
            (Field::Patronymic, &patch.patronymic, now.patronymic.clone()),
            (Field::Email, &patch.email, now.email.clone()),
            (Field::Phone, &patch.phone, now.phone.clone()),
        ];
        for (field, new, old) in fields {
            if new.is_some() {
                earlier.push((field, old));
            }
        }
    }
    if let Some(now) = &person.profile {
        if profile.category.is_some() {
            earlier.push((
                Field::Category,
                Some(CATEGORIES.word(now.category).to_string()),
            ));
        }
        if profile.profession.is_some() {
            earlier.push((
                Field::Profession,
                now.profession.map(|p| PROFESSIONS.word(p).to_string()),
            ));
        }
        if profile.position.is_some() {
            earlier.push((Field::Position, now.position.clone()));
        }
    }
    earlier
}

/// A person's changing details as the column writes them.
pub(super) fn values_of(
    personal: &domain::vocabulary::person::PersonalData,
    profile: &domain::vocabulary::person::Profile,
) -> Values {
    [
        Some(personal.last_name.clone()),
        Some(personal.first_name.clone()),
        personal.patronymic.clone(),
        personal.email.clone(),
        personal.phone.clone(),
        Some(CATEGORIES.word(profile.category).to_string()),
        profile.profession.map(|p| PROFESSIONS.word(p).to_string()),
        profile.position.clone(),
    ]
}

/// The details of `person` now, if they have them.
fn details_now(person: &Person) -> Option<Values> {
    Some(values_of(
        person.personal.as_ref()?,
        person.profile.as_ref()?,
    ))
}
