//! Property tests of consultations: random command sequences through the
//! public `decide`/`evolve` only, one property per rule.

use chrono::NaiveDate;
use domain::consultation::{
    self, AnswerConsultation, AskConsultation, Asker, Attachment, CloseConsultation, Consultation,
    ConsultationCommand, ConsultationEvent, ConsultationRefusal, FileKey, PublishConsultation,
    Service,
};
use domain::event::{Event, names_file};
use domain::ids::{ConsultationId, DocumentId, OrgId, PersonId};
use domain::library::{FileFormat, FileHash, StoredFile};
use proptest::prelude::*;
use uuid::Uuid;

const QUESTION: ConsultationId = ConsultationId(Uuid::from_u128(8));

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

/// What a question attaches: nothing, a file stored in clear (as before
/// attachments were encrypted) or one encrypted under its key.
#[derive(Clone, Copy, Debug)]
enum Attach {
    Nothing,
    Clear(u8),
    Encrypted(u8),
}

#[derive(Clone, Debug)]
enum Step {
    Ask(bool, Attach),
    Answer(bool),
    Close,
    Publish(u8),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (
            any::<bool>(),
            prop_oneof![
                Just(Attach::Nothing),
                any::<u8>().prop_map(Attach::Clear),
                any::<u8>().prop_map(Attach::Encrypted),
            ]
        )
            .prop_map(|(blank, attach)| Step::Ask(blank, attach)),
        any::<bool>().prop_map(Step::Answer),
        Just(Step::Close),
        (0u8..3).prop_map(Step::Publish),
    ]
}

/// A text, or a blank one when `blank`.
fn text(blank: bool) -> String {
    if blank {
        "  \n ".into()
    } else {
        "Вопрос об отпуске".into()
    }
}

/// The attachment `attach` stands for.
fn attachment(attach: Attach) -> Option<Attachment> {
    let file = |n: u8| StoredFile {
        sha256: FileHash::parse(&format!("{n:02x}").repeat(32)).unwrap(),
        format: FileFormat::Text,
        size: 100,
        file_name: format!("скан-{n}.txt"),
    };
    match attach {
        Attach::Nothing => None,
        Attach::Clear(n) => Some(Attachment {
            file: file(n),
            key: None,
        }),
        Attach::Encrypted(n) => Some(Attachment {
            file: file(n),
            key: Some(FileKey::from_bytes([n; 32])),
        }),
    }
}

fn command(step: &Step) -> ConsultationCommand {
    match step {
        Step::Ask(blank, attach) => ConsultationCommand::Ask(AskConsultation {
            consultation_id: QUESTION,
            region_id: OrgId(Uuid::from_u128(2)),
            service: Service::Legal,
            asker: Asker::Member(PersonId(Uuid::from_u128(3))),
            topic: "Отпуск".into(),
            text: text(*blank),
            attachment: attachment(*attach),
        }),
        Step::Answer(blank) => ConsultationCommand::Answer(AnswerConsultation {
            consultation_id: QUESTION,
            text: text(*blank),
        }),
        Step::Close => ConsultationCommand::Close(CloseConsultation {
            consultation_id: QUESTION,
        }),
        Step::Publish(n) => ConsultationCommand::Publish(PublishConsultation {
            consultation_id: QUESTION,
            document_id: DocumentId(Uuid::from_u128(u128::from(*n) + 100)),
        }),
    }
}

/// The events every accepted step decided, in order, and every refusal.
fn run(steps: &[Step]) -> (Vec<ConsultationEvent>, Vec<(Step, ConsultationRefusal)>) {
    let mut state = Consultation::default();
    let mut events = Vec::new();
    let mut refusals = Vec::new();
    for step in steps {
        match consultation::decide(&state, &command(step), today()) {
            Ok(decided) => {
                for event in &decided {
                    consultation::evolve(&mut state, event);
                }
                events.extend(decided);
            }
            Err(refusal) => refusals.push((step.clone(), refusal)),
        }
    }
    (events, refusals)
}

