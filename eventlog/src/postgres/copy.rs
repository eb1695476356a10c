//! Catch-up reads as a binary `COPY (SELECT …) TO STDOUT`.
//!
//! A large batch read this way costs the client less than the same rows as
//! query results: no per-row result bookkeeping in sqlx, no per-column type
//! checks, one decode of each value straight from the wire (measured: see
//! BENCHMARKS.md, "PostgreSQL"). COPY takes no parameters, so each statement is
//! planned anew (a fraction of a millisecond); small reads, the live tail, stay
//! prepared queries (`reader`).
//!
//! The format (PostgreSQL's "Binary Format" of COPY): an 11-byte signature, a
//! 32-bit flags field, a 32-bit header extension length and the extension; then
//! per tuple a 16-bit field count and per field a 32-bit length (-1 for NULL)
//! and its bytes; then a count of -1. All integers in network byte order. The
//! server may cut the stream into messages anywhere, so a tuple split between
//! two is kept until it is whole.

use futures::StreamExt;
use sqlx::pool::PoolConnection;
use sqlx::{PgPool, Postgres};

use crate::envelope::StoredEvent;
use crate::error::Error;
use crate::postgres::sql;
use crate::postgres::values::{Value, event_row};

/// What starts every binary COPY stream.
const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// Header flags a reader must understand (bits 16–31); bit 16 means each tuple
/// carries an OID, which no statement of ours asks for.
const CRITICAL_FLAGS: u32 = 0xffff_0000;

/// Up to `limit` events after `after`, in position order, through one binary
/// COPY of `sql::select_events!`.
pub(crate) async fn read_batch(
    pool: &PgPool,
    after: u64,
    limit: usize,
) -> Result<Vec<StoredEvent>, Error> {
    let mut conn = Copying {
        conn: pool.acquire().await?,
        finished: false,
    };
    let mut events = Vec::with_capacity(limit.min(crate::log::READ_BATCH));
    let mut tuples = BinaryCopy::default();
    let mut chunks = conn
        .conn
        .copy_out_raw(&sql::copy_batch(after, limit))
        .await?;
    while let Some(chunk) = chunks.next().await {
        tuples.feed(&chunk?, |values: &[Value<'_>; 14]| {
            events.push(event_row(values)?.open(values[13])?);
            Ok(())
        })?;
    }
    drop(chunks);
    // The stream ran to its end (sqlx read the server's ReadyForQuery): the
    // connection is clean, whatever `finish` says of the bytes.
    conn.finished = true;
    tuples.finish()?;
    Ok(events)
}

/// A pooled connection with a COPY under way. sqlx does not drain a COPY stream
/// dropped before its end, and what is left would answer the connection's next
/// statement, so a connection whose COPY did not finish (an error, or the task
/// aborted) is closed, not pooled.
struct Copying {
    conn: PoolConnection<Postgres>,
    finished: bool,
}

impl Drop for Copying {
    fn drop(&mut self) {
        if !self.finished {
            self.conn.close_on_drop();
        }
    }
}

/// Where a binary COPY stream is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Part {
    #[default]
    Header,
    Tuples,
    Trailer,
}

/// A binary COPY stream, parsed from its messages as they come.
#[derive(Debug, Default)]
pub(crate) struct BinaryCopy {
    part: Part,
    /// The start of a tuple (or of the header) whose end has not come yet.
    pending: Vec<u8>,
}

