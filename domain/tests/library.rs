//! Property tests of the library: random command sequences through the public
//! `decide`/`evolve` only, one property per rule.

use chrono::NaiveDate;
use domain::ids::{DocumentId, OrgId};
use domain::library::{
    self, Audience, Document, DocumentCommand, DocumentEvent, DocumentKind, FileFormat, FileHash,
    LibraryRefusal, Readers, ReviseDocument, StoredFile, UploadDocument, WithdrawDocument,
};
use proptest::prelude::*;
use uuid::Uuid;

const DOCUMENT: DocumentId = DocumentId(Uuid::from_u128(7));

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn file(n: u8) -> StoredFile {
    StoredFile {
        sha256: FileHash::parse(&format!("{n:02x}").repeat(32)).unwrap(),
        format: FileFormat::Docx,
        size: u64::from(n) + 1,
        file_name: format!("{n}.docx"),
    }
}

#[derive(Clone, Debug)]
enum Step {
    Upload(u8, i64),
    Revise(u8),
    Withdraw,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..4, -3i64..3).prop_map(|(n, days)| Step::Upload(n, days)),
        (0u8..4).prop_map(Step::Revise),
        Just(Step::Withdraw),
    ]
}

fn command(step: &Step) -> DocumentCommand {
    match step {
        Step::Upload(n, days) => DocumentCommand::Upload(UploadDocument {
            document_id: DOCUMENT,
            title: "Отраслевое соглашение".into(),
            kind: DocumentKind::CollectiveAgreement,
            issued_on: today() + chrono::Duration::days(*days),
            issuer: "Минпросвещения России".into(),
            audience: Audience {
                org_id: OrgId(Uuid::from_u128(1)),
                readers: Readers::Everyone,
            },
            file: file(*n),
        }),
        Step::Revise(n) => DocumentCommand::Revise(ReviseDocument {
            document_id: DOCUMENT,
            file: file(*n),
            note: String::new(),
        }),
        Step::Withdraw => DocumentCommand::Withdraw(WithdrawDocument {
            document_id: DOCUMENT,
            reason: "Утратил силу".into(),
        }),
    }
}

/// The events every accepted step decided, in order, and every refusal.
fn run(steps: &[Step]) -> (Vec<DocumentEvent>, Vec<(Step, LibraryRefusal)>) {
    let mut document = Document::default();
    let mut events = Vec::new();
    let mut refusals = Vec::new();
    for step in steps {
        match library::decide(&document, &command(step), today()) {
            Ok(decided) => {
                for event in &decided {
                    library::evolve(&mut document, event);
                }
                events.extend(decided);
            }
            Err(refusal) => refusals.push((step.clone(), refusal)),
        }
    }
    (events, refusals)
}

proptest! {
    /// A document is uploaded once, never dated after today, and nothing
    /// happens to one that was never uploaded.
    #[test]
    fn a_document_begins_with_one_upload(steps in prop::collection::vec(step(), 0..20)) {
        let (events, refusals) = run(&steps);
        let uploads = events.iter().filter(|e| matches!(e, DocumentEvent::Uploaded { .. })).count();
        prop_assert!(uploads <= 1);
        if let Some(first) = events.first() {
            let DocumentEvent::Uploaded { issued_on, .. } = first else {
                panic!("a document's first event is {first:?}");
            };
            prop_assert!(*issued_on <= today());
        }
        for (step, refusal) in &refusals {
            if let LibraryRefusal::FutureDate { date } = refusal {
                prop_assert!(matches!(step, Step::Upload(..)) && *date > today());
            }
        }
    }

    /// Versions count 1, 2, 3, … and each new version's file differs from
    /// the one before it.
    #[test]
    fn each_version_is_the_next_and_a_new_file(steps in prop::collection::vec(step(), 0..20)) {
        let (events, _) = run(&steps);
        let mut files: Vec<(u32, FileHash)> = Vec::new();
        for event in &events {
            match event {
                DocumentEvent::Uploaded { file, .. } => files.push((1, file.sha256.clone())),
                DocumentEvent::Revised { version, file, .. } => {
                    let (last, last_file) = files.last().expect("revised after an upload").clone();
                    prop_assert_eq!(*version, last + 1);
                    prop_assert_ne!(&file.sha256, &last_file);
                    files.push((*version, file.sha256.clone()));
                }
                DocumentEvent::Withdrawn { .. } => {}
            }
        }
    }

    /// A withdrawn document takes nothing more: withdrawal is its last event.
    #[test]
    fn withdrawal_is_final(steps in prop::collection::vec(step(), 0..20)) {
        let (events, _) = run(&steps);
        if let Some(at) = events.iter().position(|e| matches!(e, DocumentEvent::Withdrawn { .. })) {
            prop_assert_eq!(at, events.len() - 1);
        }
    }
}
