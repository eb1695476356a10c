//! The union's library: an ADMIN puts in normative and teaching documents
//! (laws, the charter, regulations, collective agreements, method guides,
//! templates) for the whole union or a subtree, for every holder there or
//! for chairs only; each upload, new version and withdrawal is an event of
//! the document's stream (`domain::library`), the file itself in the log's
//! file store under its SHA-256. Holders search it in Russian
//! (`projections::library`), see only what their role and subtree read
//! (`Viewer::reads_library`, here, once), and download the file.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::NaiveDate;
use documents::extract::{self, FileKind};
use domain::ids::{DocumentId, OrgId};
use domain::library::{
    self, Audience, DocumentCommand, DocumentKind, FileFormat, LibraryRefusal, MAX_ISSUER,
    MAX_TITLE, Readers, ReviseDocument, StoredFile, UploadDocument, WithdrawDocument,
};
use projections::library::DocumentView;
use projections::library::index::{Highlight, LibraryQuery};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::commands::load::load;
use crate::commands::{Decision, Issued};
use crate::error::{Error, Refusal};
use crate::guard::{Action, Viewer};
use crate::input::{self, MAX_TEXT_CHARS};
use crate::page::{Page, Window};
use crate::running::App;

/// The largest file the library takes: 10 MiB, room for a long law or a
/// scanned agreement; the text of every document in force is kept in memory
/// by the index, so the library does not take arbitrary files.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The longest file name kept for a download.
const MAX_FILE_NAME: usize = 255;

