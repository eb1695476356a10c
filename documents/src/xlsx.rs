//! XLSX: one worksheet per sheet. The title and caption lines stand above the
//! table; the header row is bold and frozen; counts are numbers; each column
//! is as wide as its longest text (within bounds).

use rust_xlsxwriter::{Format, Workbook};

use crate::{Cell, Document, DocumentError};

/// Column widths in characters: at least a number's, at most a long name's.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 60;

/// Renders `document` as an XLSX workbook.
///
/// # Errors
/// [`DocumentError::Xlsx`].
pub fn render(document: &Document) -> Result<Vec<u8>, DocumentError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(13);
    let mut names: Vec<String> = Vec::new();
    for sheet in &document.sheets {
        let worksheet = workbook.add_worksheet();
        let name = sheet_name(&sheet.name, &names);
        worksheet.set_name(&name)?;
        names.push(name);
        let mut row = 0u32;
        worksheet.write_string_with_format(row, 0, &document.title, &title)?;
        row += 1;
        for line in document.subtitle.iter().chain(&sheet.caption) {
            worksheet.write_string(row, 0, line)?;
            row += 1;
        }
        row += 1;
        let header_row = row;
        for (col, heading) in sheet.header.iter().enumerate() {
            worksheet.write_string_with_format(row, col as u16, heading, &bold)?;
        }
        let mut widths: Vec<usize> = sheet.header.iter().map(|h| h.chars().count()).collect();
        for (k, cells) in sheet.rows.iter().enumerate() {
            row += 1;
            let total = sheet.last_row_is_total && k + 1 == sheet.rows.len();
            for (col, cell) in cells.iter().enumerate() {
                let c = col as u16;
                match (cell, total) {
                    (Cell::Text(text), false) => {
                        worksheet.write_string(row, c, text)?;
                    }
                    (Cell::Text(text), true) => {
                        worksheet.write_string_with_format(row, c, text, &bold)?;
                    }
                    (Cell::Count(n), false) => {
                        worksheet.write_number(row, c, *n as f64)?;
                    }
                    (Cell::Count(n), true) => {
                        worksheet.write_number_with_format(row, c, *n as f64, &bold)?;
                    }
                    (Cell::Signed(n), _) => {
                        worksheet.write_number(row, c, *n as f64)?;
                    }
                    (Cell::Number(x), _) => {
                        worksheet.write_number(row, c, *x)?;
                    }
                    (Cell::Empty, _) => {}
                }
                if widths.len() <= col {
                    widths.resize(col + 1, 0);
                }
                widths[col] = widths[col].max(cell.text().chars().count());
            }
        }
        for (col, width) in widths.iter().enumerate() {
            let width = (*width + 2).clamp(MIN_WIDTH, MAX_WIDTH);
            worksheet.set_column_width(col as u16, width as f64)?;
        }
        worksheet.set_freeze_panes(header_row + 1, 0)?;
    }
    if document.sheets.is_empty() {
        let worksheet = workbook.add_worksheet();
        worksheet.write_string_with_format(0, 0, &document.title, &title)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// A worksheet name Excel accepts: no `[]:*?/\`, at most 31 characters,
/// unique in the workbook.
fn sheet_name(name: &str, taken: &[String]) -> String {
    let clean: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(28)
        .collect();
    let clean = if clean.trim().is_empty() {
        "Лист".to_string()
    } else {
        clean
    };
    let mut candidate = clean.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{clean} {n}");
        n += 1;
    }
    candidate
}
