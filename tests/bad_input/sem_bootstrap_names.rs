//! `SemFit::bootstrap_array` matches columns by name: another order gives the same bootstrap,
//! a missing, extra or repeated column is an error.

use crate::common::*;
use surveystat::Error;
use surveystat::sem::{Sem, SemBootstrap};

#[test]
fn bootstrap_array_matches_columns_by_name() {
    let hs = load_data("HolzingerSwineford1939.csv");
    let fit = Sem::from_syntax("f =~ x1 + x2 + x3 + x4").unwrap().fit(&hs).unwrap();
    let cfg = SemBootstrap::new(20).seed(7).jackknife(false);
    let names = ["x1", "x2", "x3", "x4"];
    let x = hs.select(&names).unwrap();
    let a = fit.bootstrap_array(&x, &names, &cfg).unwrap();
    // the same columns in reverse order
    let rev = ["x4", "x3", "x2", "x1"];
    let xr = hs.select(&rev).unwrap();
    let b = fit.bootstrap_array(&xr, &rev, &cfg).unwrap();
    assert_eq!(a.se(), b.se());
    // a model variable missing
    let e = fit.bootstrap_array(&x.slice(ndarray::s![.., ..3]), &names[..3], &cfg).unwrap_err();
    assert!(matches!(&e, Error::UnknownVariable { name } if name == "x4"), "{e}");
    // an extra column
    let extra = ["x1", "x2", "x3", "x4", "x5"];
    let xe = hs.select(&extra).unwrap();
    let e = fit.bootstrap_array(&xe, &extra, &cfg).unwrap_err();
    assert!(e.to_string().contains("`x5`"), "{e}");
    // a repeated name, and names that do not match the columns
    let e = fit.bootstrap_array(&x, &["x1", "x2", "x2", "x4"], &cfg).unwrap_err();
    assert!(matches!(e, Error::DuplicateVariable { .. }), "{e}");
    let e = fit.bootstrap_array(&x, &names[..3], &cfg).unwrap_err();
    assert!(matches!(e, Error::DimensionMismatch { .. }), "{e}");
}
