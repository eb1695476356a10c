//! Consultations: every question asked of a region's service, its thread
//! of answers, whether it is closed and published; by region (the desk) and
//! by asker (the cabinet).
//!
//! Who asked and what is in the events' sealed part: once the asker is
//! erased their questions keep only where and when they were asked, live
//! (on `PersonalDataErased`) as after a rebuild (the key is gone). Who may
//! read which question is not decided here (`app`).

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use chrono::NaiveDate;
use domain::consultation::{Asked, Asker, ConsultationEvent, Service};
use domain::event::{Event, PersonEvent};
use domain::ids::{ConsultationId, DocumentId, OrgId, PersonId};
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::runtime::{Applied, Projection};
use crate::snapshot::{self, Install, Section, SnapshotError};

/// A question and its thread.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConsultationView {
    /// The question.
    pub consultation_id: ConsultationId,
    /// The regional organisation it is addressed to.
    pub region_id: OrgId,
    /// Which service.
    pub service: Service,
    /// The day it was asked.
    pub asked_on: NaiveDate,
    /// Who asked and what; `None` once the asker was erased.
    #[serde(with = "crate::snapshot::as_json")]
    pub asked: Option<Asked>,
    /// The service's messages, oldest first.
    pub answers: Vec<AnswerView>,
    /// The day it was closed.
    pub closed_on: Option<NaiveDate>,
    /// Its library document and the day, once published.
    pub published: Option<(DocumentId, NaiveDate)>,
    /// Events in its stream.
    pub stream_version: u64,
}

impl ConsultationView {
    /// Whether the service has answered it.
    pub fn answered(&self) -> bool {
        !self.answers.is_empty()
    }
}

/// One message of the service.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AnswerView {
    /// 1, 2, …
    pub message: u32,
    /// The day.
    pub on: NaiveDate,
    /// The text; `None` once the asker was erased.
    pub text: Option<String>,
}

#[derive(Default, Serialize, Deserialize)]
struct Model {
    questions: HashMap<ConsultationId, ConsultationView>,
    /// Each member's questions.
    by_member: HashMap<PersonId, BTreeSet<ConsultationId>>,
}

/// The consultations read model.
#[derive(Default)]
pub struct Consultations {
    model: RwLock<Model>,
}

impl Consultations {
    /// No questions yet.
    pub fn new() -> Consultations {
        Consultations::default()
    }

    /// The question `id`.
    pub fn question(&self, id: ConsultationId) -> Option<ConsultationView> {
        self.model.read().questions.get(&id).cloned()
    }

    /// Every question `keep` admits, newest first (ids are time-ordered).
    pub fn questions_where(
        &self,
        keep: impl Fn(&ConsultationView) -> bool,
    ) -> Vec<ConsultationView> {
        let model = self.model.read();
        let mut found: Vec<ConsultationView> = model
            .questions
            .values()
            .filter(|q| keep(q))
            .cloned()
            .collect();
        found.sort_by_key(|q| std::cmp::Reverse(q.consultation_id));
        found
    }

    /// The questions `person` asked (none once erased).
    pub fn asked_by_member(&self, person: PersonId) -> Vec<ConsultationId> {
        self.model
            .read()
            .by_member
            .get(&person)
            .map(|ids| ids.iter().copied().collect())
            .unwrap_or_default()
    }
}

impl Model {
    fn apply(&mut self, applied: &Applied) {
        match &applied.event {
            Event::Consultation(event) => self.apply_question(event, applied.stored.version),
            Event::Person(PersonEvent::PersonalDataErased { person_id, .. }) => {
                for id in self.by_member.remove(person_id).unwrap_or_default() {
                    if let Some(question) = self.questions.get_mut(&id) {
                        question.asked = None;
                        for answer in &mut question.answers {
                            answer.text = None;
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn apply_question(&mut self, event: &ConsultationEvent, version: u64) {
        let id = event.consultation_id();
        if let ConsultationEvent::Asked {
            region_id,
            service,
            asked_on,
            personal,
            ..
        } = event
        {
            if let Some(Asked {
                asker: Asker::Member(person),
                ..
            }) = personal
            {
                self.by_member.entry(*person).or_default().insert(id);
            }
            self.questions.insert(
                id,
                ConsultationView {
                    consultation_id: id,
                    region_id: *region_id,
                    service: *service,
                    asked_on: *asked_on,
                    asked: personal.clone(),
                    answers: Vec::new(),
                    closed_on: None,
                    published: None,
                    stream_version: version,
                },
            );
            return;
        }
        let Some(question) = self.questions.get_mut(&id) else {
            return;
        };
        question.stream_version = version;
        match event {
            ConsultationEvent::Answered {
                message,
                answered_on,
                personal,
                ..
            } => question.answers.push(AnswerView {
                message: *message,
                on: *answered_on,
                text: personal.clone(),
            }),
            ConsultationEvent::Closed { closed_on, .. } => question.closed_on = Some(*closed_on),
            ConsultationEvent::Published {
                document_id,
                published_on,
                ..
            } => question.published = Some((*document_id, *published_on)),
            ConsultationEvent::Asked { .. } => {}
        }
    }
}

impl Projection for Consultations {
    fn name(&self) -> &'static str {
        "consultations"
    }

    fn apply(&self, events: &[Applied]) {
        for slice in events.chunks(crate::runtime::APPLY_SLICE) {
            let mut model = self.model.write();
            for applied in slice {
                model.apply(applied);
            }
        }
    }

    fn digest(&self) -> u64 {
        let model = self.model.read();
        let mut questions: Vec<&ConsultationView> = model.questions.values().collect();
        questions.sort_by_key(|q| q.consultation_id);
        let mut hasher = DefaultHasher::new();
        questions.hash(&mut hasher);
        let mut members: Vec<_> = model.by_member.iter().collect();
        members.sort();
        members.hash(&mut hasher);
        hasher.finish()
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        snapshot::save(self.name(), &*self.model.read(), out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let model: Model = snapshot::restore(self.name(), bytes)?;
        Ok(Box::new(move || *self.model.write() = model))
    }
}
