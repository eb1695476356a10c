//! Commands on a person: admission, transfer, end, profile, erasure, cards.

use chrono::NaiveDate;
use domain::card::{self, ReserveCardNumber, ReservedNumber};
use domain::card_number::CardNumber;
use domain::error::DomainError;
use domain::event::{PersonEvent, card_stream};
use domain::ids::{OrgId, PersonId};
use domain::organization::{self, Organization};
use domain::person::{
    self, AdmitMember, BlockCard, EndMembership, ErasePersonalData, HomeFacts, IssueCard, Person,
    PersonCommand, TransferMember, UpdateMember,
};
use domain::rules::RuleViolation;
use domain::vocabulary::card::CardKind;
use domain::vocabulary::person::{
    EndReason, Gender, MemberCategory, PersonalData, PersonalDataPatch, Profession, Profile,
    ProfilePatch,
};
use eventlog::{Appended, EventLog, StreamAppend};
use uuid::Uuid;

use crate::commands::load::{Loaded, load};
use crate::commands::{Commands, Decision, Facts, Issued, check_expected};
use crate::error::Error;

/// An admission, its input already checked.
#[derive(Clone, Debug)]
pub struct NewMember {
    /// The home organisation.
    pub home_org: OrgId,
    /// Names, birth date, SNILS, contacts.
    pub personal: PersonalData,
    /// Gender.
    pub gender: Gender,
    /// Category (worker, student, …).
    pub category: MemberCategory,
    /// Profession, for workers.
    pub profession: Option<Profession>,
    /// Position held, free text.
    pub position: Option<String>,
    /// The date of the written application: membership starts on it.
    pub admitted_on: NaiveDate,
    /// A card to issue in the same append.
    pub issue_card: Option<CardKind>,
}

/// Admits a newcomer, or re-admits the former member with the same SNILS;
/// optionally issues a card in the same append. Returns the person.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn admit_member(
    commands: &Commands,
    issued: &Issued,
    member: NewMember,
) -> Result<(PersonId, Appended), Error> {
    let facts = commands.facts()?;
    let newcomer = PersonId(Uuid::now_v7());
    let _turn = commands.snils_turn(member.personal.snils).await?;
    let appended = commands
        .execute(issued, || {
            decide_admission(commands, facts, issued, &member, newcomer)
        })
        .await?;
    commands.reach(appended.last_position).await;
    Ok((person_of(&appended).unwrap_or(newcomer), appended))
}

async fn decide_admission(
    commands: &Commands,
    facts: &dyn Facts,
    issued: &Issued,
    member: &NewMember,
    newcomer: PersonId,
) -> Result<Decision, Error> {
    let log = commands.log();
    let snils_holder = member
        .personal
        .snils
        .and_then(|snils| facts.snils_holder(snils));
    let mut person = match snils_holder {
        Some(holder) => load_person(log, holder).await?,
        None => Loaded::minted(newcomer.stream()),
    };
    let person_id = snils_holder.unwrap_or(newcomer);
    check_expected(issued, &person.stream, person.version)?;
    let hidden = held_outside(issued, facts, &person.state);
    let home = load_org(log, member.home_org).await?;
    let profile = Profile::new(
        &member.personal,
        member.gender,
        member.category,
        member.profession,
        member.position.clone(),
    );
    let admit = AdmitMember {
        person_id,
        home_org: member.home_org,
        home: home_facts(&home.state),
        effective_on: member.admitted_on,
        profile,
        personal: member.personal.clone(),
        snils_holder,
        application_id: None,
    };
    let mut events = person::decide(&person.state, &admit.into(), issued.today)
        .map_err(|refusal| conceal(hidden, refusal))?;
    let mut streams = vec![home.guard()?];
    if let Some(kind) = member.issue_card {
        events
            .iter()
            .for_each(|e| person::evolve(&mut person.state, e));
        let (card_events, reserved) = decide_card_for(
            commands,
            facts,
            &person.state,
            member.home_org,
            kind,
            member.admitted_on,
            issued.today,
        )
        .await?;
        events.extend(card_events);
        streams.push(reserved);
    }
    streams.insert(0, person.append(events)?);
    Ok(Decision::of(streams))
}

/// Transfers a member to another home from `effective_on`.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn transfer_member(
    commands: &Commands,
    issued: &Issued,
    person_id: PersonId,
    to_org: OrgId,
    effective_on: NaiveDate,
) -> Result<Appended, Error> {
    let log = commands.log();
    commands
        .execute(issued, || async move {
            let person = load_existing_person(log, issued, person_id).await?;
            let to = load_org(log, to_org).await?;
            let command = TransferMember {
                person_id,
                to_org,
                to: home_facts(&to.state),
                effective_on,
            };
            let events = person::decide(&person.state, &command.into(), issued.today)?;
            Ok(Decision::of(vec![person.append(events)?, to.guard()?]))
        })
        .await
}

