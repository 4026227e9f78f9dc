//! Parsing one chunk of whole records: fields are split (RFC 4180 quotes), numbers parsed in
//! place into a row-major `f64` block, text columns interned into label codes.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::number::{parse_number, plain_decimal};

/// A fast non-cryptographic hasher for interning labels (row names, category names): the
/// multiply–rotate word hash of rustc's `FxHasher`, eight bytes at a time. The standard SipHash
/// guards against hash flooding, which a table of labels read from a local file does not need,
/// and costs several times more per label.
#[derive(Default, Clone, Copy)]
pub(crate) struct LabelHasher(u64);

impl LabelHasher {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    #[inline]
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(26) ^ w).wrapping_mul(Self::K);
    }
}

impl Hasher for LabelHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes(w.try_into().unwrap_or([0; 8])));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w) ^ ((rest.len() as u64) << 59));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A hash map keyed by label bytes or text, with [`LabelHasher`].
pub(crate) type LabelMap<K> = HashMap<K, u32, BuildHasherDefault<LabelHasher>>;

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
    pub(super) index: LabelMap<Vec<u8>>,
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

/// A record of `row.len()` unquoted fields ended by `\n`, `\r\n` or the end of the data: plain
/// numbers, empty fields and `NA` in numeric columns (written to `row`), unquoted ASCII text in
/// the columns flagged in `text_cols` when `TEXT` (their spans, relative to `bytes`, pushed to
/// `spans` as `(column, start, end)`; their slots set to NaN). Returns the number of bytes used.
/// `None` sends the record through the general path, which reads it the same way or reports what
/// is wrong with it. `delim` is not a digit, `-`, `.`, `N` or `A`. One-digit fields (Likert
/// answers) are read without the number parser.
#[inline(never)]
fn fast_row<const TEXT: bool>(
    bytes: &[u8],
    delim: u8,
    row: &mut [f64],
    text_cols: &[bool],
    spans: &mut Vec<(usize, usize, usize)>,
) -> Option<usize> {
    // A line that starts blank goes to the general path, which skips blank lines.
    if matches!(bytes.first(), Some(b'\n' | b'\r' | b' ' | b'\t')) {
        return None;
    }
    let (last, init) = row.split_last_mut()?;
    let mut i = 0;
    let mut j = 0;
    while j < init.len() {
        // Four one-digit fields each followed by the delimiter (`3,4,1,5,`) at once.
        if !TEXT
            && j + 4 <= init.len()
            && let Some(d) = four_digits(bytes, i, delim)
        {
            init[j..j + 4].copy_from_slice(&d);
            i += 8;
            j += 4;
            continue;
        }
        let slot = &mut init[j];
        j += 1;
        if TEXT && text_cols[j - 1] {
            i = text_span(bytes, i, delim, j - 1, spans)?;
            *slot = f64::NAN;
        } else if let Some(d) = digit_then(bytes, i, delim) {
            *slot = f64::from(d);
            i += 2;
            continue;
        } else {
            let (v, used) = number_field(bytes.get(i..)?, delim)?;
            *slot = v;
            i += used;
        }
        if bytes.get(i) != Some(&delim) {
            return None;
        }
        i += 1;
    }
    let j = init.len();
    if TEXT && text_cols[j] {
        i = text_span(bytes, i, delim, j, spans)?;
        *last = f64::NAN;
    } else if let Some(d) = digit_then(bytes, i, b'\n') {
        *last = f64::from(d);
        return Some(i + 2);
    } else {
        let (v, used) = number_field(bytes.get(i..)?, delim)?;
        *last = v;
        i += used;
    }
    match bytes.get(i..) {
        Some([]) => Some(i),
        Some([b'\n', ..]) => Some(i + 1),
        Some([b'\r', b'\n', ..]) => Some(i + 2),
        _ => None,
    }
}

