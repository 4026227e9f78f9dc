//! Probability distributions: normal, Student t, χ², F and the noncentral χ² with the root in its
//! noncentrality that gives RMSEA confidence limits. Every function is total (NaN for invalid
//! arguments, never a panic) and every loop is bounded.
//!
//! The special functions (regularized incomplete gamma and beta, log-gamma) come from statrs;
//! `erfc` from libm. Quantiles are polished with Newton steps on the smaller tail, so they agree
//! with R's `q*` functions to the precision of the distribution function.
//!
//! Validated against R 4.2.2 (`pnorm`, `qnorm`, `pt`, `qt`, `pchisq`, `qchisq`, `pf`, `qf`,
//! `pchisq(ncp =)`): tests/fixtures/extra/dist.R.

use statrs::distribution::{
    ChiSquared, Continuous, ContinuousCDF, FisherSnedecor, Normal, StudentsT,
};
use statrs::function::gamma::{gamma_lr, ln_gamma};

/// Standard normal distribution function `Φ(z) = erfc(−z/√2)/2` (libm's `erfc`, < 1 ulp):
/// agrees with R's `pnorm` to about 1e-15 relative for |z| < 5 (statrs' `cdf` is only about
/// 1e-11 relative).
pub(crate) fn pnorm(z: f64) -> f64 {
    if z.is_nan() {
        return f64::NAN;
    }
    0.5 * libm::erfc(-z * std::f64::consts::FRAC_1_SQRT_2)
}

/// Standard normal quantile; ±∞ at 0 and 1, NaN outside [0, 1].
pub(crate) fn qnorm(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let dnorm = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    polish(Normal::standard().inverse_cdf(p), p, pnorm, |z| pnorm(-z), dnorm)
}

/// Upper tail `P(T > t)` of Student's t with `df > 0` degrees of freedom (NaN otherwise).
///
/// For `df ≥ 10⁴` and `|t| ≤ df^{1/4}` the tail is `1 − Φ(z)` with `z` solving Fisher's
/// expansion `t = Q(z)` (see [`t_quantile`]); elsewhere statrs' regularized incomplete beta,
/// whose log-gamma terms lose about `df·ε` relative at large df.
pub(crate) fn t_sf(t: f64, df: f64) -> f64 {
    let Ok(d) = StudentsT::new(0.0, 1.0, df) else { return f64::NAN };
    if t.is_nan() {
        f64::NAN
    } else if t == f64::INFINITY {
        0.0
    } else if t == f64::NEG_INFINITY {
        1.0
    } else if df >= T_EXPANSION_DF && t.abs() <= df.powf(0.25) {
        // Newton on Q(z) = t (Q is increasing), from z = t
        let mut z = t;
        for _ in 0..20 {
            let (q, dq) = fisher_t(z, df);
            let step = (q - t) / dq;
            z -= step;
            if step.abs() <= 1e-16 * z.abs().max(1e-300) {
                break;
            }
        }
        pnorm(-z)
    } else {
        d.sf(t)
    }
}

/// Degrees of freedom from which the t distribution is computed from Fisher's expansion.
const T_EXPANSION_DF: f64 = 1e4;

/// Fisher's (1926) expansion of the t quantile in the normal quantile `x` to order `df⁻⁴`
/// (Abramowitz & Stegun 26.7.5), and its derivative in `x`.
fn fisher_t(x: f64, df: f64) -> (f64, f64) {
    let x2 = x * x;
    let g1 = (x2 + 1.0) * x / 4.0;
    let g2 = ((5.0 * x2 + 16.0) * x2 + 3.0) * x / 96.0;
    let g3 = (((3.0 * x2 + 19.0) * x2 + 17.0) * x2 - 15.0) * x / 384.0;
    let g4 = ((((79.0 * x2 + 776.0) * x2 + 1482.0) * x2 - 1920.0) * x2 - 945.0) * x / 92160.0;
    let d1 = (3.0 * x2 + 1.0) / 4.0;
    let d2 = ((25.0 * x2 + 48.0) * x2 + 3.0) / 96.0;
    let d3 = (((21.0 * x2 + 95.0) * x2 + 51.0) * x2 - 15.0) / 384.0;
    let d4 = ((((711.0 * x2 + 5432.0) * x2 + 7410.0) * x2 - 5760.0) * x2 - 945.0) / 92160.0;
    let v = 1.0 / df;
    (x + v * (g1 + v * (g2 + v * (g3 + v * g4))), 1.0 + v * (d1 + v * (d2 + v * (d3 + v * d4))))
}

