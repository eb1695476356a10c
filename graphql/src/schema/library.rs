//! The union's library: `libraryDocuments` (Russian full-text search with
//! filters and highlights), `libraryDocument`, and the ADMIN's
//! `uploadLibraryDocument`, `reviseLibraryDocument`,
//! `withdrawLibraryDocument`. The file itself is downloaded over HTTP
//! (`GET /library/{id}/file`, `server/library.rs`).

use app::Page;
use app::library::{
    LibraryHit, LibrarySearch, ReviseLibraryDocument, UploadLibraryDocument,
    WithdrawLibraryDocument,
};
use app::views::{DocumentView, Highlight, VersionView};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};

use crate::error::ApiError;
use crate::schema::connection::{self, PageInfo, cursor};
use crate::schema::mutation::id_text;
use crate::schema::organization::Organization;
use crate::schema::scalars::Date;
use crate::schema::{app, viewer};

/// What kind of document it is.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::library::DocumentKind")]
pub enum LibraryDocumentKind {
    Law,
    Charter,
    Regulation,
    CollectiveAgreement,
    MethodGuide,
    Template,
    /// A consultation published from the consultation desk (issue 16).
    Consultation,
    Other,
}

/// Who in the audience's subtree reads a document.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::library::Readers")]
pub enum LibraryReaders {
    /// Every signed-in holder whose subtree meets the audience's.
    Everyone,
    /// Chairs and ADMINs only.
    Chairs,
}

/// What a file is, judged by its content.
#[derive(Enum, Copy, Clone, Debug, Eq, PartialEq)]
#[graphql(remote = "domain::library::FileFormat")]
pub enum LibraryFileFormat {
    Pdf,
    Docx,
    Odt,
    Text,
}

/// A document of the union's library.
pub struct LibraryDocument(pub DocumentView);

/// One version of a document's file.
pub struct LibraryDocumentVersion(pub VersionView);

/// A passage of a document's text with the words found marked.
#[derive(SimpleObject)]
pub struct LibraryHighlight {
    /// The passage (plain text).
    pub fragment: String,
    /// The words found in it, as character ranges of `fragment`.
    pub marks: Vec<TextRange>,
}

/// A range of characters, `start` included, `end` not.
#[derive(SimpleObject)]
pub struct TextRange {
    pub start: i32,
    pub end: i32,
}

/// One document found, with its cursor.
#[derive(SimpleObject)]
pub struct LibraryDocumentEdge {
    /// Pass as `after` to continue after this document.
    pub cursor: String,
    /// The document.
    pub node: LibraryDocument,
    /// Where the words were found (null without `search`).
    pub highlight: Option<LibraryHighlight>,
}

/// A page of the library's documents.
#[derive(SimpleObject)]
pub struct LibraryDocumentConnection {
    pub edges: Vec<LibraryDocumentEdge>,
    pub page_info: PageInfo,
    /// Documents the search finds in all.
    pub total_count: i32,
}

impl LibraryDocumentConnection {
    fn from_page(page: Page<LibraryHit>) -> LibraryDocumentConnection {
        let page_info = PageInfo::of(&page);
        LibraryDocumentConnection {
            total_count: i32::try_from(page.total_count).unwrap_or(i32::MAX),
            edges: page
                .items
                .into_iter()
                .map(|(inner, hit)| LibraryDocumentEdge {
                    cursor: cursor(&inner),
                    node: LibraryDocument(hit.document),
                    highlight: hit.highlight.map(highlight),
                })
                .collect(),
            page_info,
        }
    }
}

fn highlight(highlight: Highlight) -> LibraryHighlight {
    let int = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
    LibraryHighlight {
        marks: highlight
            .marks
            .iter()
            .map(|r| TextRange {
                start: int(r.start),
                end: int(r.end),
            })
            .collect(),
        fragment: highlight.fragment,
    }
}

