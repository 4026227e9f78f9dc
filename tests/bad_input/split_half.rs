//! Guttman λ and split-half reliabilities on bad input: typed errors, never a panic.

use ndarray::{Array2, array};
use surveystat::Error;
use surveystat::reliability::{guttman, split_half};

#[test]
fn one_item_is_too_few() {
    let r = array![[1.0]];
    assert!(matches!(split_half(&r), Err(Error::TooFewVariables { needed: 2, got: 1 })));
    assert!(matches!(guttman(&r), Err(Error::TooFewVariables { .. })));
}

#[test]
fn more_than_sixteen_items_is_refused() {
    let r = Array2::<f64>::eye(17);
    assert!(matches!(split_half(&r), Err(Error::InvalidParameter { .. })));
    assert!(matches!(guttman(&r), Err(Error::InvalidParameter { .. })));
}

#[test]
fn non_square_and_non_finite() {
    let r = Array2::<f64>::zeros((2, 3));
    assert!(matches!(split_half(&r), Err(Error::DimensionMismatch { .. })));
    let r = array![[1.0, f64::NAN], [f64::NAN, 1.0]];
    assert!(matches!(guttman(&r), Err(Error::NonFinite { .. })));
}

#[test]
fn zero_variance_is_a_typed_error() {
    let c = array![[1.0, 0.0], [0.0, 0.0]];
    assert!(matches!(guttman(&c), Err(Error::ConstantColumn { .. })));
}
