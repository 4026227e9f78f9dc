//! Out-of-core moments: the means and cross-product matrix of chosen columns, read from a
//! delimited file in chunks without keeping the table in memory.
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
/// moments; see the [module documentation](self).
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
/// infinite value.
pub fn stream_moments<S: AsRef<str>>(
    path: impl AsRef<Path>,
    columns: &[S],
    opts: &CsvOptions,
) -> Result<StreamedMoments> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| Error::Io { path: name.clone(), message: e.to_string() })?;
    stream_moments_reader(file, &name, columns, opts)
}

/// As [`stream_moments`], from any reader; `source` names it in errors.
///
/// # Errors
/// As [`stream_moments`].
pub fn stream_moments_reader<R: Read, S: AsRef<str>>(
    reader: R,
    source: &str,
    columns: &[S],
    opts: &CsvOptions,
) -> Result<StreamedMoments> {
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
    let mut acc = MomentAccumulator::new(k);
    let rows_read = stream_columns(
        opened,
        source,
        &select,
        |block, rows| {
            let view = ArrayView2::from_shape((rows, k), block)
                .map_err(|e| Error::invalid("chunk", e.to_string()))?;
            let mut a = MomentAccumulator::new(k);
            a.update(&view)?;
            Ok(a)
        },
        |a| acc.merge(&a),
    )?;
    let names = select.iter().map(|&j| header[j].clone()).collect();
    Ok(StreamedMoments { header, names, rows_read, acc })
}
