//! Bad input to the reliability estimators: typed errors or warnings, never a panic.

use std::panic::{AssertUnwindSafe, catch_unwind};

use ndarray::{Array2, array};
use surveystat::data::Dataset;
use surveystat::moments::Missing;
use surveystat::reliability::{
    Alpha, HtmtMean, average_variance_extracted, average_variance_extracted_std,
    composite_reliability, fornell_larcker, htmt, omega_total,
};
use surveystat::{Error, Warning};

fn no_panic<T>(f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!("the library panicked instead of returning an error"),
    }
}

fn good() -> Array2<f64> {
    array![[1.0, 2.0, 2.0], [2.0, 3.0, 3.0], [4.0, 4.0, 5.0], [3.0, 3.0, 3.0], [5.0, 4.0, 4.0]]
}

#[test]
fn too_few_items_or_rows() {
    let one = array![[1.0], [2.0], [3.0]];
    assert!(matches!(
        no_panic(|| Alpha::new().fit(&one)),
        Err(Error::TooFewVariables { needed: 2, got: 1 })
    ));
    let none = Array2::<f64>::zeros((5, 0));
    assert!(matches!(no_panic(|| Alpha::new().fit(&none)), Err(Error::TooFewVariables { .. })));
    let row = array![[1.0, 2.0, 3.0]];
    assert!(matches!(
        no_panic(|| Alpha::new().fit(&row)),
        Err(Error::TooFewObservations { needed: 2, .. })
    ));
    let empty = Array2::<f64>::zeros((0, 3));
    assert!(matches!(no_panic(|| Alpha::new().fit(&empty)), Err(Error::TooFewObservations { .. })));
    // Listwise leaves one row.
    let nan = f64::NAN;
    let x = array![[1.0, nan, 2.0], [2.0, 3.0, 3.0], [nan, 4.0, 5.0]];
    assert!(matches!(
        no_panic(|| Alpha::new().missing(Missing::Listwise).fit(&x)),
        Err(Error::TooFewObservations { needed: 2, got: 1 })
    ));
}

#[test]
fn pair_never_observed_together() {
    let nan = f64::NAN;
    let x = array![[1.0, nan, 2.0], [2.0, nan, 3.0], [nan, 4.0, 5.0], [nan, 2.0, 1.0]];
    assert!(matches!(no_panic(|| Alpha::new().fit(&x)), Err(Error::TooFewObservations { .. })));
}

