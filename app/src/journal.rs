//! The event journal, for ADMIN and AUDITOR: pages of the log and a live
//! subscription. A holder of the CENTRAL organisation reads the whole log; a
//! holder below it reads the events that concern its subtree, the tree as of
//! each event's day, from the subtree journal index of the statistics model
//! (`Statistics::journal_page`), so no event of another subtree leaks and a
//! page or its total costs the subtree, not the log. Personal data in
//! an event is shown to roles that see it, and recorded like any other read.
//! Below the root, a re-admitted person's events from before the
//! re-admission (earlier memberships, perhaps in other subtrees) are shown
//! without their personal data: the subtree reads the identity the person
//! gave it, not what other organisations recorded (ARCHITECTURE.md).

use std::sync::Arc;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::audit::{AUDIT_STREAM, PersonalDataRead};
use domain::card_number::CardNumber;
use domain::ids::{ApplicationId, ConsultationId, OrgId, PersonId, UserId};
use eventlog::{Personal, StoredEvent};
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use projections::access::Holder;
use serde_json::Value;

use crate::audit::PersonalReads;
use crate::error::{Error, Refusal};
use crate::guard::{Action, Viewer};
use crate::input;
use crate::page::{Page, Window};
use crate::running::App;

/// `events(fromPosition, stream, first, after)`.
#[derive(Clone, Debug, Default)]
pub struct JournalQuery {
    /// Start after this position.
    pub from_position: i64,
    /// Only this stream.
    pub stream: Option<String>,
    /// Page size.
    pub first: i64,
    /// The cursor to go on after.
    pub after: Option<String>,
    /// Whether the answer needs the total count (below the root it costs more).
    pub count_total: bool,
}

/// One event of the journal, as a viewer may see it.
#[derive(Clone, Debug)]
pub struct JournalEvent {
    /// The stored event.
    pub stored: StoredEvent,
    /// Whether its personal data is shown: decided (and recorded) before the
    /// event was handed out, or (`None`) when its data is asked for.
    show_personal: Option<bool>,
    /// An event of a person's earlier membership read from below the root:
    /// its personal data is withheld.
    earlier_membership: bool,
}

impl JournalEvent {
    /// The payload as JSON; its personal data only for a viewer who sees
    /// personal data, noted in the request's `reads` (or, for an event of a
    /// subscription, recorded already).
    ///
    /// # Errors
    /// `INTERNAL` for personal data to be noted without `reads` (fail
    /// closed), or a stored payload that is not JSON.
    pub fn data(&self, reads: Option<&PersonalReads>) -> Result<Value, Error> {
        let mut data: Value = serde_json::from_str(&self.stored.payload)
            .map_err(|e| Error::Internal(format!("stored payload: {e}")))?;
        if let (Personal::Plain(personal), Value::Object(fields)) =
            (&self.stored.personal, &mut data)
            && !self.earlier_membership
            // A question's asker and text are read at the consultation
            // desk, by its service alone: never in the journal.
            && ConsultationId::from_stream(&self.stored.stream).is_none()
        {
            let show = match self.show_personal {
                Some(decided) => decided,
                None => {
                    let reads = reads.ok_or_else(|| {
                        Error::internal("personal data requested where its read cannot be recorded")
                    })?;
                    let may = reads.viewer().sees_personal_data();
                    if may && let Some(person) = PersonId::from_stream(&self.stored.stream) {
                        reads.show(person)?;
                    }
                    if may
                        && let Some(application) = ApplicationId::from_stream(&self.stored.stream)
                    {
                        reads.show_application(application)?;
                    }
                    may
                }
            };
            if show {
                let personal: Value = serde_json::from_str(personal)
                    .map_err(|e| Error::Internal(format!("stored personal data: {e}")))?;
                fields.insert("personal".into(), personal);
            }
        }
        Ok(data)
    }
}

impl App {
    /// `events`: a page of the journal.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`, `FORBIDDEN`; bad input; `NOT_FOUND` for a stream
    /// this registry does not know (below the root); the log failed.
    pub async fn events(
        &self,
        viewer: &Viewer,
        query: JournalQuery,
    ) -> Result<Page<JournalEvent>, Error> {
        let window = Window::forward(query.first, query.after.clone());
        self.events_window(viewer, query, &window).await
    }

