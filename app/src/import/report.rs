//! Bad rows: where (file, row, column) and why, in Russian, and the report
//! file that lists them.

use domain::error::DomainError;
use domain::rules::RuleViolation;

use crate::import::read::Encoding;

/// What is wrong with a row (or with a whole file, on its line 1).
#[derive(Clone, Debug, PartialEq)]
pub enum Problem {
    /// The file cannot be read as a table.
    File(String),
    /// A heading the format does not know (and no mapping names).
    UnknownHeading(String),
    /// A required column is missing from the header.
    MissingColumn(&'static str),
    /// The row's bytes are not in the file's encoding.
    Encoding(Encoding),
    /// A cell is malformed or missing: what was expected.
    Cell(String),
    /// The row repeats the identity of an earlier row (its line).
    Duplicate(u64),
    /// The charter refused the row's command.
    Rule(RuleViolation),
    /// The charter refused the input as malformed: why, in Russian.
    Invalid(String),
    /// The row depends on a row that is bad itself.
    Depends(String),
}

/// A bad row.
#[derive(Clone, Debug, PartialEq)]
pub struct BadRow {
    /// The file name.
    pub file: String,
    /// The line (CSV) or row (XLSX) number, the header being 1.
    pub line: u64,
    /// The column's heading, when one column is at fault.
    pub column: Option<&'static str>,
    /// Why.
    pub problem: Problem,
}

impl BadRow {
    /// A bad row of `file` at `line`.
    pub fn new(file: &str, line: u64, column: Option<&'static str>, problem: Problem) -> BadRow {
        BadRow {
            file: file.to_string(),
            line,
            column,
            problem,
        }
    }

    /// The charter's refusal `error` of the row, at `column`.
    pub fn refused(
        file: &str,
        line: u64,
        column: Option<&'static str>,
        error: DomainError,
    ) -> BadRow {
        let problem = match error {
            DomainError::Rule(rule) => Problem::Rule(rule),
            other => Problem::Invalid(crate::words::refusal(&other)),
        };
        BadRow::new(file, line, column, problem)
    }

    /// The stable code: the rule's (`TOO_YOUNG`), else the kind of fault.
    pub fn code(&self) -> &'static str {
        match &self.problem {
            Problem::File(_) => "FILE",
            Problem::UnknownHeading(_) => "UNKNOWN_COLUMN",
            Problem::MissingColumn(_) => "MISSING_COLUMN",
            Problem::Encoding(_) => "ENCODING",
            Problem::Cell(_) | Problem::Invalid(_) => "VALIDATION",
            Problem::Duplicate(_) => "DUPLICATE_ROW",
            Problem::Rule(rule) => rule.rule(),
            Problem::Depends(_) => "DEPENDS_ON_BAD_ROW",
        }
    }

    /// Why, in Russian.
    pub fn message(&self) -> String {
        match &self.problem {
            Problem::File(text) => text.clone(),
            Problem::UnknownHeading(heading) => format!(
                "Неизвестный столбец «{heading}»: назовите его, как в шаблоне, или укажите написание в файле соответствий"
            ),
            Problem::MissingColumn(heading) => format!("Нет обязательного столбца «{heading}»"),
            Problem::Encoding(Encoding::Utf8) => {
                "Строка не в кодировке UTF-8, как остальной файл (возможно, Windows-1251)".into()
            }
            Problem::Encoding(Encoding::Windows1251) => {
                "Строка не в кодировке Windows-1251, как остальной файл (возможно, UTF-8)".into()
            }
            Problem::Cell(text) => text.clone(),
            Problem::Duplicate(line) => format!("Строка повторяет строку {line}"),
            Problem::Rule(rule) => crate::words::rule(rule),
            Problem::Invalid(text) => text.clone(),
            Problem::Depends(text) => text.clone(),
        }
    }
}

/// The report's header.
pub const REPORT_HEADER: [&str; 5] = ["Файл", "Строка", "Столбец", "Код", "Причина"];

/// The bad rows as the report's rows, in file and row order.
pub fn report_rows(bad: &[BadRow]) -> Vec<Vec<String>> {
    let mut bad: Vec<&BadRow> = bad.iter().collect();
    bad.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    bad.iter()
        .map(|row| {
            vec![
                row.file.clone(),
                row.line.to_string(),
                row.column.unwrap_or("").to_string(),
                row.code().to_string(),
                row.message(),
            ]
        })
        .collect()
}

/// The report file: CSV (`;`, UTF-8 with BOM), or XLSX for a `.xlsx` path.
///
/// # Errors
/// The writer's failure, as text.
pub fn render_report(bad: &[BadRow], xlsx: bool) -> Result<Vec<u8>, String> {
    let header: Vec<String> = REPORT_HEADER.iter().map(|h| h.to_string()).collect();
    let rows = report_rows(bad);
    if xlsx {
        let sheet = documents::table::TextSheet {
            name: "Ошибки".into(),
            header,
            rows,
        };
        return documents::table::xlsx(&[sheet]).map_err(|e| e.to_string());
    }
    let mut table =
        documents::table::CsvTable::new(Vec::new(), &header).map_err(|e| e.to_string())?;
    for row in rows {
        table.row(row).map_err(|e| e.to_string())?;
    }
    table.finish().map_err(|e| e.to_string())
}
