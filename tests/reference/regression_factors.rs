//! Formulas with factors, interactions, `I()`, `log()` and no intercept against R 4.2.2 `lm`
//! (sandwich, car): tests/fixtures/extra/regression_factors.R.

use crate::common::*;
use serde_json::Value;
use surveystat::regression::{HcType, Ols, OlsFit, RankDeficiency};

pub(crate) fn fixture() -> Value {
    let p = fixture_path("extra/regression_factors.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("fixture")).expect("json")
}

pub(crate) fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

pub(crate) fn strs(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().map(|x| x.as_str().expect("string").to_string()).collect(),
        _ => Vec::new(),
    }
}

#[track_caller]
pub(crate) fn check_vec(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (k, (a, b)) in got.iter().zip(want).enumerate() {
        assert_rel(&format!("{what}[{k}]"), *a, *b, tol);
    }
}

pub(crate) fn fit_case(c: &Value) -> OlsFit {
    let data = load_data(c["dataset"].as_str().unwrap());
    Ols::from_formula(c["formula"].as_str().unwrap())
        .unwrap()
        .rank_deficiency(RankDeficiency::Drop)
        .fit_dataset(&data)
        .unwrap()
}

fn check_unweighted(name: &str) {
    let fx = fixture();
    let c = &fx["cases"][name];
    let fit = fit_case(c);
    let tol = TOL_CLOSED_FORM;
    assert_eq!(fit.terms(), strs(&c["terms"]).as_slice(), "{name}: terms");
    assert_eq!(fit.aliased(), strs(&c["aliased"]).as_slice(), "{name}: aliased");
    assert_eq!(fit.n_obs() as u64, c["n"].as_u64().unwrap());
    assert_eq!(fit.df_residual() as u64, c["df_residual"].as_u64().unwrap());
    check_vec(
        &format!("{name} estimate"),
        fit.coefficients().as_slice().unwrap(),
        &nums(&c["estimate"]),
        tol,
    );
    check_vec(
        &format!("{name} se"),
        fit.std_errors().as_slice().unwrap(),
        &nums(&c["std_error"]),
        tol,
    );
    check_vec(&format!("{name} t"), fit.t_values().as_slice().unwrap(), &nums(&c["t_value"]), tol);
    check_vec(&format!("{name} p"), fit.p_values().as_slice().unwrap(), &nums(&c["p_value"]), 1e-9);
    let (rows, _, ci) = matrix(&c["ci"]);
    let ours = fit.conf_int(0.95).unwrap();
    for (k, term) in fit.terms().iter().enumerate() {
        let r = rows.iter().position(|x| x == term).unwrap();
        assert_rel(&format!("{name} ci lower {term}"), ours[[k, 0]], ci[[r, 0]], tol);
        assert_rel(&format!("{name} ci upper {term}"), ours[[k, 1]], ci[[r, 1]], tol);
    }
    assert_rel("sigma", fit.sigma(), f(&c["sigma"]), tol);
    assert_rel("r2", fit.r_squared(), f(&c["r_squared"]), tol);
    assert_rel("adj r2", fit.adj_r_squared(), f(&c["adj_r_squared"]), tol);
    let fs = nums(&c["fstatistic"]);
    let ft = fit.f_test().unwrap();
    assert_rel("F", ft.value, fs[0], tol);
    assert_eq!(ft.df1, fs[1]);
    assert_rel("loglik", fit.log_lik(), f(&c["loglik"]), tol);
    assert_rel("aic", fit.aic(), f(&c["aic"]), tol);
    assert_rel("bic", fit.bic(), f(&c["bic"]), tol);
    for (t, key) in [(HcType::Hc0, "se_HC0"), (HcType::Hc1, "se_HC1"), (HcType::Hc3, "se_HC3")] {
        let se = fit.hc_std_errors(t).unwrap();
        check_vec(&format!("{name} {key}"), se.as_slice().unwrap(), &nums(&c[key]), tol);
    }
    let h = fit.leverages().unwrap();
    check_vec(&format!("{name} hat"), h.as_slice().unwrap(), &nums(&c["hatvalues"]), tol);
}

#[test]
fn warpbreaks_full_interaction() {
    check_unweighted("warp_full");
}

#[test]
fn warpbreaks_colon_only_is_coded_in_full_and_aliased_as_r() {
    check_unweighted("warp_colon");
}

#[test]
fn warpbreaks_nested() {
    check_unweighted("warp_nested");
}

#[test]
fn toothgrowth_factor_of_numeric() {
    check_unweighted("tooth_factor");
}

#[test]
fn toothgrowth_log_and_i() {
    check_unweighted("tooth_funcs");
}

#[test]
fn co2_interaction_with_log() {
    check_unweighted("co2_inter");
}

#[test]
fn co2_dot_includes_text_columns_as_factors() {
    check_unweighted("co2_dot");
}

#[test]
fn mtcars_numeric_interaction_and_factor() {
    check_unweighted("mtcars_factor");
}

#[test]
fn mtcars_no_intercept_full_dummies() {
    check_unweighted("mtcars_noint");
}

#[test]
fn mtcars_factor_by_numeric_without_main_effect() {
    check_unweighted("mtcars_dummy");
}

#[test]
fn swiss_power_of_sum() {
    check_unweighted("swiss_pow");
}

#[test]
fn airquality_missing_rows_and_month_factor() {
    check_unweighted("air_na");
}

#[test]
fn co2_cluster_case_point_estimates() {
    check_unweighted("co2_cluster");
}