    /// [`App::events`] either way: the page `window` asks for (the query's
    /// own `first` and `after` give way to it). Backward from the root the
    /// page is the range of positions just below the cursor (positions are
    /// gap-free); below the root, the subtree journal index read down from
    /// the cursor; of one stream, the stream's events before it.
    ///
    /// # Errors
    /// As [`App::events`].
    pub async fn events_window(
        &self,
        viewer: &Viewer,
        query: JournalQuery,
        window: &Window,
    ) -> Result<Page<JournalEvent>, Error> {
        let (holder, at_root) = self.journal_reader(viewer)?;
        let from = input::non_negative(query.from_position, "fromPosition")?;
        let field = window.cursor_field();
        let window = window.checked()?.try_map(|c| position_of(c, field))?;
        let log = &self.log;
        if let Some(stream) = query.stream {
            self.check_stream(holder, at_root, &stream)?;
            let events = log.read_stream(&stream, 0).await?;
            let total = events.iter().filter(|e| e.position > from).count();
            let found: Vec<StoredEvent> = match window {
                projections::Window::After { first, after } => {
                    let after = after.map_or(from, |a| a.max(from));
                    events
                        .into_iter()
                        .filter(|e| e.position > after)
                        .take(first + 1)
                        .collect()
                }
                projections::Window::Before { last, before } => {
                    let mut found: Vec<StoredEvent> = events
                        .into_iter()
                        .filter(|e| e.position > from && before.is_none_or(|b| e.position < b))
                        .collect();
                    found.drain(..found.len().saturating_sub(last + 1));
                    found
                }
            };
            let (found, has_previous, has_next) = window.shape(found);
            let mut page = journal_page(found, has_previous, has_next, total as u64);
            self.withhold_earlier_memberships(at_root, &mut page);
            return Ok(page);
        }
        let head = self.checkpoint().max(self.head());
        if at_root {
            let found = match window {
                projections::Window::After { first, after } => {
                    let after = after.map_or(from, |a| a.max(from));
                    log.read_batch(after, first + 1).await?
                }
                projections::Window::Before { last, before } => {
                    // Positions are gap-free: the page is the range just
                    // below the cursor, and one more to tell what precedes.
                    let end = before.map_or(head + 1, |b| b.min(head + 1));
                    let start = end.saturating_sub(last as u64 + 2).max(from);
                    let want = usize::try_from(end.saturating_sub(start + 1)).unwrap_or(0);
                    let mut found = if want == 0 {
                        Vec::new()
                    } else {
                        log.read_batch(start, want).await?
                    };
                    found.retain(|e| e.position < end);
                    found
                }
            };
            let (found, has_previous, has_next) = window.shape(found);
            return Ok(journal_page(
                found,
                has_previous,
                has_next,
                head.saturating_sub(from),
            ));
        }
        // Below the root: the subtree journal index of the statistics model
        // gives the page's positions and the total, the tree as of each
        // event's day; events the read models have not applied yet come on
        // the next page.
        let statistics = &self.models.statistics;
        let positions = match window {
            projections::Window::After { first, after } => {
                let after = after.map_or(from, |a| a.max(from));
                statistics.journal_page(holder.org_id, after, first + 1)
            }
            projections::Window::Before { last, before } => {
                statistics.journal_page_before(holder.org_id, from, before, last + 1)
            }
        }
        .ok_or(Error::NotFound {
            what: "organization",
        })?;
        let (positions, has_previous, has_next) = window.shape(positions);
        let page = log.read_positions(&positions).await?;
        let total = if query.count_total {
            statistics.journal_count(holder.org_id, from).unwrap_or(0)
        } else {
            0
        };
        let mut page = journal_page(page, has_previous, has_next, total);
        self.withhold_earlier_memberships(at_root, &mut page);
        Ok(page)
    }

