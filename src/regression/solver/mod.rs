//! The least-squares engine behind [`super::Ols`] (details in docs/methods/regression.md).
//!
//! 1. [`stream_qr`]: streaming tall-skinny Householder QR of `[X y]` straight from the borrowed
//!    data — leaves of rows copied one at a time into a cache-resident buffer under the carried
//!    triangle, factored in place (faer), reflectors discarded; groups of leaves in parallel,
//!    their triangles merged by one more QR. No copy of X; the copy also checks finiteness.
//!    Column equilibration by powers of two is applied to the final triangle (exact, and
//!    Householder QR is invariant under it).
//! 2. Rank: column-pivoted (Businger–Golub) QR of the p×p factor `R₀`, `R₀ P = Q₂ R`, a
//!    column-pivoted QR of the design (QR preprocessing, Chan 1987). The numerical rank is the
//!    number of `|R_kk| > τ · |R_11|`; which columns are aliased is decided in data order, as R
//!    does, by their distance from the span of the kept earlier columns (on `R₀`).
//! 3. Well-conditioned designs: `b = R₀⁻¹ (Qᵀy)₁`, then one fused parallel sweep over X
//!    ([`residual_pass`]) for fitted values, residuals and `Xᵀ(e² − c₀)`.
//! 4. Ill-conditioned designs ([`QrFactor`], materialised): the design is copied and factored
//!    with its Householder vectors kept, and the solution is refined by Björck's iterative
//!    refinement of the augmented system `[I A; Aᵀ 0] [r; x] = [y; 0]`, with the residuals of
//!    both block equations accumulated in compensated (double-double quality) arithmetic from
//!    the *original* data.

mod stream;

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::householder;
use faer::linalg::qr::no_pivoting;
use faer::{Conj, Mat, MatMut, MatRef, Par};
use ndarray::ArrayView2;
pub use stream::QrAccumulator;
pub(crate) use stream::*;

use super::dd::Dot2;

/// Relative rank tolerance `τ` on the equilibrated design (see the module docs and
/// docs/methods/regression.md for how it was chosen).
pub(crate) const RANK_TOL: f64 = 1e-11;

/// The design matrix as a view of the caller's data: an optional intercept column of ones
/// followed by the columns `cols` of `x`.
#[derive(Debug, Clone)]
pub(crate) struct Design<'a> {
    pub x: ArrayView2<'a, f64>,
    pub cols: Vec<usize>,
    pub intercept: bool,
}

impl Design<'_> {
    pub fn n(&self) -> usize {
        self.x.nrows()
    }

    pub fn p(&self) -> usize {
        self.cols.len() + usize::from(self.intercept)
    }

    /// Design column `k` at row `i` (unscaled).
    #[inline(always)]
    pub fn at(&self, i: usize, k: usize) -> f64 {
        if self.intercept {
            if k == 0 { 1.0 } else { self.x[[i, self.cols[k - 1]]] }
        } else {
            self.x[[i, self.cols[k]]]
        }
    }

    fn rows_contiguous(&self) -> bool {
        self.x.ncols() <= 1 || self.x.strides()[1] == 1
    }

    /// Apply `f(i, row_values)` to every row, `row_values[k]` = design column `k`.
    pub fn for_each_row(&self, mut f: impl FnMut(usize, &[f64])) {
        let p = self.p();
        let mut buf = vec![0.0; p];
        let off = usize::from(self.intercept);
        if self.intercept {
            buf[0] = 1.0;
        }
        let identity = !self.intercept
            && self.rows_contiguous()
            && self.cols.len() == self.x.ncols()
            && self.cols.iter().enumerate().all(|(k, &c)| k == c);
        for (i, row) in self.x.outer_iter().enumerate() {
            if identity && let Some(s) = row.as_slice() {
                f(i, s);
                continue;
            }
            for (k, &c) in self.cols.iter().enumerate() {
                buf[off + k] = row[c];
            }
            f(i, &buf);
        }
    }
}

/// Rows per leaf of the tall-skinny QR: large enough for level-3 work inside a leaf, small
/// enough for a leaf (leaf × p doubles) to stay in cache.
const LEAF_ROWS: usize = 2048;

