//! `surveystat efa --method wls|gls|alpha` and `--rotate target --target FILE` / `simplimax`
//! against the psych 2.2.9 / GPArotation fixtures (tests/fixtures/extra/efa_methods.R,
//! rotations_target.R) on bfi's 25 items (complete rows).

use std::process::Command;

use crate::common::align::{align, max_abs_diff};
use crate::common::fixture_path;
use ndarray::Array2;
use serde_json::Value;

fn efa(extra: &[&str]) -> Value {
    let data = fixture_path("data/bfi25_listwise.csv").display().to_string();
    let items: Vec<String> = ["A", "C", "E", "N", "O"]
        .iter()
        .flat_map(|s| (1..=5).map(move |i| format!("{s}{i}")))
        .collect();
    let items = items.join(",");
    let mut args = vec!["efa", "--data", &data, "--items", &items, "--factors", "5", "--json"];
    args.extend_from_slice(extra);
    let out =
        Command::new(env!("CARGO_BIN_EXE_surveystat")).args(&args).output().expect("surveystat");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

fn fixture(name: &str) -> Value {
    let p = fixture_path(&format!("extra/{name}"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn mat(v: &Value) -> Array2<f64> {
    let rows = v.as_array().unwrap();
    let nc = rows[0].as_array().unwrap().len();
    Array2::from_shape_fn((rows.len(), nc), |(i, j)| rows[i][j].as_f64().unwrap_or(f64::NAN))
}

#[test]
fn efa_wls_gls_alpha_methods() {
    let fx = fixture("efa_methods.json");
    for (method, case) in [("wls", "bfi25_wls"), ("gls", "bfi25_gls"), ("alpha", "bfi25_alpha")] {
        let v = efa(&["--method", method, "--rotate", "none"]);
        let l = mat(&v["loadings"]);
        let lref = mat(&fx[case]["tight"]["loadings"]);
        let d = max_abs_diff(&align(&lref, &l).columns(&l), &lref);
        assert!(d < 1e-6, "{method}: loadings differ from the optimum by {d:.2e}");
        assert!(v["fit"]["rmsea"].as_f64().is_some(), "{method}: fit statistics");
    }
}

#[test]
fn efa_target_and_simplimax_rotations() {
    let fx = fixture("rotations_target.json");
    let dir = std::env::temp_dir().join(format!("surveystat_cli_target_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("target.csv");
    let t = mat(&fx["bfi25_partial_target"]);
    let mut csv = String::from("item,F1,F2,F3,F4,F5\n");
    for i in 0..t.nrows() {
        let row: Vec<String> = t
            .row(i)
            .iter()
            .map(|v| if v.is_nan() { "NA".to_string() } else { v.to_string() })
            .collect();
        csv.push_str(&format!("i{i},{}\n", row.join(",")));
    }
    std::fs::write(&path, csv).unwrap();
    let v = efa(&["--method", "ml", "--rotation", "targetQ", "--target", path.to_str().unwrap()]);
    let l = mat(&v["loadings"]);
    let lref = mat(&fx["bfi25_pstQ"]["loadings"]);
    // a target keeps its column order and signs: no alignment
    let d = max_abs_diff(&l, &lref);
    assert!(d < 1e-4, "pstQ: loadings differ by {d:.2e}");
    let v = efa(&["--method", "ml", "--rotate", "simplimax", "--random-starts", "0"]);
    assert_eq!(mat(&v["loadings"]).dim(), (25, 5));
    let _ = std::fs::remove_dir_all(&dir);
}