/// Quantile of Student's t: statrs' inverse (via the inverse regularized beta) polished with
/// Newton steps on the smaller tail; for `df ≥ 10⁴` (and `|z| ≤ df^{1/4}`) Fisher's expansion
/// in the normal quantile `z`, which agrees with R's `qt` to a few ulps there:
/// ```text
/// t = z + (z³ + z)/(4ν) + (5z⁵ + 16z³ + 3z)/(96ν²) + (3z⁷ + 19z⁵ + 17z³ − 15z)/(384ν³)
///       + (79z⁹ + 776z⁷ + 1482z⁵ − 1920z³ − 945z)/(92160ν⁴)
/// ```
/// NaN unless `0 < p < 1` and `df > 0`.
pub(crate) fn t_quantile(p: f64, df: f64) -> f64 {
    let Ok(d) = StudentsT::new(0.0, 1.0, df) else { return f64::NAN };
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    if df >= T_EXPANSION_DF {
        let z = qnorm(p);
        if z.abs() <= df.powf(0.25) {
            return fisher_t(z, df).0;
        }
    }
    polish(d.inverse_cdf(p), p, |q| d.cdf(q), |q| d.sf(q), |q| d.pdf(q))
}

/// Upper tail `P(X > x)` of the central χ² with `df > 0` degrees of freedom (1 for `x ≤ 0`; NaN
/// for invalid arguments).
pub(crate) fn chisq_sf(x: f64, df: f64) -> f64 {
    let Ok(d) = ChiSquared::new(df) else { return f64::NAN };
    if x.is_nan() {
        f64::NAN
    } else if x <= 0.0 {
        1.0
    } else if x == f64::INFINITY {
        0.0
    } else {
        d.sf(x)
    }
}

/// Quantile of the central χ²; 0 for `df = 0` (the point mass at zero), NaN unless `0 < p < 1`.
pub(crate) fn chisq_quantile(p: f64, df: f64) -> f64 {
    if !(p > 0.0 && p < 1.0 && df >= 0.0) {
        return f64::NAN;
    }
    if df == 0.0 {
        return 0.0;
    }
    let Ok(d) = ChiSquared::new(df) else { return f64::NAN };
    polish(d.inverse_cdf(p), p, |q| d.cdf(q), |q| d.sf(q), |q| d.pdf(q))
}

/// Upper tail `P(F > x)` of the F distribution with `(d1, d2)` degrees of freedom (1 for
/// `x ≤ 0`; NaN for invalid arguments). Agrees with R's `pf` to 1e-10 relative for
/// `d2 ≤ 10⁴` and 1e-8 beyond (statrs' incomplete beta).
pub(crate) fn f_sf(x: f64, d1: f64, d2: f64) -> f64 {
    let Ok(d) = FisherSnedecor::new(d1, d2) else { return f64::NAN };
    if x.is_nan() {
        f64::NAN
    } else if x <= 0.0 {
        1.0
    } else if x == f64::INFINITY {
        0.0
    } else {
        d.sf(x)
    }
}

/// Quantile of the F distribution, NaN unless `0 < p < 1` and the degrees of freedom are
/// positive.
pub(crate) fn f_quantile(p: f64, d1: f64, d2: f64) -> f64 {
    let Ok(d) = FisherSnedecor::new(d1, d2) else { return f64::NAN };
    if !(p > 0.0 && p < 1.0) {
        return f64::NAN;
    }
    polish(d.inverse_cdf(p), p, |q| d.cdf(q), |q| d.sf(q), |q| d.pdf(q))
}

