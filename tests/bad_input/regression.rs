//! Bad input to OLS: every case is a typed error (or a documented warning), never a panic.

use crate::common::*;
use ndarray::{Array1, Array2, array};
use surveystat::data::Dataset;
use surveystat::regression::{Ols, RankDeficiency};
use surveystat::{Error, Warning};

fn small() -> (Array2<f64>, Array1<f64>) {
    let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 4.0], [4.0, 3.0], [5.0, 6.0], [6.0, 5.5]];
    let y = array![3.1, 3.9, 7.2, 7.8, 11.1, 11.4];
    (x, y)
}

#[test]
fn constant_response() {
    let (x, _) = small();
    let y = Array1::from_elem(6, 2.5);
    assert_eq!(Ols::new().fit(&x, &y).unwrap_err(), Error::ConstantColumn { name: "y".into() });
    let e = Ols::new().intercept(false).response("score").fit(&x, &y).unwrap_err();
    assert_eq!(e, Error::ConstantColumn { name: "score".into() });
}

#[test]
fn too_few_observations() {
    let (x, y) = small();
    let x3 = x.slice(ndarray::s![..3, ..]).to_owned();
    let y3 = y.slice(ndarray::s![..3]).to_owned();
    // p = 3 (intercept + 2): n = 3 leaves no residual degree of freedom.
    assert_eq!(
        Ols::new().fit(&x3, &y3).unwrap_err(),
        Error::TooFewObservations { needed: 4, got: 3 }
    );
    let x2 = x.slice(ndarray::s![..2, ..]).to_owned();
    let y2 = y.slice(ndarray::s![..2]).to_owned();
    assert!(matches!(Ols::new().fit(&x2, &y2), Err(Error::TooFewObservations { .. })));
}

#[test]
fn missing_values_are_dropped_listwise_with_a_warning() {
    let (mut x, mut y) = small();
    let full = Ols::new()
        .fit(&x.slice(ndarray::s![1..5, ..]).to_owned(), &y.slice(ndarray::s![1..5]).to_owned())
        .unwrap();
    x[[0, 1]] = f64::NAN;
    y[5] = f64::NAN;
    let fit = Ols::new().fit(&x, &y).unwrap();
    assert_eq!(fit.n_obs(), 4);
    assert_eq!(fit.n_dropped(), 2);
    assert!(fit.warnings().contains(&Warning::RowsDropped { dropped: 2, remaining: 4 }));
    for k in 0..3 {
        assert_close("listwise coefficient", fit.coefficients()[k], full.coefficients()[k], 1e-12);
    }
    assert!(fit.summary().to_string().contains("2 observations deleted due to missingness"));
    // Everything missing: too few observations.
    let ynan = Array1::from_elem(6, f64::NAN);
    assert!(matches!(Ols::new().fit(&x, &ynan), Err(Error::TooFewObservations { got: 0, .. })));
}

#[test]
fn infinite_values_are_errors() {
    let (mut x, y) = small();
    x[[2, 0]] = f64::INFINITY;
    assert!(
        matches!(Ols::new().fit(&x, &y), Err(Error::NonFinite { what }) if what.contains("x1"))
    );
    let (x, mut y) = small();
    y[0] = f64::NEG_INFINITY;
    assert!(matches!(Ols::new().fit(&x, &y), Err(Error::NonFinite { .. })));
}

