//! The streaming tall-skinny QR of `[X y]` and the triangular factor it leaves
//! (step 1 of the solver, see the parent module).

use super::*;

/// Rows per leaf of the streaming QR (a leaf plus the carried triangle, `(STREAM_LEAF + p + 1)`
/// × `(p + 1)` doubles, stays in the per-core L2 cache for p ≲ 60).
pub(super) const STREAM_LEAF: usize = 2048;

/// At most this many independent row groups (tasks) in the streaming QR. The partition depends
/// on `n` and `p` only, never on the number of threads, so results are identical for any
/// thread count.
pub(super) const STREAM_GROUPS: usize = 32;

/// Operations on the p×p upper-triangular factor `R₀` shared by [`QrFactor`] (materialised QR)
/// and [`TriFactor`] (streaming QR).
pub(crate) trait UpperFactor {
    /// Number of design columns p.
    fn dim(&self) -> usize;
    /// `R₀[i, j]` (0 below the diagonal).
    fn entry(&self, i: usize, j: usize) -> f64;

    /// The p×p factor `R₀` as a dense row-major vector.
    fn r_dense(&self) -> Vec<f64> {
        let p = self.dim();
        let mut r = vec![0.0; p * p];
        for i in 0..p {
            for j in i..p {
                r[i * p + j] = self.entry(i, j);
            }
        }
        r
    }

    /// `v ← R₀⁻¹ v` (back substitution).
    fn solve_r(&self, v: &mut [f64]) {
        tri_solve_r(self.dim(), |i, j| self.entry(i, j), v);
    }

    /// `v ← R₀⁻ᵀ v` (forward substitution).
    fn solve_rt(&self, v: &mut [f64]) {
        tri_solve_rt(self.dim(), |i, j| self.entry(i, j), v);
    }

    /// `R₀⁻¹` (upper triangular), row-major p×p.
    fn r_inverse(&self) -> Vec<f64> {
        tri_inverse(self.dim(), |i, j| self.entry(i, j))
    }

    /// 1-norm condition number of `R₀` (= of the equilibrated design, up to the 1- vs 2-norm).
    fn condition(&self, rinv: &[f64]) -> f64 {
        tri_condition(self.dim(), |i, j| self.entry(i, j), rinv)
    }
}

impl UpperFactor for QrFactor {
    fn dim(&self) -> usize {
        self.p
    }
    #[inline(always)]
    fn entry(&self, i: usize, j: usize) -> f64 {
        self.r(i, j)
    }
}

impl UpperFactor for TriFactor {
    fn dim(&self) -> usize {
        self.p
    }
    #[inline(always)]
    fn entry(&self, i: usize, j: usize) -> f64 {
        self.r(i, j)
    }
}

/// The upper triangular factor of the column-equilibrated design `A = X D`, optionally with the
/// response appended as a last (unscaled) column: `[A y] = Q [R₀ q; 0 ρ]` (q = (Qᵀy)₁, |ρ| the
/// residual norm). Stored row-major `pc × pc`.
#[derive(Debug, Clone)]
pub(crate) struct TriFactor {
    p: usize,
    pc: usize,
    r: Vec<f64>,
    /// Column scale factors `d_k` (powers of two): `A = X_design · diag(d)`.
    pub scale: Vec<f64>,
}

impl TriFactor {
    /// Number of design columns.
    pub fn p(&self) -> usize {
        self.p
    }

    /// `R₀[i, j]` (0 below the diagonal).
    #[inline(always)]
    pub fn r(&self, i: usize, j: usize) -> f64 {
        if i > j { 0.0 } else { self.r[i * self.pc + j] }
    }

    /// `(Qᵀy)₁` (p entries) and the residual norm `|ρ|`, when the response was factored too.
    pub fn qty(&self) -> Option<(Vec<f64>, f64)> {
        (self.pc > self.p).then(|| {
            ((0..self.p).map(|i| self.r(i, self.p)).collect(), self.r(self.p, self.p).abs())
        })
    }

