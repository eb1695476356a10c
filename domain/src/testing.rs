//! A small given/when/then harness for `decide`/`evolve`, like disintegrate's
//! `TestHarness`, plus the fixtures the tests share.
//!
//! Compiled for this crate's tests and, with the `testing` feature, for other
//! crates' tests. Not part of the production API.
//!
//! ```ignore
//! given([admitted(ANNA, SCHOOL_17, d(2020, 9, 1))])
//!     .when(transfer(ANNA, SCHOOL_17, d(2024, 1, 10)))
//!     .then_err(RuleViolation::SameHome);
//! ```

use std::fmt::Debug;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::error::DomainError;
use crate::ids::{ApplicationId, OrgId, PersonId, UserId};

/// An aggregate's `decide`: state, command, today → events or a refusal.
pub type Decide<S, C, E, X = DomainError> = fn(&S, &C, NaiveDate) -> Result<Vec<E>, X>;

/// An aggregate's `evolve`: folds one event into the state.
pub type Evolve<S, E> = fn(&mut S, &E);

/// The harness for one aggregate: its `decide`, its `evolve` and the day that is today.
/// `X` is the aggregate's refusal (most refuse with [`DomainError`]).
pub struct TestHarness<S, C, E, X = DomainError> {
    decide: Decide<S, C, E, X>,
    evolve: Evolve<S, E>,
    today: NaiveDate,
}

/// The state after the given events, waiting for a command.
pub struct Given<S, C, E, X = DomainError> {
    harness: TestHarness<S, C, E, X>,
    state: S,
}

/// What `decide` answered, waiting to be checked.
pub struct Outcome<S, E, X = DomainError> {
    state: S,
    evolve: Evolve<S, E>,
    result: Result<Vec<E>, X>,
}

impl<S: Default, C, E, X> TestHarness<S, C, E, X> {
    /// A harness over `decide` and `evolve` with `today` as the registry's today.
    pub fn new(decide: Decide<S, C, E, X>, evolve: Evolve<S, E>, today: NaiveDate) -> Self {
        TestHarness {
            decide,
            evolve,
            today,
        }
    }

    /// Folds `events` (the history) into a fresh state.
    pub fn given(self, events: impl IntoIterator<Item = E>) -> Given<S, C, E, X> {
        let mut state = S::default();
        for event in events {
            (self.evolve)(&mut state, &event);
        }
        Given {
            harness: self,
            state,
        }
    }
}

impl<S, C, E, X> Given<S, C, E, X> {
    /// Decides `command` on the state.
    pub fn when(self, command: impl Into<C>) -> Outcome<S, E, X> {
        let result = (self.harness.decide)(&self.state, &command.into(), self.harness.today);
        Outcome {
            state: self.state,
            evolve: self.harness.evolve,
            result,
        }
    }
}

impl<S, E: Debug + PartialEq, X: Debug + PartialEq> Outcome<S, E, X> {
    /// Asserts that the command was accepted with exactly `expected`; returns the
    /// state with them folded in, for further checks.
    #[track_caller]
    pub fn then(self, expected: impl IntoIterator<Item = E>) -> S {
        let expected: Vec<E> = expected.into_iter().collect();
        match self.result {
            Ok(events) => {
                assert_eq!(events, expected, "the command decided other events");
                let mut state = self.state;
                for event in &events {
                    (self.evolve)(&mut state, event);
                }
                state
            }
            Err(error) => panic!("expected {expected:?}, the command was refused: {error:?}"),
        }
    }

    /// Asserts that the command was refused with `expected`; returns the unchanged state.
    #[track_caller]
    pub fn then_err(self, expected: impl Into<X>) -> S {
        let expected = expected.into();
        match self.result {
            Ok(events) => panic!("expected {expected:?}, the command decided {events:?}"),
            Err(error) => assert_eq!(error, expected, "the command was refused otherwise"),
        }
        self.state
    }
}

/// A date; panics on an impossible one (tests only).
pub fn d(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a real date")
}

/// The registry's today in the tests.
pub fn today() -> NaiveDate {
    d(2024, 6, 1)
}

/// The organisation number `n`.
pub fn org(n: u128) -> OrgId {
    OrgId(Uuid::from_u128(n))
}

/// The person number `n`.
pub fn person(n: u128) -> PersonId {
    PersonId(Uuid::from_u128(n))
}

/// The application number `n`.
pub fn application(n: u128) -> ApplicationId {
    ApplicationId(Uuid::from_u128(n))
}

/// The access holder number `n`.
pub fn user(n: u128) -> UserId {
    UserId(Uuid::from_u128(n))
}
