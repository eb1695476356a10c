//! Property tests of mailings: random command sequences through the public
//! `decide`/`evolve` only, one property per rule.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use domain::ids::{MailingId, OrgId, PersonId};
use domain::mailing::{
    self, Audience, Mailing, MailingCommand, MailingEvent, MailingRefusal, MemberFacts, Outcome,
    Recipient, Segment, SkipReason,
};
use domain::vocabulary::organization::Sector;
use domain::vocabulary::person::{MemberCategory, Profession};
use proptest::prelude::*;
use uuid::Uuid;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
}

fn recipient(n: u8) -> Recipient {
    Recipient::Member(PersonId(Uuid::from_u128(u128::from(n) + 100)))
}

#[derive(Clone, Debug)]
enum Step {
    List(Vec<u8>, bool),
    Record(Vec<(u8, u8)>),
    Cancel,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (prop::collection::vec(0u8..12, 0..6), any::<bool>()).prop_map(|(r, c)| Step::List(r, c)),
        prop::collection::vec((0u8..12, 0u8..3), 0..6).prop_map(Step::Record),
        Just(Step::Cancel),
    ]
}

fn command(step: &Step) -> MailingCommand {
    match step {
        Step::List(r, complete) => MailingCommand::List {
            recipients: r.iter().map(|&n| recipient(n)).collect(),
            complete: *complete,
        },
        Step::Record(outcomes) => MailingCommand::Record {
            outcomes: outcomes
                .iter()
                .map(|&(n, kind)| {
                    let outcome = match kind {
                        0 => Outcome::Delivered,
                        1 => Outcome::Failed("550 no such user".into()),
                        _ => Outcome::Skipped(SkipReason::NoAddress),
                    };
                    (recipient(n), outcome)
                })
                .collect(),
        },
        Step::Cancel => MailingCommand::Cancel,
    }
}

/// Runs `steps` on a scheduled mailing; the whole history and each step's answer.
fn run(
    steps: &[Step],
) -> (
    Vec<MailingEvent>,
    Vec<Result<usize, MailingRefusal>>,
    Mailing,
) {
    let id = MailingId(Uuid::from_u128(1));
    let mut state = Mailing::default();
    let schedule = MailingCommand::Schedule {
        segment: Segment::members(OrgId(Uuid::from_u128(2))),
        subject: "Тема".into(),
        body: "Текст".into(),
        send_at: DateTime::<Utc>::MIN_UTC,
    };
    let mut history = mailing::decide(id, &state, &schedule, today()).unwrap();
    for event in &history {
        mailing::evolve(&mut state, event);
    }
    let mut answers = vec![];
    for step in steps {
        match mailing::decide(id, &state, &command(step), today()) {
            Ok(events) => {
                for event in &events {
                    mailing::evolve(&mut state, event);
                }
                answers.push(Ok(events.len()));
                history.extend(events);
            }
            Err(refusal) => answers.push(Err(refusal)),
        }
    }
    (history, answers, state)
}