    /// Rank decision: pivoted numerical rank and the aliased design columns in data order.
    pub fn aliased(&self, tol: f64) -> (usize, Vec<usize>) {
        let (rank, aliased, _) = tri_aliased(self.p, |i, j| self.r(i, j), tol);
        (rank, aliased)
    }

    /// Sequential relative distances: for each design column in data order, the norm of its
    /// component orthogonal to the preceding columns divided by its norm (the quantity R's
    /// `lm` compares with its tolerance 1e-7).
    pub fn sequential_distances(&self) -> Vec<f64> {
        tri_aliased(self.p, |i, j| self.r(i, j), RANK_TOL).2
    }

    /// Column means of the design from the factor of a design whose first column is the
    /// intercept: `mean_k = R[0,k] / R[0,0]` (the coordinate on `1/√n` divided by `√n`), with
    /// the equilibration undone. `None` without an intercept column.
    pub fn means(&self, intercept: bool) -> Option<Vec<f64>> {
        if !intercept || self.p == 0 || self.r(0, 0) == 0.0 {
            return None;
        }
        let r00 = self.r(0, 0) / self.scale[0];
        Some((0..self.p).map(|k| self.r(0, k) / self.scale[k] / r00).collect())
    }

    /// Centred sums of squares `Σ (x_k − mean_k)²` of the design columns from the factor of a
    /// design whose first column is the intercept: the squared norm of column k of `R` below its
    /// first row (the part of `x_k` orthogonal to the constant), equilibration undone.
    pub fn centered_ss(&self) -> Vec<f64> {
        (0..self.p)
            .map(|k| {
                let d = self.scale[k];
                super::super::dd::sum_sq((1..=k).map(|i| self.r(i, k) / d))
            })
            .collect()
    }
}

/// Copy design rows `start..start + len` (and the response as column `p` when given) into the
/// column-major buffer `buf` (leading dimension `ld`) at rows `row0..`. Returns `Σ v·0` over the
/// copied design values: 0 when they are all finite, NaN otherwise.
pub(super) fn copy_rows(
    design: &Design<'_>,
    y: Option<&[f64]>,
    start: usize,
    len: usize,
    buf: &mut [f64],
    ld: usize,
    row0: usize,
) -> f64 {
    let p = design.p();
    let off = usize::from(design.intercept);
    if design.intercept {
        buf[row0..row0 + len].fill(1.0);
    }
    if let Some(y) = y {
        buf[p * ld + row0..p * ld + row0 + len].copy_from_slice(&y[start..start + len]);
    }
    let x = &design.x;
    let mut fin = [0.0f64; 4];
    if x.nrows() > 1 && x.ncols() > 0 && x.strides()[0] == 1 {
        // Column-major source: contiguous column slices.
        for (k, &c) in design.cols.iter().enumerate() {
            let col = x.column(c);
            let src = col.slice_axis(ndarray::Axis(0), ndarray::Slice::from(start..start + len));
            let dst = &mut buf[(off + k) * ld + row0..(off + k) * ld + row0 + len];
            match src.as_slice() {
                Some(sl) => {
                    dst.copy_from_slice(sl);
                    fin[0] += sl.iter().fold(0.0, |a, v| a + v * 0.0);
                }
                None => {
                    for (d, v) in dst.iter_mut().zip(src.iter()) {
                        *d = *v;
                        fin[0] += *v * 0.0;
                    }
                }
            }
        }
    } else if let Some(xs) = x.as_slice() {
        // Standard (row-major, contiguous) layout: read each row sequentially and scatter it
        // into the columns of the cache-resident buffer.
        let nc = x.ncols();
        let mut f = [0.0f64; 4];
        for i in 0..len {
            let row = &xs[(start + i) * nc..(start + i + 1) * nc];
            let r = row0 + i;
            for (k, &c) in design.cols.iter().enumerate() {
                let v = row[c];
                buf[(off + k) * ld + r] = v;
                f[k & 3] += v * 0.0;
            }
        }
        fin = f;
    } else {
        // Other strided source: tiles of rows small enough for L1, read column by column from
        // the tile, written contiguously.
        const TILE: usize = 32;
        let mut t0 = 0;
        while t0 < len {
            let t1 = (t0 + TILE).min(len);
            let tile = x.slice_axis(ndarray::Axis(0), ndarray::Slice::from(start + t0..start + t1));
            for (k, &c) in design.cols.iter().enumerate() {
                let dst = &mut buf[(off + k) * ld + row0 + t0..(off + k) * ld + row0 + t1];
                let mut f = 0.0;
                for (d, v) in dst.iter_mut().zip(tile.column(c).iter()) {
                    *d = *v;
                    f += *v * 0.0;
                }
                fin[k & 3] += f;
            }
            t0 = t1;
        }
    }
    (fin[0] + fin[1]) + (fin[2] + fin[3])
}

