//! Automatic persisted queries, as Apollo's persisted-query link speaks them:
//! a client sends only the SHA-256 of its document
//! (`extensions.persistedQuery.sha256Hash`); an unknown hash answers
//! `PERSISTED_QUERY_NOT_FOUND`, and the client sends the document with its
//! hash once, which is checked and remembered.

use std::collections::HashMap;

use parking_lot::Mutex;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::error::Code;

/// Documents kept before starting over (a client making up documents must
/// not grow the server without bound).
const KEPT: usize = 4096;

/// The documents clients have sent with their hashes.
#[derive(Default)]
pub struct PersistedQueries(Mutex<HashMap<String, String>>);

/// Why a persisted query is refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The hash names no document known here.
    NotFound,
    /// The extension is malformed, of another version, or its hash is not
    /// that of the document sent with it.
    Invalid(String),
}

impl Refusal {
    /// The error's message and code, as Apollo's link reads them.
    pub fn message_and_code(&self) -> (String, Code) {
        match self {
            Refusal::NotFound => (
                "PersistedQueryNotFound".into(),
                Code::PersistedQueryNotFound,
            ),
            Refusal::Invalid(message) => (message.clone(), Code::Validation),
        }
    }
}

impl PersistedQueries {
    /// The document of a request with `query` and `extensions`: `query` itself
    /// without the extension; with it, the remembered document of its hash,
    /// or `query` once its hash is checked (and then remembered).
    ///
    /// # Errors
    /// [`Refusal`].
    pub fn document(
        &self,
        query: Option<String>,
        extensions: &Map<String, Value>,
    ) -> Result<String, Refusal> {
        let Some(persisted) = extensions.get("persistedQuery") else {
            return query.ok_or_else(|| Refusal::Invalid("the request has no `query`".into()));
        };
        let invalid = |message: &str| Refusal::Invalid(message.into());
        let Value::Object(persisted) = persisted else {
            return Err(invalid("`extensions.persistedQuery` is not an object"));
        };
        if persisted.get("version").and_then(Value::as_i64) != Some(1) {
            return Err(invalid("Unsupported persisted query version"));
        }
        let Some(hash) = persisted.get("sha256Hash").and_then(Value::as_str) else {
            return Err(invalid("`extensions.persistedQuery.sha256Hash` is missing"));
        };
        let hash = hash.to_ascii_lowercase();
        match query {
            None => self.0.lock().get(&hash).cloned().ok_or(Refusal::NotFound),
            Some(query) => {
                if hex(&Sha256::digest(query.as_bytes())) != hash {
                    return Err(invalid("provided sha does not match query"));
                }
                let mut kept = self.0.lock();
                if kept.len() >= KEPT {
                    kept.clear();
                }
                kept.insert(hash, query.clone());
                Ok(query)
            }
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn extensions(hash: &str) -> Map<String, Value> {
        match json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }) {
            Value::Object(map) => map,
            _ => unreachable!(),
        }
    }

    #[test]
    fn a_hash_is_found_once_its_document_was_sent_with_it() {
        let persisted = PersistedQueries::default();
        let query = "{ __typename }";
        let hash = hex(&Sha256::digest(query.as_bytes()));
        assert_eq!(
            persisted.document(None, &extensions(&hash)),
            Err(Refusal::NotFound)
        );
        assert_eq!(
            persisted.document(Some(query.into()), &extensions(&hash)),
            Ok(query.to_string())
        );
        assert_eq!(
            persisted.document(None, &extensions(&hash)),
            Ok(query.to_string())
        );
    }

    #[test]
    fn a_wrong_hash_or_version_is_refused() {
        let persisted = PersistedQueries::default();
        let wrong = "0".repeat(64);
        assert!(matches!(
            persisted.document(Some("{ __typename }".into()), &extensions(&wrong)),
            Err(Refusal::Invalid(_))
        ));
        assert_eq!(
            persisted.document(None, &extensions(&wrong)),
            Err(Refusal::NotFound)
        );
        let version_2 = match json!({ "persistedQuery": { "version": 2, "sha256Hash": wrong } }) {
            Value::Object(map) => map,
            _ => unreachable!(),
        };
        assert!(matches!(
            persisted.document(None, &version_2),
            Err(Refusal::Invalid(_))
        ));
        assert_eq!(
            persisted.document(Some("{ a }".into()), &Map::new()),
            Ok("{ a }".to_string())
        );
    }
}
