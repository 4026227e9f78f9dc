//! Sample statistics of ordinal items given exogenous covariates (lavaan's `conditional.x`):
//! per item an ordered probit regression on the covariates (thresholds and slopes,
//! [`super::probit`]), per pair of items the residual (conditional) polychoric correlation, and
//! the asymptotic covariance Γ of all of them.
//!
//! ```text
//! step 1 (item j):   P(y_j = c | x) = Φ(τ_jc − xᵀβ_j) − Φ(τ_j,c−1 − xᵀβ_j)
//! step 2 (pair i,j): P(y_i = a, y_j = b | x) = Φ₂ over [τ_i,a−1 − xᵀβ_i, τ_ia − xᵀβ_i]
//!                                              × [τ_j,b−1 − xᵀβ_j, τ_jb − xᵀβ_j]  at ρ_ij,
//!                    ρ_ij maximises Σ_rows log P with the step-1 estimates held fixed
//! Γ = A⁻¹ B A⁻ᵀ,  B = (1/N) Σ_i s_i s_iᵀ  (s_i: all step-1 and step-2 scores of row i)
//! A = [A₁₁ 0; A₂₁ A₂₂]: A₁₁ block diagonal, per item the outer product of its step-1 scores;
//!     A₂₁ the outer product of each ρ score with the pair's own scores in (τ, β);
//!     A₂₂ diagonal, the outer product of each ρ score   (all divided by N)
//! ```
//!
//! The outer-product (first-order) estimates of the information blocks are the ones of Muthén
//! (1984) as lavaan 0.6.14 forms them; without covariates they reduce to
//! [`crate::ordinal::Acov`]. The order of the statistics is lavaan's `wls.obs`: thresholds item
//! by item, then the slopes covariate by covariate (all items for the first covariate, …), then
//! the correlations column by column of the lower triangle. Γ is the covariance of
//! √N (ŝ − s) (lavaan's NACOV).
//!
//! Validated against lavaan 0.6.14 (`lavInspect(fit, "sampstat")`, `"wls.obs"`, `"gamma"`) on
//! HolzingerSwineford1939 items cut into 3–5 categories with sex and age as covariates
//! (tests/reference/ordinal_mimic.rs).
//!
//! # References
//! Muthén, B. (1984). A general structural equation model with dichotomous, ordered
//! categorical, and continuous latent variable indicators. *Psychometrika*, 49, 115–132.
//! Muthén, B., du Toit, S. H. C. & Spisic, D. (1997). Robust inference using weighted least
//! squares and quadratic estimating equations in latent variable modeling with categorical and
//! continuous outcomes. Unpublished technical report.

use ndarray::Array2;

use super::bvn::{dbvn, dpbvn_dx, pbvn};
use super::pair::score_root;
use super::probit;
use super::separation;
use crate::core::linalg;
use crate::error::{Error, Result};

/// The conditional sample statistics and their asymptotic covariance.
#[derive(Debug, Clone)]
pub(crate) struct ConditionalStats {
    /// Thresholds per item (at x = 0).
    pub tau: Vec<Vec<f64>>,
    /// Probit slopes, items × covariates.
    pub slopes: Array2<f64>,
    /// Residual polychoric correlations (unit diagonal).
    pub cor: Array2<f64>,
    /// The (row, column) of each correlation, row > column, in lavaan's order.
    pub pairs: Vec<(usize, usize)>,
    /// Γ, the asymptotic covariance of √N times the statistics (thresholds, slopes,
    /// correlations).
    pub gamma: Array2<f64>,
    /// Correlations whose likelihood was still rising at |ρ| = 1.
    pub at_bound: Vec<(usize, usize)>,
}

impl ConditionalStats {
    /// Number of thresholds.
    pub fn n_thresholds(&self) -> usize {
        self.tau.iter().map(Vec::len).sum()
    }
    /// The statistics stacked in the order of Γ.
    pub fn stacked(&self) -> Vec<f64> {
        let mut s: Vec<f64> = self.tau.iter().flatten().copied().collect();
        for r in 0..self.slopes.ncols() {
            s.extend(self.slopes.column(r).iter());
        }
        s.extend(self.pairs.iter().map(|&(i, j)| self.cor[[i, j]]));
        s
    }
}

