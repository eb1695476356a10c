//! How the command line reports what the application layer refused: the same
//! code and rule the API gives (`graphql::error::Code`), a colon, the message;
//! the binary exits with [`REFUSED`] then.

use std::fmt;

use graphql::error::Code;

/// The exit status of a refused command (bad input, a rule, rights): the
/// operator's to fix, unlike a failure (status 1).
pub const REFUSED: u8 = 2;

/// A refusal, as the command line prints it.
#[derive(Debug)]
pub struct Refused(pub app::Error);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = Code::of(&self.0).as_str();
        match &self.0 {
            app::Error::Rule(rule) => write!(
                f,
                "{code} {} (charter rule {}): {rule}",
                rule.rule(),
                rule.rule_number()
            ),
            app::Error::Validation {
                message,
                field: Some(field),
            } => write!(f, "{code} {field}: {message}"),
            app::Error::NotFound { what } => {
                write!(f, "{code}: no {what} by that id in this registry")
            }
            // The operator has the log itself: the detail is theirs to see.
            app::Error::Internal(detail) => write!(f, "{code}: {detail}"),
            other => write!(f, "{code}: {other}"),
        }
    }
}

impl std::error::Error for Refused {}

impl From<app::Error> for Refused {
    fn from(error: app::Error) -> Refused {
        Refused(error)
    }
}
