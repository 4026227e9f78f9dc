//! `surveystat cor` end to end: the built binary on fixture data (text, JSON, errors).

use crate::common::{fixture_path, matrix};
use serde_json::Value;

use crate::util::run;

fn data(file: &str) -> String {
    fixture_path(&format!("data/{file}")).display().to_string()
}

fn fixture() -> Value {
    let p = fixture_path("extra/polychoric.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("polychoric.json")).expect("json")
}

fn json_of(args: &[&str]) -> Value {
    let out = run(args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json output")
}

fn max_diff_json(got: &Value, expected: &ndarray::Array2<f64>) -> f64 {
    let mut d: f64 = 0.0;
    for (i, row) in got.as_array().unwrap().iter().enumerate() {
        for (j, v) in row.as_array().unwrap().iter().enumerate() {
            d = d.max((v.as_f64().unwrap() - expected[[i, j]]).abs());
        }
    }
    d
}

#[test]
fn polychoric_json_matches_lavaan_with_standard_errors() {
    let hs = data("HS_ordinal.csv");
    let args = [
        "cor",
        "--data",
        &hs,
        "--items",
        "o1,o2,o3,o4,o5,o6,o7,o8,o9",
        "--method",
        "polychoric",
        "--json",
    ];
    let v = json_of(&args);
    let (_, _, r) = matrix(&fixture()["lavaan_hs_ordinal"]["cor"]);
    assert!(max_diff_json(&v["correlation"], &r) < 1e-6);
    assert!(v["std_errors"].is_array() && v["positive_definite"].as_bool().unwrap());
    // Deterministic output.
    assert_eq!(run(&args).stdout, run(&args).stdout);
}

#[test]
fn spearman_tetrachoric_polyserial_and_text() {
    let bfi = data("bfi.csv");
    let items = "A1,A2,A3,A4,A5,C1,C2,C3,C4,C5";
    let v = json_of(&["cor", "--data", &bfi, "--items", items, "--method", "spearman", "--json"]);
    let (_, _, r) = matrix(&fixture()["spearman_bfi10_pairwise"]["cor"]);
    assert!(max_diff_json(&v["correlation"], &r) < 1e-13);
    let v = json_of(&[
        "cor",
        "--data",
        &bfi,
        "--items",
        items,
        "--method",
        "polychoric",
        "--convention",
        "psych",
        "--json",
    ]);
    let (_, _, r) = matrix(&fixture()["psych_bfi10"]["tight_rho"]);
    assert!(max_diff_json(&v["correlation"], &r) < 1e-7);
    let hs = data("HS_ordinal.csv");
    let v = json_of(&[
        "cor",
        "--data",
        &hs,
        "--items",
        "o1,o2,o3,x4,x5,x6",
        "--method",
        "polyserial",
        "--json",
    ]);
    let (_, _, r) = matrix(&fixture()["lavaan_mixed"]["cor"]);
    assert!(max_diff_json(&v["correlation"], &r) < 1e-6);
    assert_eq!(v["continuous"], serde_json::json!([false, false, false, true, true, true]));
    let out = run(&["cor", "--data", &hs, "--items", "o1,o2,o3", "--method", "polychoric"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("polychoric correlations") && text.contains("o3"), "{text}");
}

#[test]
fn errors_go_to_stderr() {
    let hs = data("HS_ordinal.csv");
    let out = run(&["cor", "--data", &hs, "--items", "o1,o2", "--method", "tetrachoric"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("two categories"));
    let out = run(&["cor", "--data", &hs, "--items", "o1,x4", "--method", "polychoric"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("x4"));
    let out = run(&["cor", "--data", &hs, "--items", "o1,nope", "--method", "pearson"]);
    assert!(!out.status.success());
}
