//! Commands on an online application: submit, approve (admitting), reject.

use async_trait::async_trait;
use chrono::NaiveDate;
use domain::application::{
    self, Application, ApproveApplication, RejectApplication, SubmitApplication,
};
use domain::event::OrganizationEvent;
use domain::ids::{ApplicationId, OrgId, PersonId};
use domain::person;
use domain::vocabulary::card::CardKind;
use domain::vocabulary::person::{Gender, MemberCategory, PersonalData, Profession, Profile};
use eventlog::Appended;
use uuid::Uuid;

use crate::commands::load::{Loaded, load};
use crate::commands::person::{home_facts, load_org, person_of};
use crate::commands::{Command, CommandError, Commands, Decision, Issued, check_expected};

/// An application as the public form takes it.
#[derive(Clone, Debug)]
pub struct NewApplication {
    pub org_id: OrgId,
    pub personal: PersonalData,
    pub gender: Gender,
    pub category: MemberCategory,
    pub profession: Option<Profession>,
    pub position: Option<String>,
    pub consent: bool,
}

/// Submits an application, dated today. Returns its id.
///
/// # Errors
/// The charter's refusals (`NO_CONSENT`, `TOO_YOUNG`, the organisation's), log failures.
pub async fn submit_application(
    commands: &Commands,
    issued: &Issued,
    new: NewApplication,
) -> Result<(ApplicationId, Appended), CommandError> {
    let application_id = ApplicationId(Uuid::now_v7());
    let appended = commands
        .execute(
            issued,
            &Submit {
                new,
                application_id,
            },
        )
        .await?;
    let id = appended
        .stream_versions
        .iter()
        .find_map(|(s, _)| ApplicationId::from_stream(s))
        .unwrap_or(application_id);
    Ok((id, appended))
}

struct Submit {
    new: NewApplication,
    application_id: ApplicationId,
}

#[async_trait]
impl Command for Submit {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let application = load_application(commands, self.application_id).await?;
        let org = load_org(commands, self.new.org_id).await?;
        let new = &self.new;
        let command = SubmitApplication {
            application_id: self.application_id,
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
        Ok(Decision {
            streams: vec![
                application.append(events)?,
                org.append::<OrganizationEvent>(vec![])?,
            ],
            erase_personal_data_of: vec![],
        })
    }
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
) -> Result<(PersonId, Appended), CommandError> {
    let newcomer = PersonId(Uuid::now_v7());
    // The applicant's SNILS, read ahead so approvals naming it take turns
    // (see `Commands::snils_turn`); the decision reads the application again.
    let snils = load_application(commands, application_id)
        .await?
        .state
        .and_then(|pending| pending.personal.and_then(|p| p.snils));
    let _turn = commands.snils_turn(snils).await?;
    let command = Approve {
        application_id,
        decided_on,
        issue_card,
        newcomer,
    };
    let appended = commands.execute(issued, &command).await?;
    commands.settle(&appended).await;
    Ok((person_of(&appended).unwrap_or(newcomer), appended))
}

struct Approve {
    application_id: ApplicationId,
    decided_on: NaiveDate,
    issue_card: Option<CardKind>,
    newcomer: PersonId,
}

#[async_trait]
impl Command for Approve {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let application = load_existing(commands, issued, self.application_id).await?;
        let Some(pending) = application.state.as_ref() else {
            return Err(domain::error::DomainError::NotFound {
                what: "application",
            }
            .into());
        };
        let snils = pending.personal.as_ref().and_then(|p| p.snils);
        let snils_holder = snils.and_then(|snils| commands.facts().snils_holder(snils));
        let person_id = snils_holder.unwrap_or(self.newcomer);
        let approve = ApproveApplication {
            application_id: self.application_id,
            person_id,
            decided_on: self.decided_on,
        };
        let approved = application::decide(&application.state, &approve.into(), issued.today)?;
        let org = load_org(commands, pending.org_id).await?;
        let admit =
            application::admission(pending, person_id, home_facts(&org.state), snils_holder)?;
        let mut person = load(commands.log(), person_id.stream(), person::evolve).await?;
        let mut admitted = person::decide(&person.state, &admit.into(), issued.today)?;
        let mut streams = vec![
            application.append(approved)?,
            org.append::<OrganizationEvent>(vec![])?,
        ];
        if let Some(kind) = self.issue_card {
            admitted
                .iter()
                .for_each(|e| person::evolve(&mut person.state, e));
            let decided = super::person::decide_card_for(
                commands,
                &person.state,
                pending.org_id,
                kind,
                pending.submitted_on,
                issued.today,
            )
            .await?;
            admitted.extend(decided.0);
            streams.push(decided.1);
        }
        streams.insert(0, person.append(admitted)?);
        Ok(Decision {
            streams,
            erase_personal_data_of: vec![],
        })
    }
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
) -> Result<Appended, CommandError> {
    commands
        .execute(
            issued,
            &Reject {
                application_id,
                reason,
            },
        )
        .await
}

struct Reject {
    application_id: ApplicationId,
    reason: String,
}

#[async_trait]
impl Command for Reject {
    async fn decide(&self, commands: &Commands, issued: &Issued) -> Result<Decision, CommandError> {
        let application = load_existing(commands, issued, self.application_id).await?;
        let command = RejectApplication {
            application_id: self.application_id,
            reason: self.reason.clone(),
            decided_on: issued.today,
        };
        let events = application::decide(&application.state, &command.into(), issued.today)?;
        Ok(Decision {
            streams: vec![application.append(events)?],
            erase_personal_data_of: vec![],
        })
    }
}

async fn load_application(
    commands: &Commands,
    id: ApplicationId,
) -> Result<Loaded<Option<Application>>, CommandError> {
    load(commands.log(), id.stream(), application::evolve).await
}

async fn load_existing(
    commands: &Commands,
    issued: &Issued,
    id: ApplicationId,
) -> Result<Loaded<Option<Application>>, CommandError> {
    let application = load_application(commands, id).await?;
    if application.version == 0 {
        return Err(domain::error::DomainError::NotFound {
            what: "application",
        }
        .into());
    }
    check_expected(issued, &application.stream, application.version)?;
    Ok(application)
}
