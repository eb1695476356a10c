//! The web pages spoken to over plain HTTP, as a browser would but without
//! one: a session opened by posting a sign-in form with its CSRF token, and
//! a page or file fetched with the session's cookies.

use super::Server;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The `name=value` pairs of the `Set-Cookie` headers of `response`.
fn cookies_set(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|c| c.to_str().ok()?.split(';').next().map(str::to_string))
        .collect()
}

/// `text` percent-encoded for a form body.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The cookies of a session opened by posting `form` to `action` with the
/// CSRF token of the page `page` (e.g. `/signin` and a staff token, or
/// `/cabinet` and a member's SNILS, e-mail and code).
pub async fn session(server: &Server, page: &str, action: &str, form: &[(&str, &str)]) -> String {
    let client = no_redirects();
    let shown = client
        .get(format!("{}{page}", server.url))
        .send()
        .await
        .unwrap();
    let mut cookies = cookies_set(&shown);
    let html = shown.text().await.unwrap();
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no CSRF token on {page}: {html:.400}"))
        .to_string();
    let mut body = format!("csrf={}", encoded(&csrf));
    for (name, value) in form {
        body.push_str(&format!("&{name}={}", encoded(value)));
    }
    let posted = client
        .post(format!("{}{action}", server.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", cookies.join("; "))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303, "{action} opened no session");
    cookies.extend(cookies_set(&posted));
    assert!(
        cookies.iter().any(|c| c.starts_with("reestr_session=")),
        "{action} set no session cookie: {cookies:?}"
    );
    cookies.join("; ")
}

/// `path` fetched with the session `cookies`: its status and bytes.
pub async fn get(server: &Server, cookies: &str, path: &str) -> (u16, Vec<u8>) {
    let response = no_redirects()
        .get(format!("{}{path}", server.url))
        .header("cookie", cookies)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}
