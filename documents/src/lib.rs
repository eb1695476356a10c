//! Report files from plain tables: XLSX, CSV and PDF.
//!
//! A [`Document`] is plain data (titles, sheets of text and number cells),
//! built by the application layer; this crate only renders it, and knows
//! nothing of the registry: no domain type, no read model, no IO.
//!
//! - [`xlsx`]: one worksheet per sheet, headers in bold, numbers as numbers,
//!   the header row frozen, columns sized to their text (`rust_xlsxwriter`).
//! - [`csv`]: UTF-8 with a byte-order mark, `;`-separated, as Russian Excel
//!   opens it; sheets one after another, each under its name (`csv`).
//! - [`table`]: plain tables for programs (the import format): the header on
//!   the first row, XLSX cells as text, CSV streamed row by row.
//! - [`pdf`]: A4 landscape pages, the tables drawn as text in Liberation Sans
//!   embedded in the binary, so Cyrillic renders offline (`printpdf`).
//!
//! - [`card`]: a member's card as a card-sized PDF and a PNG for a phone,
//!   with its QR code (`qrcode`, `png`, `ab_glyph` for the PNG's text).
//! - [`docx`]: templates with `{{placeholders}}` filled (placeholders split
//!   over Word's runs included, table rows repeated per item of a list), new
//!   DOCX files written (`docx-rs`), a DOCX's body read back; [`docx_pdf`]
//!   draws that body as a PDF.
//! - [`extract`]: what an uploaded file is by its bytes (PDF, DOCX, ODT,
//!   text) and its text, for the library's search (`pdf-extract`, zip and
//!   quick-xml).
//!
//! What it does not do: choose what a report or a template says, or in which
//! words; that is `app::reports` and `app::templates`.

pub mod card;
pub mod csv;
pub mod docx;
pub mod extract;
pub mod pdf;
pub mod table;
pub mod xlsx;

/// Characters per line of a paragraph drawn in a PDF (A4 landscape, 8 pt).
const PDF_LINE_CHARS: usize = 150;

/// The body of a DOCX (`docx::blocks`) as a PDF under `title`: paragraphs
/// wrapped, in order, a table's rows a line each with its cells between
/// bars. What Word would lay out (fonts, images, columns) is not redrawn.
///
/// # Errors
/// [`DocumentError::Pdf`].
pub fn docx_pdf(title: &str, blocks: &[docx::Block]) -> Result<Vec<u8>, DocumentError> {
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut lines: Vec<String> = Vec::new();
    let flush = |lines: &mut Vec<String>, sheets: &mut Vec<Sheet>| {
        if !lines.is_empty() {
            sheets.push(Sheet {
                caption: std::mem::take(lines),
                ..Sheet::default()
            });
        }
    };
    for block in blocks {
        match block {
            docx::Block::Title(text) => {
                flush(&mut lines, &mut sheets);
                sheets.push(Sheet {
                    name: text.clone(),
                    ..Sheet::default()
                });
            }
            docx::Block::Paragraph(text) | docx::Block::Right(text) => {
                lines.extend(wrap(text, PDF_LINE_CHARS));
            }
            // A row a line, its cells between bars: a template's tables hold
            // text (names, dates), which report columns would cut.
            docx::Block::Table(rows) => {
                for row in rows {
                    lines.extend(wrap(&row.join(" | "), PDF_LINE_CHARS));
                }
            }
        }
    }
    flush(&mut lines, &mut sheets);
    pdf::render(&Document {
        title: title.to_string(),
        subtitle: Vec::new(),
        sheets,
    })
}

/// `text` cut into lines of at most `width` characters at spaces (an empty
/// paragraph is an empty line).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let line = lines.last_mut().expect("one line at least");
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    lines
}

/// A document: a title, lines under it, and its sheets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// The title, e.g. «Численность членов профсоюза».
    pub title: String,
    /// Lines under the title (organisation, dates, filter).
    pub subtitle: Vec<String>,
    /// The tables.
    pub sheets: Vec<Sheet>,
}

/// One table: a name, lines above it, a header row and body rows.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sheet {
    /// The sheet's name (an XLSX tab: cut to 31 characters there).
    pub name: String,
    /// Lines above the table.
    pub caption: Vec<String>,
    /// Column headings.
    pub header: Vec<String>,
    /// Rows of cells; a row may be shorter than the header.
    pub rows: Vec<Vec<Cell>>,
    /// Whether the last row is a total (shown in bold).
    pub last_row_is_total: bool,
}

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A count.
    Count(u64),
    /// A change of a count, which may be negative.
    Signed(i64),
    /// A number with decimals (a share, a coverage).
    Number(f64),
    /// Nothing.
    Empty,
}

impl Cell {
    /// The cell as text, as CSV and PDF show it (decimals with a comma, as
    /// Russian readers write them).
    pub fn text(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Signed(n) => n.to_string(),
            Cell::Number(x) => format!("{x:.3}").replace('.', ","),
            Cell::Empty => String::new(),
        }
    }
}

/// The file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// Office Open XML workbook.
    Xlsx,
    /// Semicolon-separated text.
    Csv,
    /// Portable Document Format.
    Pdf,
}

impl Format {
    /// Reads `xlsx`, `csv` or `pdf` (any case).
    pub fn parse(text: &str) -> Option<Format> {
        match text.to_ascii_lowercase().as_str() {
            "xlsx" => Some(Format::Xlsx),
            "csv" => Some(Format::Csv),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
            Format::Pdf => "pdf",
        }
    }

    /// The media type, for an HTTP download.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
            Format::Pdf => "application/pdf",
        }
    }
}

/// Why a file could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// The XLSX writer refused.
    #[error("xlsx: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// The CSV writer refused.
    #[error("csv: {0}")]
    Csv(#[from] ::csv::Error),
    /// The PDF writer refused.
    #[error("pdf: {0}")]
    Pdf(String),
    /// A card could not be drawn (its QR text too long, the PNG encoder).
    #[error("card: {0}")]
    Card(String),
    /// A DOCX could not be written, or read as one.
    #[error("docx: {0}")]
    Docx(String),
}

/// Renders `document` as `format`.
///
/// # Errors
/// The writer's [`DocumentError`].
pub fn render(document: &Document, format: Format) -> Result<Vec<u8>, DocumentError> {
    match format {
        Format::Xlsx => xlsx::render(document),
        Format::Csv => csv::render(document),
        Format::Pdf => pdf::render(document),
    }
}
