//! The least-squares engine behind [`super::Ols`].
//!
//! 1. The design (intercept column of ones, then the chosen columns of the borrowed `x`) is copied
//!    once into a column-major faer matrix and each column is scaled by a power of two close to
//!    the reciprocal of its Euclidean norm (column equilibration; exact, because the scale
//!    factors are powers of two).
//! 2. Blocked Householder QR of that copy, in place (faer): `A = Q₁ R₀`.
//! 3. Rank: column-pivoted (Businger–Golub) QR of the p×p factor `R₀`, `R₀ P = Q₂ R`. Since
//!    `A P = (Q₁ Q₂) R` this is a column-pivoted QR of `A` (QR preprocessing, as in Chan 1987),
//!    with all n-row work done by the level-3 blocked kernel. The numerical rank is the number of
//!    `|R_kk| > τ · |R_11|`. Which columns are aliased is then decided in the data order, as R
//!    does: a column is aliased when its distance from the span of the kept earlier columns is at
//!    most `τ` times its norm (computed on `R₀`, whose columns have the geometry of `A`'s).
//! 4. Solution by Björck's iterative refinement of the augmented system
//!    `[I A; Aᵀ 0] [r; x] = [y; 0]`, with the residuals of both block equations accumulated in
//!    compensated (double-double quality) arithmetic from the *original* data.

use faer::dyn_stack::{MemBuffer, MemStack};
use faer::linalg::householder;
use faer::linalg::qr::no_pivoting;
use faer::{Conj, Mat, MatMut, Par};
use ndarray::ArrayView2;

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
    fn for_each_row(&self, mut f: impl FnMut(usize, &[f64])) {
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
            if identity {
                if let Some(s) = row.as_slice() {
                    f(i, s);
                    continue;
                }
            }
            for (k, &c) in self.cols.iter().enumerate() {
                buf[off + k] = row[c];
            }
            f(i, &buf);
        }
    }
}

/// Householder QR of the equilibrated design.
pub(crate) struct QrFactor {
    n: usize,
    p: usize,
    /// Householder basis below the diagonal, `R₀` on and above it.
    qr: Mat<f64>,
    /// Block Householder factors.
    h: Mat<f64>,
    /// Column scale factors `d_k` (powers of two): `A = X_design · diag(d)`.
    pub scale: Vec<f64>,
    par: Par,
    buf: MemBuffer,
}

fn pow2_near_recip(norm: f64) -> f64 {
    if !(norm.is_finite() && norm > 0.0) {
        return 1.0;
    }
    let e = norm.log2().round() as i32;
    2f64.powi(-e)
}

/// Parallelism for an n×p problem: sequential unless the problem is large.
fn parallelism(n: usize, p: usize) -> Par {
    if n.saturating_mul(p) >= 200_000 { faer::get_global_parallelism() } else { Par::Seq }
}

impl QrFactor {
    /// Copy, equilibrate and factor the design.
    pub fn new(design: &Design<'_>) -> Self {
        let n = design.n();
        let p = design.p();
        let par = parallelism(n, p);
        let mut a = Mat::<f64>::zeros(n, p);
        // Copy in blocks of rows so that a row-major source is read sequentially.
        const BLOCK: usize = 256;
        let off = usize::from(design.intercept);
        if design.intercept {
            a.col_mut(0).fill(1.0);
        }
        if design.x.ncols() > 0 && design.x.strides()[0] == 1 {
            for (k, &c) in design.cols.iter().enumerate() {
                let src = design.x.column(c);
                let dst = a.col_mut(off + k);
                for (d, s) in dst.iter_mut().zip(src.iter()) {
                    *d = *s;
                }
            }
        } else {
            let mut start = 0;
            while start < n {
                let end = (start + BLOCK).min(n);
                for (k, &c) in design.cols.iter().enumerate() {
                    let mut col = a.col_mut(off + k);
                    for i in start..end {
                        col[i] = design.x[[i, c]];
                    }
                }
                start = end;
            }
        }
        let mut scale = vec![1.0; p];
        for (k, s) in scale.iter_mut().enumerate() {
            let nrm = a.col(k).norm_l2();
            *s = pow2_near_recip(nrm);
            let d = *s;
            for v in a.col_mut(k).iter_mut() {
                *v *= d;
            }
        }
        let size = n.min(p);
        let bs = no_pivoting::factor::recommended_block_size::<f64>(n, p).max(1);
        let mut h = Mat::<f64>::zeros(bs, size);
        let req = no_pivoting::factor::qr_in_place_scratch::<f64>(n, p, bs, par, Default::default())
            .or(householder::apply_block_householder_sequence_transpose_on_the_left_in_place_scratch::<
                f64,
            >(n, bs, 1))
            .or(householder::apply_block_householder_sequence_on_the_left_in_place_scratch::<f64>(
                n, bs, 1,
            ));
        let mut buf = MemBuffer::new(req);
        if size > 0 {
            no_pivoting::factor::qr_in_place(
                a.as_mut(),
                h.as_mut(),
                par,
                MemStack::new(&mut buf),
                Default::default(),
            );
        }
        Self { n, p, qr: a, h, scale, par, buf }
    }

