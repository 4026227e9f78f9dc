//! Parsing one chunk of whole records: fields are split (RFC 4180 quotes), numbers parsed in
//! place into a row-major `f64` block, text columns interned into label codes.

use std::collections::HashMap;

use super::number::{parse_number, plain_decimal};

/// Parsing context shared by the chunks.
pub(super) struct Ctx {
    pub(super) p: usize,
    pub(super) delim: u8,
    pub(super) decimal_comma: bool,
    pub(super) na_text: Vec<Vec<u8>>,
    pub(super) na_num: Vec<f64>,
}

/// Labels of one chunk's text column.
pub(super) struct ChunkText {
    pub(super) index: HashMap<Vec<u8>, u32>,
    pub(super) levels: Vec<String>,
    pub(super) codes: Vec<u32>,
}

/// Where a numeric column first met text.
#[derive(Clone)]
pub(super) struct Discovery {
    pub(super) column: usize,
    pub(super) rel_line: u64,
    pub(super) value: String,
}

pub(super) enum ChunkError {
    Ragged { rel_line: u64, found: usize },
    Unclosed { rel_line: u64 },
    Utf8 { rel_line: u64, column: usize },
}

pub(super) struct ChunkOut {
    pub(super) values: Vec<f64>,
    pub(super) lines: Vec<u64>,
    pub(super) text: Vec<Option<ChunkText>>,
    pub(super) found: Vec<Discovery>,
    pub(super) error: Option<ChunkError>,
}

/// Why one parsing pass stopped early.
pub(super) enum Restart {
    NewText(Discovery),
}

/// Field splitting state machine result for one field.
pub(super) enum End {
    Delim,
    Newline,
    Eof,
}

/// Read one field starting at `pos`; returns the field bytes (unescaped into `scratch` when
/// quoted), the end kind, the next position and the number of newlines inside the field.
/// `Err(())` for a quoted field without its closing quote.
#[inline]
pub(super) fn next_field<'a>(
    bytes: &'a [u8],
    pos: usize,
    delim: u8,
    scratch: &'a mut Vec<u8>,
) -> std::result::Result<(&'a [u8], End, usize, u64), ()> {
    let n = bytes.len();
    if pos < n && bytes[pos] == b'"' {
        scratch.clear();
        let mut i = pos + 1;
        let mut newlines = 0;
        loop {
            if i >= n {
                return Err(());
            }
            let b = bytes[i];
            if b == b'"' {
                if i + 1 < n && bytes[i + 1] == b'"' {
                    scratch.push(b'"');
                    i += 2;
                    continue;
                }
                i += 1;
                break;
            }
            if b == b'\n' {
                newlines += 1;
            }
            scratch.push(b);
            i += 1;
        }
        // Text after the closing quote (malformed) is kept, as the csv crate does.
        while i < n {
            let b = bytes[i];
            if b == delim {
                return Ok((&scratch[..], End::Delim, i + 1, newlines));
            }
            if b == b'\n' {
                return Ok((&scratch[..], End::Newline, i + 1, newlines));
            }
            scratch.push(b);
            i += 1;
        }
        return Ok((&scratch[..], End::Eof, n, newlines));
    }
    let mut i = pos;
    while i < n {
        let b = bytes[i];
        if b == delim {
            return Ok((&bytes[pos..i], End::Delim, i + 1, 0));
        }
        if b == b'\n' {
            return Ok((&bytes[pos..i], End::Newline, i + 1, 0));
        }
        i += 1;
    }
    Ok((&bytes[pos..n], End::Eof, n, 0))
}

