//! Ordinal SEM with exogenous covariates (conditional.x): a constant or collinear covariate and
//! the theta parameterization are typed errors; a category predicted perfectly by a covariate
//! never panics.

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

/// A category predicted perfectly by the covariate: the result is returned (a typed error, or
/// a fit), never a panic.
#[test]
fn category_predicted_perfectly_does_not_panic() {
    let mut x = data();
    // the top category of `a` occurs exactly when x is largest
    for i in 0..80 {
        x[[i, 0]] = if i % 10 == 9 { 3.0 } else { 1.0 + (i % 2) as f64 };
    }
    let r = Sem::from_syntax(MODEL).unwrap().ordered(&["a", "b", "c"]).fit_array(&x, &NAMES);
    if let Ok(fit) = r {
        assert!(fit.conditional_x());
    }
}

#[test]
fn theta_parameterization_is_refused() {
    let r = Sem::from_syntax(MODEL)
        .unwrap()
        .ordered(&["a", "b", "c"])
        .parameterization(Parameterization::Theta)
        .fit_array(&data(), &NAMES);
    assert!(
        matches!(r, Err(Error::InvalidParameter { ref name, .. }) if name == "parameterization"),
        "{r:?}"
    );
}

#[test]
fn a_fit_on_the_small_data_runs() {
    let r = Sem::from_syntax(MODEL).unwrap().ordered(&["a", "b", "c"]).fit_array(&data(), &NAMES);
    let fit = r.unwrap();
    assert!(fit.conditional_x());
}
