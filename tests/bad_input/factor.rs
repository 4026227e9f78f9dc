//! Bad input to KMO / EFA / parallel analysis / the CLI: typed errors or warnings, never panics.

use crate::common;

use ndarray::{Array2, array};
use surveystat::Error;
use surveystat::Warning;
use surveystat::factor::{
    Efa, Extraction, Kmo, ParallelAnalysis, ParallelCriterion, ParallelSource, Rotation,
    ScoreMethod, StoppingRule, bartlett_sphericity, eigenvalues,
};

fn good_r() -> Array2<f64> {
    let l = array![[0.8, 0.1], [0.7, 0.0], [0.6, 0.1], [0.1, 0.7], [0.0, 0.6], [0.1, 0.5]];
    let mut r = l.dot(&l.t());
    for i in 0..6 {
        r[[i, i]] = 1.0;
    }
    r
}

fn data() -> Array2<f64> {
    Array2::from_shape_fn((50, 4), |(i, j)| {
        ((i * (j + 3) * 7 + j * 11) % 13) as f64 + (i % 5) as f64
    })
}

#[test]
fn malformed_correlation_matrices() {
    let mut r = good_r();
    r[[0, 1]] = f64::NAN;
    assert!(matches!(Efa::new(1).fit_cor(&r, 100), Err(Error::NonFinite { .. })));
    assert!(matches!(Kmo::new().fit_cor(&r, 100), Err(Error::NonFinite { .. })));
    let rect = Array2::<f64>::zeros((3, 4));
    assert!(matches!(eigenvalues(&rect), Err(Error::DimensionMismatch { .. })));
    let mut asym = good_r();
    asym[[0, 1]] = 0.1;
    assert!(matches!(Efa::new(1).fit_cor(&asym, 100), Err(Error::InvalidParameter { .. })));
    let mut diag = good_r();
    diag[[2, 2]] = 2.0;
    assert!(matches!(Kmo::new().fit_cor(&diag, 100), Err(Error::InvalidParameter { .. })));
    let one = array![[1.0]];
    assert!(matches!(Kmo::new().fit_cor(&one, 100), Err(Error::TooFewVariables { .. })));
}

