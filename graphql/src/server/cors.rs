//! Which web origins may call the API from a browser: CORS for `/graphql`,
//! and the `Origin` of a WebSocket, which browsers send but do not check.
//!
//! None is allowed by default: a page of another origin cannot read an answer
//! nor open a subscription (its own origin, the server's, always may). Clients
//! outside a browser send no `Origin` and are not concerned.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use axum::http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The allowed origins, each `scheme://host[:port]` as a browser sends it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origins(Vec<String>);

/// An origin that is not `http(s)://host[:port]`.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an origin (http://host or https://host:port, without a path)")]
pub struct BadOrigin(String);

impl FromStr for Origins {
    type Err = BadOrigin;

    /// A comma-separated list of origins.
    fn from_str(list: &str) -> Result<Origins, BadOrigin> {
        let mut origins = Vec::new();
        for origin in list.split(',').map(str::trim).filter(|o| !o.is_empty()) {
            let rest = origin
                .strip_prefix("http://")
                .or_else(|| origin.strip_prefix("https://"))
                .ok_or_else(|| BadOrigin(origin.into()))?;
            if rest.is_empty() || rest.contains(['/', '?', '#', ' ']) {
                return Err(BadOrigin(origin.into()));
            }
            origins.push(origin.to_ascii_lowercase());
        }
        Ok(Origins(origins))
    }
}

impl fmt::Display for Origins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(","))
    }
}

impl Origins {
    /// The CORS layer for these origins; `None` when there is none.
    pub fn cors(&self) -> Option<CorsLayer> {
        if self.0.is_empty() {
            return None;
        }
        let allowed: Vec<HeaderValue> = self
            .0
            .iter()
            .filter_map(|origin| HeaderValue::from_str(origin).ok())
            .collect();
        Some(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(allowed))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([AUTHORIZATION, CONTENT_TYPE, ACCEPT])
                .max_age(Duration::from_secs(600)),
        )
    }

    /// Whether a WebSocket upgrade with `headers` may open: no `Origin` (not a
    /// browser), the server's own origin, or an allowed one.
    pub fn admits_websocket(&self, headers: &HeaderMap) -> bool {
        let Some(origin) = headers.get(ORIGIN).and_then(|o| o.to_str().ok()) else {
            return true;
        };
        let origin = origin.to_ascii_lowercase();
        let host = headers
            .get(HOST)
            .and_then(|host| host.to_str().ok())
            .map(str::to_ascii_lowercase);
        let same_origin = host.is_some_and(|host| {
            origin == format!("http://{host}") || origin == format!("https://{host}")
        });
        same_origin || self.0.contains(&origin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(HOST, "127.0.0.1:8080".parse().unwrap());
        if let Some(origin) = origin {
            headers.insert(ORIGIN, origin.parse().unwrap());
        }
        headers
    }

    #[test]
    fn origins_parse_and_bad_ones_are_refused() {
        let origins: Origins = "https://app.union.ru, http://localhost:3000"
            .parse()
            .unwrap();
        assert_eq!(
            origins.to_string(),
            "https://app.union.ru,http://localhost:3000"
        );
        assert_eq!("".parse::<Origins>().unwrap(), Origins::default());
        for bad in [
            "app.union.ru",
            "https://app.union.ru/path",
            "ftp://x",
            "https://",
        ] {
            assert!(bad.parse::<Origins>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_websocket_opens_from_no_origin_its_own_or_an_allowed_one() {
        let none = Origins::default();
        assert!(none.admits_websocket(&headers(None)));
        assert!(none.admits_websocket(&headers(Some("http://127.0.0.1:8080"))));
        assert!(!none.admits_websocket(&headers(Some("https://evil.example"))));
        let allowed: Origins = "https://app.union.ru".parse().unwrap();
        assert!(allowed.admits_websocket(&headers(Some("https://app.union.ru"))));
        assert!(!allowed.admits_websocket(&headers(Some("https://evil.example"))));
    }
}
