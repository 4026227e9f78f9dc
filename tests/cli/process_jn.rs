//! `surveystat process` Johnson–Neyman output and `surveystat glm --no-lr-tests`, against
//! R 4.2.2 (tests/fixtures/extra/regression_process.R, regression_glm.R).

use crate::common::*;
use serde_json::Value;

use crate::util::outcome as run;

fn nums(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

fn close(what: &str, a: &[f64], b: &[f64]) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(b) {
        assert_rel(what, *x, *y, 1e-9);
    }
}

#[test]
fn johnson_neyman_tables_in_json_and_text() {
    let p = fixture_path("extra/regression_process.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let d = fixture_path("data/swiss.csv").display().to_string();
    let base = ["process", "--data", &d, "--x", "Education", "--w", "Catholic", "--y", "Fertility"];
    let mut a1 = base.to_vec();
    a1.extend(["--model", "1", "--json"]);
    let (ok, out, err) = run(&a1);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let jn = &v["johnson_neyman_table"];
    let r = &fx["model1"]["jn_table"];
    close("roots", &nums(&jn["roots"]), &nums(&r["roots"]));
    let grid: Vec<f64> = jn["table"].as_array().unwrap().iter().map(|e| f(&e["w"])).collect();
    close("grid", &grid, &nums(&r["grid"]));
    let eff: Vec<f64> = jn["table"].as_array().unwrap().iter().map(|e| f(&e["effect"])).collect();
    close("effect", &eff, &nums(&r["effect"]));
    let mut a58 = base.to_vec();
    a58.extend(["--model", "58", "--m", "Agriculture", "--bootstrap", "50", "--json"]);
    let (ok, out, err) = run(&a58);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let r = &fx["jn_models"]["model58"];
    close("a path", &nums(&v["johnson_neyman"]["a_path"]["roots"]), &nums(&r["jn_a"]["roots"]));
    close("b path", &nums(&v["johnson_neyman"]["b_path"]["roots"]), &nums(&r["jn_b"]["roots"]));
    assert!(v["johnson_neyman"]["direct"].is_null());
    a58.pop();
    let (ok, out, err) = run(&a58);
    assert!(ok, "{err}");
    assert!(out.contains("Johnson–Neyman, effect of Education on Agriculture"), "{out}");
    assert!(out.contains("Johnson–Neyman, effect of Agriculture on Fertility"), "{out}");
}

#[test]
fn glm_without_lr_tests() {
    let d = fixture_path("data/mtcars.csv").display().to_string();
    let args = ["glm", "--data", &d, "--family", "binomial", "--formula", "am ~ hp + wt"];
    let mut a = args.to_vec();
    a.extend(["--no-lr-tests", "--json"]);
    let (ok, out, err) = run(&a);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["lr_tests"].as_array().map(Vec::len), Some(0));
    let (ok, out, err) = run(&[&args[..], &["--json"]].concat());
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["lr_tests"].as_array().map(Vec::len), Some(2));
}
