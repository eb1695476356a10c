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
//! - [`pdf`]: A4 landscape pages, the tables drawn as text in Liberation Sans
//!   embedded in the binary, so Cyrillic renders offline (`printpdf`).
//!
//! What it does not do: choose what a report says, or in which words; that is
//! `app::reports`.

pub mod csv;
pub mod pdf;
pub mod xlsx;

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