/// Householder QR of the equilibrated design, as a two-level tall-skinny QR (TSQR, Demmel et al.
/// 2012): each leaf of about `LEAF_ROWS` rows is factored in place (in parallel), `A_i = Q_i R_i`,
/// and the stacked leaf factors `[R_1; …; R_K]` are factored again, `= Q_t R₀`. Then
/// `A = diag(Q_i) Q_t R₀` is a Householder QR of `A` (every factor is a product of Householder
/// reflections), with the same backward stability as the flat algorithm. For `n < 2·LEAF_ROWS`
/// there is a single leaf and no top level.
pub(crate) struct QrFactor {
    n: usize,
    p: usize,
    /// Stored columns: `p`, or `p + 1` when the response was appended.
    pc: usize,
    /// Column-major n×p copy of the equilibrated design; leaves factored in place (Householder
    /// basis below each leaf's diagonal).
    qr: Vec<f64>,
    /// Leaf row ranges `(start, len)`; every leaf has at least `p` rows.
    leaves: Vec<(usize, usize)>,
    /// Block Householder factors of every leaf.
    leaf_h: Vec<Mat<f64>>,
    /// Stacked leaf `R`s factored in place (`K·p × p`), when `K > 1`.
    top: Option<(Mat<f64>, Mat<f64>)>,
    /// Column scale factors `d_k` (powers of two): `A = X_design · diag(d)`.
    pub scale: Vec<f64>,
    /// Sample standard deviations (n − 1) of the design columns.
    pub sds: Vec<f64>,
}

fn pow2_near_recip(norm: f64) -> f64 {
    if !(norm.is_finite() && norm > 0.0) {
        return 1.0;
    }
    let e = norm.log2().round() as i32;
    2f64.powi(-e)
}

/// Sum and largest absolute value of a slice (eight lanes).
fn sum_maxabs(v: &[f64]) -> (f64, f64) {
    let mut s = [0.0f64; 8];
    let mut m = [0.0f64; 8];
    let mut it = v.chunks_exact(8);
    for ch in &mut it {
        for l in 0..8 {
            s[l] += ch[l];
            m[l] = m[l].max(ch[l].abs());
        }
    }
    let mut sum: f64 = s.iter().sum();
    let mut mx = m.iter().fold(0.0f64, |a, &b| a.max(b));
    for &x in it.remainder() {
        sum += x;
        mx = mx.max(x.abs());
    }
    (sum, mx)
}

/// `Σ (v − m)²` and `Σ (v − m)` (eight lanes).
fn centered_ss(v: &[f64], mean: f64) -> (f64, f64) {
    let mut s = [0.0f64; 8];
    let mut c = [0.0f64; 8];
    let mut it = v.chunks_exact(8);
    for ch in &mut it {
        for l in 0..8 {
            let d = ch[l] - mean;
            s[l] += d * d;
            c[l] += d;
        }
    }
    let mut ss: f64 = s.iter().sum();
    let mut cc: f64 = c.iter().sum();
    for &x in it.remainder() {
        let d = x - mean;
        ss += d * d;
        cc += d;
    }
    (ss, cc)
}

fn block_size(n: usize, p: usize) -> usize {
    no_pivoting::factor::recommended_block_size::<f64>(n, p).max(1)
}

/// Factor `a` (rows ≥ cols) in place; returns its block Householder factor.
fn qr_leaf(a: MatMut<'_, f64>) -> Mat<f64> {
    let (n, p) = (a.nrows(), a.ncols());
    let size = n.min(p);
    let bs = block_size(n, p);
    let mut h = Mat::<f64>::zeros(bs, size);
    if size > 0 {
        let req =
            no_pivoting::factor::qr_in_place_scratch::<f64>(n, p, bs, Par::Seq, Default::default());
        let mut buf = MemBuffer::new(req);
        no_pivoting::factor::qr_in_place(
            a,
            h.as_mut(),
            Par::Seq,
            MemStack::new(&mut buf),
            Default::default(),
        );
    }
    h
}

/// `v ← Qᵀ v` (or `Q v`) for the reflectors stored in `basis`/`h`.
fn apply_leaf(basis: MatRef<'_, f64>, h: MatRef<'_, f64>, v: &mut [f64], transpose: bool) {
    let n = basis.nrows();
    let bs = h.nrows();
    let req = householder::apply_block_householder_sequence_transpose_on_the_left_in_place_scratch::<f64>(n, bs, 1)
        .or(householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(n, bs, 1));
    let mut buf = MemBuffer::new(req);
    let m = MatMut::from_column_major_slice_mut(v, n, 1);
    if transpose {
        householder::apply_block_householder_sequence_transpose_on_the_left_in_place_with_conj(
            basis,
            h,
            Conj::Yes,
            m,
            Par::Seq,
            MemStack::new(&mut buf),
        );
    } else {
        householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
            basis,
            h,
            Conj::No,
            m,
            Par::Seq,
            MemStack::new(&mut buf),
        );
    }
}

