//! Snapshots through the projector against a real log: written, restored
//! and folded on from, equal to a rebuild; refused when damaged, of another
//! build or of another log; deleted before an erasure is applied; written on
//! the projector's own once caught up.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use domain::event::{Event, PersonEvent};
use domain::ids::{OrgId, PersonId};
use eventlog::snapshot_key::SnapshotKey;
use eventlog::vault::KeyEncryptionKey;
use eventlog::{AppendRequest, EventLog, ExpectedVersion, SqliteLog, codec};
use parking_lot::Mutex;
use projections::runtime::{Applied, Projection, Projector};
use projections::snapshot::{self, Install, Section, SnapshotError, SnapshotStore};
use tempfile::TempDir;
use uuid::Uuid;

/// Events per type, and the last position: a model whose state says what it folded.
#[derive(Default)]
struct Counts(Mutex<(BTreeMap<String, u64>, u64)>);

impl Projection for Counts {
    fn name(&self) -> &'static str {
        "counts"
    }

    fn apply(&self, events: &[Applied]) {
        let mut counts = self.0.lock();
        for applied in events {
            *counts
                .0
                .entry(applied.event.event_type().into())
                .or_default() += 1;
            counts.1 = applied.stored.position;
        }
    }

    fn digest(&self) -> u64 {
        let counts = self.0.lock();
        counts.0.values().sum::<u64>() * 1_000_003 + counts.1
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        snapshot::save(self.name(), &*self.0.lock(), out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let counts: (BTreeMap<String, u64>, u64) = snapshot::restore(self.name(), bytes)?;
        Ok(Box::new(move || *self.0.lock() = counts))
    }
}

async fn append(log: &Arc<dyn EventLog>, event: Event) {
    let request = AppendRequest::single(
        event.stream(),
        ExpectedVersion::Any,
        vec![codec::encode(&event).unwrap()],
        "test",
    );
    log.append(request).await.unwrap();
}

async fn erase(log: &Arc<dyn EventLog>, person: PersonId) {
    let erasure = PersonEvent::PersonalDataErased {
        person_id: person,
        basis: None,
        erased_on: NaiveDate::from_ymd_opt(2024, 2, 1).unwrap(),
    };
    append(log, erasure.into()).await;
}

async fn transfers(log: &Arc<dyn EventLog>, person: PersonId, n: u64) {
    for i in 0..n {
        append(
            log,
            PersonEvent::Transferred {
                person_id: person,
                from_org: OrgId(Uuid::from_u128(u128::from(i % 2))),
                to_org: OrgId(Uuid::from_u128(u128::from(1 - i % 2))),
                effective_on: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
            }
            .into(),
        )
        .await;
    }
}

fn open_log(dir: &Path, name: &str) -> Arc<dyn EventLog> {
    Arc::new(SqliteLog::open(dir.join(name).join("log.sqlite")).unwrap())
}

fn projector(log: &Arc<dyn EventLog>, store: &SnapshotStore) -> (Arc<Counts>, Projector) {
    let counts = Arc::new(Counts::default());
    let projection: Arc<dyn Projection> = counts.clone();
    let projector =
        Projector::new(Arc::clone(log), vec![projection], 0).with_snapshots(store.clone());
    (counts, projector)
}

fn rebuilt(log: &Arc<dyn EventLog>) -> Projector {
    let projection: Arc<dyn Projection> = Arc::new(Counts::default());
    Projector::new(Arc::clone(log), vec![projection], 0)
}

fn store(dir: &Path, kek: &KeyEncryptionKey) -> SnapshotStore {
    SnapshotStore::new(dir.join("snapshots"), SnapshotKey::derive(kek))
}

/// A log of `n` transfers of one person in a new directory, and a store beside it.
async fn given(n: u64) -> (TempDir, Arc<dyn EventLog>, SnapshotStore, PersonId) {
    let dir = TempDir::new().unwrap();
    let log = open_log(dir.path(), "a");
    let store = store(dir.path(), &KeyEncryptionKey::generate());
    let person = PersonId(Uuid::new_v4());
    transfers(&log, person, n).await;
    (dir, log, store, person)
}

/// What a test does to a snapshot file.
type Damage = Box<dyn Fn(&Path)>;

