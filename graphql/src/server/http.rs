//! GraphQL over HTTP as its specification says (graphql.github.io/graphql-over-http):
//! the request's parameters from a JSON body or a GET's query string, the
//! media type of the answer from `Accept`, and the status code that goes with
//! the answer under that media type.
//!
//! Under `application/json` every well-formed request answers 200, errors
//! and all (what older clients expect); under
//! `application/graphql-response+json` an answer without `data` (the request
//! failed before execution: syntax, validation, variables, token) carries a
//! 4xx or 5xx status of its error's code. A request that is no GraphQL
//! request at all (no JSON, no `query`, parameters of the wrong type) is 400
//! under both.

use async_graphql::{ServerError, Variables};
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

use crate::error::Code;

/// `application/json`, the media type every client understands.
pub const JSON: &str = "application/json; charset=utf-8";
/// `application/graphql-response+json`, whose status codes say what failed.
pub const GRAPHQL_RESPONSE: &str = "application/graphql-response+json; charset=utf-8";

/// The media type an answer is sent as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    /// `application/json`.
    Json,
    /// `application/graphql-response+json`.
    GraphqlResponse,
}

impl MediaType {
    /// The media type `headers`' `Accept` prefers; `None` when it accepts
    /// neither (406). No `Accept`, `*/*` and `application/*` mean
    /// `application/json`, as the specification asks.
    pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
        let accept: Vec<&str> = headers
            .get_all(ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        if accept.iter().all(|value| value.trim().is_empty()) {
            return Some(MediaType::Json);
        }
        let (mut json, mut graphql) = (Quality::NONE, Quality::NONE);
        for range in accept.iter().flat_map(|value| value.split(',')) {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|param| param.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match media.as_str() {
                "application/graphql-response+json" => graphql.offer(3, q),
                "application/json" => json.offer(3, q),
                "application/*" | "*/*" => {
                    json.offer(1, q);
                    graphql.offer(1, q);
                }
                _ => {}
            }
        }
        // A wildcard alone means application/json; a client that names
        // graphql-response+json as well as json, equally, gets the former.
        let graphql_q = if graphql.specificity == 3 {
            graphql.q
        } else {
            0.0
        };
        if graphql_q > 0.0 && graphql_q >= json.q {
            Some(MediaType::GraphqlResponse)
        } else if json.q > 0.0 {
            Some(MediaType::Json)
        } else {
            None
        }
    }

    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            MediaType::Json => JSON,
            MediaType::GraphqlResponse => GRAPHQL_RESPONSE,
        })
    }
}

/// How much a client wants a media type: the `q` of the most specific range
/// that names it.
#[derive(Clone, Copy)]
struct Quality {
    specificity: u8,
    q: f32,
}

impl Quality {
    const NONE: Quality = Quality {
        specificity: 0,
        q: 0.0,
    };

    fn offer(&mut self, specificity: u8, q: f32) {
        if specificity > self.specificity || (specificity == self.specificity && q > self.q) {
            *self = Quality { specificity, q };
        }
    }
}

/// The parameters of one GraphQL request, checked for their types.
#[derive(Debug, Default, PartialEq)]
pub struct Params {
    /// The document; absent only for a persisted query named by its hash.
    pub query: Option<String>,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
    pub extensions: Map<String, Value>,
}

impl Params {
    /// The parameters of a JSON body (`{"query": …, "variables": …}`).
    ///
    /// # Errors
    /// Not JSON, not an object, or a parameter of the wrong type.
    pub fn from_json(body: &[u8]) -> Result<Params, String> {
        if body.is_empty() {
            return Err("the request has no body".into());
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|error| format!("the body is not JSON: {error}"))?;
        let Value::Object(object) = value else {
            return Err("the body is not a JSON object (batches are not served)".into());
        };
        let string = |name: &str| match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(format!("`{name}` is not a string")),
        };
        let map = |name: &str| match object.get(name) {
            None | Some(Value::Null) => Ok(Map::new()),
            Some(Value::Object(map)) => Ok(map.clone()),
            Some(_) => Err(format!("`{name}` is not an object")),
        };
        Params {
            query: string("query")?,
            operation_name: string("operationName")?,
            variables: map("variables")?,
            extensions: map("extensions")?,
        }
        .checked()
    }

    /// The parameters of a GET's query string, `variables` and `extensions`
    /// being URL-encoded JSON.
    ///
    /// # Errors
    /// `variables` or `extensions` not a JSON object.
    pub fn from_query_string(pairs: &[(String, String)]) -> Result<Params, String> {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(key, _)| key == name)
                .map(|(_, value)| value.clone())
        };
        let map = |name: &str| match get(name) {
            None => Ok(Map::new()),
            Some(text) if text.is_empty() => Ok(Map::new()),
            Some(text) => match serde_json::from_str::<Value>(&text) {
                Ok(Value::Object(map)) => Ok(map),
                Ok(Value::Null) => Ok(Map::new()),
                _ => Err(format!("`{name}` is not a JSON object")),
            },
        };
        Params {
            query: get("query"),
            operation_name: get("operationName").filter(|name| !name.is_empty()),
            variables: map("variables")?,
            extensions: map("extensions")?,
        }
        .checked()
    }

    /// A request must carry a document, or name a persisted one.
    fn checked(self) -> Result<Params, String> {
        if self.query.is_none() && !self.extensions.contains_key("persistedQuery") {
            return Err("the request has no `query`".into());
        }
        Ok(self)
    }

    /// The async-graphql request of these parameters with `query` its
    /// document.
    pub fn into_request(self, query: String) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(query)
            .variables(Variables::from_json(Value::Object(self.variables)));
        request.operation_name = self.operation_name;
        for (key, value) in self.extensions {
            if let Ok(value) = async_graphql::Value::from_json(value) {
                request.extensions.insert(key, value);
            }
        }
        request
    }
}