proptest! {
    /// A question is asked once, first: nothing happens to one never asked.
    #[test]
    fn a_question_is_asked_once_and_first(steps in prop::collection::vec(step(), 0..30)) {
        let mut state = Consultation::default();
        let mut asked = 0;
        for step in &steps {
            let was_asked = state.asked;
            let decided = consultation::decide(&state, &command(step), today());
            match (step, &decided) {
                (Step::Ask(..), Ok(_)) => {
                    prop_assert!(!was_asked, "asked twice");
                    asked += 1;
                }
                (Step::Ask(false, _), Err(refusal)) => {
                    prop_assert!(was_asked);
                    prop_assert_eq!(refusal, &ConsultationRefusal::Exists);
                }
                (_, Err(ConsultationRefusal::NotFound)) => prop_assert!(!was_asked),
                (Step::Ask(true, _), Err(_)) => {}
                (_, other) => prop_assert!(was_asked, "{other:?} on a question never asked"),
            }
            for event in decided.unwrap_or_default() {
                consultation::evolve(&mut state, &event);
            }
        }
        prop_assert!(asked <= 1);
    }

    /// The service's messages are numbered 1, 2, … in order, and none
    /// follows the closing.
    #[test]
    fn answers_are_numbered_and_end_with_the_closing(steps in prop::collection::vec(step(), 0..30)) {
        let (events, _) = run(&steps);
        let mut expected = 1;
        let mut closed = false;
        for event in &events {
            match event {
                ConsultationEvent::Answered { message, .. } => {
                    prop_assert!(!closed, "an answer after the closing");
                    prop_assert_eq!(*message, expected);
                    expected += 1;
                }
                ConsultationEvent::Closed { .. } => {
                    prop_assert!(!closed, "closed twice");
                    closed = true;
                }
                _ => {}
            }
        }
    }

    /// A question is published once, and only after an answer.
    #[test]
    fn only_an_answered_question_is_published_once(steps in prop::collection::vec(step(), 0..30)) {
        let (events, _) = run(&steps);
        let mut answered = false;
        let mut published = 0;
        for event in &events {
            match event {
                ConsultationEvent::Answered { .. } => answered = true,
                ConsultationEvent::Published { .. } => {
                    prop_assert!(answered, "published before any answer");
                    published += 1;
                }
                _ => {}
            }
        }
        prop_assert!(published <= 1);
    }

    /// A blank question or answer is never taken, and what is taken is
    /// sealed: the asker, the question and each answer are in `personal`.
    #[test]
    fn blank_texts_are_refused_and_the_rest_sealed(steps in prop::collection::vec(step(), 0..30)) {
        let (events, refusals) = run(&steps);
        for (step, refusal) in &refusals {
            if matches!(step, Step::Ask(true, _) | Step::Answer(true))
                && *refusal != ConsultationRefusal::NotFound
                && *refusal != ConsultationRefusal::Exists
                && *refusal != ConsultationRefusal::Closed
            {
                prop_assert_eq!(refusal, &ConsultationRefusal::Text);
            }
        }
        for event in &events {
            match event {
                ConsultationEvent::Asked { personal, .. } => {
                    let asked = personal.as_ref().expect("sealed part");
                    prop_assert!(!asked.text.trim().is_empty());
                }
                ConsultationEvent::Answered { personal, .. } => {
                    prop_assert!(personal.as_ref().is_some_and(|t| !t.trim().is_empty()));
                }
                _ => {}
            }
            prop_assert_eq!(
                event.has_personal(),
                matches!(event, ConsultationEvent::Asked { .. } | ConsultationEvent::Answered { .. })
            );
        }
    }

    /// An attachment is kept as asked, sealed with its key; the event names
    /// in clear the stored file of an encrypted attachment alone (its
    /// ciphertext, which a copy of the log takes along), never one stored in
    /// clear, and no other event names a file.
    #[test]
    fn only_an_encrypted_attachment_is_named_in_clear(steps in prop::collection::vec(step(), 0..30)) {
        let mut state = Consultation::default();
        for step in &steps {
            let decided = consultation::decide(&state, &command(step), today());
            for event in decided.unwrap_or_default() {
                consultation::evolve(&mut state, &event);
                let named = Event::from(event.clone()).file().cloned();
                prop_assert!(named.is_none() || names_file(event.event_type()));
                match (&event, step) {
                    (ConsultationEvent::Asked { file, personal, .. }, Step::Ask(_, attach)) => {
                        let sealed = personal.as_ref().expect("sealed part");
                        prop_assert_eq!(&sealed.attachment, &attachment(*attach));
                        let expected = match attach {
                            Attach::Encrypted(_) => {
                                sealed.attachment.as_ref().map(|a| a.file.sha256.clone())
                            }
                            Attach::Nothing | Attach::Clear(_) => None,
                        };
                        prop_assert_eq!(file, &expected);
                        prop_assert_eq!(&named, &expected);
                    }
                    _ => prop_assert_eq!(named, None),
                }
            }
        }
    }
}