pub(super) fn trim(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

/// An unquoted plain number field at `bytes[pos..]` ended by the delimiter, a line end (`\n`
/// or `\r\n`) or the end of the data: its value, how it ended and the next position. `None`
/// sends the field through the general path ([`next_field`], [`parse_cell`]).
#[inline]
pub(super) fn fast_field(bytes: &[u8], pos: usize, delim: u8) -> Option<(f64, End, usize)> {
    if matches!(delim, b'.' | b'-' | b'0'..=b'9') {
        return None;
    }
    let (v, used) = plain_decimal(&bytes[pos..], b'.')?;
    let i = pos + used;
    match bytes.get(i) {
        None => Some((v, End::Eof, i)),
        Some(&b) if b == delim => Some((v, End::Delim, i + 1)),
        Some(b'\n') => Some((v, End::Newline, i + 1)),
        Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => Some((v, End::Newline, i + 2)),
        _ => None,
    }
}

/// A field's value: `Some(NaN)` for missing, `Some(v)` for a number, `None` for text.
#[inline]
pub(super) fn parse_cell(raw: &[u8], ctx: &Ctx) -> Option<f64> {
    let t = trim(raw);
    if t.is_empty() {
        return Some(f64::NAN);
    }
    if matches!(t, b"NA" | b"NaN" | b"nan" | b".") || ctx.na_text.iter().any(|c| c == t) {
        return Some(f64::NAN);
    }
    let v = parse_number(t, ctx.decimal_comma)?;
    if ctx.na_num.contains(&v) {
        return Some(f64::NAN);
    }
    Some(v)
}

/// Whether `bytes[pos..]` starts a blank line (only spaces, tabs, `\r` before `\n` or the end);
/// returns the position after it.
pub(super) fn blank_line(bytes: &[u8], pos: usize) -> Option<usize> {
    let mut i = pos;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => return Some(i + 1),
            b' ' | b'\t' | b'\r' => i += 1,
            _ => return None,
        }
    }
    Some(i)
}

/// Parse a chunk into `values` (a buffer reused across chunks: cleared, its capacity kept).
/// A numeric column that meets text turns to text and the chunk is parsed again.
pub(super) fn parse_chunk(
    bytes: &[u8],
    ctx: &Ctx,
    known_text: &[bool],
    mut values: Vec<f64>,
) -> ChunkOut {
    let mut text_cols = known_text.to_vec();
    let mut found = Vec::new();
    loop {
        match try_parse_chunk(bytes, ctx, &text_cols, &mut values) {
            Ok(mut out) => {
                out.found = found;
                out.values = values;
                return out;
            }
            Err(Restart::NewText(d)) => {
                text_cols[d.column] = true;
                found.push(d);
            }
        }
    }
}

/// A record of `row.len()` unquoted plain numbers at the start of `bytes`, ended by `\n`, `\r\n`
/// or the end of the data: its values are written to `row` and the number of bytes used
/// returned. `None` sends the record through the general path, which reads it the same way or
/// reports what is wrong with it. `delim` is not a digit, `-` or `.`.
#[inline]
fn fast_row(bytes: &[u8], delim: u8, row: &mut [f64]) -> Option<usize> {
    let p = row.len();
    let mut rest = bytes;
    for (j, slot) in row.iter_mut().enumerate() {
        // One-digit fields (Likert answers) directly; other plain decimals by `plain_decimal`.
        let (v, used) = match *rest {
            [d @ b'0'..=b'9', e, ..] if e == delim || e == b'\n' || e == b'\r' => {
                (f64::from(d - b'0'), 1)
            }
            _ => plain_decimal(rest, b'.')?,
        };
        *slot = v;
        rest = &rest[used..];
        let last = j + 1 == p;
        rest = match *rest {
            [b, ref tail @ ..] if !last && b == delim => tail,
            [b'\n', ref tail @ ..] | [b'\r', b'\n', ref tail @ ..] if last => tail,
            [] if last => rest,
            _ => return None,
        };
    }
    Some(bytes.len() - rest.len())
}

