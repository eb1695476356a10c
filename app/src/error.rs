//! [`Error`]: why the application layer refused or failed, in the contract's
//! categories. Every front door maps it once, its own way: GraphQL codes,
//! Russian page messages, the command line's exit status.
//!
//! The variants keep what a door needs to say it well: the input field at
//! fault, the charter rule, the action a role may not take, the stream that
//! moved. Messages are lowercase English without a trailing period; a door that
//! speaks Russian matches the variant, not the message.

use domain::error::DomainError;
use domain::rules::RuleViolation;
use domain::vocabulary::access::Role;

use crate::guard::Action;

/// Why an application call was not carried out. A command refused for any
/// reason wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Malformed input; `field` names the input at fault (in the API's
    /// spelling, e.g. `lastName`) when one is.
    #[error("{message}")]
    Validation {
        /// What is wrong, e.g. `lastName is longer than 200 characters`.
        message: String,
        /// The input at fault.
        field: Option<&'static str>,
    },
    /// Nothing with that id.
    #[error("{what} not found")]
    NotFound {
        /// What was looked for: `organisation`, `member`, `card`, …
        what: &'static str,
    },
    /// Someone else changed it first, or it exists already.
    #[error(transparent)]
    Conflict(Conflict),
    /// The charter refuses it.
    #[error(transparent)]
    Rule(RuleViolation),
    /// No valid token where one is needed (or a bad one was given).
    #[error("a valid bearer token is required")]
    Unauthenticated,
    /// The viewer's role or subtree does not cover this.
    #[error(transparent)]
    Forbidden(Refusal),
    /// Too many requests from this client.
    #[error("too many requests; try again later")]
    RateLimited,
    /// The registry cannot write now (its disk is full); nothing was written,
    /// and the same request succeeds once the operator frees space. Unlike
    /// [`Error::Internal`] the reason is the client's to see.
    #[error("the registry cannot write now: {0}; nothing was written, try again later")]
    Unavailable(String),
    /// Our fault (storage, a stopped task); the detail is for the log, not
    /// for the one who asked.
    #[error("internal error")]
    Internal(String),
}

/// Why a change collided with the registry as it is.
#[derive(Debug, thiserror::Error)]
pub enum Conflict {
    /// The stream is not at the version the command expected (the client
    /// pinned one, or it stayed busy through every attempt).
    #[error("{stream} is at version {actual}, expected {expected}")]
    Version {
        /// The stream.
        stream: String,
        /// What was expected.
        expected: u64,
        /// What it is.
        actual: u64,
    },
    /// The client's `commandId` was used before, by the same holder, for a
    /// command with another input: a repeat must send what it sent first.
    #[error("this commandId was used before with another input")]
    CommandReused,
    /// The command would create something that exists already.
    #[error("{what} already exists")]
    Exists {
        /// What exists: `organisation`, `access holder`, …
        what: &'static str,
    },
}

/// Why a viewer may not do something (DESIGN.md §4).
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The role may not do this anywhere.
    #[error("the {role:?} role may not {}", action.describe())]
    Role {
        /// The viewer's role.
        role: Role,
        /// What was asked.
        action: Action,
    },
    /// The role may, but not there: outside the viewer's subtree.
    #[error("outside the subtree of your role: you may not {} there", action.describe())]
    OutsideSubtree {
        /// What was asked.
        action: Action,
    },
    /// Personal data asked for by a role that never sees it (an ANALYST):
    /// refused, not answered with nulls.
    #[error("personal data is not shown to this role")]
    PersonalData,
    /// Something only a holder of the CENTRAL organisation may do; the text
    /// says what.
    #[error("{0}")]
    RootOnly(&'static str),
    /// A member in their cabinet asked for something beyond their own record.
    #[error("a member signed in to their cabinet sees only their own record")]
    Member,
    /// A cabinet's call made by someone who is not signed in to one.
    #[error("only a member signed in to their cabinet may do this")]
    NotAMember,
}

