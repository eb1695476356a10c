//! `reestr export`: the registry as of a date in the import format, so an
//! export imports back into an empty registry as the same union.
//!
//! What it carries: every organisation (code = its id, the parent on the date
//! and the earlier ones with the day it left each, establishment and
//! dissolution, the passport in effect now), every person who was a member
//! on or before the date with every spell, how each ended (transfer or end,
//! reason, basis), the details on the date and each change before it with
//! the values it replaced, the active card and every earlier one. What it
//! does not: renames, passports before the one in effect, applications, and
//! erased persons, whose identity is gone (they are counted in the summary
//! instead).
//!
//! It streams: the registry's read model lists the persons in the order the
//! log first named each, and the export reads each person's stream, writes
//! their row and forgets them, a page of [`PAGE`] at a time (the page's
//! reads recorded before its rows are written). Memory is the organisations
//! and one page, not the union (the full union's 6.5M people once took 22.9 GB
//! when every person was kept to the end). An XLSX file is built in memory
//! whole, so it keeps every row (not every person's state).

use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use domain::event::{Event, OrganizationEvent};
use domain::ids::{OrgId, PersonId};
use domain::organization::{self, Organization};
use eventlog::{EventLog, StoredEvent, codec};
use futures::StreamExt;

use crate::audit::PersonalReads;
use crate::error::Error;
use crate::guard::{Action, Viewer};
use crate::import::format::Table;
use crate::import::template::file_stem;
use crate::running::App;

mod kept;
mod rows;

use kept::Kept;

/// Persons read, written and recorded as read at a time.
const PAGE: usize = 8192;

/// Streams read in one call: one hand-off to the log's readers per this many
/// persons, not one per person (BENCHMARKS.md, "The export reads 256
/// persons a call").
const STREAMS_PER_READ: usize = 256;
/// Reads in flight: the next ones are read (and unsealed) while this task
/// folds and writes.
const READS_IN_FLIGHT: usize = 2;

/// An organisation with its earlier parents and the day it left each.
type Placed = (Organization, Vec<(OrgId, NaiveDate)>);

/// What an export wrote.
#[derive(Clone, Debug, Default)]
pub struct ExportSummary {
    /// The files.
    pub files: Vec<PathBuf>,
    /// Organisation rows.
    pub organizations: u64,
    /// Member rows.
    pub members: u64,
    /// Erased persons left out.
    pub erased: u64,
}

/// Where a table's rows go: a CSV file row by row, or the rows of an XLSX
/// sheet written at the end.
enum Sink {
    Csv(Box<documents::table::CsvTable<std::io::BufWriter<std::fs::File>>>),
    Xlsx(Vec<Vec<String>>),
}

struct TableFile {
    table: Table,
    path: PathBuf,
    sink: Sink,
}

impl TableFile {
    fn create(dir: &Path, table: Table, xlsx: bool) -> Result<TableFile, Error> {
        let path = dir.join(format!(
            "{}.{}",
            file_stem(table),
            if xlsx { "xlsx" } else { "csv" }
        ));
        let sink = if xlsx {
            Sink::Xlsx(Vec::new())
        } else {
            let file = std::fs::File::create(&path).map_err(|e| failed(&path, e))?;
            let out = std::io::BufWriter::with_capacity(1 << 20, file);
            Sink::Csv(Box::new(
                documents::table::CsvTable::new(out, &header(table))
                    .map_err(|e| failed(&path, e))?,
            ))
        };
        Ok(TableFile { table, path, sink })
    }

    fn row(&mut self, row: Vec<String>) -> Result<(), Error> {
        match &mut self.sink {
            Sink::Csv(csv) => csv.row(row).map_err(|e| failed(&self.path, e)),
            Sink::Xlsx(rows) => {
                rows.push(row);
                Ok(())
            }
        }
    }

    fn finish(self) -> Result<PathBuf, Error> {
        let path = self.path;
        match self.sink {
            Sink::Csv(csv) => {
                let mut out = (*csv).finish().map_err(|e| failed(&path, e))?;
                out.flush().map_err(|e| failed(&path, e))?;
            }
            Sink::Xlsx(rows) => {
                let sheet = documents::table::TextSheet {
                    name: self.table.sheet().into(),
                    header: header(self.table),
                    rows,
                };
                let bytes = documents::table::xlsx(&[sheet]).map_err(|e| failed(&path, e))?;
                std::fs::write(&path, bytes).map_err(|e| failed(&path, e))?;
            }
        }
        Ok(path)
    }
}

fn header(table: Table) -> Vec<String> {
    table
        .columns()
        .iter()
        .map(|s| s.heading.to_string())
        .collect()
}

fn failed(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("{}: {e}", path.display()))
}

