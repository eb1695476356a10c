//! The snapshot file: a clear header, then one section per model, each a run
//! of sealed chunks.
//!
//! ```text
//! header   magic "REESTRSS", format u32, fingerprint [32], position u64,
//!          event id at that position [16], nonce prefix [16], sections u32
//! section  name length u16, name, plaintext length u64,
//!          chunks: length u32 (top bit: the last), sealed bytes
//! ```
//!
//! Every chunk is sealed with the snapshot key under the nonce (prefix,
//! section, chunk) and bound to the whole header, its section, its number and
//! whether it is the last (the last also to the section's length, which a
//! reader makes room for at once): a chunk moved, dropped, repeated or cut
//! off, or a header or length changed, opens as nothing, so a damaged file
//! is refused whole.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use eventlog::snapshot_key::{SNAPSHOT_NONCE_LEN, SnapshotKey};
use rand::RngCore;
use uuid::Uuid;

use crate::snapshot::SnapshotError;

const MAGIC: &[u8; 8] = b"REESTRSS";
/// The layout of this file (the models' own layout is the fingerprint's).
const FORMAT: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 32 + 8 + 16 + 16 + 4;
/// Plaintext bytes per chunk.
const CHUNK: usize = 1 << 20;
const LAST: u32 = 1 << 31;
/// A chunk is at most its plaintext and the tag: a length past this is damage.
const MAX_SEALED: usize = CHUNK + 16;

/// What the header says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The models' layout the file was written by (`FINGERPRINT`).
    pub fingerprint: [u8; 32],
    /// The last position every model had applied.
    pub position: u64,
    /// The id of the event at `position`: the log the snapshot is of.
    pub event_id: Uuid,
    /// Sections that follow.
    pub sections: u32,
}

impl Header {
    fn encode(&self, nonce_prefix: &[u8; 16]) -> [u8; HEADER_LEN] {
        let mut out = [0; HEADER_LEN];
        let mut at = 0;
        for part in [
            &MAGIC[..],
            &FORMAT.to_le_bytes(),
            &self.fingerprint,
            &self.position.to_le_bytes(),
            self.event_id.as_bytes(),
            nonce_prefix,
            &self.sections.to_le_bytes(),
        ] {
            out[at..at + part.len()].copy_from_slice(part);
            at += part.len();
        }
        out
    }

    fn decode(bytes: &[u8; HEADER_LEN]) -> Result<(Header, [u8; 16]), SnapshotError> {
        if &bytes[..8] != MAGIC {
            return Err(SnapshotError::Damaged("not a snapshot file".into()));
        }
        let format = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or_default());
        if format != FORMAT {
            return Err(SnapshotError::Stale(format!(
                "the file's format is {format}, this build writes {FORMAT}"
            )));
        }
        let take = |from: usize, len: usize| &bytes[from..from + len];
        let mut fingerprint = [0; 32];
        fingerprint.copy_from_slice(take(12, 32));
        let mut position = [0; 8];
        position.copy_from_slice(take(44, 8));
        let mut event_id = [0; 16];
        event_id.copy_from_slice(take(52, 16));
        let mut prefix = [0; 16];
        prefix.copy_from_slice(take(68, 16));
        let mut sections = [0; 4];
        sections.copy_from_slice(take(84, 4));
        Ok((
            Header {
                fingerprint,
                position: u64::from_le_bytes(position),
                event_id: Uuid::from_bytes(event_id),
                sections: u32::from_le_bytes(sections),
            },
            prefix,
        ))
    }
}

fn nonce(prefix: &[u8; 16], section: u32, chunk: u32) -> [u8; SNAPSHOT_NONCE_LEN] {
    let mut nonce = [0; SNAPSHOT_NONCE_LEN];
    nonce[..16].copy_from_slice(prefix);
    nonce[16..20].copy_from_slice(&section.to_le_bytes());
    nonce[20..].copy_from_slice(&chunk.to_le_bytes());
    nonce
}

