//! `reestr import --template DIR`: the two tables, empty but for one example
//! row, as XLSX and as CSV, and an example mapping file.

use std::path::{Path, PathBuf};

use crate::import::format::Table;

/// The example mapping file: other spellings of headings.
pub const MAPPING_EXAMPLE: &str = "\
# Другие написания заголовков: «написание = заголовок шаблона», по одному в строке.
# Регистр, ё/е и лишние пробелы не важны.
Surname = Фамилия
Name = Имя
Ф.И.О. председателя = Председатель
Дата приема в профсоюз = Дата вступления
";

/// The file names of the templates, by table.
pub fn file_stem(table: Table) -> &'static str {
    match table {
        Table::Organizations => "организации",
        Table::Members => "члены",
    }
}

/// The table's header and example row.
pub fn example(table: Table) -> (Vec<String>, Vec<String>) {
    let header = table
        .columns()
        .iter()
        .map(|s| s.heading.to_string())
        .collect();
    let row = table
        .columns()
        .iter()
        .map(|s| s.example.to_string())
        .collect();
    (header, row)
}

/// Writes the templates into `dir` (created if missing); returns the files.
///
/// # Errors
/// What failed, as text.
pub fn write_templates(dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for table in [Table::Organizations, Table::Members] {
        let (header, row) = example(table);
        let sheet = documents::table::TextSheet {
            name: table.sheet().to_string(),
            header: header.clone(),
            rows: vec![row.clone()],
        };
        let xlsx = documents::table::xlsx(&[sheet]).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{}.xlsx", file_stem(table)));
        std::fs::write(&path, xlsx).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
        let mut csv =
            documents::table::CsvTable::new(Vec::new(), &header).map_err(|e| e.to_string())?;
        csv.row(&row).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{}.csv", file_stem(table)));
        let bytes = csv.finish().map_err(|e| e.to_string())?;
        std::fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    let path = dir.join("соответствия.txt");
    std::fs::write(&path, MAPPING_EXAMPLE).map_err(|e| format!("{}: {e}", path.display()))?;
    written.push(path);
    Ok(written)
}
