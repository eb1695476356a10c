//! A member's union card: its face as a card-sized PDF (ID-1, 85.6 × 54 mm,
//! to print and cut) and as a PNG for a phone's wallet (1011 × 638 pixels,
//! the same card at 300 dpi). Both carry the number, the holder, the
//! organisation, the status and a QR code of [`CardFace::qr`]; the QR code is
//! drawn from the `qrcode` crate's modules as squares, never as a raster
//! scaled up, and the text is Liberation Sans, embedded like the reports'.

use std::io::Cursor;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use printpdf::path::PaintMode;
use printpdf::{Color, IndirectFontRef, Mm, PdfDocument, PdfLayerReference, Rect, Rgb};
use qrcode::QrCode;

use crate::DocumentError;

const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// ID-1, the size of a bank card, in millimetres.
const WIDTH_MM: f32 = 85.6;
const HEIGHT_MM: f32 = 54.0;
/// The PNG: the card at 300 dpi.
const WIDTH_PX: u32 = 1011;
const HEIGHT_PX: u32 = 638;
/// Pixels per millimetre of the PNG.
const PX_PER_MM: f32 = WIDTH_PX as f32 / WIDTH_MM;
/// The band across the top, and the QR code's side, in millimetres.
const BAND_MM: f32 = 11.0;
const QR_MM: f32 = 30.0;
const MARGIN_MM: f32 = 4.0;
/// The union's blue (the pages' accent), as RGB.
const BLUE: [u8; 3] = [0x17, 0x4a, 0x84];
const INK: [u8; 3] = [0x1d, 0x24, 0x33];
const MUTED: [u8; 3] = [0x5b, 0x65, 0x78];
/// The average advance of a Liberation Sans character, in ems, to wrap the
/// PDF's lines (the PNG measures its glyphs).
const EM_PER_CHAR: f32 = 0.52;
const PT_PER_MM: f32 = 72.0 / 25.4;

/// What a card shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardFace {
    /// The heading in the band, e.g. «Электронный профсоюзный билет».
    pub title: String,
    /// The card's number as printed, e.g. `77 0000000042 5`.
    pub number: String,
    /// The holder's full name.
    pub name: String,
    /// The holder's organisation.
    pub organisation: String,
    /// The status line, e.g. «Действует с 01.02.2026».
    pub status: String,
    /// The text of the QR code: the card's verification address.
    pub qr: String,
}

/// The QR code's dark modules: its width and whether each (row-major) is dark.
fn modules(text: &str) -> Result<(usize, Vec<bool>), DocumentError> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| DocumentError::Card(e.to_string()))?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((code.width(), dark))
}

