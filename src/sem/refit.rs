//! Fast refits of a compiled model to a new sample covariance (bootstrap replications, BCa
//! jackknife deletions, Monte Carlo draws).
//!
//! A refit starts at the full-sample estimates θ̂ and runs BFGS whose initial inverse Hessian is
//! the inverse of the full-sample scoring matrix, ½(ΔᵀWΔ)⁻¹ (computed once per bootstrap), so
//! its first step is a Fisher-scoring step with the full-sample information and later steps add
//! the curvature of the resample from the secant updates. What makes it fast is the gradient:
//! instead of building Δ = ∂vech Σ/∂θᵀ (p(p+1)/2 × q) at every iteration, the gradient is taken
//! from the matrix form of ∂F/∂Σ,
//!
//! ```text
//! dF = tr(E dΣ)                    E = Σ⁻¹(Σ − S)Σ⁻¹ (ML),  S⁻¹(Σ − S)S⁻¹ (GLS),
//!                                  E_ii = 2(σ − s)_ii, E_ij = (σ − s)_ij (ULS)
//! M = Λ A,  A = (I − B)⁻¹,  C = A Ψ Mᵀ,  Σ = Λ C + Θ
//! ∂F/∂λ_ij = 2 (E Cᵀ)_ij
//! ∂F/∂β_ij = 2 (Mᵀ E Cᵀ)_ij
//! ∂F/∂ψ_ij = 2 (Mᵀ E M)_ij  (i ≠ j),   (Mᵀ E M)_ii
//! ∂F/∂θ_ij = 2 E_ij         (i ≠ j),   E_ii
//! ```
//!
//! summed over the rows that share a free parameter (equality labels). That is O(p²m) per
//! gradient instead of O(p²q·m). All matrices live in a [`Workspace`] allocated once per refit;
//! the iterations do not allocate.

use ndarray::Array2;
use ndarray::linalg::general_mat_mul;

use super::model::{MatKind, ModelStructure};
use super::objective::{Discrepancy, Objective};
use crate::core::linalg::small::{self, dot};

/// Gradient tolerance of the refit: the engine's criterion, max |∂F/∂θ| < 1e-10.
pub(crate) const GRAD_TOL: f64 = 1e-10;
/// A step below this (with max |∂F/∂θ| < 1e-7) also ends the iteration (numerical floor).
const STEP_TOL: f64 = 1e-11;
/// Iteration limit of the fast BFGS; beyond it the engine's Fisher scoring takes over.
pub(crate) const FAST_MAX_ITER: usize = 200;

/// Model matrices and scratch space for evaluating F and its gradient without allocation.
pub(crate) struct Workspace {
    p: usize,
    m: usize,
    has_beta: bool,
    lambda: Array2<f64>,
    beta: Array2<f64>,
    psi: Array2<f64>,
    theta: Array2<f64>,
    /// Gauss–Jordan scratch for I − B.
    ib: Array2<f64>,
    a: Array2<f64>,
    /// M = Λ A (p × m)
    mm: Array2<f64>,
    /// A Ψ (m × m)
    apsi: Array2<f64>,
    /// C = A Ψ Mᵀ (m × p)
    c: Array2<f64>,
    sigma: Array2<f64>,
    /// Cholesky factor of Σ, then scratch.
    l: Array2<f64>,
    /// L⁻¹ scratch.
    li: Array2<f64>,
    /// Σ⁻¹ (ML)
    sinv: Array2<f64>,
    /// p × p scratch
    t: Array2<f64>,
    /// E = ∂F/∂Σ in matrix form
    e: Array2<f64>,
    /// E Cᵀ (p × m)
    ec: Array2<f64>,
    /// E M (p × m)
    em: Array2<f64>,
    /// Mᵀ E M (m × m)
    mem: Array2<f64>,
    /// Mᵀ E Cᵀ (m × m)
    mec: Array2<f64>,
    any_lambda: bool,
    any_psi: bool,
    /// Evaluations of F since creation (diagnostics).
    pub(crate) n_eval: usize,
}

