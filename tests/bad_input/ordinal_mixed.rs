//! Models that mix ordered and continuous indicators: the theta parameterization, a constant
//! continuous indicator and covariates beside continuous indicators are typed errors.

use ndarray::Array2;
use surveystat::error::Error;
use surveystat::sem::{Parameterization, Sem};

const NAMES: [&str; 5] = ["a", "b", "c", "y", "x"];
const MODEL: &str = "f =~ a + b + c + y";

/// 90 rows: three 3-category items and a continuous indicator, all rising with a factor, and a
/// covariate x.
fn data() -> Array2<f64> {
    Array2::from_shape_fn((90, 5), |(i, j)| {
        let f = ((i * 37) % 17) as f64 / 8.0 - 1.0;
        let e = ((i * 11 + j * 5) % 13) as f64 / 6.0 - 1.0;
        match j {
            3 => f + 0.5 * e,
            4 => ((i * 7) % 5) as f64,
            _ => {
                let v = f + e;
                if v < -0.6 {
                    1.0
                } else if v < 0.4 {
                    2.0
                } else {
                    3.0
                }
            }
        }
    })
}

#[test]
fn mixed_model_fits() {
    let fit = Sem::from_syntax(MODEL).unwrap().ordered(&["a", "b", "c"]).fit_array(&data(), &NAMES);
    let fit = fit.unwrap();
    assert!(fit.parameter("y", "~1", "").is_some());
    assert!(fit.parameter("a", "|", "t1").is_some());
}

#[test]
fn theta_with_continuous_indicators_is_refused() {
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
fn constant_continuous_indicator_is_an_error() {
    let mut x = data();
    x.column_mut(3).fill(2.5);
    let r = Sem::from_syntax(MODEL).unwrap().ordered(&["a", "b", "c"]).fit_array(&x, &NAMES);
    assert!(matches!(r, Err(Error::ConstantColumn { ref name }) if name == "y"), "{r:?}");
}

#[test]
fn covariates_beside_continuous_indicators_are_refused() {
    let r = Sem::from_syntax("f =~ a + b + c + y\nf ~ x")
        .unwrap()
        .ordered(&["a", "b", "c"])
        .fit_array(&data(), &NAMES);
    assert!(matches!(r, Err(Error::InvalidParameter { .. })), "{r:?}");
}
