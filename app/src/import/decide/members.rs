//! A member's row: each spell's admission or transfer and end, the active card.

use chrono::NaiveDate;
use domain::card::{self, ReserveCardNumber};
use domain::card_number::CardNumber;
use domain::error::{DomainError, InvalidInput};
use domain::event::{Event, PersonEvent, card_stream};
use domain::ids::PersonId;
use domain::person::{
    AdmitMember, BlockCard, EndMembership, IssueCard, Person, PersonCommand, TransferMember,
    UpdateMember,
};
use domain::rules::RuleViolation;
use domain::vocabulary::person::{PersonalData, Profile};
use eventlog::{ExpectedVersion, StreamAppend};

use crate::commands::person::home_facts;
use crate::error::Error;
use crate::import::decide::{Decider, Outcome};
use crate::import::format::{Column, Table};
use crate::import::report::{BadRow, Problem};
use crate::import::rows::details::ProfileValues;
use crate::import::rows::{self, DetailChange, MemberRow, SpellRow};
use crate::import::words::SpellEnd;

impl Decider<'_> {
    /// Decides a member's row: each spell's admission or transfer and end, then the card.
    ///
    /// # Errors
    /// The log failed.
    pub async fn member(&mut self, file: &str, row: &MemberRow) -> Result<Outcome, Error> {
        let heading = |column: Column| Some(Table::Members.heading(column));
        let bad = |column: Column, problem: Problem| {
            Outcome::Bad(vec![BadRow::new(file, row.line, heading(column), problem)])
        };
        if let Some(line) = self.identities.get(&row.identity) {
            return Ok(bad(Column::LastName, Problem::Duplicate(*line)));
        }
        if let Some(snils) = row.personal.snils {
            if let Some((holder, home, _)) = self.snils.get(&snils) {
                let rule = match home {
                    Some(home_org) => RuleViolation::ActiveElsewhere {
                        home_org: *home_org,
                    },
                    None => RuleViolation::SnilsTaken { holder: *holder },
                };
                return Ok(bad(Column::Snils, Problem::Rule(rule)));
            }
            match self.registry.snils_holder(snils) {
                Some(holder) if holder == row.person_id => {
                    self.remember(row, None);
                    return Ok(Outcome::Done);
                }
                Some(holder) => {
                    return Ok(bad(
                        Column::Snils,
                        Problem::Rule(RuleViolation::SnilsTaken { holder }),
                    ));
                }
                None => {}
            }
        }
        if self.registry.member(row.person_id).is_some() {
            self.remember(row, None);
            return Ok(Outcome::Done);
        }
        let mut homes = Vec::with_capacity(row.spells.len());
        for spell in &row.spells {
            if self.bad_codes.contains(&spell.org_code) {
                let text = format!("Организация «{}» не принята: см. её строку", spell.org_code);
                return Ok(bad(
                    spell.column_or(Column::OrgCode),
                    Problem::Depends(text),
                ));
            }
            let org_id = self
                .codes
                .get(&spell.org_code)
                .map_or_else(|| rows::org_id(&spell.org_code), |(id, _)| *id);
            let facts = match self.known(org_id).await? {
                Some(known) => home_facts(&known.state),
                None => domain::person::HomeFacts::not_found(),
            };
            homes.push((org_id, facts));
        }
        if let Some(change) = row
            .changes
            .iter()
            .find(|c| c.on > self.today || spell_of_change(&row.spells, c.on).is_none())
        {
            let text = if change.on > self.today {
                format!(
                    "Изменение {}: дата ещё не наступила",
                    crate::words::day(change.on)
                )
            } else {
                format!(
                    "Изменение {}: в этот день человек не состоял в профсоюзе",
                    crate::words::day(change.on)
                )
            };
            return Ok(bad(Column::EarlierDetails, Problem::Cell(text)));
        }
        let mut person = Person::default();
        let mut events: Vec<PersonEvent> = Vec::new();
        let profile = Profile::new(
            &row.personal,
            row.gender,
            row.category,
            row.profession,
            row.position.clone(),
        );
        let mut previous: Option<(NaiveDate, SpellEnd)> = None;
        let last = row.spells.len() - 1;
        // The card is issued in the spell its date falls in; a transfer keeps it.
        let card_spell = row
            .card
            .and_then(|(_, _, on)| on)
            .and_then(|on| row.spells.iter().rposition(|s| s.start <= on))
            .unwrap_or(last);
        let mut card_reservations = Vec::new();
        for (i, (spell, (home_org, home))) in row.spells.iter().zip(&homes).enumerate() {
            let start_column = spell.column_or(Column::AdmittedOn);
            let end_column = if i == last {
                Column::EndedOn
            } else {
                Column::EarlierSpells
            };
            // A re-admission gives the details as they are that day; a
            // change of that day is the re-admission's own.
            let readmission = i > 0 && !matches!(previous, Some((_, SpellEnd::Transfer)));
            let command: PersonCommand = match previous {
                Some((on, SpellEnd::Transfer)) => {
                    if on != spell.start {
                        let text = format!(
                            "Перевод {}: следующий период должен начаться в тот же день, а начинается {}",
                            crate::words::day(on),
                            crate::words::day(spell.start)
                        );
                        return Ok(bad(start_column, Problem::Cell(text)));
                    }
                    TransferMember {
                        person_id: row.person_id,
                        to_org: *home_org,
                        to: *home,
                        effective_on: spell.start,
                    }
                    .into()
                }
                _ if readmission => {
                    let (profile, personal) = details_on(row, spell.start);
                    AdmitMember {
                        person_id: row.person_id,
                        home_org: *home_org,
                        home: *home,
                        effective_on: spell.start,
                        profile,
                        personal,
                        snils_holder: row.personal.snils.map(|_| row.person_id),
                        application_id: None,
                    }
                    .into()
                }
                _ => AdmitMember {
                    person_id: row.person_id,
                    home_org: *home_org,
                    home: *home,
                    effective_on: spell.start,
                    profile: profile.clone(),
                    personal: row.personal.clone(),
                    snils_holder: (i > 0 && row.personal.snils.is_some()).then_some(row.person_id),
                    application_id: None,
                }
                .into(),
            };
            if let Err(error) = self.decide_person(&mut person, &mut events, &command) {
                let column = member_column(&error, start_column, spell.column_or(Column::OrgCode));
                return Ok(Outcome::Bad(vec![BadRow::refused(
                    file,
                    row.line,
                    heading(column),
                    error,
                )]));
            }
            // Within the spell, by day: each card's issue and block on
            // request, each change of details (an update that day precedes
            // an end; a block precedes the next card's issue that day).
            let spell_of =
                |on: NaiveDate| row.spells.iter().rposition(|s| s.start <= on).unwrap_or(0);
            let mut steps: Vec<(NaiveDate, u8, Step<'_>)> = Vec::new();
            for card in &row.earlier_cards {
                if spell_of(card.issued_on) == i {
                    steps.push((card.issued_on, 1, Step::Issue(card.number, card.kind)));
                }
                if let Some((on, why)) = &card.blocked
                    && spell_of(*on) == i
                {
                    let rank = if *on == card.issued_on { 2 } else { 0 };
                    steps.push((*on, rank, Step::Block(card.number, why)));
                }
            }
            if i == card_spell
                && let Some((number, kind, issued_on)) = row.card
            {
                steps.push((
                    issued_on.unwrap_or(spell.start),
                    1,
                    Step::Issue(number, kind),
                ));
            }
            for change in row.changes.iter().filter(|c| {
                spell_of_change(&row.spells, c.on) == Some(i)
                    && !(readmission && c.on == spell.start)
            }) {
                steps.push((change.on, 3, Step::Change(change)));
            }
            steps.sort_by_key(|(on, rank, _)| (*on, *rank));
            for (on, _, step) in steps {
                let refused = match step {
                    Step::Change(change) => {
                        let (profile, personal) = match change.patches() {
                            Ok(patches) => patches,
                            Err(text) => {
                                return Ok(bad(Column::EarlierDetails, Problem::Cell(text)));
                            }
                        };
                        let command: PersonCommand = UpdateMember {
                            person_id: row.person_id,
                            profile,
                            personal,
                            snils_holder: None,
                        }
                        .into();
                        self.decide_person_on(&mut person, &mut events, &command, on)
                            .err()
                            .map(|error| (Column::EarlierDetails, error))
                    }
                    Step::Block(number, why) => {
                        let command: PersonCommand = BlockCard {
                            person_id: row.person_id,
                            number,
                            reason: why.to_string(),
                        }
                        .into();
                        self.decide_person_on(&mut person, &mut events, &command, on)
                            .err()
                            .map(|error| (Column::EarlierCards, error))
                    }
                    Step::Issue(number, kind) => {
                        let active = row.card.is_some_and(|(n, _, _)| n == number);
                        match self.issue_card(
                            &mut person,
                            &mut events,
                            row.person_id,
                            number,
                            kind,
                            on,
                        ) {
                            Ok(reservation) => {
                                card_reservations.push(reservation?);
                                None
                            }
                            Err((column, error)) if active => Some((column, error)),
                            Err((_, error)) => Some((Column::EarlierCards, error)),
                        }
                    }
                };
                if let Some((column, error)) = refused {
                    return Ok(Outcome::Bad(vec![BadRow::refused(
                        file,
                        row.line,
                        heading(column),
                        error,
                    )]));
                }
            }
            previous = None;
            if let Some((on, end, basis)) = &spell.end {
                previous = Some((*on, *end));
                if let SpellEnd::Ended(reason) = end {
                    let command: PersonCommand = EndMembership {
                        person_id: row.person_id,
                        reason: *reason,
                        basis: basis.clone(),
                        effective_on: *on,
                    }
                    .into();
                    if let Err(error) = self.decide_person(&mut person, &mut events, &command) {
                        let column = match &error {
                            DomainError::Rule(RuleViolation::ExpulsionWithoutBasis)
                            | DomainError::Validation(InvalidInput::EmptyBasis)
                                if i == last =>
                            {
                                Column::Basis
                            }
                            _ => end_column,
                        };
                        return Ok(Outcome::Bad(vec![BadRow::refused(
                            file,
                            row.line,
                            heading(column),
                            error,
                        )]));
                    }
                }
            }
        }
        let active_card_issued = row
            .card
            .is_some_and(|(number, _, _)| person.active_card == Some(number));
        if row.card.is_some() && !active_card_issued {
            return Ok(bad(Column::CardNumber, Problem::Cell("Билет указан как действующий у того, кто уже не состоит в профсоюзе: ему место в столбце «Прежние билеты»".into())));
        }
        let mut appends = vec![self.stream_append(
            row.person_id.stream(),
            ExpectedVersion::NoStream,
            events.into_iter().map(Event::from),
        )?];
        appends.extend(card_reservations);
        let home = person.is_active().then_some(person.home).flatten();
        if let Some(home) = home {
            let mut next = Some(home);
            while let Some(org) = next {
                *self.active.entry(org).or_default() += 1;
                next = self
                    .orgs
                    .get(&org)
                    .and_then(|k| k.state.as_ref())
                    .and_then(|o| o.parent_id);
            }
        }
        self.remember(row, home);
        Ok(Outcome::Write(appends))
    }

    /// Issues the active card (reserving its number) to `person` now.
    #[allow(clippy::type_complexity)]
    fn issue_card(
        &mut self,
        person: &mut Person,
        events: &mut Vec<PersonEvent>,
        person_id: PersonId,
        number: CardNumber,
        kind: domain::vocabulary::card::CardKind,
        issued_on: NaiveDate,
    ) -> Result<Result<StreamAppend, Error>, (Column, DomainError)> {
        let taken = self.cards.contains(&number) || self.registry.card(number).is_some();
        if taken {
            return Err((Column::CardNumber, RuleViolation::CardNumberTaken.into()));
        }
        let reservation = card::decide(
            &None,
            &ReserveCardNumber {
                number,
                person_id,
                issued_on,
            },
            self.today,
        )
        .map_err(|e| (Column::CardIssuedOn, e))?;
        let issue: PersonCommand = IssueCard {
            person_id,
            number,
            kind,
            issued_on,
        }
        .into();
        self.decide_person(person, events, &issue)
            .map_err(|e| (Column::CardIssuedOn, e))?;
        self.cards.insert(number);
        Ok(self.stream_append(
            card_stream(number),
            ExpectedVersion::NoStream,
            reservation.into_iter().map(Event::from),
        ))
    }
}

