//! Headless Chromium for the page tests, driven over WebDriver (`fantoccini`)
//! through a `chromedriver` this harness starts on a free port. The browser's
//! resolver answers nothing but loopback, so a page that needed the internet
//! would show it; every test also asks the page which addresses it loaded
//! (Resource Timing) and which the Content-Security-Policy refused.
//!
//! Without Chromium the tests warn and pass; under `CI=true` they fail.
#![allow(dead_code)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

/// Where the binaries are (Debian's `chromium` and `chromium-driver`).
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &[&str] = &["/usr/lib/chromium/chromium", "/usr/bin/chromium"];

/// How the browser's window is shaped.
#[derive(Clone, Copy, Debug)]
pub enum Screen {
    /// A desktop window, 1280 × 1000.
    Desktop,
    /// A phone: 390 × 844 CSS pixels, touch, a phone's user agent.
    Phone,
}

/// A headless Chromium session; the driver is killed when dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    /// Where screenshots go: `target/web-screenshots/`.
    pub shots: PathBuf,
}

/// The browser, or `None` (with a warning) where Chromium is not installed;
/// under `CI=true` its absence fails the test.
pub async fn start(screen: Screen) -> Option<Browser> {
    let chromium = CHROMIUM
        .iter()
        .find(|path| std::path::Path::new(path).exists());
    let (Some(chromium), true) = (chromium, std::path::Path::new(CHROMEDRIVER).exists()) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Chromium and chromedriver are needed under CI=true (apt-get install chromium chromium-driver)"
        );
        eprintln!("warning: Chromium or chromedriver is not installed; skipping the browser test");
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let mut args = vec![
        "--headless=new".to_string(),
        "--no-sandbox".into(),
        "--disable-gpu".into(),
        "--disable-dev-shm-usage".into(),
        "--no-first-run".into(),
        "--disable-background-networking".into(),
        "--disable-component-update".into(),
        "--disable-sync".into(),
        "--disable-default-apps".into(),
        "--disable-extensions".into(),
        "--lang=ru-RU".into(),
        // Nothing but loopback resolves: the network is off for the page.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1".into(),
    ];
    let mut options = json!({ "binary": chromium });
    match screen {
        Screen::Desktop => args.push("--window-size=1280,1000".into()),
        Screen::Phone => {
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 2, "touch": true },
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
            });
        }
    }
    options["args"] = json!(args);
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".into(), options);
    let address = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    let client = loop {
        let connected =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&address)
                .await;
        match connected {
            Ok(client) => break client,
            Err(error) => {
                assert!(
                    started.elapsed() < Duration::from_secs(30),
                    "chromedriver did not start a session: {error}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    let shots = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/web-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    Some(Browser {
        client,
        driver,
        shots,
    })
}

/// Marks the page before a click (see [`Browser::click`]) and notes when
/// it starts to leave; returns the mark.
const CLICK_MARK: &str = "window.__reestrMark = Math.random(); \
     window.__reestrLeaving = false; \
     window.addEventListener('beforeunload', function () { window.__reestrLeaving = true; }, { once: true }); \
     return window.__reestrMark;";

/// Where the page stands after a click: replaced by another (and loaded),
/// leaving, or busy with an htmx request.
const CLICK_STATE: &str = "return { \
     replaced: window.__reestrMark !== arguments[0], \
     loaded: document.readyState === 'complete', \
     leaving: window.__reestrLeaving === true, \
     busy: document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling') !== null };";

impl Browser {
    /// Signs in at `origin`'s sign-in page with `token` and waits for the
    /// holder's home.
    pub async fn sign_in(&self, origin: &str, token: &str) {
        self.open(&format!("{origin}/signin")).await;
        self.fill("#token", token).await;
        self.click("main button[type=submit]").await;
        self.find("#role").await;
    }

    /// Signs out and waits until the page says so: the next navigation must
    /// not race the sign-out's own.
    pub async fn sign_out(&self) {
        self.click("header form button").await;
        self.find("header a[href='/signin']").await;
    }