proptest! {
    /// Exactly once per recipient in the log: whatever a sender records, and
    /// however often, no recipient has two outcomes, and every outcome's
    /// recipient was listed before it.
    #[test]
    fn one_outcome_per_listed_recipient(steps in prop::collection::vec(step(), 0..30)) {
        let (history, _, _) = run(&steps);
        let mut listed = HashSet::new();
        let mut outcomes: HashMap<Recipient, usize> = HashMap::new();
        for event in &history {
            if let MailingEvent::RecipientsListed { recipients, .. } = event {
                for r in recipients {
                    prop_assert!(listed.insert(*r), "listed twice: {r:?}");
                }
            }
            if let Some(r) = event.outcome_recipient() {
                prop_assert!(listed.contains(&r), "outcome before listing: {r:?}");
                *outcomes.entry(r).or_default() += 1;
            }
        }
        prop_assert!(outcomes.values().all(|&n| n == 1));
    }

    /// Nobody is listed after the mailing was cancelled or its list closed,
    /// and it is cancelled at most once.
    #[test]
    fn no_listing_after_cancel_or_close(steps in prop::collection::vec(step(), 0..30)) {
        let (history, answers, _) = run(&steps);
        let mut closed = false;
        let mut cancelled = false;
        for event in &history {
            match event {
                MailingEvent::RecipientsListed { complete, .. } => {
                    prop_assert!(!closed && !cancelled);
                    closed |= complete;
                }
                MailingEvent::Cancelled { .. } => {
                    prop_assert!(!cancelled);
                    cancelled = true;
                }
                _ => {}
            }
        }
        for (step, answer) in steps.iter().zip(&answers) {
            if let (Step::Cancel, Err(refusal)) = (step, answer) {
                prop_assert!(matches!(refusal, MailingRefusal::Cancelled | MailingRefusal::Finished));
            }
        }
    }

    /// A finished mailing (list complete, every outcome in) cannot be cancelled.
    #[test]
    fn finished_is_final(steps in prop::collection::vec(step(), 0..30)) {
        let (_, _, state) = run(&steps);
        if state.finished() && !state.cancelled {
            let answer = mailing::decide(MailingId(Uuid::from_u128(1)), &state, &MailingCommand::Cancel, today());
            prop_assert_eq!(answer, Err(MailingRefusal::Finished));
        }
    }

    /// A member is in a segment exactly when every filter given admits them;
    /// a segment of activists admits no member.
    #[test]
    fn segment_filters_are_all_required(
        categories in prop::collection::vec(0usize..4, 0..3),
        professions in prop::collection::vec(0usize..7, 0..3),
        sectors in prop::collection::vec(0usize..7, 0..3),
        min_age in prop::option::of(14u8..80),
        max_age in prop::option::of(14u8..80),
        activists in any::<bool>(),
        (category, profession, sector, birth_year) in (0usize..4, prop::option::of(0usize..7), prop::option::of(0usize..7), 1940i32..2012),
    ) {
        const CATEGORIES: [MemberCategory; 4] = [MemberCategory::Worker, MemberCategory::Student, MemberCategory::Pensioner, MemberCategory::Unemployed];
        const PROFESSIONS: [Profession; 7] = [Profession::Teacher, Profession::PreschoolEducator, Profession::Lecturer, Profession::Head, Profession::OtherPedagogical, Profession::SupportStaff, Profession::Other];
        let segment = Segment {
            org_id: OrgId(Uuid::nil()),
            audience: if activists { Audience::Activists } else { Audience::Members },
            categories: categories.iter().map(|&i| CATEGORIES[i]).collect(),
            professions: professions.iter().map(|&i| PROFESSIONS[i]).collect(),
            sectors: sectors.iter().map(|&i| Sector::ALL[i]).collect(),
            min_age,
            max_age,
        };
        let facts = MemberFacts {
            category: CATEGORIES[category],
            profession: profession.map(|i| PROFESSIONS[i]),
            birth_year,
            sector: sector.map(|i| Sector::ALL[i]),
        };
        let age = today().year() - birth_year;
        let expected = !activists
            && (categories.is_empty() || categories.contains(&category))
            && (professions.is_empty() || profession.is_some_and(|p| professions.contains(&p)))
            && (sectors.is_empty() || sector.is_some_and(|s| sectors.contains(&s)))
            && min_age.is_none_or(|m| age >= i32::from(m))
            && max_age.is_none_or(|m| age <= i32::from(m));
        prop_assert_eq!(segment.admits(&facts, today()), expected);
    }
}

#[test]
fn an_unknown_mailing_takes_no_command_but_scheduling() {
    let id = MailingId(Uuid::from_u128(9));
    for step in [
        Step::Cancel,
        Step::List(vec![1], true),
        Step::Record(vec![]),
    ] {
        assert_eq!(
            mailing::decide(id, &Mailing::default(), &command(&step), today()),
            Err(MailingRefusal::NotFound)
        );
    }
}

#[test]
fn unsubscribing_twice_writes_once() {
    let person = PersonId(Uuid::from_u128(5));
    assert_eq!(mailing::unsubscribe(person, false, today()).len(), 1);
    assert!(mailing::unsubscribe(person, true, today()).is_empty());
}

mod notifications {
    use std::collections::HashSet;

    use domain::ids::PersonId;
    use domain::mailing::notify::{self, NotificationKind, NotificationOutcome, Notifications};
    use domain::mailing::{MailingEvent, Recipient};
    use proptest::prelude::*;
    use uuid::Uuid;

    proptest! {
        /// Each event is notified once per kind, and nothing at or before
        /// the start: whatever the sender reports, and however often.
        #[test]
        fn once_per_event_and_kind_after_the_start(
            head in 0u64..20,
            batches in prop::collection::vec(prop::collection::vec((0u64..40, any::<bool>()), 0..8), 0..8),
            started_twice in any::<bool>(),
        ) {
            let mut state = Notifications::default();
            let mut history = vec![];
            let start = notify::start(&state, head);
            for e in &start { notify::evolve(&mut state, e); }
            history.extend(start);
            if started_twice {
                prop_assert!(notify::start(&state, head + 5).is_empty());
            }
            let who = Recipient::Member(PersonId(Uuid::nil()));
            for batch in batches {
                let outcomes = batch
                    .into_iter()
                    .map(|(source, card)| {
                        let kind = if card { NotificationKind::CardIssued } else { NotificationKind::NewApplication };
                        (source, kind, who, NotificationOutcome::Delivered)
                    })
                    .collect();
                let events = notify::record(&state, outcomes);
                for e in &events { notify::evolve(&mut state, e); }
                history.extend(events);
            }
            let mut seen = HashSet::new();
            for event in &history {
                if let MailingEvent::NotificationRecorded { source, kind, .. } = event {
                    prop_assert!(*source > head);
                    prop_assert!(seen.insert((*source, *kind)));
                }
            }
        }
    }

    #[test]
    fn nothing_is_recorded_before_notifications_start() {
        let outcomes = vec![(
            5,
            NotificationKind::CardIssued,
            Recipient::Member(PersonId(Uuid::nil())),
            NotificationOutcome::Delivered,
        )];
        assert!(notify::record(&Notifications::default(), outcomes).is_empty());
    }
}
