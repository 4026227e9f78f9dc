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
