//! Document templates: the union's standard documents filled in from the
//! registry's data, as DOCX or PDF. The application for admission, the
//! extract from the minutes on admission, the member's record card and the
//! exit application are of a member; the card issue register of an
//! organisation's subtree. Each shows personal data: only to roles that read
//! members, in their subtree, each person shown recorded before the file is
//! handed over.
//!
//! Every template is a DOCX with `{{placeholders}}` (`fields`): built in
//! (`blanks`), or an ADMIN of the whole union's own DOCX, kept as
//! `<templates dir>/<id>.docx` ([`TemplateStore`]; ARCHITECTURE.md says why a
//! file and not an event). An uploaded template is refused unless it is a
//! DOCX whose placeholders are all known to it.

pub mod blanks;
pub mod fields;

use std::path::PathBuf;

use chrono::NaiveDate;
use documents::docx::{self, Fields};
use domain::ids::PersonId;
use domain::vocabulary::access::Role;
use projections::registry::{MemberFilter, MemberStatus};
use serde::Deserialize;

use crate::error::{Error, Refusal};
use crate::guard::{Action, Viewer};
use crate::input;
use crate::reports::files::ReportFile;
use crate::reports::members::MAX_LIST_MEMBERS;
use crate::running::{App, today};

/// The largest template an ADMIN may upload.
pub const MAX_TEMPLATE_BYTES: usize = 5 * 1024 * 1024;

/// The union's standard documents.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Template {
    /// Заявление о вступлении в Профсоюз.
    AdmissionApplication,
    /// Выписка из протокола заседания профкома о приёме.
    AdmissionMinutes,
    /// Учётная карточка члена Профсоюза.
    RecordCard,
    /// Журнал учёта выдачи профсоюзных билетов.
    CardRegister,
    /// Заявление о выходе из Профсоюза.
    ExitApplication,
}

/// Every template, in the order the README lists them.
pub const TEMPLATES: [Template; 5] = [
    Template::AdmissionApplication,
    Template::AdmissionMinutes,
    Template::RecordCard,
    Template::CardRegister,
    Template::ExitApplication,
];

impl Template {
    /// The template's id in addresses and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Template::AdmissionApplication => "admission-application",
            Template::AdmissionMinutes => "admission-minutes",
            Template::RecordCard => "record-card",
            Template::CardRegister => "card-register",
            Template::ExitApplication => "exit-application",
        }
    }

    /// Reads an id.
    ///
    /// # Errors
    /// `VALIDATION` for an id no template has.
    pub fn parse(id: &str) -> Result<Template, Error> {
        TEMPLATES.into_iter().find(|t| t.id() == id).ok_or_else(|| {
            let ids: Vec<&str> = TEMPLATES.iter().map(|t| t.id()).collect();
            Error::invalid(
                "template",
                format!("a template is one of {}", ids.join(", ")),
            )
        })
    }

    /// Its title in the union's words (the PDF's title).
    pub fn words(self) -> &'static str {
        match self {
            Template::AdmissionApplication => "Заявление о вступлении в Профсоюз",
            Template::AdmissionMinutes => "Выписка из протокола о приёме в Профсоюз",
            Template::RecordCard => "Учётная карточка члена Профсоюза",
            Template::CardRegister => "Журнал учёта выдачи профсоюзных билетов",
            Template::ExitApplication => "Заявление о выходе из Профсоюза",
        }
    }

    /// The placeholders it may hold.
    pub fn placeholders(self) -> Vec<&'static str> {
        let mut known = fields::ORG_PLACEHOLDERS.to_vec();
        match self {
            Template::CardRegister => known.extend(fields::CARD_PLACEHOLDERS),
            _ => known.extend(fields::MEMBER_PLACEHOLDERS),
        }
        known
    }
}

/// Which document to fill: the member's (`memberId`) or, for the card
/// register, the organisation's (`orgId`); the minutes' number and date for
/// the extract.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DocumentQuery {
    /// The member, for every template but the card register.
    pub member_id: Option<String>,
    /// The organisation, for the card register.
    pub org_id: Option<String>,
    /// The number of the minutes.
    pub minutes_number: Option<String>,
    /// The day of the meeting.
    #[serde(default, deserialize_with = "input::deserialize_optional_date")]
    pub minutes_date: Option<NaiveDate>,
}