impl Workspace {
    pub(crate) fn new(st: &ModelStructure) -> Self {
        let p = st.lambda0.nrows();
        let m = st.m;
        let z = |r: usize, c: usize| Array2::<f64>::zeros((r, c));
        let free_kind = |k: MatKind| {
            st.slots.iter().zip(st.free.iter()).any(|(s, f)| f.is_some() && s.kind == k)
        };
        Self {
            p,
            m,
            has_beta: st.has_beta,
            lambda: st.lambda0.clone(),
            beta: st.beta0.clone(),
            psi: st.psi0.clone(),
            theta: st.theta0.clone(),
            ib: z(m, m),
            a: Array2::eye(m),
            mm: z(p, m),
            apsi: z(m, m),
            c: z(m, p),
            sigma: z(p, p),
            l: z(p, p),
            li: z(p, p),
            sinv: z(p, p),
            t: z(p, p),
            e: z(p, p),
            ec: z(p, m),
            em: z(p, m),
            mem: z(m, m),
            mec: z(m, m),
            any_lambda: free_kind(MatKind::Lambda) || free_kind(MatKind::Beta),
            any_psi: free_kind(MatKind::Psi),
            n_eval: 0,
        }
    }

    /// Fill the model matrices at θ (fixed values from `st`, free ones from θ).
    fn load(&mut self, st: &ModelStructure, theta: &[f64]) {
        self.lambda.assign(&st.lambda0);
        self.beta.assign(&st.beta0);
        self.psi.assign(&st.psi0);
        self.theta.assign(&st.theta0);
        for (sl, f) in st.slots.iter().zip(st.free.iter()) {
            let Some(f) = *f else { continue };
            let v = theta[f];
            let (i, j) = (sl.i, sl.j);
            match sl.kind {
                MatKind::Lambda => self.lambda[[i, j]] = v,
                MatKind::Beta => self.beta[[i, j]] = v,
                MatKind::Psi => {
                    self.psi[[i, j]] = v;
                    self.psi[[j, i]] = v;
                }
                MatKind::Theta => {
                    self.theta[[i, j]] = v;
                    self.theta[[j, i]] = v;
                }
                // mean-structure models are refused before a refit (SemFit::bootstrap_array,
                // SemFit::power): no ν or α slot reaches here
                MatKind::Nu | MatKind::Alpha => {}
            }
        }
    }

    /// A = (I − B)⁻¹, M = Λ A, C = A Ψ Mᵀ, Σ = Λ C + Θ. `false` if I − B is singular.
    fn implied(&mut self) -> bool {
        let m = self.m;
        if self.has_beta {
            // Gauss–Jordan with partial pivoting, same singularity threshold as the engine
            self.ib.fill(0.0);
            self.ib.scaled_add(-1.0, &self.beta);
            for d in 0..m {
                self.ib[[d, d]] += 1.0;
            }
            let scale = self.ib.iter().fold(0.0f64, |s, v| s.max(v.abs())).max(f64::MIN_POSITIVE);
            self.a.fill(0.0);
            for d in 0..m {
                self.a[[d, d]] = 1.0;
            }
            let (w, inv) = (&mut self.ib, &mut self.a);
            for c in 0..m {
                let (mut piv, mut best) = (c, w[[c, c]].abs());
                for r in (c + 1)..m {
                    if w[[r, c]].abs() > best {
                        best = w[[r, c]].abs();
                        piv = r;
                    }
                }
                if best.is_nan() || best <= 1e-13 * scale {
                    return false;
                }
                if piv != c {
                    for k in 0..m {
                        w.swap([c, k], [piv, k]);
                        inv.swap([c, k], [piv, k]);
                    }
                }
                let d = w[[c, c]];
                for k in 0..m {
                    w[[c, k]] /= d;
                    inv[[c, k]] /= d;
                }
                for r in 0..m {
                    if r != c {
                        let f = w[[r, c]];
                        if f != 0.0 {
                            for k in 0..m {
                                w[[r, k]] -= f * w[[c, k]];
                                inv[[r, k]] -= f * inv[[c, k]];
                            }
                        }
                    }
                }
            }
            if !self.a.iter().all(|v| v.is_finite()) {
                return false;
            }
            mul_ab(&self.lambda, &self.a, 0.0, &mut self.mm);
            mul_ab(&self.a, &self.psi, 0.0, &mut self.apsi);
        } else {
            self.mm.assign(&self.lambda);
            self.apsi.assign(&self.psi);
        }
        mul_abt(&self.apsi, &self.mm, &mut self.c);
        self.sigma.assign(&self.theta);
        mul_ab(&self.lambda, &self.c, 1.0, &mut self.sigma);
        // symmetrize as the engine does
        let p = self.p;
        for i in 0..p {
            for j in (i + 1)..p {
                let v = 0.5 * (self.sigma[[i, j]] + self.sigma[[j, i]]);
                self.sigma[[i, j]] = v;
                self.sigma[[j, i]] = v;
            }
        }
        self.sigma.iter().all(|v| v.is_finite())
    }

