//! A request as the pages see it: who the viewer is (from the session
//! cookie, the token authenticated again through `app` on every request),
//! the CSRF token for the page's forms, and where the client is.

use std::net::SocketAddr;
use std::time::Instant;

use app::{ClientAddr, Error, Viewer};
use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use cookie::{Cookie, SameSite};

use crate::session::{self, COOKIE};
use crate::{Web, csrf};

/// One request's viewer and what its forms need.
pub struct Visit {
    /// The session's holder, or nobody.
    pub viewer: Viewer,
    /// The session's id, when signed in.
    pub session: Option<String>,
    /// The token each form of the page carries.
    pub csrf: String,
    /// What the CSRF token is bound to (the session's id hash or the nonce).
    binding: Vec<u8>,
    /// Whether the browser reached us over TLS (the cookie is `Secure` then).
    pub secure: bool,
    /// The client's address, for the limit on public submissions.
    pub client: Option<ClientAddr>,
    /// `Host`, for the absolute links a QR code carries.
    pub host: Option<String>,
}

impl Visit {
    /// Whether `token` (a form's hidden field) is this visit's.
    pub fn csrf_ok(&self, web: &Web, token: &str) -> bool {
        web.csrf.check(&self.binding, token)
    }

    /// The signed-in holder's session cookie.
    pub fn session_cookie(&self, id: &str) -> HeaderValue {
        let cookie = Cookie::build((COOKIE, id.to_string()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .build();
        header_value(&cookie)
    }

    /// The cookie that removes the session from the browser.
    pub fn clear_session_cookie(&self) -> HeaderValue {
        let mut cookie = Cookie::build((COOKIE, ""))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Strict)
            .secure(self.secure)
            .build();
        cookie.make_removal();
        header_value(&cookie)
    }
}

fn header_value(cookie: &Cookie<'_>) -> HeaderValue {
    HeaderValue::from_str(&cookie.to_string()).expect("a cookie is a valid header")
}

/// The value of cookie `name` in the request's `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

fn over_tls(web: &Web, headers: &HeaderMap) -> bool {
    web.options.trust_proxy
        && headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

fn client(web: &Web, parts: &Parts) -> Option<ClientAddr> {
    let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>()?.0;
    let forwarded = web
        .options
        .trust_proxy
        .then(|| parts.headers.get_all("x-forwarded-for").iter().next_back())
        .flatten()
        .and_then(|value| value.to_str().ok())
        .and_then(|list| list.rsplit(',').next())
        .and_then(|last| last.trim().parse().ok());
    Some(ClientAddr(forwarded.unwrap_or(peer.ip())))
}

impl FromRequestParts<Web> for Visit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, web: &Web) -> Result<Visit, Response> {
        let headers = &parts.headers;
        let mut viewer = Viewer::Anonymous;
        let mut session = None;
        if let Some(id) = cookie(headers, COOKIE)
            && let Some(token) = web.sessions.token(&id, Instant::now())
        {
            match web.app.authenticate(Some(&token)).await {
                Ok(holder) => {
                    viewer = holder;
                    session = Some(id);
                }
                // Revoked since sign-in: the session ends with the token.
                Err(Error::Unauthenticated) => web.sessions.end(&id),
                Err(other) => return Err(crate::fail::internal(&other)),
            }
        }
        let binding = match &session {
            Some(id) => session::id_hash(id).to_vec(),
            None => cookie(headers, csrf::NONCE_COOKIE)
                .unwrap_or_default()
                .into_bytes(),
        };
        Ok(Visit {
            csrf: web.csrf.token(&binding),
            binding,
            viewer,
            session,
            secure: over_tls(web, headers),
            client: client(web, parts),
            host: headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string),
        })
    }
}

/// Gives a visitor without one the nonce cookie their forms' CSRF tokens are
/// bound to (before the handler runs, so the first page's forms work).
pub async fn give_nonce(mut request: Request, next: Next) -> Response {
    if cookie(request.headers(), csrf::NONCE_COOKIE).is_some() {
        return next.run(request).await;
    }
    let nonce = csrf::nonce();
    let pair = format!("{}={nonce}", csrf::NONCE_COOKIE);
    if let Ok(value) = HeaderValue::from_str(&pair) {
        request.headers_mut().append(header::COOKIE, value);
    }
    let mut response = next.run(request).await.into_response();
    let cookie = Cookie::build((csrf::NONCE_COOKIE, nonce))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    response
        .headers_mut()
        .append(header::SET_COOKIE, header_value(&cookie));
    response
}
