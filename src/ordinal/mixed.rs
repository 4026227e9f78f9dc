//! Sample statistics of a mix of ordered and continuous variables and their asymptotic
//! covariance Γ, as lavaan's `lavCor(ordered = ...)` and the WLS statistics of a model with
//! both kinds of indicators (Muthén 1984).
//!
//! Step 1, per variable: the thresholds of an ordered variable from its margin; the mean μ and
//! variance σ² (divisor N) of a continuous one, by ML. Step 2, per pair with the step-1
//! estimates held fixed: the polychoric correlation of two ordered variables, the ML polyserial
//! correlation (Olsson, Drasgow & Dorans 1982) of an ordered and a continuous one, Pearson's r
//! of two continuous ones. Each estimate solves Σ_i s_i = 0 and the sandwich is
//!
//! ```text
//! Γ_nat = A⁻¹ B A⁻ᵀ,  B = (1/N) Σ_i s_i s_iᵀ
//! A = [A₁₁ 0; A₂₁ A₂₂], every block an outer product of per-row scores (/N):
//!   A₁₁ per variable, its own step-1 scores:  ordered ∂log π_y/∂τ,
//!       continuous (x − μ)/σ² and ((x − μ)² − σ²)/(2σ⁴)
//!   A₂₂ per pair, its correlation score with itself
//!   A₂₁ per pair, the correlation score with the scores of the pair's whole (bivariate)
//!       log-likelihood in the step-1 parameters of its two variables:
//!       polychoric   ∂ log P(y_i = a, y_j = b)/∂τ
//!       polyserial   ∂ [log φ(x; μ, σ²) + log P(y | z)]/∂(τ, μ, σ²),  z = (x − μ)/σ,
//!                    P(y = c | z) = Φ((τ_c − ρz)/√(1−ρ²)) − Φ((τ_{c−1} − ρz)/√(1−ρ²))
//!       Pearson      ∂ log φ₂(z_i, z_j; ρ)/∂(μ, σ²) of both variables,
//!                    with the score of ρ  [ρ(1−ρ²) + (1+ρ²) z_i z_j − ρ(z_i² + z_j²)]/(1−ρ²)²
//! ```
//!
//! The statistics are then those of lavaan's `wls.obs`: per variable its thresholds or −μ (the
//! threshold of a continuous variable), the variances of the continuous variables, and the
//! covariances below the diagonal column by column: ρ for two ordered variables, ρ σ_x for an
//! ordered and a continuous one, r σ_i σ_j for two continuous ones. Γ of these is J Γ_nat Jᵀ
//! with J the Jacobian of that map. Without continuous variables this is
//! [`crate::ordinal::Acov`].
//!
//! Validated against lavaan 0.6.14 `lavInspect(lavCor(d, ordered = ..., output = "fit"),
//! "gamma")` on HolzingerSwineford1939 with four items cut into 3–5 categories and five left
//! continuous (tests/reference/sem_ordinal_mixed.rs).
//!
//! # References
//! Muthén, B. (1984). A general structural equation model with dichotomous, ordered
//! categorical, and continuous latent variable indicators. *Psychometrika*, 49, 115–132.
//! Olsson, U., Drasgow, F. & Dorans, N. J. (1982). The polyserial correlation coefficient.
//! *Psychometrika*, 47, 337–347.

use ndarray::Array2;

use super::bvn::{dnorm, dpbvn_dx};
use super::pair;
use crate::core::dist::pnorm;
use crate::core::linalg;
use crate::error::{Error, Result};

/// The statistics of a mix of ordered and continuous variables with their Γ.
#[derive(Debug, Clone)]
pub(crate) struct MixedStats {
    /// Whether each variable is ordered.
    pub ordered: Vec<bool>,
    /// Thresholds per variable (empty for a continuous one).
    pub tau: Vec<Vec<f64>>,
    /// Means (0 for an ordered variable).
    pub mean: Vec<f64>,
    /// The covariance matrix: unit diagonal for ordered variables, variances (divisor N) for
    /// continuous ones, polychoric, polyserial × σ and covariances off the diagonal.
    pub cov: Array2<f64>,
    /// The (row, column) of each covariance, row > column, in lavaan's order.
    pub pairs: Vec<(usize, usize)>,
    /// Γ of √N times the stacked statistics ([`Self::stacked`]).
    pub gamma: Array2<f64>,
    /// Correlations whose likelihood was still rising at |ρ| = 1.
    pub at_bound: Vec<(usize, usize)>,
}