/// What a chunk is bound to; the last one to its section's length too.
fn aad(header: &[u8; HEADER_LEN], section: u32, chunk: u32, last: Option<u64>) -> Vec<u8> {
    let mut aad = Vec::with_capacity(HEADER_LEN + 17);
    aad.extend_from_slice(header);
    aad.extend_from_slice(&section.to_le_bytes());
    aad.extend_from_slice(&chunk.to_le_bytes());
    aad.push(u8::from(last.is_some()));
    if let Some(length) = last {
        aad.extend_from_slice(&length.to_le_bytes());
    }
    aad
}

/// Writes a snapshot file section by section.
pub struct SnapshotWriter {
    out: BufWriter<File>,
    key: SnapshotKey,
    header: [u8; HEADER_LEN],
    prefix: [u8; 16],
    sections: u32,
    written: u32,
}

impl SnapshotWriter {
    /// Starts the file `out` with `header`.
    pub(crate) fn new(
        out: File,
        key: SnapshotKey,
        header: &Header,
    ) -> Result<SnapshotWriter, SnapshotError> {
        let mut prefix = [0; 16];
        rand::rng().fill_bytes(&mut prefix);
        let encoded = header.encode(&prefix);
        let mut out = BufWriter::with_capacity(CHUNK + 64, out);
        out.write_all(&encoded)?;
        Ok(SnapshotWriter {
            out,
            key,
            header: encoded,
            prefix,
            sections: header.sections,
            written: 0,
        })
    }

    /// The next section, named `name`; its bytes go through [`Section`].
    pub(crate) fn section(&mut self, name: &str) -> Result<Section<'_>, SnapshotError> {
        if self.written == self.sections {
            return Err(SnapshotError::Damaged(
                "more sections than the header says".into(),
            ));
        }
        let len = u16::try_from(name.len())
            .map_err(|_| SnapshotError::Damaged("a section name is too long".into()))?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(name.as_bytes())?;
        // The length, known at the end, is written here then.
        let length_at = self.out.stream_position()?;
        self.out.write_all(&0u64.to_le_bytes())?;
        let index = self.written;
        self.written += 1;
        Ok(Section {
            file: self,
            index,
            chunk: 0,
            length_at,
            length: 0,
            buffer: Vec::with_capacity(CHUNK),
        })
    }

    /// Flushes and syncs the file; every section the header names was written.
    pub(crate) fn finish(self) -> Result<File, SnapshotError> {
        if self.written != self.sections {
            return Err(SnapshotError::Damaged(
                "fewer sections than the header says".into(),
            ));
        }
        let file = self
            .out
            .into_inner()
            .map_err(|error| SnapshotError::Io(error.into_error()))?;
        file.sync_all()?;
        Ok(file)
    }
}

/// One model's bytes, sealed a chunk at a time as they come.
pub struct Section<'w> {
    file: &'w mut SnapshotWriter,
    index: u32,
    chunk: u32,
    /// Where the section's length goes.
    length_at: u64,
    /// Plaintext bytes so far.
    length: u64,
    buffer: Vec<u8>,
}

impl Section<'_> {
    fn seal(&mut self, last: bool) -> std::io::Result<()> {
        self.length += self.buffer.len() as u64;
        let file = &mut *self.file;
        let sealed = file.key.seal(
            &nonce(&file.prefix, self.index, self.chunk),
            &aad(
                &file.header,
                self.index,
                self.chunk,
                last.then_some(self.length),
            ),
            &self.buffer,
        );
        let len = u32::try_from(sealed.len()).unwrap_or(u32::MAX) | if last { LAST } else { 0 };
        file.out.write_all(&len.to_le_bytes())?;
        file.out.write_all(&sealed)?;
        self.buffer.clear();
        self.chunk += 1;
        Ok(())
    }

    /// Seals what is left as the section's last chunk and writes its length.
    pub(crate) fn finish(mut self) -> Result<(), SnapshotError> {
        self.seal(true)?;
        let out = &mut self.file.out;
        out.seek(SeekFrom::Start(self.length_at))?;
        out.write_all(&self.length.to_le_bytes())?;
        out.seek(SeekFrom::End(0))?;
        Ok(())
    }
}

