//! The library: every document uploaded, its versions and withdrawal
//! (folded from `DocumentUploaded`, `DocumentRevised`, `DocumentWithdrawn`),
//! and the full-text [`index`] of the documents in force.
//!
//! Each version's file is read from the log's file store by the hash its
//! event names and its text extracted (`documents::extract`) as the event is
//! applied, so a rebuild from position 0 indexes the same text as live.
//! Who may read which document is not decided here: a search takes the
//! audiences its caller may read (`app`'s guard).

pub mod index;

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Arc;

use chrono::NaiveDate;
use documents::extract::{self, FileKind};
use domain::event::{DocumentEvent, Event};
use domain::ids::DocumentId;
use domain::library::{Audience, DocumentKind, FileFormat, StoredFile};
use eventlog::FileStore;
use parking_lot::RwLock;
use serde::{Deserialize, Serialize};

use crate::library::index::{IndexError, Indexed, LibraryIndex, LibraryQuery, Results};
use crate::runtime::{Applied, Projection};
use crate::snapshot::{self, Install, Section, SnapshotError};

/// A document of the library.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DocumentView {
    /// The document.
    pub document_id: DocumentId,
    /// Its title.
    pub title: String,
    /// Its kind.
    pub kind: DocumentKind,
    /// The day it was issued.
    pub issued_on: NaiveDate,
    /// Who issued it.
    pub issuer: String,
    /// Who reads it.
    pub audience: Audience,
    /// The day it was put in the library.
    pub uploaded_on: NaiveDate,
    /// Every version, the first first; the last is in force.
    pub versions: Vec<VersionView>,
    /// Its withdrawal, once withdrawn.
    pub withdrawn: Option<Withdrawal>,
    /// The stream's version (events in it).
    pub stream_version: u64,
}

impl DocumentView {
    /// The version in force.
    pub fn current(&self) -> &VersionView {
        self.versions
            .last()
            .expect("a document has its first version from its upload")
    }
}

/// One version of a document's file.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VersionView {
    /// 1, 2, …
    pub version: u32,
    /// The file.
    pub file: StoredFile,
    /// The day it was put in.
    pub on: NaiveDate,
    /// What changed (empty for the first).
    pub note: String,
    /// Characters of text read from the file; `None` when it could not be
    /// read (missing from the store, broken): then only its title is found.
    pub text_chars: Option<usize>,
}

/// Why and when a document was withdrawn.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Withdrawal {
    /// Why.
    pub reason: String,
    /// The day.
    pub withdrawn_on: NaiveDate,
}

/// The library read model.
pub struct Library {
    documents: RwLock<HashMap<DocumentId, DocumentView>>,
    index: RwLock<LibraryIndex>,
    files: Arc<dyn FileStore>,
    /// The runtime the file store's reads run on: `apply` runs on a thread
    /// of its own, outside it, and waits for them.
    runtime: tokio::runtime::Handle,
}

impl Library {
    /// An empty library reading files from `files` on `runtime`.
    ///
    /// # Errors
    /// The index's, when it cannot be made (memory).
    pub fn new(
        files: Arc<dyn FileStore>,
        runtime: tokio::runtime::Handle,
    ) -> Result<Library, IndexError> {
        Ok(Library {
            documents: RwLock::new(HashMap::new()),
            index: RwLock::new(LibraryIndex::new()?),
            files,
            runtime,
        })
    }

    /// The document `document_id`, withdrawn or not.
    pub fn document(&self, document_id: DocumentId) -> Option<DocumentView> {
        self.documents.read().get(&document_id).cloned()
    }

    /// Every audience some document is for.
    pub fn audiences(&self) -> BTreeSet<Audience> {
        self.documents.read().values().map(|d| d.audience).collect()
    }

    /// Every issuer of a document in force for an audience `keep` accepts,
    /// in alphabetical order, each once.
    pub fn issuers_where(&self, keep: impl Fn(Audience) -> bool) -> Vec<String> {
        let issuers: BTreeSet<String> = self
            .documents
            .read()
            .values()
            .filter(|d| d.withdrawn.is_none() && keep(d.audience))
            .map(|d| d.issuer.clone())
            .collect();
        issuers.into_iter().collect()
    }

    /// The documents in force `query` finds.
    ///
    /// # Errors
    /// The index's.
    pub fn search(&self, query: &LibraryQuery) -> Result<Results, IndexError> {
        self.index.read().search(query)
    }

    /// The text of the version in force of `document_id`, as indexed.
    ///
    /// # Errors
    /// The index's.
    pub fn text(&self, document_id: DocumentId) -> Result<Option<String>, IndexError> {
        self.index.read().text(document_id)
    }

    /// The text of `file`, read from the file store; `None` when it is not
    /// there or cannot be read.
    fn read_text(&self, file: &StoredFile) -> Option<String> {
        let bytes = match self.runtime.block_on(self.files.get(&file.sha256)) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                tracing::warn!(sha256 = %file.sha256, "a library file is not in the file store");
                return None;
            }
            Err(error) => {
                tracing::warn!(sha256 = %file.sha256, %error, "a library file cannot be read");
                return None;
            }
        };
        match extract::text(&bytes, kind_of(file.format)) {
            Ok(text) => Some(text),
            Err(error) => {
                tracing::warn!(sha256 = %file.sha256, %error, "a library file's text cannot be read");
                None
            }
        }
    }
}

/// The extractor's kind of a stored file's format.
pub fn kind_of(format: FileFormat) -> FileKind {
    match format {
        FileFormat::Pdf => FileKind::Pdf,
        FileFormat::Docx => FileKind::Docx,
        FileFormat::Odt => FileKind::Odt,
        FileFormat::Text => FileKind::Text,
    }
}

