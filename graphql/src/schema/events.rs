//! `Event`, the journal query `events`, and the subscription `events`.
//!
//! Who reads which events is the application layer's ([`app::journal`]): the
//! whole log from the root, the subtree's events below it.

use app::journal::{JournalEvent, JournalQuery};
use async_graphql::{Context, ErrorExtensions, ID, Json, Object, Subscription as SubscriptionRoot};
use futures::{Stream, StreamExt};
use serde_json::Value;

use crate::error::ApiError;
use crate::schema::connection::{self, EventConnection};
use crate::schema::organization::saturating_i32;
use crate::schema::scalars::{Date, DateTime};
use crate::schema::{app, asks_for, reads, viewer};

/// One stored event.
pub struct Event(JournalEvent);

#[Object]
impl Event {
    async fn position(&self) -> i32 {
        saturating_i32(self.0.stored.position)
    }

    async fn stream(&self) -> &str {
        &self.0.stored.stream
    }

    async fn version(&self) -> i32 {
        saturating_i32(self.0.stored.version)
    }

    async fn id(&self) -> ID {
        ID(self.0.stored.event_id.to_string())
    }

    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.0.stored.event_type
    }

    async fn schema_version(&self) -> i32 {
        saturating_i32(self.0.stored.schema_version)
    }

    async fn effective_on(&self) -> Option<Date> {
        self.0.stored.effective_on.map(Date)
    }

    async fn recorded_at(&self) -> DateTime {
        DateTime(self.0.stored.recorded_at)
    }

    async fn actor(&self) -> Option<&str> {
        Some(self.0.stored.actor.as_str())
    }

    async fn correlation_id(&self) -> Option<ID> {
        self.0.stored.correlation_id.map(|id| ID(id.to_string()))
    }

    async fn causation_id(&self) -> Option<ID> {
        self.0.stored.causation_id.map(|id| ID(id.to_string()))
    }

    /// The payload; personal data is shown only to viewers who may see it.
    async fn data(&self, ctx: &Context<'_>) -> Result<Json<Value>, ApiError> {
        Ok(Json(self.0.data(reads(ctx).ok())?))
    }
}

/// The journal query.
#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// The event journal, for auditors.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "crate::schema::connection::page_cost(first, last, child_complexity)")]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] from_position: Option<i32>,
        stream: Option<String>,
        #[graphql(default = 100)] first: Option<i32>,
        after: Option<String>,
        #[graphql(
            desc = "Backward paging: the last items (before `before`, else of the list); not with `first` (an addition)."
        )]
        last: Option<i32>,
        #[graphql(
            desc = "Backward paging: the page ends before this cursor (an edge's, or `startCursor`) (an addition)."
        )]
        before: Option<String>,
    ) -> Result<EventConnection, ApiError> {
        let window = connection::window(ctx, first, after, last, before, 100)?;
        let query = JournalQuery {
            from_position: from_position.unwrap_or(0).into(),
            stream,
            count_total: asks_for(ctx, "totalCount"),
            ..JournalQuery::default()
        };
        let page = app(ctx).events_window(viewer(ctx), query, &window).await?;
        Ok(EventConnection::from_page(page, Event))
    }
}

/// The subscription root.
#[derive(Default)]
pub struct Subscription;

#[SubscriptionRoot(name = "EventSubscription")]
impl Subscription {
    /// Events as they are committed, from a position (now when omitted), optionally one stream.
    async fn events(
        &self,
        ctx: &Context<'_>,
        from_position: Option<i32>,
        stream: Option<String>,
    ) -> Result<impl Stream<Item = async_graphql::Result<Event>> + use<>, ApiError> {
        let events =
            app(ctx).subscribe_events(viewer(ctx), from_position.map(i64::from), stream)?;
        Ok(events.map(|event| event.map(Event).map_err(|e| ApiError(e).extend())))
    }
}
