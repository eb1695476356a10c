//! Commands on a person: admission, transfer, end, profile, erasure, cards.

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::card::{self, ReserveCardNumber, ReservedNumber};
use domain::card_number::CardNumber;
use domain::event::card_stream;
use domain::ids::{OrgId, PersonId};
use domain::organization::{self, Organization};
use domain::person::{
    self, AdmitMember, BlockCard, EndMembership, ErasePersonalData, HomeFacts, IssueCard, Person,
    PersonCommand, TransferMember, UpdateMember,
};
use domain::vocabulary::card::CardKind;
use domain::vocabulary::person::{
    EndReason, Gender, MemberCategory, PersonalData, PersonalDataPatch, Profession, Profile,
    ProfilePatch,
};
use eventlog::{Appended, StreamAppend};
use uuid::Uuid;

use crate::commands::load::{Loaded, load};
use crate::commands::{Command, CommandError, Commands, Decision, Issued, check_expected};

/// An admission as the API takes it.
#[derive(Clone, Debug)]
pub struct NewMember {
    pub home_org: OrgId,
    pub personal: PersonalData,
    pub gender: Gender,
    pub category: MemberCategory,
    pub profession: Option<Profession>,
    pub position: Option<String>,
    pub admitted_on: NaiveDate,
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
) -> Result<(PersonId, Appended), CommandError> {
    let newcomer = PersonId(Uuid::now_v7());
    let _turn = commands.snils_turn(member.personal.snils).await?;
    let command = Admit { member, newcomer };
    let appended = commands.execute(issued, &command).await?;
    commands.settle(&appended).await;
    Ok((person_of(&appended).unwrap_or(newcomer), appended))
}

struct Admit {
    member: NewMember,
    newcomer: PersonId,
}

#[async_trait]
impl Command for Admit {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let member = &self.member;
        let snils_holder = member
            .personal
            .snils
            .and_then(|snils| commands.facts().snils_holder(snils));
        let person_id = snils_holder.unwrap_or(self.newcomer);
        let mut person = load_person(commands, person_id).await?;
        check_expected(issued, &person.stream, person.version)?;
        let home = load_org(commands, member.home_org).await?;
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
        let mut events = person::decide(&person.state, &admit.into(), issued.today)?;
        let mut streams = vec![home.append::<domain::event::OrganizationEvent>(vec![])?];
        if let Some(kind) = member.issue_card {
            events
                .iter()
                .for_each(|e| person::evolve(&mut person.state, e));
            let (card_events, reserved) = decide_card_for(
                commands,
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
        Ok(Decision {
            streams,
            erase_personal_data_of: vec![],
        })
    }
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
) -> Result<Appended, CommandError> {
    commands
        .execute(
            issued,
            &Transfer {
                person_id,
                to_org,
                effective_on,
            },
        )
        .await
}

struct Transfer {
    person_id: PersonId,
    to_org: OrgId,
    effective_on: NaiveDate,
}

#[async_trait]
impl Command for Transfer {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let person = load_existing_person(commands, issued, self.person_id).await?;
        let to = load_org(commands, self.to_org).await?;
        let command = TransferMember {
            person_id: self.person_id,
            to_org: self.to_org,
            to: home_facts(&to.state),
            effective_on: self.effective_on,
        };
        let events = person::decide(&person.state, &command.into(), issued.today)?;
        Ok(Decision {
            streams: vec![
                person.append(events)?,
                to.append::<domain::event::OrganizationEvent>(vec![])?,
            ],
            erase_personal_data_of: vec![],
        })
    }
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
) -> Result<Appended, CommandError> {
    let command = EndMembership {
        person_id,
        reason,
        basis,
        effective_on,
    };
    commands
        .execute(issued, &OnPerson(person_id, command.into()))
        .await
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
) -> Result<Appended, CommandError> {
    let _turn = commands.snils_turn(personal.snils).await?;
    let snils_holder = personal
        .snils
        .and_then(|snils| commands.facts().snils_holder(snils));
    let command = UpdateMember {
        person_id,
        profile,
        personal,
        snils_holder,
    };
    let appended = commands
        .execute(issued, &OnPerson(person_id, command.into()))
        .await?;
    commands.settle(&appended).await;
    Ok(appended)
}

/// Crypto-shreds the person's personal data: the erasure event and the deletion
/// of the vault key are one append.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn erase_personal_data(
    commands: &Commands,
    issued: &Issued,
    person_id: PersonId,
    basis: String,
) -> Result<Appended, CommandError> {
    let command = ErasePersonalData { person_id, basis };
    commands
        .execute(issued, &OnPerson(person_id, command.into()))
        .await
}

/// A command on one person that reads nothing else.
struct OnPerson(PersonId, PersonCommand);

