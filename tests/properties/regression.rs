//! Property tests of OLS: exact identities that must hold for any data.

use ndarray::{Array1, Array2};
use proptest::prelude::*;
use surveystat::Error;
use surveystat::regression::{Ols, RankDeficiency, RobustCovariance};

/// A random design (n × k) and response from a seed, with a chosen scale per column.
fn data(seed: u64, n: usize, k: usize, scales: &[f64]) -> (Array2<f64>, Array1<f64>) {
    let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = move || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let x = Array2::from_shape_fn((n, k), |(_, j)| next() * scales[j % scales.len()]);
    let y = Array1::from_shape_fn(n, |i| {
        x.row(i)
            .iter()
            .enumerate()
            .map(|(j, v)| v * (j as f64 + 1.0) / scales[j % scales.len()])
            .sum::<f64>()
    }) + Array1::from_shape_fn(n, |_| next());
    (x, y)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Xᵀe = 0 for every column (and 1ᵀe = 0 with an intercept), relative to ‖x_j‖‖e‖.
    #[test]
    fn residuals_orthogonal_to_columns(seed in any::<u64>(), n in 8usize..60, k in 1usize..6,
                                       intercept in any::<bool>(), s in 1e-3f64..1e3) {
        prop_assume!(n > k + 2);
        let (x, y) = data(seed, n, k, &[1.0, s, 1.0 / s]);
        let fit = Ols::new().intercept(intercept).fit(&x, &y).unwrap();
        let e = fit.residuals();
        let en = e.dot(&e).sqrt();
        for j in 0..k {
            let c = x.column(j);
            let ip = c.dot(&e);
            prop_assert!(ip.abs() <= 1e-12 * c.dot(&c).sqrt() * en, "column {j}: {ip}");
        }
        if intercept {
            prop_assert!(e.sum().abs() <= 1e-12 * (n as f64).sqrt() * en);
        }
    }

    /// Rescaling a predictor by c leaves fitted values, residuals and t values unchanged and
    /// divides its coefficient by c (the sign of its t value follows the sign of c).
    #[test]
    fn fitted_invariant_to_rescaling(seed in any::<u64>(), n in 8usize..60, k in 1usize..5,
                                     j in 0usize..5, c in prop_oneof![1e-6f64..1e-3, 1e3f64..1e6, -10.0f64..-0.1]) {
        prop_assume!(n > k + 2);
        let j = j % k;
        let (x, y) = data(seed, n, k, &[1.0]);
        let mut x2 = x.clone();
        x2.column_mut(j).mapv_inplace(|v| v * c);
        let a = Ols::new().fit(&x, &y).unwrap();
        let b = Ols::new().fit(&x2, &y).unwrap();
        let scale = y.iter().map(|v| v.abs()).fold(0.0, f64::max);
        for i in 0..n {
            prop_assert!((a.fitted_values()[i] - b.fitted_values()[i]).abs() <= 1e-12 * scale);
        }
        let bj = a.coefficients()[j + 1];
        prop_assert!((b.coefficients()[j + 1] * c - bj).abs() <= 1e-11 * bj.abs().max(1e-300));
        for t in 0..a.t_values().len() {
            prop_assert!((a.t_values()[t].abs() - b.t_values()[t].abs()).abs() <= 1e-9 * a.t_values()[t].abs().max(1.0));
        }
    }

    /// A column that duplicates another (possibly rescaled) is reported — by default as an error
    /// naming it, with `Drop` as an aliased column — and never silently fit.
    #[test]
    fn duplicate_column_is_reported(seed in any::<u64>(), n in 8usize..60, k in 1usize..5,
                                    j in 0usize..5, c in prop_oneof![Just(1.0), -100.0f64..100.0]) {
        prop_assume!(n > k + 3 && c != 0.0);
        let j = j % k;
        let (x, y) = data(seed, n, k, &[1.0]);
        let mut x2 = Array2::zeros((n, k + 1));
        x2.slice_mut(ndarray::s![.., ..k]).assign(&x);
        x2.column_mut(k).assign(&x.column(j).mapv(|v| v * c));
        let names: Vec<String> = (0..=k).map(|i| format!("v{i}")).collect();
        let err = Ols::new().names(&names).fit(&x2, &y).unwrap_err();
        prop_assert_eq!(err, Error::RankDeficient { aliased: vec![format!("v{k}")] });
        let fit = Ols::new()
            .names(&names)
            .rank_deficiency(RankDeficiency::Drop)
            .robust_covariance(RobustCovariance::Skip)
            .fit(&x2, &y)
            .unwrap();
        prop_assert_eq!(fit.aliased(), &[format!("v{k}")][..]);
        prop_assert_eq!(fit.coefficients().len(), k + 1);
        let base = Ols::new().fit(&x, &y).unwrap();
        for i in 0..n {
            prop_assert!((fit.fitted_values()[i] - base.fitted_values()[i]).abs() <= 1e-10);
        }
    }
}