    /// Opens `url` and waits for the page to load.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
    }

    /// The element `css`, waited for (up to 10 s).
    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        let found = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => element,
            Err(e) => {
                let shot = self.screenshot("failed").await;
                panic!("no {css} on {} ({}): {e}", self.url().await, shot.display())
            }
        }
    }

    /// Waits until `css`'s attribute `name` says `expected`: after a click
    /// that loads a new page, the old page's element may still be found (or
    /// go stale while read). Fails with the last value seen after 10 s.
    pub async fn wait_for_attr(&self, css: &str, name: &str, expected: &str) {
        let mut seen = None;
        for _ in 0..100 {
            match self.find(css).await.attr(name).await {
                Ok(value) if value.as_deref() == Some(expected) => return,
                Ok(value) => seen = value,
                Err(e) if format!("{e:?}").contains("StaleElementReference") => {}
                Err(e) => panic!("reading {css}[{name}]: {e}"),
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css}[{name}] is {seen:?}, not {expected:?}")
    }

    /// Waits until the page's address holds `part` and the page has loaded:
    /// a click on a form's submit button returns before the browser has left
    /// the old page, whose elements would still be read.
    pub async fn wait_for_url(&self, part: &str) {
        let mut seen = String::new();
        for _ in 0..100 {
            seen = self.url().await;
            let loaded = self
                .client
                .execute("return document.readyState;", vec![])
                .await
                .ok()
                .and_then(|state| state.as_str().map(|s| s == "complete"))
                .unwrap_or(false);
            if seen.contains(part) && loaded {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page stayed at {seen}, never holding {part:?}")
    }

    /// The text of the element `css`.
    /// An element swapped out between finding and reading it (htmx may
    /// replace the part it is in, or the page be replaced by the next one)
    /// is found again: Chromium reports the second as an unknown error.
    pub async fn text(&self, css: &str) -> String {
        for _ in 0..10 {
            match self.find(css).await.text().await {
                Ok(text) => return text,
                Err(e)
                    if ["StaleElementReference", "does not belong to the document"]
                        .iter()
                        .any(|gone| format!("{e:?}").contains(gone)) =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) => panic!("reading {css}: {e}"),
            }
        }
        panic!("{css} kept being replaced while it was read")
    }

    /// Whether an element `css` is on the page now.
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// Types `text` into the field `css` (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    /// Sets the field `css` by script (date inputs take keys per locale).
    pub async fn set(&self, css: &str, value: &str) {
        self.find(css).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1];",
                vec![json!(css), json!(value)],
            )
            .await
            .unwrap();
    }

    /// Chooses the option `value` of the select `css`.
    pub async fn choose(&self, css: &str, value: &str) {
        self.find(css).await.select_by_value(value).await.unwrap();
    }

    /// Clicks the element `css` and waits until what the click started has
    /// settled: a new page loaded (a form's submit returns before the browser
    /// leaves the old page, whose elements would still be read) or htmx's
    /// request swapped in.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        let mark = self
            .client
            .execute(CLICK_MARK, vec![])
            .await
            .unwrap()
            .as_f64()
            .unwrap_or_default();
        element.click().await.unwrap();
        self.settle(mark).await;
    }

    /// Waits (up to 10 s) for the page marked `mark` before a click to be
    /// replaced by a loaded one, or, when it is not leaving, for htmx to be
    /// idle; a page that stays quiet for 200 ms started nothing.
    async fn settle(&self, mark: f64) {
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(10) {
            // A page being replaced may not answer scripts: still in transit.
            if let Ok(state) = self.client.execute(CLICK_STATE, vec![json!(mark)]).await {
                let said = |key: &str| state[key].as_bool().unwrap_or(false);
                if said("replaced") && said("loaded") {
                    return;
                }
                let quiet = !said("replaced") && !said("leaving") && !said("busy");
                if quiet && started.elapsed() > Duration::from_millis(200) {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The value of the field `css`.
    pub async fn value(&self, css: &str) -> String {
        self.find(css)
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default()
    }

    /// A GET of `url` with the browser's session cookie: the status, the
    /// content type and the bytes (a download the browser would save).
    pub async fn download(&self, url: &str) -> (u16, String, Vec<u8>) {
        let cookies = self.client.get_all_cookies().await.unwrap();
        let cookie = cookies
            .iter()
            .map(|c| format!("{}={}", c.name(), c.value()))
            .collect::<Vec<_>>()
            .join("; ");
        let response = reqwest::Client::new()
            .get(url)
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (
            status,
            content_type,
            response.bytes().await.unwrap().to_vec(),
        )
    }

    /// The page's address.
    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// The whole page's text.
    pub async fn body(&self) -> String {
        self.text("body").await
    }

    /// Saves a screenshot as `target/web-screenshots/NAME.png`; its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.unwrap();
        let path = self.shots.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Runs `script` in the page, its answer.
    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap()
    }

    /// Checks the page as loaded: every address it loaded is on `origin`
    /// (nothing off the machine), the Content-Security-Policy refused
    /// nothing, and the embedded font is in use.
    pub async fn assert_self_contained(&self, origin: &str) {
        let loaded = self
            .eval(
                "return performance.getEntriesByType('navigation')
                   .concat(performance.getEntriesByType('resource')).map(e => e.name);",
            )
            .await;
        let loaded: Vec<String> = serde_json::from_value(loaded).unwrap();
        let elsewhere: Vec<&String> = loaded
            .iter()
            .filter(|url| !url.starts_with(origin) && !url.starts_with("data:"))
            .collect();
        assert!(
            elsewhere.is_empty(),
            "{} loaded from off the machine: {elsewhere:?}",
            self.url().await
        );
        let violations = self
            .eval("return window.reestrViolations || ['site.js did not run'];")
            .await;
        assert_eq!(
            violations,
            json!([]),
            "CSP refused something on {}",
            self.url().await
        );
        let font = self
            .eval(
                "return document.fonts.ready.then(() => [...document.fonts]
                   .some(f => f.family.includes('PT Sans') && f.status === 'loaded'));",
            )
            .await;
        assert_eq!(font, json!(true), "the embedded font is not in use");
    }

    /// Ends the session and the driver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Every cell of the first sheet of an XLSX file, as text.
pub fn xlsx_text(bytes: &[u8]) -> String {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let sheet = workbook.sheet_names()[0].clone();
    let range = workbook.worksheet_range(&sheet).unwrap();
    range
        .rows()
        .flat_map(|row| row.iter().map(|cell| cell.to_string()))
        .collect::<Vec<_>>()
        .join(" ")
}
