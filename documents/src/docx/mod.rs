//! DOCX: templates with placeholders, filled and read back.
//!
//! A template is any DOCX whose text holds placeholders `{{name}}` (letters,
//! digits, `_` and `.`; spaces inside the braces are allowed). Word splits
//! text into runs wherever formatting, spelling marks or editing history
//! change, so a placeholder typed in Word is often spread over several
//! `<w:t>` elements: [`fill`] joins the text of each paragraph, finds the
//! placeholders in the joined text, writes each value into the run where its
//! placeholder began and removes the rest of it from the runs after. The
//! formatting of that first run is the value's. A table row whose text holds
//! a placeholder `{{list.field}}` of a list in [`Fields::lists`] is repeated
//! once per item (none: the row goes). Everything else of the file (styles,
//! images, headers and footers, which are filled too) is copied as it is.
//!
//! [`build`] writes a new DOCX from [`Block`]s (docx-rs); [`blocks`] reads a
//! DOCX's body back as paragraphs and tables, what [`crate::pdf`] draws.

use std::collections::HashMap;
use std::io::{Cursor, Read, Write};

use docx_rs::{AlignmentType, Docx, Paragraph, Run, Table, TableCell, TableRow, WidthType};
use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

use crate::DocumentError;

/// The media type of a DOCX file.
pub const CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A part of a document's body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// A heading: bold, centred.
    Title(String),
    /// A paragraph.
    Paragraph(String),
    /// A paragraph set to the right (an addressee, a signature).
    Right(String),
    /// A table, rows of cells; the first row is its header.
    Table(Vec<Vec<String>>),
}

/// What a template is filled with.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    /// `{{name}}` → its value.
    pub values: HashMap<String, String>,
    /// `{{list.field}}` in a table row → the row once per item, `field` of
    /// each item.
    pub lists: HashMap<String, Vec<HashMap<String, String>>>,
}

