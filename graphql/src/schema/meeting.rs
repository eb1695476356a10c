//! Meetings: `meeting`, `meetings`, `conveneMeeting`, `recordAttendance`.
//! An attendee's member is shown as `Member` is everywhere: its personal
//! fields recorded as read.

use app::meetings::{ConveneMeeting, RecordAttendance};
use app::views::{Attendee as AttendeeView, MeetingView};
use async_graphql::{Context, ID, InputObject, Object};

use crate::error::ApiError;
use crate::schema::member::Member;
use crate::schema::mutation::id_text;
use crate::schema::organization::Organization;
use crate::schema::scalars::Date;
use crate::schema::{app, viewer};

/// A meeting of an organisation (conference, plenum, seminar) and who came.
pub struct Meeting(pub MeetingView);

/// A member recorded present at a meeting by their card.
pub struct Attendance(pub AttendeeView);

#[Object]
impl Meeting {
    async fn id(&self) -> ID {
        ID(self.0.meeting_id.to_string())
    }

    /// The organisation holding it.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization, ApiError> {
        Organization::known(ctx, self.0.org_id)
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn held_on(&self) -> Date {
        Date(self.0.held_on)
    }

    /// How many members were recorded present.
    async fn attendance_count(&self) -> usize {
        self.0.attendees.len()
    }

    /// The members present, in the order they came.
    async fn attendees(&self) -> Vec<Attendance> {
        self.0.attendees.iter().cloned().map(Attendance).collect()
    }
}

#[Object]
impl Attendance {
    /// The member (as the viewer may see them).
    async fn member(&self, ctx: &Context<'_>) -> Result<Member, ApiError> {
        Ok(Member(app(ctx).member(viewer(ctx), self.0.person_id)?))
    }

    /// The card presented.
    async fn card_number(&self) -> String {
        self.0.number.to_string()
    }

    async fn recorded_on(&self) -> Date {
        Date(self.0.recorded_on)
    }
}

/// A meeting to convene.
#[derive(InputObject)]
pub struct ConveneMeetingInput {
    pub org_id: ID,
    pub title: String,
    /// The day it is held; today when omitted.
    pub held_on: Option<Date>,
    pub command_id: Option<ID>,
}

/// A card presented at a meeting's door.
#[derive(InputObject)]
pub struct RecordAttendanceInput {
    pub meeting_id: ID,
    /// The card number (13 digits), or the card's verification address as
    /// its QR code carries it.
    pub number: String,
    pub command_id: Option<ID>,
}

/// Meeting queries.
#[derive(Default)]
pub struct MeetingQuery;

#[Object]
impl MeetingQuery {
    /// A meeting, for those who read the members of its organisation.
    async fn meeting(&self, ctx: &Context<'_>, id: ID) -> Result<Meeting, ApiError> {
        Ok(Meeting(app(ctx).meeting(viewer(ctx), &id.0)?))
    }

    /// The meetings of organisations in `orgId`'s subtree, newest first.
    async fn meetings(&self, ctx: &Context<'_>, org_id: ID) -> Result<Vec<Meeting>, ApiError> {
        Ok(app(ctx)
            .meetings(viewer(ctx), &org_id.0)?
            .into_iter()
            .map(Meeting)
            .collect())
    }
}

/// Meeting mutations.
#[derive(Default)]
pub struct MeetingMutation;

#[Object]
impl MeetingMutation {
    /// Convenes a meeting of an organisation (a chair or ADMIN over it).
    async fn convene_meeting(
        &self,
        ctx: &Context<'_>,
        input: ConveneMeetingInput,
    ) -> Result<Meeting, ApiError> {
        let input = ConveneMeeting {
            org_id: input.org_id.0,
            title: input.title,
            held_on: input.held_on.map(|d| d.0),
            command_id: id_text(input.command_id),
        };
        Ok(Meeting(app(ctx).convene_meeting(viewer(ctx), input).await?))
    }

    /// Records the holder of an active card present at a meeting (once per
    /// member: a second scan is ALREADY_PRESENT).
    async fn record_attendance(
        &self,
        ctx: &Context<'_>,
        input: RecordAttendanceInput,
    ) -> Result<Meeting, ApiError> {
        let input = RecordAttendance {
            meeting_id: input.meeting_id.0,
            number: input.number,
            command_id: id_text(input.command_id),
        };
        let recorded = app(ctx).record_attendance(viewer(ctx), input).await?;
        Ok(Meeting(recorded.meeting))
    }
}