    /// F at the implied Σ; `None` if Σ is not positive definite (ML) or F is not finite.
    fn value(&mut self, obj: &Objective) -> Option<f64> {
        let p = self.p;
        let f = match obj.kind {
            Discrepancy::Ml => {
                let logdet =
                    spd_inverse_logdet(&self.sigma, &mut self.l, &mut self.li, &mut self.sinv)?;
                let tr = match (obj.s.as_slice(), self.sinv.as_slice()) {
                    (Some(a), Some(b)) => dot(a, b),
                    _ => obj.s.iter().zip(self.sinv.iter()).map(|(a, b)| a * b).sum(),
                };
                logdet + tr - obj.logdet_s - p as f64
            }
            Discrepancy::Gls => {
                // ½ tr{[S⁻¹(S − Σ)]²}
                self.e.assign(&obj.s);
                self.e -= &self.sigma;
                general_mat_mul(1.0, &obj.s_inv, &self.e, 0.0, &mut self.t);
                let mut f = 0.0;
                for i in 0..p {
                    for j in 0..p {
                        f += self.t[[i, j]] * self.t[[j, i]];
                    }
                }
                0.5 * f
            }
            Discrepancy::Uls => {
                obj.pairs.iter().map(|&(i, j)| (obj.s[[i, j]] - self.sigma[[i, j]]).powi(2)).sum()
            }
        };
        f.is_finite().then_some(f)
    }

    /// F at θ (the workspace then holds that point for [`Self::gradient`]).
    pub(crate) fn eval(
        &mut self,
        st: &ModelStructure,
        obj: &Objective,
        theta: &[f64],
    ) -> Option<f64> {
        self.n_eval += 1;
        if theta.iter().any(|v| !v.is_finite()) {
            return None;
        }
        self.load(st, theta);
        if !self.implied() {
            return None;
        }
        self.value(obj)
    }