#[Object]
impl LibraryDocument {
    async fn id(&self) -> ID {
        ID(self.0.document_id.to_string())
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn kind(&self) -> LibraryDocumentKind {
        self.0.kind.into()
    }

    /// The day it was issued (signed, adopted).
    async fn issued_on(&self) -> Date {
        Date(self.0.issued_on)
    }

    /// Who issued it.
    async fn issuer(&self) -> &str {
        &self.0.issuer
    }

    /// The root of the subtree it is for.
    async fn audience(&self, ctx: &Context<'_>) -> Result<Organization, ApiError> {
        Organization::known(ctx, self.0.audience.org_id)
    }

    async fn readers(&self) -> LibraryReaders {
        self.0.audience.readers.into()
    }

    async fn uploaded_on(&self) -> Date {
        Date(self.0.uploaded_on)
    }

    /// The version in force.
    async fn current_version(&self) -> LibraryDocumentVersion {
        LibraryDocumentVersion(self.0.current().clone())
    }

    /// Every version, the first first.
    async fn versions(&self) -> Vec<LibraryDocumentVersion> {
        self.0
            .versions
            .iter()
            .cloned()
            .map(LibraryDocumentVersion)
            .collect()
    }

    /// The day it was withdrawn; null while in force.
    async fn withdrawn_on(&self) -> Option<Date> {
        self.0.withdrawn.as_ref().map(|w| Date(w.withdrawn_on))
    }

    /// Why it was withdrawn.
    async fn withdrawal_reason(&self) -> Option<&str> {
        self.0.withdrawn.as_ref().map(|w| w.reason.as_str())
    }

    /// The beginning of the text of the version in force (at most `chars`
    /// characters, 2000 by default); null when its file had no text to read.
    async fn text_preview(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 2000)] chars: i32,
    ) -> Result<Option<String>, ApiError> {
        let chars = usize::try_from(chars.clamp(0, 20_000)).unwrap_or(0);
        let text = app(ctx).library_text(viewer(ctx), &self.0.document_id.to_string())?;
        Ok(text.map(|t| t.chars().take(chars).collect()))
    }

    /// Where the file of the version in force is downloaded (GET, with the
    /// bearer token).
    async fn download_path(&self) -> String {
        format!("/library/{}/file", self.0.document_id)
    }
}

#[Object]
impl LibraryDocumentVersion {
    /// 1, 2, …
    async fn version(&self) -> i32 {
        i32::try_from(self.0.version).unwrap_or(i32::MAX)
    }

    /// The day it was put in.
    async fn uploaded_on(&self) -> Date {
        Date(self.0.on)
    }

    /// What changed (empty for the first version).
    async fn note(&self) -> &str {
        &self.0.note
    }

    async fn file_name(&self) -> &str {
        &self.0.file.file_name
    }

    async fn format(&self) -> LibraryFileFormat {
        self.0.file.format.into()
    }

    /// Its size in bytes.
    async fn size(&self) -> f64 {
        self.0.file.size as f64
    }

    /// The SHA-256 of its bytes (hex): its key in the file store.
    async fn sha256(&self) -> &str {
        self.0.file.sha256.as_str()
    }
}

/// A document to put in the library.
#[derive(InputObject)]
pub struct UploadLibraryDocumentInput {
    pub title: String,
    pub kind: LibraryDocumentKind,
    pub issued_on: Date,
    pub issuer: String,
    /// The root of the subtree it is for (the CENTRAL organisation: the whole union).
    pub audience_org_id: ID,
    pub readers: LibraryReaders,
    /// The file's name, for the download (its type is judged by its content).
    pub file_name: String,
    /// The file (PDF, DOCX, ODT or UTF-8 text), base64; at most 10 MiB, and
    /// the request within the API's body limit.
    pub content_base64: String,
    pub command_id: Option<ID>,
}

