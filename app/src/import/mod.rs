//! Moving in: an existing registry imported from spreadsheets (XLSX or CSV),
//! every row decided by the charter, checked before anything is written,
//! resumable, in batches; and the same format exported from the registry.
//!
//! Layout:
//! - [`format`]: the tables, their columns and Russian headings, other
//!   spellings (a mapping file); [`words`]: the words coded columns take.
//! - [`read`]: a table file (XLSX, or CSV in UTF-8 or Windows-1251 with `;`
//!   or `,`) row by row; [`rows`]: a row's cells read into commands' input.
//! - `decide`: each row's commands decided by `domain`, with the facts kept
//!   in memory for the run; `batch`: batched appends.
//! - [`report`]: bad rows and the report file; [`template`]: empty templates;
//!   [`export`]: the registry as these files.
//!
//! What it does not do: change what an earlier run wrote (a row already in
//! the registry is skipped, not compared), import applications, or re-admit
//! a person the registry holds already (that is `admitMember`'s job, with
//! its subtree rules).

mod batch;
mod decide;
pub mod export;
pub mod format;
pub mod read;
pub mod report;
pub mod rows;
pub mod template;
pub mod words;

use std::collections::HashSet;
use std::path::PathBuf;

use domain::event::{Event, OrganizationEvent};
use domain::ids::OrgId;
use domain::vocabulary::organization::OrgLevel;
use eventlog::codec;
use futures::StreamExt;

use crate::error::Error;
use crate::guard::{Action, Viewer};
pub use crate::import::batch::BATCH_EVENTS;
use crate::import::batch::Batcher;
use crate::import::decide::{Decider, Outcome};
use crate::import::format::{Column, Mapping, Table};
use crate::import::read::TableFile;
use crate::import::report::BadRow;
use crate::running::{App, today};

/// The files of one import.
#[derive(Clone, Debug, Default)]
pub struct ImportFiles {
    /// The organisations' table.
    pub organizations: Option<PathBuf>,
    /// The members' tables.
    pub members: Vec<PathBuf>,
    /// Other spellings of headings.
    pub mapping: Option<PathBuf>,
}

/// What an import does with bad rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportMode {
    /// Writes nothing; reports every bad row.
    Check,
    /// Writes nothing while any row is bad; else everything.
    AllOrNothing,
    /// Writes the good rows and reports the bad ones.
    SkipInvalid,
}

/// How an import runs.
#[derive(Clone)]
pub struct ImportOptions {
    /// What to do with bad rows.
    pub mode: ImportMode,
    /// Events per append; 1 appends every row on its own, one commit each
    /// (the one-by-one path benchmarks compare with).
    pub batch_events: usize,
    /// The log's bulk path (`BulkLog::import`: batches without idempotency
    /// lookups), for a log no other process writes; `None`: `EventLog::append`.
    pub bulk: Option<std::sync::Arc<dyn eventlog::BulkLog>>,
}

/// Told how far an import is (the command line draws a progress bar).
pub trait ImportProgress: Send + Sync {
    /// A pass begins over `total` rows: about as many as the CSVs have lines
    /// on the first pass (unknown for a workbook), exactly on the second.
    fn pass(&self, name: &str, total: Option<u64>);
    /// `rows` more rows are through.
    fn advance(&self, rows: u64);
}

/// What an import did.
#[derive(Clone, Debug, Default)]
pub struct ImportOutcome {
    /// Rows read (both tables, without headers).
    pub rows: u64,
    /// Member rows read.
    pub member_rows: u64,
    /// Bad rows, and faults of whole files (on their line 1).
    pub bad: Vec<BadRow>,
    /// Rows written by this run (or that it would have written: [`ImportOutcome::wrote`]).
    pub written_rows: u64,
    /// Member rows written by this run (or that it would have written).
    pub written_members: u64,
    /// Rows an earlier run wrote already.
    pub done_rows: u64,
    /// Events this run stored.
    pub events: u64,
    /// Appends this run made.
    pub appends: u64,
}

impl ImportOutcome {
    /// Whether the run wrote its rows: not a check, and no bad row unless
    /// bad rows are skipped. The written counts are what it wrote, or would
    /// have written.
    pub fn wrote(&self, mode: ImportMode) -> bool {
        mode != ImportMode::Check && (self.bad.is_empty() || mode == ImportMode::SkipInvalid)
    }
}

