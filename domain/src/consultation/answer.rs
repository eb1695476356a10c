//! `AnswerConsultation`: the service's next message in the thread.

use chrono::NaiveDate;

use crate::consultation::{
    Consultation, ConsultationEvent, ConsultationRefusal, MAX_MESSAGE, bounded, existing,
};
use crate::ids::ConsultationId;

/// Answer a question (one more message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnswerConsultation {
    /// The question.
    pub consultation_id: ConsultationId,
    /// The answer.
    pub text: String,
}

/// # Errors
/// [`ConsultationRefusal::NotFound`], [`ConsultationRefusal::Closed`],
/// [`ConsultationRefusal::Text`].
pub(crate) fn decide(
    consultation: &Consultation,
    c: &AnswerConsultation,
    today: NaiveDate,
) -> Result<Vec<ConsultationEvent>, ConsultationRefusal> {
    existing(consultation)?;
    if consultation.closed {
        return Err(ConsultationRefusal::Closed);
    }
    bounded(&c.text, MAX_MESSAGE, ConsultationRefusal::Text)?;
    Ok(vec![ConsultationEvent::Answered {
        consultation_id: c.consultation_id,
        message: consultation.answers + 1,
        answered_on: today,
        personal: Some(c.text.trim().to_string()),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consultation::fixtures::{QUESTION, answered, asked, closed, given};

    fn answer() -> AnswerConsultation {
        AnswerConsultation {
            consultation_id: QUESTION,
            text: " По статье 152 ТК РФ. ".into(),
        }
    }

    #[test]
    fn answers_are_numbered_in_the_thread() {
        given([asked()]).when(answer()).then([answered(1)]);
        let state = given([asked(), answered(1)])
            .when(answer())
            .then([answered(2)]);
        assert_eq!(state.answers, 2);
    }

    #[test]
    fn a_closed_or_unknown_question_takes_no_answer() {
        given([])
            .when(answer())
            .then_err(ConsultationRefusal::NotFound);
        given([asked(), closed()])
            .when(answer())
            .then_err(ConsultationRefusal::Closed);
        let blank = AnswerConsultation {
            text: " ".into(),
            ..answer()
        };
        given([asked()])
            .when(blank)
            .then_err(ConsultationRefusal::Text);
    }
}
