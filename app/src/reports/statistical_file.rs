//! The statistical report as a file: one sheet per section of the union's
//! form (numbers and coverage, gender and age, professions, tenure,
//! movement), each with a row per child organisation and the totals last.

use documents::{Cell, Document, Sheet};
use projections::statistics::{Movement, Report};

use crate::reports::labels::{
    AGE_BAND_WORDS, CATEGORY_WORDS, END_REASON_WORDS, GENDER_WORDS, PROFESSION_WORDS,
    TENURE_BAND_WORDS,
};
use crate::reports::statistical::{StatisticalReport, StatisticalRow};

/// The title every copy of the report carries.
pub const TITLE: &str = "Статистический отчёт";

/// A column of a section: its heading and how a row fills it.
struct Column {
    heading: String,
    cell: fn(&StatisticalRow, usize) -> Cell,
    /// The index handed to `cell` (a bucket's place).
    index: usize,
}

fn column(heading: &str, cell: fn(&StatisticalRow, usize) -> Cell) -> Column {
    Column {
        heading: heading.to_string(),
        cell,
        index: 0,
    }
}

fn buckets(words: &[&str], cell: fn(&StatisticalRow, usize) -> Cell) -> Vec<Column> {
    words
        .iter()
        .enumerate()
        .map(|(index, heading)| Column {
            heading: heading.to_string(),
            cell,
            index,
        })
        .collect()
}

fn count(n: u64) -> Cell {
    Cell::Count(n)
}

fn bucket(buckets: &[(&'static str, u64)], index: usize) -> Cell {
    buckets
        .get(index)
        .map_or(Cell::Empty, |&(_, n)| Cell::Count(n))
}

/// A share as a percentage with decimals; empty when there is nothing to share.
fn percent(share: Option<f64>) -> Cell {
    share.map_or(Cell::Empty, |x| Cell::Number((x * 1000.0).round() / 10.0))
}

fn moved(row: &StatisticalRow, of: fn(&Movement) -> u64) -> Cell {
    row.movement
        .as_ref()
        .map_or(Cell::Empty, |m| Cell::Count(of(m)))
}

fn figures(row: &StatisticalRow) -> &Report {
    &row.figures
}

fn sections() -> Vec<(&'static str, Vec<Column>)> {
    let mut numbers = vec![
        column("Работающих", |r, _| count(figures(r).employees)),
        column("Обучающихся", |r, _| count(figures(r).students)),
        column("Членов профсоюза", |r, _| {
            count(figures(r).members)
        }),
    ];
    numbers.extend(buckets(&CATEGORY_WORDS, |r, i| {
        bucket(&figures(r).by_category, i)
    }));
    numbers.extend([
        column("Охват работающих, %", |r, _| {
            percent(figures(r).worker_coverage)
        }),
        column("Охват обучающихся, %", |r, _| {
            percent(figures(r).student_coverage)
        }),
        column("Молодёжь до 35 лет", |r, _| {
            count(figures(r).youth)
        }),
        column("Доля молодёжи, %", |r, _| {
            let f = figures(r);
            percent((f.members > 0).then(|| f.youth as f64 / f.members as f64))
        }),
    ]);
    let mut people = buckets(&GENDER_WORDS, |r, i| bucket(&figures(r).by_gender, i));
    people.extend(buckets(&AGE_BAND_WORDS, |r, i| {
        bucket(&figures(r).by_age_band, i)
    }));
    let professions = buckets(&PROFESSION_WORDS, |r, i| {
        bucket(&figures(r).by_profession, i)
    });
    let tenure = buckets(&TENURE_BAND_WORDS, |r, i| {
        bucket(&figures(r).by_tenure_band, i)
    });
    let mut movement = vec![
        column("Принято", |r, _| moved(r, |m| m.admitted)),
        column("Прибыло (переводом)", |r, _| {
            moved(r, |m| m.transferred_in)
        }),
        column("Убыло (переводом)", |r, _| {
            moved(r, |m| m.transferred_out)
        }),
    ];
    movement.extend(buckets(&END_REASON_WORDS, |r, i| {
        r.movement.as_ref().map_or(Cell::Empty, |m| {
            m.ended_by_reason
                .get(i)
                .map_or(Cell::Empty, |&(_, n)| Cell::Count(n))
        })
    }));
    movement.extend([
        column("Выбыло всего", |r, _| moved(r, |m| m.ended)),
        column("Изменение численности", |r, _| {
            r.movement
                .as_ref()
                .map_or(Cell::Empty, |m| Cell::Signed(m.net))
        }),
    ]);
    vec![
        ("Численность и охват", numbers),
        ("Пол и возраст", people),
        ("Профессии", professions),
        ("Профсоюзный стаж", tenure),
        ("Движение", movement),
    ]
}

/// The document of `report`.
pub fn document(report: &StatisticalReport) -> Document {
    let on = report.as_of.format("%d.%m.%Y");
    let from = report.from.format("%d.%m.%Y");
    let sheets = sections()
        .into_iter()
        .map(|(name, columns)| {
            let mut header = vec!["Организация".to_string()];
            header.extend(columns.iter().map(|c| c.heading.clone()));
            let rows = report
                .rows
                .iter()
                .chain([&report.total])
                .map(|row| {
                    let mut cells = vec![Cell::Text(row.label.clone())];
                    cells.extend(columns.iter().map(|c| (c.cell)(row, c.index)));
                    cells
                })
                .collect();
            let caption = if name == "Движение" {
                format!("{name} с {from} по {on}")
            } else {
                format!("{name} на {on}")
            };
            Sheet {
                name: name.to_string(),
                caption: vec![caption],
                header,
                rows,
                last_row_is_total: true,
            }
        })
        .collect();
    Document {
        title: TITLE.to_string(),
        subtitle: vec![
            report.org_name.clone(),
            format!("По состоянию на {on}; движение с {from} по {on}"),
            format!("По данным журнала на позиции {}", report.known_at),
        ],
        sheets,
    }
}
