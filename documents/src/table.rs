//! Plain tables as data files, the header on the first row and nothing above
//! it, so a program reads them back (the registry's import format): XLSX with
//! one table per worksheet, and CSV written row by row to any writer (a table
//! of millions of rows never sits in memory whole).

use std::io::Write;

use rust_xlsxwriter::{Format, Workbook};

use crate::DocumentError;

/// The most rows a worksheet holds (Excel's limit, the header included).
pub const MAX_XLSX_ROWS: usize = 1_048_576;

/// One worksheet of text: its name, header and rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextSheet {
    /// The worksheet's name.
    pub name: String,
    /// The column headings.
    pub header: Vec<String>,
    /// The rows, each as many cells as the header (or fewer).
    pub rows: Vec<Vec<String>>,
}

/// Renders `sheets` as an XLSX workbook, every cell as text (codes and dates
/// stay as written; Excel does not turn `0123` into 123).
///
/// # Errors
/// [`DocumentError::Xlsx`], also for a sheet over [`MAX_XLSX_ROWS`].
pub fn xlsx(sheets: &[TextSheet]) -> Result<Vec<u8>, DocumentError> {
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    for sheet in sheets {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(&sheet.name)?;
        for (col, heading) in sheet.header.iter().enumerate() {
            worksheet.write_string_with_format(0, col as u16, heading, &bold)?;
            let width = heading.chars().count().clamp(8, 40);
            worksheet.set_column_width(col as u16, width as f64 + 2.0)?;
        }
        for (k, cells) in sheet.rows.iter().enumerate() {
            for (col, text) in cells.iter().enumerate() {
                if !text.is_empty() {
                    worksheet.write_string(k as u32 + 1, col as u16, text)?;
                }
            }
        }
        worksheet.set_freeze_panes(1, 0)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// A CSV table written row by row: UTF-8 with a byte-order mark, `;` between
/// fields, CRLF line ends, as Russian Excel opens it.
pub struct CsvTable<W: Write> {
    writer: ::csv::Writer<W>,
}

impl<W: Write> CsvTable<W> {
    /// Starts a table on `out` with its `header`.
    ///
    /// # Errors
    /// [`DocumentError::Csv`] when `out` fails.
    pub fn new(mut out: W, header: &[String]) -> Result<CsvTable<W>, DocumentError> {
        out.write_all(b"\xEF\xBB\xBF")
            .map_err(|e| DocumentError::Csv(e.into()))?;
        let mut writer = ::csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(::csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(header)?;
        Ok(CsvTable { writer })
    }

    /// Writes one row.
    ///
    /// # Errors
    /// [`DocumentError::Csv`] when the writer fails.
    pub fn row<I, T>(&mut self, cells: I) -> Result<(), DocumentError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        Ok(self.writer.write_record(cells)?)
    }

    /// Flushes the table and returns its writer.
    ///
    /// # Errors
    /// [`DocumentError::Csv`] when the last bytes cannot be written.
    pub fn finish(self) -> Result<W, DocumentError> {
        self.writer
            .into_inner()
            .map_err(|e| DocumentError::Csv(e.into_error().into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_table_starts_with_the_bom_and_its_header() {
        let mut table = CsvTable::new(Vec::new(), &["Код".into(), "Имя".into()]).unwrap();
        table.row(["1", "Анна; Мария"]).unwrap();
        let bytes = table.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, "\u{feff}Код;Имя\r\n1;\"Анна; Мария\"\r\n");
    }

    #[test]
    fn an_xlsx_table_reads_back_with_its_header_first() {
        use calamine::{Reader, Xlsx};
        let sheet = TextSheet {
            name: "Члены".into(),
            header: vec!["Код".into(), "СНИЛС".into()],
            rows: vec![vec!["0123".into(), "112-233-445 95".into()]],
        };
        let bytes = xlsx(&[sheet]).unwrap();
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range("Члены").unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert_eq!(
            rows,
            vec![vec!["Код", "СНИЛС"], vec!["0123", "112-233-445 95"]]
        );
    }
}
