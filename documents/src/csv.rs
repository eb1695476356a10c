//! CSV as Russian Excel opens it: UTF-8 with a byte-order mark, `;` between
//! fields, CRLF line ends. Sheets follow one another, each under its name and
//! caption, a blank line between them.

use crate::{Cell, Document, DocumentError};

/// The byte-order mark that tells Excel the file is UTF-8.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Renders `document` as CSV.
///
/// # Errors
/// [`DocumentError::Csv`].
pub fn render(document: &Document) -> Result<Vec<u8>, DocumentError> {
    let mut writer = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .flexible(true)
        .terminator(::csv::Terminator::CRLF)
        .from_writer(BOM.to_vec());
    writer.write_record([document.title.as_str()])?;
    for line in &document.subtitle {
        writer.write_record([line.as_str()])?;
    }
    for sheet in &document.sheets {
        writer.write_record([""])?;
        writer.write_record([sheet.name.as_str()])?;
        for line in &sheet.caption {
            writer.write_record([line.as_str()])?;
        }
        writer.write_record(&sheet.header)?;
        for row in &sheet.rows {
            writer.write_record(row.iter().map(Cell::text))?;
        }
    }
    writer
        .into_inner()
        .map_err(|e| DocumentError::Csv(e.into_error().into()))
}
