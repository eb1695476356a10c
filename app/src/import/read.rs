//! Reading a table file: XLSX (calamine) or CSV (`;` or `,`, UTF-8 or
//! Windows-1251, judged by the header line). Rows come out one at a time, as
//! text cells under the columns the header named, so a CSV of millions of rows
//! is read once a pass and never held whole.
//!
//! A CSV row in another encoding than its file's (a Windows-1251 line pasted
//! into a UTF-8 file, or the other way round) is a bad row of its own.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use calamine::{Data, Reader};
use encoding_rs::WINDOWS_1251;

use crate::import::format::{Column, Mapping, Table};
use crate::import::report::{BadRow, Problem};

/// A file's encoding, as its header line shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8 (with or without a byte-order mark).
    Utf8,
    /// Windows-1251.
    Windows1251,
}

/// One data row: its line (the header is line 1), its cells by column.
#[derive(Clone, Debug)]
pub struct Row {
    /// The line (CSV) or row (XLSX) number, the header being 1.
    pub line: u64,
    /// The cells under the columns the header named, in its order.
    pub cells: Vec<(Column, String)>,
}

impl Row {
    /// The text under `column`, trimmed; empty when absent.
    pub fn get(&self, column: Column) -> &str {
        self.cells
            .iter()
            .find(|(c, _)| *c == column)
            .map_or("", |(_, text)| text.trim())
    }
}

/// An open table file: its name, the columns its header named, its rows.
pub struct TableFile {
    /// The file name as reports give it.
    pub file: String,
    columns: Vec<Option<Column>>,
    rows: Rows,
}

enum Rows {
    Csv {
        reader: csv::Reader<BufReader<File>>,
        encoding: Encoding,
        record: csv::ByteRecord,
    },
    Sheet {
        rows: std::vec::IntoIter<Vec<Data>>,
        line: u64,
    },
}

impl TableFile {
    /// Opens `path` as `table`, reading its header with `mapping`.
    ///
    /// # Errors
    /// A file that cannot be read, or a header without a required column,
    /// as the bad rows of line 1.
    pub fn open(path: &Path, table: Table, mapping: &Mapping) -> Result<TableFile, Vec<BadRow>> {
        let file = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let fail = |message: String| vec![BadRow::new(&file, 1, None, Problem::File(message))];
        let (header, rows) = if is_workbook(path) {
            open_sheet(path, table).map_err(fail)?
        } else {
            open_csv(path).map_err(fail)?
        };
        let columns: Vec<Option<Column>> =
            header.iter().map(|h| mapping.column(table, h)).collect();
        let mut bad = Vec::new();
        for (heading, column) in header.iter().zip(&columns) {
            if column.is_none() && !heading.trim().is_empty() {
                bad.push(BadRow::new(
                    &file,
                    1,
                    None,
                    Problem::UnknownHeading(heading.clone()),
                ));
            }
        }
        for spec in table.columns().iter().filter(|s| s.required) {
            if !columns.contains(&Some(spec.column)) {
                bad.push(BadRow::new(
                    &file,
                    1,
                    None,
                    Problem::MissingColumn(spec.heading),
                ));
            }
        }
        if !bad.is_empty() {
            return Err(bad);
        }
        Ok(TableFile {
            file,
            columns,
            rows,
        })
    }

    /// The next row, or a bad row (wrong encoding, unreadable); `None` at the end.
    pub fn next_row(&mut self) -> Option<Result<Row, BadRow>> {
        loop {
            let (line, cells) = match &mut self.rows {
                Rows::Csv {
                    reader,
                    encoding,
                    record,
                } => {
                    match reader.read_byte_record(record) {
                        Ok(false) => return None,
                        Err(error) => {
                            let line = error.position().map_or(0, |p| p.line());
                            let problem = Problem::File(format!("CSV не читается: {error}"));
                            return Some(Err(BadRow::new(&self.file, line, None, problem)));
                        }
                        Ok(true) => {}
                    }
                    let line = record.position().map_or(0, |p| p.line());
                    let mut cells = Vec::with_capacity(record.len());
                    for field in record.iter() {
                        match decode(field, *encoding) {
                            Some(text) => cells.push(text),
                            None => {
                                let problem = Problem::Encoding(*encoding);
                                return Some(Err(BadRow::new(&self.file, line, None, problem)));
                            }
                        }
                    }
                    (line, cells)
                }
                Rows::Sheet { rows, line } => {
                    let row = rows.next()?;
                    *line += 1;
                    (*line, row.iter().map(cell_text).collect())
                }
            };
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let cells = self
                .columns
                .iter()
                .zip(cells)
                .filter_map(|(column, text)| column.map(|c| (c, text)))
                .collect();
            return Some(Ok(Row { line, cells }));
        }
    }
}

