//! PDF: A4 landscape pages, each sheet a table of text lines. The font,
//! Liberation Sans (SIL OFL 1.1, `fonts/`), is in the binary, so Cyrillic
//! renders on a machine without fonts or internet.
//!
//! Layout is plain: the first column (headings) takes what the others leave,
//! numbers are right-aligned in equal columns, a rule under the header and
//! above a total; a table longer than a page goes on, its header repeated.

use std::io::Cursor;

use printpdf::{
    IndirectFontRef, Line, Mm, PdfDocument, PdfDocumentReference, PdfLayerReference, Point,
};

use crate::{Cell, Document, DocumentError, Sheet};

/// Liberation Sans, regular and bold.
const REGULAR: &[u8] = include_bytes!("../fonts/LiberationSans-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../fonts/LiberationSans-Bold.ttf");

/// A4 landscape, in millimetres.
const WIDTH: f32 = 297.0;
const HEIGHT: f32 = 210.0;
const MARGIN: f32 = 12.0;
/// Text size and line height.
const SIZE: f32 = 8.0;
const LINE: f32 = 4.6;
/// The average advance of a character of Liberation Sans, in ems: enough to
/// size columns and cut long headings.
const EM_PER_CHAR: f32 = 0.52;
/// Points per millimetre.
const PT_PER_MM: f32 = 72.0 / 25.4;

/// Renders `document` as a PDF.
///
/// # Errors
/// [`DocumentError::Pdf`] when the font or the file cannot be written.
pub fn render(document: &Document) -> Result<Vec<u8>, DocumentError> {
    let (doc, page, layer) =
        PdfDocument::new(document.title.as_str(), Mm(WIDTH), Mm(HEIGHT), "table");
    let fonts = Fonts {
        regular: doc
            .add_external_font(Cursor::new(REGULAR))
            .map_err(|e| DocumentError::Pdf(e.to_string()))?,
        bold: doc
            .add_external_font(Cursor::new(BOLD))
            .map_err(|e| DocumentError::Pdf(e.to_string()))?,
    };
    let mut pen = Pen {
        doc: &doc,
        layer: doc.get_page(page).get_layer(layer),
        y: HEIGHT - MARGIN,
        fonts: &fonts,
    };
    pen.text(&document.title, MARGIN, 12.0, true);
    pen.y -= 2.5;
    for line in &document.subtitle {
        pen.text(line, MARGIN, SIZE + 1.0, false);
    }
    for sheet in &document.sheets {
        pen.y -= LINE;
        table(&mut pen, sheet);
    }
    doc.save_to_bytes()
        .map_err(|e| DocumentError::Pdf(e.to_string()))
}

struct Fonts {
    regular: IndirectFontRef,
    bold: IndirectFontRef,
}

/// Where the next line goes, on which page.
struct Pen<'a> {
    doc: &'a PdfDocumentReference,
    layer: PdfLayerReference,
    /// The baseline of the next line, from the bottom, in mm.
    y: f32,
    fonts: &'a Fonts,
}

impl Pen<'_> {
    /// Writes one line at `x` and moves down.
    fn text(&mut self, text: &str, x: f32, size: f32, bold: bool) {
        self.room_for(1);
        self.put(text, x, size, bold);
        self.y -= LINE * size / SIZE;
    }

    /// Writes `text` on the current line at `x`, without moving.
    fn put(&self, text: &str, x: f32, size: f32, bold: bool) {
        let font = if bold {
            &self.fonts.bold
        } else {
            &self.fonts.regular
        };
        self.layer.use_text(text, size, Mm(x), Mm(self.y), font);
    }

    /// A new page when fewer than `lines` lines are left; whether it turned.
    fn room_for(&mut self, lines: usize) -> bool {
        if self.y - LINE * lines as f32 >= MARGIN {
            return false;
        }
        let (page, layer) = self.doc.add_page(Mm(WIDTH), Mm(HEIGHT), "table");
        self.layer = self.doc.get_page(page).get_layer(layer);
        self.y = HEIGHT - MARGIN;
        true
    }

    /// A horizontal rule just under the current line's baseline.
    fn rule(&self, from: f32, to: f32) {
        let y = self.y + LINE - 1.2;
        self.layer.add_line(Line {
            points: vec![
                (Point::new(Mm(from), Mm(y)), false),
                (Point::new(Mm(to), Mm(y)), false),
            ],
            is_closed: false,
        });
    }
}

/// The width of `text` at `size`, in mm (estimated).
fn width(text: &str, size: f32) -> f32 {
    text.chars().count() as f32 * size * EM_PER_CHAR / PT_PER_MM
}

/// `text` cut to fit `room` mm at `size`, with an ellipsis when cut.
fn fit(text: &str, room: f32, size: f32) -> String {
    if width(text, size) <= room {
        return text.to_string();
    }
    let keep = ((room * PT_PER_MM) / (size * EM_PER_CHAR)) as usize;
    let mut cut: String = text.chars().take(keep.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn table(pen: &mut Pen, sheet: &Sheet) {
    pen.text(&sheet.name, MARGIN, SIZE + 2.0, true);
    for line in &sheet.caption {
        pen.text(line, MARGIN, SIZE, false);
    }
    let n = sheet.header.len().max(1);
    let usable = WIDTH - 2.0 * MARGIN;
    // Number columns as wide as their widest text, the first column the rest.
    let number_width = (1..n)
        .map(|col| {
            let header = width(&sheet.header[col], SIZE);
            let cells = sheet
                .rows
                .iter()
                .filter_map(|row| row.get(col))
                .map(|cell| width(&cell.text(), SIZE))
                .fold(0.0f32, f32::max);
            header.max(cells).clamp(12.0, 40.0) + 2.0
        })
        .fold(0.0f32, f32::max);
    let number_width = number_width.min((usable * 0.7) / (n.max(2) - 1) as f32);
    let first_width = usable - number_width * (n - 1) as f32;
    let right_edge = |col: usize| MARGIN + first_width + number_width * col as f32;
    let header = |pen: &mut Pen| {
        pen.room_for(2);
        pen.put(
            &fit(&sheet.header[0], first_width - 2.0, SIZE),
            MARGIN,
            SIZE,
            true,
        );
        for col in 1..n {
            let text = fit(&sheet.header[col], number_width - 1.0, SIZE);
            pen.put(&text, right_edge(col) - width(&text, SIZE), SIZE, true);
        }
        pen.y -= LINE;
        pen.rule(MARGIN, WIDTH - MARGIN);
    };
    if !sheet.header.is_empty() {
        header(pen);
    }
    for (k, row) in sheet.rows.iter().enumerate() {
        if pen.room_for(1) && !sheet.header.is_empty() {
            header(pen);
        }
        let total = sheet.last_row_is_total && k + 1 == sheet.rows.len();
        if total {
            pen.rule(MARGIN, WIDTH - MARGIN);
            pen.y -= 0.8;
        }
        for (col, cell) in row.iter().enumerate().take(n) {
            let text = cell.text();
            if col == 0 {
                pen.put(&fit(&text, first_width - 2.0, SIZE), MARGIN, SIZE, total);
            } else {
                let text = fit(&text, number_width - 1.0, SIZE);
                let right = matches!(cell, Cell::Count(_) | Cell::Signed(_) | Cell::Number(_));
                let x = if right {
                    right_edge(col) - width(&text, SIZE)
                } else {
                    right_edge(col - 1) + 1.0
                };
                pen.put(&text, x, SIZE, total);
            }
        }
        pen.y -= LINE;
    }
}