pub(super) fn try_parse_chunk(
    bytes: &[u8],
    ctx: &Ctx,
    text_cols: &[bool],
    values: &mut Vec<f64>,
) -> std::result::Result<ChunkOut, Restart> {
    let p = ctx.p;
    // Likert-like data: about two bytes per cell.
    values.clear();
    values.reserve(bytes.len() / 2 + p);
    // Records of plain numbers only take the fast path when no column holds text.
    let fast_rows = !text_cols.contains(&true) && !matches!(ctx.delim, b'.' | b'-' | b'0'..=b'9');
    let mut lines = Vec::new();
    let mut text: Vec<Option<ChunkText>> = text_cols
        .iter()
        .map(|&t| {
            t.then(|| ChunkText { index: HashMap::new(), levels: Vec::new(), codes: Vec::new() })
        })
        .collect();
    let mut scratch = Vec::new();
    let mut pos = 0;
    let mut line: u64 = 0;
    let mut error = None;
    'records: while pos < bytes.len() {
        if fast_rows {
            let row_start = values.len();
            values.resize(row_start + p, f64::NAN);
            if let Some(used) = fast_row(&bytes[pos..], ctx.delim, &mut values[row_start..]) {
                if !ctx.na_num.is_empty() {
                    for v in &mut values[row_start..] {
                        if ctx.na_num.contains(v) {
                            *v = f64::NAN;
                        }
                    }
                }
                lines.push(line);
                line += 1;
                pos += used;
                continue;
            }
            values.truncate(row_start);
        }
        if let Some(next) = blank_line(bytes, pos) {
            pos = next;
            line += 1;
            continue;
        }
        let rec_line = line;
        let row_start = values.len();
        values.resize(row_start + p, f64::NAN);
        let mut j = 0;
        loop {
            let fast =
                if j < p && text[j].is_none() { fast_field(bytes, pos, ctx.delim) } else { None };
            if let Some((v, end, next)) = fast {
                values[row_start + j] = if ctx.na_num.contains(&v) { f64::NAN } else { v };
                j += 1;
                pos = next;
                match end {
                    End::Delim if pos < bytes.len() => continue,
                    End::Newline => {
                        line += 1;
                        break;
                    }
                    // A trailing delimiter at the end of the data: one more empty field.
                    End::Delim => {
                        if j < p
                            && let Some(t) = text[j].as_mut()
                        {
                            push_label(t, b"");
                        }
                        j += 1;
                        break;
                    }
                    End::Eof => break,
                }
            }
            let Ok((field, end, next, nl)) = next_field(bytes, pos, ctx.delim, &mut scratch) else {
                error = Some(ChunkError::Unclosed { rel_line: rec_line });
                values.truncate(row_start);
                break 'records;
            };
            line += nl;
            if j < p {
                if let Some(t) = text[j].as_mut() {
                    let f = trim(field);
                    let code = match t.index.get(f) {
                        Some(&c) => c,
                        None => {
                            let Ok(s) = std::str::from_utf8(f) else {
                                error = Some(ChunkError::Utf8 { rel_line: rec_line, column: j });
                                values.truncate(row_start);
                                break 'records;
                            };
                            t.levels.push(s.to_string());
                            let c = (t.levels.len() - 1) as u32;
                            t.index.insert(f.to_vec(), c);
                            c
                        }
                    };
                    t.codes.push(code);
                } else {
                    match parse_cell(field, ctx) {
                        Some(v) => values[row_start + j] = v,
                        None => {
                            return Err(Restart::NewText(Discovery {
                                column: j,
                                rel_line: rec_line,
                                value: String::from_utf8_lossy(trim(field)).into_owned(),
                            }));
                        }
                    }
                }
            }
            j += 1;
            pos = next;
            match end {
                End::Delim => {
                    if pos >= bytes.len() {
                        // A trailing delimiter at the end of the data: one more empty field.
                        if j < p
                            && let Some(t) = text[j].as_mut()
                        {
                            push_label(t, b"");
                        }
                        j += 1;
                        break;
                    }
                }
                End::Newline => {
                    line += 1;
                    break;
                }
                End::Eof => break,
            }
        }
        if j != p {
            error = Some(ChunkError::Ragged { rel_line: rec_line, found: j });
            values.truncate(row_start);
            break;
        }
        lines.push(rec_line);
    }
    Ok(ChunkOut { values: Vec::new(), lines, text, found: Vec::new(), error })
}

pub(super) fn push_label(t: &mut ChunkText, f: &[u8]) {
    let code = match t.index.get(f) {
        Some(&c) => c,
        None => {
            t.levels.push(String::from_utf8_lossy(f).into_owned());
            let c = (t.levels.len() - 1) as u32;
            t.index.insert(f.to_vec(), c);
            c
        }
    };
    t.codes.push(code);
}