/// Writes `blocks` as a new DOCX.
///
/// # Errors
/// [`DocumentError::Docx`] when the writer refuses.
pub fn build(blocks: &[Block]) -> Result<Vec<u8>, DocumentError> {
    let mut docx = Docx::new();
    let run = |text: &str| Run::new().add_text(text).size(24);
    for block in blocks {
        docx = match block {
            Block::Title(text) => docx.add_paragraph(
                Paragraph::new()
                    .add_run(run(text).bold().size(28))
                    .align(AlignmentType::Center),
            ),
            Block::Paragraph(text) => docx.add_paragraph(Paragraph::new().add_run(run(text))),
            Block::Right(text) => docx.add_paragraph(
                Paragraph::new()
                    .add_run(run(text))
                    .align(AlignmentType::Right),
            ),
            Block::Table(rows) => docx.add_table(
                Table::new(
                    rows.iter()
                        .enumerate()
                        .map(|(k, row)| {
                            TableRow::new(
                                row.iter()
                                    .map(|cell| {
                                        let text = Run::new().add_text(cell).size(20);
                                        let text = if k == 0 { text.bold() } else { text };
                                        TableCell::new()
                                            .add_paragraph(Paragraph::new().add_run(text))
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                )
                .width(9600, WidthType::Dxa),
            ),
        };
    }
    let mut out = Cursor::new(Vec::new());
    docx.build()
        .pack(&mut out)
        .map_err(|e| DocumentError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

/// `template` with its placeholders replaced by `fields`; a placeholder with
/// no value stays as it is.
///
/// # Errors
/// [`DocumentError::Docx`] for a file that is not a DOCX.
pub fn fill(template: &[u8], fields: &Fields) -> Result<Vec<u8>, DocumentError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(template)).map_err(docx_error)?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut found_body = false;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).map_err(docx_error)?;
        let name = file.name().to_string();
        if !is_text_part(&name) {
            out.raw_copy_file(file).map_err(docx_error)?;
            continue;
        }
        found_body |= name == BODY;
        let mut xml = String::new();
        file.read_to_string(&mut xml)
            .map_err(|e| DocumentError::Docx(e.to_string()))?;
        let events = expand_rows(parse(&xml)?, &fields.lists)?;
        let mut events = events;
        fill_paragraphs(&mut events, &|name| fields.values.get(name).cloned())?;
        out.start_file(name, options).map_err(docx_error)?;
        out.write_all(&write(&events)?)
            .map_err(|e| DocumentError::Docx(e.to_string()))?;
    }
    if !found_body {
        return Err(DocumentError::Docx("no word/document.xml".into()));
    }
    Ok(out.finish().map_err(docx_error)?.into_inner())
}

const BODY: &str = "word/document.xml";

fn is_text_part(name: &str) -> bool {
    name == BODY
        || ((name.starts_with("word/header") || name.starts_with("word/footer"))
            && name.ends_with(".xml"))
}

fn docx_error(error: zip::result::ZipError) -> DocumentError {
    DocumentError::Docx(error.to_string())
}

fn xml_error(error: impl std::fmt::Display) -> DocumentError {
    DocumentError::Docx(format!("xml: {error}"))
}

fn parse(xml: &str) -> Result<Vec<Event<'static>>, DocumentError> {
    let mut reader = Reader::from_str(xml);
    let mut events = Vec::new();
    loop {
        match reader.read_event().map_err(xml_error)? {
            Event::Eof => return Ok(events),
            event => events.push(event.into_owned()),
        }
    }
}

fn write(events: &[Event<'static>]) -> Result<Vec<u8>, DocumentError> {
    let mut writer = Writer::new(Vec::new());
    for event in events {
        writer.write_event(event.clone()).map_err(xml_error)?;
    }
    Ok(writer.into_inner())
}

/// The kinds of event the filling cares about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tag {
    Open(&'static [u8]),
    Close(&'static [u8]),
    Text,
    Other,
}

const NAMES: [&[u8]; 6] = [b"w:p", b"w:t", b"w:tr", b"w:tc", b"w:tbl", b"w:tab"];

fn tag(event: &Event<'_>) -> Tag {
    let known = |name: &[u8]| NAMES.iter().copied().find(|n| *n == name);
    match event {
        Event::Start(e) => known(e.name().as_ref()).map_or(Tag::Other, Tag::Open),
        Event::End(e) => known(e.name().as_ref()).map_or(Tag::Other, Tag::Close),
        Event::Empty(e) if e.name().as_ref() == b"w:tab" => Tag::Open(b"w:tab"),
        Event::Text(_) => Tag::Text,
        _ => Tag::Other,
    }
}

fn text_of(event: &Event<'_>) -> Result<String, DocumentError> {
    match event {
        Event::Text(t) => Ok(t.unescape().map_err(xml_error)?.into_owned()),
        _ => Ok(String::new()),
    }
}

/// Placeholders in `text`: (byte start, byte end, name).
fn find(text: &str) -> Vec<(usize, usize, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("{{").map(|k| k + from) {
        let Some(close) = text[open + 2..].find("}}").map(|k| k + open + 2) else {
            break;
        };
        let name = text[open + 2..close].trim();
        let valid = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.');
        if valid {
            found.push((open, close + 2, name.to_string()));
            from = close + 2;
        } else {
            from = open + 2;
        }
    }
    found
}

/// Fills the placeholders of every paragraph of `events` with `value`.
fn fill_paragraphs(
    events: &mut [Event<'static>],
    value: &dyn Fn(&str) -> Option<String>,
) -> Result<(), DocumentError> {
    let (mut depth, mut in_t) = (0, false);
    let mut nodes: Vec<(usize, String)> = Vec::new();
    for idx in 0..events.len() {
        match tag(&events[idx]) {
            Tag::Open(b"w:p") => depth += 1,
            Tag::Close(b"w:p") => {
                depth -= 1;
                if depth == 0 {
                    replace(events, &nodes, value);
                    nodes.clear();
                }
            }
            Tag::Open(b"w:t") => in_t = true,
            Tag::Close(b"w:t") => in_t = false,
            Tag::Text if in_t && depth > 0 => nodes.push((idx, text_of(&events[idx])?)),
            _ => {}
        }
    }
    Ok(())
}

/// Replaces the placeholders of one paragraph, whose text is `nodes` (the
/// index of each `<w:t>`'s text event and that text).
fn replace(
    events: &mut [Event<'static>],
    nodes: &[(usize, String)],
    value: &dyn Fn(&str) -> Option<String>,
) {
    let joined: String = nodes.iter().map(|(_, t)| t.as_str()).collect();
    let found = find(&joined);
    if found.is_empty() {
        return;
    }
    let mut starts = Vec::with_capacity(nodes.len());
    let mut offset = 0;
    for (_, text) in nodes {
        starts.push(offset);
        offset += text.len();
    }
    let mut texts: Vec<String> = nodes.iter().map(|(_, t)| t.clone()).collect();
    let mut changed = vec![false; nodes.len()];
    // Right to left, so each replacement leaves the offsets before it valid.
    for (start, end, name) in found.into_iter().rev() {
        let Some(value) = value(&name) else {
            continue;
        };
        let mut first = true;
        for k in 0..nodes.len() {
            let (node_start, node_end) = (starts[k], starts[k] + nodes[k].1.len());
            if node_end <= start || node_start >= end {
                continue;
            }
            let from = start.max(node_start) - node_start;
            let to = end.min(node_end) - node_start;
            let with = if first { value.as_str() } else { "" };
            texts[k].replace_range(from..to, with);
            changed[k] = true;
            first = false;
        }
    }
    for (k, (idx, _)) in nodes.iter().enumerate() {
        if !changed[k] {
            continue;
        }
        events[*idx] = Event::Text(BytesText::new(&texts[k]).into_owned());
        // Spaces at the ends of a value must survive.
        if idx
            .checked_sub(1)
            .is_some_and(|i| tag(&events[i]) == Tag::Open(b"w:t"))
        {
            events[idx - 1] =
                Event::Start(BytesStart::new("w:t").with_attributes([("xml:space", "preserve")]));
        }
    }
}

/// Repeats each table row that names a list once per item of it.
fn expand_rows(
    events: Vec<Event<'static>>,
    lists: &HashMap<String, Vec<HashMap<String, String>>>,
) -> Result<Vec<Event<'static>>, DocumentError> {
    if lists.is_empty() {
        return Ok(events);
    }
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if tag(&events[i]) != Tag::Open(b"w:tr") {
            out.push(events[i].clone());
            i += 1;
            continue;
        }
        let (mut depth, mut j, mut text) = (0, i, String::new());
        while j < events.len() {
            match tag(&events[j]) {
                Tag::Open(b"w:tr") => depth += 1,
                Tag::Close(b"w:tr") => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                Tag::Text => text.push_str(&text_of(&events[j])?),
                _ => {}
            }
            j += 1;
        }
        let row = &events[i..=j.min(events.len() - 1)];
        let list = find(&text).into_iter().find_map(|(_, _, name)| {
            let (list, _) = name.split_once('.')?;
            lists.get_key_value(list)
        });
        match list {
            Some((list, items)) => {
                for item in items {
                    let mut copy = row.to_vec();
                    let prefix = format!("{list}.");
                    fill_paragraphs(&mut copy, &|name| {
                        name.strip_prefix(&prefix)
                            .and_then(|field| item.get(field).cloned())
                    })?;
                    out.extend(copy);
                }
            }
            None => out.extend(row.iter().cloned()),
        }
        i = j + 1;
    }
    Ok(out)
}

mod read;
#[cfg(test)]
mod tests;

pub use read::{blocks, placeholders};