/// Factor the leaves of `a` (rows `base..`) in parallel by recursive halving.
fn factor_leaves(a: MatMut<'_, f64>, leaves: &[(usize, usize)], base: usize) -> Vec<Mat<f64>> {
    if leaves.len() == 1 {
        return vec![qr_leaf(a)];
    }
    let mid = leaves.len() / 2;
    let split = leaves[mid].0 - base;
    let (top, bottom) = a.split_at_row_mut(split);
    let (mut l, r) = rayon::join(
        || factor_leaves(top, &leaves[..mid], base),
        || factor_leaves(bottom, &leaves[mid..], leaves[mid].0),
    );
    l.extend(r);
    l
}

/// Apply every leaf's `Q_iᵀ` (or `Q_i`) to its slice of `v`, in parallel.
fn apply_leaves(
    a: MatRef<'_, f64>,
    hs: &[Mat<f64>],
    leaves: &[(usize, usize)],
    base: usize,
    v: &mut [f64],
    transpose: bool,
) {
    if leaves.len() == 1 {
        apply_leaf(a, hs[0].as_ref(), v, transpose);
        return;
    }
    let mid = leaves.len() / 2;
    let split = leaves[mid].0 - base;
    let (at, ab) = a.split_at_row(split);
    let (vt, vb) = v.split_at_mut(split);
    rayon::join(
        || apply_leaves(at, &hs[..mid], &leaves[..mid], base, vt, transpose),
        || apply_leaves(ab, &hs[mid..], &leaves[mid..], leaves[mid].0, vb, transpose),
    );
}

impl QrFactor {
    /// Copy, equilibrate and factor the design; with `y`, the response is appended as a last
    /// column (when `n > p`), so that the factorisation also delivers `Qᵀy` (R's `effects`)
    /// without a separate application of `Qᵀ`.
    pub fn new(design: &Design<'_>, y: Option<&[f64]>) -> Self {
        let n = design.n();
        let p = design.p();
        let y = y.filter(|y| n > p && y.len() == n);
        let pc = p + usize::from(y.is_some());
        // Column-major copy of the design, built column slice by column slice.
        let mut store = vec![0.0f64; n * pc];
        let off = usize::from(design.intercept);
        {
            let mut cols: Vec<&mut [f64]> = store.chunks_mut(n.max(1)).collect();
            if design.intercept {
                cols[0].fill(1.0);
            }
            if let Some(y) = y {
                cols[p].copy_from_slice(y);
            }
            if design.x.nrows() > 1 && design.x.ncols() > 0 && design.x.strides()[0] == 1 {
                for (k, &c) in design.cols.iter().enumerate() {
                    for (d, s) in cols[off + k].iter_mut().zip(design.x.column(c).iter()) {
                        *d = *s;
                    }
                }
            } else {
                // Row-major source: tiles of rows, so reads stay in L1 and writes are sequential.
                const TILE: usize = 64;
                let mut start = 0;
                while start < n {
                    let end = (start + TILE).min(n);
                    let tile =
                        design.x.slice_axis(ndarray::Axis(0), ndarray::Slice::from(start..end));
                    for (k, &c) in design.cols.iter().enumerate() {
                        let dst = &mut cols[off + k][start..end];
                        for (d, v) in dst.iter_mut().zip(tile.column(c).iter()) {
                            *d = *v;
                        }
                    }
                    start = end;
                }
            }
        }
        // Standard deviations of the design columns (n − 1) and the equilibration, from the
        // contiguous copy: two reading passes and one scaling pass per column, with eight
        // independent accumulators so that the reductions vectorize.
        let nf = n as f64;
        let mut sds = vec![0.0; p];
        let mut scale = vec![1.0; p];
        for (k, col) in store.chunks_mut(n.max(1)).enumerate().take(p) {
            let (sum, maxabs) = sum_maxabs(col);
            if !(maxabs > 0.0 && maxabs.is_finite()) {
                continue;
            }
            let mean = sum / nf;
            let (ss, c) = centered_ss(col, mean);
            // Corrected two-pass formula (Chan, Golub & LeVeque 1983).
            let css = (ss - c * c / nf).max(0.0);
            sds[k] = (css / (nf - 1.0)).sqrt();
            // ‖x‖² = Σ(x − m)² + n m²; only its power of two matters.
            let norm = (css + nf * mean * mean).sqrt();
            let d = pow2_near_recip(if norm.is_finite() && norm > 0.0 { norm } else { maxabs });
            scale[k] = d;
            if d != 1.0 {
                col.iter_mut().for_each(|v| *v *= d);
            }
        }
        // Leaves: at least p rows each; the last absorbs the remainder.
        let leaf = LEAF_ROWS.max(2 * pc);
        let k = (n / leaf).max(1);
        let leaves: Vec<(usize, usize)> = (0..k)
            .map(|i| {
                let s0 = i * leaf;
                let len = if i + 1 == k { n - s0 } else { leaf };
                (s0, len)
            })
            .collect();
        let leaf_h = {
            let mut a = MatMut::from_column_major_slice_mut(&mut store, n, pc);
            if k > 1 && n * pc >= 100_000 {
                factor_leaves(a, &leaves, 0)
            } else {
                leaves.iter().map(|&(s0, len)| qr_leaf(a.as_mut().subrows_mut(s0, len))).collect()
            }
        };
        let top = if k > 1 {
            let mut t = Mat::<f64>::zeros(k * pc, pc);
            for (i, &(s0, _)) in leaves.iter().enumerate() {
                for c in 0..pc {
                    for r in 0..=c {
                        t[(i * pc + r, c)] = store[c * n + s0 + r];
                    }
                }
            }
            let h = qr_leaf(t.as_mut());
            Some((t, h))
        } else {
            None
        };
        Self { n, p, pc, qr: store, leaves, leaf_h, top, scale, sds }
    }

