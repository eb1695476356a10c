//! Reading a DOCX back: its placeholders (to check an uploaded template) and
//! its body as paragraphs and tables (what the PDF draws).

use std::io::{Cursor, Read};

use quick_xml::events::Event;

use crate::DocumentError;
use crate::docx::{BODY, Block, Tag, docx_error, find, is_text_part, parse, tag, text_of};

/// The placeholders `docx` holds (in its body, headers and footers), each once.
///
/// # Errors
/// [`DocumentError::Docx`] for a file that is not a DOCX.
pub fn placeholders(docx: &[u8]) -> Result<Vec<String>, DocumentError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).map_err(docx_error)?;
    let mut names = Vec::new();
    let mut found_body = false;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(docx_error)?;
        let name = file.name().to_string();
        if !is_text_part(&name) {
            continue;
        }
        found_body |= name == BODY;
        let mut xml = String::new();
        file.read_to_string(&mut xml)
            .map_err(|e| DocumentError::Docx(e.to_string()))?;
        for block in read_blocks(&parse(&xml)?)? {
            let texts = match block {
                Block::Table(rows) => rows.concat(),
                Block::Title(t) | Block::Paragraph(t) | Block::Right(t) => vec![t],
            };
            for text in texts {
                for (_, _, name) in find(&text) {
                    if !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
    }
    if !found_body {
        return Err(DocumentError::Docx("no word/document.xml".into()));
    }
    Ok(names)
}

/// The body of `docx` as paragraphs and tables.
///
/// # Errors
/// [`DocumentError::Docx`] for a file that is not a DOCX.
pub fn blocks(docx: &[u8]) -> Result<Vec<Block>, DocumentError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).map_err(docx_error)?;
    let mut file = archive.by_name(BODY).map_err(docx_error)?;
    let mut xml = String::new();
    file.read_to_string(&mut xml)
        .map_err(|e| DocumentError::Docx(e.to_string()))?;
    read_blocks(&parse(&xml)?)
}

/// The paragraphs and tables of a body's events.
pub(super) fn read_blocks(events: &[Event<'static>]) -> Result<Vec<Block>, DocumentError> {
    let mut blocks = Vec::new();
    let (mut tables, mut paragraph, mut in_t) = (0, String::new(), false);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cell = String::new();
    for event in events {
        match tag(event) {
            Tag::Open(b"w:tbl") => {
                tables += 1;
                if tables == 1 {
                    rows.clear();
                }
            }
            Tag::Close(b"w:tbl") => {
                tables -= 1;
                if tables == 0 {
                    blocks.push(Block::Table(std::mem::take(&mut rows)));
                }
            }
            Tag::Open(b"w:tr") if tables == 1 => rows.push(Vec::new()),
            Tag::Close(b"w:tc") if tables == 1 => {
                if let Some(row) = rows.last_mut() {
                    row.push(std::mem::take(&mut cell).trim().to_string());
                }
            }
            Tag::Open(b"w:t") => in_t = true,
            Tag::Close(b"w:t") => in_t = false,
            Tag::Open(b"w:tab") => paragraph.push('\t'),
            Tag::Text if in_t => paragraph.push_str(&text_of(event)?),
            Tag::Close(b"w:p") => {
                let text = std::mem::take(&mut paragraph);
                if tables > 0 {
                    if !cell.is_empty() {
                        cell.push(' ');
                    }
                    cell.push_str(&text);
                } else {
                    blocks.push(Block::Paragraph(text));
                }
            }
            _ => {}
        }
    }
    Ok(blocks)
}
