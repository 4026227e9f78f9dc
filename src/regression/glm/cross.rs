//! Weighted cross-products `Σ sᵢ² vᵢ vᵢᵀ` of design rows in one pass, by blocks of rows
//! multiplied with faer's kernel (the lower triangle of `MᵀM` of a cache-resident block `M`,
//! mirrored once at the end; sequential inside a
//! chunk; chunks of a fixed size run in parallel and are added in chunk order, so the result
//! does not depend on the thread count).

use faer::linalg::matmul::triangular::{self, BlockStructure};
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;

use crate::regression::solver::Design;

/// Rows per block of the kernel: a block of 512 rows of a few dozen values stays in L2.
const BLOCK: usize = 512;

/// The running sum `MᵀM` over blocks `M` of `q` values per row.
pub(super) struct Cross {
    q: usize,
    block: Vec<f64>,
    rows: usize,
    /// `q × q`, column-major (symmetric).
    pub sum: Vec<f64>,
}

impl Cross {
    pub fn new(q: usize) -> Self {
        Cross { q, block: vec![0.0; BLOCK * q], rows: 0, sum: vec![0.0; q * q] }
    }

    /// The next row of the block, to be filled with `q` values.
    #[inline]
    pub fn next_row(&mut self) -> &mut [f64] {
        if self.rows == BLOCK {
            self.flush();
        }
        let r = self.rows;
        self.rows += 1;
        &mut self.block[r * self.q..(r + 1) * self.q]
    }

    /// Add the rows collected so far to the sum.
    pub fn flush(&mut self) {
        if self.rows == 0 {
            return;
        }
        let q = self.q;
        let m = MatRef::from_row_major_slice(&self.block[..self.rows * q], self.rows, q);
        let g = MatMut::from_column_major_slice_mut(&mut self.sum, q, q);
        // The lower triangle only (the product is symmetric); mirrored in `finish`.
        triangular::matmul(
            g,
            BlockStructure::TriangularLower,
            Accum::Add,
            m.transpose(),
            BlockStructure::Rectangular,
            m,
            BlockStructure::Rectangular,
            1.0,
            Par::Seq,
        );
        self.rows = 0;
    }

    /// The finished sum (both triangles).
    pub fn finish(mut self) -> Vec<f64> {
        self.flush();
        let q = self.q;
        for c in 0..q {
            for r in c + 1..q {
                self.sum[r * q + c] = self.sum[c * q + r];
            }
        }
        self.sum
    }
}

/// Whether the design's columns are the matrix's columns in order (rows copy in one piece).
pub(super) fn identity_cols(design: &Design<'_>) -> bool {
    design.cols.len() == design.x.ncols()
        && design.cols.iter().enumerate().all(|(k, &c)| k == c)
        && (design.x.ncols() <= 1 || design.x.strides()[1] == 1)
}

/// Design row `i` (intercept first when present) into `out` (length `p`); `identity` from
/// [`identity_cols`].
#[inline]
pub(super) fn design_row(design: &Design<'_>, identity: bool, i: usize, out: &mut [f64]) {
    let off = usize::from(design.intercept);
    if design.intercept {
        out[0] = 1.0;
    }
    let row = design.x.row(i);
    if identity && let Some(s) = row.as_slice() {
        out[off..].copy_from_slice(s);
        return;
    }
    for (o, &c) in out[off..].iter_mut().zip(&design.cols) {
        *o = row[c];
    }
}

/// The columns `design.cols` of row `i` (no intercept) into `out`.
#[inline]
pub(super) fn design_row_gather(design: &Design<'_>, i: usize, out: &mut [f64]) {
    let row = design.x.row(i);
    for (o, &c) in out.iter_mut().zip(&design.cols) {
        *o = row[c];
    }
}

/// Add the per-chunk sums in chunk order.
pub(super) fn add_in_order(parts: Vec<Vec<f64>>, len: usize) -> Vec<f64> {
    let mut out = vec![0.0; len];
    for part in &parts {
        for (o, v) in out.iter_mut().zip(part) {
            *o += v;
        }
    }
    out
}

/// Rows per parallel chunk (fixed, so that sums do not depend on the thread count).
const CHUNK: usize = 16_384;

/// `Σ sᵢ² xᵢ xᵢᵀ` over the design rows (`p × p`, row-major).
pub(super) fn scaled_cross(design: &Design<'_>, s: &[f64]) -> Vec<f64> {
    let p = design.p();
    let identity = identity_cols(design);
    let parts: Vec<Vec<f64>> = s
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(ci, sc)| {
            let mut cross = Cross::new(p);
            let mut x = vec![0.0; p];
            for (j, &si) in sc.iter().enumerate() {
                design_row(design, identity, ci * CHUNK + j, &mut x);
                for (r, &v) in cross.next_row().iter_mut().zip(&x) {
                    *r = si * v;
                }
            }
            cross.finish()
        })
        .collect();
    // Symmetric, so the column-major sum is also the row-major one.
    add_in_order(parts, p * p)
}
