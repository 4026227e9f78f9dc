//! Out-of-core moments: the means and cross-product matrix of chosen columns, read from a
//! delimited file or a Parquet file (feature `parquet`) in chunks without keeping the table in
//! memory; and the streaming QR state of a regression ([`stream_qr`]).
//!
//! Every estimator that needs only the moments of the complete rows — α ([`Alpha::fit_moments`]),
//! KMO/Bartlett and EFA (`fit_cor` with n), complete-data SEM with ML, GLS or ULS
//! ([`SemModel::fit_moments`]) — can then fit a file larger than memory. Memory is one batch of
//! parsing chunks (a few MiB per thread) plus the p × p state, whatever the number of rows.
//!
//! ```text
//! file ──► chunks of whole records (about 1 MiB) ──► parsed in parallel, one
//!          MomentAccumulator per chunk (two-pass mean and centred cross-products)
//!      ──► merged in file order (Chan et al.), so the result does not depend on the threads
//! Parquet ──► only the chosen columns decoded, row group by row group, batches of 65 536 rows
//!      ──► one MomentAccumulator per batch, merged in file order
//! ```
//!
//! Rows with a missing value in a chosen column are skipped (listwise) and counted.
//!
//! [`Alpha::fit_moments`]: crate::reliability::Alpha::fit_moments
//! [`SemModel::fit_moments`]: crate::sem::SemModel::fit_moments

use std::io::Read;
use std::path::Path;

use ndarray::ArrayView2;

use super::csv::{CsvOptions, open, stream_columns};
use crate::error::{Error, Result};
use crate::moments::{MomentAccumulator, Moments};
use crate::regression::QrAccumulator;

/// The moments of chosen columns of a streamed file.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamedMoments {
    header: Vec<String>,
    names: Vec<String>,
    rows_read: u64,
    acc: MomentAccumulator,
}

impl StreamedMoments {
    /// The column names, in the order of the moments.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Every column name of the file's header.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// Data rows read (complete or not).
    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    /// The accumulated state (mergeable with the states of other files or partitions).
    pub fn accumulator(&self) -> &MomentAccumulator {
        &self.acc
    }

    /// The moments of the complete rows.
    ///
    /// # Errors
    /// [`Error::TooFewObservations`] if fewer than two rows were complete.
    pub fn moments(&self) -> Result<Moments> {
        self.acc.to_moments()
    }
}

/// Stream the columns `columns` of a delimited file (every column when empty) into their
/// moments; see the [module documentation](self). A file whose extension is `.parquet` or `.pq`
/// is read as Parquet (feature `parquet`; the numeric codes of [`CsvOptions::na_codes`] apply).
///
/// # Examples
/// ```
/// use surveystat::data::{CsvOptions, stream_moments};
/// let dir = std::env::temp_dir().join("surveystat_stream_doc.csv");
/// std::fs::write(&dir, "a,b,c\n1,2,x\n2,4,y\n3,7,z\nNA,1,w\n").unwrap();
/// let m = stream_moments(&dir, &["a", "b"], &CsvOptions::new()).unwrap();
/// assert_eq!(m.rows_read(), 4);
/// let mm = m.moments().unwrap();
/// assert_eq!(mm.n_obs(), 3);
/// assert_eq!(mm.n_dropped(), 1);
/// assert!((mm.means()[1] - 13.0 / 3.0).abs() < 1e-15);
/// ```
///
/// # Errors
/// [`Error::Io`]; the CSV errors of [`super::Dataset::from_csv_path`];
/// [`Error::UnknownVariable`] / [`Error::DuplicateVariable`] for the column list;
/// [`Error::NonNumericColumn`] when a chosen column holds text; [`Error::NonFinite`] for an
/// infinite value; [`Error::DataFormat`] for an unreadable Parquet file and
/// [`Error::FormatNotEnabled`] for one without the `parquet` feature.
pub fn stream_moments<S: AsRef<str>>(
    path: impl AsRef<Path>,
    columns: &[S],
    opts: &CsvOptions,
) -> Result<StreamedMoments> {
    let mut acc = None;
    let (header, names, rows_read) =
        stream_chunks(path.as_ref(), columns, opts, chunk_moments, |a| merge_moments(&mut acc, a))?;
    let acc = acc.unwrap_or_else(|| MomentAccumulator::new(names.len()));
    Ok(StreamedMoments { header, names, rows_read, acc })
}

/// The moments of one row-major block of `rows` × `k` values.
fn chunk_moments(block: &[f64], rows: usize, k: usize) -> Result<MomentAccumulator> {
    let view = ArrayView2::from_shape((rows, k), block)
        .map_err(|e| Error::invalid("chunk", e.to_string()))?;
    let mut a = MomentAccumulator::new(k);
    a.update(&view)?;
    Ok(a)
}

/// Merges a chunk's moments into the running state (the first chunk becomes the state).
fn merge_moments(acc: &mut Option<MomentAccumulator>, a: MomentAccumulator) -> Result<()> {
    match acc {
        None => {
            *acc = Some(a);
            Ok(())
        }
        Some(acc) => acc.merge(&a),
    }
}

/// Whether `path` names a Parquet file (by its extension).
fn is_parquet(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e.eq_ignore_ascii_case("pq"))
}