/// What a decision is of: an organisation's registration, a member's row,
/// or an organisation's dissolution (decided after every member).
#[derive(Clone, Copy, PartialEq, Eq)]
enum RowPart {
    Organization,
    Member,
    Dissolution,
}

#[derive(Default)]
struct Pass {
    outcome: ImportOutcome,
    bad_lines: HashSet<(String, u64)>,
}

impl App {
    /// Imports `files` as `viewer` (the operator, or a root ADMIN): reads and
    /// checks every row (the charter's `decide` for each), then, unless
    /// `options.mode` says otherwise or a row is bad, writes them in batches.
    /// With bad rows skipped there is one pass: each row is written as soon
    /// as it is decided good.
    ///
    /// # Errors
    /// `FORBIDDEN` below the root; `VALIDATION` for an unreadable mapping
    /// file; the log's failures. Bad rows are not errors: they are in the outcome.
    pub async fn import(
        &self,
        viewer: &Viewer,
        files: &ImportFiles,
        options: &ImportOptions,
        progress: &dyn ImportProgress,
    ) -> Result<ImportOutcome, Error> {
        self.may_import(viewer)?;
        let mapping = match &files.mapping {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Error::invalid("mapping", format!("{}: {e}", path.display())))?;
                Mapping::parse(&text).map_err(|e| Error::invalid("mapping", e))?
            }
            None => Mapping::default(),
        };
        let central = self.central_organization().await?;
        let rows = files
            .organizations
            .iter()
            .chain(&files.members)
            .map(|path| read::rows_about(path))
            .sum::<Option<u64>>();
        if options.mode == ImportMode::SkipInvalid {
            // One pass, each row decided once and written when good: a check
            // first would find the same bad rows (it decides the same rows in
            // the same order), and would only double the run.
            progress.pass("запись", rows);
            let none = HashSet::new();
            let pass = self
                .import_pass(
                    viewer,
                    files,
                    &mapping,
                    central,
                    Some(&none),
                    options,
                    progress,
                )
                .await?;
            return Ok(pass.outcome);
        }
        progress.pass("проверка", rows);
        let checked = self
            .import_pass(viewer, files, &mapping, central, None, options, progress)
            .await?;
        let nothing_to_write = options.mode == ImportMode::Check
            || (options.mode == ImportMode::AllOrNothing && !checked.outcome.bad.is_empty());
        if nothing_to_write {
            return Ok(checked.outcome);
        }
        progress.pass("запись", Some(checked.outcome.rows));
        let written = self
            .import_pass(
                viewer,
                files,
                &mapping,
                central,
                Some(&checked.bad_lines),
                options,
                progress,
            )
            .await?;
        let mut outcome = written.outcome;
        // The bad rows as the check found them (the writing pass skips
        // them), then any the writing pass refused although the check had
        // not (it decides on the same registry, so none is expected).
        let mut bad = checked.outcome.bad;
        bad.extend(
            outcome
                .bad
                .into_iter()
                .filter(|row| !checked.bad_lines.contains(&(row.file.clone(), row.line))),
        );
        outcome.bad = bad;
        Ok(outcome)
    }

    /// Refuses `viewer` unless they may import: the operator, or an ADMIN
    /// of the whole union.
    ///
    /// # Errors
    /// `FORBIDDEN` below the root or for a role that writes no members.
    pub fn may_import(&self, viewer: &Viewer) -> Result<(), Error> {
        for action in [Action::WriteOrganizations, Action::WriteMembers] {
            if let Some(subtree) = viewer.may(action)?
                && self.models.registry.organization(subtree).map(|o| o.level)
                    != Some(OrgLevel::Central)
            {
                return Err(crate::error::Refusal::OutsideSubtree { action }.into());
            }
        }
        Ok(())
    }

    /// The CENTRAL organisation, if registered: the first registration
    /// without a parent.
    async fn central_organization(&self) -> Result<Option<OrgId>, Error> {
        let mut events = eventlog::read_all(self.log.clone(), 0);
        while let Some(stored) = events.next().await {
            if let Event::Organization(OrganizationEvent::Registered {
                org_id,
                parent_id: None,
                ..
            }) = codec::decode(&stored?)?
            {
                return Ok(Some(org_id));
            }
        }
        Ok(None)
    }

    /// One pass over the files: checking (`skip` is `None`: nothing written)
    /// or writing (the rows `skip` names were found bad and are left out).
    #[allow(clippy::too_many_arguments)]
    async fn import_pass(
        &self,
        viewer: &Viewer,
        files: &ImportFiles,
        mapping: &Mapping,
        central: Option<OrgId>,
        skip: Option<&HashSet<(String, u64)>>,
        options: &ImportOptions,
        progress: &dyn ImportProgress,
    ) -> Result<Pass, Error> {
        let registry = &self.models.registry;
        let mut decider = Decider::new(
            self.log.as_ref(),
            registry,
            central,
            today(),
            skip.is_some(),
        );
        let bulk = options.bulk.clone().filter(|_| !self.shared());
        let mut batcher =
            Batcher::new(self.log.clone(), bulk, viewer.actor(), options.batch_events);
        let mut pass = Pass::default();
        let writing = skip.is_some();
        let skipped =
            |file: &str, line: u64| skip.is_some_and(|s| s.contains(&(file.to_string(), line)));

        // Organisations, parents before children (levels go down the tree).
        let mut org_rows = Vec::new();
        let mut org_file = String::new();
        if let Some(path) = &files.organizations {
            match TableFile::open(path, Table::Organizations, mapping) {
                Err(bad) => pass.note_bad(bad),
                Ok(mut table) => {
                    org_file = table.file.clone();
                    while let Some(row) = table.next_row() {
                        pass.outcome.rows += 1;
                        match row.map_err(|bad| vec![bad]).and_then(|row| {
                            rows::org_row(&table.file, &row)
                                .inspect_err(|_| decider.refuse_code(row.get(Column::Code)))
                        }) {
                            Ok(row) => org_rows.push(row),
                            Err(bad) => pass.note_bad(bad),
                        }
                    }
                }
            }
        }
        org_rows.sort_by_key(|row| OrgLevel::ALL.iter().position(|l| *l == row.level));
        for row in &org_rows {
            if skipped(&org_file, row.line) {
                continue;
            }
            let outcome = decider.organization(&org_file, row).await?;
            pass.take(
                outcome,
                writing,
                &mut batcher,
                &format!("org {}", row.code),
                RowPart::Organization,
            )
            .await?;
            progress.advance(1);
        }

        for path in &files.members {
            let mut table = match TableFile::open(path, Table::Members, mapping) {
                Ok(table) => table,
                Err(bad) => {
                    pass.note_bad(bad);
                    continue;
                }
            };
            while let Some(row) = table.next_row() {
                pass.outcome.rows += 1;
                pass.outcome.member_rows += 1;
                progress.advance(1);
                let row = match row {
                    Ok(row) => row,
                    Err(bad) => {
                        pass.note_bad(vec![bad]);
                        continue;
                    }
                };
                if skipped(&table.file, row.line) {
                    continue;
                }
                let outcome = match rows::member_row(&table.file, &row) {
                    Ok(member) => decider.member(&table.file, &member).await?,
                    Err(bad) => Outcome::Bad(bad),
                };
                let key = format!("member {} {}", table.file, row.line);
                pass.take(outcome, writing, &mut batcher, &key, RowPart::Member)
                    .await?;
            }
        }

        // Dissolutions last: an organisation is dissolved once its members left.
        for row in org_rows.iter().rev() {
            if skipped(&org_file, row.line) || row.dissolved_on.is_none() {
                continue;
            }
            let outcome = decider.dissolution(&org_file, row).await?;
            pass.take(
                outcome,
                writing,
                &mut batcher,
                &format!("dissolve {}", row.code),
                RowPart::Dissolution,
            )
            .await?;
        }
        batcher.finish().await?;
        pass.outcome.events = batcher.written;
        pass.outcome.appends = batcher.batches;
        Ok(pass)
    }
}

impl Pass {
    fn note_bad(&mut self, bad: Vec<BadRow>) {
        for row in bad {
            self.bad_lines.insert((row.file.clone(), row.line));
            self.outcome.bad.push(row);
        }
    }

    async fn take(
        &mut self,
        outcome: Outcome,
        writing: bool,
        batcher: &mut Batcher,
        key: &str,
        part: RowPart,
    ) -> Result<(), Error> {
        // A dissolution is the rest of an organisation's row, counted with it.
        let row = u64::from(part != RowPart::Dissolution);
        match outcome {
            Outcome::Done => self.outcome.done_rows += row,
            Outcome::Bad(bad) => self.note_bad(bad),
            Outcome::Write(appends) => {
                self.outcome.written_rows += row;
                self.outcome.written_members += u64::from(part == RowPart::Member);
                if writing {
                    batcher.push(key, appends).await?;
                }
            }
        }
        Ok(())
    }
}
