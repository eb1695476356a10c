//! `AskConsultation`: a new question to a region's service.

use chrono::NaiveDate;

use crate::consultation::{
    Asked, Asker, Attachment, Consultation, ConsultationEvent, ConsultationRefusal, MAX_MESSAGE,
    MAX_TOPIC, Service, bounded,
};
use crate::ids::{ConsultationId, OrgId};

/// Ask a question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AskConsultation {
    /// The new question's id, chosen by the caller.
    pub consultation_id: ConsultationId,
    /// The regional organisation above the asker (found by the caller).
    pub region_id: OrgId,
    /// Its service asked.
    pub service: Service,
    /// Who asks.
    pub asker: Asker,
    /// The topic.
    pub topic: String,
    /// The question.
    pub text: String,
    /// A file attached, already in the file store (encrypted under its key).
    pub attachment: Option<Attachment>,
}

/// # Errors
/// [`ConsultationRefusal::Exists`], [`ConsultationRefusal::Topic`],
/// [`ConsultationRefusal::Text`].
pub(crate) fn decide(
    consultation: &Consultation,
    c: &AskConsultation,
    today: NaiveDate,
) -> Result<Vec<ConsultationEvent>, ConsultationRefusal> {
    if consultation.asked {
        return Err(ConsultationRefusal::Exists);
    }
    bounded(&c.topic, MAX_TOPIC, ConsultationRefusal::Topic)?;
    bounded(&c.text, MAX_MESSAGE, ConsultationRefusal::Text)?;
    Ok(vec![ConsultationEvent::Asked {
        consultation_id: c.consultation_id,
        region_id: c.region_id,
        service: c.service,
        asked_on: today,
        file: c
            .attachment
            .as_ref()
            .and_then(Attachment::encrypted_file)
            .cloned(),
        personal: Some(Asked {
            asker: c.asker,
            topic: c.topic.trim().to_string(),
            text: c.text.trim().to_string(),
            attachment: c.attachment.clone(),
        }),
    }])
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::consultation::fixtures::{QUESTION, asked, given};
    use crate::ids::PersonId;
    use crate::testing::org;

    fn ask() -> AskConsultation {
        AskConsultation {
            consultation_id: QUESTION,
            region_id: org(1),
            service: Service::Legal,
            asker: Asker::Member(PersonId(Uuid::from_u128(5))),
            topic: " Сверхурочная работа ".into(),
            text: "Как оплачивается работа сверх нормы?".into(),
            attachment: None,
        }
    }

    #[test]
    fn a_question_is_asked_once() {
        let state = given([]).when(ask()).then([asked()]);
        assert!(state.asked);
        given([asked()])
            .when(ask())
            .then_err(ConsultationRefusal::Exists);
    }

    #[test]
    fn a_question_needs_a_topic_and_a_text() {
        let blank = AskConsultation {
            topic: "  ".into(),
            ..ask()
        };
        given([]).when(blank).then_err(ConsultationRefusal::Topic);
        let long = AskConsultation {
            text: "я".repeat(MAX_MESSAGE + 1),
            ..ask()
        };
        given([]).when(long).then_err(ConsultationRefusal::Text);
    }

    #[test]
    fn an_encrypted_attachment_is_named_in_clear_by_its_ciphertext() {
        use crate::consultation::FileKey;
        use crate::library::fixtures::file;
        let with = |key: Option<FileKey>| AskConsultation {
            attachment: Some(Attachment { file: file(3), key }),
            ..ask()
        };
        let decided = decide(
            &Consultation::default(),
            &with(Some(FileKey::from_bytes([7; 32]))),
            crate::testing::today(),
        )
        .unwrap();
        let ConsultationEvent::Asked {
            file: named,
            personal,
            ..
        } = &decided[0]
        else {
            panic!("{decided:?}");
        };
        assert_eq!(named.as_ref(), Some(&file(3).sha256));
        let sealed = personal.as_ref().unwrap().attachment.as_ref().unwrap();
        assert_eq!(sealed.key, Some(FileKey::from_bytes([7; 32])));
        let clear = decide(
            &Consultation::default(),
            &with(None),
            crate::testing::today(),
        )
        .unwrap();
        assert!(
            matches!(&clear[0], ConsultationEvent::Asked { file: None, .. }),
            "a file stored in clear is not named in clear: {clear:?}"
        );
    }
}
