//! Guttman's λ1–λ6 and split-half reliabilities against R psych 2.2.9 `splitHalf` and `guttman`
//! on bfi pairwise correlations (closed forms: relative error ≤ TOL_CLOSED_FORM; fixture
//! tests/fixtures/extra/split_half.R → split_half.json).

use crate::common::{TOL_CLOSED_FORM, assert_rel, f, fixture_path, load_data};
use serde_json::Value;
use surveystat::moments::{Missing, correlation};
use surveystat::reliability::{guttman, split_half};

fn load() -> Value {
    let p = fixture_path("extra/split_half.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("split_half.json")).expect("json")
}

fn check(case: &str) {
    let all = load();
    let c = &all[case];
    let data = load_data("bfi.csv");
    let items: Vec<String> =
        c["items"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    let reversed: Vec<String> = match &c["reverse"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
        _ => vec![],
    };
    let mut x = data.select(&items).unwrap();
    for (j, name) in items.iter().enumerate() {
        if reversed.contains(name) {
            x.column_mut(j).mapv_inplace(|v| 7.0 - v);
        }
    }
    let r = correlation(&x, Missing::Pairwise).unwrap();
    let s = split_half(&r).unwrap();
    let g = guttman(&r).unwrap();
    let t = TOL_CLOSED_FORM;
    assert_rel(&format!("{case} maxrb"), s.max, f(&c["maxrb"]), t);
    assert_rel(&format!("{case} minrb"), s.min, f(&c["minrb"]), t);
    assert_rel(&format!("{case} meanr"), s.mean, f(&c["meanr"]), t);
    assert_rel(&format!("{case} lambda1"), g.lambda1, f(&c["lambda1"]), t);
    assert_rel(&format!("{case} lambda2"), g.lambda2, f(&c["lambda2"]), t);
    assert_rel(&format!("{case} guttman lambda2"), g.lambda2, f(&c["g_lambda2"]), t);
    assert_rel(&format!("{case} lambda3"), g.lambda3, f(&c["lambda3"]), t);
    assert_rel(&format!("{case} alpha"), g.lambda3, f(&c["alpha"]), t);
    assert_rel(&format!("{case} lambda4"), g.lambda4, f(&c["maxrb"]), t);
    assert_rel(&format!("{case} lambda5"), g.lambda5, f(&c["lambda5"]), t);
    assert_rel(&format!("{case} lambda6"), g.lambda6, f(&c["lambda6"]), t);
    assert_rel(&format!("{case} guttman lambda6"), g.lambda6, f(&c["g_lambda6"]), t);
}

#[test]
fn split_half_bfi_agreeableness_reversed() {
    check("A_rev");
    // All items positively keyed: psych's guttman λ4 equals splitHalf's maxrb.
    let c = &load()["A_rev"];
    assert_rel("A_rev guttman lambda4", f(&c["lambda4"]), f(&c["maxrb"]), TOL_CLOSED_FORM);
}

#[test]
fn split_half_bfi_first_ten_items() {
    check("first10");
}

#[test]
fn split_half_bfi_seven_items_odd() {
    check("N_O7");
}

#[test]
fn split_half_bfi_twelve_items() {
    check("E_O12");
}
