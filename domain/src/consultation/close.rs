//! `CloseConsultation`: the thread is over.

use chrono::NaiveDate;

use crate::consultation::{Consultation, ConsultationEvent, ConsultationRefusal, existing};
use crate::ids::ConsultationId;

/// Close a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloseConsultation {
    /// The question.
    pub consultation_id: ConsultationId,
}

/// # Errors
/// [`ConsultationRefusal::NotFound`], [`ConsultationRefusal::Closed`].
pub(crate) fn decide(
    consultation: &Consultation,
    c: &CloseConsultation,
    today: NaiveDate,
) -> Result<Vec<ConsultationEvent>, ConsultationRefusal> {
    existing(consultation)?;
    if consultation.closed {
        return Err(ConsultationRefusal::Closed);
    }
    Ok(vec![ConsultationEvent::Closed {
        consultation_id: c.consultation_id,
        closed_on: today,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consultation::fixtures::{QUESTION, asked, closed, given};

    #[test]
    fn a_question_is_closed_once() {
        let close = CloseConsultation {
            consultation_id: QUESTION,
        };
        given([asked()]).when(close.clone()).then([closed()]);
        given([asked(), closed()])
            .when(close.clone())
            .then_err(ConsultationRefusal::Closed);
        given([])
            .when(close)
            .then_err(ConsultationRefusal::NotFound);
    }
}
