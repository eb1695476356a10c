//! `Event`, the journal query `events`, and the subscription `events`.
//!
//! The journal is for ADMIN and AUDITOR. A holder of the CENTRAL organisation
//! reads the whole log; a holder below it reads the events that concern its
//! subtree (see [`concerns`]), so no event of another subtree leaks.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, ID, Json, Object, Subscription as SubscriptionRoot};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::audit::AUDIT_STREAM;
use domain::event::{AccessEvent, Event as DomainEvent};
use domain::ids::{ApplicationId, OrgId, PersonId, UserId};
use eventlog::{Personal, StoredEvent, codec};
use futures::{Stream, StreamExt};
use projections::access::Holder;
use projections::archive::summary::organization_of;
use serde_json::Value;

use crate::app::App;
use crate::error::ApiError;
use crate::guard::{Action, Viewer};
use crate::schema::connection::{EventConnection, page_size};
use crate::schema::extension::show_personal;
use crate::schema::organization::saturating_i32;
use crate::schema::scalars::{Date, DateTime};
use crate::schema::{app, viewer};

/// Events a journal page from below the root reads at most looking for its
/// own: bounds one request's work; the cursor goes on from where it stopped.
const SCAN_LIMIT: usize = 64 * 1024;

/// One stored event.
pub struct Event {
    stored: StoredEvent,
    /// Personal data to show: decided (and recorded) before the event was built.
    show_personal: Option<bool>,
}

impl Event {
    fn new(stored: StoredEvent) -> Event {
        Event {
            stored,
            show_personal: None,
        }
    }
}

#[Object]
impl Event {
    async fn position(&self) -> i32 {
        saturating_i32(self.stored.position)
    }

    async fn stream(&self) -> &str {
        &self.stored.stream
    }

    async fn version(&self) -> i32 {
        saturating_i32(self.stored.version)
    }

    async fn id(&self) -> ID {
        ID(self.stored.event_id.to_string())
    }

    #[graphql(name = "type")]
    async fn event_type(&self) -> &str {
        &self.stored.event_type
    }

    async fn schema_version(&self) -> i32 {
        saturating_i32(self.stored.schema_version)
    }

    async fn effective_on(&self) -> Option<Date> {
        self.stored.effective_on.map(Date)
    }

    async fn recorded_at(&self) -> DateTime {
        DateTime(self.stored.recorded_at)
    }

    async fn actor(&self) -> Option<&str> {
        Some(self.stored.actor.as_str())
    }

    async fn correlation_id(&self) -> Option<ID> {
        self.stored.correlation_id.map(|id| ID(id.to_string()))
    }

    async fn causation_id(&self) -> Option<ID> {
        self.stored.causation_id.map(|id| ID(id.to_string()))
    }

    /// The payload; personal data is shown only to viewers who may see it.
    async fn data(&self, ctx: &Context<'_>) -> Result<Json<Value>, ApiError> {
        let mut data: Value = serde_json::from_str(&self.stored.payload)
            .map_err(|e| ApiError::Internal(format!("stored payload: {e}")))?;
        if let (Personal::Plain(personal), Value::Object(fields)) =
            (&self.stored.personal, &mut data)
        {
            let show = match self.show_personal {
                Some(decided) => decided,
                None => {
                    let may = viewer(ctx).sees_personal_data();
                    if may && let Some(person) = PersonId::from_stream(&self.stored.stream) {
                        show_personal(ctx, person)?;
                    }
                    may
                }
            };
            if show {
                let personal: Value = serde_json::from_str(personal)
                    .map_err(|e| ApiError::Internal(format!("stored personal data: {e}")))?;
                fields.insert("personal".into(), personal);
            }
        }
        Ok(Json(data))
    }
}

/// Whether `stored` concerns the subtree of `holder` (the whole log for a
/// holder of the root).
fn concerns(app: &App, holder: &Holder, at_root: bool, stored: &StoredEvent) -> bool {
    if at_root {
        return true;
    }
    let within = |org: OrgId| app.registry.within(org, holder.org_id);
    let person_within = |person: PersonId| {
        app.registry
            .member(person)
            .is_some_and(|member| within(member.home))
    };
    if stored.stream == AUDIT_STREAM {
        return false;
    }
    let Ok(event) = codec::decode(stored) else {
        return false;
    };
    if let Some(org) = organization_of(&event) {
        return within(org);
    }
    match &event {
        DomainEvent::Person(e) => person_within(e.person_id()),
        DomainEvent::Application(e) => app
            .registry
            .application(e.application_id())
            .is_some_and(|a| within(a.org_id)),
        DomainEvent::Card(_) => card_of(&stored.stream)
            .and_then(|number| app.registry.card(number))
            .is_some_and(|card| person_within(card.holder)),
        DomainEvent::Access(AccessEvent::RoleGranted { org_id, .. }) => within(*org_id),
        DomainEvent::Access(AccessEvent::RoleRevoked { user_id }) => app
            .access
            .holder(*user_id)
            .is_some_and(|h| within(h.org_id)),
        _ => false,
    }
}

