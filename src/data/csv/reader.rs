//! Pulling chunks of whole records from a reader: record ends are found quote-aware, and a
//! record longer than [`super::MAX_RECORD_BYTES`] is an error.

use std::io::Read;

use super::layout::cr_to_lf;
use super::{CHUNK_BYTES, MAX_RECORD_BYTES};
use crate::error::{Error, Location, Result};

/// End (exclusive) of the last complete record in `buf`, quote-aware; `None` if there is none.
pub(super) fn last_record_end(buf: &[u8], delim: u8) -> Option<usize> {
    if memchr::memchr(b'"', buf).is_none() {
        return memchr::memrchr(b'\n', buf).map(|i| i + 1);
    }
    first_or_last_record_end(buf, delim, false)
}

/// Quote-aware scan for the first (or last) record end.
pub(super) fn first_or_last_record_end(buf: &[u8], delim: u8, first: bool) -> Option<usize> {
    // States: 0 field start, 1 unquoted, 2 quoted, 3 quote seen inside quotes.
    let mut state = 0u8;
    let mut last = None;
    for (i, &b) in buf.iter().enumerate() {
        state = match (state, b) {
            (0, b'"') => 2,
            (0 | 1 | 3, b'\n') => {
                if first {
                    return Some(i + 1);
                }
                last = Some(i + 1);
                0
            }
            (0 | 1 | 3, d) if d == delim => 0,
            (0 | 1, _) => 1,
            (2, b'"') => 3,
            (2, _) => 2,
            (3, b'"') => 2,
            (3, _) => 1,
            _ => state,
        };
    }
    last
}

/// Pulls chunks of whole records from a reader.
pub(super) struct Chunker<R> {
    pub(super) reader: R,
    pub(super) buf: Vec<u8>,
    pub(super) eof: bool,
    pub(super) delim: u8,
    /// Line number (1-based) of the first byte of `buf`.
    pub(super) line: u64,
    pub(super) source: String,
    /// Lines end with a bare `\r` (classic Mac OS): every `\r` read is turned into `\n`, a `\n`
    /// right after a `\r` is dropped (R's `scan` accepts LF, CRLF and CR line ends alike).
    pub(super) cr_lines: bool,
    /// The last byte translated was a `\r`.
    pub(super) last_cr: bool,
}

impl<R: Read> Chunker<R> {
    pub(super) fn fill(&mut self, target: usize) -> Result<()> {
        if self.cr_lines {
            return self.fill_translated(target);
        }
        // Read straight into the buffer's spare capacity (no zeroed staging block, no copy).
        while self.buf.len() < target && !self.eof {
            let want = target - self.buf.len();
            self.buf.reserve(want);
            match (&mut self.reader).take(want as u64).read_to_end(&mut self.buf) {
                // `read_to_end` stops early only at the end of the data
                Ok(k) => self.eof = k < want,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::Io { path: self.source.clone(), message: e.to_string() });
                }
            }
        }
        Ok(())
    }

    /// [`Chunker::fill`] for lines ended by a bare `\r`: each block read is translated.
    fn fill_translated(&mut self, target: usize) -> Result<()> {
        let mut tmp = vec![0u8; 64 << 10];
        while self.buf.len() < target && !self.eof {
            let want = (target - self.buf.len()).min(tmp.len());
            match self.reader.read(&mut tmp[..want]) {
                Ok(0) => self.eof = true,
                Ok(k) => cr_to_lf(&tmp[..k], &mut self.last_cr, &mut self.buf),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::Io { path: self.source.clone(), message: e.to_string() });
                }
            }
        }
        Ok(())
    }

    pub(super) fn too_long(&self) -> Error {
        Error::Csv {
            location: Location::new(&self.source, Some(self.line), None),
            message: format!(
                "a record longer than {} MiB (binary data, or a file without line breaks?)",
                MAX_RECORD_BYTES >> 20
            ),
        }
    }

    /// The next chunk of whole records (about `target` bytes) and the line of its first byte.
    pub(super) fn next_chunk(&mut self, target: usize) -> Result<Option<(Vec<u8>, u64)>> {
        let mut target = target.max(1);
        loop {
            self.fill(target)?;
            if self.eof {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                let chunk = std::mem::take(&mut self.buf);
                return Ok(Some(self.advance(chunk)));
            }
            if let Some(end) = last_record_end(&self.buf, self.delim) {
                let rest = self.buf.split_off(end);
                let chunk = std::mem::replace(&mut self.buf, rest);
                return Ok(Some(self.advance(chunk)));
            }
            if self.buf.len() >= MAX_RECORD_BYTES {
                return Err(self.too_long());
            }
            target = (self.buf.len() * 2).min(MAX_RECORD_BYTES);
        }
    }

    pub(super) fn advance(&mut self, chunk: Vec<u8>) -> (Vec<u8>, u64) {
        let start = self.line;
        self.line += memchr::memchr_iter(b'\n', &chunk).count() as u64;
        (chunk, start)
    }

    /// Up to `batch` chunks of about [`CHUNK_BYTES`] each, in file order (empty at the end).
    pub(super) fn next_batch(&mut self, batch: usize) -> Result<Vec<(Vec<u8>, u64)>> {
        let mut chunks = Vec::with_capacity(batch);
        for _ in 0..batch {
            match self.next_chunk(CHUNK_BYTES)? {
                Some(c) => chunks.push(c),
                None => break,
            }
        }
        Ok(chunks)
    }

    /// The header record (its bytes without the line end) and the line after it.
    pub(super) fn header(&mut self) -> Result<Option<Vec<u8>>> {
        // A small first block: what follows the header is moved once, when it is split off.
        let mut target = 4 << 10;
        loop {
            self.fill(target)?;
            // The header decides the delimiter, so its end is found quote-aware for any of them.
            if let Some(end) = first_or_last_record_end(&self.buf, self.delim, true) {
                let rest = self.buf.split_off(end);
                let head = std::mem::replace(&mut self.buf, rest);
                self.line += memchr::memchr_iter(b'\n', &head).count() as u64;
                return Ok(Some(head));
            }
            if self.eof {
                if self.buf.iter().all(u8::is_ascii_whitespace) {
                    return Ok(None);
                }
                let head = std::mem::take(&mut self.buf);
                return Ok(Some(head));
            }
            if self.buf.len() >= MAX_RECORD_BYTES {
                return Err(self.too_long());
            }
            target = (self.buf.len() * 2).min(MAX_RECORD_BYTES);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ends_respect_quotes() {
        let b = b"a,\"x\ny\",c\n1,2,3\n4";
        assert_eq!(first_or_last_record_end(b, b',', true), Some(10));
        assert_eq!(last_record_end(b, b','), Some(16));
        assert_eq!(last_record_end(b"a,b", b','), None);
    }
}