/// Householder QR in place of the `m × pc` matrix stored column-major in `buf` from row `row0`
/// with leading dimension `ld` (reflectors discarded); then the triangle (at most `min(m, pc)`
/// rows) is moved to rows `0..pc` of the buffer with zeros below it.
pub(super) fn qr_carry(buf: &mut [f64], ld: usize, row0: usize, m: usize, pc: usize) {
    if m > 0 && pc > 0 {
        let len = ld * (pc - 1) + m;
        let a =
            MatMut::from_column_major_slice_with_stride_mut(&mut buf[row0..row0 + len], m, pc, ld);
        let _ = qr_leaf(a);
    }
    let rows = m.min(pc);
    for c in 0..pc {
        let col = &mut buf[c * ld..c * ld + (row0 + rows).max(pc)];
        for i in 0..pc {
            col[i] = if i <= c && i < rows { col[row0 + i] } else { 0.0 };
        }
    }
}

/// Triangular factor (pc×pc, column-major) of the rows `r0..r1` of `[X y]`, processed leaf by
/// leaf: each leaf is copied under the triangle carried from the previous leaves and the stack
/// is factored again (sequential TSQR).
pub(super) fn factor_group(
    design: &Design<'_>,
    y: Option<&[f64]>,
    row_scale: Option<&[f64]>,
    leaves: &[(usize, usize)],
    pc: usize,
) -> (Vec<f64>, bool) {
    let maxlen = leaves.iter().map(|l| l.1).max().unwrap_or(0);
    let ld = pc + maxlen;
    let mut buf = vec![0.0f64; ld * pc];
    let mut fin = 0.0;
    for (li, &(s0, len)) in leaves.iter().enumerate() {
        fin += copy_rows(design, y, s0, len, &mut buf, ld, pc);
        if fin != 0.0 {
            // A non-finite value: the caller falls back to the scanning path.
            return (Vec::new(), false);
        }
        if let Some(sw) = row_scale {
            // Row i of [X y] times s_i (weighted least squares: s = √w).
            let s = &sw[s0..s0 + len];
            for c in 0..pc {
                let col = &mut buf[c * ld + pc..c * ld + pc + len];
                col.iter_mut().zip(s).for_each(|(v, f)| *v *= f);
            }
        }
        if li == 0 {
            qr_carry(&mut buf, ld, pc, len, pc);
        } else {
            qr_carry(&mut buf, ld, 0, pc + len, pc);
        }
    }
    let mut r = vec![0.0; pc * pc];
    for c in 0..pc {
        r[c * pc..c * pc + pc].copy_from_slice(&buf[c * ld..c * ld + pc]);
    }
    (r, true)
}

