//! Bad input to ω, ICC and scale scoring: typed errors or warnings, never a panic.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ndarray::{Array2, array};
use surveystat::Error;
use surveystat::factor::Extraction;
use surveystat::reliability::{Omega, SchmidLeiman};

fn no_panic<T>(f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!("the library panicked instead of returning an error"),
    }
}

/// Correlations of `k` groups of three items under one general factor.
fn hierarchical(k: usize) -> Array2<f64> {
    let p = 3 * k;
    let mut l = Array2::<f64>::zeros((p, k));
    for i in 0..p {
        l[[i, i / 3]] = 0.7;
    }
    let phi = Array2::from_shape_fn((k, k), |(i, j)| if i == j { 1.0 } else { 0.4 });
    let mut r = l.dot(&phi).dot(&l.t());
    for i in 0..p {
        r[[i, i]] = 1.0;
    }
    r
}

#[test]
fn omega_with_fewer_than_three_group_factors_warns() {
    for k in [1, 2] {
        let r = hierarchical(3);
        let fit = no_panic(|| Omega::new().n_factors(k).fit_cor(&r, 300)).unwrap();
        assert!(!fit.warnings().is_empty(), "{k} factor(s) must warn");
        assert!(fit.omega_h().is_finite() && fit.omega_total().is_finite());
    }
}

#[test]
fn omega_bad_shapes_and_values() {
    let r = hierarchical(3);
    // more factors than items allow
    assert!(matches!(
        no_panic(|| Omega::new().n_factors(9).fit_cor(&r, 300)),
        Err(Error::InvalidParameter { .. })
    ));
    // key of the wrong length
    assert!(matches!(
        no_panic(|| Omega::new().key(&[1.0, -1.0]).fit_cor(&r, 300)),
        Err(Error::DimensionMismatch { .. })
    ));
    // NaN correlations
    let mut bad = r.clone();
    bad[[0, 1]] = f64::NAN;
    assert!(no_panic(|| Omega::new().fit_cor(&bad, 300)).is_err());
    // Schmid–Leiman with inconsistent shapes or non-finite input
    let pat = array![[0.7, 0.0], [0.6, 0.1], [0.0, 0.8]];
    let h2 = ndarray::Array1::from(vec![0.5, 0.4, 0.6]);
    assert!(matches!(
        no_panic(|| SchmidLeiman::new(&pat, &Array2::eye(3), &h2, Extraction::MinRes)),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut phi = Array2::eye(2);
    phi[[0, 1]] = f64::INFINITY;
    assert!(matches!(
        no_panic(|| SchmidLeiman::new(&pat, &phi, &h2, Extraction::MinRes)),
        Err(Error::NonFinite { .. })
    ));
}

#[test]
fn icc_missing_ratings_and_shapes() {
    use surveystat::reliability::Icc;
    let mut x = array![[9., 2., 5.], [6., 1., 3.], [8., 4., 6.]];
    x[[1, 2]] = f64::NAN;
    assert!(matches!(no_panic(|| Icc::new().fit(&x)), Err(Error::NonFinite { .. })));
    let one_judge = array![[1.0], [2.0], [3.0]];
    assert!(matches!(no_panic(|| Icc::new().fit(&one_judge)), Err(Error::TooFewVariables { .. })));
    let one_target = array![[1.0, 2.0, 3.0]];
    assert!(matches!(
        no_panic(|| Icc::new().fit(&one_target)),
        Err(Error::TooFewObservations { .. })
    ));
    let good = array![[9., 2., 5.], [6., 1., 3.], [8., 4., 6.]];
    assert!(matches!(
        no_panic(|| Icc::new().ci_level(1.5).fit(&good)),
        Err(Error::InvalidParameter { .. })
    ));
    // identical ratings: zero residual variance gives non-finite F, not a panic
    let same = array![[1., 1.], [2., 2.], [3., 3.]];
    let _ = no_panic(|| Icc::new().fit(&same));
}