fn flip(path: &Path, at: usize) {
    let mut bytes = std::fs::read(path).unwrap();
    bytes[at] ^= 0x40;
    std::fs::write(path, bytes).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_from_the_snapshot_folds_the_tail_and_equals_a_rebuild() {
    let (dir, log, store, person) = given(1_000).await;

    // What a write killed half way leaves behind is deleted at the next start.
    std::fs::create_dir_all(store.path().parent().unwrap()).unwrap();
    let left = store.path().with_extension("snapshot.4242.half");
    std::fs::write(&left, b"half a snapshot").unwrap();
    let (_, first) = projector(&log, &store);
    assert_eq!(first.restore().await, None, "no snapshot yet");
    assert!(!left.exists(), "a half-written file is swept at the start");
    assert_eq!(first.catch_up().await.unwrap(), 1_000);
    assert_eq!(first.snapshot().await.unwrap(), Some(1_000));
    assert!(store.path().exists());
    assert_eq!(first.snapshot().await.unwrap(), None, "nothing new since");

    transfers(&log, person, 200).await;
    let (counts, second) = projector(&log, &store);
    assert_eq!(second.restore().await, Some(1_000));
    assert_eq!(second.restored_from(), 1_000);
    assert_eq!(
        counts.0.lock().1,
        1_000,
        "the model as the snapshot holds it"
    );
    assert_eq!(second.catch_up().await.unwrap(), 1_200);
    assert_eq!(second.applied(), 200, "only the tail is folded");
    let full = rebuilt(&log);
    full.catch_up().await.unwrap();
    assert_eq!(second.digests(), full.digests());

    // Another key file opens no snapshot: refused, deleted, folded from 0.
    let stranger = self::store(dir.path(), &KeyEncryptionKey::generate());
    let (_, third) = projector(&log, &stranger);
    assert_eq!(third.restore().await, None);
    assert!(
        !store.path().exists(),
        "a snapshot that does not open is deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_stale_or_foreign_snapshot_is_deleted_and_the_log_folded_from_zero() {
    let (dir, log, store, person) = given(300).await;
    let write = async || {
        let (_, projector) = projector(&log, &store);
        projector.catch_up().await.unwrap();
        projector.snapshot().await.unwrap();
    };
    // A byte changed in the models' bytes, in the fingerprint (another
    // build), or the file cut short.
    let damages: [(&str, Damage); 3] = [
        ("models", Box::new(|path| flip(path, 120))),
        ("fingerprint", Box::new(|path| flip(path, 12))),
        (
            "cut",
            Box::new(|path| {
                let bytes = std::fs::read(path).unwrap();
                std::fs::write(path, &bytes[..bytes.len() - 5]).unwrap();
            }),
        ),
    ];
    for (what, damage) in damages {
        write().await;
        damage(&store.path());
        let (counts, projector) = projector(&log, &store);
        assert_eq!(projector.restore().await, None, "{what}");
        assert_eq!(counts.0.lock().1, 0, "{what}: nothing restored");
        assert!(!store.path().exists(), "{what}: deleted");
        assert_eq!(projector.catch_up().await.unwrap(), 300, "{what}");
        assert_eq!(projector.applied(), 300, "{what}: folded from 0");
    }

    // A snapshot of another log with the same key file (a copy of the
    // directory beside another log): the event at its position differs.
    write().await;
    let other = open_log(dir.path(), "b");
    transfers(&other, person, 400).await;
    let (_, foreign) = projector(&other, &store);
    assert_eq!(foreign.restore().await, None, "another log");
    // One that an erasure in the log follows (by another node, or a start
    // without snapshots): its models would show what the erasure removed.
    write().await;
    erase(&log, person).await;
    transfers(&log, person, 5).await;
    let (counts, erased) = projector(&log, &store);
    assert_eq!(erased.restore().await, None, "an erasure follows it");
    assert_eq!(counts.0.lock().1, 0);
    assert!(!store.path().exists());
    // And one past the head of a log restored to an earlier state.
    write().await;
    let short = open_log(dir.path(), "c");
    transfers(&short, person, 10).await;
    let (_, restored) = projector(&short, &store);
    assert_eq!(restored.restore().await, None, "past the head");
}

/// Notes, as it applies an erasure, whether the snapshot file is there.
struct Witness {
    path: std::path::PathBuf,
    seen: Mutex<Vec<bool>>,
}

impl Projection for Witness {
    fn name(&self) -> &'static str {
        "witness"
    }

    fn apply(&self, events: &[Applied]) {
        for applied in events {
            if matches!(
                applied.event,
                Event::Person(PersonEvent::PersonalDataErased { .. })
            ) {
                self.seen.lock().push(self.path.exists());
            }
        }
    }

    fn digest(&self) -> u64 {
        0
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        snapshot::save(self.name(), &(), out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        snapshot::restore::<()>(self.name(), bytes)?;
        Ok(Box::new(|| {}))
    }
}

/// The position of the snapshot in `store` for `projections`, as a start reads it (0: none).
async fn snapshot_at(
    log: &Arc<dyn EventLog>,
    store: &SnapshotStore,
    projections: Vec<Arc<dyn Projection>>,
) -> u64 {
    let (log, store) = (Arc::clone(log), store.clone());
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || store.load(&projections, &*log, &runtime))
        .await
        .unwrap()
        .ok()
        .flatten()
        .map_or(0, |loaded| loaded.position)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_deletes_the_snapshot_before_it_is_applied_and_caught_up_the_projector_writes_one()
 {
    let (_dir, log, store, person) = given(250).await;
    let store = store.with_cadence(100, Duration::ZERO);
    let models = || -> (Arc<Witness>, Vec<Arc<dyn Projection>>) {
        let witness = Arc::new(Witness {
            path: store.path(),
            seen: Mutex::new(Vec::new()),
        });
        let counts: Arc<dyn Projection> = Arc::new(Counts::default());
        (witness.clone(), vec![counts, witness])
    };
    let (witness, projections) = models();
    let projector =
        Arc::new(Projector::new(Arc::clone(&log), projections, 0).with_snapshots(store.clone()));
    let mut checkpoint = projector.checkpoint();
    let running = tokio::spawn({
        let projector = Arc::clone(&projector);
        async move { projector.run().await }
    });
    checkpoint.wait_for(|&at| at == 250).await.unwrap();
    let written = async |position: u64| {
        for _ in 0..400 {
            if snapshot_at(&log, &store, models().1).await >= position {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("no snapshot at {position} or later");
    };
    // Caught up after 100 events or more: it writes one on its own.
    written(250).await;

    erase(&log, person).await;
    checkpoint.wait_for(|&at| at == 251).await.unwrap();
    assert_eq!(
        *witness.seen.lock(),
        [false],
        "the snapshot was gone when the erasure was applied"
    );
    // Written again once caught up: an erasure makes one due whatever the count.
    written(251).await;
    log.shutdown().await.unwrap();
    running.await.unwrap().unwrap();
}
