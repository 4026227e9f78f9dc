//! One pass over the item matrix for everything α needs from the raw answers besides the
//! covariance: infinite values, the largest magnitude per item (the floating-point range check),
//! complete rows, item sums and counts, and the response frequencies.
//!
//! The rows are cut into blocks of [`BLOCK_ROWS`] that are scanned in parallel (rayon) and merged
//! in block order, so the result does not depend on the number of threads. Blocks of a fixed
//! size keep each block's rows in cache while all these statistics are gathered from them, instead
//! of one pass over the whole matrix per statistic.

use ndarray::{Array2, ArrayView2, Axis, Slice};
use rayon::prelude::*;

use super::ResponseFrequencies;

/// Rows per block of the scan.
const BLOCK_ROWS: usize = 16_384;

/// Distinct answer values beyond which psych does not tabulate response frequencies.
const MAX_VALUES: usize = 10;

/// Per item: answers that are small non-negative integers (Likert answers) counted in a table,
/// other values in a short list (`None` once more than [`MAX_VALUES`] distinct ones occurred).
#[derive(Clone)]
struct Tally {
    small: Box<[usize; 256]>,
    other: Option<Vec<(f64, usize)>>,
}

impl Tally {
    fn new() -> Self {
        Self { small: Box::new([0; 256]), other: Some(Vec::new()) }
    }

    #[inline]
    fn add(&mut self, v: f64) {
        if (0.0..256.0).contains(&v) && (v as usize) as f64 == v {
            self.small[v as usize] += 1;
        } else if let Some(other) = self.other.as_mut() {
            if let Some(e) = other.iter_mut().find(|e| e.0 == v) {
                e.1 += 1;
            } else if other.len() == MAX_VALUES {
                self.other = None;
            } else {
                other.push((v, 1));
            }
        }
    }

    fn merge(&mut self, b: Tally) {
        for (a, b) in self.small.iter_mut().zip(b.small.iter()) {
            *a += b;
        }
        let (Some(other), Some(b_other)) = (self.other.as_mut(), b.other) else {
            self.other = None;
            return;
        };
        for (v, c) in b_other {
            if let Some(e) = other.iter_mut().find(|e| e.0 == v) {
                e.1 += c;
            } else if other.len() == MAX_VALUES {
                self.other = None;
                return;
            } else {
                other.push((v, c));
            }
        }
    }

    fn count(&self, v: f64) -> usize {
        if (0.0..256.0).contains(&v) && (v as usize) as f64 == v {
            self.small[v as usize]
        } else {
            self.other.as_ref().and_then(|o| o.iter().find(|e| e.0 == v)).map_or(0, |e| e.1)
        }
    }
}

/// What one scan of an item matrix found.
pub(super) struct Scan {
    /// Rows of the matrix.
    pub(super) n_rows: usize,
    /// Position (row, item) of the first infinite value in row-major order.
    pub(super) first_inf: Option<(usize, usize)>,
    /// Per item: the largest finite magnitude (0 for an item without one).
    pub(super) max_abs: Vec<f64>,
    /// Per item: the sum of the answers (NaN skipped).
    pub(super) sums: Vec<f64>,
    /// Per item: the number of answers.
    pub(super) answered: Vec<usize>,
    /// Rows without a missing value.
    pub(super) n_complete: usize,
    tallies: Vec<Tally>,
}