impl MixedStats {
    /// Number of statistics in the first slot (thresholds and −μ).
    pub fn n_first(&self) -> usize {
        self.tau.iter().zip(&self.ordered).map(|(t, &o)| if o { t.len() } else { 1 }).sum()
    }
    /// The continuous variables, in order.
    pub fn continuous(&self) -> Vec<usize> {
        (0..self.ordered.len()).filter(|&j| !self.ordered[j]).collect()
    }
    /// lavaan's `wls.obs`: thresholds or −μ per variable, variances of the continuous
    /// variables, covariances.
    pub fn stacked(&self) -> Vec<f64> {
        let p = self.ordered.len();
        let mut s = Vec::new();
        for j in 0..p {
            if self.ordered[j] {
                s.extend(&self.tau[j]);
            } else {
                s.push(-self.mean[j]);
            }
        }
        s.extend(self.continuous().iter().map(|&j| self.cov[[j, j]]));
        s.extend(self.pairs.iter().map(|&(i, j)| self.cov[[i, j]]));
        s
    }
}

/// One variable's step-1 estimates.
enum Var {
    Ord { code: Vec<usize>, tau: Vec<f64>, cut: Vec<f64> },
    Num { mu: f64, s2: f64, z: Vec<f64> },
}

/// Fit the statistics of the complete rows `x` (n × p); `ordered[j]` marks ordered columns,
/// whose values are category codes (every category observed).
///
/// # Errors
/// A constant column, too few rows, or a singular information matrix.
pub(crate) fn fit(x: &Array2<f64>, ordered: &[bool], names: &[String]) -> Result<MixedStats> {
    let (n, p) = x.dim();
    if n < 2 {
        return Err(Error::TooFewObservations { needed: 2, got: n });
    }
    let nf = n as f64;
    // step 1
    let mut vars = Vec::with_capacity(p);
    for j in 0..p {
        let col = x.column(j);
        if ordered[j] {
            let mut vals: Vec<f64> = col.to_vec();
            vals.sort_by(f64::total_cmp);
            vals.dedup();
            if vals.len() < 2 {
                return Err(Error::ConstantColumn { name: names[j].clone() });
            }
            let code: Vec<usize> =
                col.iter().map(|v| vals.iter().position(|u| u == v).unwrap_or(0)).collect();
            let mut freq = vec![0.0; vals.len()];
            for &c in &code {
                freq[c] += 1.0;
            }
            let tau = pair::thresholds(&freq, nf);
            let cut = pair::cuts(&tau);
            vars.push(Var::Ord { code, tau, cut });
        } else {
            let mu = col.sum() / nf;
            let s2 = col.iter().map(|v| (v - mu) * (v - mu)).sum::<f64>() / nf;
            if !(s2 > 0.0) {
                return Err(Error::ConstantColumn { name: names[j].clone() });
            }
            let sd = s2.sqrt();
            let z = col.iter().map(|v| (v - mu) / sd).collect();
            vars.push(Var::Num { mu, s2, z });
        }
    }
    // natural parameters: per variable τ (ordered) or (μ, σ²), then one per pair
    let mut off = Vec::with_capacity(p + 1);
    let mut q = 0;
    for v in &vars {
        off.push(q);
        q += match v {
            Var::Ord { tau, .. } => tau.len(),
            Var::Num { .. } => 2,
        };
    }
    off.push(q);
    let n1 = q;
    let mut pairs = Vec::new();
    for j in 0..p {
        for i in j + 1..p {
            pairs.push((i, j));
        }
    }
    q += pairs.len();
    let mut scores = Array2::<f64>::zeros((n, q));
    for (j, v) in vars.iter().enumerate() {
        match v {
            Var::Ord { code, tau, .. } => {
                let mut pi = vec![0.0; tau.len() + 1];
                for &c in code {
                    pi[c] += 1.0 / nf;
                }
                for (r, &c) in code.iter().enumerate() {
                    if c < tau.len() {
                        scores[[r, off[j] + c]] += dnorm(tau[c]) / pi[c];
                    }
                    if c >= 1 {
                        scores[[r, off[j] + c - 1]] -= dnorm(tau[c - 1]) / pi[c];
                    }
                }
            }
            Var::Num { s2, z, .. } => {
                let sd = s2.sqrt();
                for (r, &zi) in z.iter().enumerate() {
                    scores[[r, off[j]]] = zi / sd;
                    scores[[r, off[j] + 1]] = (zi * zi - 1.0) / (2.0 * s2);
                }
            }
        }
    }
    let mut a = Array2::<f64>::zeros((q, q));
    for j in 0..p {
        for u in off[j]..off[j + 1] {
            for w in off[j]..off[j + 1] {
                a[[u, w]] = scores.column(u).dot(&scores.column(w)) / nf;
            }
        }
    }
    // step 2
    let mut est = vec![0.0; pairs.len()];
    let mut at_bound = Vec::new();
    for (m, &(i, j)) in pairs.iter().enumerate() {
        let row = n1 + m;
        // per-row score of ρ and the pair's own scores in (params of i, params of j)
        let (ki, kj) = (off[i + 1] - off[i], off[j + 1] - off[j]);
        let mut own = Array2::<f64>::zeros((n, ki + kj));
        let mut sr = vec![0.0; n];
        let rho = match (&vars[i], &vars[j]) {
            (Var::Ord { code: ci, cut: ui, .. }, Var::Ord { code: cj, cut: uj, .. }) => {
                let (ka, kb) = (ui.len() - 1, uj.len() - 1);
                let mut table = vec![0.0; ka * kb];
                for (&a1, &b1) in ci.iter().zip(cj) {
                    table[a1 * kb + b1] += 1.0;
                }
                let e = pair::polychoric_ml(&table, ui, uj);
                if e.at_bound {
                    at_bound.push((i, j));
                }
                let rho = e.rho;
                let cl = pair::cells(ui, uj, rho, true);
                for r in 0..n {
                    let (ca, cb) = (ci[r], cj[r]);
                    let pr = cl.p[ca * kb + cb];
                    if !(pr > 0.0) {
                        continue;
                    }
                    sr[r] = cl.d1[ca * kb + cb] / pr;
                    let (li, hi, lj, hj) = (ui[ca], ui[ca + 1], uj[cb], uj[cb + 1]);
                    if ca < ka - 1 {
                        own[[r, ca]] += (dpbvn_dx(hi, hj, rho) - dpbvn_dx(hi, lj, rho)) / pr;
                    }
                    if ca > 0 {
                        own[[r, ca - 1]] -= (dpbvn_dx(li, hj, rho) - dpbvn_dx(li, lj, rho)) / pr;
                    }
                    if cb < kb - 1 {
                        own[[r, ki + cb]] += (dpbvn_dx(hj, hi, rho) - dpbvn_dx(hj, li, rho)) / pr;
                    }
                    if cb > 0 {
                        own[[r, ki + cb - 1]] -=
                            (dpbvn_dx(lj, hi, rho) - dpbvn_dx(lj, li, rho)) / pr;
                    }
                }
                rho
            }
            (Var::Ord { code, cut, .. }, Var::Num { s2, z, .. }) => {
                polyserial(code, cut, *s2, z, &mut sr, &mut own, 0, ki, &mut at_bound, (i, j))
            }
            (Var::Num { s2, z, .. }, Var::Ord { code, cut, .. }) => {
                polyserial(code, cut, *s2, z, &mut sr, &mut own, ki, 0, &mut at_bound, (i, j))
            }
            (Var::Num { s2: si2, z: zi, .. }, Var::Num { s2: sj2, z: zj, .. }) => {
                let rho = zi.iter().zip(zj).map(|(a1, b1)| a1 * b1).sum::<f64>() / nf;
                let u = 1.0 - rho * rho;
                if !(u > 0.0) {
                    return Err(Error::Singular {
                        matrix: format!(
                            "covariance of `{}` and `{}` (correlation 1)",
                            names[i], names[j]
                        ),
                    });
                }
                let (si, sj) = (si2.sqrt(), sj2.sqrt());
                for r in 0..n {
                    let (a1, b1) = (zi[r], zj[r]);
                    sr[r] = (rho * u + (1.0 + rho * rho) * a1 * b1 - rho * (a1 * a1 + b1 * b1))
                        / (u * u);
                    own[[r, 0]] = (a1 - rho * b1) / (u * si);
                    own[[r, 1]] = -1.0 / (2.0 * si2) + a1 * (a1 - rho * b1) / (u * 2.0 * si2);
                    own[[r, 2]] = (b1 - rho * a1) / (u * sj);
                    own[[r, 3]] = -1.0 / (2.0 * sj2) + b1 * (b1 - rho * a1) / (u * 2.0 * sj2);
                }
                rho
            }
        };
        est[m] = rho;
        let srv = ndarray::Array1::from(sr);
        a[[row, row]] = srv.dot(&srv) / nf;
        for c in 0..ki {
            a[[row, off[i] + c]] = srv.dot(&own.column(c)) / nf;
        }
        for c in 0..kj {
            a[[row, off[j] + c]] = srv.dot(&own.column(ki + c)) / nf;
        }
        scores.column_mut(row).assign(&srv);
    }
    let b = linalg::crossprod(scores.view()) / nf;
    let ainv = linalg::inverse(a.view(), "information of the mixed sample statistics")?;
    let g_nat = linalg::matmul(linalg::matmul(ainv.view(), b.view()).view(), ainv.t());

    // the statistics and the Jacobian J of (τ, μ, σ², ρ) → (τ, −μ, σ², cov)
    let sd = |j: usize| match &vars[j] {
        Var::Num { s2, .. } => s2.sqrt(),
        Var::Ord { .. } => 1.0,
    };
    let mut jac = Array2::<f64>::eye(q);
    let mut cov = Array2::<f64>::eye(p);
    for (j, v) in vars.iter().enumerate() {
        if let Var::Num { s2, .. } = v {
            jac[[off[j], off[j]]] = -1.0;
            cov[[j, j]] = *s2;
        }
    }
    for (m, &(i, j)) in pairs.iter().enumerate() {
        let row = n1 + m;
        let rho = est[m];
        let (si, sj) = (sd(i), sd(j));
        cov[[i, j]] = rho * si * sj;
        cov[[j, i]] = cov[[i, j]];
        jac[[row, row]] = si * sj;
        if !ordered[i] {
            jac[[row, off[i] + 1]] = rho * sj / (2.0 * si);
        }
        if !ordered[j] {
            jac[[row, off[j] + 1]] = rho * si / (2.0 * sj);
        }
    }
    // lavaan's order: the first slot (τ or μ per variable), the σ², the pairs
    let mut order: Vec<usize> = Vec::with_capacity(q);
    for (j, v) in vars.iter().enumerate() {
        match v {
            Var::Ord { tau, .. } => order.extend(off[j]..off[j] + tau.len()),
            Var::Num { .. } => order.push(off[j]),
        }
    }
    for (j, v) in vars.iter().enumerate() {
        if let Var::Num { .. } = v {
            order.push(off[j] + 1);
        }
    }
    order.extend(n1..q);
    let jo = jac.select(ndarray::Axis(0), &order);
    let mut gamma = linalg::matmul(linalg::matmul(jo.view(), g_nat.view()).view(), jo.t());
    linalg::symmetrize(&mut gamma);
    let mut tau = Vec::with_capacity(p);
    let mut mean = vec![0.0; p];
    for (j, v) in vars.into_iter().enumerate() {
        match v {
            Var::Ord { tau: t, .. } => tau.push(t),
            Var::Num { mu, .. } => {
                mean[j] = mu;
                tau.push(Vec::new());
            }
        }
    }
    Ok(MixedStats { ordered: ordered.to_vec(), tau, mean, cov, pairs, gamma, at_bound })
}