    /// `R₀[i, j]` (upper triangular).
    #[inline(always)]
    pub fn r(&self, i: usize, j: usize) -> f64 {
        if i <= j { self.qr[(i, j)] } else { 0.0 }
    }

    /// The p×p factor `R₀` as a dense row-major vector.
    pub fn r_dense(&self) -> Vec<f64> {
        let p = self.p;
        let mut r = vec![0.0; p * p];
        for i in 0..p {
            for j in i..p {
                r[i * p + j] = self.qr[(i, j)];
            }
        }
        r
    }

    /// `v ← Q₁ᵀ v` for an n-vector.
    pub fn apply_qt(&mut self, v: &mut [f64]) {
        let n = self.n;
        let m = MatMut::from_column_major_slice_mut(v, n, 1);
        householder::apply_block_householder_sequence_transpose_on_the_left_in_place_with_conj(
            self.qr.as_ref(),
            self.h.as_ref(),
            Conj::Yes,
            m,
            self.par,
            MemStack::new(&mut self.buf),
        );
    }

    /// `v ← Q₁ v` for an n-vector.
    pub fn apply_q(&mut self, v: &mut [f64]) {
        let n = self.n;
        let m = MatMut::from_column_major_slice_mut(v, n, 1);
        householder::apply_block_householder_sequence_on_the_left_in_place_with_conj(
            self.qr.as_ref(),
            self.h.as_ref(),
            Conj::No,
            m,
            self.par,
            MemStack::new(&mut self.buf),
        );
    }

    /// `v ← R₀⁻¹ v` (back substitution).
    pub fn solve_r(&self, v: &mut [f64]) {
        let p = self.p;
        for i in (0..p).rev() {
            let mut s = v[i];
            for j in i + 1..p {
                s -= self.qr[(i, j)] * v[j];
            }
            v[i] = s / self.qr[(i, i)];
        }
    }

    /// `v ← R₀⁻ᵀ v` (forward substitution).
    pub fn solve_rt(&self, v: &mut [f64]) {
        let p = self.p;
        for i in 0..p {
            let mut s = v[i];
            for j in 0..i {
                s -= self.qr[(j, i)] * v[j];
            }
            v[i] = s / self.qr[(i, i)];
        }
    }

    /// `R₀⁻¹` (upper triangular), row-major p×p.
    pub fn r_inverse(&self) -> Vec<f64> {
        let p = self.p;
        let mut inv = vec![0.0; p * p];
        let mut e = vec![0.0; p];
        for j in 0..p {
            e.iter_mut().for_each(|v| *v = 0.0);
            e[j] = 1.0;
            self.solve_r(&mut e);
            for i in 0..p {
                inv[i * p + j] = e[i];
            }
        }
        inv
    }

    /// Rank decision (see module docs). Returns the pivoted numerical rank and the design
    /// indices of the aliased columns in data order (empty for a full-rank design).
    pub fn aliased(&self, tol: f64) -> (usize, Vec<usize>) {
        let p = self.p;
        if p == 0 {
            return (0, Vec::new());
        }
        let r0 = Mat::<f64>::from_fn(p, p, |i, j| self.r(i, j));
        let piv = r0.col_piv_qr();
        let rp = piv.R();
        let r11 = rp[(0, 0)].abs();
        let rank = (0..p).filter(|&k| rp[(k, k)].abs() > tol * r11 && r11 > 0.0).count();
        // Sequential (data-order) test on the columns of R₀: classical Gram–Schmidt with one
        // re-orthogonalisation ("twice is enough").
        let mut basis: Vec<Vec<f64>> = Vec::new();
        let mut aliased = Vec::new();
        let mut dist = vec![0.0; p];
        for k in 0..p {
            let col: Vec<f64> = (0..p).map(|i| self.r(i, k)).collect();
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
            dist[k] = if norm > 0.0 { rest / norm } else { 0.0 };
            if norm == 0.0 || dist[k] <= tol {
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
        (rank, aliased)
    }

    /// 1-norm condition number of `R₀` (= of the equilibrated design, up to the 1- vs 2-norm).
    pub fn condition(&self, rinv: &[f64]) -> f64 {
        let p = self.p;
        let mut nr = 0.0f64;
        let mut ni = 0.0f64;
        for j in 0..p {
            let a: f64 = (0..=j).map(|i| self.qr[(i, j)].abs()).sum();
            let b: f64 = (0..=j).map(|i| rinv[i * p + j].abs()).sum();
            nr = nr.max(a);
            ni = ni.max(b);
        }
        nr * ni
    }
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
        let mut f = y.to_vec();
        self.apply_qt(&mut f);
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
                !(bound <= 1e-13)
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
