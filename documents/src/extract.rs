//! What an uploaded file is, judged by its bytes, and its text, for the
//! library's search: PDF (pdf-extract), DOCX and ODT (the zip of XML they
//! are, read with zip and quick-xml), plain UTF-8 text.
//!
//! The name a file came with says nothing here: a `.pdf` that is a zip is
//! what its bytes are, and bytes that are none of the four are refused.

use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::Event;

/// The four kinds of file the library takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// PDF: begins `%PDF-`.
    Pdf,
    /// DOCX: a zip holding `word/document.xml` and `[Content_Types].xml`.
    Docx,
    /// ODT: a zip whose `mimetype` entry is OpenDocument text's.
    Odt,
    /// UTF-8 text without control characters other than tabs and line ends.
    Text,
}

/// OpenDocument text's media type, as its `mimetype` entry holds it.
const ODT_MIMETYPE: &str = "application/vnd.oasis.opendocument.text";

impl FileKind {
    /// The media type a download is served with.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileKind::Odt => ODT_MIMETYPE,
            FileKind::Text => "text/plain; charset=utf-8",
        }
    }

    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Docx => "docx",
            FileKind::Odt => "odt",
            FileKind::Text => "txt",
        }
    }
}

/// What `bytes` are, or `None` for anything the library does not take.
pub fn detect(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        return Some(FileKind::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        if archive.by_name("word/document.xml").is_ok()
            && archive.by_name("[Content_Types].xml").is_ok()
        {
            return Some(FileKind::Docx);
        }
        let mut mimetype = String::new();
        archive
            .by_name("mimetype")
            .ok()?
            .take(100)
            .read_to_string(&mut mimetype)
            .ok()?;
        return (mimetype.trim() == ODT_MIMETYPE && archive.by_name("content.xml").is_ok())
            .then_some(FileKind::Odt);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t' | '\u{feff}' | '\u{c}'));
    plain.then_some(FileKind::Text)
}

/// Why a file's text could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The PDF reader refused, or gave up on the file.
    #[error("pdf: {0}")]
    Pdf(String),
    /// The zip or its XML is broken.
    #[error("{0}")]
    Package(String),
}

/// The text of `bytes`, a file of `kind`: paragraphs on lines of their own.
///
/// # Errors
/// [`ExtractError`] for a file that is not what `kind` says, or is broken.
pub fn text(bytes: &[u8], kind: FileKind) -> Result<String, ExtractError> {
    match kind {
        FileKind::Pdf => pdf_text(bytes),
        FileKind::Docx => package_text(bytes, "word/document.xml", b"p", b"t"),
        FileKind::Odt => package_text(bytes, "content.xml", b"p", b"p"),
        FileKind::Text => String::from_utf8(bytes.to_vec())
            .map(|t| t.trim_start_matches('\u{feff}').to_string())
            .map_err(|e| ExtractError::Package(e.to_string())),
    }
}

/// A PDF's text. The reader panics on some malformed files; a panic is a
/// refusal of that file, not of the process.
fn pdf_text(bytes: &[u8]) -> Result<String, ExtractError> {
    let read = std::panic::catch_unwind(|| pdf_extract::extract_text_from_mem(bytes));
    match read {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(ExtractError::Pdf(e.to_string())),
        Err(_) => Err(ExtractError::Pdf(
            "the PDF reader gave up on this file".into(),
        )),
    }
}

/// The text of the XML part `part` of a zip package: the character data
/// inside elements named `text` (local name), a line break after each
/// element named `paragraph`. DOCX: `w:t` in `w:p`; ODT: `text:p` and
/// `text:h`, whose text is directly inside (and in `text:span`s).
fn package_text(
    bytes: &[u8],
    part: &str,
    paragraph: &[u8],
    text: &[u8],
) -> Result<String, ExtractError> {
    let broken = |e: &dyn std::fmt::Display| ExtractError::Package(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| broken(&e))?;
    let mut xml = String::new();
    archive
        .by_name(part)
        .map_err(|e| broken(&e))?
        .read_to_string(&mut xml)
        .map_err(|e| broken(&e))?;
    let odt = paragraph == text;
    let mut reader = Reader::from_str(&xml);
    let mut out = String::new();
    let mut inside = 0usize;
    loop {
        match reader.read_event().map_err(|e| broken(&e))? {
            Event::Start(e) => {
                let name = e.local_name();
                if name.as_ref() == text || (odt && name.as_ref() == b"h") {
                    inside += 1;
                }
            }
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" => out.push('\t'),
                b"br" | b"line-break" => out.push('\n'),
                b"s" if odt => out.push(' '),
                _ => {}
            },
            Event::End(e) => {
                let name = e.local_name();
                if name.as_ref() == text || (odt && name.as_ref() == b"h") {
                    inside = inside.saturating_sub(1);
                }
                if name.as_ref() == paragraph || (odt && name.as_ref() == b"h") {
                    out.push('\n');
                }
            }
            Event::Text(t) if inside > 0 => {
                out.push_str(&t.unescape().map_err(|e| broken(&e))?);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(entries: &[(&str, &str)]) -> Vec<u8> {
        let mut bytes = Vec::new();
        let mut zip = zip::ZipWriter::new(Cursor::new(&mut bytes));
        for (name, content) in entries {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
        bytes
    }

    #[test]
    fn a_file_is_what_its_bytes_are() {
        let docx = zip_of(&[
            ("[Content_Types].xml", "<Types/>"),
            (
                "word/document.xml",
                r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>Коллективный </w:t></w:r><w:r><w:t>договор &amp; соглашение</w:t></w:r></w:p><w:p><w:r><w:t>Второй</w:t></w:r></w:p></w:body></w:document>"#,
            ),
        ]);
        assert_eq!(detect(&docx), Some(FileKind::Docx));
        assert_eq!(
            text(&docx, FileKind::Docx).unwrap(),
            "Коллективный договор & соглашение\nВторой\n"
        );
        let odt = zip_of(&[
            ("mimetype", ODT_MIMETYPE),
            (
                "content.xml",
                r#"<office:document-content xmlns:text="t"><text:h>Положение</text:h><text:p>О <text:span>премировании</text:span></text:p></office:document-content>"#,
            ),
        ]);
        assert_eq!(detect(&odt), Some(FileKind::Odt));
        assert_eq!(
            text(&odt, FileKind::Odt).unwrap(),
            "Положение\nО премировании\n"
        );
        assert_eq!(detect("Устав профсоюза\n".as_bytes()), Some(FileKind::Text));
        assert_eq!(detect(b"%PDF-1.7\n..."), Some(FileKind::Pdf));
        // A zip that is neither, a binary, an empty file: refused.
        assert_eq!(detect(&zip_of(&[("a.txt", "a")])), None);
        assert_eq!(detect(&[0x89, b'P', b'N', b'G', 0, 0]), None);
        assert_eq!(detect(b"text\0with a NUL"), None);
        assert_eq!(detect(b""), None);
    }

    #[test]
    fn a_broken_pdf_is_refused_not_a_panic() {
        assert!(text(b"%PDF-1.4 garbage", FileKind::Pdf).is_err());
    }
}
