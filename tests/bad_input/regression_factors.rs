//! Regression formulas with factors and near-collinear designs: typed errors and warnings.

use crate::common::*;
use ndarray::Array2;
use surveystat::data::Dataset;
use surveystat::error::Error;
use surveystat::regression::Ols;
use surveystat::warning::Warning;

#[test]
fn near_collinear_columns_are_kept_with_a_warning() {
    // x2 = x1 + 1e-9 · (deterministic noise): full numerical rank at our tolerance, but R's lm
    // (tolerance 1e-7) would alias x2.
    let n = 40;
    let mut x = Array2::<f64>::zeros((n, 3));
    let mut y = ndarray::Array1::<f64>::zeros(n);
    for i in 0..n {
        let t = i as f64;
        x[[i, 0]] = (t * 0.37).sin() * 3.0 + t * 0.1;
        x[[i, 1]] = x[[i, 0]] + 1e-9 * (t * 1.7).cos();
        x[[i, 2]] = (t * 0.91).cos();
        y[i] = 1.0 + x[[i, 0]] - 2.0 * x[[i, 2]] + 0.1 * (t * 2.3).sin();
    }
    let fit = Ols::new().fit(&x, &y).unwrap();
    let ws = fit.warnings();
    let w: Vec<&Warning> = ws.iter().filter(|w| matches!(w, Warning::Collinear { .. })).collect();
    assert_eq!(w.len(), 1, "{:?}", fit.warnings());
    match w[0] {
        Warning::Collinear { term, relative_distance, vif, condition } => {
            assert_eq!(term, "x2");
            assert!(*relative_distance < 1e-7 && *relative_distance > 1e-12);
            assert!(*vif > 1e12, "vif {vif}");
            assert!(*condition > 1e6, "condition {condition}");
        }
        _ => unreachable!(),
    }
    assert!(w[0].to_string().contains("VIF"));
    // A well-conditioned design has no such warning.
    let ok = Ols::new().fit(&x.select(ndarray::Axis(1), &[0, 2]), &y).unwrap();
    assert!(!ok.warnings().iter().any(|w| matches!(w, Warning::Collinear { .. })));
}

#[test]
fn factor_with_one_level_is_an_error() {
    let ds = Dataset::from_csv_str("y,g,x\n1,a,1\n2,a,2\n3,a,4\n5,a,3\n", "mem").unwrap();
    let e = Ols::from_formula("y ~ g + x").unwrap().fit_dataset(&ds).unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { ref reason, .. } if reason.contains("`g`")),
        "{e:?}"
    );
    // A second level present only in a row with a missing response does not count.
    let ds = Dataset::from_csv_str("y,g,x\n1,a,1\n2,a,2\n3,a,4\nNA,b,3\n", "mem").unwrap();
    assert!(matches!(
        Ols::from_formula("y ~ g + x").unwrap().fit_dataset(&ds),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn text_in_arithmetic_and_log_of_zero() {
    let ds = load_data("warpbreaks.csv");
    let e = Ols::from_formula("breaks ~ I(wool * 2)").unwrap().fit_dataset(&ds).unwrap_err();
    assert!(matches!(e, Error::NonNumericColumn { .. }), "{e:?}");
    let ds = Dataset::from_csv_str("y,x\n1,0\n2,1\n3,2\n5,3\n", "mem").unwrap();
    let e = Ols::from_formula("y ~ log(x)").unwrap().fit_dataset(&ds).unwrap_err();
    assert!(matches!(e, Error::NonFinite { .. }), "{e:?}");
}

#[test]
fn negative_and_missing_weights() {
    let ds = Dataset::from_csv_str("y,x,w\n1,1,1\n2,2,2\n3,4,-1\n5,3,1\n6,5,1\n", "mem").unwrap();
    let e = Ols::from_formula("y ~ x").unwrap().weights("w").fit_dataset(&ds).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { ref name, .. } if name == "weights"), "{e:?}");
    // A missing weight drops the row (as lm's na.omit), reported as a warning.
    let ds =
        Dataset::from_csv_str("y,x,w\n1,1,1\n2,2,2\n3,4,NA\n5,3,1\n6,5,1\n7,7,2\n", "mem").unwrap();
    let fit = Ols::from_formula("y ~ x").unwrap().weights("w").fit_dataset(&ds).unwrap();
    assert_eq!(fit.n_obs(), 5);
    assert!(fit.warnings().iter().any(|w| matches!(w, Warning::RowsDropped { dropped: 1, .. })));
    // A text column as weights.
    let ds = load_data("warpbreaks.csv");
    assert!(matches!(
        Ols::from_formula("breaks ~ tension").unwrap().weights("wool").fit_dataset(&ds),
        Err(Error::NonNumericColumn { .. })
    ));
}

#[test]
fn one_cluster_is_an_error() {
    let ds = Dataset::from_csv_str("y,x,g\n1,1,a\n2,2,a\n3,4,a\n5,3,a\n", "mem").unwrap();
    let e = Ols::from_formula("y ~ x").unwrap().cluster("g").fit_dataset(&ds).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { ref name, .. } if name == "cluster"), "{e:?}");
    // Cluster standard errors without a cluster column.
    let e = Ols::from_formula("y ~ x")
        .unwrap()
        .se_type(surveystat::regression::SeType::ClusterHc1)
        .fit_dataset(&ds)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
}

#[test]
fn unseen_level_in_prediction_data() {
    let ds = load_data("warpbreaks.csv");
    let fit = Ols::from_formula("breaks ~ wool * tension").unwrap().fit_dataset(&ds).unwrap();
    let nd = Dataset::from_csv_str("wool,tension\nA,L\nC,M\n", "new").unwrap();
    let e = fit.predict(&nd, 0.95).unwrap_err();
    assert!(
        matches!(e, Error::InvalidParameter { ref reason, .. } if reason.contains("`C`")),
        "{e:?}"
    );
    let nd = Dataset::from_csv_str("wool,tension\nA,L\nB,M\n", "new").unwrap();
    assert_eq!(fit.predict(&nd, 0.95).unwrap().fit.len(), 2);
    assert!(fit.predict(&nd, 1.5).is_err());
}

#[test]
fn malformed_hypotheses() {
    let ds = load_data("swiss.csv");
    let fit =
        Ols::from_formula("Fertility ~ Agriculture + Education").unwrap().fit_dataset(&ds).unwrap();
    assert!(matches!(fit.linear_hypothesis("Nope = 0"), Err(Error::UnknownVariable { .. })));
    assert!(matches!(fit.linear_hypothesis(""), Err(Error::InvalidParameter { .. })));
    assert!(matches!(fit.linear_hypothesis("1 = 2"), Err(Error::InvalidParameter { .. })));
    assert!(matches!(
        fit.linear_hypothesis("Agriculture = 0 = 1"),
        Err(Error::InvalidParameter { .. })
    ));
    // Two identical restrictions: singular L V L'.
    assert!(fit.linear_hypothesis("Agriculture = 0, Agriculture = 0").is_err());
    // An ANOVA table needs a formula fit.
    let x = ndarray::array![[1.0], [2.0], [3.0], [4.0]];
    let y = ndarray::array![1.0, 3.0, 2.0, 5.0];
    assert!(Ols::new().fit(&x, &y).unwrap().anova().is_err());
}
