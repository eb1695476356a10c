//! Commands on an online application: submit, approve (admitting), reject.

use chrono::NaiveDate;
use domain::application::{
    self, Application, ApproveApplication, RejectApplication, SubmitApplication,
};
use domain::error::DomainError;
use domain::ids::{ApplicationId, OrgId, PersonId};
use domain::person;
use domain::vocabulary::card::CardKind;
use domain::vocabulary::person::{Gender, MemberCategory, PersonalData, Profession, Profile};
use eventlog::{Appended, EventLog};
use uuid::Uuid;

use crate::commands::load::{Loaded, load};
use crate::commands::person::{
    conceal, decide_card_for, held_outside, home_facts, load_org, load_person, person_of,
};
use crate::commands::{Commands, Decision, Issued, check_expected};
use crate::error::Error;

/// An application as the public form gives it, its input already checked.
#[derive(Clone, Debug)]
pub struct NewApplication {
    /// The primary organisation applied to.
    pub org_id: OrgId,
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
    /// Consent to the processing of personal data; must be true.
    pub consent: bool,
}

/// Submits an application, dated today. Returns its id.
///
/// # Errors
/// `VALIDATION` of `consent` without it; the charter's refusals (`TOO_YOUNG`, the organisation's); log failures.
pub async fn submit_application(
    commands: &Commands,
    issued: &Issued,
    new: NewApplication,
) -> Result<(ApplicationId, Appended), Error> {
    let log = commands.log();
    let application_id = ApplicationId(Uuid::now_v7());
    let new = &new;
    let appended = commands
        .execute(issued, || async move {
            let application = Loaded::minted(application_id.stream());
            let org = load_org(log, new.org_id).await?;
            let command = SubmitApplication {
                application_id,
                org_id: new.org_id,
                org: home_facts(&org.state),
                submitted_on: issued.today,
                profile: Profile::new(
                    &new.personal,
                    new.gender,
                    new.category,
                    new.profession,
                    new.position.clone(),
                ),
                personal: new.personal.clone(),
                consent: new.consent,
            };
            let events = application::decide(&application.state, &command.into(), issued.today)?;
            Ok(Decision::of(vec![
                application.append(events)?,
                org.guard()?,
            ]))
        })
        .await?;
    let id = appended
        .stream_versions
        .iter()
        .find_map(|(s, _)| ApplicationId::from_stream(s))
        .unwrap_or(application_id);
    Ok((id, appended))
}

/// Approves a pending application: the applicant is admitted (or re-admitted, by
/// SNILS) effective on the application's date, in the same append.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn approve_application(
    commands: &Commands,
    issued: &Issued,
    application_id: ApplicationId,
    decided_on: NaiveDate,
    issue_card: Option<CardKind>,
) -> Result<(PersonId, Appended), Error> {
    let facts = commands.facts()?;
    let log = commands.log();
    let newcomer = PersonId(Uuid::now_v7());
    // The applicant's SNILS, read ahead so approvals naming it take turns
    // (see `Commands::snils_turn`); the decision reads the application again.
    let snils = load_application(log, application_id)
        .await?
        .state
        .and_then(|pending| pending.personal.and_then(|p| p.snils));
    let _turn = commands.snils_turn(snils).await?;
    let appended = commands
        .execute(issued, || async move {
            let application = load_existing(log, issued, application_id).await?;
            let Some(pending) = application.state.as_ref() else {
                return Err(DomainError::NotFound {
                    what: "application",
                }
                .into());
            };
            let snils = pending.personal.as_ref().and_then(|p| p.snils);
            let snils_holder = snils.and_then(|snils| facts.snils_holder(snils));
            let person_id = snils_holder.unwrap_or(newcomer);
            let approve = ApproveApplication {
                application_id,
                person_id,
                decided_on,
            };
            let approved = application::decide(&application.state, &approve.into(), issued.today)?;
            let org = load_org(log, pending.org_id).await?;
            let admit =
                application::admission(pending, person_id, home_facts(&org.state), snils_holder)?;
            let mut person = match snils_holder {
                Some(holder) => load_person(log, holder).await?,
                None => Loaded::minted(newcomer.stream()),
            };
            let hidden = held_outside(issued, facts, &person.state);
            let mut admitted = person::decide(&person.state, &admit.into(), issued.today)
                .map_err(|refusal| conceal(hidden, refusal))?;
            let mut streams = vec![application.append(approved)?, org.guard()?];
            if let Some(kind) = issue_card {
                admitted
                    .iter()
                    .for_each(|e| person::evolve(&mut person.state, e));
                let (card_events, reserved) = decide_card_for(
                    commands,
                    facts,
                    &person.state,
                    pending.org_id,
                    kind,
                    pending.submitted_on,
                    issued.today,
                )
                .await?;
                admitted.extend(card_events);
                streams.push(reserved);
            }
            streams.insert(0, person.append(admitted)?);
            Ok(Decision::of(streams))
        })
        .await?;
    commands.reach(appended.last_position).await;
    Ok((person_of(&appended).unwrap_or(newcomer), appended))
}

/// Rejects a pending application, dated today.
///
/// # Errors
/// The charter's refusals, conflicts, log failures.
pub async fn reject_application(
    commands: &Commands,
    issued: &Issued,
    application_id: ApplicationId,
    reason: String,
) -> Result<Appended, Error> {
    let log = commands.log();
    let reason = &reason;
    commands
        .execute(issued, || async move {
            let application = load_existing(log, issued, application_id).await?;
            let command = RejectApplication {
                application_id,
                reason: reason.clone(),
                decided_on: issued.today,
            };
            let events = application::decide(&application.state, &command.into(), issued.today)?;
            Ok(Decision::of(vec![application.append(events)?]))
        })
        .await
}

/// The SNILS an application names, if any (`None` too for an unknown id:
/// the command refuses that itself).
///
/// # Errors
/// The log failed.
pub async fn application_snils(
    commands: &Commands,
    application_id: ApplicationId,
) -> Result<Option<domain::snils::Snils>, Error> {
    Ok(load_application(commands.log(), application_id)
        .await?
        .state
        .and_then(|pending| pending.personal.and_then(|p| p.snils)))
}

async fn load_application(
    log: &dyn EventLog,
    id: ApplicationId,
) -> Result<Loaded<Option<Application>>, Error> {
    load(log, id.stream(), application::evolve).await
}

async fn load_existing(
    log: &dyn EventLog,
    issued: &Issued,
    id: ApplicationId,
) -> Result<Loaded<Option<Application>>, Error> {
    let application = load_application(log, id).await?;
    if application.version == 0 {
        return Err(DomainError::NotFound {
            what: "application",
        }
        .into());
    }
    check_expected(issued, &application.stream, application.version)?;
    Ok(application)
}