/// Ends a membership (blocking the active card).
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn end_membership(
    commands: &Commands,
    issued: &Issued,
    person_id: PersonId,
    reason: EndReason,
    basis: Option<String>,
    effective_on: NaiveDate,
) -> Result<Appended, Error> {
    let command = EndMembership {
        person_id,
        reason,
        basis,
        effective_on,
    };
    on_person(commands, issued, person_id, command.into(), &[]).await
}

/// Changes profile and personal data.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn update_member(
    commands: &Commands,
    issued: &Issued,
    person_id: PersonId,
    profile: ProfilePatch,
    personal: PersonalDataPatch,
) -> Result<Appended, Error> {
    let facts = commands.facts()?;
    let _turn = commands.snils_turn(personal.snils).await?;
    let snils_holder = personal.snils.and_then(|snils| facts.snils_holder(snils));
    let hidden = match snils_holder {
        Some(holder) if holder != person_id => held_outside(
            issued,
            facts,
            &load_person(commands.log(), holder).await?.state,
        ),
        _ => false,
    };
    let command = UpdateMember {
        person_id,
        profile,
        personal,
        snils_holder,
    };
    let appended = on_person(commands, issued, person_id, command.into(), &[])
        .await
        .map_err(|error| match error {
            // Only the refusal about the other holder is theirs to hide; what
            // is wrong with the member being changed is the caller's to see.
            Error::Rule(RuleViolation::SnilsTaken { .. }) if hidden => {
                Error::Rule(RuleViolation::SnilsOutsideSubtree)
            }
            other => other,
        })?;
    commands.reach(appended.last_position).await;
    Ok(appended)
}

/// Crypto-shreds the person's personal data: the erasure event and the deletion
/// of the vault keys (the person's and their applications') are one append.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn erase_personal_data(
    commands: &Commands,
    issued: &Issued,
    person_id: PersonId,
    basis: String,
    asked: Vec<String>,
) -> Result<Appended, Error> {
    let command = ErasePersonalData { person_id, basis };
    on_person(commands, issued, person_id, command.into(), &asked).await
}

/// A command on one person that reads nothing else.
async fn on_person(
    commands: &Commands,
    issued: &Issued,
    person_id: PersonId,
    command: PersonCommand,
    asked: &[String],
) -> Result<Appended, Error> {
    let log = commands.log();
    let command = &command;
    commands
        .execute(issued, || async move {
            let person = load_existing_person(log, issued, person_id).await?;
            let events = person::decide(&person.state, command, issued.today)?;
            // An erasure deletes every key that seals the person's data: their
            // own and their applications' (the charter's list, not a guess here).
            let erase = match command {
                // and the questions they asked the consultation services,
                // which the read models list (the charter does not see them).
                PersonCommand::Erase(_) => {
                    let mut streams = person.state.personal_data_streams();
                    streams.extend(asked.iter().cloned());
                    streams
                }
                _ => Vec::new(),
            };
            Ok(Decision {
                streams: vec![person.append(events)?],
                erase_personal_data_of: erase,
            })
        })
        .await
}

/// Issues a card (blocking the active one as replaced). Returns its number.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn issue_card(
    commands: &Commands,
    issued: &Issued,
    person_id: PersonId,
    kind: CardKind,
    issued_on: NaiveDate,
) -> Result<(CardNumber, Appended), Error> {
    let facts = commands.facts()?;
    let log = commands.log();
    let appended = commands
        .execute(issued, || async move {
            let person = load_existing_person(log, issued, person_id).await?;
            let home = person.state.home.ok_or(RuleViolation::NotAMember)?;
            let (events, reserved) = decide_card_for(
                commands,
                facts,
                &person.state,
                home,
                kind,
                issued_on,
                issued.today,
            )
            .await?;
            Ok(Decision::of(vec![person.append(events)?, reserved]))
        })
        .await?;
    let number = appended.stream_versions.iter().find_map(|(stream, _)| {
        stream
            .strip_prefix("card-")
            .and_then(|n| CardNumber::parse(n).ok())
    });
    let number = number.ok_or_else(|| Error::internal("a card issue stored no card"))?;
    Ok((number, appended))
}

/// Blocks a card by its number.
///
/// # Errors
/// `NOT_FOUND` for an unknown number; the charter's refusals, conflicts, log failures.
pub async fn block_card(
    commands: &Commands,
    issued: &Issued,
    number: CardNumber,
    reason: String,
) -> Result<(PersonId, Appended), Error> {
    let reserved: Loaded<Option<ReservedNumber>> =
        load(commands.log(), card_stream(number), card::evolve).await?;
    let person_id = reserved
        .state
        .map(|r| r.person_id)
        .ok_or(DomainError::NotFound { what: "card" })?;
    let command = BlockCard {
        person_id,
        number,
        reason,
    };
    let appended = on_person(commands, issued, person_id, command.into(), &[]).await?;
    Ok((person_id, appended))
}

