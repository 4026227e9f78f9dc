//! Bad input to FIML (`SemMissing::Fiml`) and mean structures: typed errors and reported
//! warnings, never panics.

use crate::common::*;
use ndarray::Array2;
use surveystat::data::Dataset;
use surveystat::sem::{Estimator, Sem, SemMissing};
use surveystat::{Error, Warning};

const HS: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

fn hs_missing() -> (Vec<String>, Array2<f64>) {
    let d = load_data("HS_missing10.csv");
    let names: Vec<String> = (1..=9).map(|i| format!("x{i}")).collect();
    let x = d.select(&names).unwrap();
    (names, x)
}

fn fiml() -> Sem {
    Sem::from_syntax(HS).unwrap().missing(SemMissing::Fiml)
}

#[test]
fn variable_without_observed_values() {
    let (names, mut x) = hs_missing();
    x.column_mut(4).fill(f64::NAN);
    let d = Dataset::from_array(&names, x).unwrap();
    match fiml().fit(&d) {
        Err(Error::NotIdentified { reason }) => assert!(reason.contains("x5"), "{reason}"),
        other => panic!("expected NotIdentified, got {other:?}"),
    }
}

#[test]
fn pair_never_observed_together() {
    let (names, mut x) = hs_missing();
    // x1 observed only in the first half, x9 only in the second half
    let n = x.nrows();
    for i in 0..n {
        if i < n / 2 {
            x[[i, 8]] = f64::NAN;
        } else {
            x[[i, 0]] = f64::NAN;
        }
    }
    let d = Dataset::from_array(&names, x).unwrap();
    match fiml().fit(&d) {
        Err(Error::NotIdentified { reason }) => {
            assert!(reason.contains("x1") && reason.contains("x9"), "{reason}");
            assert!(reason.contains("never observed together"), "{reason}");
        }
        other => panic!("expected NotIdentified, got {other:?}"),
    }
}

#[test]
fn empty_rows_are_dropped_and_counted() {
    let (names, mut x) = hs_missing();
    for i in [3, 50, 200] {
        x.row_mut(i).fill(f64::NAN);
    }
    let d = Dataset::from_array(&names, x).unwrap();
    let fit = fiml().fit(&d).unwrap();
    assert_eq!(fit.n_obs(), 298);
    assert!(
        fit.warnings()
            .iter()
            .any(|w| matches!(w, Warning::RowsDropped { dropped: 3, remaining: 298 })),
        "{:?}",
        fit.warnings()
    );
    // no empty rows: nothing dropped, no warning
    let (names, x) = hs_missing();
    let fit = fiml().fit(&Dataset::from_array(&names, x).unwrap()).unwrap();
    assert_eq!(fit.n_obs(), 301);
    assert!(!fit.warnings().iter().any(|w| matches!(w, Warning::RowsDropped { .. })));
}

#[test]
fn all_rows_empty_or_too_few() {
    let (names, mut x) = hs_missing();
    x.fill(f64::NAN);
    let d = Dataset::from_array(&names, x).unwrap();
    assert!(fiml().fit(&d).is_err());
    let (names, x) = hs_missing();
    let one = x.slice(ndarray::s![0..1, ..]).to_owned();
    let e = fiml().fit(&Dataset::from_array(&names, one).unwrap()).unwrap_err();
    assert!(matches!(e, Error::TooFewObservations { .. }), "{e:?}");
}

#[test]
fn non_convergence_is_reported() {
    let d = load_data("HS_missing10.csv");
    let e = fiml().max_iter(1).fit(&d).unwrap_err();
    assert!(matches!(e, Error::NotConverged { .. }), "{e:?}");
    let fit = fiml().max_iter(1).allow_nonconverged(true).fit(&d).unwrap();
    assert!(!fit.convergence().converged);
    assert!(fit.warnings().iter().any(|w| matches!(w, Warning::NotConverged { .. })));
}

#[test]
fn unsupported_combinations_are_typed_errors() {
    let d = load_data("HS_missing10.csv");
    // FIML needs ML
    let e = fiml().estimator(Estimator::Gls).fit(&d).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
    // a mean structure on complete rows needs ML
    let e = Sem::from_syntax("x4 ~ x1 + x2\nx4 ~ 1")
        .unwrap()
        .estimator(Estimator::Gls)
        .fit(&d)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
    // a mean structure needs raw data
    let cov = Array2::<f64>::eye(9);
    let names: Vec<String> = (1..=9).map(|i| format!("x{i}")).collect();
    let e = fiml().fit_cov(&cov, &names, 100).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
    // unknown variable
    let e = Sem::from_syntax("f =~ x1 + x2 + nope")
        .unwrap()
        .missing(SemMissing::Fiml)
        .fit(&d)
        .unwrap_err();
    assert!(matches!(e, Error::UnknownVariable { .. }), "{e:?}");
    // modification indices are not available for FIML fits
    let fit = fiml().fit(&d).unwrap();
    assert!(matches!(fit.modindices(), Err(Error::InvalidParameter { .. })));
}

/// Rows with a missing fixed covariate are dropped under FIML with fixed.x (as lavaan does),
/// with a warning naming the covariates.
#[test]
fn fiml_drops_rows_missing_a_fixed_covariate() {
    let d = load_data("HS_missing10.csv");
    let fit = Sem::from_syntax("visual =~ x1 + x2 + x3\nvisual ~ x4")
        .unwrap()
        .missing(SemMissing::Fiml)
        .fit(&d)
        .unwrap();
    let missing_x4 = d.column("x4").unwrap().iter().filter(|v| v.is_nan()).count();
    assert!(missing_x4 > 0);
    assert_eq!(fit.n_obs(), 301 - missing_x4);
    assert!(fit.warnings().iter().any(|w| w.to_string().contains("fixed exogenous covariate")));
}
