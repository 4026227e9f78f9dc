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

/// `2⁵²`: adding it to a small non-negative integer `v` leaves `v` in the low bits of the sum.
const MAGIC: f64 = 4_503_599_627_370_496.0;

/// `v` as an index below 256 when it is a whole number in `0..256` (no NaN, no fraction), by one
/// addition and two comparisons instead of a float→integer conversion and back.
#[inline(always)]
fn small_int(v: f64) -> Option<usize> {
    let t = v + MAGIC;
    // in [2⁵², 2⁵³) the spacing of doubles is 1, so the bits above 2⁵²'s count units
    let i = t.to_bits().wrapping_sub(MAGIC.to_bits());
    (i < 256 && t - MAGIC == v).then_some(i as usize)
}

/// Running statistics of one block: answers that are small whole numbers are only counted (their
/// sum, number and largest value follow from the counts at the end of the block); all other
/// values update the statistics directly.
struct Block {
    k: usize,
    /// `counts[j * 256 + v]`: how often item `j` took the value `v`.
    counts: Vec<u32>,
    max_abs: Vec<f64>,
    sums: Vec<f64>,
    answered: Vec<usize>,
    other: Vec<Tally>,
    first_inf: Option<(usize, usize)>,
    n_complete: usize,
    /// Scratch: the current row's values as counting indices.
    idx: Vec<u64>,
}

impl Block {
    fn new(k: usize) -> Self {
        Self {
            k,
            counts: vec![0; k * 256],
            max_abs: vec![0.0; k],
            sums: vec![0.0; k],
            answered: vec![0; k],
            other: vec![Tally::new(); k],
            first_inf: None,
            n_complete: 0,
            idx: vec![0; k],
        }
    }

    /// One row (`k` values) of the block, row `i` of it.
    #[inline]
    fn row(&mut self, i: usize, row: &[f64]) {
        // First test the whole row (a loop without branches the compiler vectorises); a row of
        // small whole numbers is then only counted.
        let idx = &mut self.idx[..row.len()];
        let mut bad = 0u64;
        for (o, &v) in idx.iter_mut().zip(row) {
            let t = v + MAGIC;
            let b = t.to_bits().wrapping_sub(MAGIC.to_bits());
            *o = b;
            bad |= (b >> 8) | u64::from(t - MAGIC != v);
        }
        if bad == 0 {
            let (counts, _) = self.counts.as_chunks_mut::<256>();
            for (c, &b) in counts.iter_mut().zip(idx.iter()) {
                c[usize::from(b as u8)] += 1;
            }
            self.n_complete += 1;
            return;
        }
        let mut complete = true;
        for ((j, &v), counts) in row.iter().enumerate().zip(self.counts.chunks_exact_mut(256)) {
            if let Some(s) = small_int(v) {
                counts[s] += 1;
                continue;
            }
            if v.is_nan() {
                complete = false;
                continue;
            }
            if v.is_finite() {
                self.max_abs[j] = self.max_abs[j].max(v.abs());
            } else if self.first_inf.is_none() {
                self.first_inf = Some((i, j));
            }
            self.sums[j] += v;
            self.answered[j] += 1;
            self.other[j].add(v);
        }
        self.n_complete += usize::from(complete);
    }

    fn finish(self, n_rows: usize) -> Scan {
        let Block {
            k,
            counts,
            mut max_abs,
            mut sums,
            mut answered,
            mut other,
            first_inf,
            n_complete,
            ..
        } = self;
        for j in 0..k {
            let c = &counts[j * 256..(j + 1) * 256];
            let mut count = 0usize;
            let mut total = 0.0;
            for (v, &c) in c.iter().enumerate() {
                if c > 0 {
                    count += c as usize;
                    // whole numbers: exact in any order
                    total += (v as f64) * f64::from(c);
                    max_abs[j] = max_abs[j].max(v as f64);
                    other[j].small[v] += c as usize;
                }
            }
            sums[j] += total;
            answered[j] += count;
        }
        Scan { n_rows, first_inf, max_abs, sums, answered, n_complete, tallies: other }
    }
}

/// The scan of one block of rows, read row by row (memory order of the row-major data).
fn scan_block(x: ArrayView2<'_, f64>) -> Scan {
    let k = x.ncols();
    let mut b = Block::new(k);
    if let Some(all) = x.as_slice() {
        if k > 0 {
            for (i, row) in all.chunks_exact(k).enumerate() {
                b.row(i, row);
            }
        } else {
            b.n_complete = x.nrows();
        }
    } else {
        let mut buf = Vec::with_capacity(k);
        for (i, row) in x.rows().into_iter().enumerate() {
            if let Some(r) = row.as_slice() {
                b.row(i, r);
            } else {
                buf.clear();
                buf.extend(row.iter());
                b.row(i, &buf);
            }
        }
    }
    b.finish(x.nrows())
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
