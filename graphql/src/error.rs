//! Every error the API returns, mapped once to the contract's codes.
//!
//! Resolvers return `Result<_, ApiError>`; `From` impls let `?` turn any lower
//! error into one, and [`ApiError::extend`] is the only place that writes
//! `extensions.code` (and `extensions.rule` for the charter's refusals).

use async_graphql::ErrorExtensions;
use domain::error::DomainError;
use domain::rules::RuleViolation;

use crate::commands::CommandError;

/// The contract's error codes (api.graphql's header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    Validation,
    NotFound,
    Conflict,
    RuleViolation,
    Unauthenticated,
    Forbidden,
    RateLimited,
    Internal,
}

impl Code {
    /// The code as `extensions.code` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Validation => "VALIDATION",
            Code::NotFound => "NOT_FOUND",
            Code::Conflict => "CONFLICT",
            Code::RuleViolation => "RULE_VIOLATION",
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::RateLimited => "RATE_LIMITED",
            Code::Internal => "INTERNAL",
        }
    }
}

/// An error as the API reports it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Malformed input; `field` names the input at fault when known.
    #[error("{message}")]
    Validation {
        message: String,
        field: Option<&'static str>,
    },
    /// Nothing with that id.
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// Someone else changed it first, or it exists already.
    #[error("{0}")]
    Conflict(String),
    /// The charter refuses it.
    #[error(transparent)]
    Rule(RuleViolation),
    /// No valid token.
    #[error("a valid bearer token is required")]
    Unauthenticated,
    /// The token's role or subtree does not cover this.
    #[error("{0}")]
    Forbidden(String),
    /// Too many requests from this client.
    #[error("too many requests; try again later")]
    RateLimited,
    /// Our fault; the message is logged, not shown.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    /// The contract's code for this error.
    pub fn code(&self) -> Code {
        match self {
            ApiError::Validation { .. } => Code::Validation,
            ApiError::NotFound { .. } => Code::NotFound,
            ApiError::Conflict(_) => Code::Conflict,
            ApiError::Rule(_) => Code::RuleViolation,
            ApiError::Unauthenticated => Code::Unauthenticated,
            ApiError::Forbidden(_) => Code::Forbidden,
            ApiError::RateLimited => Code::RateLimited,
            ApiError::Internal(_) => Code::Internal,
        }
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        if let ApiError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
        async_graphql::Error::new(self.to_string()).extend_with(|_, extensions| {
            extensions.set("code", self.code().as_str());
            match self {
                ApiError::Rule(rule) => {
                    extensions.set("rule", rule.rule());
                    extensions.set("charterRule", rule.rule_number());
                }
                ApiError::Validation {
                    field: Some(field), ..
                } => extensions.set("field", *field),
                _ => {}
            }
        })
    }
}

impl ApiError {
    /// The error as a response error of its own (outside a resolver: refused
    /// before execution, or withheld after it), with its extensions.
    pub fn server_error(&self) -> async_graphql::ServerError {
        let extended = self.extend();
        let mut server_error = async_graphql::ServerError::new(extended.message, None);
        server_error.extensions = extended.extensions;
        server_error
    }
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> ApiError {
        match error {
            DomainError::Rule(rule) => ApiError::Rule(rule),
            DomainError::Validation(input) => ApiError::Validation {
                message: input.to_string(),
                field: Some(input.field()),
            },
            DomainError::NotFound { what } => ApiError::NotFound { what },
            already @ DomainError::AlreadyExists { .. } => ApiError::Conflict(already.to_string()),
        }
    }
}

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> ApiError {
        match error {
            CommandError::Domain(error) => error.into(),
            conflict @ CommandError::Conflict { .. } => ApiError::Conflict(conflict.to_string()),
            CommandError::Log(error) => error.into(),
        }
    }
}

impl From<eventlog::Error> for ApiError {
    fn from(error: eventlog::Error) -> ApiError {
        match error {
            conflict @ eventlog::Error::Conflict { .. } => ApiError::Conflict(conflict.to_string()),
            eventlog::Error::Erased { .. } => ApiError::Rule(RuleViolation::AlreadyErased),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Value;
    use domain::error::InvalidInput;

    use super::*;

    fn extensions(error: impl Into<ApiError>) -> (String, Option<Value>, Option<Value>) {
        let error = error.into().extend();
        let extensions = error.extensions.expect("every error carries extensions");
        let code = match extensions.get("code") {
            Some(Value::String(code)) => code.clone(),
            other => panic!("no code: {other:?}"),
        };
        (
            code,
            extensions.get("rule").cloned(),
            extensions.get("field").cloned(),
        )
    }

    #[test]
    fn charter_refusals_carry_their_rule() {
        let (code, rule, _) = extensions(DomainError::from(RuleViolation::SameHome));
        assert_eq!(code, "RULE_VIOLATION");
        assert_eq!(rule, Some(Value::String("SAME_HOME".into())));
    }

    #[test]
    fn every_lower_error_maps_to_the_contract_s_code() {
        assert_eq!(
            extensions(DomainError::from(InvalidInput::EmptyName)).0,
            "VALIDATION"
        );
        assert_eq!(
            extensions(DomainError::from(InvalidInput::EmptyName)).2,
            Some(Value::String("name".into()))
        );
        assert_eq!(
            extensions(DomainError::NotFound { what: "member" }).0,
            "NOT_FOUND"
        );
        assert_eq!(
            extensions(DomainError::AlreadyExists {
                what: "organisation"
            })
            .0,
            "CONFLICT"
        );
        let conflict = CommandError::Conflict {
            stream: "person-x".into(),
            expected: 2,
            actual: 3,
        };
        assert_eq!(extensions(conflict).0, "CONFLICT");
        assert_eq!(
            extensions(eventlog::Error::Erased {
                stream: "person-x".into()
            })
            .1,
            Some(Value::String("ALREADY_ERASED".into()))
        );
        assert_eq!(extensions(eventlog::Error::Closed).0, "INTERNAL");
        for (error, code) in [
            (ApiError::Unauthenticated, "UNAUTHENTICATED"),
            (
                ApiError::Forbidden("outside your subtree".into()),
                "FORBIDDEN",
            ),
            (ApiError::RateLimited, "RATE_LIMITED"),
        ] {
            assert_eq!(extensions(error).0, code);
        }
    }

    #[test]
    fn an_internal_error_shows_no_detail() {
        let error = ApiError::Internal("sqlite: disk I/O error at /var/lib/x".into()).extend();
        assert_eq!(error.message, "internal error");
    }
}
