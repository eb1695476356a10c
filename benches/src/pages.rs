//! `reestr bench pages`: the server time of each web page (its
//! `Server-Timing: page;dur=…`), signed in as a root ADMIN with a session as a
//! browser holds one. Each page is asked `repeat` times one after another; the
//! median and the slowest are reported, beside the round trip on loopback.

use std::time::Instant;

use reqwest::header::{COOKIE, HeaderMap, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::{Value, json};

use crate::api;

/// One page's figures, in milliseconds.
#[derive(Clone, Debug)]
pub struct PageTiming {
    /// What the page is.
    pub name: String,
    /// Its address (path).
    pub path: String,
    /// The status of the last answer.
    pub status: u16,
    /// Median and slowest server time.
    pub median_ms: f64,
    pub max_ms: f64,
    /// Median round trip seen by the client.
    pub round_trip_ms: f64,
}

/// Measures the pages of the registry served at `origin`, as `token`'s holder.
///
/// # Errors
/// The registry or the sign-in failed, as text.
pub async fn run(origin: &str, token: &str, repeat: usize) -> Result<Vec<PageTiming>, String> {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let cookie = sign_in(&client, origin, token).await?;
    let pages = pages(origin, token).await?;
    let mut timings = Vec::new();
    for (name, path) in pages {
        let mut server = Vec::with_capacity(repeat);
        let mut trips = Vec::with_capacity(repeat);
        let mut status = 0;
        for _ in 0..repeat.max(1) {
            let started = Instant::now();
            let response = client
                .get(format!("{origin}{path}"))
                .header(COOKIE, &cookie)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            status = response.status().as_u16();
            let dur = server_time(response.headers());
            response.bytes().await.map_err(|e| e.to_string())?;
            trips.push(started.elapsed().as_secs_f64() * 1000.0);
            server.push(dur.unwrap_or(f64::NAN));
        }
        timings.push(PageTiming {
            name,
            path,
            status,
            median_ms: median(&mut server),
            max_ms: server.iter().copied().fold(f64::NAN, f64::max),
            round_trip_ms: median(&mut trips),
        });
    }
    Ok(timings)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// `page;dur=12.34` → 12.34.
fn server_time(headers: &HeaderMap) -> Option<f64> {
    let timing = headers.get("server-timing")?.to_str().ok()?;
    timing
        .split("dur=")
        .nth(1)?
        .split([',', ';'])
        .next()?
        .trim()
        .parse()
        .ok()
}

/// Signs in through the page as a browser would; the cookies to send.
async fn sign_in(client: &reqwest::Client, origin: &str, token: &str) -> Result<String, String> {
    let form = client
        .get(format!("{origin}/signin"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let nonce = cookies(form.headers());
    let html = form.text().await.map_err(|e| e.to_string())?;
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("the sign-in page has no CSRF field")?;
    let body = format!("csrf={csrf}&token={token}");
    let signed = client
        .post(format!("{origin}/signin"))
        .header(COOKIE, &nonce)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if signed.headers().get(LOCATION).is_none() {
        return Err(format!("sign-in refused ({})", signed.status()));
    }
    Ok(cookies(signed.headers()))
}

fn cookies(headers: &HeaderMap) -> String {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|c| c.to_str().ok()?.split(';').next().map(str::to_string))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The pages to time, with the ids they need looked up through GraphQL.
async fn pages(origin: &str, token: &str) -> Result<Vec<(String, String)>, String> {
    let client = api::client();
    let url = format!("{origin}/graphql");
    let ask = |query: &str, variables: Value| {
        let body = api::request(query, variables);
        let (client, url) = (client.clone(), url.clone());
        async move { api::graphql(&client, &url, token, &body).await }
    };
    let first = |level: &'static str| {
        let ask = &ask;
        async move {
            let data = ask(
                "query($l: OrgLevel) { organizations(level: $l, first: 50) { edges { node { id memberCount } } } }",
                json!({ "l": level }),
            )
            .await?;
            data["organizations"]["edges"]
                .as_array()
                .and_then(|edges| {
                    edges
                        .iter()
                        .max_by_key(|e| e["node"]["memberCount"].as_i64().unwrap_or(0))
                })
                .and_then(|e| e["node"]["id"].as_str().map(str::to_string))
                .ok_or_else(|| format!("no {level} organisation"))
        }
    };
    let root = first("CENTRAL").await?;
    let territorial = first("TERRITORIAL").await?;
    let primary = first("PRIMARY").await?;
    let members = ask(
        "query($o: ID!) { members(orgId: $o, first: 20) { edges { node { id card { number } } } } }",
        json!({ "o": primary }),
    )
    .await?;
    let with_card = members["members"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["node"]["card"]["number"].is_string())
        .or_else(|| members["members"]["edges"].get(0))
        .ok_or("the primary organisation has no members")?;
    let member = with_card["node"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let number = with_card["node"]["card"]["number"]
        .as_str()
        .unwrap_or("0000000000000")
        .to_string();
    let mut pages = vec![
        ("home", "/staff".to_string()),
        ("dashboard, whole union", format!("/stats/org/{root}")),
        (
            "dashboard, territorial",
            format!("/stats/org/{territorial}"),
        ),
        ("desk, primary", format!("/desk/org/{primary}")),
        ("member", format!("/desk/member/{member}")),
        ("journal, whole union", "/journal".to_string()),
        ("verify a card", format!("/verify/{number}")),
        ("meetings, whole union", format!("/meetings/org/{root}")),
        ("staff admin, whole union", format!("/admin/org/{root}")),
        ("join, regions", "/join".to_string()),
    ];
    if with_card["node"]["card"]["number"].is_string() {
        pages.push(("member's card", format!("/desk/member/{member}/card")));
    }
    Ok(pages
        .into_iter()
        .map(|(name, path)| (name.to_string(), path))
        .collect())
}