/// Per-row bounds of one item's category interval on the y* scale given x.
struct Bounds {
    lo: Vec<f64>,
    hi: Vec<f64>,
}

/// Check the covariates: finite, each varying, and not collinear with each other or the
/// thresholds (the centred cross-product matrix is positive definite).
fn check_covariates(x: &Array2<f64>, names: &[String]) -> Result<()> {
    let n = x.nrows() as f64;
    let nx = x.ncols();
    let mean: Vec<f64> = (0..nx).map(|r| x.column(r).sum() / n).collect();
    for (r, name) in names.iter().enumerate().take(nx) {
        if x.column(r).iter().any(|v| !v.is_finite()) {
            return Err(Error::NonFinite { what: format!("covariate `{name}`") });
        }
        if x.column(r).iter().all(|&v| v == x[[0, r]]) {
            return Err(Error::ConstantColumn { name: name.clone() });
        }
    }
    let c = Array2::from_shape_fn((nx, nx), |(a, b)| {
        x.column(a).iter().zip(x.column(b)).map(|(u, v)| (u - mean[a]) * (v - mean[b])).sum::<f64>()
            / n
    });
    // scale to correlations so the check does not depend on the units
    let r = Array2::from_shape_fn((nx, nx), |(a, b)| c[[a, b]] / (c[[a, a]] * c[[b, b]]).sqrt());
    let ev = linalg::sym_eigenvalues(r.view(), "covariate correlations")?;
    if ev.iter().copied().fold(f64::INFINITY, f64::min) < 1e-10 {
        return Err(Error::invalid(
            "covariates",
            format!("the exogenous covariates ({}) are collinear", names.join(", ")),
        ));
    }
    Ok(())
}

