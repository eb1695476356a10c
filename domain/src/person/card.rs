//! IssueCard and BlockCard: a member's union cards, at most one of them active.

use chrono::NaiveDate;

use crate::card_number::CardNumber;
use crate::error::{DomainError, InvalidInput, non_blank};
use crate::event::PersonEvent;
use crate::ids::PersonId;
use crate::person::{Person, PersonCommand, check_effective_on};
use crate::rules::RuleViolation;
use crate::vocabulary::card::{CardBlockReason, CardKind};

/// Issue a card with a number the caller allocated and reserved in the card's
/// stream (see [`crate::card::decide`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssueCard {
    /// The member.
    pub person_id: PersonId,
    /// The new card's number.
    pub number: CardNumber,
    /// Plastic or virtual.
    pub kind: CardKind,
    /// The day of issue.
    pub issued_on: NaiveDate,
}

/// Block one of the member's cards on request (lost, stolen, damaged…), as of today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockCard {
    /// The member.
    pub person_id: PersonId,
    /// The card to block.
    pub number: CardNumber,
    /// Why, in the requester's words.
    pub reason: String,
}

impl From<IssueCard> for PersonCommand {
    fn from(command: IssueCard) -> PersonCommand {
        PersonCommand::IssueCard(command)
    }
}

impl From<BlockCard> for PersonCommand {
    fn from(command: BlockCard) -> PersonCommand {
        PersonCommand::BlockCard(command)
    }
}

/// Decides an issue: the active card, if any, is blocked (REPLACED) first.
///
/// # Errors
/// [`DomainError::NotFound`] for a person never admitted;
/// [`RuleViolation::NotAMember`] after the membership ended;
/// [`RuleViolation::CardNumberTaken`] for a number the person already had;
/// [`RuleViolation::BeforeCurrentSpell`] or [`RuleViolation::FutureDate`].
pub(crate) fn decide_issue(
    person: &Person,
    command: &IssueCard,
    today: NaiveDate,
) -> Result<Vec<PersonEvent>, DomainError> {
    let (person_id, _, spell_start) = person.active()?;
    if person
        .cards
        .iter()
        .any(|card| card.number == command.number)
    {
        return Err(RuleViolation::CardNumberTaken.into());
    }
    check_effective_on(command.issued_on, spell_start, today)?;
    let mut events = Vec::with_capacity(2);
    if let Some(old) = person
        .cards
        .iter()
        .find(|card| Some(card.number) == person.active_card)
    {
        events.push(PersonEvent::CardBlocked {
            person_id,
            number: old.number,
            reason: CardBlockReason::Replaced,
            blocked_on: command.issued_on.max(old.issued_on),
        });
    }
    events.push(PersonEvent::CardIssued {
        person_id,
        number: command.number,
        kind: command.kind,
        issued_on: command.issued_on,
    });
    Ok(events)
}

/// Decides a block on request, dated today.
///
/// # Errors
/// [`DomainError::NotFound`] for a person never admitted;
/// [`RuleViolation::NotAMember`] after the membership ended (its card is blocked
/// already); [`InvalidInput::EmptyReason`]; [`RuleViolation::CardNotActive`] unless
/// `number` is the member's active card.
pub(crate) fn decide_block(
    person: &Person,
    command: &BlockCard,
    today: NaiveDate,
) -> Result<Vec<PersonEvent>, DomainError> {
    let (person_id, _, _) = person.active()?;
    non_blank(&command.reason, InvalidInput::EmptyReason)?;
    if person.active_card != Some(command.number) {
        return Err(RuleViolation::CardNotActive.into());
    }
    Ok(vec![PersonEvent::CardBlocked {
        person_id,
        number: command.number,
        reason: CardBlockReason::Requested(command.reason.trim().to_string()),
        blocked_on: today,
    }])
}

#[cfg(test)]
mod tests {
    use crate::error::InvalidInput;
    use crate::person::BlockCard;
    use crate::person::fixtures::*;
    use crate::rules::RuleViolation;
    use crate::testing::{d, today};
    use crate::vocabulary::card::CardBlockReason;

    fn block(number: crate::card_number::CardNumber, reason: &str) -> BlockCard {
        BlockCard {
            person_id: ANNA,
            number,
            reason: reason.into(),
        }
    }

    #[test]
    fn a_member_gets_a_card() {
        let anna = given([admitted(ANNA, SCHOOL, d(2020, 9, 1))])
            .when(issue(ANNA, card(1), d(2021, 1, 1)))
            .then([issued(ANNA, card(1), d(2021, 1, 1))]);
        assert_eq!(anna.active_card, Some(card(1)));
    }

    #[test]
    fn a_new_card_blocks_the_active_one_as_replaced() {
        let anna = given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            issued(ANNA, card(1), d(2021, 1, 1)),
        ])
        .when(issue(ANNA, card(2), d(2022, 1, 1)))
        .then([
            blocked(ANNA, card(1), CardBlockReason::Replaced, d(2022, 1, 1)),
            issued(ANNA, card(2), d(2022, 1, 1)),
        ]);
        assert_eq!(anna.active_card, Some(card(2)));
        assert_eq!(
            anna.cards
                .iter()
                .filter(|card| card.blocked.is_none())
                .count(),
            1
        );
    }

    #[test]
    fn a_number_is_never_issued_twice() {
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            issued(ANNA, card(1), d(2021, 1, 1)),
        ])
        .when(issue(ANNA, card(1), d(2022, 1, 1)))
        .then_err(RuleViolation::CardNumberTaken);
    }

    #[test]
    fn a_former_member_gets_no_card() {
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            ended(ANNA, SCHOOL, d(2022, 1, 1)),
        ])
        .when(issue(ANNA, card(1), d(2022, 1, 1)))
        .then_err(RuleViolation::NotAMember);
    }

    #[test]
    fn the_active_card_is_blocked_on_request() {
        let anna = given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            issued(ANNA, card(1), d(2021, 1, 1)),
        ])
        .when(block(card(1), "утерян"))
        .then([blocked(
            ANNA,
            card(1),
            CardBlockReason::Requested("утерян".into()),
            today(),
        )]);
        assert_eq!(anna.active_card, None);
    }

    #[test]
    fn only_the_active_card_can_be_blocked() {
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            issued(ANNA, card(1), d(2021, 1, 1)),
            blocked(ANNA, card(1), CardBlockReason::Replaced, d(2022, 1, 1)),
            issued(ANNA, card(2), d(2022, 1, 1)),
        ])
        .when(block(card(1), "утерян"))
        .then_err(RuleViolation::CardNotActive);
    }

    #[test]
    fn blocking_needs_a_reason() {
        given([
            admitted(ANNA, SCHOOL, d(2020, 9, 1)),
            issued(ANNA, card(1), d(2021, 1, 1)),
        ])
        .when(block(card(1), ""))
        .then_err(InvalidInput::EmptyReason);
    }
}