fn card_of(stream: &str) -> Option<domain::card_number::CardNumber> {
    domain::card_number::CardNumber::parse(stream.strip_prefix("card-")?).ok()
}

/// Whether the subject of `stream` is in the subtree of `holder`; `None` when
/// the stream names nothing this registry knows.
fn stream_within(app: &App, holder: &Holder, stream: &str) -> Option<bool> {
    let within = |org: OrgId| app.registry.within(org, holder.org_id);
    if let Some(org) = OrgId::from_stream(stream) {
        return app.registry.organization(org).map(|_| within(org));
    }
    if let Some(person) = PersonId::from_stream(stream) {
        return app.registry.member(person).map(|m| within(m.home));
    }
    if let Some(application) = ApplicationId::from_stream(stream) {
        return app
            .registry
            .application(application)
            .map(|a| within(a.org_id));
    }
    if let Some(user) = UserId::from_stream(stream) {
        return app.access.holder(user).map(|h| within(h.org_id));
    }
    if let Some(number) = card_of(stream) {
        return app
            .registry
            .card(number)
            .and_then(|card| app.registry.member(card.holder))
            .map(|m| within(m.home));
    }
    None
}

/// Who may read the journal, and whether from the root.
fn journal_reader<'a>(app: &App, viewer: &'a Viewer) -> Result<(&'a Holder, bool), ApiError> {
    let holder = viewer.may(Action::ReadEvents)?;
    let at_root = app
        .registry
        .organization(holder.org_id)
        .is_some_and(|org| org.parent_id.is_none());
    Ok((holder, at_root))
}

/// Checks that `stream` may be read by `holder`.
fn check_stream(app: &App, holder: &Holder, at_root: bool, stream: &str) -> Result<(), ApiError> {
    if at_root {
        return Ok(());
    }
    match stream_within(app, holder, stream) {
        Some(true) => Ok(()),
        Some(false) | None if stream == AUDIT_STREAM => Err(ApiError::Forbidden(
            "the audit trail's stream is read from the root only".into(),
        )),
        Some(false) => Err(ApiError::Forbidden(
            "outside the subtree of your role: you may not read the event journal there".into(),
        )),
        None => Err(ApiError::NotFound { what: "stream" }),
    }
}

fn cursor(position: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("event:{position}"))
}

fn position_of(cursor: &str) -> Result<u64, ApiError> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("event:")?.parse().ok())
        .ok_or(ApiError::Validation {
            message: "the cursor is not one this list gave out".into(),
            field: Some("after"),
        })
}

fn non_negative(value: i32, field: &'static str) -> Result<u64, ApiError> {
    u64::try_from(value).map_err(|_| ApiError::Validation {
        message: format!("{field} must not be negative, got {value}"),
        field: Some(field),
    })
}

/// The journal query.
#[derive(Default)]
pub struct EventQuery;

