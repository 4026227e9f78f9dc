//! The mergeable QR state of `[1 X y]` (`QrAccumulator`) and `Ols::fit_qr`: any split of the
//! rows into chunks and partitions, merged in any order, gives the in-memory `Ols::fit` to 1e-12
//! relative (the QR of the stacked triangles is the QR of the stacked rows); `merge_all` is
//! order-independent to the bit; missing rows are listwise as in memory.

use ndarray::{Array1, Array2, Axis};
use surveystat::error::Error;
use surveystat::regression::{Ols, OlsFit, QrAccumulator, SeType};
use surveystat::simulate::MultivariateNormal;

/// 3 000 rows: y and four predictors with means and scales far from 0 and 1.
fn data() -> (Array2<f64>, Array1<f64>) {
    let cov = ndarray::array![
        [4.0, 1.2, 0.8, 0.5, 2.0],
        [1.2, 1.0, 0.3, 0.2, 0.4],
        [0.8, 0.3, 2.0, 0.1, 0.6],
        [0.5, 0.2, 0.1, 0.5, 0.1],
        [2.0, 0.4, 0.6, 0.1, 9.0],
    ];
    let mean = ndarray::array![50.0, 3.0, -2.0, 0.5, 100.0];
    let z = MultivariateNormal::new(&mean, &cov).unwrap().sample(3000, 42).unwrap();
    (z.slice_axis(Axis(1), ndarray::Slice::from(1..)).to_owned(), z.column(0).to_owned())
}

fn close(what: &str, a: f64, b: f64) {
    let d = (a - b).abs();
    assert!(d <= 1e-12 * a.abs().max(b.abs()) || d == 0.0, "{what}: {a} vs {b}");
}

fn same_fit(a: &OlsFit, b: &OlsFit) {
    assert_eq!(a.n_obs(), b.n_obs());
    assert_eq!(a.n_dropped(), b.n_dropped());
    for k in 0..a.coefficients().len() {
        close("coef", a.coefficients()[k], b.coefficients()[k]);
        close("se", a.std_errors()[k], b.std_errors()[k]);
        close("t", a.t_values()[k], b.t_values()[k]);
        close("ci", a.ci_upper()[k], b.ci_upper()[k]);
    }
    close("sigma", a.sigma(), b.sigma());
    close("rss", a.rss(), b.rss());
    close("r2", a.r_squared(), b.r_squared());
    close("adj r2", a.adj_r_squared(), b.adj_r_squared());
    close("F", a.f_test().unwrap().value, b.f_test().unwrap().value);
    close("logLik", a.log_lik(), b.log_lik());
    close("AIC", a.aic(), b.aic());
    close("BIC", a.bic(), b.bic());
    for (x, y) in a.vif().iter().zip(b.vif()) {
        close("vif", *x, *y);
    }
    for (x, y) in a.params().iter().zip(b.params()) {
        close("std_all", x.std_all.unwrap(), y.std_all.unwrap());
    }
}

/// States of `parts` contiguous partitions, each fed in chunks of `chunk` rows.
fn states(x: &Array2<f64>, y: &Array1<f64>, parts: usize, chunk: usize) -> Vec<QrAccumulator> {
    let n = x.nrows();
    (0..parts)
        .map(|p| {
            let (a, b) = (p * n / parts, (p + 1) * n / parts);
            let mut acc = QrAccumulator::new(x.ncols());
            let mut r = a;
            while r < b {
                let e = (r + chunk).min(b);
                let rows = ndarray::Slice::from(r..e);
                acc.update(&x.slice_axis(Axis(0), rows), &y.slice_axis(Axis(0), rows)).unwrap();
                r = e;
            }
            acc
        })
        .collect()
}

#[test]
fn partitions_and_chunks_give_the_in_memory_fit() {
    let (x, y) = data();
    let ols = Ols::new().names(&["a", "b", "c", "d"]).response("y");
    let mem = ols.fit(&x, &y).unwrap();
    for (parts, chunk) in [(1, 3000), (1, 100), (7, 333), (64, 5000), (64, 7)] {
        let acc = QrAccumulator::merge_all(4, states(&x, &y, parts, chunk)).unwrap();
        assert_eq!(acc.n_obs(), 3000);
        same_fit(&ols.fit_qr(&acc).unwrap(), &mem);
    }
}