/// The values of four one-digit fields each followed by `delim` at `bytes[i..i + 8]`, tested as
/// one 64-bit word: after the delimiters are cleared and `0` subtracted, each 16-bit lane must
/// be below 10 (a lane that borrows or exceeds 9 sets its top bit).
#[inline(always)]
fn four_digits(bytes: &[u8], i: usize, delim: u8) -> Option<[f64; 4]> {
    const DIGITS: [f64; 16] =
        [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
    const LANES: u64 = 0x0001_0001_0001_0001;
    let w = u64::from_le_bytes(<[u8; 8]>::try_from(bytes.get(i..i + 8)?).ok()?);
    let y = (w ^ (u64::from(delim) << 8).wrapping_mul(LANES)).wrapping_sub(0x30 * LANES);
    if (y | y.wrapping_add(0x7FF6 * LANES)) & (0x8000 * LANES) != 0 {
        return None;
    }
    let d = |k: u32| DIGITS[((y >> (16 * k)) & 0xF) as usize];
    Some([d(0), d(1), d(2), d(3)])
}

/// The digit at `bytes[i]` when `bytes[i + 1]` is `end`: both bytes are tested by one
/// comparison of the pair as a 16-bit word.
#[inline(always)]
fn digit_then(bytes: &[u8], i: usize, end: u8) -> Option<u16> {
    let pair = <[u8; 2]>::try_from(bytes.get(i..i + 2)?).ok()?;
    // zero in the high byte exactly when the second byte is `end`
    let d = (u16::from_le_bytes(pair) ^ (u16::from(end) << 8)).wrapping_sub(u16::from(b'0'));
    (d < 10).then_some(d)
}

/// A numeric field for [`fast_row`]: empty or `NA` (missing) before a field or line end, or a
/// plain decimal; its value and length.
#[inline(always)]
fn number_field(rest: &[u8], delim: u8) -> Option<(f64, usize)> {
    match *rest {
        [] => Some((f64::NAN, 0)),
        [e, ..] if e == delim || e == b'\n' || e == b'\r' => Some((f64::NAN, 0)),
        [b'N', b'A', e, ..] if e == delim || e == b'\n' || e == b'\r' => Some((f64::NAN, 2)),
        _ => {
            // Whole numbers of up to 15 digits (ids, counts, row numbers) are exact as they are.
            let mut m = 0u64;
            let mut k = 0;
            while k < 15
                && let Some(&b) = rest.get(k)
                && b.is_ascii_digit()
            {
                m = m * 10 + u64::from(b - b'0');
                k += 1;
            }
            match rest.get(k) {
                None if k > 0 => Some((m as f64, k)),
                Some(&e) if k > 0 && (e == delim || e == b'\n' || e == b'\r') => {
                    Some((m as f64, k))
                }
                _ => plain_decimal(rest, b'.'),
            }
        }
    }
}

/// An unquoted ASCII text field at `bytes[i..]` for [`fast_row`]: its span is pushed to `spans`
/// and the position of its end returned.
#[inline]
fn text_span(
    bytes: &[u8],
    i: usize,
    delim: u8,
    j: usize,
    spans: &mut Vec<(usize, usize, usize)>,
) -> Option<usize> {
    let rest = bytes.get(i..)?;
    if rest.first() == Some(&b'"') {
        return None;
    }
    let len = rest
        .iter()
        .position(|&b| b == delim || b == b'\n' || b == b'\r' || !b.is_ascii())
        .unwrap_or(rest.len());
    if rest.get(len).is_some_and(|b| !b.is_ascii()) {
        return None;
    }
    spans.push((j, i, i + len));
    Some(i + len)
}

/// Intern a text field into its column's labels (the field is trimmed; `Err` if it is not UTF-8).
#[inline]
fn intern(t: &mut ChunkText, field: &[u8]) -> std::result::Result<(), ()> {
    let f = trim(field);
    let code = match t.index.get(f) {
        Some(&c) => c,
        None => {
            let s = std::str::from_utf8(f).map_err(|_| ())?;
            t.levels.push(s.to_string());
            let c = (t.levels.len() - 1) as u32;
            t.index.insert(f.to_vec(), c);
            c
        }
    };
    t.codes.push(code);
    Ok(())
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
    // `values[..filled]` holds the rows read; the vector grows ahead of it (NaN-filled) so that a
    // row is written in place without resizing per row.
    let mut filled = 0;
    let grow = |values: &mut Vec<f64>, need: usize| {
        if values.len() < need {
            let target = need.max(values.len() * 2).max(64 * p);
            let target =
                if target > values.capacity() { need.max(values.capacity()) } else { target };
            values.resize(target, f64::NAN);
        }
    };
    // Records of unquoted plain fields take the record-level fast path.
    let fast_rows = !matches!(ctx.delim, b'.' | b'-' | b'0'..=b'9' | b'N' | b'A');
    let has_text = text_cols.contains(&true);
    let mut spans = Vec::new();
    let mut lines = Vec::new();
    let mut text: Vec<Option<ChunkText>> = text_cols
        .iter()
        .map(|&t| {
            t.then(|| ChunkText {
                index: LabelMap::default(),
                levels: Vec::new(),
                codes: Vec::new(),
            })
        })
        .collect();
    let mut scratch = Vec::new();
    let mut pos = 0;
    let mut line: u64 = 0;
    let mut error = None;
    'records: while pos < bytes.len() {
        if fast_rows {
            let row_start = filled;
            grow(values, row_start + p);
            let row = &mut values[row_start..row_start + p];
            let rec = &bytes[pos..];
            let fast = if has_text {
                spans.clear();
                fast_row::<true>(rec, ctx.delim, row, text_cols, &mut spans)
            } else {
                fast_row::<false>(rec, ctx.delim, row, text_cols, &mut spans)
            };
            if let Some(used) = fast {
                for &(j, a, b) in &spans {
                    if let Some(t) = text[j].as_mut() {
                        // ASCII, so always UTF-8
                        let _ = intern(t, &rec[a..b]);
                    }
                }
                if !ctx.na_num.is_empty() {
                    for v in &mut values[row_start..row_start + p] {
                        if ctx.na_num.contains(v) {
                            *v = f64::NAN;
                        }
                    }
                }
                lines.push(line);
                line += 1;
                pos += used;
                filled += p;
                continue;
            }
        }
        if let Some(next) = blank_line(bytes, pos) {
            pos = next;
            line += 1;
            continue;
        }
        let rec_line = line;
        let row_start = filled;
        grow(values, row_start + p);
        values[row_start..row_start + p].fill(f64::NAN);
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
                break 'records;
            };
            line += nl;
            if j < p {
                if let Some(t) = text[j].as_mut() {
                    if intern(t, field).is_err() {
                        error = Some(ChunkError::Utf8 { rel_line: rec_line, column: j });
                        break 'records;
                    }
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
            break;
        }
        lines.push(rec_line);
        filled += p;
    }
    values.truncate(filled);
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