/// Taken card numbers a command steps over before it gives up: each skip
/// jumps past every number the read models know of, so more than a couple
/// means another node issues cards faster than this one learns of them.
const MAX_TAKEN_NUMBERS: usize = 8;

/// The events of issuing a card to `person` and the reservation of its number.
pub(crate) async fn decide_card_for(
    commands: &Commands,
    facts: &dyn Facts,
    person: &Person,
    home: OrgId,
    kind: CardKind,
    issued_on: NaiveDate,
    today: NaiveDate,
) -> Result<(Vec<PersonEvent>, StreamAppend), Error> {
    let person_id = person.person_id.ok_or(RuleViolation::NotAMember)?;
    let region = facts.region_code(home).ok_or(DomainError::NotFound {
        what: "region of the home organisation",
    })?;
    let mut skips = 0;
    let (number, reserved) =
        loop {
            let number = CardNumber::new(region, commands.next_card_sequence(facts, region))
                .map_err(|_| DomainError::NotFound {
                    what: "a free card number",
                })?;
            let reserved: Loaded<Option<ReservedNumber>> =
                load(commands.log(), card_stream(number), card::evolve).await?;
            if reserved.state.is_none() || skips == MAX_TAKEN_NUMBERS {
                break (number, reserved);
            }
            // Issued by another node sharing the log: go on past the highest
            // number the read models know of (they include that node's cards
            // committed before this command arrived).
            commands.skip_card_sequences(facts, region);
            skips += 1;
        };
    let reservation = card::decide(
        &reserved.state,
        &ReserveCardNumber {
            number,
            person_id,
            issued_on,
        },
        today,
    )?;
    let events = person::decide(
        person,
        &IssueCard {
            person_id,
            number,
            kind,
            issued_on,
        }
        .into(),
        today,
    )?;
    Ok((events, reserved.append(reservation)?))
}

/// Whether `person`'s record (their last home) is kept outside the subtree
/// of the one who issues the command; never for the operator.
pub(crate) fn held_outside(issued: &Issued, facts: &dyn Facts, person: &Person) -> bool {
    let Some((_, subtree)) = issued.role else {
        return false;
    };
    person
        .spells
        .last()
        .is_some_and(|spell| !facts.within(spell.home_org, subtree))
}

/// A refusal that would tell something about a person whose record is kept
/// outside the issuer's subtree (active there, their dates, their identity),
/// said as one refusal that tells nothing (`SNILS_OUTSIDE_SUBTREE`) when
/// `hidden`; any other refusal as it is.
pub(crate) fn conceal(hidden: bool, refusal: DomainError) -> DomainError {
    match refusal {
        DomainError::Rule(
            RuleViolation::ActiveElsewhere { .. }
            | RuleViolation::BeforeCurrentSpell { .. }
            | RuleViolation::IdentityMismatch
            | RuleViolation::SnilsTaken { .. }
            | RuleViolation::AlreadyErased,
        ) if hidden => RuleViolation::SnilsOutsideSubtree.into(),
        other => other,
    }
}

pub(crate) async fn load_person(
    log: &dyn EventLog,
    person_id: PersonId,
) -> Result<Loaded<Person>, Error> {
    load(log, person_id.stream(), person::evolve).await
}

/// The person, who must exist, at the version the client expects.
async fn load_existing_person(
    log: &dyn EventLog,
    issued: &Issued,
    person_id: PersonId,
) -> Result<Loaded<Person>, Error> {
    let person = load_person(log, person_id).await?;
    if person.version == 0 {
        return Err(DomainError::NotFound { what: "member" }.into());
    }
    check_expected(issued, &person.stream, person.version)?;
    Ok(person)
}

pub(crate) async fn load_org(
    log: &dyn EventLog,
    org_id: OrgId,
) -> Result<Loaded<Option<Organization>>, Error> {
    load(log, org_id.stream(), organization::evolve).await
}

/// An organisation as a home, from its own stream (never stale).
pub(crate) fn home_facts(org: &Option<Organization>) -> HomeFacts {
    match org {
        None => HomeFacts::not_found(),
        Some(org) if org.dissolved_on.is_some() => {
            HomeFacts::dissolved(org.level).established(org.established_on)
        }
        Some(org) => HomeFacts::open(org.level).established(org.established_on),
    }
}

/// The person an append wrote to (the first `person-` stream).
pub(crate) fn person_of(appended: &Appended) -> Option<PersonId> {
    appended
        .stream_versions
        .iter()
        .find_map(|(stream, _)| PersonId::from_stream(stream))
}