/// Cuts `text` into at most `lines` lines of at most `chars` characters at
/// spaces (the last line ends in «…» when cut).
fn wrap(text: &str, chars: usize, lines: usize) -> Vec<String> {
    let mut out: Vec<String> = vec![String::new()];
    for word in text.split_whitespace() {
        let line = out.last_mut().expect("one line at least");
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > chars {
            out.push(word.to_string());
        } else {
            if len > 0 {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    if out.len() > lines {
        out.truncate(lines);
        let last = out.last_mut().expect("one line at least");
        let kept: String = last.chars().take(chars.saturating_sub(1)).collect();
        *last = format!("{kept}…");
    }
    out
}

/// The card as a one-page PDF the size of the card.
///
/// # Errors
/// [`DocumentError::Card`] for a QR text too long, [`DocumentError::Pdf`] when
/// the font or the file cannot be written.
pub fn pdf(face: &CardFace) -> Result<Vec<u8>, DocumentError> {
    let (width, dark) = modules(&face.qr)?;
    let (doc, page, layer) =
        PdfDocument::new(face.title.as_str(), Mm(WIDTH_MM), Mm(HEIGHT_MM), "card");
    let pdf_error = |e: printpdf::Error| DocumentError::Pdf(e.to_string());
    let regular = doc
        .add_external_font(Cursor::new(REGULAR))
        .map_err(pdf_error)?;
    let bold = doc
        .add_external_font(Cursor::new(BOLD))
        .map_err(pdf_error)?;
    let layer = doc.get_page(page).get_layer(layer);
    let rgb = |[r, g, b]: [u8; 3]| {
        Color::Rgb(Rgb::new(
            f32::from(r) / 255.0,
            f32::from(g) / 255.0,
            f32::from(b) / 255.0,
            None,
        ))
    };
    let rect = |layer: &PdfLayerReference, x: f32, y: f32, w: f32, h: f32| {
        layer.add_rect(Rect::new(Mm(x), Mm(y), Mm(x + w), Mm(y + h)).with_mode(PaintMode::Fill));
    };
    // The band, its title in white.
    layer.set_fill_color(rgb(BLUE));
    rect(&layer, 0.0, HEIGHT_MM - BAND_MM, WIDTH_MM, BAND_MM);
    layer.set_fill_color(rgb([255, 255, 255]));
    let text = |s: &str, size: f32, x: f32, y: f32, font: &IndirectFontRef| {
        layer.use_text(s, size, Mm(x), Mm(y), font);
    };
    text(&face.title, 9.0, MARGIN_MM, HEIGHT_MM - 7.0, &bold);
    // The QR code on the right, its modules as squares (quiet zone: the white card).
    layer.set_fill_color(rgb([0, 0, 0]));
    let module = QR_MM / width as f32;
    let (qr_x, qr_y) = (WIDTH_MM - MARGIN_MM - QR_MM, MARGIN_MM + 2.0);
    for (i, _) in dark.iter().enumerate().filter(|(_, dark)| **dark) {
        let (col, row) = (i % width, i / width);
        rect(
            &layer,
            qr_x + col as f32 * module,
            qr_y + QR_MM - (row + 1) as f32 * module,
            module,
            module,
        );
    }
    // The text on the left.
    let column_mm = qr_x - 2.0 * MARGIN_MM;
    let chars = |size: f32| (column_mm * PT_PER_MM / (size * EM_PER_CHAR)) as usize;
    let mut y = HEIGHT_MM - BAND_MM - 6.0;
    layer.set_fill_color(rgb(INK));
    for line in wrap(&face.name, chars(9.5), 2) {
        text(&line, 9.5, MARGIN_MM, y, &bold);
        y -= 4.2;
    }
    layer.set_fill_color(rgb(MUTED));
    y -= 0.8;
    for line in wrap(&face.organisation, chars(7.0), 3) {
        text(&line, 7.0, MARGIN_MM, y, &regular);
        y -= 3.2;
    }
    layer.set_fill_color(rgb(INK));
    text("№ билета", 6.5, MARGIN_MM, 13.5, &regular);
    text(&face.number, 11.0, MARGIN_MM, 8.8, &bold);
    layer.set_fill_color(rgb(MUTED));
    text(&face.status, 6.5, MARGIN_MM, 4.5, &regular);
    doc.save_to_bytes().map_err(pdf_error)
}

/// An RGB picture being drawn.
struct Canvas {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: u32, height: u32) -> Canvas {
        Canvas {
            width,
            height,
            pixels: vec![255; (width * height * 3) as usize],
        }
    }

    /// Blends `color` into the pixel at (x, y) with `coverage` (0..=1).
    fn blend(&mut self, x: i64, y: i64, color: [u8; 3], coverage: f32) {
        if x < 0 || y < 0 || x >= i64::from(self.width) || y >= i64::from(self.height) {
            return;
        }
        let at = ((y as u32 * self.width + x as u32) * 3) as usize;
        let coverage = coverage.clamp(0.0, 1.0);
        for (channel, value) in color.iter().enumerate() {
            let old = f32::from(self.pixels[at + channel]);
            let new = old + (f32::from(*value) - old) * coverage;
            self.pixels[at + channel] = new.round() as u8;
        }
    }

    fn fill(&mut self, x: u32, y: u32, w: u32, h: u32, color: [u8; 3]) {
        for yy in y..(y + h).min(self.height) {
            for xx in x..(x + w).min(self.width) {
                self.blend(i64::from(xx), i64::from(yy), color, 1.0);
            }
        }
    }

    /// Draws `text` with its top left at `at`, cut with «…» to the style's width.
    fn text(&mut self, font: &FontRef<'_>, px: f32, at: (f32, f32), text: &str, style: Style) {
        let scaled = font.as_scaled(PxScale::from(px));
        let fits = |s: &str| advance(font, px, s) <= style.max_width;
        let shown = if fits(text) {
            text.to_string()
        } else {
            let mut cut: Vec<char> = text.chars().collect();
            while !cut.is_empty() && !fits(&format!("{}…", cut.iter().collect::<String>())) {
                cut.pop();
            }
            format!("{}…", cut.iter().collect::<String>())
        };
        let (mut x, baseline) = (at.0, at.1 + scaled.ascent());
        let mut previous = None;
        for c in shown.chars() {
            let id = scaled.glyph_id(c);
            if let Some(previous) = previous {
                x += scaled.kern(previous, id);
            }
            let glyph = id.with_scale_and_position(px, point(x, baseline));
            x += scaled.h_advance(id);
            previous = Some(id);
            if let Some(outlined) = font.outline_glyph(glyph) {
                let bounds = outlined.px_bounds();
                outlined.draw(|gx, gy, coverage| {
                    self.blend(
                        bounds.min.x as i64 + i64::from(gx),
                        bounds.min.y as i64 + i64::from(gy),
                        style.color,
                        coverage,
                    );
                });
            }
        }
    }

    /// The picture as a PNG whose `Title` text names the card's `number`
    /// (what a program, or a test, reads without looking at the picture).
    fn png(&self, number: &str) -> Result<Vec<u8>, DocumentError> {
        let mut bytes = Vec::new();
        let mut encoder = png::Encoder::new(&mut bytes, self.width, self.height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let png_error = |e: png::EncodingError| DocumentError::Card(e.to_string());
        encoder
            .add_text_chunk("Title".into(), format!("Union card {number}"))
            .map_err(png_error)?;
        let mut writer = encoder.write_header().map_err(png_error)?;
        writer.write_image_data(&self.pixels).map_err(png_error)?;
        writer.finish().map_err(png_error)?;
        Ok(bytes)
    }
}

/// How a line of the PNG is drawn.
#[derive(Clone, Copy)]
struct Style {
    color: [u8; 3],
    max_width: f32,
}

/// The width of `text` at `px`, in pixels.
fn advance(font: &FontRef<'_>, px: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(px));
    text.chars()
        .map(|c| scaled.h_advance(scaled.glyph_id(c)))
        .sum()
}

/// The card as a PNG, 1011 × 638 pixels.
///
/// # Errors
/// [`DocumentError::Card`] for a QR text too long or a failed encoding.
pub fn png(face: &CardFace) -> Result<Vec<u8>, DocumentError> {
    let (width, dark) = modules(&face.qr)?;
    let font_error = |e: ab_glyph::InvalidFont| DocumentError::Card(e.to_string());
    let regular = FontRef::try_from_slice(REGULAR).map_err(font_error)?;
    let bold = FontRef::try_from_slice(BOLD).map_err(font_error)?;
    let mm = |v: f32| v * PX_PER_MM;
    let mut canvas = Canvas::new(WIDTH_PX, HEIGHT_PX);
    canvas.fill(0, 0, WIDTH_PX, mm(BAND_MM) as u32, BLUE);
    let white = Style {
        color: [255, 255, 255],
        max_width: mm(WIDTH_MM - 2.0 * MARGIN_MM),
    };
    canvas.text(&bold, 46.0, (mm(MARGIN_MM), 36.0), &face.title, white);
    // The QR code, each module a whole number of pixels.
    let side = mm(QR_MM) as u32;
    let module = (side / width as u32).max(1);
    let side = module * width as u32;
    let qr_x = WIDTH_PX - mm(MARGIN_MM) as u32 - side;
    let qr_y = HEIGHT_PX - mm(MARGIN_MM + 2.0) as u32 - side;
    for (i, _) in dark.iter().enumerate().filter(|(_, dark)| **dark) {
        let (col, row) = ((i % width) as u32, (i / width) as u32);
        canvas.fill(
            qr_x + col * module,
            qr_y + row * module,
            module,
            module,
            [0, 0, 0],
        );
    }
    let column = qr_x as f32 - 2.0 * mm(MARGIN_MM);
    let ink = Style {
        color: INK,
        max_width: column,
    };
    let muted = Style {
        color: MUTED,
        max_width: column,
    };
    let mut y = mm(BAND_MM) + 40.0;
    let name_chars = (column / (50.0 * EM_PER_CHAR)) as usize;
    for line in wrap(&face.name, name_chars, 2) {
        canvas.text(&bold, 50.0, (mm(MARGIN_MM), y), &line, ink);
        y += 58.0;
    }
    y += 8.0;
    let org_chars = (column / (36.0 * EM_PER_CHAR)) as usize;
    for line in wrap(&face.organisation, org_chars, 3) {
        canvas.text(&regular, 36.0, (mm(MARGIN_MM), y), &line, muted);
        y += 42.0;
    }
    let bottom = HEIGHT_PX as f32;
    canvas.text(
        &regular,
        32.0,
        (mm(MARGIN_MM), bottom - 190.0),
        "№ билета",
        ink,
    );
    canvas.text(
        &bold,
        62.0,
        (mm(MARGIN_MM), bottom - 150.0),
        &face.number,
        ink,
    );
    canvas.text(
        &regular,
        32.0,
        (mm(MARGIN_MM), bottom - 72.0),
        &face.status,
        muted,
    );
    canvas.png(&face.number)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn face() -> CardFace {
        CardFace {
            title: "Электронный профсоюзный билет".into(),
            number: "77 0000000042 5".into(),
            name: "Кузнецова Мария Олеговна".into(),
            organisation: "Первичная профсоюзная организация школы № 17 города Тулы".into(),
            status: "Действует, выдан 01.02.2026".into(),
            qr: "http://127.0.0.1/verify/7700000000425".into(),
        }
    }

    #[test]
    fn the_pdf_is_one_card_sized_page_with_the_number() {
        let bytes = pdf(&face()).unwrap();
        assert!(bytes.starts_with(b"%PDF"));
        let text = pdf_extract::extract_text_from_mem(&bytes).unwrap();
        assert!(text.contains("77 0000000042 5"), "{text}");
        assert!(text.contains("Кузнецова"), "{text}");
    }

    #[test]
    fn the_png_is_the_card_at_300_dpi() {
        let bytes = png(&face()).unwrap();
        let decoder = png::Decoder::new(Cursor::new(bytes));
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!((info.width, info.height), (WIDTH_PX, HEIGHT_PX));
    }

    #[test]
    fn long_names_wrap_and_are_cut_with_an_ellipsis() {
        assert_eq!(wrap("один два три", 8, 2), ["один два", "три"]);
        let cut = wrap("а б в г д е ж з", 3, 2);
        assert_eq!(cut.len(), 2);
        assert!(cut[1].ends_with('…'));
    }
}