    /// ∂F/∂θ at the point of the last successful [`Self::eval`], written into `g`.
    pub(crate) fn gradient(&mut self, st: &ModelStructure, obj: &Objective, g: &mut [f64]) {
        let p = self.p;
        // E = ∂F/∂Σ (symmetric matrix form: dF = tr(E dΣ))
        match obj.kind {
            Discrepancy::Ml => {
                // E = Σ⁻¹ − Σ⁻¹ S Σ⁻¹
                general_mat_mul(1.0, &obj.s, &self.sinv, 0.0, &mut self.t);
                self.e.assign(&self.sinv);
                general_mat_mul(-1.0, &self.sinv, &self.t, 1.0, &mut self.e);
            }
            Discrepancy::Gls => {
                // E = S⁻¹ (Σ − S) S⁻¹
                self.l.assign(&self.sigma);
                self.l -= &obj.s;
                general_mat_mul(1.0, &self.l, &obj.s_inv, 0.0, &mut self.t);
                general_mat_mul(1.0, &obj.s_inv, &self.t, 0.0, &mut self.e);
            }
            Discrepancy::Uls => {
                for i in 0..p {
                    for j in 0..p {
                        let d = self.sigma[[i, j]] - obj.s[[i, j]];
                        self.e[[i, j]] = if i == j { 2.0 * d } else { d };
                    }
                }
            }
        }
        // symmetrize E (rounding) so that the result does not depend on the triangle read
        for i in 0..p {
            for j in (i + 1)..p {
                let v = 0.5 * (self.e[[i, j]] + self.e[[j, i]]);
                self.e[[i, j]] = v;
                self.e[[j, i]] = v;
            }
        }
        if self.any_lambda {
            general_mat_mul(1.0, &self.e, &self.c.t(), 0.0, &mut self.ec);
            if self.has_beta {
                general_mat_mul(1.0, &self.mm.t(), &self.ec, 0.0, &mut self.mec);
            }
        }
        if self.any_psi {
            general_mat_mul(1.0, &self.e, &self.mm, 0.0, &mut self.em);
            general_mat_mul(1.0, &self.mm.t(), &self.em, 0.0, &mut self.mem);
        }
        g.iter_mut().for_each(|v| *v = 0.0);
        for (sl, f) in st.slots.iter().zip(st.free.iter()) {
            let Some(f) = *f else { continue };
            let (i, j) = (sl.i, sl.j);
            g[f] += match sl.kind {
                MatKind::Lambda => 2.0 * self.ec[[i, j]],
                MatKind::Beta => 2.0 * self.mec[[i, j]],
                MatKind::Psi => {
                    if i == j {
                        self.mem[[i, i]]
                    } else {
                        2.0 * self.mem[[i, j]]
                    }
                }
                MatKind::Theta => {
                    if i == j {
                        self.e[[i, i]]
                    } else {
                        2.0 * self.e[[i, j]]
                    }
                }
                MatKind::Nu | MatKind::Alpha => 0.0,
            };
        }
    }
}

/// Inverse and log-determinant of a symmetric positive definite matrix into preallocated `l`,
/// `u` and `inv` ([`small::spd_inverse_logdet_into`]).
fn spd_inverse_logdet(
    a: &Array2<f64>,
    l: &mut Array2<f64>,
    u: &mut Array2<f64>,
    inv: &mut Array2<f64>,
) -> Option<f64> {
    let n = a.nrows();
    let (Some(a), Some(l), Some(u), Some(inv)) =
        (a.as_slice(), l.as_slice_mut(), u.as_slice_mut(), inv.as_slice_mut())
    else {
        return None;
    };
    small::spd_inverse_logdet_into(a, n, l, u, inv)
}

/// c ← β c + a b ([`small::matmul_acc`]); the general product for other layouts.
fn mul_ab(a: &Array2<f64>, b: &Array2<f64>, beta: f64, c: &mut Array2<f64>) {
    let (r, k) = a.dim();
    let n = b.ncols();
    let (Some(sa), Some(sb)) = (a.as_slice(), b.as_slice()) else {
        general_mat_mul(1.0, a, b, beta, c);
        return;
    };
    let Some(sc) = c.as_slice_mut() else {
        general_mat_mul(1.0, a, b, beta, c);
        return;
    };
    small::matmul_acc(sa, sb, r, k, n, beta, sc);
}

/// c ← a bᵀ ([`small::matmul_abt`]); the general product for other layouts.
fn mul_abt(a: &Array2<f64>, b: &Array2<f64>, c: &mut Array2<f64>) {
    let k = a.ncols();
    let (r, n) = (a.nrows(), b.nrows());
    let (Some(sa), Some(sb)) = (a.as_slice(), b.as_slice()) else {
        general_mat_mul(1.0, a, &b.t(), 0.0, c);
        return;
    };
    let Some(sc) = c.as_slice_mut() else {
        general_mat_mul(1.0, a, &b.t(), 0.0, c);
        return;
    };
    small::matmul_abt(sa, sb, r, k, n, sc);
}

