//! Workloads measured on this machine: the criterion benches in `benches/` and
//! the `reestr bench` scenarios run the same code, so their figures compare.
//!
//! - [`append_transfers`]: durable single-event commands from concurrent writers.
//! - [`api`]: load on the GraphQL API over HTTP from concurrent clients.
//! - [`pages`]: the server time of each web page, one request at a time.

pub mod api;
pub mod pages;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::NaiveDate;
use domain::event::{Event, PersonEvent};
use domain::ids::{OrgId, PersonId};
use eventlog::{AppendRequest, Error, EventLog, ExpectedVersion, codec};
use uuid::Uuid;

/// Members each writer transfers back and forth: enough that streams vary.
pub const MEMBERS_PER_WRITER: usize = 256;

/// An acknowledged append: its position and event id.
pub type Acknowledged = (u64, Uuid);

/// Appends `total` single-event commands from `writers` concurrent tasks. Each
/// command transfers one of the writer's own members with the member's exact
/// expected version, as the command path does. `on_ack` sees every
/// acknowledgement as it arrives (the crash test prints them).
///
/// # Errors
/// The first append that fails.
pub async fn append_transfers(
    log: Arc<dyn EventLog>,
    writers: usize,
    total: u64,
    on_ack: impl Fn(Acknowledged) + Send + Sync + 'static,
) -> Result<(), Error> {
    let next = Arc::new(AtomicU64::new(0));
    let on_ack = Arc::new(on_ack);
    let mut tasks = Vec::with_capacity(writers);
    for _ in 0..writers.max(1) {
        let (log, next, on_ack) = (Arc::clone(&log), Arc::clone(&next), Arc::clone(&on_ack));
        tasks.push(tokio::spawn(async move {
            let mut writer = TransferWriter::new();
            while next.fetch_add(1, Ordering::Relaxed) < total {
                on_ack(writer.append_one(log.as_ref()).await?);
            }
            Ok::<(), Error>(())
        }));
    }
    for task in tasks {
        task.await.map_err(|_| Error::Closed)??;
    }
    Ok(())
}

/// One writer's members and their stream versions.
struct TransferWriter {
    members: Vec<PersonId>,
    homes: [OrgId; 2],
    versions: HashMap<PersonId, u64>,
    n: usize,
}

impl TransferWriter {
    fn new() -> TransferWriter {
        TransferWriter {
            members: (0..MEMBERS_PER_WRITER)
                .map(|_| PersonId(Uuid::new_v4()))
                .collect(),
            homes: [OrgId(Uuid::new_v4()), OrgId(Uuid::new_v4())],
            versions: HashMap::new(),
            n: 0,
        }
    }

    async fn append_one(&mut self, log: &dyn EventLog) -> Result<Acknowledged, Error> {
        let person_id = self.members[self.n % self.members.len()];
        self.n += 1;
        let version = self.versions.entry(person_id).or_insert(0);
        let from = (*version % 2) as usize;
        let event: Event = PersonEvent::Transferred {
            person_id,
            from_org: self.homes[from],
            to_org: self.homes[1 - from],
            effective_on: NaiveDate::from_ymd_opt(2025, 9, 1).unwrap_or_default(),
        }
        .into();
        let expected = match *version {
            0 => ExpectedVersion::NoStream,
            v => ExpectedVersion::Exact(v),
        };
        let new_event = codec::encode(&event)?;
        let event_id = new_event.event_id;
        let request = AppendRequest::single(event.stream(), expected, vec![new_event], "bench");
        let appended = log.append(request).await?;
        *version += 1;
        Ok((appended.last_position, event_id))
    }
}