/// Read the chosen columns of a delimited or Parquet file chunk by chunk: `per_chunk(block,
/// rows, k)` turns a row-major block into a partial state (in parallel for delimited files),
/// `merge` takes the partial states in file order. Returns the header, the chosen names and
/// the rows read.
fn stream_chunks<S: AsRef<str>, T: Send>(
    path: &Path,
    columns: &[S],
    opts: &CsvOptions,
    per_chunk: impl Fn(&[f64], usize, usize) -> Result<T> + Sync,
    merge: impl FnMut(T) -> Result<()>,
) -> Result<(Vec<String>, Vec<String>, u64)> {
    let name = path.display().to_string();
    if is_parquet(path) {
        #[cfg(feature = "parquet")]
        {
            let mut merge = merge;
            let cols: Vec<String> = columns.iter().map(|c| c.as_ref().to_string()).collect();
            let k = if cols.is_empty() { None } else { Some(cols.len()) };
            return super::formats::stream_parquet(
                path,
                &name,
                &cols,
                opts.na_code_list(),
                |block, rows| {
                    let k = k.unwrap_or_else(|| block.len().checked_div(rows).unwrap_or(0));
                    merge(per_chunk(block, rows, k)?)
                },
            );
        }
        #[cfg(not(feature = "parquet"))]
        {
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("parquet");
            return Err(Error::FormatNotEnabled {
                path: name,
                extension: ext.to_ascii_lowercase(),
                feature: "parquet".into(),
            });
        }
    }
    let file = std::fs::File::open(path)
        .map_err(|e| Error::Io { path: name.clone(), message: e.to_string() })?;
    stream_reader_chunks(file, &name, columns, opts, per_chunk, merge)
}

/// As [`stream_moments`], from any reader of delimited text; `source` names it in errors.
///
/// # Errors
/// As [`stream_moments`].
pub fn stream_moments_reader<R: Read, S: AsRef<str>>(
    reader: R,
    source: &str,
    columns: &[S],
    opts: &CsvOptions,
) -> Result<StreamedMoments> {
    let k = if columns.is_empty() { None } else { Some(columns.len()) };
    let mut acc = k.map(MomentAccumulator::new);
    let (header, names, rows_read) =
        stream_reader_chunks(reader, source, columns, opts, chunk_moments, |a| {
            merge_moments(&mut acc, a)
        })?;
    let acc = acc.unwrap_or_else(|| MomentAccumulator::new(names.len()));
    Ok(StreamedMoments { header, names, rows_read, acc })
}

fn stream_reader_chunks<R: Read, S: AsRef<str>, T: Send>(
    reader: R,
    source: &str,
    columns: &[S],
    opts: &CsvOptions,
    per_chunk: impl Fn(&[f64], usize, usize) -> Result<T> + Sync,
    merge: impl FnMut(T) -> Result<()>,
) -> Result<(Vec<String>, Vec<String>, u64)> {
    let opened = open(reader, source, opts)?;
    let header = opened.names.clone();
    let select: Vec<usize> = if columns.is_empty() {
        (usize::from(opened.row_names)..header.len()).collect()
    } else {
        let mut idx = Vec::with_capacity(columns.len());
        for c in columns {
            let c = c.as_ref();
            let j = header
                .iter()
                .position(|h| h == c)
                .ok_or_else(|| Error::UnknownVariable { name: c.to_string() })?;
            if idx.contains(&j) {
                return Err(Error::DuplicateVariable { name: c.to_string() });
            }
            idx.push(j);
        }
        idx
    };
    let k = select.len();
    let rows_read = stream_columns(opened, source, &select, |b, r| per_chunk(b, r, k), merge)?;
    let names = select.iter().map(|&j| header[j].clone()).collect();
    Ok((header, names, rows_read))
}

/// The streaming QR state of a regression read from a file.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamedQr {
    names: Vec<String>,
    rows_read: u64,
    acc: QrAccumulator,
}

impl StreamedQr {
    /// The response and predictor names, in the order of the state.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Data rows read (complete or not).
    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    /// The accumulated state, for [`Ols::fit_qr`](crate::regression::Ols::fit_qr).
    pub fn accumulator(&self) -> &QrAccumulator {
        &self.acc
    }
}

/// Stream the response and predictor columns of a delimited or Parquet file into the mergeable
/// QR state of `[1 X y]` ([`QrAccumulator`]), chunk by chunk (chunks in parallel, merged in file
/// order); rows with a missing value in any of these columns are skipped and counted.
///
/// # Examples
/// ```
/// use surveystat::data::{CsvOptions, stream_qr};
/// use surveystat::regression::Ols;
/// let path = std::env::temp_dir().join("surveystat_stream_qr_doc.csv");
/// std::fs::write(&path, "y,x\n1,1\n3,2\n2,3\n5,4\nNA,5\n4,6\n").unwrap();
/// let s = stream_qr(&path, "y", &["x"], &CsvOptions::new()).unwrap();
/// let fit = Ols::new().names(&["x"]).response("y").fit_qr(s.accumulator()).unwrap();
/// assert_eq!(fit.n_obs(), 5);
/// assert!((fit.coefficients()[1] - 9.0 / 14.8).abs() < 1e-12);
/// ```
///
/// # Errors
/// As [`stream_moments`].
pub fn stream_qr<S: AsRef<str>>(
    path: impl AsRef<Path>,
    response: &str,
    predictors: &[S],
    opts: &CsvOptions,
) -> Result<StreamedQr> {
    let mut columns = vec![response.to_string()];
    columns.extend(predictors.iter().map(|p| p.as_ref().to_string()));
    let k = predictors.len();
    let mut acc = QrAccumulator::new(k);
    let (_, names, rows_read) = stream_chunks(
        path.as_ref(),
        &columns,
        opts,
        |block, rows, pc| {
            let view = ArrayView2::from_shape((rows, pc), block)
                .map_err(|e| Error::invalid("chunk", e.to_string()))?;
            let mut a = QrAccumulator::new(pc - 1);
            a.update(
                &view.slice_axis(ndarray::Axis(1), ndarray::Slice::from(1..)),
                &view.column(0),
            )?;
            Ok(a)
        },
        |a: QrAccumulator| acc.merge(&a),
    )?;
    Ok(StreamedQr { names, rows_read, acc })
}
