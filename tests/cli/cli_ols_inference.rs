//! `surveystat ols` with factors, weights, clusters, hypotheses and predictions, against the R
//! values of tests/fixtures/extra/regression_factors.R.

use crate::common::*;
use serde_json::Value;

fn run(args: &[&str]) -> (bool, String, String) {
    crate::util::subcommand("ols", args)
}

fn fixture() -> Value {
    let p = fixture_path("extra/regression_factors.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn weighted_clustered_fit_with_predictions() {
    let fx = fixture();
    let c = &fx["cases"]["co2_wls_cluster"];
    let d = fixture_path("data/CO2.csv").display().to_string();
    let (ok, out, err) = run(&[
        "--data",
        &d,
        "--formula",
        "uptake ~ conc + Type",
        "--weights",
        "conc",
        "--cluster",
        "Plant",
        "--predict",
        &d,
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["n_clusters"], 12);
    assert_eq!(v["se_type"], "cluster-hc1");
    let se = nums(&c["se_cl_HC1"]);
    let est = nums(&c["estimate"]);
    for (k, co) in v["coefficients"].as_array().unwrap().iter().enumerate() {
        assert_rel("estimate", f(&co["estimate"]), est[k], TOL_CLOSED_FORM);
        assert_rel("cluster se", f(&co["std_error"]), se[k], TOL_CLOSED_FORM);
    }
    let rows = v["predictions"]["rows"].as_array().unwrap();
    let fit = nums(&c["predict_fit"]);
    let lwr = nums(&c["pred_lwr"]);
    for i in 0..fit.len() {
        assert_rel("predict", f(&rows[i]["fit"]), fit[i], TOL_CLOSED_FORM);
        assert_rel("pred lwr", f(&rows[i]["pred_lower"]), lwr[i], TOL_CLOSED_FORM);
    }
}

#[test]
fn factor_interaction_and_hypothesis() {
    let fx = fixture();
    let d = fixture_path("data/swiss.csv").display().to_string();
    let t = &fx["tests"];
    let (ok, out, err) = run(&[
        "--data",
        &d,
        "--formula",
        t["formula"].as_str().unwrap(),
        "--test",
        "Agriculture = Education",
        "--test",
        "Agriculture = 0, Examination = 0",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let tests = v["tests"].as_array().unwrap();
    assert_rel("F1", f(&tests[0]["f"]), f(&t["agri_eq_educ"]["f"]), TOL_CLOSED_FORM);
    assert_rel("F2", f(&tests[1]["f"]), f(&t["agri_exam_zero"]["f"]), TOL_CLOSED_FORM);
    // Text output of a factor model names the coefficients as R.
    let w = fixture_path("data/warpbreaks.csv").display().to_string();
    let (ok, out, err) = run(&["--data", &w, "--formula", "breaks ~ wool * tension"]);
    assert!(ok, "{err}");
    assert!(out.contains("woolB:tensionM"), "{out}");
}

#[test]
fn bad_flags_are_errors() {
    let d = fixture_path("data/CO2.csv").display().to_string();
    let (ok, _, err) =
        run(&["--data", &d, "--formula", "uptake ~ conc", "--cluster", "Plant", "--robust", "hc3"]);
    assert!(!ok && err.contains("--cluster"), "{err}");
    let (ok, _, err) = run(&["--data", &d, "--formula", "uptake ~ conc", "--test", "nosuch = 0"]);
    assert!(!ok && err.contains("nosuch"), "{err}");
    let (ok, _, err) = run(&["--data", &d, "--formula", "uptake ~ conc", "--weights", "Type"]);
    assert!(!ok && err.contains("Type"), "{err}");
}
