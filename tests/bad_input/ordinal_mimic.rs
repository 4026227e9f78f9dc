//! Ordinal SEM with exogenous covariates (conditional.x): a constant or collinear covariate is a
//! typed error; a covariate that predicts the categories of an
//! item perfectly is `Error::PerfectPrediction`.

use ndarray::Array2;
use surveystat::error::Error;
use surveystat::sem::{Parameterization, Sem};

const NAMES: [&str; 5] = ["a", "b", "c", "x", "z"];
const MODEL: &str = "f =~ a + b + c\nf ~ x";

/// 80 rows: three 3-category items rising with a covariate x, and a second covariate z.
fn data() -> Array2<f64> {
    Array2::from_shape_fn((80, 5), |(i, j)| {
        let x = (i % 10) as f64 / 3.0;
        match j {
            3 => x,
            4 => ((i * 7) % 13) as f64,
            _ => ((((i * 7 + j * 3) % 11 + i % 5) % 3) as f64 + x / 2.0).floor().min(2.0) + 1.0,
        }
    })
}

#[test]
fn constant_covariate_is_an_error() {
    let mut x = data();
    x.column_mut(3).fill(1.0);
    let r = Sem::from_syntax(MODEL).unwrap().ordered(&["a", "b", "c"]).fit_array(&x, &NAMES);
    assert!(matches!(r, Err(Error::ConstantColumn { .. })), "{r:?}");
}

#[test]
fn collinear_covariates_are_an_error() {
    let mut x = data();
    for i in 0..80 {
        x[[i, 4]] = 2.0 * x[[i, 3]] + 1.0;
    }
    let r = Sem::from_syntax("f =~ a + b + c\nf ~ x + z")
        .unwrap()
        .ordered(&["a", "b", "c"])
        .fit_array(&x, &NAMES);
    assert!(matches!(r, Err(Error::InvalidParameter { .. })), "{r:?}");
}

/// The top category of `a` only at the largest x while the lower two overlap: the probit
/// maximum is finite (lavaan 0.6.14 fits it without a warning), so this is a fit.
#[test]
fn one_extreme_category_at_the_end_of_x_is_a_fit() {
    let mut x = data();
    for i in 0..80 {
        x[[i, 0]] = if i % 10 == 9 { 3.0 } else { 1.0 + (i % 2) as f64 };
    }
    let fit =
        Sem::from_syntax(MODEL).unwrap().ordered(&["a", "b", "c"]).fit_array(&x, &NAMES).unwrap();
    assert!(fit.conditional_x());
}

fn perfect(r: Result<surveystat::sem::SemFit, Error>, cov: &str) {
    match r {
        Err(Error::PerfectPrediction { ref item, ref covariate, .. }) => {
            assert_eq!(item, "a");
            assert_eq!(covariate, cov);
            assert!(r.unwrap_err().to_string().contains("`a`"));
        }
        other => panic!("expected PerfectPrediction, got {other:?}"),
    }
}

/// x orders the categories of `a` completely (lavaan 0.6.14 returns thresholds near 26 and 58,
/// a slope near 31 and no standard errors, with a warning): a typed error naming item and
/// covariate.
#[test]
fn categories_ordered_by_a_covariate_are_an_error() {
    let mut x = data();
    for i in 0..80 {
        let v = x[[i, 3]];
        x[[i, 0]] = if v < 1.0 {
            1.0
        } else if v < 2.0 {
            2.0
        } else {
            3.0
        };
    }
    let m = Sem::from_syntax(MODEL).unwrap().ordered(&["a", "b", "c"]);
    perfect(m.fit_array(&x, &NAMES), "x");
    // the same with a second covariate in the model
    let m2 = Sem::from_syntax("f =~ a + b + c\nf ~ z + x").unwrap().ordered(&["a", "b", "c"]);
    perfect(m2.fit_array(&x, &NAMES), "x");
}

/// A binary item split by x with ties at the boundary (quasi-complete separation; lavaan
/// 0.6.14's estimation fails).
#[test]
fn binary_item_split_by_a_covariate_is_an_error() {
    let mut x = data();
    for i in 0..80 {
        x[[i, 0]] = if x[[i, 3]] < 1.5 { 1.0 } else { 2.0 };
    }
    x[[9, 3]] = 4.0 / 3.0; // a tie at the boundary: the largest x of category 1 is in 2 too
    x[[9, 0]] = 2.0;
    perfect(Sem::from_syntax(MODEL).unwrap().ordered(&["a", "b", "c"]).fit_array(&x, &NAMES), "x");
}

/// Separated by a combination of two covariates and by neither alone: the diverging probit
/// slopes are caught.
#[test]
fn separation_by_two_covariates_is_an_error() {
    let mut x = data();
    for i in 0..80 {
        x[[i, 0]] = if x[[i, 3]] - 0.25 * x[[i, 4]] < -0.4 { 1.0 } else { 2.0 };
    }
    let r = Sem::from_syntax("f =~ a + b + c\nf ~ x + z")
        .unwrap()
        .ordered(&["a", "b", "c"])
        .fit_array(&x, &NAMES);
    assert!(matches!(r, Err(Error::PerfectPrediction { ref item, .. }) if item == "a"), "{r:?}");
}

/// The theta parameterization is accepted; on these data the delta fit has a negative residual
/// variance of y*, which theta cannot represent (lavaan 0.6.14's loading of `b` runs off to
/// 4e5 without convergence), so the result is a typed error or a fit, never a panic.
#[test]
fn theta_parameterization_is_accepted() {
    let r = Sem::from_syntax(MODEL)
        .unwrap()
        .ordered(&["a", "b", "c"])
        .parameterization(Parameterization::Theta)
        .fit_array(&data(), &NAMES);
    match r {
        Ok(fit) => assert!(fit.parameter("a", "~*~", "a").is_some()),
        Err(Error::InvalidParameter { ref name, .. }) => {
            assert_ne!(name, "parameterization", "{r:?}")
        }
        Err(_) => {}
    }
}

#[test]
fn a_fit_on_the_small_data_runs() {
    let r = Sem::from_syntax(MODEL).unwrap().ordered(&["a", "b", "c"]).fit_array(&data(), &NAMES);
    let fit = r.unwrap();
    assert!(fit.conditional_x());
}