/// Streaming tall-skinny QR of the design (and the response as a last column when given):
/// rows are split into leaves of `STREAM_LEAF` rows and the leaves into at most
/// `STREAM_GROUPS` contiguous groups; every group (in parallel) copies one leaf at a time into a
/// cache-resident buffer under the triangle carried from its previous leaves and factors it
/// (faer's blocked Householder QR, reflectors discarded); the groups' triangles are stacked and
/// factored once more. No copy of the design is materialised: the extra memory is one leaf
/// buffer per thread. Equilibration is applied to the final triangle: Householder QR is
/// invariant under power-of-two column scaling, and the column norms of `X` are those of `R`.
/// Returns `None` when the design or the response holds a non-finite value.
pub(crate) fn stream_qr(design: &Design<'_>, y: Option<&[f64]>) -> Option<TriFactor> {
    stream_qr_scaled(design, y, None)
}

/// [`stream_qr`] of the row-scaled matrix `S [X y]`, `S = diag(row_scale)` (for weighted least
/// squares, `s_i = √w_i`): the scaling is applied to each leaf in its cache-resident buffer, so
/// no scaled copy of the design is made. A `row_scale` of the wrong length, or a non-finite
/// entry in it, gives `None`.
pub(crate) fn stream_qr_scaled(
    design: &Design<'_>,
    y: Option<&[f64]>,
    row_scale: Option<&[f64]>,
) -> Option<TriFactor> {
    let n = design.n();
    if row_scale.is_some_and(|s| s.len() != n || s.iter().fold(0.0, |a, v| a + v * 0.0) != 0.0) {
        return None;
    }
    let p = design.p();
    let y = y.filter(|y| y.len() == n);
    let pc = p + usize::from(y.is_some());
    let leaf = STREAM_LEAF.max(2 * pc);
    let k = (n / leaf).max(1);
    let leaves: Vec<(usize, usize)> = (0..k)
        .map(|i| {
            let s0 = i * leaf;
            (s0, if i + 1 == k { n - s0 } else { leaf })
        })
        .collect();
    let groups = k.min(STREAM_GROUPS);
    let ranges: Vec<&[(usize, usize)]> =
        (0..groups).map(|g| &leaves[g * k / groups..(g + 1) * k / groups]).collect();
    let parts: Vec<(Vec<f64>, bool)> = if groups > 1 && n * pc >= 100_000 {
        use rayon::prelude::*;
        ranges.par_iter().map(|ls| factor_group(design, y, row_scale, ls, pc)).collect()
    } else {
        ranges.iter().map(|ls| factor_group(design, y, row_scale, ls, pc)).collect()
    };
    if parts.iter().any(|(_, ok)| !ok)
        || y.is_some_and(|y| y.iter().fold(0.0, |a, v| a + v * 0.0) != 0.0)
    {
        return None;
    }
    let parts: Vec<Vec<f64>> = parts.into_iter().map(|(r, _)| r).collect();
    // Column-major pc×pc triangle.
    let rcm: Vec<f64> = if parts.len() == 1 {
        parts.into_iter().next().unwrap_or_default()
    } else {
        let g = parts.len();
        let ld = g * pc;
        let mut st = vec![0.0; ld * pc];
        for (gi, part) in parts.iter().enumerate() {
            for c in 0..pc {
                st[c * ld + gi * pc..c * ld + gi * pc + pc]
                    .copy_from_slice(&part[c * pc..c * pc + pc]);
            }
        }
        qr_carry(&mut st, ld, 0, ld, pc);
        let mut r = vec![0.0; pc * pc];
        for c in 0..pc {
            r[c * pc..c * pc + pc].copy_from_slice(&st[c * ld..c * ld + pc]);
        }
        r
    };
    Some(equilibrate(rcm, p, pc))
}