#[test]
fn merge_order_does_not_change_the_bits() {
    let (x, y) = data();
    let parts = states(&x, &y, 16, 250);
    let a = QrAccumulator::merge_all(4, parts.clone()).unwrap();
    let b = QrAccumulator::merge_all(4, parts.iter().rev().cloned()).unwrap();
    let c = QrAccumulator::merge_all(4, (0..16).map(|i| parts[(i * 5 + 3) % 16].clone())).unwrap();
    assert_eq!(a, b);
    assert_eq!(a, c);
    // The factor has a non-negative diagonal: R is the Cholesky factor of [1 X y]ᵀ[1 X y].
    let r = a.factor();
    assert!((0..6).all(|i| r[[i, i]] >= 0.0));
    let back = QrAccumulator::from_state(a.n_obs(), a.n_skipped(), &r).unwrap();
    assert_eq!(back, a);
}

#[test]
fn missing_rows_are_listwise_as_in_memory() {
    let (mut x, mut y) = data();
    for i in (0..3000).step_by(11) {
        x[[i, 1]] = f64::NAN;
    }
    for i in (4..3000).step_by(13) {
        y[i] = f64::NAN;
    }
    let ols = Ols::new();
    let mem = ols.fit(&x, &y).unwrap();
    let acc = QrAccumulator::merge_all(4, states(&x, &y, 5, 97)).unwrap();
    assert_eq!(acc.n_skipped(), mem.n_dropped());
    same_fit(&ols.fit_qr(&acc).unwrap(), &mem);
}

#[test]
fn what_needs_the_rows_is_refused() {
    let (x, y) = data();
    let acc = QrAccumulator::merge_all(4, states(&x, &y, 2, 1000)).unwrap();
    assert!(matches!(
        Ols::new().se_type(SeType::Hc3).fit_qr(&acc),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        Ols::new().intercept(false).fit_qr(&acc),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(Ols::new().names(&["a"]).fit_qr(&acc), Err(Error::DimensionMismatch { .. })));
    // An aliased predictor: d = 2 b.
    let mut x2 = x.clone();
    let b = x2.column(1).to_owned();
    x2.column_mut(3).assign(&(&b * 2.0));
    let acc2 = QrAccumulator::merge_all(4, states(&x2, &y, 3, 500)).unwrap();
    assert!(matches!(Ols::new().fit_qr(&acc2), Err(Error::RankDeficient { .. })));
    // Too few rows, a constant response, an infinite value, a corrupt state.
    let mut small = QrAccumulator::new(4);
    small
        .update(&x.slice_axis(Axis(0), (0..5).into()), &y.slice_axis(Axis(0), (0..5).into()))
        .unwrap();
    assert!(matches!(Ols::new().fit_qr(&small), Err(Error::TooFewObservations { .. })));
    let mut flat = QrAccumulator::new(4);
    flat.update(&x, &Array1::from_elem(3000, 2.0)).unwrap();
    assert!(matches!(Ols::new().fit_qr(&flat), Err(Error::ConstantColumn { .. })));
    let mut inf = x.clone();
    inf[[10, 2]] = f64::INFINITY;
    assert!(matches!(QrAccumulator::new(4).update(&inf, &y), Err(Error::NonFinite { .. })));
    let mut lower = acc.factor();
    lower[[3, 1]] = 1.0;
    assert!(QrAccumulator::from_state(acc.n_obs(), 0, &lower).is_err());
    assert!(QrAccumulator::from_state(0, 0, &acc.factor()).is_err());
    let mut nan = acc.factor();
    nan[[0, 2]] = f64::NAN;
    assert!(QrAccumulator::from_state(acc.n_obs(), 0, &nan).is_err());
    assert!(QrAccumulator::merge_all(3, [acc]).is_err());
}