#[test]
fn bad_numbers_of_factors_and_observations() {
    let r = good_r();
    assert!(matches!(Efa::new(0).fit_cor(&r, 100), Err(Error::InvalidParameter { .. })));
    assert!(matches!(Efa::new(6).fit_cor(&r, 100), Err(Error::InvalidParameter { .. })));
    // 4 ML factors for 6 variables: negative degrees of freedom
    assert!(matches!(
        Efa::new(4).extraction(Extraction::Ml).fit_cor(&r, 100),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(Efa::new(2).fit_cor(&r, 1), Err(Error::TooFewObservations { .. })));
    assert!(matches!(Kmo::new().fit_cor(&r, 0), Err(Error::TooFewObservations { .. })));
    assert!(matches!(
        Efa::new(2).names(&["a", "b"]).fit_cor(&r, 100),
        Err(Error::DimensionMismatch { .. })
    ));
}

#[test]
fn bad_raw_data() {
    let mut x = data();
    x.column_mut(2).fill(3.0);
    assert!(matches!(Efa::new(1).fit(&x), Err(Error::ConstantColumn { .. })));
    assert!(matches!(Kmo::new().fit(&x), Err(Error::ConstantColumn { .. })));
    let mut y = data();
    y[[3, 1]] = f64::INFINITY;
    assert!(matches!(Efa::new(1).fit(&y), Err(Error::NonFinite { .. })));
    let tiny = Array2::<f64>::zeros((1, 4));
    assert!(Efa::new(1).fit(&tiny).is_err());
    let narrow = Array2::<f64>::zeros((10, 1));
    assert!(matches!(Kmo::new().fit(&narrow), Err(Error::TooFewVariables { .. })));
}

#[test]
fn singular_correlation_matrix() {
    // a duplicated item: R is singular
    let base = data();
    let mut x = Array2::<f64>::zeros((50, 5));
    for i in 0..50 {
        for j in 0..4 {
            x[[i, j]] = base[[i, j]];
        }
        x[[i, 4]] = base[[i, 0]];
    }
    assert!(matches!(
        Efa::new(1).extraction(Extraction::Ml).fit(&x),
        Err(Error::NotPositiveDefinite { .. })
    ));
    let r = surveystat::moments::correlation(&x, surveystat::moments::Missing::Listwise).unwrap();
    assert!(matches!(bartlett_sphericity(&r, 50), Err(Error::NotPositiveDefinite { .. })));
    let kmo = Kmo::new().fit(&x).unwrap();
    assert!(kmo.warnings().iter().any(|w| matches!(w, Warning::NotPositiveDefinite { .. })));
    assert!(kmo.bartlett().chisq.is_nan());
    // minres goes on, with the warning on the fit
    match Efa::new(1).extraction(Extraction::MinRes).fit(&x) {
        Ok(fit) => {
            assert!(fit.warnings().iter().any(|w| matches!(w, Warning::NotPositiveDefinite { .. })))
        }
        Err(e) => {
            assert!(matches!(e, Error::NotConverged { .. } | Error::NotPositiveDefinite { .. }))
        }
    }
}

#[test]
fn heywood_cases_are_reported() {
    // one factor: λ1² = r12 r13 / r23 = 1.28 > 1 (R itself is positive definite)
    let r = array![[1.0, 0.8, 0.8], [0.8, 1.0, 0.5], [0.8, 0.5, 1.0]];
    let pa =
        Efa::new(1).extraction(Extraction::Pa).stopping(StoppingRule::R).fit_cor(&r, 200).unwrap();
    assert!(
        pa.warnings().iter().any(|w| matches!(w, Warning::Heywood { .. })),
        "{:?}",
        pa.warnings()
    );
    let ml = Efa::new(1).extraction(Extraction::Ml).fit_cor(&r, 200).unwrap();
    assert!(
        ml.warnings().iter().any(|w| matches!(w, Warning::Heywood { .. })),
        "{:?}",
        ml.warnings()
    );
    // never silently clipped: the communality is reported as found
    assert!(pa.communalities()[0] > 1.0);
}

#[test]
fn scores_and_options() {
    let r = good_r();
    let fit = Efa::new(2).fit_cor(&r, 300).unwrap();
    let x = Array2::<f64>::zeros((10, 3));
    assert!(matches!(
        fit.scores(&x, ScoreMethod::Regression),
        Err(Error::DimensionMismatch { .. })
    ));
    let flat = Array2::<f64>::ones((10, 6));
    assert!(matches!(fit.scores(&flat, ScoreMethod::Bartlett), Err(Error::ConstantColumn { .. })));
    assert!(matches!(
        Efa::new(2).rotation(Rotation::Promax { power: 1.0 }).fit_cor(&r, 300),
        Err(Error::InvalidParameter { .. })
    ));
    let x = data();
    assert!(matches!(
        ParallelAnalysis::new().replications(0).fit(&x),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        ParallelAnalysis::new().criterion(ParallelCriterion::Quantile(1.5)).fit(&x),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        ParallelAnalysis::new().source(ParallelSource::Resampled).fit_cor(&r, 100),
        Err(Error::InvalidParameter { .. })
    ));
}

fn cli(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_surveystat")).args(args).output().unwrap()
}

#[test]
fn cli_errors_go_to_stderr() {
    let hs = common::fixture_path("data/HolzingerSwineford1939.csv");
    let hs = hs.to_str().unwrap();
    for args in [
        vec!["efa", "--data", hs, "--items", "x1,x2,nope", "--factors", "1"],
        vec!["efa", "--data", hs, "--items", "x1,x2,x3,x4", "--factors", "1", "--method", "magic"],
        vec!["efa", "--data", hs, "--items", "x1,x2,x3,x4", "--factors", "1", "--rotate", "spin"],
        vec!["efa", "--data", hs, "--items", "x1,x2,x3,x4", "--factors", "9"],
        vec!["kmo", "--data", "/no/such/file.csv", "--items", "a,b"],
        vec!["kmo", "--data", hs, "--items", "x1,school"],
    ] {
        let out = cli(&args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("surveystat: ") && err.lines().count() == 1, "{args:?}: {err}");
    }
}