impl Write for Section<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let room = CHUNK - self.buffer.len();
        let taken = bytes.len().min(room);
        self.buffer.extend_from_slice(&bytes[..taken]);
        if self.buffer.len() == CHUNK {
            self.seal(false)?;
        }
        Ok(taken)
    }

    fn write_all(&mut self, mut bytes: &[u8]) -> std::io::Result<()> {
        // postcard writes a byte at a time: the common case is one copy.
        if bytes.len() < CHUNK - self.buffer.len() {
            self.buffer.extend_from_slice(bytes);
            return Ok(());
        }
        while !bytes.is_empty() {
            let taken = self.write(bytes)?;
            bytes = &bytes[taken..];
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reads a snapshot file section by section, checking every chunk.
pub struct SnapshotReader {
    input: BufReader<File>,
    /// The file's size: no section is longer.
    size: usize,
    key: SnapshotKey,
    header: Header,
    encoded: [u8; HEADER_LEN],
    prefix: [u8; 16],
    read: u32,
}

impl SnapshotReader {
    /// Reads the header of `input`.
    pub(crate) fn open(input: File, key: SnapshotKey) -> Result<SnapshotReader, SnapshotError> {
        let size = usize::try_from(input.metadata()?.len()).unwrap_or(usize::MAX);
        let mut input = BufReader::with_capacity(CHUNK + 64, input);
        let mut encoded = [0; HEADER_LEN];
        input
            .read_exact(&mut encoded)
            .map_err(|_| SnapshotError::Damaged("the header is cut short".into()))?;
        let (header, prefix) = Header::decode(&encoded)?;
        Ok(SnapshotReader {
            input,
            size,
            key,
            header,
            encoded,
            prefix,
            read: 0,
        })
    }

    /// What the header says.
    pub(crate) fn header(&self) -> &Header {
        &self.header
    }

    /// The next section's name and bytes; `None` after the last.
    pub(crate) fn next_section(&mut self) -> Result<Option<(String, Vec<u8>)>, SnapshotError> {
        if self.read == self.header.sections {
            return Ok(None);
        }
        let cut = |_| SnapshotError::Damaged("the file is cut short".into());
        let mut len = [0; 2];
        self.input.read_exact(&mut len).map_err(cut)?;
        let mut name = vec![0; usize::from(u16::from_le_bytes(len))];
        self.input.read_exact(&mut name).map_err(cut)?;
        let name = String::from_utf8(name)
            .map_err(|_| SnapshotError::Damaged("a section's name is not text".into()))?;
        let mut length = [0; 8];
        self.input.read_exact(&mut length).map_err(cut)?;
        let length = u64::from_le_bytes(length);
        let index = self.read;
        self.read += 1;
        // Room for the whole section at once (a length past the file is
        // damage, found when the last chunk does not open with it).
        let room = usize::try_from(length).unwrap_or(0).min(self.size);
        let mut bytes = Vec::with_capacity(room);
        for chunk in 0u32.. {
            let mut len = [0; 4];
            self.input.read_exact(&mut len).map_err(cut)?;
            let len = u32::from_le_bytes(len);
            let last = len & LAST != 0;
            let sealed_len = (len & !LAST) as usize;
            if sealed_len > MAX_SEALED {
                return Err(SnapshotError::Damaged(format!(
                    "section {name}: a chunk claims {sealed_len} bytes"
                )));
            }
            let mut sealed = vec![0; sealed_len];
            self.input.read_exact(&mut sealed).map_err(cut)?;
            let plain = self
                .key
                .open(
                    &nonce(&self.prefix, index, chunk),
                    &aad(&self.encoded, index, chunk, last.then_some(length)),
                    &sealed,
                )
                .ok_or_else(|| {
                    SnapshotError::Damaged(format!(
                        "section {name}, chunk {chunk} does not open (changed bytes or another key)"
                    ))
                })?;
            bytes.extend_from_slice(&plain);
            if last {
                break;
            }
        }
        if bytes.len() as u64 != length {
            return Err(SnapshotError::Damaged(format!(
                "section {name} holds {} bytes, not {length}",
                bytes.len()
            )));
        }
        Ok(Some((name, bytes)))
    }

    /// Checks that nothing follows the last section.
    pub(crate) fn finish(mut self) -> Result<(), SnapshotError> {
        let mut byte = [0; 1];
        match self.input.read(&mut byte)? {
            0 => Ok(()),
            _ => Err(SnapshotError::Damaged(
                "bytes follow the last section".into(),
            )),
        }
    }
}
