//! Meetings: a chair convenes one (conference, plenum, seminar) and records
//! the members present by their card at the door; who came is listed and
//! exported (CSV, XLSX, PDF). Convening and recording write members'
//! records (`WriteMembers` over the meeting's organisation); the list names
//! people, so it is personal data: recorded as read wherever it is shown.

use chrono::NaiveDate;
use documents::{Cell, Document, Format, Sheet};
use domain::ids::{MeetingId, OrgId, PersonId};
use domain::vocabulary::person::PersonalData;
use projections::meetings::MeetingView;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::commands;
use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::input::{self, MAX_TEXT_CHARS};
use crate::reports::files::ReportFile;
use crate::running::App;

/// `conveneMeeting(input)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ConveneMeeting {
    /// The organisation holding it.
    pub org_id: String,
    /// What it is, e.g. «Отчётно-выборная конференция».
    pub title: String,
    /// The day it is held (today when omitted).
    pub held_on: Option<NaiveDate>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `recordAttendance(input)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecordAttendance {
    /// The meeting.
    pub meeting_id: String,
    /// The card number presented (13 digits, spaces allowed, or the card's
    /// verification address as its QR code carries it).
    pub number: String,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// A member just recorded present.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// The meeting, with them among its attendees.
    pub meeting: MeetingView,
    /// The member.
    pub person_id: PersonId,
}

/// The card number in what a scanner read: the digits of a bare number or
/// the last segment of a card's `/verify/<number>` address.
pub fn scanned_number(text: &str) -> &str {
    let text = text.trim();
    text.rsplit('/').next().unwrap_or(text)
}

impl App {
    /// `conveneMeeting`.
    ///
    /// # Errors
    /// Bad input; `NOT_FOUND`; `FORBIDDEN`; the charter's refusals.
    pub async fn convene_meeting(
        &self,
        viewer: &Viewer,
        input: ConveneMeeting,
    ) -> Result<MeetingView, Error> {
        let org: OrgId = input::id(&input.org_id, "orgId")?;
        let title = input::text(input.title.clone(), "title", MAX_TEXT_CHARS)?;
        self.organization_target(viewer, Action::WriteMembers, org)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let held_on = input::date_or(input.held_on, issued.today);
        let meeting_id = MeetingId(Uuid::now_v7());
        let appended =
            commands::convene_meeting(&self.commands, &issued, meeting_id, org, title, held_on)
                .await?;
        let meeting_id = appended
            .stream_versions
            .iter()
            .find_map(|(s, _)| MeetingId::from_stream(s))
            .unwrap_or(meeting_id);
        self.reach(appended.last_position).await?;
        self.models
            .meetings
            .meeting(meeting_id)
            .ok_or(Error::NotFound { what: "meeting" })
    }

    /// `recordAttendance`: the holder of the card is present.
    ///
    /// # Errors
    /// Bad input; `NOT_FOUND` for the meeting; `FORBIDDEN`; the charter's
    /// refusals (`UNKNOWN_CARD`, `CARD_NOT_ACTIVE`, `ALREADY_PRESENT`, …).
    pub async fn record_attendance(
        &self,
        viewer: &Viewer,
        input: RecordAttendance,
    ) -> Result<Recorded, Error> {
        viewer.may(Action::WriteMembers)?;
        let meeting = self.meeting_target(viewer, Action::WriteMembers, &input.meeting_id)?;
        let number = input::card_number(scanned_number(&input.number))?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let holder = self.models.registry.card(number).map(|card| card.holder);
        let appended = commands::record_attendance(
            &self.commands,
            &issued,
            meeting.meeting_id,
            number,
            holder,
        )
        .await?;
        self.reach(appended.last_position).await?;
        let meeting = self
            .models
            .meetings
            .meeting(meeting.meeting_id)
            .ok_or(Error::NotFound { what: "meeting" })?;
        let person_id = meeting
            .attendees
            .iter()
            .find(|a| a.number == number)
            .map(|a| a.person_id)
            .ok_or_else(|| Error::internal("the attendance is not in the read model"))?;
        Ok(Recorded { meeting, person_id })
    }

    /// The meeting `id`, for a viewer who reads members of its organisation.
    ///
    /// # Errors
    /// Bad id; `NOT_FOUND`; `FORBIDDEN`.
    pub fn meeting(&self, viewer: &Viewer, id: &str) -> Result<MeetingView, Error> {
        self.meeting_target(viewer, Action::ReadMembers, id)
    }

    /// The meetings of organisations in `org`'s subtree, newest first.
    ///
    /// # Errors
    /// Bad id; `NOT_FOUND`; `FORBIDDEN`.
    pub fn meetings(&self, viewer: &Viewer, org: &str) -> Result<Vec<MeetingView>, Error> {
        let org: OrgId = input::id(org, "orgId")?;
        self.organization_target(viewer, Action::ReadMembers, org)?;
        let registry = &self.models.registry;
        Ok(self
            .models
            .meetings
            .meetings(|m| registry.within(m.org_id, org)))
    }

    /// Who came to meeting `id`, as a file: a row per member present (name,
    /// organisation, card, day), each recorded as read.
    ///
    /// # Errors
    /// As [`App::meeting`]; `INTERNAL` when the file cannot be written.
    pub async fn attendance_file(
        &self,
        viewer: &Viewer,
        id: &str,
        format: Format,
    ) -> Result<ReportFile, Error> {
        let meeting = self.meeting(viewer, id)?;
        let reads = self.personal_reads(viewer);
        let org = self.named_organization(meeting.org_id)?;
        let mut rows = Vec::with_capacity(meeting.attendees.len());
        for (i, attendee) in meeting.attendees.iter().enumerate() {
            reads.show(attendee.person_id)?;
            let member = self.models.registry.member(attendee.person_id);
            let name = member.as_ref().map(full_name).unwrap_or_default();
            let home = member
                .and_then(|m| self.named_organization(m.home).ok())
                .map(|o| o.name)
                .unwrap_or_default();
            rows.push(vec![
                Cell::Count(i as u64 + 1),
                Cell::Text(name),
                Cell::Text(home),
                Cell::Text(attendee.number.to_string()),
                Cell::Text(attendee.recorded_on.format("%d.%m.%Y").to_string()),
            ]);
        }
        let document = Document {
            title: format!("Явка: {}", meeting.title),
            subtitle: vec![
                org.name,
                format!("Дата: {}", meeting.held_on.format("%d.%m.%Y")),
                format!("Присутствовали: {}", meeting.attendees.len()),
            ],
            sheets: vec![Sheet {
                name: "Присутствовали".into(),
                caption: vec![],
                header: [
                    "№",
                    "Фамилия, имя, отчество",
                    "Организация",
                    "Билет",
                    "Отмечен",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                last_row_is_total: false,
            }],
        };
        reads.record().await?;
        let bytes = tokio::task::spawn_blocking(move || documents::render(&document, format))
            .await
            .map_err(Error::internal)?
            .map_err(Error::internal)?;
        Ok(ReportFile {
            file_name: format!("attendance-{}.{}", meeting.held_on, format.extension()),
            content_type: format.content_type(),
            bytes,
        })
    }

    /// The meeting `id`, where the viewer may do `action`.
    fn meeting_target(
        &self,
        viewer: &Viewer,
        action: Action,
        id: &str,
    ) -> Result<MeetingView, Error> {
        let meeting_id: MeetingId = input::id(id, "meetingId")?;
        viewer.may(action)?;
        let meeting = self
            .models
            .meetings
            .meeting(meeting_id)
            .ok_or(Error::NotFound { what: "meeting" })?;
        viewer.may_at(action, meeting.org_id, &self.models.registry)?;
        Ok(meeting)
    }
}

/// «Фамилия Имя Отчество», empty once erased.
pub fn full_name(member: &projections::registry::MemberView) -> String {
    member
        .personal
        .as_ref()
        .map(PersonalData::full_name)
        .unwrap_or_default()
}
