//! Typed CSV reading: fields are parsed straight into `f64` columns (text columns into label
//! codes), in chunks of whole records that are parsed in parallel.
//!
//! # Algorithm
//! ```text
//! reader ──► chunks of about 1 MiB that end at a record boundary (quote-aware)
//!        ──► a batch of 2 × threads chunks parsed in parallel, each into a row-major f64 block,
//!            the source line of every row and, for text columns, label codes
//!        ──► blocks appended in file order to one growing row-major buffer
//!            (which becomes the Array2 without a copy)
//! ```
//! No cell allocates: numbers are parsed from the bytes in place (an integer fast path, then the
//! standard library's correctly rounded Eisel–Lemire parser), labels are interned per chunk. A
//! record longer than [`MAX_RECORD_BYTES`] is an error, so memory per record is bounded (reading
//! `/dev/zero` fails at once instead of filling memory).

use std::collections::HashMap;
use std::io::Read;

use rayon::prelude::*;

use crate::error::{Error, Location, Result};

mod chunk;
mod layout;
mod number;
mod reader;

use chunk::{ChunkError, ChunkOut, Ctx, Discovery, End, LabelMap, next_field, parse_chunk, trim};
use layout::{cr_to_lf, delim_name, sniff};
use number::parse_number;
use reader::Chunker;

/// Longest record (one line, or several when a quoted field holds newlines) that is read.
pub const MAX_RECORD_BYTES: usize = 32 << 20;

/// Target size of one parsing chunk.
const CHUNK_BYTES: usize = 1 << 20;

/// Options of CSV reading: delimiter, decimal mark and missing-value codes.
///
/// The default sniffs the delimiter from the header line (the most frequent of `,` `;` tab
/// outside quotes; `,` when none occurs), uses `.` as the decimal mark and reads empty fields,
/// `NA`, `NaN`, `nan` and `.` as missing.
///
/// # Examples
/// ```
/// use surveystat::data::{CsvOptions, Dataset};
/// let text = "id;q1;q2\n1;2,5;-99\n2;3;4\n";
/// let opts = CsvOptions::new().decimal_comma(true).na_codes(&["-99"]);
/// let ds = Dataset::from_csv_str_with(text, "inline.csv", &opts).unwrap();
/// assert_eq!(ds.column("q1").unwrap()[0], 2.5);
/// assert!(ds.column("q2").unwrap()[0].is_nan());
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsvOptions {
    delimiter: Option<u8>,
    decimal_comma: bool,
    na_codes: Vec<String>,
}

impl CsvOptions {
    /// Default options (sniffed delimiter, decimal point, standard missing codes).
    pub fn new() -> Self {
        Self::default()
    }

    /// Use this field delimiter instead of sniffing it (an ASCII byte such as `b';'`, `b'\t'`).
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = Some(delimiter);
        self
    }

    /// Read `,` as the decimal mark (as R's `read.csv2`); the sniffed delimiter is then `;` or tab.
    pub fn decimal_comma(mut self, yes: bool) -> Self {
        self.decimal_comma = yes;
        self
    }

    /// Further missing-value codes. A code that is a number (`-99`, `999`) marks every field with
    /// that numeric value as missing (`-99.0` too); any other code matches the field text exactly
    /// (after trimming spaces).
    pub fn na_codes<S: AsRef<str>>(mut self, codes: &[S]) -> Self {
        self.na_codes.extend(codes.iter().map(|c| c.as_ref().trim().to_string()));
        self
    }

    /// The further missing-value codes set with [`CsvOptions::na_codes`].
    pub(crate) fn na_code_list(&self) -> &[String] {
        &self.na_codes
    }

    /// The delimiter set with [`CsvOptions::delimiter`], if any.
    pub fn delimiter_byte(&self) -> Option<u8> {
        self.delimiter
    }
}

/// A text column of a whole table: label codes into `levels`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TextColumn {
    pub(crate) levels: Vec<String>,
    pub(crate) codes: Vec<u32>,
    pub(crate) first_line: u64,
    pub(crate) first_value: String,
}