/// `uploadLibraryDocument(input)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UploadLibraryDocument {
    /// The title.
    pub title: String,
    /// The kind (`LAW`, `CHARTER`, …).
    pub kind: DocumentKind,
    /// The day it was issued.
    #[serde(deserialize_with = "input::deserialize_date")]
    pub issued_on: NaiveDate,
    /// Who issued it.
    pub issuer: String,
    /// The root of the subtree it is for (the CENTRAL organisation: everyone).
    pub audience_org_id: String,
    /// Who there reads it.
    pub readers: Readers,
    /// The name the file came with (only for the download: its type is
    /// judged by its content).
    pub file_name: String,
    /// The file, base64.
    pub content: String,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `reviseLibraryDocument(input)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReviseLibraryDocument {
    /// The document.
    pub document_id: String,
    /// The new file's name.
    pub file_name: String,
    /// The new file, base64.
    pub content: String,
    /// What changed.
    pub note: Option<String>,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `withdrawLibraryDocument(input)`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WithdrawLibraryDocument {
    /// The document.
    pub document_id: String,
    /// Why.
    pub reason: String,
    /// Idempotency key.
    pub command_id: Option<String>,
}

/// `libraryDocuments`' filters.
#[derive(Clone, Debug)]
pub struct LibrarySearch {
    /// Words, in any form.
    pub search: Option<String>,
    /// Only this kind.
    pub kind: Option<DocumentKind>,
    /// Only this issuer.
    pub issuer: Option<String>,
    /// Issued on or after.
    pub from: Option<NaiveDate>,
    /// Issued on or before.
    pub to: Option<NaiveDate>,
    /// Which page: forward after a cursor, or backward before one.
    pub window: Window,
}

/// A document found, with where the words were.
#[derive(Clone, Debug)]
pub struct LibraryHit {
    /// The document.
    pub document: DocumentView,
    /// The passage with the words found marked (none without words).
    pub highlight: Option<Highlight>,
}

/// A library file to download.
#[derive(Clone, Debug)]
pub struct LibraryFile {
    /// The name it was uploaded under.
    pub file_name: String,
    /// Its media type, from its format.
    pub content_type: &'static str,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl App {
    /// `uploadLibraryDocument`: by an ADMIN whose subtree holds the audience.
    ///
    /// # Errors
    /// `FORBIDDEN` for other roles or outside the subtree; `VALIDATION` of
    /// `content` for a file that is not base64, too large, or not a PDF, DOCX,
    /// ODT or text file, and of `title`, `issuer`, `issuedOn`, `fileName`;
    /// `NOT_FOUND` for an unknown organisation.
    pub async fn upload_library_document(
        &self,
        viewer: &Viewer,
        input: UploadLibraryDocument,
    ) -> Result<DocumentView, Error> {
        viewer.may(Action::WriteLibrary)?;
        let org: OrgId = input::id(&input.audience_org_id, "audienceOrgId")?;
        self.organization_target(viewer, Action::WriteLibrary, org)?;
        let title = input::text(input.title.clone(), "title", MAX_TITLE)?;
        let issuer = input::text(input.issuer.clone(), "issuer", MAX_ISSUER)?;
        let file = self.keep_file(&input.file_name, &input.content).await?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let document_id = DocumentId(Uuid::now_v7());
        let command = DocumentCommand::Upload(UploadDocument {
            document_id,
            title,
            kind: input.kind,
            issued_on: input.issued_on,
            issuer,
            audience: Audience {
                org_id: org,
                readers: input.readers,
            },
            file,
        });
        self.document_command(&issued, document_id, &command).await
    }

    /// `reviseLibraryDocument`: a new version of the file.
    ///
    /// # Errors
    /// As [`App::upload_library_document`]; `NOT_FOUND`; `VALIDATION` of
    /// `documentId` for a withdrawn document, of `content` for the current
    /// file again.
    pub async fn revise_library_document(
        &self,
        viewer: &Viewer,
        input: ReviseLibraryDocument,
    ) -> Result<DocumentView, Error> {
        let document = self.document_target(viewer, Action::WriteLibrary, &input.document_id)?;
        let note = input::optional_text(input.note.clone(), "note", MAX_TEXT_CHARS)?;
        let file = self.keep_file(&input.file_name, &input.content).await?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let command = DocumentCommand::Revise(ReviseDocument {
            document_id: document.document_id,
            file,
            note: note.unwrap_or_default(),
        });
        self.document_command(&issued, document.document_id, &command)
            .await
    }

    /// `withdrawLibraryDocument`.
    ///
    /// # Errors
    /// `FORBIDDEN`, `NOT_FOUND`; `VALIDATION` of `reason`, and of
    /// `documentId` for one withdrawn already.
    pub async fn withdraw_library_document(
        &self,
        viewer: &Viewer,
        input: WithdrawLibraryDocument,
    ) -> Result<DocumentView, Error> {
        let document = self.document_target(viewer, Action::WriteLibrary, &input.document_id)?;
        let reason = input::text(input.reason.clone(), "reason", MAX_TEXT_CHARS)?;
        let issued = self.issue(viewer, &input, input.command_id.as_deref(), None)?;
        let command = DocumentCommand::Withdraw(WithdrawDocument {
            document_id: document.document_id,
            reason,
        });
        self.document_command(&issued, document.document_id, &command)
            .await
    }

    /// `libraryDocuments`: the documents in force the viewer reads that the
    /// search finds, by relevance with words, else newest first.
    ///
    /// # Errors
    /// `UNAUTHENTICATED` without a token; `VALIDATION` of `first`, `after`,
    /// `to` before `from`.
    pub fn library_documents(
        &self,
        viewer: &Viewer,
        search: LibrarySearch,
    ) -> Result<Page<LibraryHit>, Error> {
        // A cursor is a 1-based place in the answer, so either way is a range.
        let place = |cursor: &str, field: &'static str| {
            cursor
                .parse::<usize>()
                .map_err(|_| Error::invalid(field, "not a cursor of this list"))
        };
        let (first, offset, before) = match &search.window {
            Window::Forward { first, after } => {
                let first = input::page_size(*first)?;
                let offset = after.as_deref().map(|a| place(a, "after")).transpose()?;
                (first, offset.unwrap_or(0), None)
            }
            Window::Backward { last, before } => {
                let last = input::page_size_of(*last, "last")?;
                let before = before.as_deref().map(|b| place(b, "before")).transpose()?;
                (last, 0, Some((last, before)))
            }
        };
        if let (Some(from), Some(to)) = (search.from, search.to)
            && to < from
        {
            return Err(Error::invalid(
                "to",
                "the end of the range is before its start",
            ));
        }
        let audiences = self.readable_audiences(viewer)?;
        let (first, offset) = match before {
            None => (first, offset),
            Some((last, before)) => {
                // Up to the item before `before`, or to the end of the answer.
                let end = match before {
                    Some(place) => place.saturating_sub(1),
                    None => {
                        let counted = LibraryQuery {
                            text: search.search.clone(),
                            kind: search.kind,
                            issuer: search.issuer.clone().filter(|i| !i.trim().is_empty()),
                            from: search.from,
                            to: search.to,
                            audiences: audiences.clone(),
                            offset: 0,
                            limit: 1,
                        };
                        self.models
                            .library
                            .search(&counted)
                            .map_err(Error::internal)?
                            .total
                    }
                };
                let start = end.saturating_sub(last);
                (end - start, start)
            }
        };
        let query = LibraryQuery {
            text: search.search,
            kind: search.kind,
            issuer: search.issuer.filter(|i| !i.trim().is_empty()),
            from: search.from,
            to: search.to,
            audiences,
            offset,
            // One more than asked, to tell whether a page follows.
            limit: first + 1,
        };
        let results = self
            .models
            .library
            .search(&query)
            .map_err(Error::internal)?;
        let has_next_page =
            results.found.len() > first || (before.is_some_and(|(_, b)| b.is_some()));
        let items: Vec<(String, LibraryHit)> = results
            .found
            .into_iter()
            .take(first)
            .enumerate()
            .filter_map(|(i, found)| {
                let document = self.models.library.document(found.document_id)?;
                let hit = LibraryHit {
                    document,
                    highlight: found.highlight,
                };
                Some(((offset + i + 1).to_string(), hit))
            })
            .collect();
        Ok(Page {
            end_cursor: items.last().map(|(cursor, _)| cursor.clone()),
            start_cursor: items.first().map(|(cursor, _)| cursor.clone()),
            has_previous_page: offset > 0,
            items,
            has_next_page,
            total_count: results.total as u64,
        })
    }

    /// `libraryDocument(id)`, withdrawn ones included, for a viewer who reads it.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`; `NOT_FOUND`; `FORBIDDEN` for a document whose
    /// audience the viewer is not of.
    pub fn library_document(&self, viewer: &Viewer, id: &str) -> Result<DocumentView, Error> {
        self.readable_document(viewer, id)
    }

    /// The text of the version in force of document `id` (a preview), for a
    /// viewer who reads it; `None` when its file had no text to read.
    ///
    /// # Errors
    /// As [`App::library_document`].
    pub fn library_text(&self, viewer: &Viewer, id: &str) -> Result<Option<String>, Error> {
        let document = self.readable_document(viewer, id)?;
        self.models
            .library
            .text(document.document_id)
            .map_err(Error::internal)
    }

    /// The issuers of documents in force the viewer reads, for a filter.
    ///
    /// # Errors
    /// `UNAUTHENTICATED`.
    pub fn library_issuers(&self, viewer: &Viewer) -> Result<Vec<String>, Error> {
        self.readable_audiences(viewer)?;
        let registry = &self.models.registry;
        Ok(self
            .models
            .library
            .issuers_where(|audience| viewer.reads_library(audience, registry)))
    }

    /// A version's file (`None`: the one in force) of document `id`.
    ///
    /// # Errors
    /// As [`App::library_document`]; `NOT_FOUND` for an unknown version or a
    /// file missing from the store; `INTERNAL` for a corrupt one.
    pub async fn library_file(
        &self,
        viewer: &Viewer,
        id: &str,
        version: Option<u32>,
    ) -> Result<LibraryFile, Error> {
        let document = self.readable_document(viewer, id)?;
        let stored = match version {
            None => &document.current().file,
            Some(n) => {
                &document
                    .versions
                    .iter()
                    .find(|v| v.version == n)
                    .ok_or(Error::NotFound { what: "version" })?
                    .file
            }
        };
        let bytes = self
            .files
            .get(&stored.sha256)
            .await
            .map_err(Error::internal)?
            .ok_or(Error::NotFound { what: "file" })?;
        Ok(LibraryFile {
            file_name: stored.file_name.clone(),
            content_type: projections::library::kind_of(stored.format).content_type(),
            bytes,
        })
    }

    /// Whether the viewer may revise and withdraw `document` (an ADMIN over
    /// its audience): for a page to offer the forms.
    pub fn changes_library_document(&self, viewer: &Viewer, document: &DocumentView) -> bool {
        viewer
            .may_at(
                Action::WriteLibrary,
                document.audience.org_id,
                &self.models.registry,
            )
            .is_ok()
    }

    /// Every audience of the library the viewer reads.
    fn readable_audiences(&self, viewer: &Viewer) -> Result<Vec<Audience>, Error> {
        if matches!(viewer, Viewer::Anonymous) {
            return Err(Error::Unauthenticated);
        }
        let registry = &self.models.registry;
        Ok(self
            .models
            .library
            .audiences()
            .into_iter()
            .filter(|audience| viewer.reads_library(*audience, registry))
            .collect())
    }

    /// Document `id`, if the viewer reads it.
    fn readable_document(&self, viewer: &Viewer, id: &str) -> Result<DocumentView, Error> {
        if matches!(viewer, Viewer::Anonymous) {
            return Err(Error::Unauthenticated);
        }
        let document_id: DocumentId = input::id(id, "id")?;
        let document = self
            .models
            .library
            .document(document_id)
            .ok_or(Error::NotFound { what: "document" })?;
        let registry = &self.models.registry;
        if !viewer.reads_library(document.audience, registry) {
            let action = Action::ReadLibrary;
            // A chairs-only document the viewer would read were it for
            // everyone there: the role, not the subtree, keeps it from them.
            let for_everyone = Audience {
                readers: Readers::Everyone,
                ..document.audience
            };
            return Err(match viewer {
                Viewer::Holder(holder) if viewer.reads_library(for_everyone, registry) => {
                    Refusal::Role {
                        role: holder.role,
                        action,
                    }
                }
                _ => Refusal::OutsideSubtree { action },
            }
            .into());
        }
        Ok(document)
    }

    /// Document `id`, where the viewer may do `action` over its audience.
    fn document_target(
        &self,
        viewer: &Viewer,
        action: Action,
        id: &str,
    ) -> Result<DocumentView, Error> {
        viewer.may(action)?;
        let document_id: DocumentId = input::id(id, "documentId")?;
        let document = self
            .models
            .library
            .document(document_id)
            .ok_or(Error::NotFound { what: "document" })?;
        viewer.may_at(action, document.audience.org_id, &self.models.registry)?;
        Ok(document)
    }

    /// The file `content` (base64) checked and kept in the file store.
    pub(crate) async fn keep_file(
        &self,
        file_name: &str,
        content: &str,
    ) -> Result<StoredFile, Error> {
        let (file_name, bytes, format) = checked_file(file_name, content)?;
        let sha256 = self.files.put(&bytes).await.map_err(Error::from)?;
        Ok(StoredFile {
            sha256,
            format,
            size: bytes.len() as u64,
            file_name,
        })
    }

    /// Runs `command` on document `id` through the command path and answers
    /// the document once the read models include it.
    async fn document_command(
        &self,
        issued: &Issued,
        id: DocumentId,
        command: &DocumentCommand,
    ) -> Result<DocumentView, Error> {
        let log = self.commands.log();
        let appended = self
            .commands
            .execute(issued, || async move {
                let loaded = load(log, id.stream(), library::evolve).await?;
                let events =
                    library::decide(&loaded.state, command, issued.today).map_err(refused)?;
                Ok(Decision::of(vec![loaded.append(events)?]))
            })
            .await?;
        let id = appended
            .stream_versions
            .iter()
            .find_map(|(s, _)| DocumentId::from_stream(s))
            .unwrap_or(id);
        self.reach(appended.last_position).await?;
        self.models
            .library
            .document(id)
            .ok_or(Error::NotFound { what: "document" })
    }
}