/// Whether the request's body is JSON (the only body a POST may have here).
/// `None` when it says no content type at all.
pub fn is_json(headers: &HeaderMap) -> Option<bool> {
    let content_type = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let media = content_type.split(';').next().unwrap_or("").trim();
    Some(media.eq_ignore_ascii_case("application/json"))
}

/// The answer to a request: `response` as `media`, with the status the
/// specification gives it.
pub fn answer(media: MediaType, response: async_graphql::Response) -> Response {
    let request_error = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    let status = match (media, request_error) {
        (MediaType::GraphqlResponse, true) => status_of(&response.errors),
        _ => StatusCode::OK,
    };
    let headers = response.http_headers.clone();
    let mut body = match serde_json::to_value(&response) {
        Ok(Value::Object(body)) => body,
        _ => Map::new(),
    };
    if request_error {
        // Nothing was executed: no `data` at all (the GraphQL specification).
        body.remove("data");
    }
    let mut answer = (status, body_bytes(&Value::Object(body))).into_response();
    answer.headers_mut().extend(headers);
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, media.content_type());
    answer
}

/// An answer of `errors` alone with `status`, whatever the media type: the
/// request was no GraphQL request (400), too large (413), too slow (408), of
/// a content type not served (415), or asked for a media type not served (406).
pub fn refuse(media: MediaType, status: StatusCode, errors: Vec<ServerError>) -> Response {
    let body = serde_json::json!({ "errors": errors });
    let mut answer = (status, body_bytes(&body)).into_response();
    answer
        .headers_mut()
        .insert(CONTENT_TYPE, media.content_type());
    answer
}

fn body_bytes(body: &Value) -> Vec<u8> {
    serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec())
}

/// The status of an answer without data under graphql-response+json: that of
/// its first error's code.
fn status_of(errors: &[ServerError]) -> StatusCode {
    let code = errors.first().and_then(|error| {
        error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .and_then(|code| match code {
                async_graphql::Value::String(code) => Code::parse(code),
                _ => None,
            })
    });
    code.map_or(StatusCode::BAD_REQUEST, Code::status)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderName;

    use super::*;

    fn accepting(accept: Option<&str>) -> Option<MediaType> {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(ACCEPT, accept.parse().unwrap());
        }
        MediaType::negotiate(&headers)
    }

    #[test]
    fn accept_picks_the_media_type() {
        use MediaType::*;
        assert_eq!(accepting(None), Some(Json));
        assert_eq!(accepting(Some("*/*")), Some(Json));
        assert_eq!(accepting(Some("application/json")), Some(Json));
        assert_eq!(
            accepting(Some("application/graphql-response+json")),
            Some(GraphqlResponse)
        );
        // Apollo Client's and graphql-http's clients.
        assert_eq!(
            accepting(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            Some(GraphqlResponse)
        );
        assert_eq!(
            accepting(Some(
                "application/json, application/graphql-response+json;q=0.5"
            )),
            Some(Json)
        );
        assert_eq!(accepting(Some("text/html, */*;q=0.8")), Some(Json));
        assert_eq!(accepting(Some("text/html")), None);
        assert_eq!(accepting(Some("application/json;q=0")), None);
    }

    #[test]
    fn parameters_of_the_wrong_type_are_refused() {
        assert!(Params::from_json(br#"{"query": "{ a }"}"#).is_ok());
        for bad in [
            &b""[..],
            b"{ \"not a JSON",
            b"[]",
            br#"{"qeury": "{ a }"}"#,
            br#"{"query": {"obj": "ect"}}"#,
            br#"{"query": 0}"#,
            br#"{"query": "{ a }", "operationName": false}"#,
            br#"{"query": "{ a }", "variables": "string"}"#,
            br#"{"query": "{ a }", "extensions": ["array"]}"#,
        ] {
            assert!(
                Params::from_json(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let nulls = Params::from_json(
            br#"{"query": "{ a }", "operationName": null, "variables": null, "extensions": null}"#,
        )
        .unwrap();
        assert_eq!(nulls.query.as_deref(), Some("{ a }"));
        let persisted = Params::from_json(
            br#"{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab"}}}"#,
        )
        .unwrap();
        assert_eq!(persisted.query, None);
    }

    #[test]
    fn a_get_carries_json_in_its_query_string() {
        let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
            list.iter()
                .map(|(key, value)| (key.to_string(), value.to_string()))
                .collect()
        };
        let params =
            Params::from_query_string(&pairs(&[("query", "{ a }"), ("variables", r#"{"x": 1}"#)]))
                .unwrap();
        assert_eq!(params.variables["x"], 1);
        assert!(Params::from_query_string(&pairs(&[("variables", "{}")])).is_err());
        assert!(
            Params::from_query_string(&pairs(&[("query", "{ a }"), ("variables", "[1]")])).is_err()
        );
    }

    #[test]
    fn the_content_type_must_be_json() {
        let with = |value: Option<&str>| {
            let mut headers = HeaderMap::new();
            if let Some(value) = value {
                headers.insert(
                    HeaderName::from_static("content-type"),
                    value.parse().unwrap(),
                );
            }
            is_json(&headers)
        };
        assert_eq!(with(None), None);
        assert_eq!(with(Some("application/json; charset=utf-8")), Some(true));
        assert_eq!(with(Some("text/plain")), Some(false));
    }
}