/// The multi-leaf (TSQR, parallel) path: n = 25 000 rows → 12 leaves. Checked against the
/// defining identities: Xᵀe = 0, ŷ + e = y, and HC0 / classical covariance recomputed naively
/// from their formulas with the returned residuals.
#[test]
fn tall_design_multi_leaf_identities() {
    use surveystat::regression::HcType;
    let (n, k) = (25_000usize, 4usize);
    let (x, y) = data(20261128, n, k, &[1.0, 30.0, 0.01]);
    let fit = Ols::new().fit(&x, &y).unwrap();
    let e = fit.residuals();
    let en = e.dot(&e).sqrt();
    for j in 0..k {
        let c = x.column(j);
        assert!(c.dot(&e).abs() <= 1e-12 * c.dot(&c).sqrt() * en, "column {j}");
    }
    assert!(e.sum().abs() <= 1e-12 * (n as f64).sqrt() * en);
    for i in (0..n).step_by(997) {
        assert!((fit.fitted_values()[i] + e[i] - y[i]).abs() <= 1e-12 * y[i].abs().max(1.0));
    }
    // Naive (XᵀX)⁻¹ and HC0 via a small Gauss–Jordan inverse of XᵀX (p = 5, well conditioned).
    let p = k + 1;
    let mut xd = Array2::<f64>::ones((n, p));
    xd.slice_mut(ndarray::s![.., 1..]).assign(&x);
    let xtx = xd.t().dot(&xd);
    let inv = {
        let mut m = Array2::<f64>::zeros((p, 2 * p));
        m.slice_mut(ndarray::s![.., ..p]).assign(&xtx);
        for i in 0..p {
            m[[i, p + i]] = 1.0;
        }
        for c in 0..p {
            let pv = m[[c, c]];
            for j in 0..2 * p {
                m[[c, j]] /= pv;
            }
            for r in 0..p {
                if r != c {
                    let f = m[[r, c]];
                    for j in 0..2 * p {
                        m[[r, j]] -= f * m[[c, j]];
                    }
                }
            }
        }
        m.slice(ndarray::s![.., p..]).to_owned()
    };
    let s2 = e.dot(&e) / (n - p) as f64;
    let mut meat = Array2::<f64>::zeros((p, p));
    for i in 0..n {
        let r = xd.row(i);
        let w = e[i] * e[i];
        for a in 0..p {
            for b in 0..p {
                meat[[a, b]] += w * r[a] * r[b];
            }
        }
    }
    let hc0 = inv.dot(&meat).dot(&inv);
    let fhc0 = fit.vcov_hc(HcType::Hc0).unwrap();
    for a in 0..p {
        for b in 0..p {
            let v = inv[[a, b]] * s2;
            assert!(
                (fit.vcov()[[a, b]] - v).abs()
                    <= 1e-9 * v.abs().max(1e-3 * fit.vcov()[[a, a]].abs()),
                "vcov {a},{b}"
            );
            let h = hc0[[a, b]];
            assert!(
                (fhc0[[a, b]] - h).abs() <= 1e-9 * h.abs().max(1e-3 * hc0[[a, a]].abs()),
                "hc0 {a},{b}"
            );
        }
    }
    // Leverages sum to p.
    let hsum: f64 = fit.leverages().unwrap().sum();
    assert!((hsum - p as f64).abs() <= 1e-9);
    // Refinement forced on agrees with the plain solution of this well-conditioned design.
    let g = Ols::new().refinement(surveystat::regression::Refinement::Always).fit(&x, &y).unwrap();
    for j in 0..p {
        let (a, b) = (fit.coefficients()[j], g.coefficients()[j]);
        assert!((a - b).abs() <= 1e-12 * a.abs().max(1.0), "coef {j}");
    }
}

/// Rank deficiency is detected on the multi-leaf path too (x4 = 2·x1 − x2, n = 25 000).
#[test]
fn tall_design_collinear_column_is_named() {
    let (n, k) = (25_000usize, 3usize);
    let (x, y) = data(7, n, k, &[1.0]);
    let mut x2 = Array2::<f64>::zeros((n, k + 1));
    x2.slice_mut(ndarray::s![.., ..k]).assign(&x);
    for i in 0..n {
        x2[[i, k]] = 2.0 * x[[i, 0]] - x[[i, 1]];
    }
    let err = Ols::new().names(&["a", "b", "c", "combo"]).fit(&x2, &y).unwrap_err();
    assert_eq!(err, Error::RankDeficient { aliased: vec!["combo".into()] });
}

