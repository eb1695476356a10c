//! Property tests of the cabinet's rules and of the daily digest: random
//! sequences of code requests and tries through the public functions only.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::ids::{ApplicationId, OrgId, PersonId};
use domain::mailing::MailingEvent;
use domain::mailing::cabinet::{
    self, CODE_LIFETIME, CODE_WINDOW, CODES_PER_WINDOW, Cabinet, MAX_WRONG_TRIES, Verdict,
};
use domain::mailing::notify::{self, NotificationOutcome, Notifications};
use proptest::prelude::*;
use uuid::Uuid;

fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000 + seconds, 0).unwrap()
}

#[derive(Clone, Debug)]
enum Step {
    /// Ask for a code, this many seconds later.
    Request(i64),
    /// Try, this many seconds later, with the right code or not.
    Try(i64, bool),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0i64..400).prop_map(Step::Request),
        (0i64..400, any::<bool>()).prop_map(|(d, m)| Step::Try(d, m)),
    ]
}

proptest! {
    /// A code signs in at most once, never after it expired or after its
    /// wrong tries; no more than three codes go out in a quarter of an hour.
    #[test]
    fn codes_sign_in_once_in_time_and_within_their_tries(steps in prop::collection::vec(step(), 0..40)) {
        let person = PersonId(Uuid::from_u128(1));
        let mut state = Cabinet::default();
        let mut now = 0;
        let mut issued: Vec<i64> = vec![];
        let mut signed_in_with: Vec<usize> = vec![];
        for step in steps {
            match step {
                Step::Request(after) => {
                    now += after;
                    let events = cabinet::request_code(&state, person, at(now), CODE_LIFETIME, format!("{now}"));
                    let recent = issued.iter().filter(|&&t| at(t) > at(now) - CODE_WINDOW).count();
                    prop_assert_eq!(events.is_empty(), recent >= CODES_PER_WINDOW);
                    if !events.is_empty() { issued.push(now); }
                    for e in &events { cabinet::evolve(&mut state, e); }
                }
                Step::Try(after, matches) => {
                    now += after;
                    let latest = state.latest().cloned();
                    let (events, verdict) = cabinet::sign_in(&state, person, at(now), matches);
                    if verdict == Verdict::SignedIn {
                        let code = latest.expect("a code signed in");
                        prop_assert!(matches);
                        prop_assert!(at(now) < code.expires_at);
                        prop_assert!(code.wrong_tries < MAX_WRONG_TRIES);
                        prop_assert!(!signed_in_with.contains(&state.codes.len()));
                        signed_in_with.push(state.codes.len());
                    }
                    let only_tries = events.iter().all(|e| matches!(e,
                        MailingEvent::CabinetSignedIn { .. } | MailingEvent::CabinetCodeRefused { .. }));
                    prop_assert!(only_tries);
                    for e in &events { cabinet::evolve(&mut state, e); }
                }
            }
        }
    }

    /// One digest per organisation and day, however often it is recorded;
    /// a day's digest is due from the hour of the next day on, never before.
    #[test]
    fn one_digest_per_organisation_and_day(
        records in prop::collection::vec((0u128..3, 0u64..3), 0..20),
        hour in 0u32..24,
        minutes in 0i64..(3 * 24 * 60),
    ) {
        let mut state = Notifications { from_position: Some(0), ..Notifications::default() };
        let day0 = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let mut recorded = std::collections::HashSet::new();
        for (org, day) in records {
            let org = OrgId(Uuid::from_u128(org));
            let day = day0 + Duration::days(day as i64);
            let app = ApplicationId(Uuid::from_u128(9));
            let events = notify::record_digest(&state, org, day, vec![app], NotificationOutcome::Delivered);
            prop_assert_eq!(events.len(), usize::from(recorded.insert((org, day))));
            for e in &events { notify::evolve(&mut state, e); }
        }
        let now = day0.and_hms_opt(0, 0, 0).unwrap() + Duration::minutes(minutes);
        let boundary = (day0 + Duration::days(1)).and_hms_opt(hour, 0, 0).unwrap();
        prop_assert_eq!(notify::digest_due(day0, now, hour), now >= boundary);
    }
}