/// The polyserial correlation of an ordered variable (`code`, `cut`) and a standardized
/// continuous one (`z`, variance `s2`): fills the per-row ρ score `sr` and the pair's own
/// scores, the ordered variable's thresholds from column `o_at`, the continuous variable's
/// (μ, σ²) from column `x_at`.
#[allow(clippy::too_many_arguments)]
fn polyserial(
    code: &[usize],
    cut: &[f64],
    s2: f64,
    z: &[f64],
    sr: &mut [f64],
    own: &mut Array2<f64>,
    o_at: usize,
    x_at: usize,
    at_bound: &mut Vec<(usize, usize)>,
    pair_ij: (usize, usize),
) -> f64 {
    let e = pair::polyserial_ml(z, code, cut);
    if e.at_bound {
        at_bound.push(pair_ij);
    }
    let rho = e.rho;
    let s = (1.0 - rho * rho).sqrt();
    let sd = s2.sqrt();
    let score = pair::polyserial_score(z, code, cut, rho);
    let kt = cut.len() - 2;
    for (r, (&zi, &c)) in z.iter().zip(code).enumerate() {
        sr[r] = score[r];
        let (lo, hi) = (cut[c], cut[c + 1]);
        let uh = if hi.is_infinite() { hi } else { (hi - rho * zi) / s };
        let ul = if lo.is_infinite() { lo } else { (lo - rho * zi) / s };
        let pr = pnorm(uh) - pnorm(ul);
        // the marginal normal scores of (μ, σ²)
        let (mut dmu, mut ds2) = (zi / sd, (zi * zi - 1.0) / (2.0 * s2));
        if pr > 0.0 {
            let (fh, fl) = (dnorm(uh), dnorm(ul));
            if c < kt {
                own[[r, o_at + c]] += fh / (s * pr);
            }
            if c > 0 {
                own[[r, o_at + c - 1]] -= fl / (s * pr);
            }
            let dz = -rho * (fh - fl) / (s * pr);
            dmu += dz * (-1.0 / sd);
            ds2 += dz * (-zi / (2.0 * s2));
        }
        own[[r, x_at]] = dmu;
        own[[r, x_at + 1]] = ds2;
    }
    rho
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Dataset;

    /// The statistics and Γ against lavaan 0.6.14's `wls.obs` and `gamma` of
    /// `lavCor(d, ordered = c("o1", "o2", "o4", "o7"), output = "fit")`
    /// (tests/fixtures/extra/sem_ordinal_mixed.R).
    #[test]
    fn matches_lavcor_gamma() {
        let root = env!("CARGO_MANIFEST_DIR");
        let fx: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(format!("{root}/tests/fixtures/extra/sem_ordinal_mixed.json"))
                .unwrap(),
        )
        .unwrap();
        let d = Dataset::from_csv_path(format!("{root}/tests/fixtures/data/HS_ordinal_mixed.csv"))
            .unwrap();
        let names: Vec<String> = d.names().to_vec();
        let x = d.select(&names).unwrap();
        let ordered: Vec<bool> = names.iter().map(|v| v.starts_with('o')).collect();
        let st = fit(&x, &ordered, &names).unwrap();
        let obs: Vec<f64> = fx["wls_obs"]["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let s = st.stacked();
        assert_eq!(s.len(), obs.len());
        let dmax = s.iter().zip(&obs).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        // lavaan's one-dimensional searches for ρ stop up to 8e-8 from the root
        assert!(dmax < 1e-7, "largest difference of the statistics {dmax:e}");
        let g = &fx["gamma"];
        let mut worst: f64 = 0.0;
        for r in 0..s.len() {
            for c in 0..s.len() {
                let b = g[r][c].as_f64().unwrap();
                worst = worst.max((st.gamma[[r, c]] - b).abs() / b.abs().max(0.05));
            }
        }
        // the same stopping moves Γ by up to 3e-8 absolute
        assert!(worst < 1e-6, "worst relative Γ difference {worst:e}");
    }
}