/// The [`TriFactor`] of a column-major `pc × pc` triangle of `[X y]` (`p` design columns):
/// column equilibration `d_k = 2^-round(log2 ‖x_k‖)`, `‖x_k‖ = ‖R[:, k]‖`, applied exactly.
fn equilibrate(rcm: Vec<f64>, p: usize, pc: usize) -> TriFactor {
    let mut scale = vec![1.0; p];
    for (c, d) in scale.iter_mut().enumerate() {
        let col = &rcm[c * pc..c * pc + pc];
        let mx = col.iter().fold(0.0f64, |a, v| a.max(v.abs()));
        if mx > 0.0 && mx.is_finite() {
            let norm = mx * col.iter().map(|v| (v / mx) * (v / mx)).sum::<f64>().sqrt();
            *d = pow2_near_recip(norm);
        }
    }
    let mut r = vec![0.0; pc * pc];
    for i in 0..pc {
        for j in i..pc {
            let d = if j < p { scale[j] } else { 1.0 };
            r[i * pc + j] = rcm[j * pc + i] * d;
        }
    }
    TriFactor { p, pc, r, scale }
}

/// A mergeable streaming QR of `[1 X y]`: the upper triangular factor `R` of the intercept,
/// `k` predictors and the response, with the numbers of complete and skipped rows.
///
/// Feed it chunks of rows in any order and pieces (threads, files, the partitions of a query
/// engine), [`merge`](QrAccumulator::merge) the pieces, and [`Ols::fit_qr`] gives the
/// coefficients, standard errors and model summaries of the regression of `y` on `X` — those
/// of [`Ols::fit`] up to rounding — without the rows. A chunk is stacked under the carried
/// triangle and factored by Householder QR (reflectors discarded); two states merge by the QR of
/// their stacked triangles (TSQR, Demmel et al. 2012). The signs of the rows of `R` are fixed so
/// that its diagonal is non-negative, which makes the factor unique (for a full-rank design it is
/// the Cholesky factor of `[1 X y]ᵀ[1 X y]`). Rows with a missing value (`NaN`) in `y` or any
/// predictor are skipped and counted (listwise).
///
/// # Formula
/// ```text
/// [R_a; R_b] = Q R            (merge)
/// [R; rows of the chunk] = Q R (update, leaf by leaf)
/// ```
///
/// # Examples
/// ```
/// use ndarray::array;
/// use surveystat::regression::{Ols, QrAccumulator};
/// let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0], [5.0, 6.0], [6.0, 4.0]];
/// let y = array![1.0, 3.0, 2.0, 5.0, 4.0, 7.0];
/// let mut a = QrAccumulator::new(2);
/// a.update(&x.slice(ndarray::s![..3, ..]), &y.slice(ndarray::s![..3])).unwrap();
/// let mut b = QrAccumulator::new(2);
/// b.update(&x.slice(ndarray::s![3.., ..]), &y.slice(ndarray::s![3..])).unwrap();
/// a.merge(&b).unwrap();
/// let streamed = Ols::new().fit_qr(&a).unwrap();
/// let direct = Ols::new().fit(&x, &y).unwrap();
/// for (s, d) in streamed.coefficients().iter().zip(direct.coefficients()) {
///     assert!((s - d).abs() < 1e-12);
/// }
/// ```
///
/// # References
/// Demmel, J., Grigori, L., Hoemmen, M., & Langou, J. (2012). Communication-optimal parallel and
/// sequential QR and LU factorizations. SIAM Journal on Scientific Computing, 34(1), A206–A239.
///
/// [`Ols::fit_qr`]: crate::regression::Ols::fit_qr
/// [`Ols::fit`]: crate::regression::Ols::fit
#[derive(Debug, Clone, PartialEq)]
pub struct QrAccumulator {
    k: usize,
    n: usize,
    skipped: usize,
    /// Column-major `(k + 2) × (k + 2)` upper triangle.
    r: Vec<f64>,
}

impl QrAccumulator {
    /// An empty state for `k` predictors.
    pub fn new(k: usize) -> Self {
        let pc = k + 2;
        Self { k, n: 0, skipped: 0, r: vec![0.0; pc * pc] }
    }

    /// Number of predictors (without the intercept).
    pub fn n_predictors(&self) -> usize {
        self.k
    }