impl TextColumn {
    pub(crate) fn label(&self, i: usize) -> &str {
        &self.levels[self.codes[i] as usize]
    }

    /// Build from labels (interning them).
    pub(crate) fn from_labels<S: AsRef<str>>(labels: &[S], first_line: u64) -> Self {
        let mut index: HashMap<&str, u32> = HashMap::new();
        let mut levels = Vec::new();
        let mut codes = Vec::with_capacity(labels.len());
        for l in labels {
            let l = l.as_ref();
            let c = *index.entry(l).or_insert_with(|| {
                levels.push(l.to_string());
                (levels.len() - 1) as u32
            });
            codes.push(c);
        }
        let first_value = labels.first().map(|l| l.as_ref().to_string()).unwrap_or_default();
        Self { levels, codes, first_line, first_value }
    }

    /// Keep the rows `rows` (in that order), dropping unused levels is not needed.
    pub(crate) fn subset(&self, rows: &[usize]) -> Self {
        Self {
            levels: self.levels.clone(),
            codes: rows.iter().map(|&r| self.codes[r]).collect(),
            first_line: self.first_line,
            first_value: self.first_value.clone(),
        }
    }
}

/// The columns read from a CSV source, before they become a [`super::Dataset`].
pub(crate) struct Table {
    pub(crate) names: Vec<String>,
    pub(crate) values: Vec<f64>,
    pub(crate) n: usize,
    pub(crate) text: Vec<Option<TextColumn>>,
    pub(crate) lines: Vec<u64>,
}

/// Builds the whole table from chunk outputs in file order.
struct Builder {
    p: usize,
    values: Vec<f64>,
    lines: Vec<u64>,
    /// Text columns with the index of their labels, built only when a second chunk brings labels
    /// (a file of one chunk never needs it).
    text: Vec<Option<(TextColumn, Option<LabelMap<String>>)>>,
}

impl Builder {
    fn make_text(&mut self, j: usize, first_line: u64, first_value: String) {
        if self.text[j].is_some() {
            return;
        }
        // Rows read before the column showed text: their numbers become labels.
        let n = self.lines.len();
        let mut labels = Vec::with_capacity(n);
        for i in 0..n {
            let v = &mut self.values[i * self.p + j];
            labels.push(if v.is_nan() { "NA".to_string() } else { format!("{v}") });
            *v = f64::NAN;
        }
        let mut col = TextColumn::from_labels(&labels, first_line);
        col.first_value = first_value;
        self.text[j] = Some((col, None));
    }

    /// Append a chunk's rows; returns its value buffer for reuse.
    fn append(&mut self, out: ChunkOut, start_line: u64) -> Vec<f64> {
        for (j, t) in out.text.into_iter().enumerate() {
            let Some(t) = t else { continue };
            let Some((col, index)) = self.text[j].as_mut() else { continue };
            if col.levels.is_empty() {
                // the column's first labels: taken as they are
                col.levels = t.levels;
                col.codes.extend_from_slice(&t.codes);
                continue;
            }
            let index = index.get_or_insert_with(|| {
                col.levels.iter().enumerate().map(|(k, l)| (l.clone(), k as u32)).collect()
            });
            let remap: Vec<u32> = t
                .levels
                .into_iter()
                .map(|l| match index.get(&l) {
                    Some(&c) => c,
                    None => {
                        col.levels.push(l.clone());
                        let c = (col.levels.len() - 1) as u32;
                        index.insert(l, c);
                        c
                    }
                })
                .collect();
            col.codes.extend(t.codes.iter().map(|&c| remap[c as usize]));
        }
        self.lines.extend(out.lines.iter().map(|&l| start_line + l));
        let mut values = out.values;
        if self.values.is_empty() {
            // the first rows: their buffer becomes the table's (no copy)
            std::mem::swap(&mut self.values, &mut values);
        } else {
            self.values.extend_from_slice(&values);
        }
        values
    }
}

/// A CSV source whose header is read: the chunker positioned at the first data record.
pub(crate) struct Opened<R> {
    ch: Chunker<R>,
    pub(crate) names: Vec<String>,
    /// The first column holds R's row names (empty first header cell).
    pub(crate) row_names: bool,
    ctx: Ctx,
}

