//! The export's rows: an organisation's and a person's, in the columns of
//! the import format, as of a date.

use chrono::NaiveDate;
use domain::ids::{OrgId, PersonId};
use domain::organization::Organization;
use domain::vocabulary::card::CardBlockReason;

use crate::import::export::kept::{Kept, values_of};
use crate::import::format::{Column, Table};
use crate::import::rows::details::{self, Change, Field};
use crate::import::words::{CARD_KINDS, GENDERS, LEVELS, SECTORS, SPELL_ENDS, SpellEnd, YES_NO};
use crate::words::day;

fn cells(table: Table, values: &[(Column, String)]) -> Vec<String> {
    table
        .columns()
        .iter()
        .map(|spec| {
            values
                .iter()
                .find(|(c, _)| *c == spec.column)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect()
}

fn some_day(date: Option<NaiveDate>) -> String {
    date.map(day).unwrap_or_default()
}

pub(super) fn org_row(
    org: &Organization,
    moves: &[(OrgId, NaiveDate)],
    as_of: NaiveDate,
) -> Vec<String> {
    // The parent on `as_of` is the one it left first after it, if it moved since.
    let (earlier, later): (Vec<_>, Vec<_>) = moves.iter().partition(|(_, on)| *on <= as_of);
    let parent = later.first().map(|(from, _)| *from).or(org.parent_id);
    let earlier_parents: Vec<String> = earlier
        .iter()
        .map(|(from, on)| format!("{from}; {}", day(*on)))
        .collect();
    let passport = &org.passport;
    let count = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
    let passport_on = match org.passport_from {
        Some(domain::organization::dates::PassportFrom::On(on)) => Some(on),
        _ => None,
    };
    let values = [
        (Column::Code, org.org_id.to_string()),
        (Column::Name, org.name.clone()),
        (
            Column::ShortName,
            org.short_name.clone().unwrap_or_default(),
        ),
        (Column::Level, LEVELS.word(org.level).to_string()),
        (
            Column::ParentCode,
            parent.map(|p| p.to_string()).unwrap_or_default(),
        ),
        (
            Column::RegionCode,
            org.region_code.map(|r| r.to_string()).unwrap_or_default(),
        ),
        (
            Column::TerritorialRights,
            if org.territorial_rights {
                YES_NO.word(true).to_string()
            } else {
                String::new()
            },
        ),
        (Column::EstablishedOn, some_day(org.established_on)),
        (
            Column::DissolvedOn,
            some_day(org.dissolved_on.filter(|d| *d <= as_of)),
        ),
        (
            Column::Sector,
            passport
                .sector
                .map(|s| SECTORS.word(s).to_string())
                .unwrap_or_default(),
        ),
        (Column::Employees, count(passport.employees)),
        (Column::Students, count(passport.students)),
        (
            Column::Chair,
            passport.chair_name.clone().unwrap_or_default(),
        ),
        (
            Column::Address,
            passport.address.clone().unwrap_or_default(),
        ),
        (Column::Phone, passport.phone.clone().unwrap_or_default()),
        (Column::Email, passport.email.clone().unwrap_or_default()),
        (Column::PassportOn, some_day(passport_on)),
        (Column::EarlierParents, earlier_parents.join("\n")),
    ];
    cells(Table::Organizations, &values)
}

/// A person's row as of `as_of`; `None` for one not yet admitted then.
pub(super) fn member_row(
    person_id: PersonId,
    kept: &Kept,
    personal: &domain::vocabulary::person::PersonalData,
    as_of: NaiveDate,
) -> Option<Vec<String>> {
    let person = &kept.person;
    let profile = person.profile.as_ref()?;
    let spells: Vec<_> = person.spells.iter().filter(|s| s.start <= as_of).collect();
    let (last, earlier) = spells.split_last()?;
    let mut ends = kept.ends.iter();
    let mut lines = Vec::new();
    for spell in earlier {
        let (on, end, basis) = ends.next()?;
        let mut line = format!(
            "{}; {}; {}; {}",
            spell.home_org,
            day(spell.start),
            day(*on),
            SPELL_ENDS.word(*end)
        );
        if let Some(basis) = basis {
            line.push_str("; ");
            line.push_str(basis);
        }
        lines.push(line);
    }
    let last_end = ends
        .next()
        .filter(|(on, _, _)| *on <= as_of && last.end.is_some());
    let (ended_on, reason, basis) = match last_end {
        Some((on, SpellEnd::Ended(reason), basis)) => (
            day(*on),
            SPELL_ENDS.word(SpellEnd::Ended(*reason)).to_string(),
            basis.clone().unwrap_or_default(),
        ),
        _ => (String::new(), String::new(), String::new()),
    };
    // The details as they were on `as_of`, and the changes up to it.
    let mut details = values_of(personal, profile);
    let mut changes: Vec<&Change> = kept.changes.iter().collect();
    changes.sort_by_key(|c| c.on);
    let (known, later): (Vec<&Change>, Vec<&Change>) =
        changes.into_iter().partition(|c| c.on <= as_of);
    let later: Vec<Change> = later.into_iter().cloned().collect();
    details::unwind(&mut details, &later);
    let detail = |field: Field| {
        details[Field::ALL.iter().position(|f| *f == field).unwrap_or(0)]
            .clone()
            .unwrap_or_default()
    };
    let changes: Vec<String> = known.into_iter().map(details::line).collect();
    let active_card = person
        .active_card
        .filter(|_| last_end.is_none())
        .and_then(|number| person.cards.iter().find(|c| c.number == number))
        .filter(|card| card.issued_on <= as_of);
    // Every card issued by `as_of` but the active one; a block on request
    // with its day (a replacement or an end blocks a card on its own).
    let earlier_cards: Vec<String> = person
        .cards
        .iter()
        .filter(|card| {
            card.issued_on <= as_of && Some(card.number) != active_card.map(|c| c.number)
        })
        .map(|card| {
            let mut line = format!(
                "{}; {}; {}",
                card.number,
                CARD_KINDS.word(card.kind),
                day(card.issued_on)
            );
            let blocked = kept.blocked_on.iter().find(|(n, _)| *n == card.number);
            if let (Some(CardBlockReason::Requested(why)), Some((_, on))) = (&card.blocked, blocked)
                && *on <= as_of
            {
                line.push_str(&format!("; {}; {why}", day(*on)));
            }
            line
        })
        .collect();
    let values = [
        (Column::MemberCode, person_id.to_string()),
        (Column::OrgCode, last.home_org.to_string()),
        (Column::LastName, detail(Field::LastName)),
        (Column::FirstName, detail(Field::FirstName)),
        (Column::Patronymic, detail(Field::Patronymic)),
        (Column::Gender, GENDERS.word(profile.gender).to_string()),
        (Column::BirthDate, day(personal.birth_date)),
        (
            Column::Snils,
            personal.snils.map(|s| s.to_string()).unwrap_or_default(),
        ),
        (Column::Email, detail(Field::Email)),
        (Column::Phone, detail(Field::Phone)),
        (Column::Category, detail(Field::Category)),
        (Column::Profession, detail(Field::Profession)),
        (Column::Position, detail(Field::Position)),
        (Column::AdmittedOn, day(last.start)),
        (Column::EndedOn, ended_on),
        (Column::EndReason, reason),
        (Column::Basis, basis),
        (Column::EarlierSpells, lines.join("\n")),
        (Column::EarlierDetails, changes.join("\n")),
        (
            Column::CardNumber,
            active_card
                .map(|c| c.number.to_string())
                .unwrap_or_default(),
        ),
        (
            Column::CardKind,
            active_card
                .map(|c| CARD_KINDS.word(c.kind).to_string())
                .unwrap_or_default(),
        ),
        (
            Column::CardIssuedOn,
            active_card.map(|c| day(c.issued_on)).unwrap_or_default(),
        ),
        (Column::EarlierCards, earlier_cards.join("\n")),
    ];
    Some(cells(Table::Members, &values))
}