/// A new version of a document's file.
#[derive(InputObject)]
pub struct ReviseLibraryDocumentInput {
    pub document_id: ID,
    pub file_name: String,
    pub content_base64: String,
    /// What changed.
    pub note: Option<String>,
    pub command_id: Option<ID>,
}

/// A document to withdraw.
#[derive(InputObject)]
pub struct WithdrawLibraryDocumentInput {
    pub document_id: ID,
    pub reason: String,
    pub command_id: Option<ID>,
}

/// Library queries.
#[derive(Default)]
pub struct LibraryQuery;

#[Object]
impl LibraryQuery {
    /// The documents in force the viewer reads (role × subtree, and chairs
    /// only for some): with `search`, those whose title or text holds every
    /// word in any of its forms («договора» finds «договор»), by relevance,
    /// each with a highlight; without, newest issued first.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "connection::page_cost(first, last, child_complexity)")]
    async fn library_documents(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        kind: Option<LibraryDocumentKind>,
        issuer: Option<String>,
        from: Option<Date>,
        to: Option<Date>,
        #[graphql(default = 20)] first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> Result<LibraryDocumentConnection, ApiError> {
        let window = connection::window(ctx, first, after, last, before, 20)?;
        let search = LibrarySearch {
            search,
            kind: kind.map(Into::into),
            issuer,
            from: from.map(|d| d.0),
            to: to.map(|d| d.0),
            window,
        };
        let page = app(ctx).library_documents(viewer(ctx), search)?;
        Ok(LibraryDocumentConnection::from_page(page))
    }

    /// A document of the library (withdrawn ones too), for a viewer of its audience.
    async fn library_document(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<LibraryDocument, ApiError> {
        Ok(LibraryDocument(
            app(ctx).library_document(viewer(ctx), &id.0)?,
        ))
    }

    /// The issuers of the documents the viewer reads, for a filter.
    async fn library_issuers(&self, ctx: &Context<'_>) -> Result<Vec<String>, ApiError> {
        Ok(app(ctx).library_issuers(viewer(ctx))?)
    }
}

/// Library mutations: an ADMIN over the audience's subtree.
#[derive(Default)]
pub struct LibraryMutation;

#[Object]
impl LibraryMutation {
    /// Puts a document in the library (version 1).
    async fn upload_library_document(
        &self,
        ctx: &Context<'_>,
        input: UploadLibraryDocumentInput,
    ) -> Result<LibraryDocument, ApiError> {
        let input = UploadLibraryDocument {
            title: input.title,
            kind: input.kind.into(),
            issued_on: input.issued_on.0,
            issuer: input.issuer,
            audience_org_id: input.audience_org_id.0,
            readers: input.readers.into(),
            file_name: input.file_name,
            content: input.content_base64,
            command_id: id_text(input.command_id),
        };
        let document = app(ctx).upload_library_document(viewer(ctx), input).await?;
        Ok(LibraryDocument(document))
    }

    /// A new version of a document's file (not the current file again).
    async fn revise_library_document(
        &self,
        ctx: &Context<'_>,
        input: ReviseLibraryDocumentInput,
    ) -> Result<LibraryDocument, ApiError> {
        let input = ReviseLibraryDocument {
            document_id: input.document_id.0,
            file_name: input.file_name,
            content: input.content_base64,
            note: input.note,
            command_id: id_text(input.command_id),
        };
        let document = app(ctx).revise_library_document(viewer(ctx), input).await?;
        Ok(LibraryDocument(document))
    }

    /// Withdraws a document: no longer found by a search, its page says why.
    async fn withdraw_library_document(
        &self,
        ctx: &Context<'_>,
        input: WithdrawLibraryDocumentInput,
    ) -> Result<LibraryDocument, ApiError> {
        let input = WithdrawLibraryDocument {
            document_id: input.document_id.0,
            reason: input.reason,
            command_id: id_text(input.command_id),
        };
        let document = app(ctx)
            .withdraw_library_document(viewer(ctx), input)
            .await?;
        Ok(LibraryDocument(document))
    }
}
