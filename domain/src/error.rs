//! [`DomainError`]: why `decide` refused a command.
//!
//! Three kinds, mapped once at the edge: a broken charter rule
//! ([`RuleViolation`], `RULE_VIOLATION`), malformed input ([`InvalidInput`],
//! `VALIDATION`) and state that is missing or already there (`NOT_FOUND`, `CONFLICT`).

use crate::rules::RuleViolation;

/// Why a command was refused. Expected in normal operation: a plain enum, not boxed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// The command would break a rule of the charter.
    #[error(transparent)]
    Rule(#[from] RuleViolation),
    /// The command itself is malformed.
    #[error(transparent)]
    Validation(#[from] InvalidInput),
    /// The command is about something that does not exist (yet).
    #[error("{what} not found")]
    NotFound {
        /// What was looked for: "organisation", "person", "application", "access holder".
        what: &'static str,
    },
    /// The command would create something that already exists.
    #[error("{what} already exists")]
    AlreadyExists {
        /// What exists: "organisation", "application", "access holder".
        what: &'static str,
    },
}

/// Malformed input: the command makes no sense whatever the registry holds.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInput {
    /// A name (organisation, surname, given name) is empty or blank.
    #[error("the name must not be empty")]
    EmptyName,
    /// A reason (rejection, card blocking) is empty or blank.
    #[error("the reason must not be empty")]
    EmptyReason,
    /// A legal basis (erasure) is empty or blank.
    #[error("the basis must not be empty")]
    EmptyBasis,
    /// The label of an access holder is empty or blank.
    #[error("the holder must not be empty")]
    EmptyHolder,
    /// A token hash that is not 64 hexadecimal digits (SHA-256).
    #[error("the token hash must be 64 hexadecimal digits")]
    TokenHash,
    /// A REGIONAL organisation needs a region code 1..=99; no other level has one.
    #[error(
        "a regional organisation needs a region code 1..99, other levels none (got {region_code:?})"
    )]
    RegionCode {
        /// The code given.
        region_code: Option<u8>,
    },
    /// Only a PRIMARY organisation can have the rights of a territorial one.
    #[error("only a primary organisation can have territorial rights")]
    TerritorialRightsNotPrimary,
    /// Every organisation but the CENTRAL one needs a parent.
    #[error("the organisation needs a parent")]
    MissingParent,
    /// An update that changes nothing.
    #[error("the update changes nothing")]
    NothingToChange,
    /// The profile's birth year is not the year of the birth date.
    #[error("the birth year does not match the birth date")]
    BirthYearMismatch,
    /// A decision dated before the application was submitted.
    #[error("the decision is dated before the application was submitted")]
    DecidedBeforeSubmission,
    /// An application without consent to the processing of personal data:
    /// the form is incomplete (152-FZ asks for consent before any processing),
    /// not a rule of the charter.
    #[error("an application needs consent to the processing of personal data")]
    NoConsent,
}

impl InvalidInput {
    /// The input field at fault, in the API's spelling.
    pub fn field(&self) -> &'static str {
        match self {
            InvalidInput::EmptyName => "name",
            InvalidInput::EmptyReason => "reason",
            InvalidInput::EmptyBasis => "basis",
            InvalidInput::EmptyHolder => "holder",
            InvalidInput::TokenHash => "tokenHash",
            InvalidInput::RegionCode { .. } => "regionCode",
            InvalidInput::TerritorialRightsNotPrimary => "territorialRights",
            InvalidInput::MissingParent => "parentId",
            InvalidInput::NothingToChange => "input",
            InvalidInput::BirthYearMismatch => "birthDate",
            InvalidInput::DecidedBeforeSubmission => "decidedOn",
            InvalidInput::NoConsent => "consent",
        }
    }
}

/// Refuses a blank text with `error`.
pub(crate) fn non_blank(text: &str, error: InvalidInput) -> Result<(), InvalidInput> {
    if text.trim().is_empty() {
        return Err(error);
    }
    Ok(())
}
