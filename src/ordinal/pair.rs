//! One correlation at a time: the contingency table of two ordinal items, the thresholds, the
//! maximum-likelihood polychoric correlation, and the polyserial correlation (ML and the ad hoc
//! estimator of Olsson, Drasgow & Dorans 1982).

use super::bvn::{dbvn, dnorm, pbvn};
use crate::core::dist::{pnorm, qnorm};

/// Largest |ρ| the estimators return; a likelihood still rising there is reported at the bound.
pub(crate) const RHO_BOUND: f64 = 0.999_999;

/// Thresholds `τ_k = Φ⁻¹(Σ_{c≤k} p_c)`, k = 1..K−1, from category proportions (or counts:
/// `total` divides). Not renormalised: psych's pairwise rule feeds corrected proportions whose
/// sum exceeds one, and the last cumulative sum is dropped either way.
pub(crate) fn thresholds(freq: &[f64], total: f64) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out = Vec::with_capacity(freq.len().saturating_sub(1));
    for f in &freq[..freq.len().saturating_sub(1)] {
        acc += f;
        out.push(qnorm(acc / total));
    }
    out
}

/// `[-∞, τ_1, …, τ_{K−1}, +∞]`.
pub(crate) fn cuts(tau: &[f64]) -> Vec<f64> {
    let mut c = Vec::with_capacity(tau.len() + 2);
    c.push(f64::NEG_INFINITY);
    c.extend_from_slice(tau);
    c.push(f64::INFINITY);
    c
}

/// Cell probabilities `P_ab(ρ)` and their derivatives in ρ, row-major.
pub(crate) struct Cells {
    pub p: Vec<f64>,
    pub d1: Vec<f64>,
}

/// Rectangle probabilities of the bivariate normal on the grid of cut points.
pub(crate) fn cells(ca: &[f64], cb: &[f64], rho: f64, derivs: bool) -> Cells {
    let (na, nb) = (ca.len(), cb.len());
    // Corner values F(ca_i, cb_j) and φ₂ on the grid.
    let mut f = vec![0.0; na * nb];
    let mut g = vec![0.0; if derivs { na * nb } else { 0 }];
    for i in 0..na {
        for j in 0..nb {
            f[i * nb + j] = pbvn(ca[i], cb[j], rho);
            if derivs {
                g[i * nb + j] = dbvn(ca[i], cb[j], rho);
            }
        }
    }
    let (ra, rb) = (na - 1, nb - 1);
    let rect = |v: &[f64], i: usize, j: usize| {
        v[(i + 1) * nb + j + 1] - v[i * nb + j + 1] - v[(i + 1) * nb + j] + v[i * nb + j]
    };
    let mut out = Cells { p: vec![0.0; ra * rb], d1: vec![] };
    if derivs {
        out.d1 = vec![0.0; ra * rb];
    }
    for i in 0..ra {
        for j in 0..rb {
            out.p[i * rb + j] = rect(&f, i, j).max(0.0);
            if derivs {
                out.d1[i * rb + j] = rect(&g, i, j);
            }
        }
    }
    out
}

/// Result of a one-dimensional maximisation in ρ.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RhoEstimate {
    pub rho: f64,
    pub iterations: usize,
    pub converged: bool,
    /// The likelihood was still rising at ±[`RHO_BOUND`].
    pub at_bound: bool,
}

