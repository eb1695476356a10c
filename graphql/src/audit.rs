//! Recording reads of personal data before the answer leaves (DESIGN.md §4).
//!
//! A request that showed personal data awaits [`ReadRecorder::record`]; the
//! recorder's task appends the reads of every request waiting at that moment
//! as one `PersonalDataRead` event (group commit), then releases them all. So
//! no personal data is shown unless its read is durable in the log, at the cost
//! of one shared commit per burst of requests.

use std::sync::Arc;

use domain::audit::{PersonalDataRead, record_reads};
use domain::event::Event;
use eventlog::{AppendRequest, EventLog, ExpectedVersion, StreamAppend, codec};
use tokio::sync::{mpsc, oneshot};

use crate::error::ApiError;

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
    /// Starts the recording task on `log`.
    pub fn start(log: Arc<dyn EventLog>) -> ReadRecorder {
        let (queue, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(run(log, receiver));
        ReadRecorder { queue }
    }

    /// Returns once `reads` are durable in the log.
    ///
    /// # Errors
    /// [`ApiError::Internal`] when they could not be recorded: the caller must
    /// then not show the data.
    pub async fn record(&self, reads: Vec<PersonalDataRead>) -> Result<(), ApiError> {
        if reads.is_empty() {
            return Ok(());
        }
        let (done, recorded) = oneshot::channel();
        self.queue
            .send((reads, done))
            .await
            .map_err(|_| ApiError::Internal("the audit recorder stopped".into()))?;
        match recorded.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(ApiError::Internal(format!(
                "recording the read of personal data failed: {error}"
            ))),
            Err(_) => Err(ApiError::Internal("the audit recorder stopped".into())),
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

async fn run(log: Arc<dyn EventLog>, mut queue: mpsc::Receiver<(Vec<PersonalDataRead>, Waiter)>) {
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

async fn append(log: &Arc<dyn EventLog>, reads: Vec<PersonalDataRead>) -> Result<(), String> {
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
