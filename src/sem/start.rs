//! Starting values.
//!
//! Residual variances of observed variables start at half their sample variance; a latent
//! variance at half the sample variance of its marker (its first indicator); other loadings at
//! cov(indicator, marker) / latent variance (1 when the indicator is itself latent);
//! regressions and covariances at 0; user `start()` values and fixed values win. With `std_lv`,
//! loadings start at cov(indicator, marker) / sqrt(½ var(marker)).

use ndarray::Array2;

use super::model::{MatKind, ModelStructure};
use super::partable::ParTable;
use super::syntax::Op;

pub(crate) fn start_values(
    pt: &ParTable,
    st: &ModelStructure,
    s: &Array2<f64>,
    std_lv: bool,
) -> Vec<f64> {
    let ov_index = |n: &str| pt.ov.iter().position(|x| x == n);
    let mut theta = vec![f64::NAN; st.npar];
    // marker (first indicator) of each latent variable, if observed
    let marker = |f: &str| -> Option<usize> {
        pt.rows.iter().find(|r| r.op == Op::Loading && r.lhs == f).and_then(|r| ov_index(&r.rhs))
    };
    let lv_var = |f: &str| -> f64 {
        match marker(f) {
            Some(i) => 0.5 * s[[i, i]],
            None => 0.05,
        }
    };
    for (k, r) in pt.rows.iter().enumerate() {
        let Some(idx) = r.free else { continue };
        if !theta[idx].is_nan() {
            continue;
        }
        let v = if let Some(v) = r.start {
            v
        } else {
            match r.op {
                Op::Loading => match (marker(&r.lhs), ov_index(&r.rhs)) {
                    (Some(mk), Some(i)) if mk != i => {
                        let denom = if std_lv { lv_var(&r.lhs).sqrt() } else { lv_var(&r.lhs) };
                        let x = s[[i, mk]] / denom;
                        if x.is_finite() && x.abs() > 1e-3 { x } else { 1.0 }
                    }
                    (Some(mk), Some(_)) if std_lv => {
                        lv_var(&r.lhs).sqrt().max(1e-3) * s[[mk, mk]].signum()
                    }
                    _ => 1.0,
                },
                Op::Regression | Op::Intercept | Op::Threshold => 0.0,
                Op::Covariance => {
                    if r.lhs == r.rhs {
                        match ov_index(&r.lhs) {
                            Some(i) => {
                                let sl = st.slots[k];
                                // phantom of an exogenous observed variable: full variance
                                let exo_phantom = sl.kind == MatKind::Psi
                                    && !pt.rows.iter().any(|q| {
                                        (q.op == Op::Regression && q.lhs == r.lhs)
                                            || (q.op == Op::Loading && q.rhs == r.lhs)
                                    });
                                if exo_phantom { s[[i, i]] } else { 0.5 * s[[i, i]] }
                            }
                            None => {
                                if std_lv {
                                    1.0
                                } else {
                                    lv_var(&r.lhs)
                                }
                            }
                        }
                    } else {
                        0.0
                    }
                }
            }
        };
        theta[idx] = v;
    }
    for t in &mut theta {
        if t.is_nan() {
            *t = 0.0;
        }
    }
    theta
}

/// A second set of starting values, as lavaan's default: the loadings of a factor with at
/// least three observed indicators by Hägglund's FABIN 3 (each non-reference loading is the
/// two-stage least-squares slope of its indicator on the reference indicator, with the factor's
/// other indicators as instruments), every free latent variance at 0.05, and, for a factor whose
/// variance is fixed (`std_lv` or `1*F`), the loadings rescaled by the factor variance the
/// FABIN loadings imply. Everything else as [`start_values`].
///
/// ```text
/// λ_j = s_{1Z} S_ZZ⁻¹ s_{Zj} / s_{1Z} S_ZZ⁻¹ s_{Z1},   Z = indicators other than 1 and j
/// ψ̂   = Σ_j λ_j s_{1j} / Σ_j λ_j²   (cov(y₁, y_j) = λ_j ψ with λ₁ = 1)
/// ```
///
/// Hägglund, G. (1982). Factor analysis by instrumental variables methods. *Psychometrika* 47,
/// 209–222.
pub(crate) fn fabin_values(
    pt: &ParTable,
    st: &ModelStructure,
    s: &Array2<f64>,
    std_lv: bool,
) -> Vec<f64> {
    use crate::core::linalg::small;
    let mut theta = start_values(pt, st, s, std_lv);
    let ov_index = |n: &str| pt.ov.iter().position(|x| x == n);
    for f in &pt.lv {
        let rows: Vec<(usize, usize)> = pt
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| r.op == Op::Loading && &r.lhs == f)
            .filter_map(|(k, r)| ov_index(&r.rhs).map(|i| (k, i)))
            .collect();
        if rows.len() < 3
            || rows.len() != pt.rows.iter().filter(|r| r.op == Op::Loading && &r.lhs == f).count()
        {
            continue;
        }
        let one = rows[0].1;
        let mut lambda = vec![1.0; rows.len()];
        let mut ok = true;
        for (j, &(_, yj)) in rows.iter().enumerate().skip(1) {
            let z: Vec<usize> =
                rows.iter().map(|&(_, i)| i).filter(|&i| i != one && i != yj).collect();
            let q = z.len();
            let mut szz = vec![0.0; q * q];
            for (a, &za) in z.iter().enumerate() {
                for (b, &zb) in z.iter().enumerate() {
                    szz[a * q + b] = s[[za, zb]];
                }
            }
            if !small::cholesky_in_place(&mut szz, q) {
                ok = false;
                break;
            }
            // w = S_ZZ⁻¹ s_{Z1}
            let mut w: Vec<f64> = z.iter().map(|&za| s[[za, one]]).collect();
            small::chol_solve(&szz, q, &mut w, 1);
            let num: f64 = z.iter().zip(&w).map(|(&za, wa)| s[[za, yj]] * wa).sum();
            let den: f64 = z.iter().zip(&w).map(|(&za, wa)| s[[za, one]] * wa).sum();
            let l = num / den;
            if !l.is_finite() || den <= 0.0 {
                ok = false;
                break;
            }
            lambda[j] = l;
        }
        if !ok {
            continue;
        }
        let (num, den) = rows
            .iter()
            .zip(&lambda)
            .skip(1)
            .fold((0.0, 0.0), |(n, d), (&(_, i), l)| (n + l * s[[one, i]], d + l * l));
        let psi = num / den;
        let var_row = pt
            .rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.op == Op::Covariance && &r.lhs == f && &r.rhs == f);
        let scale = match var_row.map(|(_, r)| (r.free, r.fixed)) {
            Some((None, Some(v))) if v > 0.0 && psi > 0.0 => (psi / v).sqrt(),
            _ => 1.0,
        };
        for (&(k, _), l) in rows.iter().zip(&lambda) {
            if let Some(idx) = pt.rows[k].free
                && pt.rows[k].start.is_none()
            {
                theta[idx] = l * scale;
            }
        }
        if let Some((_, r)) = var_row
            && let Some(idx) = r.free
            && r.start.is_none()
        {
            theta[idx] = if psi > 0.0 { psi } else { 0.05 };
        }
    }
    theta
}