/// Fit the conditional statistics of the ordinal items `codes` (0-based categories per row,
/// `k[j]` categories of item j, every category observed) given the covariates `x` (same rows).
///
/// # Errors
/// A constant or non-finite covariate, collinear covariates, a probit regression without a
/// finite maximum (a category predicted perfectly by the covariates), or a singular
/// information matrix.
pub(crate) fn fit(
    codes: &[Vec<usize>],
    k: &[usize],
    x: &Array2<f64>,
    names: &[String],
    x_names: &[String],
) -> Result<ConditionalStats> {
    check_covariates(x, x_names)?;
    let p = codes.len();
    let n = x.nrows();
    let nx = x.ncols();
    let nf = n as f64;
    // step 1
    let mut fits = Vec::with_capacity(p);
    for j in 0..p {
        separation::check(&codes[j], k[j], x, &names[j], x_names)?;
        let f = probit::fit(&codes[j], k[j], x, &names[j])?;
        separation::diverged(&f.beta, x, &names[j], x_names)?;
        fits.push(f);
    }
    let bounds: Vec<Bounds> = (0..p)
        .map(|j| {
            let f = &fits[j];
            let nt = f.tau.len();
            let mut b = Bounds { lo: vec![0.0; n], hi: vec![0.0; n] };
            for i in 0..n {
                let eta: f64 = x.row(i).iter().zip(&f.beta).map(|(a, c)| a * c).sum();
                let c = codes[j][i];
                b.lo[i] = if c == 0 { f64::NEG_INFINITY } else { f.tau[c - 1] - eta };
                b.hi[i] = if c == nt { f64::INFINITY } else { f.tau[c] - eta };
            }
            b
        })
        .collect();
    // parameter offsets: thresholds item by item, then slopes covariate by covariate
    let mut th_off = Vec::with_capacity(p);
    let mut nt = 0;
    for f in &fits {
        th_off.push(nt);
        nt += f.tau.len();
    }
    let sl = |j: usize, r: usize| nt + r * p + j;
    let mut pairs = Vec::new();
    for j in 0..p {
        for i in j + 1..p {
            pairs.push((i, j));
        }
    }
    let n1 = nt + nx * p;
    let q = n1 + pairs.len();
    let mut scores = Array2::<f64>::zeros((n, q));
    for (j, f) in fits.iter().enumerate() {
        let kt = f.tau.len();
        for i in 0..n {
            for c in 0..kt {
                scores[[i, th_off[j] + c]] = f.scores[[i, c]];
            }
            for r in 0..nx {
                scores[[i, sl(j, r)]] = f.scores[[i, kt + r]];
            }
        }
    }
    let mut a = Array2::<f64>::zeros((q, q));
    // A₁₁: per item, the outer product of its own scores
    for j in 0..p {
        let idx: Vec<usize> = (0..fits[j].tau.len())
            .map(|c| th_off[j] + c)
            .chain((0..nx).map(|r| sl(j, r)))
            .collect();
        for &u in &idx {
            for &v in &idx {
                a[[u, v]] = scores.column(u).dot(&scores.column(v)) / nf;
            }
        }
    }
    // step 2
    let mut cor = Array2::<f64>::eye(p);
    let mut at_bound = Vec::new();
    for (m, &(i, j)) in pairs.iter().enumerate() {
        let (bi, bj) = (&bounds[i], &bounds[j]);
        let score = |rho: f64| {
            let mut s = 0.0;
            for r in 0..n {
                let pr = rect(pbvn, bi.lo[r], bi.hi[r], bj.lo[r], bj.hi[r], rho);
                if pr > 0.0 {
                    s += rect(dbvn, bi.lo[r], bi.hi[r], bj.lo[r], bj.hi[r], rho) / pr;
                }
            }
            s
        };
        let est = score_root(score);
        if est.at_bound {
            at_bound.push((i, j));
        }
        let rho = est.rho;
        cor[[i, j]] = rho;
        cor[[j, i]] = rho;
        let row = n1 + m;
        // the pair's own scores in (τ_i, β_i, τ_j, β_j), for A₂₁
        let (ki, kj) = (fits[i].tau.len(), fits[j].tau.len());
        let mut own = Array2::<f64>::zeros((n, ki + kj + 2 * nx));
        for r in 0..n {
            let (li, hi, lj, hj) = (bi.lo[r], bi.hi[r], bj.lo[r], bj.hi[r]);
            let pr = rect(pbvn, li, hi, lj, hj, rho);
            if !(pr > 0.0) {
                continue;
            }
            scores[[r, row]] = rect(dbvn, li, hi, lj, hj, rho) / pr;
            // ∂P/∂(upper, lower bound) of each item
            let dhi_i = (dpbvn_dx(hi, hj, rho) - dpbvn_dx(hi, lj, rho)) / pr;
            let dlo_i = -(dpbvn_dx(li, hj, rho) - dpbvn_dx(li, lj, rho)) / pr;
            let dhi_j = (dpbvn_dx(hj, hi, rho) - dpbvn_dx(hj, li, rho)) / pr;
            let dlo_j = -(dpbvn_dx(lj, hi, rho) - dpbvn_dx(lj, li, rho)) / pr;
            for (side, (dh, dl, kk, base)) in
                [(dhi_i, dlo_i, ki, 0usize), (dhi_j, dlo_j, kj, ki)].into_iter().enumerate()
            {
                let c = codes[if side == 0 { i } else { j }][r];
                if c < kk {
                    own[[r, base + c]] += dh;
                }
                if c > 0 {
                    own[[r, base + c - 1]] += dl;
                }
                for s in 0..nx {
                    own[[r, ki + kj + side * nx + s]] = -x[[r, s]] * (dh + dl);
                }
            }
        }
        let sr = scores.column(row).to_owned();
        a[[row, row]] = sr.dot(&sr) / nf;
        for c in 0..ki {
            a[[row, th_off[i] + c]] = sr.dot(&own.column(c)) / nf;
        }
        for c in 0..kj {
            a[[row, th_off[j] + c]] = sr.dot(&own.column(ki + c)) / nf;
        }
        for s in 0..nx {
            a[[row, sl(i, s)]] = sr.dot(&own.column(ki + kj + s)) / nf;
            a[[row, sl(j, s)]] = sr.dot(&own.column(ki + kj + nx + s)) / nf;
        }
    }
    let b = linalg::crossprod(scores.view()) / nf;
    let ainv = linalg::inverse(a.view(), "information of the conditional sample statistics")?;
    let mut gamma = linalg::matmul(linalg::matmul(ainv.view(), b.view()).view(), ainv.t());
    linalg::symmetrize(&mut gamma);
    let mut slopes = Array2::zeros((p, nx));
    for (j, f) in fits.iter().enumerate() {
        for r in 0..nx {
            slopes[[j, r]] = f.beta[r];
        }
    }
    Ok(ConditionalStats {
        tau: fits.into_iter().map(|f| f.tau).collect(),
        slopes,
        cor,
        pairs,
        gamma,
        at_bound,
    })
}

