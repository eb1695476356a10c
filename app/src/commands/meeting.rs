//! Commands on meetings: convene one, record a member present by their card.

use chrono::NaiveDate;
use domain::card_number::CardNumber;
use domain::event::MeetingEvent;
use domain::ids::{MeetingId, OrgId, PersonId};
use domain::meeting::{self, AttendeeCard, ConveneMeeting, Meeting, MeetingOrg, RecordAttendance};
use eventlog::{Appended, EventLog, StreamAppend};

use crate::commands::load::{Loaded, load};
use crate::commands::person::{load_org, load_person};
use crate::commands::{Commands, Decision, Facts, Issued};
use crate::error::Error;

/// Convenes `meeting_id` of `org_id` on `held_on`.
///
/// # Errors
/// `MEETING_CONVENED`, `MEETING_OF_DISSOLVED`, `FUTURE_DATE`, log failures.
pub async fn convene_meeting(
    commands: &Commands,
    issued: &Issued,
    meeting_id: MeetingId,
    org_id: OrgId,
    title: String,
    held_on: NaiveDate,
) -> Result<Appended, Error> {
    let log = commands.log();
    let title = &title;
    commands
        .execute(issued, || async move {
            let loaded = load_meeting(log, meeting_id).await?;
            let org = load_org(log, org_id).await?;
            let state = match &org.state {
                None => {
                    return Err(Error::NotFound {
                        what: "organisation",
                    });
                }
                Some(o) if o.dissolved_on.is_some_and(|day| day <= held_on) => {
                    MeetingOrg::Dissolved
                }
                Some(_) => MeetingOrg::Open,
            };
            let command = ConveneMeeting {
                meeting_id,
                org_id,
                title: title.clone(),
                held_on,
                org: state,
            };
            let events = meeting::decide(&loaded.state, &command.into(), issued.today)?;
            Ok(Decision::of(vec![loaded.append(events)?, org.guard()?]))
        })
        .await
}

/// Records the holder of card `number` present at `meeting_id`; the card is
/// read from its holder's own stream (`holder`, as the registry found it),
/// which the append guards: a card blocked meanwhile is a conflict, then a
/// refusal.
///
/// # Errors
/// `MEETING_NOT_CONVENED`, `UNKNOWN_CARD`, `CARD_NOT_ACTIVE`,
/// `OUTSIDE_MEETING`, `ALREADY_PRESENT`, log failures.
pub async fn record_attendance(
    commands: &Commands,
    issued: &Issued,
    meeting_id: MeetingId,
    number: CardNumber,
    holder: Option<PersonId>,
) -> Result<Appended, Error> {
    let log = commands.log();
    let facts: &dyn Facts = commands.facts()?;
    commands
        .execute(issued, || async move {
            let loaded = load_meeting(log, meeting_id).await?;
            let mut guards: Vec<StreamAppend> = Vec::new();
            let card = match holder {
                None => AttendeeCard::Unknown,
                Some(person_id) => {
                    let person = load_person(log, person_id).await?;
                    guards.push(person.append::<domain::event::PersonEvent>(vec![])?);
                    match (person.state.active_card, person.state.home) {
                        (Some(active), Some(home)) if active == number => AttendeeCard::Active {
                            person_id,
                            inside: loaded
                                .state
                                .convened
                                .as_ref()
                                .is_some_and(|m| facts.within(home, m.org_id)),
                        },
                        _ => AttendeeCard::Blocked,
                    }
                }
            };
            let command = RecordAttendance {
                number,
                card,
                recorded_on: issued.today,
            };
            let events = meeting::decide(&loaded.state, &command.into(), issued.today)?;
            let mut streams = vec![loaded.append(events)?];
            streams.extend(guards);
            Ok(Decision::of(streams))
        })
        .await
}

async fn load_meeting(log: &dyn EventLog, meeting_id: MeetingId) -> Result<Loaded<Meeting>, Error> {
    load::<Meeting, MeetingEvent>(log, meeting_id.stream(), meeting::evolve).await
}