/// The row's person as they were on `day`: the first details with every
/// change up to that day.
fn details_on(row: &MemberRow, day: NaiveDate) -> (Profile, PersonalData) {
    let mut personal = row.personal.clone();
    let mut values = ProfileValues {
        category: row.category,
        profession: row.profession,
        position: row.position.clone(),
    };
    for change in row.changes.iter().filter(|c| c.on <= day) {
        change.apply_to(&mut personal, &mut values);
    }
    let profile = Profile::new(
        &personal,
        row.gender,
        values.category,
        values.profession,
        values.position,
    );
    (profile, personal)
}

/// What happens within a spell besides its start and end.
enum Step<'r> {
    /// A card issued.
    Issue(CardNumber, domain::vocabulary::card::CardKind),
    /// A card blocked on request, and why.
    Block(CardNumber, &'r str),
    /// A change of details.
    Change(&'r DetailChange),
}

/// The spell a change of `on` is replayed in: the one it falls within, or
/// else the ended spell it follows before the next one begins. A leaving is
/// often recorded later and dated back, so a change made while the person
/// was a member can fall after their spell's end: it is decided before that
/// end, as it was when it was made.
fn spell_of_change(spells: &[SpellRow], on: NaiveDate) -> Option<usize> {
    spells.iter().position(|s| within(s, on)).or_else(|| {
        spells.iter().enumerate().rposition(|(i, s)| {
            matches!(&s.end, Some((end, SpellEnd::Ended(_), _)) if on > *end)
                && spells.get(i + 1).is_none_or(|next| on < next.start)
        })
    })
}

/// Whether a change dated `on` falls in `spell`: from its first day up to a
/// transfer's day (which belongs to the next spell), or up to an end's day
/// (an update decided that day came before the end).
fn within(spell: &SpellRow, on: NaiveDate) -> bool {
    on >= spell.start
        && match &spell.end {
            Some((end, SpellEnd::Transfer, _)) => on < *end,
            Some((end, SpellEnd::Ended(_), _)) => on <= *end,
            None => true,
        }
}

/// The column of a member's row a refusal of an admission or transfer points at.
fn member_column(error: &DomainError, date: Column, home: Column) -> Column {
    match error {
        DomainError::Rule(rule) => match rule {
            RuleViolation::HomeNotFound
            | RuleViolation::HomeDissolved
            | RuleViolation::NotAHomeLevel { .. }
            | RuleViolation::SameHome => home,
            RuleViolation::SnilsTaken { .. } | RuleViolation::IdentityMismatch => Column::Snils,
            _ => date,
        },
        DomainError::Validation(InvalidInput::EmptyName) => Column::LastName,
        DomainError::Validation(InvalidInput::BirthYearMismatch) => Column::BirthDate,
        _ => date,
    }
}
