//! `PublishConsultation`: an answered question goes to the library as a
//! document (the document's own `DocumentUploaded` is the library's
//! decision, appended with this one).

use chrono::NaiveDate;

use crate::consultation::{Consultation, ConsultationEvent, ConsultationRefusal, existing};
use crate::ids::{ConsultationId, DocumentId};

/// Publish a question and its answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishConsultation {
    /// The question.
    pub consultation_id: ConsultationId,
    /// The library document it becomes.
    pub document_id: DocumentId,
}

/// # Errors
/// [`ConsultationRefusal::NotFound`]; [`ConsultationRefusal::NotPublishable`]
/// for a question with no answer or published already.
pub(crate) fn decide(
    consultation: &Consultation,
    c: &PublishConsultation,
    today: NaiveDate,
) -> Result<Vec<ConsultationEvent>, ConsultationRefusal> {
    existing(consultation)?;
    if consultation.answers == 0 || consultation.published.is_some() {
        return Err(ConsultationRefusal::NotPublishable);
    }
    Ok(vec![ConsultationEvent::Published {
        consultation_id: c.consultation_id,
        document_id: c.document_id,
        published_on: today,
    }])
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::consultation::fixtures::{QUESTION, answered, asked, closed, given};
    use crate::testing::today;

    #[test]
    fn only_an_answered_question_is_published_once() {
        let publish = PublishConsultation {
            consultation_id: QUESTION,
            document_id: DocumentId(Uuid::from_u128(9)),
        };
        given([asked()])
            .when(publish.clone())
            .then_err(ConsultationRefusal::NotPublishable);
        let published = ConsultationEvent::Published {
            consultation_id: QUESTION,
            document_id: publish.document_id,
            published_on: today(),
        };
        let state = given([asked(), answered(1), closed()])
            .when(publish.clone())
            .then([published.clone()]);
        assert_eq!(state.published, Some(publish.document_id));
        given([asked(), answered(1), published])
            .when(publish)
            .then_err(ConsultationRefusal::NotPublishable);
    }
}