impl Scan {
    /// Scan `x`.
    pub(super) fn of(x: ArrayView2<'_, f64>) -> Self {
        let n = x.nrows();
        let blocks = n.div_ceil(BLOCK_ROWS).max(1);
        let one = |b: usize| {
            let lo = b * BLOCK_ROWS;
            let hi = (lo + BLOCK_ROWS).min(n);
            let mut s = scan_block(x.slice_axis(Axis(0), Slice::from(lo..hi)));
            s.first_inf = s.first_inf.map(|(i, j)| (i + lo, j));
            s
        };
        let parts: Vec<Scan> =
            if blocks == 1 { vec![one(0)] } else { (0..blocks).into_par_iter().map(one).collect() };
        let mut it = parts.into_iter();
        let mut all = it.next().unwrap_or_else(|| scan_block(x));
        for s in it {
            all.first_inf = all.first_inf.or(s.first_inf);
            for (a, b) in all.max_abs.iter_mut().zip(&s.max_abs) {
                *a = a.max(*b);
            }
            for (a, b) in all.sums.iter_mut().zip(&s.sums) {
                *a += b;
            }
            for (a, b) in all.answered.iter_mut().zip(&s.answered) {
                *a += b;
            }
            all.n_complete += s.n_complete;
            for (a, b) in all.tallies.iter_mut().zip(s.tallies) {
                a.merge(b);
            }
        }
        all.n_rows = n;
        all
    }

    /// psych's response frequencies over the items `keep` (named `names[j]`); `None` when they
    /// have more than 10 distinct values in all.
    pub(super) fn frequencies(
        &self,
        keep: &[usize],
        names: &[String],
    ) -> Option<ResponseFrequencies> {
        let tallies = &self.tallies;
        let mut values: Vec<f64> = Vec::new();
        for &j in keep {
            let t = &tallies[j];
            let extra = t.other.as_ref()?.iter().map(|e| e.0);
            let ints = (0..256).filter(|&i| t.small[i] > 0).map(|i| i as f64);
            for v in ints.chain(extra) {
                if !values.contains(&v) {
                    if values.len() == MAX_VALUES {
                        return None;
                    }
                    values.push(v);
                }
            }
        }
        values.sort_by(|a, b| a.total_cmp(b));
        let n_rows = self.n_rows as f64;
        let proportions = Array2::from_shape_fn((keep.len(), values.len()), |(r, c)| {
            let j = keep[r];
            let answered = self.answered[j];
            if answered == 0 { 0.0 } else { tallies[j].count(values[c]) as f64 / answered as f64 }
        });
        let missing: Vec<f64> =
            keep.iter().map(|&j| 1.0 - self.answered[j] as f64 / n_rows).collect();
        Some(ResponseFrequencies {
            values,
            items: keep.iter().map(|&j| names[j].clone()).collect(),
            proportions,
            missing,
        })
    }
}

/// One item's part of a block scan.
#[derive(Clone)]
struct Column {
    max_abs: f64,
    sum: f64,
    answered: usize,
    tally: Tally,
}

/// The scan of one block of rows, read row by row (memory order of the row-major data).
fn scan_block(x: ArrayView2<'_, f64>) -> Scan {
    let k = x.ncols();
    let mut cols = vec![Column { max_abs: 0.0, sum: 0.0, answered: 0, tally: Tally::new() }; k];
    let mut first_inf = None;
    let mut n_complete = 0;
    for (i, row) in x.rows().into_iter().enumerate() {
        let mut complete = true;
        for (j, (c, &v)) in cols.iter_mut().zip(row.iter()).enumerate() {
            if v.is_nan() {
                complete = false;
                continue;
            }
            if v.is_finite() {
                c.max_abs = c.max_abs.max(v.abs());
            } else if first_inf.is_none() {
                first_inf = Some((i, j));
            }
            c.sum += v;
            c.answered += 1;
            c.tally.add(v);
        }
        n_complete += usize::from(complete);
    }
    Scan {
        n_rows: x.nrows(),
        first_inf,
        max_abs: cols.iter().map(|c| c.max_abs).collect(),
        sums: cols.iter().map(|c| c.sum).collect(),
        answered: cols.iter().map(|c| c.answered).collect(),
        n_complete,
        tallies: cols.into_iter().map(|c| c.tally).collect(),
    }
}

/// psych's response frequencies of the items `keep` of `x` (named `names[j]`); `None` with more
/// than 10 distinct values.
pub(in crate::reliability) fn response_frequencies_of(
    x: ArrayView2<'_, f64>,
    keep: &[usize],
    names: &[String],
) -> Option<ResponseFrequencies> {
    Scan::of(x).frequencies(keep, names)
}