/// Newton steps `q ← q − (F(q) − p)/f(q)` on the smaller tail (`F(q) − p` for `p ≤ ½`,
/// `(1 − p) − S(q)` above), at most 6, stopping at a relative step of 1e-16 or when the density
/// vanishes. Keeps the starting value if a step leaves the support.
fn polish(
    mut q: f64,
    p: f64,
    cdf: impl Fn(f64) -> f64,
    sf: impl Fn(f64) -> f64,
    pdf: impl Fn(f64) -> f64,
) -> f64 {
    for _ in 0..6 {
        if !q.is_finite() {
            break;
        }
        let dens = pdf(q);
        if dens.is_nan() || dens <= 0.0 {
            break;
        }
        let err = if p > 0.5 { (1.0 - p) - sf(q) } else { cdf(q) - p };
        let step = err / dens;
        if !step.is_finite() {
            break;
        }
        q -= step;
        if step.abs() <= 1e-16 * q.abs() {
            break;
        }
    }
    q
}

/// Poisson means λ/2 above which the noncentral χ² CDF uses Sankaran's approximation: the exact
/// mixture then needs more than about 50 000 terms, and the approximation's error (of order
/// λ^{-3/2}) is far below anything an RMSEA interval can resolve.
const NCP_SERIES_MAX: f64 = 5e6;

/// CDF `P(X ≤ x)` of the noncentral χ² with `df > 0` degrees of freedom and noncentrality
/// `ncp ≥ 0` (NaN for invalid arguments).
///
/// # Formula
/// ```text
/// P(X ≤ x) = Σ_j Pois(j; λ/2) P(χ²_{df+2j} ≤ x)
/// ```
/// summed outwards from the Poisson mode with the exact recurrences
/// `P(χ²_{k+2} ≤ x) = P(χ²_k ≤ x) − t(k)`, `t(k) = (x/2)^{k/2} e^{−x/2} / Γ(k/2 + 1)`,
/// `t(k+2) = t(k)·(x/2)/(k/2 + 1)`, until a term is below 1e-17 of the sum (at most
/// `12√(λ/2) + 200` terms each way). For `λ/2 > 5·10⁶`, Sankaran's (1963) approximation:
/// ```text
/// h = 1 − ⅔ (k+λ)(k+3λ)/(k+2λ)²,  p = (k+2λ)/(k+λ)²,  m = (h−1)(1−3h)
/// P(X ≤ x) ≈ Φ( ((x/(k+λ))^h − 1 − h p (h − 1 − ½(2−h) m p)) / (h √(2p) (1 + ½ m p)) )
/// ```
///
/// # References
/// Johnson, N. L., Kotz, S. & Balakrishnan, N. (1995). *Continuous Univariate Distributions*,
/// vol. 2, ch. 29. Sankaran, M. (1963). Approximations to the non-central chi-square
/// distribution. *Biometrika* 50, 199–204.
pub(crate) fn pnchisq(x: f64, df: f64, ncp: f64) -> f64 {
    let valid = df > 0.0 && ncp >= 0.0 && df.is_finite() && ncp.is_finite();
    if x.is_nan() || !valid {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 0.0;
    }
    if x == f64::INFINITY {
        return 1.0;
    }
    let lam = ncp / 2.0;
    let hx = x / 2.0;
    if lam == 0.0 {
        return gamma_lr(df / 2.0, hx);
    }
    if lam > NCP_SERIES_MAX {
        return sankaran(x, df, ncp);
    }
    let max_terms = (12.0 * lam.sqrt()) as usize + 200;
    let mode = lam.floor();
    let k0 = df + 2.0 * mode;
    let p0 = gamma_lr(k0 / 2.0, hx);
    let w0 = (-lam + mode * lam.ln() - ln_gamma(mode + 1.0)).exp();
    let t0 = ((k0 / 2.0) * hx.ln() - hx - ln_gamma(k0 / 2.0 + 1.0)).exp();
    let mut sum = w0 * p0;
    // upwards: weights and probabilities both decrease once past the mode
    let (mut p, mut w, mut t, mut j, mut k) = (p0, w0, t0, mode, k0);
    for _ in 0..max_terms {
        p -= t;
        t *= hx / (k / 2.0 + 1.0);
        j += 1.0;
        k += 2.0;
        w *= lam / j;
        let term = w * p.max(0.0);
        sum += term;
        if term <= 1e-17 * sum && j > lam {
            break;
        }
    }
    // downwards: t(k−2) = t(k)·(k/2)/(x/2), P(χ²_{k−2} ≤ x) = P(χ²_k ≤ x) + t(k−2)
    let (mut p, mut w, mut t, mut j, mut k) = (p0, w0, t0, mode, k0);
    for _ in 0..max_terms {
        if j < 1.0 {
            break;
        }
        t *= (k / 2.0) / hx;
        p += t;
        w *= j / lam;
        j -= 1.0;
        k -= 2.0;
        sum += w * p.min(1.0);
        if w <= 1e-17 * sum {
            break;
        }
    }
    sum.clamp(0.0, 1.0)
}