/// The library as a snapshot keeps it: the documents, and the text indexed
/// of each in force, so a start indexes them again without reading a file.
#[derive(Serialize, Deserialize)]
struct Kept {
    documents: HashMap<DocumentId, DocumentView>,
    texts: Vec<(DocumentId, String)>,
}

impl Library {
    /// A fresh index of `kept`'s documents in force.
    fn index_of(kept: &Kept) -> Result<LibraryIndex, IndexError> {
        let mut index = LibraryIndex::new()?;
        for (document_id, body) in &kept.texts {
            let Some(document) = kept.documents.get(document_id) else {
                continue;
            };
            index.put(Indexed {
                document_id: *document_id,
                title: &document.title,
                body,
                kind: document.kind,
                issuer: &document.issuer,
                issued_on: document.issued_on,
                audience: document.audience,
            })?;
        }
        index.commit()?;
        Ok(index)
    }
}

/// What changes in the index after a batch.
enum Change {
    Put(DocumentId, String),
    Remove(DocumentId),
}

impl Projection for Library {
    fn name(&self) -> &'static str {
        "library"
    }

    fn apply(&self, events: &[Applied]) {
        let mut changes = Vec::new();
        for applied in events {
            let Event::Library(event) = &applied.event else {
                continue;
            };
            let version = applied.stored.version;
            match event {
                DocumentEvent::Uploaded {
                    document_id,
                    title,
                    kind,
                    issued_on,
                    issuer,
                    audience,
                    file,
                    uploaded_on,
                } => {
                    let text = self.read_text(file);
                    self.documents.write().insert(
                        *document_id,
                        DocumentView {
                            document_id: *document_id,
                            title: title.clone(),
                            kind: *kind,
                            issued_on: *issued_on,
                            issuer: issuer.clone(),
                            audience: *audience,
                            uploaded_on: *uploaded_on,
                            versions: vec![VersionView {
                                version: 1,
                                file: file.clone(),
                                on: *uploaded_on,
                                note: String::new(),
                                text_chars: text.as_ref().map(|t| t.chars().count()),
                            }],
                            withdrawn: None,
                            stream_version: version,
                        },
                    );
                    changes.push(Change::Put(*document_id, text.unwrap_or_default()));
                }
                DocumentEvent::Revised {
                    document_id,
                    version: number,
                    file,
                    note,
                    revised_on,
                } => {
                    let text = self.read_text(file);
                    if let Some(document) = self.documents.write().get_mut(document_id) {
                        document.stream_version = version;
                        document.versions.push(VersionView {
                            version: *number,
                            file: file.clone(),
                            on: *revised_on,
                            note: note.clone(),
                            text_chars: text.as_ref().map(|t| t.chars().count()),
                        });
                    }
                    changes.push(Change::Put(*document_id, text.unwrap_or_default()));
                }
                DocumentEvent::Withdrawn {
                    document_id,
                    reason,
                    withdrawn_on,
                } => {
                    if let Some(document) = self.documents.write().get_mut(document_id) {
                        document.stream_version = version;
                        document.withdrawn = Some(Withdrawal {
                            reason: reason.clone(),
                            withdrawn_on: *withdrawn_on,
                        });
                    }
                    changes.push(Change::Remove(*document_id));
                }
            }
        }
        if changes.is_empty() {
            return;
        }
        let documents = self.documents.read();
        let mut index = self.index.write();
        for change in changes {
            match change {
                Change::Put(document_id, body) => {
                    let Some(document) = documents.get(&document_id) else {
                        continue;
                    };
                    let indexed = Indexed {
                        document_id,
                        title: &document.title,
                        body: &body,
                        kind: document.kind,
                        issuer: &document.issuer,
                        issued_on: document.issued_on,
                        audience: document.audience,
                    };
                    if let Err(error) = index.put(indexed) {
                        tracing::error!(%error, "a library document was not indexed");
                    }
                }
                Change::Remove(document_id) => index.remove(document_id),
            }
        }
        if let Err(error) = index.commit() {
            tracing::error!(%error, "the library index did not commit");
        }
    }

    fn digest(&self) -> u64 {
        let documents = self.documents.read();
        let mut sorted: Vec<&DocumentView> = documents.values().collect();
        sorted.sort_by_key(|d| d.document_id);
        let mut hasher = DefaultHasher::new();
        sorted.hash(&mut hasher);
        hasher.finish()
    }

    fn save(&self, out: &mut Section<'_>) -> Result<(), SnapshotError> {
        let documents = self.documents.read();
        let index = self.index.read();
        let mut texts = Vec::new();
        let mut in_force: Vec<&DocumentView> = documents
            .values()
            .filter(|d| d.withdrawn.is_none())
            .collect();
        in_force.sort_by_key(|d| d.document_id);
        for document in in_force {
            let text = index
                .text(document.document_id)
                .map_err(|error| SnapshotError::Damaged(error.to_string()))?;
            texts.push((document.document_id, text.unwrap_or_default()));
        }
        let kept = Kept {
            documents: documents.clone(),
            texts,
        };
        snapshot::save(self.name(), &kept, out)
    }

    fn restore(self: Arc<Self>, bytes: &[u8]) -> Result<Install, SnapshotError> {
        let kept: Kept = snapshot::restore(self.name(), bytes)?;
        let index =
            Library::index_of(&kept).map_err(|error| SnapshotError::Damaged(error.to_string()))?;
        Ok(Box::new(move || {
            *self.documents.write() = kept.documents;
            *self.index.write() = index;
        }))
    }
}