/// About how many data rows the table file at `path` has, for a progress
/// bar's length before the file is read: a CSV's line breaks less its header
/// (a quoted value with a line break counts twice); `None` for a workbook or
/// a file that cannot be read (its rows are counted as they are read).
pub fn rows_about(path: &Path) -> Option<u64> {
    if is_workbook(path) {
        return None;
    }
    let mut file = File::open(path).ok()?;
    let mut buffer = vec![0; 1 << 20];
    let (mut breaks, mut last) = (0u64, b'\n');
    loop {
        let n = file.read(&mut buffer).ok()?;
        if n == 0 {
            break;
        }
        breaks += memchr::memchr_iter(b'\n', &buffer[..n]).count() as u64;
        last = buffer[n - 1];
    }
    // A last line without its line break is a row too.
    let lines = breaks + u64::from(last != b'\n');
    Some(lines.saturating_sub(1))
}

/// Whether `path` is read as a workbook (XLSX); any other file is a CSV.
fn is_workbook(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// Decodes one CSV field; `None` when its bytes are not the file's encoding.
fn decode(field: &[u8], encoding: Encoding) -> Option<String> {
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(field).ok().map(str::to_string),
        Encoding::Windows1251 => {
            // Valid UTF-8 beyond ASCII in a Windows-1251 file is a UTF-8 line
            // pasted in: decoded as 1251 it would be «РџРµС‚СЂРѕРІР°».
            if !field.is_ascii() && std::str::from_utf8(field).is_ok() {
                return None;
            }
            WINDOWS_1251
                .decode_without_bom_handling_and_without_replacement(field)
                .map(|text| text.into_owned())
        }
    }
}

fn open_csv(path: &Path) -> Result<(Vec<String>, Rows), String> {
    let mut start = vec![0; 64 * 1024];
    let mut file = File::open(path).map_err(|e| format!("файл не открывается: {e}"))?;
    let n = file
        .read(&mut start)
        .map_err(|e| format!("файл не читается: {e}"))?;
    start.truncate(n);
    let bom = start.starts_with(b"\xEF\xBB\xBF");
    let first_line = start[if bom { 3 } else { 0 }..]
        .split(|&b| b == b'\n')
        .next()
        .unwrap_or(&[]);
    let encoding = if bom || std::str::from_utf8(first_line).is_ok() {
        Encoding::Utf8
    } else {
        Encoding::Windows1251
    };
    let semicolons = first_line.iter().filter(|&&b| b == b';').count();
    let commas = first_line.iter().filter(|&&b| b == b',').count();
    let delimiter = if commas > semicolons { b',' } else { b';' };
    let file = File::open(path).map_err(|e| format!("файл не открывается: {e}"))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(BufReader::with_capacity(1 << 20, file));
    let mut record = csv::ByteRecord::new();
    if !reader
        .read_byte_record(&mut record)
        .map_err(|e| format!("CSV не читается: {e}"))?
    {
        return Err("файл пуст: нет строки заголовков".into());
    }
    let mut header = Vec::new();
    for (k, field) in record.iter().enumerate() {
        let field = match field.strip_prefix(b"\xEF\xBB\xBF") {
            Some(rest) if k == 0 => rest,
            _ => field,
        };
        let text = decode(field, encoding)
            .ok_or_else(|| "заголовок не в кодировке UTF-8 или Windows-1251".to_string())?;
        header.push(text);
    }
    Ok((
        header,
        Rows::Csv {
            reader,
            encoding,
            record,
        },
    ))
}

fn open_sheet(path: &Path, table: Table) -> Result<(Vec<String>, Rows), String> {
    let mut book = calamine::open_workbook_auto(path)
        .map_err(|e| format!("книга XLSX не открывается: {e}"))?;
    let names = book.sheet_names();
    let name = names
        .iter()
        .find(|n| crate::import::format::normal(n) == crate::import::format::normal(table.sheet()))
        .or_else(|| names.first())
        .cloned()
        .ok_or_else(|| "в книге нет листов".to_string())?;
    let range = book
        .worksheet_range(&name)
        .map_err(|e| format!("лист «{name}» не читается: {e}"))?;
    let mut rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    if rows.is_empty() {
        return Err(format!("лист «{name}» пуст: нет строки заголовков"));
    }
    let header = rows.remove(0).iter().map(cell_text).collect();
    let first = range.start().map_or(0, |(row, _)| u64::from(row));
    Ok((
        header,
        Rows::Sheet {
            rows: rows.into_iter(),
            line: first + 1,
        },
    ))
}

/// A cell as text: numbers without a trailing `.0`, dates as ДД.ММ.ГГГГ.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        Data::DateTime(dt) => {
            let serial = dt.as_f64().floor() as i64;
            let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
            (epoch + chrono::Duration::days(serial))
                .format("%d.%m.%Y")
                .to_string()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_s_rows_are_counted_by_its_lines_before_it_is_read() {
        let dir = tempfile::TempDir::new().unwrap();
        let count = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            rows_about(&path)
        };
        assert_eq!(count("a.csv", "Код;Имя\n1;а\n2;б\n"), Some(2));
        assert_eq!(count("b.csv", "Код;Имя\n1;а\n2;б"), Some(2));
        assert_eq!(count("c.csv", "Код;Имя\n"), Some(0));
        assert_eq!(count("d.csv", ""), Some(0));
        assert_eq!(count("e.xlsx", "not read"), None);
        // Read as a CSV whatever its name, so counted as one.
        assert_eq!(count("f", "Код\n1\n"), Some(1));
        assert_eq!(rows_about(&dir.path().join("missing.csv")), None);
    }
}