    /// The `events` subscription: events as they are committed, from
    /// `from_position` (now when absent), optionally of one stream. Each
    /// event's personal data is recorded before it is handed out; not
    /// recorded, not shown.
    ///
    /// # Errors
    /// As [`App::events`], before the first event.
    pub fn subscribe_events(
        &self,
        viewer: &Viewer,
        from_position: Option<i64>,
        stream: Option<String>,
    ) -> Result<BoxStream<'static, Result<JournalEvent, Error>>, Error> {
        let (holder, at_root) = self.journal_reader(viewer)?;
        let holder = holder.clone();
        if let Some(stream) = &stream {
            self.check_stream(&holder, at_root, stream)?;
        }
        let from = match from_position {
            Some(from) => input::non_negative(from, "fromPosition")?,
            None => self.head(),
        };
        let sees_personal = viewer.sees_personal_data();
        let app = self.clone();
        let events = eventlog::subscribe(Arc::clone(&self.log), from)
            .map_err(Error::from)
            .try_filter_map(move |stored| {
                let app = app.clone();
                let holder = holder.clone();
                let stream = stream.clone();
                async move {
                    if stream.as_ref().is_some_and(|s| *s != stored.stream) {
                        return Ok(None);
                    }
                    if !at_root {
                        // Judged by the subtree journal index, once it holds the event.
                        app.reach(stored.position).await?;
                        if !app
                            .models
                            .statistics
                            .journal_concerns(holder.org_id, stored.position)
                        {
                            return Ok(None);
                        }
                    }
                    let earlier_membership = !at_root && app.of_earlier_membership(&stored);
                    let mut show = sees_personal
                        && !earlier_membership
                        && ConsultationId::from_stream(&stored.stream).is_none();
                    let subject = PersonId::from_stream(&stored.stream)
                        .map(|person| PersonalDataRead::of_person(holder.user_id, person))
                        .or_else(|| {
                            ApplicationId::from_stream(&stored.stream).map(|application| {
                                PersonalDataRead::of_application(holder.user_id, application)
                            })
                        });
                    if show
                        && matches!(stored.personal, Personal::Plain(_))
                        && let Some(read) = subject
                    {
                        // Recorded before it is sent; not recorded, not shown.
                        show = app.reads().record(vec![read]).await.is_ok();
                    }
                    Ok(Some(JournalEvent {
                        stored,
                        show_personal: Some(show),
                        earlier_membership,
                    }))
                }
            })
            .boxed();
        Ok(events)
    }

    /// Marks the events of earlier memberships on a page read from below the root.
    fn withhold_earlier_memberships(&self, at_root: bool, page: &mut Page<JournalEvent>) {
        if at_root {
            return;
        }
        for (_, event) in &mut page.items {
            event.earlier_membership = self.of_earlier_membership(&event.stored);
        }
    }

    /// Whether `stored` is an event of a person's stream recorded before the
    /// re-admission that opened their current (or last) membership.
    fn of_earlier_membership(&self, stored: &StoredEvent) -> bool {
        PersonId::from_stream(&stored.stream)
            .and_then(|person| self.models.registry.current_membership_from(person))
            .is_some_and(|from| stored.version < from)
    }

    /// Who may read the journal, and whether from the root.
    fn journal_reader<'v>(&self, viewer: &'v Viewer) -> Result<(&'v Holder, bool), Error> {
        let holder = viewer.holder()?;
        viewer.may(Action::ReadEvents)?;
        Ok((holder, self.is_root(holder.org_id)))
    }

    /// Whether the subject of `stream` is in the subtree of `holder`; `None` when
    /// the stream names nothing this registry knows.
    fn stream_within(&self, holder: &Holder, stream: &str) -> Option<bool> {
        let registry = &self.models.registry;
        let within = |org: OrgId| registry.within(org, holder.org_id);
        if let Some(org) = OrgId::from_stream(stream) {
            return registry.organization(org).map(|_| within(org));
        }
        if let Some(person) = PersonId::from_stream(stream) {
            return registry.member(person).map(|m| within(m.home));
        }
        if let Some(application) = ApplicationId::from_stream(stream) {
            return registry.application(application).map(|a| within(a.org_id));
        }
        if let Some(user) = UserId::from_stream(stream) {
            return self.models.access.holder(user).map(|h| within(h.org_id));
        }
        if let Some(number) = card_of(stream) {
            return registry
                .card(number)
                .and_then(|card| registry.member(card.holder))
                .map(|m| within(m.home));
        }
        None
    }

    /// Checks that `stream` may be read by `holder`.
    fn check_stream(&self, holder: &Holder, at_root: bool, stream: &str) -> Result<(), Error> {
        if at_root {
            return Ok(());
        }
        match self.stream_within(holder, stream) {
            Some(true) => Ok(()),
            Some(false) | None if stream == AUDIT_STREAM => {
                Err(Refusal::RootOnly("the audit trail's stream is read from the root only").into())
            }
            Some(false) => Err(Refusal::OutsideSubtree {
                action: Action::ReadEvents,
            }
            .into()),
            None => Err(Error::NotFound { what: "stream" }),
        }
    }
}

fn card_of(stream: &str) -> Option<CardNumber> {
    CardNumber::parse(stream.strip_prefix("card-")?).ok()
}

/// The journal's cursor of the event at `position`.
fn cursor(position: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("event:{position}"))
}

/// The position a journal cursor given as `field` names.
fn position_of(cursor: &str, field: &'static str) -> Result<u64, Error> {
    URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| text.strip_prefix("event:")?.parse().ok())
        .ok_or_else(|| Error::invalid(field, "the cursor is not one this list gave out"))
}

fn journal_page(
    page: Vec<StoredEvent>,
    has_previous_page: bool,
    has_next_page: bool,
    total_count: u64,
) -> Page<JournalEvent> {
    let items: Vec<(String, JournalEvent)> = page
        .into_iter()
        .map(|stored| {
            (
                cursor(stored.position),
                JournalEvent {
                    stored,
                    show_personal: None,
                    earlier_membership: false,
                },
            )
        })
        .collect();
    let end_cursor = items.last().map(|(cursor, _)| cursor.clone());
    let start_cursor = items.first().map(|(cursor, _)| cursor.clone());
    Page {
        items,
        has_next_page,
        has_previous_page,
        total_count,
        end_cursor,
        start_cursor,
    }
}