    /// Number of complete rows accumulated.
    pub fn n_obs(&self) -> usize {
        self.n
    }

    /// Number of rows skipped because they held a missing value.
    pub fn n_skipped(&self) -> usize {
        self.skipped
    }

    /// The `(k + 2) × (k + 2)` upper triangular factor of `[1 X y]` (non-negative diagonal).
    pub fn factor(&self) -> ndarray::Array2<f64> {
        let pc = self.k + 2;
        ndarray::Array2::from_shape_fn((pc, pc), |(i, j)| self.r[j * pc + i])
    }

    /// Add a chunk of rows: `x` (rows = observations, `k` columns) and the response `y`.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`] for a wrong number of columns or rows of `y`;
    /// [`Error::NonFinite`] for an infinite value.
    pub fn update(
        &mut self,
        x: &ndarray::ArrayRef2<f64>,
        y: &ndarray::ArrayRef1<f64>,
    ) -> crate::error::Result<()> {
        use crate::error::Error;
        if x.ncols() != self.k {
            return Err(Error::DimensionMismatch {
                what: "chunk predictors".into(),
                expected: self.k,
                found: x.ncols(),
            });
        }
        if y.len() != x.nrows() {
            return Err(Error::DimensionMismatch {
                what: "rows of y vs rows of x".into(),
                expected: x.nrows(),
                found: y.len(),
            });
        }
        let pc = self.k + 2;
        let leaf = STREAM_LEAF.max(2 * pc).min(x.nrows().max(1));
        let ld = pc + leaf;
        let mut buf = vec![0.0; ld * pc];
        for c in 0..pc {
            buf[c * ld..c * ld + pc].copy_from_slice(&self.r[c * pc..c * pc + pc]);
        }
        let mut len = 0;
        for (i, (row, &yi)) in x.outer_iter().zip(y.iter()).enumerate() {
            if yi.is_infinite() || row.iter().any(|v| v.is_infinite()) {
                return Err(Error::NonFinite { what: format!("chunk row {}", i + 1) });
            }
            if yi.is_nan() || row.iter().any(|v| v.is_nan()) {
                self.skipped += 1;
                continue;
            }
            let at = pc + len;
            buf[at] = 1.0;
            for (j, v) in row.iter().enumerate() {
                buf[(j + 1) * ld + at] = *v;
            }
            buf[(pc - 1) * ld + at] = yi;
            len += 1;
            self.n += 1;
            if len == leaf {
                qr_carry(&mut buf, ld, 0, pc + len, pc);
                len = 0;
            }
        }
        if len > 0 {
            qr_carry(&mut buf, ld, 0, pc + len, pc);
        }
        for c in 0..pc {
            self.r[c * pc..c * pc + pc].copy_from_slice(&buf[c * ld..c * ld + pc]);
        }
        self.normalize_signs();
        Ok(())
    }