impl BinaryCopy {
    /// Parses `chunk` (one CopyData message), calling `tuple` with the values of
    /// each whole tuple, which must have exactly `N` fields.
    pub(crate) fn feed<const N: usize>(
        &mut self,
        chunk: &[u8],
        mut tuple: impl FnMut(&[Value<'_>; N]) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if self.pending.is_empty() {
            // The usual case: the server sends each tuple in a message of its own.
            let used = self.parse(chunk, &mut tuple)?;
            self.pending.extend_from_slice(&chunk[used..]);
        } else {
            let mut pending = std::mem::take(&mut self.pending);
            pending.extend_from_slice(chunk);
            let used = self.parse(&pending, &mut tuple)?;
            pending.drain(..used);
            self.pending = pending;
        }
        Ok(())
    }

    /// Checks that the stream ended where the format says it ends.
    pub(crate) fn finish(&self) -> Result<(), Error> {
        if self.part == Part::Trailer && self.pending.is_empty() {
            Ok(())
        } else {
            Err(malformed(
                "the COPY stream ended inside a tuple or before its trailer",
            ))
        }
    }

    /// Parses what is whole in `input`; returns how many bytes that was.
    fn parse<const N: usize>(
        &mut self,
        input: &[u8],
        tuple: &mut impl FnMut(&[Value<'_>; N]) -> Result<(), Error>,
    ) -> Result<usize, Error> {
        let mut used = 0;
        loop {
            let mut rest = Cursor(&input[used..]);
            match self.part {
                Part::Header => {
                    let Some(fixed) = rest.take(SIGNATURE.len() + 8) else {
                        return Ok(used);
                    };
                    let (signature, fixed) = fixed.split_at(SIGNATURE.len());
                    if signature != SIGNATURE {
                        return Err(malformed("not a binary COPY stream"));
                    }
                    let flags = u32::from_be_bytes([fixed[0], fixed[1], fixed[2], fixed[3]]);
                    if flags & CRITICAL_FLAGS != 0 {
                        return Err(malformed("a binary COPY header with unknown flags"));
                    }
                    let extension = u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]);
                    if rest.take(extension as usize).is_none() {
                        return Ok(used);
                    }
                    self.part = Part::Tuples;
                }
                Part::Tuples => {
                    let Some(count) = rest.i16() else {
                        return Ok(used);
                    };
                    if count == -1 {
                        self.part = Part::Trailer;
                    } else if usize::try_from(count).ok() != Some(N) {
                        return Err(malformed("a COPY tuple with an unexpected field count"));
                    } else {
                        let mut values = [None; N];
                        for value in &mut values {
                            let Some(length) = rest.i32() else {
                                return Ok(used);
                            };
                            if length == -1 {
                                continue;
                            }
                            let length = usize::try_from(length)
                                .map_err(|_| malformed("a COPY field of negative length"))?;
                            let Some(bytes) = rest.take(length) else {
                                return Ok(used);
                            };
                            *value = Some(bytes);
                        }
                        tuple(&values)?;
                    }
                }
                Part::Trailer => {
                    return if rest.0.is_empty() {
                        Ok(used)
                    } else {
                        Err(malformed("data after the COPY trailer"))
                    };
                }
            }
            used = input.len() - rest.0.len();
        }
    }
}

/// The unread part of a message.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (taken, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(taken)
    }

    fn i16(&mut self) -> Option<i16> {
        self.take(2).map(|b| i16::from_be_bytes([b[0], b[1]]))
    }

    fn i32(&mut self) -> Option<i32> {
        self.take(4)
            .map(|b| i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn malformed(what: &str) -> Error {
    Error::Postgres(sqlx::Error::Protocol(what.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream of `tuples` (two fields each) in the binary COPY format.
    fn stream(tuples: &[[Option<&[u8]>; 2]]) -> Vec<u8> {
        let mut out = SIGNATURE.to_vec();
        out.extend_from_slice(&0u32.to_be_bytes());
        out.extend_from_slice(&3u32.to_be_bytes());
        out.extend_from_slice(b"ext");
        for tuple in tuples {
            out.extend_from_slice(&2i16.to_be_bytes());
            for field in tuple {
                match field {
                    None => out.extend_from_slice(&(-1i32).to_be_bytes()),
                    Some(bytes) => {
                        out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
                        out.extend_from_slice(bytes);
                    }
                }
            }
        }
        out.extend_from_slice(&(-1i16).to_be_bytes());
        out
    }

    fn parse(chunks: &[&[u8]]) -> Result<Vec<[Option<Vec<u8>>; 2]>, Error> {
        let mut copy = BinaryCopy::default();
        let mut tuples = Vec::new();
        for chunk in chunks {
            copy.feed(chunk, |values: &[Value<'_>; 2]| {
                tuples.push(values.map(|v| v.map(<[u8]>::to_vec)));
                Ok(())
            })?;
        }
        copy.finish()?;
        Ok(tuples)
    }

    #[test]
    fn tuples_parse_however_the_stream_is_cut() {
        let bytes = stream(&[[Some(b"a"), None], [Some(b""), Some(b"bcd")], [None, None]]);
        let expected = vec![
            [Some(b"a".to_vec()), None],
            [Some(Vec::new()), Some(b"bcd".to_vec())],
            [None, None],
        ];
        assert_eq!(parse(&[&bytes]).unwrap(), expected);
        for cut in 0..=bytes.len() {
            let (first, second) = bytes.split_at(cut);
            assert_eq!(parse(&[first, second]).unwrap(), expected, "cut at {cut}");
        }
        let bytewise: Vec<&[u8]> = bytes.chunks(1).collect();
        assert_eq!(parse(&bytewise).unwrap(), expected);
    }

    #[test]
    fn malformed_streams_are_errors() {
        let bytes = stream(&[[Some(b"a"), None]]);
        // Cut short: inside the header, inside a tuple, before the trailer.
        for end in [5, 25, bytes.len() - 2] {
            assert!(parse(&[&bytes[..end]]).is_err(), "cut at {end}");
        }
        let mut signature = bytes.clone();
        signature[0] = b'X';
        assert!(parse(&[&signature]).is_err());
        let mut flags = bytes.clone();
        flags[11] = 1;
        assert!(parse(&[&flags]).is_err());
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(parse(&[&trailing]).is_err());
        let three = stream(&[]);
        let mut wrong_count = three[..three.len() - 2].to_vec();
        wrong_count.extend_from_slice(&3i16.to_be_bytes());
        assert!(parse(&[&wrong_count]).is_err());
        let mut negative = three[..three.len() - 2].to_vec();
        negative.extend_from_slice(&2i16.to_be_bytes());
        negative.extend_from_slice(&(-2i32).to_be_bytes());
        assert!(parse(&[&negative]).is_err());
    }
}