/// The streaming path (plain QR solution, residuals from X, Breusch–Pagan by the semi-normal
/// equations with the QR's R) agrees with the materialised-Q path (forced by
/// `Refinement::Always`) on a tall design whose predictors are constant within row blocks
/// (sorted dummies: leaf-local rank deficiency), and is bit-for-bit independent of the number
/// of threads.
#[test]
fn tall_streaming_matches_materialised_q_path() {
    use surveystat::regression::Refinement;
    let (n, k) = (30_000usize, 4usize);
    let (mut x, _) = data(99, n, k, &[1.0, 5.0]);
    // Column 0: a sorted 0/1 dummy (constant within most 2048-row leaves); column 1 a sorted
    // step variable.
    for i in 0..n {
        x[[i, 0]] = if i < n / 3 { 0.0 } else { 1.0 };
        x[[i, 1]] = (i / 5000) as f64;
    }
    // Heteroskedastic response so that BP is far from 0.
    let y = Array1::from_shape_fn(n, |i| {
        let r = x.row(i);
        let u = ((i * 7919) % 1000) as f64 / 1000.0 - 0.5;
        1.0 + 0.5 * r[0] - 0.2 * r[1] + r[2] + 0.3 * r[3] + u * (1.0 + r[1])
    });
    let a = Ols::new().fit(&x, &y).unwrap();
    let b = Ols::new().refinement(Refinement::Always).fit(&x, &y).unwrap();
    assert_eq!(a.convergence().iterations, 0, "the streaming path was expected");
    let close = |u: f64, v: f64, tol: f64| (u - v).abs() <= tol * v.abs().max(1e-300);
    for j in 0..=k {
        assert!(close(a.coefficients()[j], b.coefficients()[j], 1e-11), "coef {j}");
        assert!(close(a.std_errors()[j], b.std_errors()[j], 1e-11), "se {j}");
    }
    for j in 0..k {
        assert!(close(a.std_coefficients()[j], b.std_coefficients()[j], 1e-11), "beta {j}");
        assert!(close(a.vif()[j], b.vif()[j], 1e-11), "vif {j}");
    }
    let (ba, bb) = (a.breusch_pagan(), b.breusch_pagan());
    assert!(bb.statistic > 10.0);
    assert!(close(ba.statistic, bb.statistic, 1e-10), "BP {} vs {}", ba.statistic, bb.statistic);
    assert!(close(a.durbin_watson(), b.durbin_watson(), 1e-12));
    assert!(close(a.r_squared(), b.r_squared(), 1e-12));
    for i in (0..n).step_by(1231) {
        assert!((a.residuals()[i] - b.residuals()[i]).abs() <= 1e-12 * y[i].abs().max(1.0));
    }
    // Thread-count independence: one thread gives the identical fit.
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let c = pool.install(|| Ols::new().fit(&x, &y).unwrap());
    assert_eq!(a.coefficients(), c.coefficients());
    assert_eq!(a.residuals(), c.residuals());
    assert_eq!(a.breusch_pagan().statistic.to_bits(), c.breusch_pagan().statistic.to_bits());
    assert_eq!(a.vcov(), c.vcov());
}

/// A missing value deep inside a tall design is found (the streaming copy checks finiteness)
/// and the row is dropped; an infinite value is an error.
#[test]
fn tall_design_missing_and_infinite_values() {
    let (n, k) = (25_000usize, 3usize);
    let (mut x, y) = data(5, n, k, &[1.0]);
    let full = Ols::new().fit(&x, &y).unwrap();
    assert_eq!(full.n_dropped(), 0);
    x[[17_001, 2]] = f64::NAN;
    let fit = Ols::new().fit(&x, &y).unwrap();
    assert_eq!(fit.n_dropped(), 1);
    assert_eq!(fit.n_obs(), n - 1);
    x[[17_001, 2]] = f64::INFINITY;
    assert!(matches!(Ols::new().fit(&x, &y).unwrap_err(), Error::NonFinite { .. }));
    x[[17_001, 2]] = 0.0;
    let mut y2 = y.clone();
    y2[3] = f64::NAN;
    assert_eq!(Ols::new().fit(&x, &y2).unwrap().n_dropped(), 1);
}