/// `f` summed over the corners of the rectangle [li, hi] × [lj, hj] with the signs of a
/// rectangle probability.
fn rect(f: fn(f64, f64, f64) -> f64, li: f64, hi: f64, lj: f64, hj: f64, rho: f64) -> f64 {
    f(hi, hj, rho) - f(li, hj, rho) - f(hi, lj, rho) + f(li, lj, rho)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;

    fn read_fixture() -> serde_json::Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/extra/ordinal_mimic.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Thresholds, slopes, residual correlations and Γ against lavaan 0.6.14's `wls.obs` and
    /// `gamma` of `sem(mimic_o, data = hsom, ordered = ord, estimator = "WLSMV")`.
    #[test]
    fn matches_lavaan_first_stage() {
        let d = Dataset::from_csv_path(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/data/HS_ordinal_mimic.csv"
        ))
        .unwrap();
        let names: Vec<String> = (1..=9).map(|j| format!("o{j}")).collect();
        let xn = vec!["sex".to_string(), "ageyr".to_string()];
        let y = d.select(&names).unwrap();
        let x = d.select(&xn).unwrap();
        let mut codes = Vec::new();
        let mut k = Vec::new();
        for j in 0..9 {
            let mut vals: Vec<f64> = y.column(j).to_vec();
            vals.sort_by(f64::total_cmp);
            vals.dedup();
            codes.push(
                y.column(j).iter().map(|v| vals.iter().position(|u| u == v).unwrap()).collect(),
            );
            k.push(vals.len());
        }
        let st = fit(&codes, &k, &x, &names, &xn).unwrap();
        let fx = read_fixture();
        let obs: Vec<f64> =
            fx["wls_obs"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        let s = st.stacked();
        assert_eq!(s.len(), obs.len());
        let mut dmax: f64 = 0.0;
        for (a, b) in s.iter().zip(&obs) {
            dmax = dmax.max((a - b).abs());
        }
        // lavaan's probit fits stop earlier: its thresholds sit up to 3e-7 from ours, where the
        // score of each item's likelihood is larger than at ours
        assert!(dmax < 5e-7, "largest difference of the statistics {dmax:e}");
        let nt: usize = k.iter().map(|v| v - 1).sum();
        let mut off = 0;
        for j in 0..9 {
            let kt = k[j] - 1;
            let ours: Vec<f64> =
                (0..kt).map(|c| s[off + c]).chain((0..2).map(|r| s[nt + r * 9 + j])).collect();
            let lav: Vec<f64> =
                (0..kt).map(|c| obs[off + c]).chain((0..2).map(|r| obs[nt + r * 9 + j])).collect();
            let mut lik = super::probit::Lik::new(&codes[j], k[j], &x);
            let mut g = vec![0.0; kt + 2];
            assert!(crate::core::optim::Problem::gradient(&mut lik, &ours, &mut g));
            let go = crate::core::optim::max_abs(&g);
            assert!(crate::core::optim::Problem::gradient(&mut lik, &lav, &mut g));
            let gl = crate::core::optim::max_abs(&g);
            assert!(go <= gl.max(1e-9), "item {j}: gradient {go:e} here, {gl:e} at lavaan's");
            off += kt;
        }

        let g = &fx["nacov"]["data"];
        let mut worst: f64 = 0.0;
        for r in 0..s.len() {
            for c in 0..s.len() {
                let b = g[r][c].as_f64().unwrap();
                let scale = b.abs().max(1e-3);
                worst = worst.max((st.gamma[[r, c]] - b).abs() / scale);
            }
        }
        assert!(worst < 1e-4, "worst relative Γ difference {worst}");
    }
}