/// The format a file's name claims by its extension, for the four the
/// library takes; `None` for any other name. A file whose content is
/// another of the four is refused: it would download under a wrong name.
fn format_named(file_name: &str) -> Option<FileFormat> {
    let (_, extension) = file_name.rsplit_once('.')?;
    match extension.to_ascii_lowercase().as_str() {
        "pdf" => Some(FileFormat::Pdf),
        "docx" => Some(FileFormat::Docx),
        "odt" => Some(FileFormat::Odt),
        "txt" => Some(FileFormat::Text),
        _ => None,
    }
}

fn too_large() -> Error {
    Error::invalid(
        "content",
        format!(
            "the file is larger than {} MiB",
            MAX_FILE_BYTES / (1024 * 1024)
        ),
    )
}

/// A library refusal in the contract's categories.
pub(crate) fn refused(refusal: LibraryRefusal) -> Error {
    let field = match refusal {
        LibraryRefusal::NotFound => return Error::NotFound { what: "document" },
        LibraryRefusal::Exists => {
            return Error::Conflict(crate::Conflict::Exists { what: "document" });
        }
        LibraryRefusal::Withdrawn => "documentId",
        LibraryRefusal::SameFile | LibraryRefusal::FileHash => "content",
        LibraryRefusal::Title => "title",
        LibraryRefusal::Issuer => "issuer",
        LibraryRefusal::Reason => "reason",
        LibraryRefusal::FutureDate { .. } => "issuedOn",
    };
    Error::invalid(field, refusal.to_string())
}