/// A document's file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentFormat {
    /// Word.
    Docx,
    /// PDF, the filled body drawn as text.
    Pdf,
}

impl DocumentFormat {
    /// Reads `docx` or `pdf`.
    ///
    /// # Errors
    /// `VALIDATION` for anything else.
    pub fn parse(text: &str) -> Result<DocumentFormat, Error> {
        match text.to_ascii_lowercase().as_str() {
            "docx" => Ok(DocumentFormat::Docx),
            "pdf" => Ok(DocumentFormat::Pdf),
            _ => Err(Error::invalid("format", "a document is docx or pdf")),
        }
    }
}

/// Where replaced templates are kept: one file per template in a directory
/// (none configured: the built-in templates only).
#[derive(Clone, Debug, Default)]
pub struct TemplateStore {
    dir: Option<PathBuf>,
}

impl TemplateStore {
    /// Templates kept in `dir` (created on the first replacement, mode 0700).
    pub fn in_dir(dir: PathBuf) -> TemplateStore {
        TemplateStore { dir: Some(dir) }
    }

    fn path(&self, template: Template) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join(format!("{}.docx", template.id())))
    }

    /// The replaced template, if any.
    fn replaced(&self, template: Template) -> Result<Option<Vec<u8>>, Error> {
        let Some(path) = self.path(template) else {
            return Ok(None);
        };
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::internal(format!("{}: {e}", path.display()))),
        }
    }

    /// Keeps `bytes` as `template`, whole or not at all (a temporary file renamed).
    fn replace(&self, template: Template, bytes: &[u8]) -> Result<(), Error> {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        let (Some(dir), Some(path)) = (&self.dir, self.path(template)) else {
            return Err(Error::invalid(
                "template",
                "no directory for templates is configured",
            ));
        };
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(Error::internal)?;
        let temporary = path.with_extension("docx.new");
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&temporary)
            .and_then(|mut file| {
                std::io::Write::write_all(&mut file, bytes)?;
                file.sync_all()
            });
        written
            .and_then(|()| std::fs::rename(&temporary, &path))
            .map_err(Error::internal)
    }

    fn reset(&self, template: Template) -> Result<(), Error> {
        match self.path(template).map(std::fs::remove_file) {
            Some(Err(e)) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::internal(e)),
            _ => Ok(()),
        }
    }
}

impl App {
    /// Keeps replaced templates in `dir` (the command line's data directory).
    pub fn set_templates_dir(&mut self, dir: PathBuf) {
        self.templates = TemplateStore::in_dir(dir);
    }

    /// The template as a DOCX: the replaced one, else the built-in.
    ///
    /// # Errors
    /// `UNAUTHENTICATED` without a token; `INTERNAL` when it cannot be read.
    pub fn template(&self, viewer: &Viewer, template: Template) -> Result<Vec<u8>, Error> {
        viewer.may(Action::ReadOrganization)?;
        match self.templates.replaced(template)? {
            Some(bytes) => Ok(bytes),
            None => docx::build(&blanks::blocks(template)).map_err(Error::internal),
        }
    }

    /// Replaces `template` with an ADMIN's own DOCX (`bytes`). Only an ADMIN
    /// of the whole union (or the operator): the templates are the union's.
    ///
    /// # Errors
    /// `FORBIDDEN` for anyone else; `VALIDATION` for a file that is no DOCX,
    /// too large, or holds a placeholder the template does not know.
    pub fn replace_template(
        &self,
        viewer: &Viewer,
        template: Template,
        bytes: &[u8],
    ) -> Result<(), Error> {
        self.may_replace_templates(viewer)?;
        if bytes.len() > MAX_TEMPLATE_BYTES {
            return Err(Error::invalid("template", "a template is at most 5 MiB"));
        }
        let found = docx::placeholders(bytes)
            .map_err(|e| Error::invalid("template", format!("not a DOCX file: {e}")))?;
        let known = template.placeholders();
        let unknown: Vec<String> = found
            .into_iter()
            .filter(|name| !known.contains(&name.as_str()))
            .collect();
        if !unknown.is_empty() {
            return Err(Error::invalid(
                "template",
                format!("unknown placeholders: {}", unknown.join(", ")),
            ));
        }
        self.templates.replace(template, bytes)
    }