#[test]
fn bad_options() {
    for level in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        match no_panic(|| Alpha::new().ci_level(level).fit(&good())) {
            Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "ci_level"),
            other => panic!("{level}: {other:?}"),
        }
    }
    assert!(matches!(
        no_panic(|| Alpha::new().names(&["a", "b"]).fit(&good())),
        Err(Error::DimensionMismatch { expected: 3, found: 2, .. })
    ));
    assert!(matches!(
        no_panic(|| Alpha::new().names(&["a", "b", "a"]).fit(&good())),
        Err(Error::DuplicateVariable { .. })
    ));
    assert!(matches!(
        no_panic(|| Alpha::new().names(&["a", "b", "c"]).reverse(&["z"], 1.0, 5.0).fit(&good())),
        Err(Error::UnknownVariable { .. })
    ));
    assert!(matches!(
        no_panic(|| Alpha::new()
            .names(&["a", "b", "c"])
            .reverse(&["b", "b"], 1.0, 5.0)
            .fit(&good())),
        Err(Error::DuplicateVariable { .. })
    ));
    assert!(matches!(
        no_panic(|| Alpha::new().names(&["a", "b", "c"]).reverse(&["b"], 5.0, 1.0).fit(&good())),
        Err(Error::InvalidParameter { .. })
    ));
    // A value outside the reverse-keying range.
    match no_panic(|| Alpha::new().names(&["a", "b", "c"]).reverse(&["c"], 1.0, 4.0).fit(&good())) {
        Err(Error::InvalidParameter { reason, .. }) => assert!(reason.contains("`c`"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Without names the default names V1.. are used for reverse keying.
    assert!(no_panic(|| Alpha::new().reverse(&["V2"], 1.0, 5.0).fit(&good())).is_ok());
}

#[test]
fn infinite_values() {
    let mut x = good();
    x[[2, 1]] = f64::INFINITY;
    match no_panic(|| Alpha::new().names(&["a", "b", "c"]).fit(&x)) {
        Err(Error::NonFinite { what }) => {
            assert!(what.contains("`b`") && what.contains("row 3"), "{what}")
        }
        other => panic!("{other:?}"),
    }
    x[[2, 1]] = f64::NEG_INFINITY;
    assert!(matches!(no_panic(|| Alpha::new().fit(&x)), Err(Error::NonFinite { .. })));
}

#[test]
fn zero_variance_item_is_dropped_with_warning() {
    let mut x = good();
    x.column_mut(1).fill(3.0);
    let fit = no_panic(|| Alpha::new().names(&["a", "b", "c"]).fit(&x)).unwrap();
    assert_eq!(fit.n_items(), 2);
    assert!(fit.warnings().contains(&Warning::ZeroVariance { item: "b".into() }));
    // Two items remain: also the few-items warning counts the original three items? No: three
    // items were given, so no FewItems warning.
    assert!(!fit.warnings().iter().any(|w| matches!(w, Warning::FewItems { .. })));
    // All but one constant: too few items.
    x.column_mut(2).fill(1.0);
    assert!(matches!(
        no_panic(|| Alpha::new().fit(&x)),
        Err(Error::TooFewVariables { needed: 2, got: 1 })
    ));
    // A column that is entirely missing is refused by name, not reported as zero variance.
    let mut y = good();
    y.column_mut(0).fill(f64::NAN);
    let e = no_panic(|| Alpha::new().fit(&y)).unwrap_err().to_string();
    assert!(e.contains("`V1`") && e.contains("no observed values"), "{e}");
}

#[test]
fn negative_item_and_few_items_warnings() {
    let mut x = good();
    x.column_mut(2).mapv_inplace(|v| 6.0 - v);
    let fit = no_panic(|| Alpha::new().names(&["a", "b", "c"]).fit(&x)).unwrap();
    assert!(
        fit.warnings()
            .iter()
            .any(|w| matches!(w, Warning::NegativeItemTotal { item, r_drop } if item == "c" && *r_drop < 0.0)),
        "{:?}",
        fit.warnings()
    );
    // Reverse keying it back removes the warning.
    let fit = Alpha::new().names(&["a", "b", "c"]).reverse(&["c"], 1.0, 5.0).fit(&x).unwrap();
    assert!(fit.warnings().is_empty(), "{:?}", fit.warnings());
    let two = good().slice(ndarray::s![.., ..2]).to_owned();
    let fit = Alpha::new().fit(&two).unwrap();
    assert!(fit.warnings().contains(&Warning::FewItems { count: 2 }));
}

#[test]
fn items_that_cancel_out() {
    let x = array![[1.0, 5.0], [2.0, 4.0], [3.0, 3.0], [5.0, 1.0]];
    match no_panic(|| Alpha::new().fit(&x)) {
        Err(Error::InvalidParameter { name, reason }) => {
            assert_eq!(name, "items");
            assert!(reason.contains("reverse-key"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn dataset_convenience_errors() {
    let ds = Dataset::from_csv_str("g,a,b\nx,1,2\ny,2,3\nx,3,3\n", "t.csv").unwrap();
    assert!(matches!(
        no_panic(|| Alpha::new().fit_dataset(&ds, &["a", "q"])),
        Err(Error::UnknownVariable { .. })
    ));
    assert!(matches!(
        no_panic(|| Alpha::new().fit_dataset(&ds, &["a", "g"])),
        Err(Error::NonNumericColumn { .. })
    ));
    assert!(matches!(
        no_panic(|| Alpha::new().fit_dataset(&ds, &["a", "a"])),
        Err(Error::DuplicateVariable { .. })
    ));
}

#[test]
fn covariance_input_errors() {
    let c = array![[1.0, 0.3, 0.2], [0.3, 1.0, 0.4], [0.2, 0.4, 1.0]];
    assert!(matches!(
        no_panic(|| Alpha::new().fit_cov(&c, 1)),
        Err(Error::TooFewObservations { .. })
    ));
    let nonsq = Array2::<f64>::zeros((2, 3));
    assert!(matches!(
        no_panic(|| Alpha::new().fit_cov(&nonsq, 50)),
        Err(Error::DimensionMismatch { .. })
    ));
    let mut asym = c.clone();
    asym[[0, 1]] = 0.9;
    assert!(matches!(
        no_panic(|| Alpha::new().fit_cov(&asym, 50)),
        Err(Error::InvalidParameter { .. })
    ));
    let mut nan = c.clone();
    nan[[1, 1]] = f64::NAN;
    assert!(matches!(no_panic(|| Alpha::new().fit_cov(&nan, 50)), Err(Error::NonFinite { .. })));
    let mut neg = c.clone();
    neg[[2, 2]] = -1.0;
    assert!(matches!(
        no_panic(|| Alpha::new().fit_cov(&neg, 50)),
        Err(Error::InvalidParameter { .. })
    ));
    let mut zero = c.clone();
    zero[[2, 2]] = 0.0;
    zero[[0, 2]] = 0.0;
    zero[[2, 0]] = 0.0;
    zero[[1, 2]] = 0.0;
    zero[[2, 1]] = 0.0;
    let fit = no_panic(|| Alpha::new().fit_cov(&zero, 50)).unwrap();
    assert_eq!(fit.n_items(), 2);
    // A non-positive-definite "correlation" matrix still gives numbers (smc clamped), no panic.
    let npd = array![[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]];
    let fit = no_panic(|| Alpha::new().fit_cov(&npd, 50)).unwrap();
    assert!(fit.g6().is_finite());
}

#[test]
fn composite_errors() {
    assert!(matches!(no_panic(|| composite_reliability(&[])), Err(Error::TooFewVariables { .. })));
    assert!(matches!(
        no_panic(|| composite_reliability(&[0.7, f64::NAN])),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        no_panic(|| composite_reliability(&[0.7, 1.2])),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        no_panic(|| average_variance_extracted_std(&[1.01])),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        no_panic(|| omega_total(&[0.7, 0.6], &[0.5])),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        no_panic(|| omega_total(&[0.7, 0.6], &[0.5, -0.1])),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        no_panic(|| omega_total(&[0.0, 0.0], &[0.0, 0.0])),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        no_panic(|| average_variance_extracted(&[0.7], &[f64::INFINITY])),
        Err(Error::NonFinite { .. })
    ));
    let phi = array![[1.0, 0.3], [0.3, 1.0]];
    assert!(matches!(
        no_panic(|| fornell_larcker(&["a", "b", "c"], &[0.5, 0.5, 0.5], &phi)),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        no_panic(|| fornell_larcker(&["a", "b"], &[0.5, 1.5], &phi)),
        Err(Error::InvalidParameter { .. })
    ));
    let r = Array2::<f64>::eye(4);
    assert!(matches!(
        no_panic(|| htmt(&r, &[vec![0, 1]], HtmtMean::Geometric)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        no_panic(|| htmt(&r, &[vec![0, 1], vec![2]], HtmtMean::Geometric)),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(matches!(
        no_panic(|| htmt(&r, &[vec![0, 1], vec![2, 9]], HtmtMean::Arithmetic)),
        Err(Error::InvalidParameter { .. })
    ));
    // Uncorrelated items within a group: monotrait mean zero.
    assert!(matches!(
        no_panic(|| htmt(&r, &[vec![0, 1], vec![2, 3]], HtmtMean::Geometric)),
        Err(Error::InvalidParameter { .. })
    ));
    let nonsq = Array2::<f64>::zeros((3, 4));
    assert!(matches!(
        no_panic(|| htmt(&nonsq, &[vec![0, 1], vec![2, 3]], HtmtMean::Geometric)),
        Err(Error::DimensionMismatch { .. })
    ));
}