#[async_trait]
impl Command for OnPerson {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let person = load_existing_person(commands, issued, self.0).await?;
        let events = person::decide(&person.state, &self.1, issued.today)?;
        let erase = matches!(self.1, PersonCommand::Erase(_)).then(|| person.stream.clone());
        Ok(Decision {
            streams: vec![person.append(events)?],
            erase_personal_data_of: erase.into_iter().collect(),
        })
    }
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
) -> Result<(CardNumber, Appended), CommandError> {
    let appended = commands
        .execute(
            issued,
            &Issue {
                person_id,
                kind,
                issued_on,
            },
        )
        .await?;
    let number = appended.stream_versions.iter().find_map(|(stream, _)| {
        stream
            .strip_prefix("card-")
            .and_then(|n| CardNumber::parse(n).ok())
    });
    let number = number.ok_or(CommandError::Log(eventlog::Error::InvalidAppend(
        "a card issue stored no card",
    )))?;
    Ok((number, appended))
}

struct Issue {
    person_id: PersonId,
    kind: CardKind,
    issued_on: NaiveDate,
}

#[async_trait]
impl Command for Issue {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let person = load_existing_person(commands, issued, self.person_id).await?;
        let home = person
            .state
            .home
            .ok_or(domain::rules::RuleViolation::NotAMember)?;
        let (events, reserved) = decide_card_for(
            commands,
            &person.state,
            home,
            self.kind,
            self.issued_on,
            issued.today,
        )
        .await?;
        Ok(Decision {
            streams: vec![person.append(events)?, reserved],
            erase_personal_data_of: vec![],
        })
    }
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
) -> Result<(PersonId, Appended), CommandError> {
    let reserved: Loaded<Option<ReservedNumber>> =
        load(commands.log(), card_stream(number), card::evolve).await?;
    let person_id = reserved
        .state
        .map(|r| r.person_id)
        .ok_or(domain::error::DomainError::NotFound { what: "card" })?;
    let command = BlockCard {
        person_id,
        number,
        reason,
    };
    let appended = commands
        .execute(issued, &OnPerson(person_id, command.into()))
        .await?;
    Ok((person_id, appended))
}

/// The events of issuing a card to `person` and the reservation of its number.
/// Taken card numbers a command steps over before it gives up: each skip
/// jumps past every number the read models know of, so more than a couple
/// means another node issues cards faster than this one learns of them.
const MAX_TAKEN_NUMBERS: usize = 8;

pub(crate) async fn decide_card_for(
    commands: &Commands,
    person: &Person,
    home: OrgId,
    kind: CardKind,
    issued_on: NaiveDate,
    today: NaiveDate,
) -> Result<(Vec<domain::event::PersonEvent>, StreamAppend), CommandError> {
    let person_id = person
        .person_id
        .ok_or(domain::rules::RuleViolation::NotAMember)?;
    let region =
        commands
            .facts()
            .region_code(home)
            .ok_or(domain::error::DomainError::NotFound {
                what: "region of the home organisation",
            })?;
    let mut skips = 0;
    let (number, reserved) = loop {
        let number =
            CardNumber::new(region, commands.next_card_sequence(region)).map_err(|_| {
                domain::error::DomainError::NotFound {
                    what: "a free card number",
                }
            })?;
        let reserved: Loaded<Option<ReservedNumber>> =
            load(commands.log(), card_stream(number), card::evolve).await?;
        if reserved.state.is_none() || skips == MAX_TAKEN_NUMBERS {
            break (number, reserved);
        }
        // Issued by another node sharing the log: go on past the highest
        // number the read models know of (they include that node's cards
        // committed before this command arrived).
        commands.skip_card_sequences(region);
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

async fn load_person(
    commands: &Commands,
    person_id: PersonId,
) -> Result<Loaded<Person>, CommandError> {
    load(commands.log(), person_id.stream(), person::evolve).await
}

/// The person, who must exist, at the version the client expects.
async fn load_existing_person(
    commands: &Commands,
    issued: &Issued,
    person_id: PersonId,
) -> Result<Loaded<Person>, CommandError> {
    let person = load_person(commands, person_id).await?;
    if person.version == 0 {
        return Err(domain::error::DomainError::NotFound { what: "member" }.into());
    }
    check_expected(issued, &person.stream, person.version)?;
    Ok(person)
}

pub(crate) async fn load_org(
    commands: &Commands,
    org_id: OrgId,
) -> Result<Loaded<Option<Organization>>, CommandError> {
    load(commands.log(), org_id.stream(), organization::evolve).await
}

/// An organisation as a home, from its own stream (never stale).
pub(crate) fn home_facts(org: &Option<Organization>) -> HomeFacts {
    match org {
        None => HomeFacts::not_found(),
        Some(org) if org.dissolved_on.is_some() => HomeFacts::dissolved(org.level),
        Some(org) => HomeFacts::open(org.level),
    }
}

/// The person an append wrote to (the first `person-` stream).
pub(crate) fn person_of(appended: &Appended) -> Option<PersonId> {
    appended
        .stream_versions
        .iter()
        .find_map(|(stream, _)| PersonId::from_stream(stream))
}