    /// Merge another state into this one (QR of the two stacked triangles).
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`](crate::error::Error::DimensionMismatch) if the two have
    /// different numbers of predictors.
    pub fn merge(&mut self, other: &QrAccumulator) -> crate::error::Result<()> {
        if other.k != self.k {
            return Err(crate::error::Error::DimensionMismatch {
                what: "QR state predictors".into(),
                expected: self.k,
                found: other.k,
            });
        }
        self.skipped += other.skipped;
        if other.n == 0 {
            return Ok(());
        }
        if self.n == 0 {
            self.n = other.n;
            self.r.clone_from(&other.r);
            return Ok(());
        }
        let pc = self.k + 2;
        let ld = 2 * pc;
        let mut buf = vec![0.0; ld * pc];
        for c in 0..pc {
            buf[c * ld..c * ld + pc].copy_from_slice(&self.r[c * pc..c * pc + pc]);
            buf[c * ld + pc..c * ld + 2 * pc].copy_from_slice(&other.r[c * pc..c * pc + pc]);
        }
        qr_carry(&mut buf, ld, 0, ld, pc);
        for c in 0..pc {
            self.r[c * pc..c * pc + pc].copy_from_slice(&buf[c * ld..c * ld + pc]);
        }
        self.n += other.n;
        self.normalize_signs();
        Ok(())
    }

    /// Merge the states of several partitions in a canonical order (by count, then by the bit
    /// patterns of the factor) as a balanced tree, so the result does not depend, to the last
    /// bit, on the order in which the partitions arrive.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`](crate::error::Error::DimensionMismatch) if a state does not
    /// have `k` predictors.
    pub fn merge_all(
        k: usize,
        parts: impl IntoIterator<Item = QrAccumulator>,
    ) -> crate::error::Result<QrAccumulator> {
        let mut level: Vec<QrAccumulator> = parts.into_iter().collect();
        if let Some(bad) = level.iter().find(|a| a.k != k) {
            return Err(crate::error::Error::DimensionMismatch {
                what: "QR state predictors".into(),
                expected: k,
                found: bad.k,
            });
        }
        level.sort_by_cached_key(|a| {
            (a.n, a.skipped, a.r.iter().map(|v| v.to_bits()).collect::<Vec<u64>>())
        });
        while level.len() > 1 {
            let mut next = Vec::with_capacity(level.len().div_ceil(2));
            let mut it = level.into_iter();
            while let Some(mut a) = it.next() {
                if let Some(b) = it.next() {
                    a.merge(&b)?;
                }
                next.push(a);
            }
            level = next;
        }
        Ok(level.pop().unwrap_or_else(|| QrAccumulator::new(k)))
    }

    /// A state from its parts — the number of complete rows, the rows skipped and the
    /// `(k + 2) × (k + 2)` upper triangular factor of `[1 X y]` — as another engine computes and
    /// ships them.
    ///
    /// # Errors
    /// [`Error::DimensionMismatch`](crate::error::Error::DimensionMismatch) for a factor that is
    /// not square of order at least 2; [`Error::NonFinite`](crate::error::Error::NonFinite);
    /// [`Error::InvalidParameter`](crate::error::Error::InvalidParameter) for a non-zero entry
    /// below the diagonal or a non-zero factor with `n = 0`.
    pub fn from_state(
        n: usize,
        skipped: usize,
        factor: &ndarray::ArrayRef2<f64>,
    ) -> crate::error::Result<Self> {
        use crate::error::Error;
        let pc = factor.nrows();
        if pc < 2 || factor.ncols() != pc {
            return Err(Error::DimensionMismatch {
                what: "QR factor columns".into(),
                expected: pc.max(2),
                found: factor.ncols(),
            });
        }
        if factor.iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: "QR state".into() });
        }
        let mut r = vec![0.0; pc * pc];
        for i in 0..pc {
            for j in 0..pc {
                let v = factor[[i, j]];
                if i > j && v != 0.0 {
                    return Err(Error::invalid(
                        "factor",
                        format!("not upper triangular at ({}, {})", i + 1, j + 1),
                    ));
                }
                r[j * pc + i] = v;
            }
        }
        if n == 0 && r.iter().any(|&v| v != 0.0) {
            return Err(Error::invalid("n", "an empty state must have a zero factor"));
        }
        let mut acc = Self { k: pc - 2, n, skipped, r };
        acc.normalize_signs();
        Ok(acc)
    }

    /// Flip rows of `R` so that its diagonal is non-negative.
    fn normalize_signs(&mut self) {
        let pc = self.k + 2;
        for i in 0..pc {
            if self.r[i * pc + i] < 0.0 {
                for j in i..pc {
                    self.r[j * pc + i] = -self.r[j * pc + i];
                }
            }
        }
    }

    /// The equilibrated factor of the design `[1 X]` with the response appended.
    pub(crate) fn tri(&self) -> TriFactor {
        equilibrate(self.r.clone(), self.k + 1, self.k + 2)
    }
}