    /// `R₀[i, j]` (upper triangular).
    #[inline(always)]
    pub fn r(&self, i: usize, j: usize) -> f64 {
        if i > j {
            return 0.0;
        }
        match &self.top {
            Some((t, _)) => t[(i, j)],
            None => self.qr[j * self.n + i],
        }
    }

    fn a(&self) -> MatRef<'_, f64> {
        MatRef::from_column_major_slice(&self.qr, self.n, self.pc)
    }

    fn parallel(&self) -> bool {
        self.leaves.len() > 1 && self.n * self.pc >= 100_000
    }

    /// The first `p + 1` entries of `Qᵀy` when the response was factored with the design
    /// (all further entries are zero in this factorisation's coordinates).
    fn qty(&self) -> Option<Vec<f64>> {
        (self.pc > self.p).then(|| (0..=self.p).map(|i| self.r(i, self.p)).collect())
    }

    /// `v ← Qᵀ v` for an n-vector; afterwards `v[..p]` are the coordinates on the columns of
    /// `Q₁` (the part `R₀ x` fits) and `‖v[p..]‖` is the residual norm.
    pub fn apply_qt(&mut self, v: &mut [f64]) {
        debug_assert_eq!(v.len(), self.n);
        if self.parallel() {
            apply_leaves(self.a(), &self.leaf_h, &self.leaves, 0, v, true);
        } else {
            for (&(s0, len), h) in self.leaves.iter().zip(&self.leaf_h) {
                apply_leaf(self.a().subrows(s0, len), h.as_ref(), &mut v[s0..s0 + len], true);
            }
        }
        if let Some((t, h)) = &self.top {
            let p = self.pc;
            let mut g: Vec<f64> = Vec::with_capacity(self.leaves.len() * p);
            for &(s0, _) in &self.leaves {
                g.extend_from_slice(&v[s0..s0 + p]);
            }
            apply_leaf(t.as_ref(), h.as_ref(), &mut g, true);
            for (i, &(s0, _)) in self.leaves.iter().enumerate() {
                v[s0..s0 + p].copy_from_slice(&g[i * p..(i + 1) * p]);
            }
        }
    }

    /// `v ← Q v` for an n-vector (the inverse of [`QrFactor::apply_qt`]).
    pub fn apply_q(&mut self, v: &mut [f64]) {
        debug_assert_eq!(v.len(), self.n);
        if let Some((t, h)) = &self.top {
            let p = self.pc;
            let mut g: Vec<f64> = Vec::with_capacity(self.leaves.len() * p);
            for &(s0, _) in &self.leaves {
                g.extend_from_slice(&v[s0..s0 + p]);
            }
            apply_leaf(t.as_ref(), h.as_ref(), &mut g, false);
            for (i, &(s0, _)) in self.leaves.iter().enumerate() {
                v[s0..s0 + p].copy_from_slice(&g[i * p..(i + 1) * p]);
            }
        }
        if self.parallel() {
            apply_leaves(self.a(), &self.leaf_h, &self.leaves, 0, v, false);
        } else {
            for (&(s0, len), h) in self.leaves.iter().zip(&self.leaf_h) {
                apply_leaf(self.a().subrows(s0, len), h.as_ref(), &mut v[s0..s0 + len], false);
            }
        }
    }
}

