//! The projection runtime against a real log: catch-up, live, lag, rebuild.

use std::collections::BTreeMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use domain::event::{Event, PersonEvent};
use domain::ids::{OrgId, PersonId};
use eventlog::{
    AppendRequest, Appended, EventLog, ExpectedVersion, NewEvent, SqliteLog, StoredEvent, codec,
};
use parking_lot::Mutex;
use projections::error::Error;
use projections::runtime::{Applied, Projection, Projector};
use projections::snapshot::{self, Install, Section, SnapshotError};
use tempfile::TempDir;
use uuid::Uuid;

/// Counts events per type and remembers the last position it saw.
#[derive(Default)]
struct EventCounts {
    counts: Mutex<(BTreeMap<String, u64>, u64)>,
}

impl Projection for EventCounts {
    fn name(&self) -> &'static str {
        "event_counts"
    }

    fn apply(&self, events: &[Applied]) {
        let mut counts = self.counts.lock();
        for applied in events {
            assert!(
                applied.stored.position > counts.1,
                "events arrive in position order, once"
            );
            *counts
                .0
                .entry(applied.event.event_type().to_string())
                .or_default() += 1;
            counts.1 = applied.stored.position;
        }
    }

    fn digest(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.counts.lock().hash(&mut hasher);
        hasher.finish()
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        snapshot::save(self.name(), &*self.counts.lock(), out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let counts: (BTreeMap<String, u64>, u64) = snapshot::restore(self.name(), bytes)?;
        Ok(Box::new(move || *self.counts.lock() = counts))
    }
}

async fn transfer(log: &Arc<dyn EventLog>, person: PersonId, n: u64) {
    let event: Event = PersonEvent::Transferred {
        person_id: person,
        from_org: OrgId(Uuid::from_u128(u128::from(n % 2))),
        to_org: OrgId(Uuid::from_u128(u128::from(1 - n % 2))),
        effective_on: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
    }
    .into();
    let request = AppendRequest::single(
        event.stream(),
        ExpectedVersion::Any,
        vec![codec::encode(&event).unwrap()],
        "test",
    );
    log.append(request).await.unwrap();
}

fn projector(log: &Arc<dyn EventLog>) -> (Arc<EventCounts>, Projector) {
    let counts = Arc::new(EventCounts::default());
    let projection: Arc<dyn Projection> = counts.clone();
    (counts, Projector::new(Arc::clone(log), vec![projection], 0))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_projector_follows_the_log_and_equals_a_rebuild() {
    let dir = TempDir::new().unwrap();
    let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
    let person = PersonId(Uuid::new_v4());
    for n in 0..10_000 {
        transfer(&log, person, n).await;
    }
    let (live_counts, live) = projector(&log);
    assert_eq!(live.lag(), 10_000);
    assert_eq!(live.catch_up().await.unwrap(), 10_000);
    assert_eq!(live.lag(), 0);
    assert_eq!(live.applied(), 10_000);

    let live = Arc::new(live);
    let mut checkpoint = live.checkpoint();
    let running = tokio::spawn({
        let live = Arc::clone(&live);
        async move { live.run().await }
    });
    for n in 0..500 {
        transfer(&log, person, n).await;
    }
    tokio::time::timeout(
        Duration::from_secs(10),
        checkpoint.wait_for(|&c| c == 10_500),
    )
    .await
    .expect("the live projector reaches the head")
    .unwrap();
    assert_eq!(live.lag(), 0);
    assert_eq!(live.applied(), 10_500, "each event applied once");

    let (rebuilt_counts, rebuilt) = projector(&log);
    assert_eq!(rebuilt.catch_up().await.unwrap(), 10_500);
    assert_eq!(live_counts.digest(), rebuilt_counts.digest());
    assert_eq!(live.digests(), rebuilt.digests());
    assert_eq!(
        rebuilt_counts.counts.lock().0.get("MemberTransferred"),
        Some(&10_500)
    );

    log.shutdown().await.unwrap();
    running.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_this_code_cannot_read_stops_the_projector_at_its_position() {
    let dir = TempDir::new().unwrap();
    let log: Arc<dyn EventLog> = Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
    let person = PersonId(Uuid::new_v4());
    transfer(&log, person, 0).await;
    let unknown = NewEvent {
        event_id: Uuid::now_v7(),
        event_type: "MemberLevitated".into(),
        schema_version: 1,
        effective_on: None,
        payload: "{}".into(),
        personal: None,
    };
    log.append(AppendRequest::single(
        person.stream(),
        ExpectedVersion::Any,
        vec![unknown],
        "test",
    ))
    .await
    .unwrap();
    let (_, projector) = projector(&log);
    match projector.catch_up().await {
        Err(Error::Decode { position, .. }) => assert_eq!(position, 2),
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(
        *projector.checkpoint().borrow(),
        0,
        "nothing of the failed batch counts as applied"
    );
}

/// A log whose reader loses one position (or repeats one): what a backend that
/// read past an uncommitted event would hand over.
struct FaultyReader {
    log: Arc<dyn EventLog>,
    fault: Fault,
}

#[derive(Clone, Copy)]
enum Fault {
    Skip(u64),
    Repeat(u64),
}

#[async_trait::async_trait]
impl EventLog for FaultyReader {
    async fn append(&self, request: AppendRequest) -> Result<Appended, eventlog::Error> {
        self.log.append(request).await
    }
    async fn read_stream(
        &self,
        stream: &str,
        after_version: u64,
    ) -> Result<Vec<StoredEvent>, eventlog::Error> {
        self.log.read_stream(stream, after_version).await
    }
    async fn read_batch(
        &self,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, eventlog::Error> {
        let mut batch = self.log.read_batch(after, limit).await?;
        match self.fault {
            Fault::Skip(position) => batch.retain(|e| e.position != position),
            Fault::Repeat(position) => {
                if let Some(at) = batch.iter().position(|e| e.position == position) {
                    let again = self.log.read_batch(position - 1, 1).await?;
                    batch.splice(at..at, again);
                }
            }
        }
        Ok(batch)
    }
    async fn find_command(&self, command_id: Uuid) -> Result<Option<Appended>, eventlog::Error> {
        self.log.find_command(command_id).await
    }
    fn head(&self) -> tokio::sync::watch::Receiver<u64> {
        self.log.head()
    }
    async fn shutdown(&self) -> Result<(), eventlog::Error> {
        self.log.shutdown().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skipped_or_repeated_position_stops_the_projector_before_it() {
    // Expected next, and what came instead.
    for (fault, out_of_order) in [(Fault::Skip(7), (7, 8)), (Fault::Repeat(7), (8, 7))] {
        let dir = TempDir::new().unwrap();
        let log: Arc<dyn EventLog> =
            Arc::new(SqliteLog::open(dir.path().join("log.sqlite")).unwrap());
        let person = PersonId(Uuid::new_v4());
        for n in 0..10 {
            transfer(&log, person, n).await;
        }
        let faulty: Arc<dyn EventLog> = Arc::new(FaultyReader {
            log: Arc::clone(&log),
            fault,
        });
        let (counts, projector) = projector(&faulty);
        match projector.catch_up().await {
            Err(Error::OutOfOrder {
                expected,
                found: came,
            }) => {
                assert_eq!((expected, came), out_of_order);
            }
            other => panic!("expected an out-of-order error, got {other:?}"),
        }
        assert_eq!(
            *projector.checkpoint().borrow(),
            0,
            "the faulty batch is not applied"
        );
        assert_eq!(projector.applied(), 0);
        assert!(counts.counts.lock().0.is_empty());
    }
}