impl Error {
    /// A validation error of `field`.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Error {
        Error::Validation {
            message: message.into(),
            field: Some(field),
        }
    }

    /// An internal error with its detail (logged by the door, never shown).
    pub fn internal(detail: impl std::fmt::Display) -> Error {
        Error::Internal(detail.to_string())
    }
}

impl From<DomainError> for Error {
    fn from(error: DomainError) -> Error {
        match error {
            DomainError::Rule(rule) => Error::Rule(rule),
            DomainError::Validation(input) => Error::Validation {
                message: input.to_string(),
                field: Some(input.field()),
            },
            DomainError::NotFound { what } => Error::NotFound { what },
            DomainError::AlreadyExists { what } => Error::Conflict(Conflict::Exists { what }),
        }
    }
}

impl From<RuleViolation> for Error {
    fn from(rule: RuleViolation) -> Error {
        Error::Rule(rule)
    }
}

impl From<Refusal> for Error {
    fn from(refusal: Refusal) -> Error {
        Error::Forbidden(refusal)
    }
}

impl From<eventlog::Error> for Error {
    fn from(error: eventlog::Error) -> Error {
        match error {
            eventlog::Error::Conflict {
                stream,
                expected,
                actual,
            } => Error::Conflict(Conflict::Version {
                stream,
                expected: match expected {
                    eventlog::ExpectedVersion::Exact(version) => version,
                    _ => 0,
                },
                actual,
            }),
            eventlog::Error::Erased { .. } => Error::Rule(RuleViolation::AlreadyErased),
            eventlog::Error::StorageFull { .. } => Error::Unavailable("its disk is full".into()),
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<eventlog::codec::CodecError> for Error {
    fn from(error: eventlog::codec::CodecError) -> Error {
        Error::Internal(error.to_string())
    }
}

impl From<projections::registry::QueryError> for Error {
    fn from(error: projections::registry::QueryError) -> Error {
        match error {
            projections::registry::QueryError::UnknownOrganization => Error::NotFound {
                what: "organisation",
            },
            projections::registry::QueryError::BadCursor => {
                Error::invalid("after", error.to_string())
            }
        }
    }
}

impl From<projections::statistics::StatisticsError> for Error {
    fn from(error: projections::statistics::StatisticsError) -> Error {
        use projections::statistics::StatisticsError;
        match error {
            StatisticsError::UnknownOrganization { .. } => Error::NotFound {
                what: "organisation",
            },
            dissolved @ StatisticsError::Dissolved { .. } => {
                Error::invalid("asOf", dissolved.to_string())
            }
            early @ StatisticsError::NotEstablished { .. } => {
                Error::invalid("asOf", early.to_string())
            }
            empty @ StatisticsError::EmptyPeriod { .. } => Error::invalid("to", empty.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use domain::error::InvalidInput;

    use super::*;

    #[test]
    fn every_lower_error_lands_in_its_category() {
        assert!(matches!(
            Error::from(DomainError::from(RuleViolation::SameHome)),
            Error::Rule(RuleViolation::SameHome)
        ));
        assert!(matches!(
            Error::from(DomainError::from(InvalidInput::EmptyName)),
            Error::Validation {
                field: Some("name"),
                ..
            }
        ));
        assert!(matches!(
            Error::from(DomainError::AlreadyExists {
                what: "organisation"
            }),
            Error::Conflict(Conflict::Exists { .. })
        ));
        assert!(matches!(
            Error::from(eventlog::Error::Erased {
                stream: "person-x".into()
            }),
            Error::Rule(RuleViolation::AlreadyErased)
        ));
        assert!(matches!(
            Error::from(eventlog::Error::Closed),
            Error::Internal(_)
        ));
    }

    #[test]
    fn an_internal_error_shows_no_detail() {
        let error = Error::internal("sqlite: disk I/O error at /var/lib/x");
        assert_eq!(error.to_string(), "internal error");
    }
}