/// Result of the fast iteration.
pub(crate) struct FastOutcome {
    /// Last accepted point.
    pub theta: Vec<f64>,
    /// Converged to the gradient tolerance (or the numerical floor).
    pub converged: bool,
    /// Iterations taken.
    pub iterations: usize,
    /// max |∂F/∂θ| at `theta`.
    #[allow(dead_code)] // read by the tests
    pub grad_max: f64,
}

/// BFGS from `start` with initial inverse Hessian `h0` (the full-sample ½(ΔᵀWΔ)⁻¹), Armijo
/// backtracking; `None` if F cannot be evaluated at `start`.
///
/// Stops when max |g| < [`GRAD_TOL`] or (step < 1e-11 and max |g| < 1e-7); otherwise after
/// `max_iter` iterations or a failed line search with `converged = false`.
pub(crate) fn bfgs(
    st: &ModelStructure,
    obj: &Objective,
    start: &[f64],
    h0: &Array2<f64>,
    max_iter: usize,
    ws: &mut Workspace,
) -> Option<FastOutcome> {
    let q = start.len();
    let mut f = ws.eval(st, obj, start)?;
    let mut theta = start.to_vec();
    let mut cand = vec![0.0; q];
    let mut g = vec![0.0; q];
    let mut g_new = vec![0.0; q];
    let mut dir = vec![0.0; q];
    let mut sv = vec![0.0; q];
    let mut y = vec![0.0; q];
    let mut hy = vec![0.0; q];
    // row-major copies whatever the layout of h0
    let h0s: Vec<f64> = h0.iter().copied().collect();
    let mut hinv = h0s.clone();
    if h0s.len() != q * q {
        return None;
    }
    ws.gradient(st, obj, &mut g);
    let mut gmax = max_abs(&g);
    let mut converged = false;
    let mut iterations = 0;
    while iterations < max_iter {
        if gmax < GRAD_TOL {
            converged = true;
            break;
        }
        iterations += 1;
        let h = hinv.as_mut_slice();
        let mut slope = sym_mv_neg(h, &g, &mut dir);
        if slope.is_nan() || slope >= 0.0 {
            h.copy_from_slice(&h0s);
            slope = sym_mv_neg(h, &g, &mut dir);
        }
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..30 {
            for ((c, a), d) in cand.iter_mut().zip(theta.iter()).zip(dir.iter()) {
                *c = a + t * d;
            }
            if let Some(fc) = ws.eval(st, obj, &cand) {
                let ok = fc <= f + 1e-4 * t * slope
                    || (gmax < 1e-6 && fc <= f + 1e-14 * (1.0 + f.abs()));
                if ok {
                    accepted = Some(fc);
                    break;
                }
            }
            t *= 0.5;
        }
        let Some(fc) = accepted else { break };
        ws.gradient(st, obj, &mut g_new);
        let mut sy = 0.0;
        let mut moved = 0.0f64;
        for i in 0..q {
            sv[i] = cand[i] - theta[i];
            y[i] = g_new[i] - g[i];
            sy += sv[i] * y[i];
            moved = moved.max(sv[i].abs());
        }
        theta.copy_from_slice(&cand);
        g.copy_from_slice(&g_new);
        f = fc;
        gmax = max_abs(&g);
        if sy > 1e-300 {
            // H ← H − ρ(H y sᵀ + s yᵀ H) + (ρ² yᵀHy + ρ) s sᵀ
            let rho = 1.0 / sy;
            let mut yhy = 0.0;
            for i in 0..q {
                let v = dot(&h[i * q..(i + 1) * q], &y);
                hy[i] = v;
                yhy += y[i] * v;
            }
            let c = rho * rho * yhy + rho;
            for i in 0..q {
                // row_i += (c s_i − ρ Hy_i) sᵀ − ρ s_i (Hy)ᵀ
                let (a, b) = (c * sv[i] - rho * hy[i], -rho * sv[i]);
                let row = &mut h[i * q..(i + 1) * q];
                for ((r, sj), hyj) in row.iter_mut().zip(sv.iter()).zip(hy.iter()) {
                    *r += a * sj + b * hyj;
                }
            }
        }
        if gmax < GRAD_TOL || (moved < STEP_TOL && gmax < 1e-7) {
            converged = true;
            break;
        }
    }
    Some(FastOutcome { theta, converged, iterations, grad_max: gmax })
}

