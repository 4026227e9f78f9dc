//! Shared helpers of the integration tests: fixture loading and named tolerances.
//!
//! Fixtures live in `tests/fixtures/` (copied from the shared reference set together with the R
//! scripts that made them, `tests/fixtures/r/`). Tests never read anything outside the repository.

#![allow(dead_code)]

pub mod align;

use std::path::PathBuf;

use ndarray::Array2;
use serde_json::Value;
use surveystat::data::Dataset;

/// Closed-form statistics (alpha family, KMO, Bartlett, eigenvalues, lm, HC, VIF): relative error.
pub const TOL_CLOSED_FORM: f64 = 1e-10;
/// OLS quantities on well-conditioned data: relative error.
pub const TOL_OLS: f64 = 1e-9;
/// SEM estimates and standard errors: absolute error (10x lavaan's own distance from the optimum
/// is used instead where the fixture's precision_check says lavaan stopped further away).
pub const TOL_SEM_EST: f64 = 1e-5;
/// SEM chi-square: relative error.
pub const TOL_SEM_CHISQ: f64 = 1e-6;
/// SEM fit measures other than chi-square: absolute error.
pub const TOL_SEM_FIT: f64 = 1e-5;
/// Modification indices: absolute error.
pub const TOL_SEM_MI: f64 = 1e-4;
/// Loosest tolerance ever allowed for EFA loadings against psych (stats::varimax stops early).
pub const TOL_EFA_MAX: f64 = 2e-3;

/// Path of a file under `tests/fixtures/`.
pub fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures").join(rel)
}

/// Load `tests/fixtures/expected/<case>.json`.
pub fn load_case(case: &str) -> Value {
    let p = fixture_path(&format!("expected/{case}.json"));
    let text =
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad json {}: {e}", p.display()))
}

/// Load `tests/fixtures/data/<file>` as a dataset.
pub fn load_data(file: &str) -> Dataset {
    Dataset::from_csv_path(fixture_path(&format!("data/{file}"))).expect("fixture data")
}

/// A JSON number (panics on null: use `opt_f64` where null is possible).
pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("expected a number, found {v}"))
}

/// A JSON number or null.
pub fn opt_f64(v: &Value) -> Option<f64> {
    v.as_f64()
}

/// A fixture matrix `{rownames, colnames, data}` as (rownames, colnames, Array2).
pub fn matrix(v: &Value) -> (Vec<String>, Vec<String>, Array2<f64>) {
    let names = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|s| s.as_str().unwrap_or("").to_string()).collect())
            .unwrap_or_default()
    };
    let rows = v["data"].as_array().expect("matrix data");
    let nr = rows.len();
    let nc = rows.first().and_then(Value::as_array).map_or(0, Vec::len);
    let mut m = Array2::<f64>::zeros((nr, nc));
    for (i, r) in rows.iter().enumerate() {
        for (j, x) in r.as_array().expect("matrix row").iter().enumerate() {
            m[[i, j]] = x.as_f64().unwrap_or(f64::NAN);
        }
    }
    (names("rownames"), names("colnames"), m)
}

/// A fixture named vector `{name: value}` in key order.
pub fn named(v: &Value) -> Vec<(String, f64)> {
    v.as_object()
        .expect("named vector")
        .iter()
        .map(|(k, x)| (k.clone(), x.as_f64().unwrap_or(f64::NAN)))
        .collect()
}

/// Relative error |a − b| / max(|b|, tiny); exact zeros compare absolutely.
pub fn rel_err(a: f64, b: f64) -> f64 {
    if b == 0.0 { a.abs() } else { (a - b).abs() / b.abs() }
}

/// Assert `|a − b| ≤ tol · max(1, |b|)` with a message naming the quantity.
#[track_caller]
pub fn assert_close(what: &str, a: f64, b: f64, tol: f64) {
    let scale = b.abs().max(1.0);
    assert!(
        (a - b).abs() <= tol * scale || (a.is_nan() && b.is_nan()),
        "{what}: got {a:.17e}, expected {b:.17e} (diff {:.3e}, tol {tol:.1e})",
        (a - b).abs()
    );
}

/// Assert relative error ≤ tol.
#[track_caller]
pub fn assert_rel(what: &str, a: f64, b: f64, tol: f64) {
    assert!(
        rel_err(a, b) <= tol || (a.is_nan() && b.is_nan()),
        "{what}: got {a:.17e}, expected {b:.17e} (rel err {:.3e}, tol {tol:.1e})",
        rel_err(a, b)
    );
}

/// Assert absolute error ≤ tol.
#[track_caller]
pub fn assert_abs(what: &str, a: f64, b: f64, tol: f64) {
    assert!(
        (a - b).abs() <= tol || (a.is_nan() && b.is_nan()),
        "{what}: got {a:.17e}, expected {b:.17e} (abs err {:.3e}, tol {tol:.1e})",
        (a - b).abs()
    );
}