impl App {
    /// Writes the registry as of `as_of` into `dir` as the import's two
    /// tables (CSV, or XLSX when `xlsx`), as `viewer`: a holder over the
    /// whole union who reads members; every person written is a recorded read.
    /// The registry is exported as its read model stands when this starts;
    /// what is appended meanwhile is left out.
    ///
    /// # Errors
    /// `FORBIDDEN` below the root or for a role that reads no members; the
    /// log's failures; a file that cannot be written (`INTERNAL`).
    pub async fn export(
        &self,
        viewer: &Viewer,
        dir: &Path,
        as_of: NaiveDate,
        xlsx: bool,
    ) -> Result<ExportSummary, Error> {
        if let Some(subtree) = viewer.may(Action::ReadMembers)?
            && self.models.registry.organization(subtree).map(|o| o.level)
                != Some(domain::vocabulary::organization::OrgLevel::Central)
        {
            return Err(crate::error::Refusal::OutsideSubtree {
                action: Action::ReadMembers,
            }
            .into());
        }
        let reads = self.personal_reads(viewer);
        let (at, persons, org_ids) = self.models.registry.extent();
        std::fs::create_dir_all(dir).map_err(|e| failed(dir, e))?;
        let mut summary = ExportSummary::default();
        // The organisations' rows wait for the end (they are few); the
        // members file is opened once the first page's reads are recorded,
        // so a refusal writes no file.
        let org_rows: Vec<Vec<String>> = self
            .organizations_at(org_ids, at)
            .await?
            .iter()
            .map(|(org, moves)| rows::org_row(org, moves, as_of))
            .collect();
        summary.organizations = org_rows.len() as u64;
        let mut members: Option<TableFile> = None;
        let mut from = 0;
        while from < persons {
            let ids = self
                .models
                .registry
                .person_ids(from, PAGE.min(persons - from));
            if ids.is_empty() {
                break;
            }
            from += ids.len();
            let page = self
                .member_rows(ids, at, as_of, &reads, &mut summary)
                .await?;
            // Not recorded, not shown: the page's reads are durable before
            // its rows are written.
            reads.record().await?;
            if members.is_none() {
                members = Some(TableFile::create(dir, Table::Members, xlsx)?);
            }
            if let Some(file) = members.as_mut() {
                for row in page {
                    file.row(row)?;
                }
            }
        }
        let mut organizations = TableFile::create(dir, Table::Organizations, xlsx)?;
        for row in org_rows {
            organizations.row(row)?;
        }
        let members = match members {
            Some(file) => file,
            None => TableFile::create(dir, Table::Members, xlsx)?,
        };
        summary.files.push(organizations.finish()?);
        summary.files.push(members.finish()?);
        Ok(summary)
    }

    /// Every organisation of `org_ids` with an event by position `at`, as
    /// of then, with its earlier parents and the day it left each, in the
    /// order of their first events.
    async fn organizations_at(&self, org_ids: Vec<OrgId>, at: u64) -> Result<Vec<Placed>, Error> {
        let streams = org_ids.iter().map(|org_id| org_id.stream()).collect();
        let mut streams = streams_at(self.log.clone(), streams, at);
        let mut found = Vec::new();
        while let Some(events) = streams.next().await {
            let events = events?;
            let Some(first) = events.first().map(|e| e.position) else {
                continue;
            };
            let mut org = None;
            let mut moves = Vec::new();
            for stored in &events {
                let Event::Organization(event) = codec::decode(stored)? else {
                    continue;
                };
                if let OrganizationEvent::Moved {
                    from_parent,
                    effective_on,
                    ..
                } = &event
                {
                    moves.push((*from_parent, *effective_on));
                }
                organization::evolve(&mut org, &event);
            }
            if let Some(org) = org {
                found.push((first, org, moves));
            }
        }
        found.sort_by_key(|(first, _, _)| *first);
        Ok(found
            .into_iter()
            .map(|(_, org, moves)| (org, moves))
            .collect())
    }

    /// The rows of `ids` as of `as_of`, each person read from their stream
    /// up to position `at` and noted as read; erased persons counted.
    async fn member_rows(
        &self,
        ids: Vec<PersonId>,
        at: u64,
        as_of: NaiveDate,
        reads: &PersonalReads,
        summary: &mut ExportSummary,
    ) -> Result<Vec<Vec<String>>, Error> {
        let streams = ids.iter().map(|person_id| person_id.stream()).collect();
        let mut streams = streams_at(self.log.clone(), streams, at);
        let mut page = Vec::new();
        while let Some(events) = streams.next().await {
            let mut kept = Kept::default();
            for stored in &events? {
                if let Event::Person(event) = codec::decode(stored)? {
                    kept.apply(&event);
                }
            }
            let person = &kept.person;
            let (Some(person_id), Some(personal)) = (person.person_id, &person.personal) else {
                summary.erased += u64::from(person.erased);
                continue;
            };
            let Some(row) = rows::member_row(person_id, &kept, personal, as_of) else {
                continue;
            };
            reads.show(person_id)?;
            page.push(row);
            summary.members += 1;
        }
        Ok(page)
    }
}

/// The events of each of `streams` up to position `at`, in their order,
/// read [`STREAMS_PER_READ`] at a time.
fn streams_at(
    log: std::sync::Arc<dyn EventLog>,
    streams: Vec<String>,
    at: u64,
) -> impl futures::Stream<Item = Result<Vec<StoredEvent>, Error>> {
    let chunks: Vec<Vec<String>> = streams
        .chunks(STREAMS_PER_READ)
        .map(<[String]>::to_vec)
        .collect();
    futures::stream::iter(chunks)
        .map(move |chunk| {
            let log = log.clone();
            async move { log.read_streams(&chunk).await }
        })
        .buffered(READS_IN_FLIGHT)
        .flat_map(move |read| {
            let each: Vec<Result<Vec<StoredEvent>, Error>> = match read {
                Ok(lists) => lists
                    .into_iter()
                    .map(|mut events| {
                        events.retain(|e| e.position <= at);
                        Ok(events)
                    })
                    .collect(),
                Err(error) => vec![Err(error.into())],
            };
            futures::stream::iter(each)
        })
}
