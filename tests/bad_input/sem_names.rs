//! Model names that clash with the data: a latent variable named like an observed column is
//! refused (lavaan 0.6.14: "some latent variable names collide with observed variable names",
//! tests/fixtures/extra/sem_fixes.R).

use crate::common::*;
use surveystat::Error;
use surveystat::sem::Sem;

#[test]
fn latent_variable_named_like_a_data_column_is_an_error() {
    let hs = load_data("HolzingerSwineford1939.csv");
    let e = Sem::from_syntax("x1 =~ x2 + x3 + x4").unwrap().fit(&hs).unwrap_err();
    match &e {
        Error::LatentNameCollision { name } => assert_eq!(name, "x1"),
        other => panic!("expected LatentNameCollision, got {other:?}"),
    }
    assert!(e.to_string().contains("`x1`"), "{e}");
    // the same through covariance input
    let x = hs.select(&["x1", "x2", "x3", "x4"]).unwrap();
    let n = x.nrows() as f64;
    let m = x.mean_axis(ndarray::Axis(0)).unwrap();
    let c = &x - &m;
    let cov = c.t().dot(&c) / (n - 1.0);
    let e = Sem::from_syntax("x1 =~ x2 + x3 + x4")
        .unwrap()
        .fit_cov(&cov, &["x1", "x2", "x3", "x4"], x.nrows())
        .unwrap_err();
    assert!(matches!(e, Error::LatentNameCollision { .. }), "{e}");
    // a latent name that is not a column is fine
    assert!(Sem::from_syntax("f =~ x2 + x3 + x4").unwrap().fit(&hs).is_ok());
}
