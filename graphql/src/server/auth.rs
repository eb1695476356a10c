//! Who sends a request: a bearer token's holder or nobody, and from where.
//!
//! No token is an anonymous request (public operations only); a token that is
//! malformed, unknown or revoked is refused with `UNAUTHENTICATED`, never
//! taken for anonymous, so a client learns its token is bad.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use serde_json::Value;

use app::{App, ClientAddr, Viewer};

use crate::error::ApiError;

/// The viewer of an HTTP request, from its `Authorization` header.
///
/// # Errors
/// `UNAUTHENTICATED` for a header that is not `Bearer <token>` or whose token
/// no active holder has (on a shared log, even after catching up with it).
pub async fn viewer_from_headers(app: &App, headers: &HeaderMap) -> Result<Viewer, ApiError> {
    let token = match headers.get(AUTHORIZATION) {
        None => None,
        Some(value) => Some(bearer(value.to_str().map_err(|_| unauthenticated())?)?),
    };
    Ok(app.authenticate(token).await?)
}

/// The viewer of a WebSocket connection, from its `connection_init` payload:
/// `{"Authorization": "Bearer <token>"}` or `{"token": "<token>"}`; none of
/// these is an anonymous connection.
///
/// # Errors
/// As [`viewer_from_headers`], and for a token that is not a string.
pub async fn viewer_from_init(app: &App, payload: &Value) -> Result<Viewer, ApiError> {
    let field = |names: &[&str]| names.iter().find_map(|name| payload.get(name));
    let token = if let Some(header) = field(&["Authorization", "authorization"]) {
        Some(bearer(header.as_str().ok_or_else(unauthenticated)?)?)
    } else {
        match field(&["token"]) {
            Some(token) => Some(token.as_str().ok_or_else(unauthenticated)?),
            None => None,
        }
    };
    Ok(app.authenticate(token).await?)
}

fn unauthenticated() -> ApiError {
    ApiError(app::Error::Unauthenticated)
}

/// The client's address: the peer's, or behind a trusted proxy the last
/// `X-Forwarded-For` entry (the one the proxy appended; entries before it are
/// whatever the client sent).
pub fn client_addr(peer: SocketAddr, headers: &HeaderMap, trust_proxy: bool) -> ClientAddr {
    let forwarded = trust_proxy
        .then(|| headers.get_all("x-forwarded-for").iter().next_back())
        .flatten()
        .and_then(|value| value.to_str().ok())
        .and_then(|list| list.rsplit(',').next())
        .and_then(|last| last.trim().parse::<IpAddr>().ok());
    ClientAddr(forwarded.unwrap_or(peer.ip()))
}

/// The token of `Bearer <token>` (the scheme in any case).
fn bearer(header: &str) -> Result<&str, ApiError> {
    let (scheme, token) = header.trim().split_once(' ').ok_or_else(unauthenticated)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(unauthenticated());
    }
    Ok(token.trim())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_bearer_scheme_is_required_in_any_case() {
        assert_eq!(bearer("Bearer abc").unwrap(), "abc");
        assert_eq!(bearer("bearer  abc ").unwrap(), "abc");
        assert!(bearer("Basic abc").is_err());
        assert!(bearer("abc").is_err());
    }

    #[test]
    fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
        let peer: SocketAddr = "10.0.0.1:5000".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 192.0.2.7"),
        );
        assert_eq!(
            client_addr(peer, &headers, false),
            ClientAddr(peer.ip()),
            "a client can write X-Forwarded-For itself"
        );
        assert_eq!(
            client_addr(peer, &headers, true),
            ClientAddr("192.0.2.7".parse().unwrap()),
            "the proxy appends the address it saw"
        );
        assert_eq!(
            client_addr(peer, &HeaderMap::new(), true),
            ClientAddr(peer.ip())
        );
    }
}