    /// Goes back to the built-in `template`.
    ///
    /// # Errors
    /// As [`App::replace_template`].
    pub fn reset_template(&self, viewer: &Viewer, template: Template) -> Result<(), Error> {
        self.may_replace_templates(viewer)?;
        self.templates.reset(template)
    }

    fn may_replace_templates(&self, viewer: &Viewer) -> Result<(), Error> {
        let Some(subtree) = viewer.may(Action::WriteOrganizations)? else {
            return Ok(());
        };
        let top = self.models.registry.path(subtree).first().map(|o| o.org_id);
        if viewer.role().map(|(role, _)| role) == Some(Role::Admin) && top == Some(subtree) {
            Ok(())
        } else {
            Err(Refusal::OutsideSubtree {
                action: Action::WriteOrganizations,
            }
            .into())
        }
    }

    /// `template` filled in for `query`, as `format`. Every person shown is
    /// recorded as a personal-data read before it returns.
    ///
    /// # Errors
    /// Bad input (a member document without `memberId`, the register without
    /// `orgId`); `NOT_FOUND`; `FORBIDDEN` for roles that read no members or
    /// outside the subtree; `INTERNAL` when the file cannot be made.
    pub async fn document(
        &self,
        viewer: &Viewer,
        template: Template,
        query: &DocumentQuery,
        format: DocumentFormat,
    ) -> Result<ReportFile, Error> {
        let reads = self.personal_reads(viewer);
        let on = today();
        let registry = &self.models.registry;
        let minutes = (query.minutes_number.clone(), query.minutes_date);
        let mut values = Fields::default();
        let name = if template == Template::CardRegister {
            let org_id = query.org_id.as_deref().ok_or_else(|| {
                Error::invalid("orgId", "the card register is of an organisation")
            })?;
            let org = input::id(org_id, "orgId")?;
            let root = self.organization_target(viewer, Action::ReadMembers, org)?;
            let mut members = Vec::new();
            for status in [MemberStatus::Active, MemberStatus::Ended] {
                let filter = MemberFilter {
                    org_id: org,
                    include_descendants: true,
                    status,
                    search: None,
                };
                let mut after: Option<String> = None;
                loop {
                    let page = registry.members(&filter, 1000, after.as_deref())?;
                    members.extend(page.items.iter().map(|(_, m)| m.clone()));
                    if members.len() > MAX_LIST_MEMBERS {
                        return Err(Error::invalid("orgId", "too many members for one register"));
                    }
                    match (page.has_next_page, page.items.last()) {
                        (true, Some((cursor, _))) => after = Some(cursor.clone()),
                        _ => break,
                    }
                }
            }
            members.retain(|m| !m.cards.is_empty());
            for member in &members {
                reads.show(member.person_id)?;
            }
            fields::organization(&mut values, registry, &root, on, minutes);
            fields::cards(&mut values, &members);
            format!("{}-{}", template.id(), on)
        } else {
            let member_id = query
                .member_id
                .as_deref()
                .ok_or_else(|| Error::invalid("memberId", "this document is of a member"))?;
            let person: PersonId = input::id(member_id, "memberId")?;
            let member = self.member(viewer, person)?;
            reads.show(member.person_id)?;
            let home = self.named_organization(member.home)?;
            fields::organization(&mut values, registry, &home, on, minutes);
            fields::member(&mut values, &member, on);
            format!("{}-{}", template.id(), person.0)
        };
        let blank = self.template(viewer, template)?;
        let title = template.words();
        let bytes = tokio::task::spawn_blocking(move || {
            let filled = docx::fill(&blank, &values)?;
            match format {
                DocumentFormat::Docx => Ok(filled),
                DocumentFormat::Pdf => documents::docx_pdf(title, &docx::blocks(&filled)?),
            }
        })
        .await
        .map_err(Error::internal)?
        .map_err(Error::internal)?;
        reads.record().await?;
        let (extension, content_type) = match format {
            DocumentFormat::Docx => ("docx", docx::CONTENT_TYPE),
            DocumentFormat::Pdf => ("pdf", "application/pdf"),
        };
        Ok(ReportFile {
            file_name: format!("{name}.{extension}"),
            content_type,
            bytes,
        })
    }
}
