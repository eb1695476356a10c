//! The card-number aggregate (stream `card-<13 digits>`): keeps numbers unique.
//!
//! Issuing a card is two decisions appended atomically: [`ReserveCardNumber`]
//! here (appended with "no stream yet") and
//! [`IssueCard`](crate::person::IssueCard) on the person. A number, once
//! reserved, is never reused, even after its card is blocked.

use chrono::NaiveDate;

use crate::card_number::CardNumber;
use crate::error::DomainError;
use crate::event::CardEvent;
use crate::ids::PersonId;
use crate::rules::{RuleViolation, not_after_today};

/// A reserved number: the state of a card-number stream that has its event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReservedNumber {
    /// The number.
    pub number: CardNumber,
    /// The holder of the card.
    pub person_id: PersonId,
    /// The day of issue.
    pub issued_on: NaiveDate,
}

/// Reserve `number` for a card of `person_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReserveCardNumber {
    /// The number, allocated by the caller.
    pub number: CardNumber,
    /// The holder of the new card.
    pub person_id: PersonId,
    /// The day of issue.
    pub issued_on: NaiveDate,
}

/// Decides a reservation on the number's stream (`None`: no event yet).
///
/// # Errors
/// [`RuleViolation::CardNumberTaken`] when the number's stream has an event;
/// [`RuleViolation::FutureDate`].
pub fn decide(
    reserved: &Option<ReservedNumber>,
    command: &ReserveCardNumber,
    today: NaiveDate,
) -> Result<Vec<CardEvent>, DomainError> {
    if reserved.is_some() {
        return Err(RuleViolation::CardNumberTaken.into());
    }
    not_after_today(command.issued_on, today)?;
    Ok(vec![CardEvent::NumberReserved {
        number: command.number,
        person_id: command.person_id,
        issued_on: command.issued_on,
    }])
}

/// Folds `event` into the number's state. Validates nothing: the log is history.
pub fn evolve(reserved: &mut Option<ReservedNumber>, event: &CardEvent) {
    let CardEvent::NumberReserved {
        number,
        person_id,
        issued_on,
    } = event;
    *reserved = Some(ReservedNumber {
        number: *number,
        person_id: *person_id,
        issued_on: *issued_on,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{TestHarness, d, person, today};

    fn number() -> CardNumber {
        CardNumber::new(77, 42).unwrap()
    }

    fn reserve() -> ReserveCardNumber {
        ReserveCardNumber {
            number: number(),
            person_id: person(1),
            issued_on: d(2024, 5, 1),
        }
    }

    fn reserved() -> CardEvent {
        CardEvent::NumberReserved {
            number: number(),
            person_id: person(1),
            issued_on: d(2024, 5, 1),
        }
    }

    fn given(
        events: impl IntoIterator<Item = CardEvent>,
    ) -> crate::testing::Given<Option<ReservedNumber>, ReserveCardNumber, CardEvent> {
        TestHarness::new(decide, evolve, today()).given(events)
    }

    #[test]
    fn a_fresh_number_is_reserved() {
        given([]).when(reserve()).then([reserved()]);
    }

    #[test]
    fn a_number_is_never_reserved_twice() {
        given([reserved()])
            .when(reserve())
            .then_err(RuleViolation::CardNumberTaken);
    }
}
