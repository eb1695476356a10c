//! Files for the library's tests: a DOCX and a PDF with Russian text, made
//! with the project's own writers (docx-rs and printpdf through `documents`),
//! and GraphQL to upload them.

#![allow(dead_code)]

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use documents::docx::{self, Block};
use serde_json::{Value, json};

/// A DOCX whose body is `title` and `paragraphs`.
pub fn docx_file(title: &str, paragraphs: &[&str]) -> Vec<u8> {
    let mut blocks = vec![Block::Title(title.to_string())];
    blocks.extend(paragraphs.iter().map(|p| Block::Paragraph(p.to_string())));
    docx::build(&blocks).unwrap()
}

/// A PDF of `title` and `paragraphs` (Liberation Sans, so Cyrillic text is
/// text, not pictures).
pub fn pdf_file(title: &str, paragraphs: &[&str]) -> Vec<u8> {
    let blocks: Vec<Block> = paragraphs
        .iter()
        .map(|p| Block::Paragraph(p.to_string()))
        .collect();
    documents::docx_pdf(title, &blocks).unwrap()
}

/// A PNG's first bytes: a file the library does not take, whatever its name.
pub const NOT_A_DOCUMENT: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

pub const UPLOAD: &str = "mutation($input: UploadLibraryDocumentInput!) {
    uploadLibraryDocument(input: $input) { id title kind issuer readers
      currentVersion { version format fileName sha256 size } } }";

pub const REVISE: &str = "mutation($input: ReviseLibraryDocumentInput!) {
    reviseLibraryDocument(input: $input) { id currentVersion { version fileName }
      versions { version note } } }";

pub const WITHDRAW: &str = "mutation($input: WithdrawLibraryDocumentInput!) {
    withdrawLibraryDocument(input: $input) { id withdrawnOn withdrawalReason } }";

pub const SEARCH: &str = "query($search: String, $kind: LibraryDocumentKind, $issuer: String,
    $from: Date, $to: Date, $first: Int, $after: String, $last: Int, $before: String) {
    libraryDocuments(search: $search, kind: $kind, issuer: $issuer, from: $from, to: $to,
        first: $first, after: $after, last: $last, before: $before) {
      totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id title } highlight { fragment marks { start end } } } } }";

/// The upload input of a file.
#[allow(clippy::too_many_arguments)]
pub fn upload_input(
    title: &str,
    kind: &str,
    issued_on: &str,
    issuer: &str,
    audience: &str,
    readers: &str,
    file_name: &str,
    bytes: &[u8],
) -> Value {
    json!({
        "title": title,
        "kind": kind,
        "issuedOn": issued_on,
        "issuer": issuer,
        "audienceOrgId": audience,
        "readers": readers,
        "fileName": file_name,
        "contentBase64": STANDARD.encode(bytes),
    })
}

/// Base64 of `bytes`.
pub fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}
