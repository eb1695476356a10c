//! The pages' static files, embedded in the binary: htmx, ECharts, jsQR, the PT
//! Sans font (all vendored under `web/assets/` by `update.sh`), and the site's
//! own stylesheet and script. Each is served at `/assets/<hash>/<name>`, the
//! hash being of its content, so a browser may keep it for a year: a changed
//! file has a new address.

use std::collections::HashMap;
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// One embedded file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const FILES: &[Asset] = &[
    Asset {
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/htmx.min.js"),
    },
    Asset {
        name: "echarts.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/echarts.min.js"),
    },
    Asset {
        name: "jsQR.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/jsQR.js"),
    },
    Asset {
        name: "site.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/site.js"),
    },
    Asset {
        name: "pt-sans-cyrillic-400-normal.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../assets/pt-sans-cyrillic-400-normal.woff2"),
    },
    Asset {
        name: "pt-sans-cyrillic-700-normal.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../assets/pt-sans-cyrillic-700-normal.woff2"),
    },
    Asset {
        name: "pt-sans-latin-400-normal.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../assets/pt-sans-latin-400-normal.woff2"),
    },
    Asset {
        name: "pt-sans-latin-700-normal.woff2",
        content_type: "font/woff2",
        bytes: include_bytes!("../assets/pt-sans-latin-700-normal.woff2"),
    },
];

/// The stylesheet, whose `{{name}}` placeholders become the hashed addresses
/// of the files above (the fonts) before it is hashed itself.
const STYLESHEET: &str = include_str!("../assets/site.css");

/// A year: what `immutable` content may be kept for.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

struct Served {
    /// By name: the hash in the address, the content type, the bytes.
    files: HashMap<&'static str, (String, &'static str, &'static [u8])>,
}

fn served() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| {
        let mut files = HashMap::new();
        for asset in FILES {
            files.insert(
                asset.name,
                (hash(asset.bytes), asset.content_type, asset.bytes),
            );
        }
        let mut css = STYLESHEET.to_string();
        for asset in FILES {
            let (hash, _, _) = &files[asset.name];
            css = css.replace(
                &format!("{{{{{}}}}}", asset.name),
                &format!("/assets/{hash}/{}", asset.name),
            );
        }
        let css: &'static [u8] = Box::leak(css.into_bytes().into_boxed_slice());
        files.insert("site.css", (hash(css), "text/css; charset=utf-8", css));
        Served { files }
    })
}

fn hash(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..8])
}

/// The address of the embedded file `name`.
///
/// # Panics
/// For a name that is not embedded: a mistake in this crate's own pages,
/// which every page test would show.
pub fn url(name: &str) -> String {
    let (hash, _, _) = served()
        .files
        .get(name)
        .unwrap_or_else(|| panic!("no embedded asset {name}"));
    format!("/assets/{hash}/{name}")
}

/// `GET /assets/{hash}/{name}`: the file, when the hash is its current one.
pub async fn serve(Path((hash, name)): Path<(String, String)>) -> Response {
    match served().files.get(name.as_str()) {
        Some((current, content_type, bytes)) if *current == hash => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static(CACHE_FOREVER),
                ),
            ],
            *bytes,
        )
            .into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stylesheet_names_the_fonts_by_their_hashed_addresses() {
        let (_, _, css) = &served().files["site.css"];
        let css = std::str::from_utf8(css).unwrap();
        assert!(!css.contains("{{"), "a placeholder is left: {css}");
        assert!(css.contains(&url("pt-sans-cyrillic-400-normal.woff2")));
        assert!(url("site.css").starts_with("/assets/"));
    }
}