/// Sankaran's (1963) normal approximation to the noncentral χ² CDF (see [`pnchisq`]).
fn sankaran(x: f64, k: f64, lam: f64) -> f64 {
    let a = k + lam;
    let b = k + 2.0 * lam;
    let h = 1.0 - 2.0 / 3.0 * a * (k + 3.0 * lam) / (b * b);
    let p = b / (a * a);
    let m = (h - 1.0) * (1.0 - 3.0 * h);
    let num = (x / a).powf(h) - (1.0 + h * p * (h - 1.0 - 0.5 * (2.0 - h) * m * p));
    let den = h * (2.0 * p).sqrt() * (1.0 + 0.5 * m * p);
    pnorm(num / den)
}

/// The noncentrality `λ ≥ 0` with `pnchisq(x, df, λ) = target` (the CDF decreases in λ): 0 when
/// even `λ = 0` gives a CDF at or below `target`, NaN for invalid arguments or when no bracket
/// is found. This is the root behind RMSEA confidence limits (Steiger & Lind).
///
/// The bracket starts around the normal approximation of the noncentral χ² (mean df + λ,
/// variance 2(df + 2λ)) and widens fourfold at most 60 times; Illinois regula falsi (at most 200
/// steps) then stops at a bracket width of 1e-12·(1 + λ).
pub(crate) fn ncp_root(x: f64, df: f64, target: f64) -> f64 {
    if !(x > 0.0 && x.is_finite() && df > 0.0 && df.is_finite() && target > 0.0 && target < 1.0) {
        return f64::NAN;
    }
    let f = |l: f64| pnchisq(x, df, l) - target;
    let f0 = f(0.0);
    if f0.is_nan() {
        return f64::NAN;
    }
    if f0 <= 0.0 {
        return 0.0;
    }
    let z = qnorm(target);
    let mut guess = (x - df).max(0.0);
    for _ in 0..3 {
        guess = (x - df - z * (2.0 * (df + 2.0 * guess)).sqrt()).max(0.0);
    }
    let mut w = 3.0 * (2.0 * (df + 2.0 * guess)).sqrt();
    let mut bracket = None;
    for _ in 0..60 {
        let lo = (guess - w).max(0.0);
        let hi = guess + w;
        if !hi.is_finite() {
            break;
        }
        let (flo, fhi) = (if lo == 0.0 { f0 } else { f(lo) }, f(hi));
        if flo > 0.0 && fhi <= 0.0 {
            bracket = Some((lo, hi, flo, fhi));
            break;
        }
        w *= 4.0;
    }
    let Some((mut a, mut b, mut fa, mut fb)) = bracket else { return f64::NAN };
    if fb == 0.0 {
        return b;
    }
    // Illinois: halve the value kept at an end that stays twice in a row
    let mut side = 0i8;
    for _ in 0..200 {
        let c = if fa != fb { (a * fb - b * fa) / (fb - fa) } else { 0.5 * (a + b) };
        let c = if c > a && c < b { c } else { 0.5 * (a + b) };
        let fc = f(c);
        if fc.is_nan() {
            return f64::NAN;
        }
        if fc == 0.0 {
            return c;
        }
        if fc > 0.0 {
            a = c;
            fa = fc;
            if side == 1 {
                fb *= 0.5;
            }
            side = 1;
        } else {
            b = c;
            fb = fc;
            if side == -1 {
                fa *= 0.5;
            }
            side = -1;
        }
        if b - a <= 1e-12 * (1.0 + b) {
            break;
        }
    }
    0.5 * (a + b)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (function, argument, df1, df2, ncp, R's value) from tests/fixtures/extra/dist.csv.
    fn reference() -> Vec<(String, [f64; 4], f64)> {
        let text = include_str!("../../tests/fixtures/extra/dist.csv");
        text.lines()
            .skip(1)
            .map(|line| {
                let v: Vec<&str> = line.split(',').collect();
                let num = |s: &str| if s == "NA" { f64::NAN } else { s.parse::<f64>().unwrap() };
                (v[0].to_string(), [num(v[1]), num(v[2]), num(v[3]), num(v[4])], num(v[5]))
            })
            .collect()
    }

    #[test]
    fn agrees_with_r() {
        let mut worst: Vec<(String, f64)> = Vec::new();
        for (fun, [a, d1, d2, ncp], r) in reference() {
            let (ours, tol) = match fun.as_str() {
                "qt" => (t_quantile(a, d1), 1e-10),
                "pt_upper" => (t_sf(a, d1), 1e-10),
                "qnorm" => (qnorm(a), 1e-13),
                "pnorm" => (pnorm(a), 1e-13),
                "pchisq_upper" => (chisq_sf(a, d1), 1e-10),
                "qchisq" => (chisq_quantile(a, d1), 1e-10),
                // statrs' incomplete beta loses about d2·ε relative for a large d2
                "pf_upper" => (f_sf(a, d1, d2), if d2 > 1e4 { 1e-8 } else { 1e-10 }),
                "qf" => (f_quantile(a, d1, d2), if d2 > 1e4 { 1e-8 } else { 1e-10 }),
                // R's own series is accurate to about 1e-12 for ncp ≥ 80
                "pnchisq" => (pnchisq(a, d1, ncp), 1e-10),
                other => panic!("unknown function {other}"),
            };
            let rel = (ours - r).abs() / r.abs().max(f64::MIN_POSITIVE);
            if rel.is_nan() || rel > tol {
                worst.push((format!("{fun}({a}, {d1}, {d2}, {ncp}) = {ours:e}, R {r:e}"), rel));
            }
        }
        assert!(worst.is_empty(), "{worst:#?}");
    }

    #[test]
    fn t_quantile_above_half_exceeds_normal_at_large_df() {
        // the t quantile decreases to the normal one as df grows
        let q = t_quantile(0.975, 1e5);
        assert!(q > 1.959963984540054 && q < 1.96, "{q}");
        assert!((t_quantile(0.025, 1e5) + q).abs() < 1e-13);
    }

    #[test]
    fn noncentral_extremes_return_quickly() {
        // a χ² of 4e18 (a model with a loading fixed at 1e-8): bounded and sensible
        let x = 4e18;
        let lo = ncp_root(x, 24.0, 0.95);
        let hi = ncp_root(x, 24.0, 0.05);
        assert!(lo.is_finite() && hi.is_finite() && lo < x && x < hi, "{lo} {hi}");
        assert!((hi - lo) / x < 1e-6);
        assert!(pnchisq(x, 24.0, 1e12) == 1.0);
        assert!(pnchisq(1.0, 24.0, 1e12) == 0.0);
        // the series and Sankaran's approximation meet at the switch
        let l = 2.0 * NCP_SERIES_MAX;
        let x = l + 24.0 + 0.3 * (2.0 * (24.0 + 2.0 * l)).sqrt();
        let series = pnchisq(x, 24.0, l * (1.0 - 1e-15));
        let approx = sankaran(x, 24.0, l);
        assert!((series - approx).abs() < 1e-7, "{series} {approx}");
        // invalid arguments
        assert!(pnchisq(f64::NAN, 3.0, 1.0).is_nan() && pnchisq(1.0, 0.0, 1.0).is_nan());
        assert!(ncp_root(f64::INFINITY, 3.0, 0.5).is_nan() && ncp_root(1.0, 3.0, 0.99) == 0.0);
    }
}