/// `v ← R⁻¹ v` (back substitution) for the upper triangular `r(i, j)`, p×p.
fn tri_solve_r(p: usize, r: impl Fn(usize, usize) -> f64, v: &mut [f64]) {
    for i in (0..p).rev() {
        let s = v[i] - (i + 1..p).map(|j| r(i, j) * v[j]).sum::<f64>();
        v[i] = s / r(i, i);
    }
}

/// `v ← R⁻ᵀ v` (forward substitution).
fn tri_solve_rt(p: usize, r: impl Fn(usize, usize) -> f64, v: &mut [f64]) {
    for i in 0..p {
        let s = v[i] - (0..i).map(|j| r(j, i) * v[j]).sum::<f64>();
        v[i] = s / r(i, i);
    }
}

/// `R⁻¹` (upper triangular), row-major p×p.
fn tri_inverse(p: usize, r: impl Fn(usize, usize) -> f64 + Copy) -> Vec<f64> {
    let mut inv = vec![0.0; p * p];
    let mut e = vec![0.0; p];
    for j in 0..p {
        e.iter_mut().for_each(|v| *v = 0.0);
        e[j] = 1.0;
        tri_solve_r(p, r, &mut e);
        for i in 0..p {
            inv[i * p + j] = e[i];
        }
    }
    inv
}

/// 1-norm condition number of `R` given `R⁻¹` (row-major).
fn tri_condition(p: usize, r: impl Fn(usize, usize) -> f64, rinv: &[f64]) -> f64 {
    let mut nr = 0.0f64;
    let mut ni = 0.0f64;
    for j in 0..p {
        let a: f64 = (0..=j).map(|i| r(i, j).abs()).sum();
        let b: f64 = (0..=j).map(|i| rinv[i * p + j].abs()).sum();
        nr = nr.max(a);
        ni = ni.max(b);
    }
    nr * ni
}

/// Rank decision on an equilibrated triangular factor (see module docs). Returns the pivoted
/// numerical rank and the design indices of the aliased columns in data order.
fn tri_aliased(
    p: usize,
    r: impl Fn(usize, usize) -> f64,
    tol: f64,
) -> (usize, Vec<usize>, Vec<f64>) {
    if p == 0 {
        return (0, Vec::new(), Vec::new());
    }
    let r0 = Mat::<f64>::from_fn(p, p, |i, j| if i <= j { r(i, j) } else { 0.0 });
    let piv = r0.col_piv_qr();
    let rp = piv.R();
    let r11 = rp[(0, 0)].abs();
    let rank = (0..p).filter(|&k| rp[(k, k)].abs() > tol * r11 && r11 > 0.0).count();
    // Sequential (data-order) test on the columns of R₀: classical Gram–Schmidt with one
    // re-orthogonalisation ("twice is enough").
    let mut basis: Vec<Vec<f64>> = Vec::new();
    let mut aliased = Vec::new();
    let mut dist = vec![0.0; p];
    for (k, dk) in dist.iter_mut().enumerate() {
        let col: Vec<f64> = (0..p).map(|i| if i <= k { r(i, k) } else { 0.0 }).collect();
        let norm = col.iter().map(|v| v * v).sum::<f64>().sqrt();
        let mut v = col.clone();
        for _ in 0..2 {
            for q in &basis {
                let d: f64 = q.iter().zip(&v).map(|(a, b)| a * b).sum();
                for (vi, qi) in v.iter_mut().zip(q) {
                    *vi -= d * qi;
                }
            }
        }
        let rest = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        *dk = if norm > 0.0 { rest / norm } else { 0.0 };
        if norm == 0.0 || *dk <= tol {
            aliased.push(k);
        } else {
            basis.push(v.iter().map(|x| x / rest).collect());
        }
    }
    if aliased.len() < p - rank {
        // Borderline: the pivoted rank says more columns are dependent than the sequential
        // test found. Flag the remaining columns closest to the span of the others.
        let mut order: Vec<usize> = (0..p).filter(|k| !aliased.contains(k)).collect();
        order.sort_by(|&a, &b| dist[a].total_cmp(&dist[b]));
        let need = p - rank - aliased.len();
        aliased.extend(order.into_iter().take(need));
        aliased.sort_unstable();
    }
    (rank, aliased, dist)
}