/// Check the options, read the header and pick the delimiter.
pub(crate) fn open<R: Read>(reader: R, source: &str, opts: &CsvOptions) -> Result<Opened<R>> {
    if let Some(d) = opts.delimiter {
        if d == b'"' || d == b'\n' || d == b'\r' || !d.is_ascii() {
            return Err(Error::invalid(
                "delimiter",
                format!("{} cannot separate fields", delim_name(d)),
            ));
        }
        if opts.decimal_comma && d == b',' {
            return Err(Error::invalid(
                "delimiter",
                "`,` cannot be both the delimiter and the decimal mark",
            ));
        }
    }
    let mut ch = Chunker {
        reader,
        buf: Vec::new(),
        eof: false,
        delim: opts.delimiter.unwrap_or(b','),
        line: 1,
        source: source.to_string(),
        cr_lines: false,
        last_cr: false,
    };
    let Some(mut head) = ch.header()? else {
        return Err(Error::EmptyData { source_name: source.into(), what: "no header row".into() });
    };
    if head.starts_with(b"\xef\xbb\xbf") {
        head.drain(..3);
    }
    while matches!(head.last(), Some(b'\n' | b'\r')) {
        head.pop();
    }
    if head.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::EmptyData {
            source_name: source.into(),
            what: "no header row (the first line is blank)".into(),
        });
    }
    if let Some(i) = memchr::memchr(b'\r', &head)
        && head.get(i + 1) != Some(&b'\n')
    {
        // lines ended by a bare carriage return (classic Mac OS) arrive as one long header: read
        // the file again from its start with `\r` line ends, as R's read.csv does
        let mut again = Vec::with_capacity(head.len() + ch.buf.len() + 1);
        let mut last_cr = false;
        cr_to_lf(&head, &mut last_cr, &mut again);
        again.push(b'\n');
        last_cr = false;
        cr_to_lf(&ch.buf, &mut last_cr, &mut again);
        ch.buf = again;
        ch.last_cr = last_cr;
        ch.cr_lines = true;
        ch.line = 1;
        head = match ch.header()? {
            Some(h) => h,
            None => {
                return Err(Error::EmptyData {
                    source_name: source.into(),
                    what: "no header row".into(),
                });
            }
        };
        while matches!(head.last(), Some(b'\n' | b'\r')) {
            head.pop();
        }
    } else if memchr::memchr_iter(b'\r', &ch.buf)
        .any(|i| ch.buf.get(i + 1).is_some_and(|&b| b != b'\n'))
    {
        // a header ended by `\r\n` and data lines ended by a bare `\r` (seen in the first
        // buffered block): translate the rest of the file as well
        let mut again = Vec::with_capacity(ch.buf.len());
        let mut last_cr = false;
        cr_to_lf(&ch.buf, &mut last_cr, &mut again);
        ch.buf = again;
        ch.last_cr = last_cr;
        ch.cr_lines = true;
    }
    let delim = opts.delimiter.unwrap_or_else(|| sniff(&head, opts.decimal_comma));
    ch.delim = delim;
    let header_error =
        |message: String| Error::Csv { location: Location::new(source, Some(1), None), message };
    let mut names = Vec::new();
    let mut scratch = Vec::new();
    let mut pos = 0;
    loop {
        let (field, end, next, _) = next_field(&head, pos, delim, &mut scratch)
            .map_err(|()| header_error("unclosed quote in the header".into()))?;
        let name = std::str::from_utf8(trim(field))
            .map_err(|_| header_error("the header is not valid UTF-8".into()))?;
        names.push(name.to_string());
        pos = next;
        match end {
            End::Delim if pos >= head.len() => {
                names.push(String::new());
                break;
            }
            End::Delim => {}
            _ => break,
        }
    }
    if names.len() == 1 {
        for other in [b';', b'\t', b','] {
            if other != delim && names[0].as_bytes().contains(&other) {
                return Err(header_error(format!(
                    "the header is one column `{}` that contains {}: the fields look separated by \
                     {}, not by {} (set the delimiter)",
                    names[0],
                    delim_name(other),
                    delim_name(other),
                    delim_name(delim)
                )));
            }
        }
    }
    // R's write.csv writes the row names as a first column with an empty header cell.
    let row_names = names.len() > 1 && names[0].is_empty();
    if row_names {
        names[0] = "rowname".into();
    }
    super::check_names(&names, source)?;
    let p = names.len();
    let mut na_text = Vec::new();
    let mut na_num = Vec::new();
    for c in &opts.na_codes {
        na_text.push(c.as_bytes().to_vec());
        if let Some(v) = parse_number(c.as_bytes(), opts.decimal_comma) {
            na_num.push(v);
        }
    }
    let ctx = Ctx { p, delim, decimal_comma: opts.decimal_comma, na_text, na_num };
    Ok(Opened { ch, names, row_names, ctx })
}

