//! Every error the API returns, mapped once to the contract's codes.
//!
//! Resolvers return `Result<_, ApiError>`: `?` turns the application layer's
//! [`app::Error`] into one, and [`ApiError::extend`] is the only place that
//! writes `extensions.code` (and `extensions.rule` for the charter's refusals,
//! `extensions.field` for bad input).

use async_graphql::ErrorExtensions;

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
    /// The request took longer than the server allows (an addition to the
    /// contract's codes; HTTP 408).
    Timeout,
    /// A persisted query's hash names no document the server knows: send the
    /// document with it (an addition, as Apollo's persisted-query link expects).
    PersistedQueryNotFound,
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
            Code::Timeout => "TIMEOUT",
            Code::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
        }
    }

    /// The code `extensions.code` spells `code`.
    pub fn parse(code: &str) -> Option<Code> {
        [
            Code::Validation,
            Code::NotFound,
            Code::Conflict,
            Code::RuleViolation,
            Code::Unauthenticated,
            Code::Forbidden,
            Code::RateLimited,
            Code::Internal,
            Code::Timeout,
            Code::PersistedQueryNotFound,
        ]
        .into_iter()
        .find(|known| known.as_str() == code)
    }

    /// The HTTP status of a request refused before execution with this code
    /// (under `application/graphql-response+json`).
    pub fn status(self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Code::Validation | Code::RuleViolation | Code::PersistedQueryNotFound => {
                StatusCode::BAD_REQUEST
            }
            Code::NotFound => StatusCode::NOT_FOUND,
            Code::Conflict => StatusCode::CONFLICT,
            Code::Unauthenticated => StatusCode::UNAUTHORIZED,
            Code::Forbidden => StatusCode::FORBIDDEN,
            Code::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Code::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Code::Timeout => StatusCode::REQUEST_TIMEOUT,
        }
    }

    /// The code of `error`.
    pub fn of(error: &app::Error) -> Code {
        match error {
            app::Error::Validation { .. } => Code::Validation,
            app::Error::NotFound { .. } => Code::NotFound,
            app::Error::Conflict(_) => Code::Conflict,
            app::Error::Rule(_) => Code::RuleViolation,
            app::Error::Unauthenticated => Code::Unauthenticated,
            app::Error::Forbidden(_) => Code::Forbidden,
            app::Error::RateLimited => Code::RateLimited,
            app::Error::Internal(_) | app::Error::Unavailable(_) => Code::Internal,
        }
    }
}

/// An error as the API reports it: the application layer's, in GraphQL's
/// clothes (a newtype, since both the error and async-graphql's traits are
/// foreign here).
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(pub app::Error);

impl ApiError {
    /// The contract's code for this error.
    pub fn code(&self) -> Code {
        Code::of(&self.0)
    }

    /// The error as a response error of its own (outside a resolver: refused
    /// before execution, or withheld after it), with its extensions.
    pub fn server_error(&self) -> async_graphql::ServerError {
        let extended = self.extend();
        let mut server_error = async_graphql::ServerError::new(extended.message, None);
        server_error.extensions = extended.extensions;
        server_error
    }
}

impl From<app::Error> for ApiError {
    fn from(error: app::Error) -> ApiError {
        ApiError(error)
    }
}

impl ErrorExtensions for ApiError {
    fn extend(&self) -> async_graphql::Error {
        if let app::Error::Internal(detail) = &self.0 {
            tracing::error!(%detail, "internal error");
        }
        async_graphql::Error::new(self.0.to_string()).extend_with(|_, extensions| {
            extensions.set("code", self.code().as_str());
            match &self.0 {
                app::Error::Rule(rule) => {
                    extensions.set("rule", rule.rule());
                    extensions.set("charterRule", rule.rule_number());
                }
                app::Error::Validation {
                    field: Some(field), ..
                } => extensions.set("field", *field),
                // The contract's codes are closed: INTERNAL, with a reason a
                // client may tell apart from a bug.
                app::Error::Unavailable(_) => extensions.set("reason", "UNAVAILABLE"),
                _ => {}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::Value;
    use domain::error::{DomainError, InvalidInput};
    use domain::rules::RuleViolation;

    use super::*;

    fn extensions(error: impl Into<app::Error>) -> (String, Option<Value>, Option<Value>) {
        let error = ApiError(error.into()).extend();
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
        let conflict = app::Error::Conflict(app::Conflict::Version {
            stream: "person-x".into(),
            expected: 2,
            actual: 3,
        });
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
            (app::Error::Unauthenticated, "UNAUTHENTICATED"),
            (
                app::Error::Forbidden(app::Refusal::PersonalData),
                "FORBIDDEN",
            ),
            (app::Error::RateLimited, "RATE_LIMITED"),
        ] {
            assert_eq!(extensions(error).0, code);
        }
    }

    #[test]
    fn an_internal_error_shows_no_detail() {
        let error = ApiError(app::Error::internal("sqlite: disk I/O error at /var/lib/x")).extend();
        assert_eq!(error.message, "internal error");
    }
}