/// Root of a decreasing score on `[-RHO_BOUND, RHO_BOUND]` by Brent's method (Brent 1973,
/// ch. 4): bisection, secant and inverse quadratic steps, to |Δρ| ≤ 1e-13.
pub(crate) fn score_root(score: impl Fn(f64) -> f64) -> RhoEstimate {
    // Bracket from the inside out: near ±1 cell probabilities underflow, so the ends are only
    // visited when the likelihood keeps rising towards them.
    const STEPS: [f64; 8] = [0.0, 0.5, 0.9, 0.99, 0.999, 0.9999, 0.99999, RHO_BOUND];
    let f0 = score(0.0);
    let dir = if f0 >= 0.0 { 1.0 } else { -1.0 };
    let (mut a, mut fa) = (0.0, f0);
    let (mut b, mut fb) = (f64::NAN, f64::NAN);
    for &st in &STEPS[1..] {
        let x = dir * st;
        let fx = score(x);
        if !fx.is_finite() || (fx > 0.0) != (dir > 0.0) {
            b = x;
            fb = fx;
            break;
        }
        a = x;
        fa = fx;
    }
    if fa == 0.0 {
        return RhoEstimate { rho: a, iterations: 0, converged: true, at_bound: false };
    }
    if b.is_nan() {
        return RhoEstimate {
            rho: dir * RHO_BOUND,
            iterations: 0,
            converged: true,
            at_bound: true,
        };
    }
    if !fb.is_finite() {
        // Treat a non-finite score as past the root; bisect until finite.
        for _ in 0..60 {
            let m = 0.5 * (a + b);
            let fm = score(m);
            if fm.is_finite() && (fm > 0.0) == (dir > 0.0) {
                a = m;
                fa = fm;
            } else if fm.is_finite() {
                b = m;
                fb = fm;
                break;
            } else {
                b = m;
            }
        }
        if !fb.is_finite() {
            return RhoEstimate { rho: a, iterations: 60, converged: false, at_bound: false };
        }
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    let tol = 1e-13;
    for it in 1..=200 {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return RhoEstimate { rho: b, iterations: it, converged: true, at_bound: false };
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            if 2.0 * p < (3.0 * xm * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = score(b);
    }
    RhoEstimate { rho: b, iterations: 200, converged: false, at_bound: false }
}

/// ML polychoric correlation of a table (row-major `ra × rb` weights: counts or proportions)
/// with fixed cut points `ca` (`ra + 1` values) and `cb`. Cells with zero weight add nothing;
/// cells of zero probability (tied thresholds) carry zero weight.
pub(crate) fn polychoric_ml(table: &[f64], ca: &[f64], cb: &[f64]) -> RhoEstimate {
    let score = |rho: f64| {
        let c = cells(ca, cb, rho, true);
        let mut s = 0.0;
        for (k, &n) in table.iter().enumerate() {
            if n > 0.0 && c.p[k] > 0.0 {
                s += n * c.d1[k] / c.p[k];
            }
        }
        s
    };
    score_root(score)
}

/// ML polyserial correlation (two-step: the continuous variable standardised with its ML mean
/// and variance, the ordinal thresholds fixed). `z` are the standardised continuous values and
/// `cat` the 0-based categories of the ordinal variable, both of the same rows.
///
/// `P(cat = c | z) = Φ((τ_c − ρz)/√(1−ρ²)) − Φ((τ_{c−1} − ρz)/√(1−ρ²))`.
pub(crate) fn polyserial_ml(z: &[f64], cat: &[usize], cut: &[f64]) -> RhoEstimate {
    let score = |rho: f64| polyserial_score(z, cat, cut, rho).iter().sum::<f64>();
    score_root(score)
}

/// Per-row score `∂ log P(cat_i | z_i)/∂ρ` of the polyserial likelihood.
pub(crate) fn polyserial_score(z: &[f64], cat: &[usize], cut: &[f64], rho: f64) -> Vec<f64> {
    let s = (1.0 - rho * rho).sqrt();
    let s3 = s * s * s;
    z.iter()
        .zip(cat)
        .map(|(&zi, &c)| {
            let (lo, hi) = (cut[c], cut[c + 1]);
            let u = |t: f64| if t.is_infinite() { t } else { (t - rho * zi) / s };
            let du = |t: f64| if t.is_infinite() { 0.0 } else { (rho * t - zi) / s3 };
            let p = pnorm(u(hi)) - pnorm(u(lo));
            if p > 0.0 { (dnorm(u(hi)) * du(hi) - dnorm(u(lo)) * du(lo)) / p } else { 0.0 }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_sum_to_one_and_margins_hold() {
        let ca = cuts(&[-0.5, 0.4]);
        let cb = cuts(&[-1.0, 0.1, 1.2]);
        let c = cells(&ca, &cb, 0.37, true);
        let tot: f64 = c.p.iter().sum();
        assert!((tot - 1.0).abs() < 1e-14);
        let d: f64 = c.d1.iter().sum();
        assert!(d.abs() < 1e-14);
        let row0: f64 = c.p[..4].iter().sum();
        assert!((row0 - pnorm(-0.5)).abs() < 1e-14);
    }

    #[test]
    fn recovers_rho_from_exact_table() {
        let ca = cuts(&[-0.5, 0.4]);
        let cb = cuts(&[-1.0, 0.1, 1.2]);
        let c = cells(&ca, &cb, 0.42, false);
        let est = polychoric_ml(&c.p, &ca, &cb);
        assert!(est.converged && (est.rho - 0.42).abs() < 1e-11, "{est:?}");
    }
}