#[Object]
impl EventQuery {
    /// The event journal, for auditors.
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] from_position: Option<i32>,
        stream: Option<String>,
        #[graphql(default = 100)] first: Option<i32>,
        after: Option<String>,
    ) -> Result<EventConnection, ApiError> {
        let app = app(ctx);
        let (holder, at_root) = journal_reader(app, viewer(ctx))?;
        let from = non_negative(from_position.unwrap_or(0), "fromPosition")?;
        let first = page_size(first.unwrap_or(100))?;
        let after = match after {
            Some(cursor) => position_of(&cursor)?.max(from),
            None => from,
        };
        let log = &app.log;
        let internal = |e: eventlog::Error| ApiError::Internal(e.to_string());
        if let Some(stream) = stream {
            check_stream(app, holder, at_root, &stream)?;
            let events = log.read_stream(&stream, 0).await.map_err(internal)?;
            let total = events.iter().filter(|e| e.position > from).count();
            let mut page: Vec<StoredEvent> = events
                .into_iter()
                .filter(|e| e.position > after)
                .take(first + 1)
                .collect();
            let has_next = page.len() > first;
            page.truncate(first);
            return Ok(connection(page, has_next, total as u64));
        }
        let head = app.checkpoint().max(*log.head().borrow());
        if at_root {
            let mut page = log.read_batch(after, first + 1).await.map_err(internal)?;
            let has_next = page.len() > first;
            page.truncate(first);
            return Ok(connection(page, has_next, head.saturating_sub(from)));
        }
        // Below the root: scan for the subtree's events, a bounded stretch per page.
        let mut page = Vec::new();
        let mut scanned_to = after;
        let mut scanned = 0;
        let mut has_next = false;
        while scanned < SCAN_LIMIT {
            let batch = log.read_batch(scanned_to, 4096).await.map_err(internal)?;
            let Some(last) = batch.last().map(|e| e.position) else {
                break;
            };
            scanned += batch.len();
            for stored in batch {
                if page.len() == first {
                    has_next = true;
                    break;
                }
                scanned_to = stored.position;
                if concerns(app, holder, false, &stored) {
                    page.push(stored);
                }
            }
            if has_next {
                break;
            }
            scanned_to = last;
        }
        if !has_next && scanned >= SCAN_LIMIT {
            has_next = scanned_to < head;
        }
        let total = if ctx.look_ahead().field("totalCount").exists() {
            count_concerning(app, holder, from).await?
        } else {
            0
        };
        let mut connection = connection(page, has_next, total);
        if has_next {
            // Continue after what was scanned, even when it showed nothing.
            connection.page_info.end_cursor = Some(cursor(scanned_to));
        }
        Ok(connection)
    }
}

/// Events after `from` that concern the subtree of `holder`: a whole scan,
/// made only when a client asks for `totalCount`.
async fn count_concerning(app: &App, holder: &Holder, from: u64) -> Result<u64, ApiError> {
    let mut events = eventlog::read_all(Arc::clone(&app.log), from);
    let mut count = 0;
    while let Some(stored) = events.next().await {
        let stored = stored.map_err(|e| ApiError::Internal(e.to_string()))?;
        if concerns(app, holder, false, &stored) {
            count += 1;
        }
    }
    Ok(count)
}

fn connection(page: Vec<StoredEvent>, has_next: bool, total: u64) -> EventConnection {
    let items = page
        .into_iter()
        .map(|stored| (cursor(stored.position), Event::new(stored)))
        .collect();
    EventConnection::new(items, has_next, total)
}

/// The subscription root.
pub struct Subscription;

#[SubscriptionRoot]
impl Subscription {
    /// Events as they are committed, from a position (now when omitted), optionally one stream.
    async fn events(
        &self,
        ctx: &Context<'_>,
        from_position: Option<i32>,
        stream: Option<String>,
    ) -> Result<impl Stream<Item = async_graphql::Result<Event>> + use<>, ApiError> {
        let app = app(ctx).clone();
        let viewer = viewer(ctx).clone();
        let (holder, at_root) = journal_reader(&app, &viewer)?;
        let holder = holder.clone();
        if let Some(stream) = &stream {
            check_stream(&app, &holder, at_root, stream)?;
        }
        let from = match from_position {
            Some(from) => non_negative(from, "fromPosition")?,
            None => *app.log.head().borrow(),
        };
        let sees_personal = viewer.sees_personal_data();
        let events = eventlog::subscribe(Arc::clone(&app.log), from).filter_map(move |stored| {
            let app = app.clone();
            let holder = holder.clone();
            let stream = stream.clone();
            async move {
                let stored = match stored {
                    Ok(stored) => stored,
                    Err(e) => return Some(Err(ApiError::Internal(e.to_string()).extend())),
                };
                if stream.as_ref().is_some_and(|s| *s != stored.stream)
                    || !concerns(&app, &holder, at_root, &stored)
                {
                    return None;
                }
                let mut show = sees_personal;
                if show
                    && matches!(stored.personal, Personal::Plain(_))
                    && let Some(person) = PersonId::from_stream(&stored.stream)
                {
                    // Recorded before it is sent; not recorded, not shown.
                    let read = domain::audit::PersonalDataRead {
                        viewer: holder.user_id,
                        person,
                    };
                    show = app.reads.record(vec![read]).await.is_ok();
                }
                Some(Ok(Event {
                    stored,
                    show_personal: Some(show),
                }))
            }
        });
        Ok(events)
    }
}