/// How the least-squares solution is refined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefineMode {
    Auto,
    Always,
    Never,
}

/// Solution of the least-squares problem.
#[derive(Debug, Clone)]
pub(crate) struct LsSolution {
    /// Coefficients on the original (unscaled) design columns.
    pub coef: Vec<f64>,
    /// Residuals `y − X b`.
    pub residuals: Vec<f64>,
    /// Refinement steps taken (0 = plain QR solution).
    pub refinements: usize,
    /// Whether refinement reached its stopping criterion (true when not attempted).
    pub converged: bool,
    /// Last relative correction `max_k |δx_k| / |x_k|` (0 when not refined).
    pub last_correction: f64,
}

/// Compensated residuals of the augmented system at `(r, x)`:
/// `f = y − r − A x` and `g = −Aᵀ r`, with `A = X_design · diag(scale)`.
fn augmented_residuals(
    design: &Design<'_>,
    y: &[f64],
    r: &[f64],
    x: &[f64],
    scale: &[f64],
    f: &mut [f64],
    g: &mut [f64],
) {
    let p = design.p();
    // u = D x is exact (powers of two).
    let u: Vec<f64> = x.iter().zip(scale).map(|(a, d)| a * d).collect();
    let mut gacc = vec![Dot2::default(); p];
    design.for_each_row(|i, row| {
        let mut acc = Dot2::new(y[i]);
        acc.add(-r[i]);
        let ri = r[i];
        for k in 0..p {
            let a = row[k];
            acc.add_prod(-a, u[k]);
            gacc[k].add_prod(a, ri);
        }
        f[i] = acc.value();
    });
    for k in 0..p {
        g[k] = -gacc[k].value() * scale[k];
    }
}

impl QrFactor {
    /// Solve `min ‖y − X b‖` with the refinement policy `mode`.
    pub fn solve(
        &mut self,
        design: &Design<'_>,
        y: &[f64],
        mode: RefineMode,
        max_iter: usize,
        cond: f64,
    ) -> LsSolution {
        let n = self.n;
        let p = self.p;
        // Plain QR solution: x = R⁻¹ (Qᵀy)₁, r = Q [0; (Qᵀy)₂].
        let mut f = match self.qty() {
            Some(q) => {
                let mut f = vec![0.0; n];
                f[..=p].copy_from_slice(&q);
                f
            }
            None => {
                let mut f = y.to_vec();
                self.apply_qt(&mut f);
                f
            }
        };
        let mut x: Vec<f64> = f[..p].to_vec();
        self.solve_r(&mut x);
        let resid_norm = f[p..].iter().map(|v| v * v).sum::<f64>().sqrt();
        f[..p].iter_mut().for_each(|v| *v = 0.0);
        self.apply_q(&mut f);
        let mut r = f;
        let refine = match mode {
            RefineMode::Never => false,
            RefineMode::Always => true,
            RefineMode::Auto => {
                // Forward-error bound of Householder least squares (Higham 2002, §20.1):
                // ε (κ + κ² ρ) with ρ = ‖r‖ / (‖A‖ ‖x‖), ‖A‖ ≈ √p after equilibration.
                let xn = x.iter().map(|v| v * v).sum::<f64>().sqrt();
                let rho = if xn > 0.0 { resid_norm / ((p as f64).sqrt() * xn) } else { 0.0 };
                let bound = f64::EPSILON * (cond + cond * cond * rho) * (p as f64);
                bound.is_nan() || bound > 1e-13
            }
        };
        let mut refinements = 0;
        let mut converged = true;
        let mut last = 0.0;
        if refine {
            converged = false;
            let mut fv = vec![0.0; n];
            let mut g = vec![0.0; p];
            let mut prev = f64::INFINITY;
            for _ in 0..max_iter {
                augmented_residuals(design, y, &r, &x, &self.scale, &mut fv, &mut g);
                // Correction: Qᵀf = [f1; f2]; Rᵀh = g; δx = R⁻¹(f1 − h); δr = Q[h; f2].
                self.apply_qt(&mut fv);
                let mut h = g.clone();
                self.solve_rt(&mut h);
                let mut dx: Vec<f64> = fv[..p].iter().zip(&h).map(|(a, b)| a - b).collect();
                self.solve_r(&mut dx);
                fv[..p].copy_from_slice(&h);
                self.apply_q(&mut fv);
                let mut rel = 0.0f64;
                for k in 0..p {
                    let xk = x[k] + dx[k];
                    let d = if xk != 0.0 { (dx[k] / xk).abs() } else { dx[k].abs() };
                    rel = rel.max(d);
                    x[k] = xk;
                }
                for (ri, di) in r.iter_mut().zip(&fv) {
                    *ri += di;
                }
                refinements += 1;
                last = rel;
                if rel <= 2.0 * f64::EPSILON {
                    converged = true;
                    break;
                }
                if rel >= 0.5 * prev {
                    // No longer contracting: the limit of double precision storage is reached.
                    converged = rel <= 1e-12;
                    break;
                }
                prev = rel;
            }
        }
        let coef: Vec<f64> = x.iter().zip(&self.scale).map(|(a, d)| a * d).collect();
        LsSolution { coef, residuals: r, refinements, converged, last_correction: last }
    }
}

