//! Recording reads of personal data before the answer leaves (DESIGN.md §4).
//!
//! A front door opens [`PersonalReads`] for each request (a GraphQL
//! operation, a page, a file), shows personal data only after
//! [`PersonalReads::show`] noted it, and awaits [`PersonalReads::record`]
//! before its answer leaves: not recorded, not shown. The [`ReadRecorder`]
//! behind it appends the reads of every request waiting at that moment as one
//! `PersonalDataRead` event (group commit), then releases them all, so a read
//! costs one shared commit per burst of requests.

use std::collections::HashSet;

use domain::audit::{DataSubject, PersonalDataRead, record_reads};
use domain::event::Event;
use domain::ids::{ApplicationId, PersonId};
use eventlog::{AppendRequest, ExpectedVersion, StreamAppend, codec};
use parking_lot::Mutex;
use tokio::sync::{mpsc, oneshot};

use crate::error::{Error, Refusal};
use crate::guard::Viewer;
use crate::timing::Appender;

/// The envelope's actor of audit events: the server itself records them.
pub const AUDIT_ACTOR: &str = "audit";

/// Reads waiting beyond this make new requests wait for room: the log is the
/// bottleneck then, and queueing more only adds memory.
const QUEUE: usize = 4096;

type Waiter = oneshot::Sender<Result<(), String>>;

/// Appends personal-data reads to the log, many requests per event.
#[derive(Clone)]
pub struct ReadRecorder {
    queue: mpsc::Sender<(Vec<PersonalDataRead>, Waiter)>,
}

impl ReadRecorder {
    /// Starts the recording task, appending through `log`.
    pub fn start(log: Appender) -> ReadRecorder {
        let (queue, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(run(log, receiver));
        ReadRecorder { queue }
    }

    /// Returns once `reads` are durable in the log.
    ///
    /// # Errors
    /// [`Error::Internal`] when they could not be recorded: the caller must
    /// then not show the data.
    pub async fn record(&self, reads: Vec<PersonalDataRead>) -> Result<(), Error> {
        if reads.is_empty() {
            return Ok(());
        }
        let (done, recorded) = oneshot::channel();
        self.queue
            .send((reads, done))
            .await
            .map_err(|_| Error::Internal("the audit recorder stopped".into()))?;
        match recorded.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(Error::Internal(format!(
                "recording the read of personal data failed: {error}"
            ))),
            Err(_) => Err(Error::Internal("the audit recorder stopped".into())),
        }
    }

    /// Returns once every read queued before the call is recorded.
    pub async fn flush(&self) {
        // An empty entry still passes through the queue, so it returns after
        // everything ahead of it.
        let (done, recorded) = oneshot::channel();
        if self.queue.send((Vec::new(), done)).await.is_ok() {
            let _ = recorded.await;
        }
    }
}

async fn run(log: Appender, mut queue: mpsc::Receiver<(Vec<PersonalDataRead>, Waiter)>) {
    while let Some(first) = queue.recv().await {
        let mut waiting = vec![first];
        while let Ok(next) = queue.try_recv() {
            waiting.push(next);
        }
        let reads: Vec<PersonalDataRead> = waiting
            .iter()
            .flat_map(|(reads, _)| reads.iter().copied())
            .collect();
        let outcome = append(&log, reads).await;
        for (_, waiter) in waiting {
            let _ = waiter.send(outcome.clone());
        }
    }
}

async fn append(log: &Appender, reads: Vec<PersonalDataRead>) -> Result<(), String> {
    let Some(event) = record_reads(reads) else {
        return Ok(());
    };
    let event = Event::from(event);
    let encoded = codec::encode(&event).map_err(|e| e.to_string())?;
    let request = AppendRequest {
        streams: vec![StreamAppend {
            stream: event.stream(),
            expected: ExpectedVersion::Any,
            events: vec![encoded],
        }],
        actor: AUDIT_ACTOR.into(),
        ..AppendRequest::default()
    };
    log.append(request)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The personal-data reads of one request, noted as it is answered and
/// recorded before the answer leaves. Shared by the request's resolvers (or a
/// page's parts): noting takes `&self`.
pub struct PersonalReads {
    viewer: Viewer,
    subjects: Mutex<HashSet<DataSubject>>,
    recorder: ReadRecorder,
}

impl PersonalReads {
    /// The reads of a request by `viewer`, to be recorded by `recorder`.
    pub fn new(viewer: Viewer, recorder: ReadRecorder) -> PersonalReads {
        PersonalReads {
            viewer,
            subjects: Mutex::new(HashSet::new()),
            recorder,
        }
    }

    /// The viewer these reads are of.
    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }

    /// Checks that the viewer may see personal data and notes that `person`'s
    /// is shown. Call it before showing any personal field.
    ///
    /// # Errors
    /// `FORBIDDEN` for a viewer who may not see personal data (nulls are not
    /// enough: an ANALYST asking for a name is refused).
    pub fn show(&self, person: PersonId) -> Result<(), Error> {
        self.note(DataSubject::Person(person))
    }

    /// As [`PersonalReads::show`], for the applicant's data of `application`
    /// (names in lists of applications, the journal of its stream).
    ///
    /// # Errors
    /// As [`PersonalReads::show`].
    pub fn show_application(&self, application: ApplicationId) -> Result<(), Error> {
        self.note(DataSubject::Application(application))
    }

    fn note(&self, subject: DataSubject) -> Result<(), Error> {
        let allowed = match subject {
            DataSubject::Person(person) => self.viewer.sees_personal_data_of(person),
            DataSubject::Application(_) => self.viewer.sees_personal_data(),
        };
        if !allowed {
            return Err(Refusal::PersonalData.into());
        }
        self.subjects.lock().insert(subject);
        Ok(())
    }

    /// Records every read noted so far (and forgets them); returns once they
    /// are durable. Nothing noted: returns at once.
    ///
    /// # Errors
    /// [`Error::Internal`] when they could not be recorded: the answer that
    /// showed them must then be withheld.
    pub async fn record(&self) -> Result<(), Error> {
        let subjects: Vec<DataSubject> = self.subjects.lock().drain().collect();
        if subjects.is_empty() {
            return Ok(());
        }
        // A member reading their own record is recorded under their person
        // id as the reader's id: the trail shows who read, members included.
        let reader = match &self.viewer {
            Viewer::Holder(holder) => holder.user_id,
            Viewer::Member(person) => domain::ids::UserId(person.0),
            _ => return Err(Error::internal("no token holder to record the read for")),
        };
        let reads = subjects
            .into_iter()
            .map(|subject| PersonalDataRead {
                viewer: reader,
                subject,
            })
            .collect();
        self.recorder.record(reads).await
    }
}
