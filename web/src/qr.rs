//! QR codes as inline SVG (the `qrcode` crate), for per-organisation links.

use maud::{Markup, PreEscaped};
use qrcode::QrCode;
use qrcode::render::svg;

/// The QR code of `text` as an SVG element, or nothing for a text too long.
pub fn svg(text: &str) -> Markup {
    match QrCode::new(text.as_bytes()) {
        Ok(code) => {
            let image = code
                .render::<svg::Color<'_>>()
                .min_dimensions(200, 200)
                .quiet_zone(true)
                .build();
            // The renderer writes an XML declaration first; inline SVG needs none.
            let start = image.find("<svg").unwrap_or(0);
            PreEscaped(image[start..].to_string())
        }
        Err(_) => PreEscaped(String::new()),
    }
}