// ---------------------------------------------------------------------------------------------
// Streaming tall-skinny QR: the triangular factor without materialising a copy of the design.
// ---------------------------------------------------------------------------------------------

/// Rows per chunk of the fused O(n·p) passes.
const PASS_CHUNK: usize = 4096;

/// Dot product with eight independent accumulators (vectorises).
#[inline(always)]
fn dot8(a: &[f64], b: &[f64]) -> f64 {
    let mut s = [0.0f64; 8];
    let ca = a.chunks_exact(8);
    let cb = b.chunks_exact(8);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..8 {
            s[l] += x[l] * y[l];
        }
    }
    let mut t = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    for (x, y) in ra.iter().zip(rb) {
        t += x * y;
    }
    t
}

/// One fused, row-chunked, parallel sweep over the original data: fitted values `X b`,
/// residuals `y − X b`, and per column `Σ x_k (e² − c₀)` (for Breusch–Pagan). Chunk sums are
/// reduced in chunk order, so the result does not depend on the thread count.
pub(crate) fn residual_pass(
    design: &Design<'_>,
    y: &[f64],
    b: &[f64],
    c0: f64,
    fitted: &mut [f64],
    resid: &mut [f64],
) -> Vec<f64> {
    use rayon::prelude::*;
    let p = design.p();
    let off = usize::from(design.intercept);
    let x = &design.x;
    let rows_contig = x.ncols() <= 1 || x.strides()[1] == 1;
    let parts: Vec<Vec<f64>> = fitted
        .par_chunks_mut(PASS_CHUNK)
        .zip(resid.par_chunks_mut(PASS_CHUNK))
        .enumerate()
        .map(|(ci, (fc, rc))| {
            let start = ci * PASS_CHUNK;
            let mut acc = vec![0.0f64; p];
            let mut row = vec![0.0f64; p];
            if design.intercept {
                row[0] = 1.0;
            }
            for i in 0..fc.len() {
                let gi = start + i;
                let xr = x.row(gi);
                match (rows_contig, xr.as_slice()) {
                    (true, Some(s)) => {
                        for (k, &c) in design.cols.iter().enumerate() {
                            row[off + k] = s[c];
                        }
                    }
                    _ => {
                        for (k, &c) in design.cols.iter().enumerate() {
                            row[off + k] = xr[c];
                        }
                    }
                }
                let f = dot8(&row, b);
                let e = y[gi] - f;
                fc[i] = f;
                rc[i] = e;
                let w0 = e * e - c0;
                for (a, v) in acc.iter_mut().zip(&row) {
                    *a += v * w0;
                }
            }
            acc
        })
        .collect();
    let mut tot = vec![0.0f64; p];
    for part in &parts {
        for (t, v) in tot.iter_mut().zip(part) {
            *t += v;
        }
    }
    tot
}
