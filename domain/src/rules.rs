//! The charter's refusals: one [`RuleViolation`] variant per rule a command can break.
//!
//! Each variant has a stable code ([`RuleViolation::rule`]) that the GraphQL edge puts
//! in `extensions.rule`, and the number of the DESIGN.md rule it enforces
//! ([`RuleViolation::rule_number`]). Codes are part of the API: never rename one.

use chrono::NaiveDate;

use crate::ids::{OrgId, PersonId};
use crate::vocabulary::organization::OrgLevel;

/// A command refused because it would break a rule of the charter.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RuleViolation {
    // Rule 1: one active home at a time.
    /// The person is already an active member (of `home_org`).
    #[error("the person is already an active member of {home_org}")]
    ActiveElsewhere {
        /// The home the person is a member of now.
        home_org: OrgId,
    },

    // Rule 2: homes and admission.
    /// The home organisation does not exist.
    #[error("the home organisation does not exist")]
    HomeNotFound,
    /// The home organisation is dissolved.
    #[error("the home organisation is dissolved")]
    HomeDissolved,
    /// The organisation is not of a home level (PRIMARY, SUBDIVISION, GROUP).
    #[error("a {level:?} organisation cannot be a member's home")]
    NotAHomeLevel {
        /// The organisation's level.
        level: OrgLevel,
    },
    /// The person is younger than 14 on the admission (or application) date.
    #[error("the minimum age is 14; the person is {age} on that day")]
    TooYoung {
        /// The person's age on the day.
        age: u32,
    },
    /// The application was already approved or rejected.
    #[error("the application was already decided")]
    ApplicationDecided,

    // Rule 3: ended memberships, same home.
    /// The person is not an active member (never admitted, or the membership ended).
    #[error("the person is not an active member")]
    NotAMember,
    /// A transfer to the home the member already has.
    #[error("the member already belongs to that organisation")]
    SameHome,
    /// The person's personal data was erased; it cannot be changed or erased again.
    #[error("the person's personal data was erased")]
    AlreadyErased,
    /// An expulsion without its basis (which body decided, when).
    #[error("an expulsion needs its basis: which body decided, when")]
    ExpulsionWithoutBasis,

    // Rule 4: effective dates.
    /// The date lies before the person's current spell began (or, for a
    /// re-admission, before the last membership ended).
    #[error("{effective_on} is before the current spell began on {spell_start}")]
    BeforeCurrentSpell {
        /// The date the command asked for.
        effective_on: NaiveDate,
        /// The first day the command may take effect on.
        spell_start: NaiveDate,
    },
    /// The date lies after today: post-dating is not allowed.
    #[error("{date} is after today ({today})")]
    FutureDate {
        /// The date the command asked for.
        date: NaiveDate,
        /// Today.
        today: NaiveDate,
    },
    /// An organisation's move or dissolution dated before its current place in
    /// the tree began (its registration or its last move).
    #[error("{effective_on} is before the organisation's current place began on {since}")]
    BeforeCurrentPlacement {
        /// The date the command asked for.
        effective_on: NaiveDate,
        /// The day the organisation's current place in the tree began.
        since: NaiveDate,
    },
    /// A change dated before the organisation was established (its
    /// `establishedOn`; one registered without it accepts any past date).
    #[error("{date} is before the organisation was established on {established_on}")]
    BeforeEstablishment {
        /// The date the command asked for.
        date: NaiveDate,
        /// The day the organisation was established.
        established_on: NaiveDate,
    },
    /// A passport dated before the passport in effect now began.
    #[error("{effective_on} is before the current passport took effect on {since}")]
    BeforeCurrentPassport {
        /// The date the command asked for.
        effective_on: NaiveDate,
        /// The first day of the passport in effect now.
        since: NaiveDate,
    },

    // Rule 5: SNILS identifies one person.
    /// Another person already has this SNILS.
    #[error("another person has this SNILS")]
    SnilsTaken {
        /// The person who has it (never in the message: a refusal names nobody).
        holder: PersonId,
    },
    /// A re-admission by SNILS whose birth date, given name, patronymic or
    /// gender differ from the earlier person's: the SNILS is not this person's,
    /// or the identity must be corrected first. Never overwritten by an admission.
    #[error("the SNILS belongs to a person whose birth date, name or gender differ")]
    IdentityMismatch,
    /// The SNILS belongs to a person registered outside the caller's subtree,
    /// and the command cannot go ahead: said the same way whether that person
    /// is an active member elsewhere or their identity or dates do not agree,
    /// so a refusal tells nothing about someone the caller may not read.
    #[error(
        "this SNILS cannot be used here: its holder's record is kept outside your subtree; \
         an organisation above both can act on it"
    )]
    SnilsOutsideSubtree,

    // Rule 6: cards.
    /// The card is not the person's active card.
    #[error("the card is not active")]
    CardNotActive,
    /// The card number was already issued; numbers are never reused.
    #[error("the card number was already issued")]
    CardNumberTaken,

    // Rule 6: organisations.
    /// The parent organisation does not exist.
    #[error("the parent organisation does not exist")]
    ParentNotFound,
    /// The parent organisation is dissolved.
    #[error("the parent organisation is dissolved")]
    ParentDissolved,
    /// The level may not sit under the parent's level.
    #[error("a {level:?} organisation cannot sit under a {parent_level:?} one")]
    ParentLevel {
        /// The organisation's level.
        level: OrgLevel,
        /// The parent's level (`None`: no parent given).
        parent_level: Option<OrgLevel>,
    },
    /// The new parent is the organisation itself or one of its descendants.
    #[error("the move would put the organisation under itself")]
    MoveCreatesCycle,
    /// The move names the parent the organisation already has.
    #[error("the organisation is already under that parent")]
    SameParent,
    /// Active members still have their home inside the organisation.
    #[error("{active_members} active members still have their home inside")]
    NotEmpty {
        /// How many.
        active_members: u64,
    },
    /// The organisation is dissolved: it cannot be changed or dissolved again.
    #[error("the organisation is dissolved")]
    AlreadyDissolved,
    /// A second CENTRAL organisation.
    #[error("there is already a CENTRAL organisation")]
    SecondCentral,
    /// A passport for an organisation that is not PRIMARY.
    #[error("only a primary organisation keeps a passport")]
    NotAPrimary,

    // Rule 7 and DESIGN.md §4: who may do what.
    /// Only an ADMIN grants or revokes roles.
    #[error("only an ADMIN grants or revokes roles")]
    NotAnAdmin,
    /// The ADMIN's subtree does not contain the organisation.
    #[error("the organisation is outside the ADMIN's subtree")]
    OutsideSubtree,
    /// The role was already revoked.
    #[error("the role was already revoked")]
    AlreadyRevoked,
    /// A role over an organisation that is dissolved: it would cover nothing.
    #[error("no role is granted over a dissolved organisation")]
    RoleOverDissolved,

    // Rule 6: cards verify at meetings (attendance).
    /// A meeting id convened a second time.
    #[error("the meeting was already convened")]
    MeetingConvened,
    /// A meeting of an organisation dissolved on its day.
    #[error("a dissolved organisation holds no meeting")]
    MeetingOfDissolved,
    /// Attendance at a meeting that was never convened.
    #[error("the meeting was never convened")]
    MeetingNotConvened,
    /// No card has the number presented.
    #[error("no card has this number")]
    UnknownCard,
    /// The card's holder has their home outside the meeting's organisation.
    #[error("the member's home is outside the meeting's organisation")]
    OutsideMeeting,
    /// The member's presence at the meeting is recorded already.
    #[error("the member is already recorded present")]
    AlreadyPresent,
}