/// Chunks per batch: two per thread. Asked of the operating system, not of rayon, so that a file
/// of one chunk never starts the thread pool.
fn batch_size() -> usize {
    2 * std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// `f` over the chunks of a batch in file order, each with a value buffer taken from `pool`
/// (buffers are reused across batches, so their memory is not allocated and faulted in afresh
/// for every chunk): in parallel for several chunks, inline for one.
fn map_chunks<T: Send>(
    chunks: &[(Vec<u8>, u64)],
    pool: &mut Vec<Vec<f64>>,
    f: impl Fn(&(Vec<u8>, u64), Vec<f64>) -> T + Sync + Send,
) -> Vec<T> {
    let bufs: Vec<Vec<f64>> = chunks.iter().map(|_| pool.pop().unwrap_or_default()).collect();
    if chunks.len() <= 1 {
        chunks.iter().zip(bufs).map(|(c, b)| f(c, b)).collect()
    } else {
        chunks.par_iter().zip(bufs).map(|(c, b)| f(c, b)).collect()
    }
}

/// Read a CSV source into typed columns.
pub(crate) fn read_table<R: Read>(reader: R, source: &str, opts: &CsvOptions) -> Result<Table> {
    let Opened { mut ch, names, row_names, ctx } = open(reader, source, opts)?;
    let p = names.len();
    let mut b = Builder { p, values: Vec::new(), lines: Vec::new(), text: vec![None; p] };
    let mut known_text = vec![false; p];
    if row_names {
        known_text[0] = true;
    }
    if row_names {
        b.make_text(0, 2, String::new());
    }
    let batch = batch_size();
    let mut pool = Vec::new();
    loop {
        let chunks = ch.next_batch(batch)?;
        if chunks.is_empty() {
            break;
        }
        let mut outs: Vec<ChunkOut> = map_chunks(&chunks, &mut pool, |(bytes, _), buf| {
            parse_chunk(bytes, &ctx, &known_text, buf)
        });
        // Columns that showed text in one chunk are read as text in all chunks of the batch.
        let mut union = known_text.clone();
        let mut discoveries = Vec::new();
        for ((_, start), o) in chunks.iter().zip(&outs) {
            for d in &o.found {
                union[d.column] = true;
                discoveries.push((start + d.rel_line, d.clone()));
            }
        }
        if union != known_text {
            let redo = |((bytes, _), o): (&(Vec<u8>, u64), ChunkOut)| {
                let has: Vec<bool> = o.text.iter().map(Option::is_some).collect();
                if has == union { o } else { parse_chunk(bytes, &ctx, &union, o.values) }
            };
            outs = if chunks.len() <= 1 {
                chunks.iter().zip(outs).map(redo).collect()
            } else {
                chunks.par_iter().zip(outs).map(redo).collect()
            };
        }
        for (line, d) in discoveries {
            b.make_text(d.column, line, d.value);
        }
        for ((_, start), mut out) in chunks.iter().zip(outs) {
            let error = out.error.take();
            pool.push(b.append(out, *start));
            if let Some(e) = error {
                return Err(chunk_error(e, *start, source, p, &names));
            }
        }
        known_text = union;
        for (j, t) in b.text.iter().enumerate() {
            if t.is_some() {
                known_text[j] = true;
            }
        }
    }
    let n = b.lines.len();
    if n == 0 {
        return Err(Error::EmptyData { source_name: source.into(), what: "no data rows".into() });
    }
    if row_names && let Some((col, _)) = b.text[0].as_mut() {
        col.first_line = b.lines[0];
        col.first_value = col.label(0).to_string();
    }
    let mut values = b.values;
    values.shrink_to_fit();
    Ok(Table {
        names,
        values,
        n,
        text: b.text.into_iter().map(|t| t.map(|(c, _)| c)).collect(),
        lines: b.lines,
    })
}

/// Stream the columns `select` (indices into the header) of an opened source without keeping the
/// table: each chunk's rows of the selected columns (row-major, `select.len()` values per row, NaN
/// = missing) go through `per_chunk`, in parallel within a batch of chunks, and the results reach
/// `merge` in file order, so the outcome does not depend on the number of threads. Memory is one
/// batch of chunks. A selected column that holds text is an error
/// ([`Error::NonNumericColumn`]); text in other columns is skipped. Returns the number of data
/// rows read.
pub(crate) fn stream_columns<R: Read, T: Send>(
    opened: Opened<R>,
    source: &str,
    select: &[usize],
    per_chunk: impl Fn(&[f64], usize) -> Result<T> + Sync,
    mut merge: impl FnMut(T) -> Result<()>,
) -> Result<u64> {
    let Opened { mut ch, names, row_names, ctx } = opened;
    let p = names.len();
    let k = select.len();
    let mut known_text = vec![false; p];
    known_text[0] = row_names;
    if let Some(&j) = select.iter().find(|&&j| known_text[j]) {
        return Err(Error::invalid(
            "columns",
            format!("`{}` holds row names, not numbers", names[j]),
        ));
    }
    let batch = batch_size();
    let mut rows_read = 0u64;
    let mut pool = Vec::new();
    loop {
        let chunks = ch.next_batch(batch)?;
        if chunks.is_empty() {
            break;
        }
        type Parsed<T> = Result<(T, usize, Vec<Discovery>, Vec<f64>)>;
        let results: Vec<Parsed<T>> = map_chunks(&chunks, &mut pool, |(bytes, start), buf| {
            let mut out = parse_chunk(bytes, &ctx, &known_text, buf);
            if let Some(e) = out.error.take() {
                return Err(chunk_error(e, *start, source, p, &names));
            }
            if let Some(d) = out.found.iter().find(|d| select.contains(&d.column)) {
                return Err(Error::NonNumericColumn {
                    column: names[d.column].clone(),
                    line: start + d.rel_line,
                    value: d.value.clone(),
                });
            }
            let rows = out.lines.len();
            let mut block = Vec::with_capacity(rows * k);
            for r in out.values.chunks_exact(p) {
                block.extend(select.iter().map(|&j| r[j]));
            }
            Ok((per_chunk(&block, rows)?, rows, std::mem::take(&mut out.found), out.values))
        });
        for r in results {
            let (t, rows, found, buf) = r?;
            pool.push(buf);
            for d in found {
                known_text[d.column] = true;
            }
            rows_read += rows as u64;
            merge(t)?;
        }
    }
    if rows_read == 0 {
        return Err(Error::EmptyData { source_name: source.into(), what: "no data rows".into() });
    }
    Ok(rows_read)
}

fn chunk_error(e: ChunkError, start: u64, source: &str, p: usize, names: &[String]) -> Error {
    match e {
        ChunkError::Ragged { rel_line, found } => Error::RaggedRow {
            location: Location::new(source, Some(start + rel_line), None),
            expected: p,
            found,
        },
        ChunkError::Unclosed { rel_line } => Error::Csv {
            location: Location::new(source, Some(start + rel_line), None),
            message: "a quoted field has no closing quote".into(),
        },
        ChunkError::Utf8 { rel_line, column } => Error::Csv {
            location: Location::new(source, Some(start + rel_line), Some(names[column].clone())),
            message: "the field is not valid UTF-8".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number(b"-12", false), Some(-12.0));
        assert_eq!(parse_number(b"2,5", true), Some(2.5));
        assert_eq!(parse_number(b"2,5", false), None);
        assert_eq!(parse_number(b"1e3", false), Some(1000.0));
        assert_eq!(parse_number(b"0.1", false), Some(0.1));
        assert_eq!(parse_number(b"-", false), None);
    }

    /// The record-level fast path reads unquoted fields; quoting every field sends every record
    /// through the general field-by-field path. Both must give the same table.
    #[test]
    fn fast_records_read_as_the_general_path() {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move |k: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % k
        };
        let numeric = ["3", "7", "0", "12", "61617", "-2", "2.5", "-0.125", "NA", "", "1e3", " 4"];
        let text = ["a", "bb", "x y", "3", "", "NA", "z"];
        for case in 0..400 {
            let p = 1 + next(6) as usize;
            let rows = 1 + next(12) as usize;
            let row_names = p > 1 && next(3) == 0;
            let is_text: Vec<bool> =
                (0..p).map(|j| (row_names && j == 0) || next(4) == 0).collect();
            let crlf = next(3) == 0;
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut plain = String::new();
            let mut quoted = String::new();
            let header: Vec<String> = (0..p)
                .map(|j| if row_names && j == 0 { String::new() } else { format!("v{j}") })
                .collect();
            plain.push_str(&header.join(","));
            plain.push_str(eol);
            quoted.push_str(&header.join(","));
            quoted.push_str(eol);
            for r in 0..rows {
                let cells: Vec<String> = (0..p)
                    .map(|j| {
                        if row_names && j == 0 {
                            format!("r{r}")
                        } else if is_text[j] {
                            text[next(text.len() as u64) as usize].to_string()
                        } else {
                            numeric[next(numeric.len() as u64) as usize].to_string()
                        }
                    })
                    // a line of one empty field is a blank line (skipped), quoted it is a row
                    .map(|c| if p == 1 && c.is_empty() { "5".to_string() } else { c })
                    .collect();
                plain.push_str(&cells.join(","));
                let q: Vec<String> = cells.iter().map(|c| format!("\"{c}\"")).collect();
                quoted.push_str(&q.join(","));
                if r + 1 < rows || next(2) == 0 {
                    plain.push_str(eol);
                    quoted.push_str(eol);
                }
            }
            let opts = CsvOptions::default();
            let a = read_table(plain.as_bytes(), "x", &opts);
            let b = read_table(quoted.as_bytes(), "x", &opts);
            let (a, b) = match (a, b) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(a), Err(b)) => {
                    assert_eq!(
                        a.to_string().replace("b:", "a:"),
                        b.to_string().replace("b:", "a:")
                    );
                    continue;
                }
                (a, b) => panic!("case {case}: {:?} vs {:?}\n{plain}", a.is_ok(), b.is_ok()),
            };
            assert_eq!(a.names, b.names, "case {case}");
            assert_eq!(a.n, b.n, "case {case}");
            assert_eq!(a.lines, b.lines, "case {case}");
            let bits = |v: &[f64]| {
                v.iter().map(|x| if x.is_nan() { 1 } else { x.to_bits() }).collect::<Vec<_>>()
            };
            assert_eq!(bits(&a.values), bits(&b.values), "case {case}\n{plain}");
            for (ta, tb) in a.text.iter().zip(&b.text) {
                assert_eq!(ta.is_some(), tb.is_some(), "case {case}\n{plain}");
                if let (Some(ta), Some(tb)) = (ta, tb) {
                    for i in 0..a.n {
                        assert_eq!(ta.label(i), tb.label(i), "case {case}\n{plain}");
                    }
                    assert_eq!(ta.first_line, tb.first_line);
                    assert_eq!(ta.first_value, tb.first_value);
                }
            }
        }
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff(b"a;b;c", false), b';');
        assert_eq!(sniff(b"a\tb", false), b'\t');
        assert_eq!(sniff(b"\"a,1\";b", false), b';');
        assert_eq!(sniff(b"a", false), b',');
        assert_eq!(sniff(b"a", true), b';');
    }
}