/// The file `content` (base64) decoded and checked as the library's files
/// are (at most [`MAX_FILE_BYTES`], a PDF, DOCX, ODT or text file by its
/// content, not named as another): its name, bytes and format.
pub(crate) fn checked_file(
    file_name: &str,
    content: &str,
) -> Result<(String, Vec<u8>, FileFormat), Error> {
    let file_name = input::text(file_name.to_string(), "fileName", MAX_FILE_NAME)?;
    if content.len() > MAX_FILE_BYTES.div_ceil(3) * 4 + 4 {
        return Err(too_large());
    }
    let bytes = STANDARD
        .decode(content.trim())
        .map_err(|e| Error::invalid("content", format!("the file is not base64: {e}")))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let format = match extract::detect(&bytes) {
        Some(FileKind::Pdf) => FileFormat::Pdf,
        Some(FileKind::Docx) => FileFormat::Docx,
        Some(FileKind::Odt) => FileFormat::Odt,
        Some(FileKind::Text) => FileFormat::Text,
        None => {
            return Err(Error::invalid(
                "content",
                "the file is not a PDF, DOCX, ODT or plain text file (judged by its content)",
            ));
        }
    };
    if let Some(named) = format_named(&file_name)
        && named != format
    {
        return Err(Error::invalid(
            "content",
            format!("the file is named as {named:?} but its content is {format:?}"),
        ));
    }
    Ok((file_name, bytes, format))
}