impl RuleViolation {
    /// The stable code of the rule, e.g. `SAME_HOME`: `extensions.rule` in the API.
    pub fn rule(&self) -> &'static str {
        match self {
            RuleViolation::ActiveElsewhere { .. } => "ACTIVE_ELSEWHERE",
            RuleViolation::HomeNotFound => "HOME_NOT_FOUND",
            RuleViolation::HomeDissolved => "HOME_DISSOLVED",
            RuleViolation::NotAHomeLevel { .. } => "NOT_A_HOME_LEVEL",
            RuleViolation::TooYoung { .. } => "TOO_YOUNG",
            RuleViolation::ApplicationDecided => "APPLICATION_DECIDED",
            RuleViolation::NotAMember => "NOT_A_MEMBER",
            RuleViolation::SameHome => "SAME_HOME",
            RuleViolation::AlreadyErased => "ALREADY_ERASED",
            RuleViolation::ExpulsionWithoutBasis => "EXPULSION_WITHOUT_BASIS",
            RuleViolation::BeforeCurrentSpell { .. } => "BEFORE_CURRENT_SPELL",
            RuleViolation::FutureDate { .. } => "FUTURE_DATE",
            RuleViolation::BeforeCurrentPlacement { .. } => "BEFORE_CURRENT_PLACEMENT",
            RuleViolation::BeforeEstablishment { .. } => "BEFORE_ESTABLISHMENT",
            RuleViolation::BeforeCurrentPassport { .. } => "BEFORE_CURRENT_PASSPORT",
            RuleViolation::SnilsTaken { .. } => "SNILS_TAKEN",
            RuleViolation::IdentityMismatch => "IDENTITY_MISMATCH",
            RuleViolation::SnilsOutsideSubtree => "SNILS_OUTSIDE_SUBTREE",
            RuleViolation::CardNotActive => "CARD_NOT_ACTIVE",
            RuleViolation::CardNumberTaken => "CARD_NUMBER_TAKEN",
            RuleViolation::ParentNotFound => "PARENT_NOT_FOUND",
            RuleViolation::ParentDissolved => "PARENT_DISSOLVED",
            RuleViolation::ParentLevel { .. } => "PARENT_LEVEL",
            RuleViolation::MoveCreatesCycle => "MOVE_CREATES_CYCLE",
            RuleViolation::SameParent => "SAME_PARENT",
            RuleViolation::NotEmpty { .. } => "NOT_EMPTY",
            RuleViolation::AlreadyDissolved => "ALREADY_DISSOLVED",
            RuleViolation::SecondCentral => "SECOND_CENTRAL",
            RuleViolation::NotAPrimary => "NOT_A_PRIMARY",
            RuleViolation::NotAnAdmin => "NOT_AN_ADMIN",
            RuleViolation::OutsideSubtree => "OUTSIDE_SUBTREE",
            RuleViolation::AlreadyRevoked => "ALREADY_REVOKED",
            RuleViolation::RoleOverDissolved => "ROLE_OVER_DISSOLVED",
            RuleViolation::MeetingConvened => "MEETING_CONVENED",
            RuleViolation::MeetingOfDissolved => "MEETING_OF_DISSOLVED",
            RuleViolation::MeetingNotConvened => "MEETING_NOT_CONVENED",
            RuleViolation::UnknownCard => "UNKNOWN_CARD",
            RuleViolation::OutsideMeeting => "OUTSIDE_MEETING",
            RuleViolation::AlreadyPresent => "ALREADY_PRESENT",
        }
    }

    /// The number (1..=7) of the rule in DESIGN.md "Rules the registry enforces".
    ///
    /// Applications count as admission (2), an expulsion's basis and erasure as the
    /// rules on ending and changing a membership (3), organisation dates as
    /// effective dates (4), and access rules as "who did it" (7).
    pub fn rule_number(&self) -> u8 {
        match self {
            RuleViolation::ActiveElsewhere { .. } => 1,
            RuleViolation::HomeNotFound
            | RuleViolation::HomeDissolved
            | RuleViolation::NotAHomeLevel { .. }
            | RuleViolation::TooYoung { .. }
            | RuleViolation::ApplicationDecided => 2,
            RuleViolation::NotAMember
            | RuleViolation::SameHome
            | RuleViolation::AlreadyErased
            | RuleViolation::ExpulsionWithoutBasis => 3,
            RuleViolation::BeforeCurrentSpell { .. }
            | RuleViolation::FutureDate { .. }
            | RuleViolation::BeforeCurrentPlacement { .. }
            | RuleViolation::BeforeEstablishment { .. }
            | RuleViolation::BeforeCurrentPassport { .. } => 4,
            RuleViolation::SnilsTaken { .. }
            | RuleViolation::IdentityMismatch
            | RuleViolation::SnilsOutsideSubtree => 5,
            RuleViolation::CardNotActive
            | RuleViolation::CardNumberTaken
            | RuleViolation::ParentNotFound
            | RuleViolation::ParentDissolved
            | RuleViolation::ParentLevel { .. }
            | RuleViolation::MoveCreatesCycle
            | RuleViolation::SameParent
            | RuleViolation::NotEmpty { .. }
            | RuleViolation::AlreadyDissolved
            | RuleViolation::SecondCentral
            | RuleViolation::NotAPrimary
            | RuleViolation::MeetingConvened
            | RuleViolation::MeetingOfDissolved
            | RuleViolation::MeetingNotConvened
            | RuleViolation::UnknownCard
            | RuleViolation::OutsideMeeting
            | RuleViolation::AlreadyPresent => 6,
            RuleViolation::NotAnAdmin
            | RuleViolation::OutsideSubtree
            | RuleViolation::AlreadyRevoked
            | RuleViolation::RoleOverDissolved => 7,
        }
    }
}

/// Refuses a date after today.
pub(crate) fn not_after_today(date: NaiveDate, today: NaiveDate) -> Result<(), RuleViolation> {
    if date > today {
        return Err(RuleViolation::FutureDate { date, today });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_screaming_snake_and_every_number_is_a_charter_rule() {
        let samples = [
            RuleViolation::SameHome,
            RuleViolation::ActiveElsewhere {
                home_org: OrgId(uuid::Uuid::nil()),
            },
            RuleViolation::NotEmpty { active_members: 3 },
            RuleViolation::AlreadyRevoked,
        ];
        for violation in samples {
            let code = violation.rule();
            assert!(
                code.bytes().all(|b| b.is_ascii_uppercase() || b == b'_'),
                "{code}"
            );
            assert!((1..=7).contains(&violation.rule_number()));
        }
    }

    #[test]
    fn messages_are_lowercase_without_a_trailing_period() {
        let message = RuleViolation::SameHome.to_string();
        assert!(message.starts_with(char::is_lowercase) && !message.ends_with('.'));
    }
}