#[test]
fn shape_and_option_errors() {
    let (x, y) = small();
    let y5 = y.slice(ndarray::s![..5]).to_owned();
    assert!(matches!(Ols::new().fit(&x, &y5), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(Ols::new().names(&["a"]).fit(&x, &y), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(
        Ols::new().names(&["a", "a"]).fit(&x, &y),
        Err(Error::DuplicateVariable { .. })
    ));
    for level in [0.0, 1.0, -0.5, f64::NAN] {
        assert!(matches!(
            Ols::new().ci_level(level).fit(&x, &y),
            Err(Error::InvalidParameter { .. })
        ));
    }
    let fit = Ols::new().fit(&x, &y).unwrap();
    assert!(fit.conf_int(1.5).is_err());
    let x0 = Array2::<f64>::zeros((6, 0));
    assert!(matches!(Ols::new().intercept(false).fit(&x0, &y), Err(Error::TooFewVariables { .. })));
    let one = Dataset::from_array(&["a"], Array2::zeros((6, 1))).unwrap();
    assert!(matches!(Ols::new().fit_dataset(&one), Err(Error::InvalidParameter { .. })));
}

#[test]
fn collinear_columns_are_named() {
    let x = array![
        [1.0, 2.0],
        [2.0, 1.0],
        [3.0, 4.0],
        [4.0, 3.0],
        [5.0, 6.0],
        [6.0, 5.5],
        [7.0, 1.0],
        [8.0, 2.5]
    ];
    let y = array![3.1, 3.9, 7.2, 7.8, 11.1, 11.4, 9.0, 10.2];
    // Third column = x1 + x2; fourth constant (aliased with the intercept); fifth all zero.
    let mut x5 = Array2::zeros((8, 5));
    x5.slice_mut(ndarray::s![.., ..2]).assign(&x);
    for i in 0..8 {
        x5[[i, 2]] = x[[i, 0]] + x[[i, 1]];
        x5[[i, 3]] = 7.0;
    }
    let names = ["a", "b", "sum", "const", "zero"];
    let y = y.clone();
    let e = Ols::new().names(&names).fit(&x5, &y).unwrap_err();
    assert_eq!(
        e,
        Error::RankDeficient { aliased: vec!["sum".into(), "const".into(), "zero".into()] }
    );
    assert!(e.to_string().contains("sum, const, zero"));
    let fit = Ols::new().names(&names).rank_deficiency(RankDeficiency::Drop).fit(&x5, &y).unwrap();
    assert_eq!(fit.terms(), ["(Intercept)", "a", "b"]);
    assert_eq!(fit.aliased(), ["sum", "const", "zero"]);
    assert!(fit.summary().to_string().contains("3 not defined because of singularities"));
    // Without intercept a constant column is a legitimate regressor.
    let xc = x5.slice(ndarray::s![.., ..2]).to_owned();
    let mut xc2 = Array2::zeros((8, 3));
    xc2.slice_mut(ndarray::s![.., ..2]).assign(&xc);
    xc2.column_mut(2).fill(7.0);
    assert!(Ols::new().intercept(false).fit(&xc2, &y).is_ok());
}

#[test]
fn dataset_errors() {
    let ds = load_data("mtcars.csv");
    let unknown = Ols::from_formula("mpg ~ wt + nosuch").unwrap().fit_dataset(&ds).unwrap_err();
    assert_eq!(unknown, Error::UnknownVariable { name: "nosuch".into() });
    let resp = Ols::from_formula("nosuch ~ wt").unwrap().fit_dataset(&ds).unwrap_err();
    assert_eq!(resp, Error::UnknownVariable { name: "nosuch".into() });
    // A text column in arithmetic is an error; as a term it is a factor.
    let text = Ols::from_formula("mpg ~ wt + log(model)").unwrap().fit_dataset(&ds).unwrap_err();
    assert!(
        matches!(text, Error::NonNumericColumn { ref column, .. } if column == "model"),
        "{text:?}"
    );
    let excl = Ols::from_formula("mpg ~ . - nosuch").unwrap().fit_dataset(&ds).unwrap_err();
    assert_eq!(excl, Error::UnknownVariable { name: "nosuch".into() });
    // `.` includes the text column `model` as a factor (as R): 32 levels on 32 rows leave no
    // residual degrees of freedom; without it, am and vs are numeric 0/1.
    assert!(matches!(
        Ols::from_formula("mpg ~ .").unwrap().fit_dataset(&ds),
        Err(Error::TooFewObservations { .. })
    ));
    let all = Ols::from_formula("mpg ~ . - model").unwrap().fit_dataset(&ds).unwrap();
    assert_eq!(all.terms().len(), 11);
    // A data set with an exact duplicate column: rank deficiency naming it.
    let mut names: Vec<String> = ds.numeric_names();
    names.push("wt_copy".into());
    let mut m = ds.select(&ds.numeric_names()).unwrap();
    let wt = m.column(ds.numeric_names().iter().position(|n| n == "wt").unwrap()).to_owned();
    m.push_column(wt.view()).unwrap();
    let dup = Dataset::from_array(&names, m).unwrap();
    let e = Ols::from_formula("mpg ~ wt + hp + wt_copy").unwrap().fit_dataset(&dup).unwrap_err();
    assert_eq!(e, Error::RankDeficient { aliased: vec!["wt_copy".into()] });
}

#[test]
fn formula_errors() {
    for (f, col) in [
        ("mpg ~ wt +", 11),
        ("mpg ~ wt hp", 10),
        ("mpg ~ foo(wt)", 7),
        ("mpg ~ (wt + hp", 15),
        ("mpg wt", 5),
        ("~ wt", 1),
        ("mpg ~ 2 + wt", 7),
        ("mpg ~ wt ~ hp", 10),
        ("", 1),
        ("mpg ~ `wt", 7),
        ("mpg ~ wt + $", 12),
    ] {
        match Ols::from_formula(f) {
            Err(Error::Syntax { line: 1, column, .. }) => assert_eq!(column, col, "{f}"),
            other => panic!("{f}: expected a syntax error, got {other:?}"),
        }
    }
    // A repeated term counts once (as R).
    let ds0 = load_data("mtcars.csv");
    let twice = Ols::from_formula("mpg ~ wt + wt").unwrap().fit_dataset(&ds0).unwrap();
    assert_eq!(twice.terms(), ["(Intercept)", "wt"]);
    assert!(matches!(Ols::from_formula("mpg ~ mpg + wt"), Err(Error::InvalidParameter { .. })));
    let ds = load_data("mtcars.csv");
    assert!(matches!(
        Ols::from_formula("mpg ~ 0").unwrap().fit_dataset(&ds),
        Err(Error::TooFewVariables { .. })
    ));
    // Intercept-only model is fine: no F test.
    let m = Ols::from_formula("mpg ~ 1").unwrap().fit_dataset(&ds).unwrap();
    assert!(m.f_test().is_none());
}