/// dir = −H g; returns gᵀdir.
fn sym_mv_neg(h: &[f64], g: &[f64], dir: &mut [f64]) -> f64 {
    let q = g.len();
    let mut slope = 0.0;
    for i in 0..q {
        let v = dot(&h[i * q..(i + 1) * q], g);
        dir[i] = -v;
        slope -= g[i] * v;
    }
    slope
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |a, b| a.max(b.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;
    use crate::sem::bootstrap::{Centred, Refitter};
    use crate::sem::estimate;
    use crate::sem::{Estimator, Sem, SemFit};
    use rand::RngExt;

    const HS: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";
    const POLDEM: &str = "ind60 =~ x1 + x2 + x3
dem60 =~ y1 + a*y2 + b*y3 + c*y4
dem65 =~ y5 + a*y6 + b*y7 + c*y8
dem60 ~ ind60
dem65 ~ ind60 + dem60
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8";
    const MEDIATION: &str = "x9 ~ c*x1 + b*x5\nx5 ~ a*x1\nind := a*b";

    fn data(file: &str) -> Dataset {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/data")
            .join(file);
        Dataset::from_csv_path(path).unwrap()
    }

    fn study_sem() -> String {
        crate::study::StudyDesign::chengdu_chongqing().sem_syntax()
    }

    fn centred(fit: &SemFit, d: &Dataset) -> Centred {
        let x = d.select(fit.observed()).unwrap();
        let (x, _) = crate::moments::complete_rows(&x);
        Centred::new(&x)
    }

    fn resample(seed: u64, b: u64, n: usize) -> Vec<usize> {
        let mut rng = crate::resample::stream_rng(seed, b);
        (0..n).map(|_| rng.random_range(0..n)).collect()
    }

    /// The matrix-form gradient equals the engine's Δᵀ ∂F/∂vech Σ at points away from the
    /// optimum, for every matrix kind (Λ, B, Ψ, Θ incl. residual covariances), equality labels,
    /// fixed-x covariates and the three discrepancy functions.
    #[test]
    fn matrix_gradient_equals_delta_gradient() {
        let hs = data("HolzingerSwineford1939.csv");
        let pd = data("PoliticalDemocracy.csv");
        let cases = [
            (HS, &hs, Estimator::Ml),
            (HS, &hs, Estimator::Gls),
            (HS, &hs, Estimator::Uls),
            (POLDEM, &pd, Estimator::Ml),
            (POLDEM, &pd, Estimator::Uls),
            (MEDIATION, &hs, Estimator::Ml),
        ];
        for (syntax, d, est) in cases {
            let fit = Sem::from_syntax(syntax).unwrap().estimator(est).fit(d).unwrap();
            let st = &fit.st;
            let obj = &fit.obj;
            let mut ws = Workspace::new(st);
            let q = fit.theta.len();
            for k in 0..3 {
                let theta: Vec<f64> = fit
                    .theta
                    .iter()
                    .enumerate()
                    .map(|(i, v)| v * (1.0 + 0.03 * (((i * 7 + k * 3) % 5) as f64 - 2.0)))
                    .collect();
                let f = ws.eval(st, obj, &theta).unwrap();
                let pt = estimate::eval(st, obj, &theta).unwrap();
                assert!(
                    (f - pt.val.f).abs() <= 1e-12 * (1.0 + f.abs()),
                    "{syntax}: F {f} vs {}",
                    pt.val.f
                );
                let mut g = vec![0.0; q];
                ws.gradient(st, obj, &mut g);
                let (g0, _) = estimate::gradient(st, obj, &pt);
                let scale = g0.iter().fold(1.0f64, |a, b| a.max(b.abs()));
                for j in 0..q {
                    assert!(
                        (g[j] - g0[j]).abs() <= 1e-12 * scale,
                        "{syntax} {est:?} {}: {} vs {}",
                        fit.par_names[j],
                        g[j],
                        g0[j]
                    );
                }
            }
        }
    }

    /// On resamples of HS CFA, PoliticalDemocracy and the study SEM the fast refit reaches the
    /// optimum that the full optimizer (fresh start values, engine BFGS/scoring) finds, and the
    /// engine's own gradient there meets the tolerance.
    #[test]
    fn fast_refit_reaches_the_full_optimum() {
        let study = study_sem();
        let cases = [
            (HS, "HolzingerSwineford1939.csv", 12usize),
            (POLDEM, "PoliticalDemocracy.csv", 12),
            (study.as_str(), "study_survey.csv", 6),
        ];
        for (syntax, file, reps) in cases {
            let d = data(file);
            let sem = Sem::from_syntax(syntax).unwrap();
            let fit = sem.fit(&d).unwrap();
            let c = centred(&fit, &d);
            let n = c.n;
            let refitter = Refitter::new(&fit, 500);
            let names = fit.observed().to_vec();
            let (mut compared, mut iters, mut fallbacks) = (0, 0, 0);
            for b in 0..reps as u64 {
                let idx = resample(99, b, n);
                let s = c.scatter_of(&idx);
                let r = refitter.refit(&s, n, &fit.theta).unwrap();
                iters += r.iterations;
                fallbacks += usize::from(r.fell_back);
                // engine gradient at the fast solution
                let s_fit = &s / n as f64;
                let obj = Objective::new(fit.obj.kind, &s_fit, fit.st.vech.clone()).unwrap();
                let pt = estimate::eval(&fit.st, &obj, &r.theta).unwrap();
                let (g, _) = estimate::gradient(&fit.st, &obj, &pt);
                let gmax = g.iter().fold(0.0f64, |a, v| a.max(v.abs()));
                assert!(gmax < 1e-9, "{file} rep {b}: gradient {gmax}");
                // full optimizer from the default start values
                let cov = &s / (n as f64 - 1.0);
                let Ok(full) = sem.fit_cov(&cov, &names, n) else { continue };
                let dmax = full
                    .coefficients()
                    .iter()
                    .zip(r.theta.iter())
                    .fold(0.0f64, |a, (x, y)| a.max((x - y).abs()));
                assert!(dmax <= 1e-6, "{file} rep {b}: max |dtheta| = {dmax}");
                compared += 1;
            }
            assert!(compared >= reps - 1, "{file}: only {compared} full fits to compare");
            eprintln!(
                "{file}: {reps} resamples, mean fast iterations {:.1}, fallbacks {fallbacks}",
                iters as f64 / reps as f64
            );
        }
    }

    /// The jackknife path (rank-one downdate) uses the same refit and reaches the same optimum.
    #[test]
    fn jackknife_refit_matches_full_fit() {
        let d = data("PoliticalDemocracy.csv");
        let sem = Sem::from_syntax(POLDEM).unwrap();
        let fit = sem.fit(&d).unwrap();
        let c = centred(&fit, &d);
        let n = c.n;
        let refitter = Refitter::new(&fit, 500);
        for i in [0usize, 17, 74] {
            let s = c.scatter_without(i);
            let r = refitter.refit(&s, n - 1, &fit.theta).unwrap();
            let keep: Vec<usize> = (0..n).filter(|&k| k != i).collect();
            let full = sem.fit(&d.subset_rows(&keep).unwrap()).unwrap();
            for (a, b) in full.coefficients().iter().zip(r.theta.iter()) {
                assert!((a - b).abs() <= 1e-6, "row {i}: {a} vs {b}");
            }
        }
    }
}

#[cfg(test)]
mod timing {
    use crate::data::Dataset;
    use crate::sem::Sem;
    use crate::sem::bootstrap::{Centred, Refitter};
    use rand::RngExt;

    /// CPU time of this thread (s), from /proc/thread-self/schedstat (load-insensitive).
    fn cpu() -> f64 {
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
        s.split_whitespace().next().and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) * 1e-9
    }

    /// `cargo test --release --lib refit_timing -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn refit_timing() {
        let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/data/study_survey.csv");
        let d = Dataset::from_csv_path(path).unwrap();
        let syntax = crate::study::StudyDesign::chengdu_chongqing().sem_syntax();
        let fit = Sem::from_syntax(&syntax).unwrap().fit(&d).unwrap();
        let x = d.select(fit.observed()).unwrap();
        let (x, _) = crate::moments::complete_rows(&x);
        let c = Centred::new(&x);
        let n = c.n;
        let refitter = Refitter::new(&fit, 500);
        let idx: Vec<Vec<usize>> = (0..300u64)
            .map(|b| {
                let mut rng = crate::resample::stream_rng(5, b);
                (0..n).map(|_| rng.random_range(0..n)).collect()
            })
            .collect();
        let t = cpu();
        let scat: Vec<_> = idx.iter().map(|i| c.scatter_of(i)).collect();
        let ts = cpu() - t;
        let t = cpu();
        let mut it = 0;
        for s in &scat {
            it += refitter.refit(s, n, &fit.theta).unwrap().iterations;
        }
        let tr = cpu() - t;
        let t = cpu();
        let mut ws = super::Workspace::new(&fit.st);
        for s in &scat {
            let s_fit = s / n as f64;
            let obj =
                crate::sem::objective::Objective::new(fit.obj.kind, &s_fit, fit.st.vech.clone())
                    .unwrap();
            let h0 = &fit.info_inv * 0.5;
            super::bfgs(&fit.st, &obj, &fit.theta, &h0, 200, &mut ws).unwrap();
        }
        let tb = cpu() - t;
        eprintln!("evals per refit {:.2}", ws.n_eval as f64 / 300.0);
        let t = cpu();
        for _ in 0..20 {
            for s in &scat {
                let s_fit = s / n as f64;
                let obj = crate::sem::objective::Objective::new(
                    fit.obj.kind,
                    &s_fit,
                    fit.st.vech.clone(),
                )
                .unwrap();
                std::hint::black_box(obj);
            }
        }
        let to = (cpu() - t) / 20.0;
        eprintln!("objective new {:.1} us", to / 300.0 * 1e6);
        let t = cpu();
        for _ in 0..20 {
            for _ in &scat {
                ws.eval(&fit.st, &fit.obj, &fit.theta).unwrap();
            }
        }
        let te = (cpu() - t) / 20.0;
        let t = cpu();
        let mut g = vec![0.0; fit.theta.len()];
        for _ in 0..20 {
            for _ in &scat {
                ws.gradient(&fit.st, &fit.obj, &mut g);
            }
        }
        let tg = (cpu() - t) / 20.0;
        eprintln!(
            "bfgs only {:.1} us, objective+eval {:.1} us, gradient {:.1} us",
            tb / 300.0 * 1e6,
            te / 300.0 * 1e6,
            tg / 300.0 * 1e6
        );
        eprintln!(
            "scatter {:.1} us, refit {:.1} us, iterations {:.2}",
            ts / 300.0 * 1e6,
            tr / 300.0 * 1e6,
            it as f64 / 300.0
        );
    }
}
