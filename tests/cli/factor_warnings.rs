//! `surveystat kmo --json` and `efa --json` carry the fit's warnings.

use std::process::Command;

use serde_json::Value;

use crate::common::fixture_path;

fn run_json(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_surveystat")).args(args).output().expect("run");
    assert!(out.status.success(), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// HolzingerSwineford x1, x2, x3 with x1 repeated: the correlation matrix is singular.
fn duplicated_column_csv() -> std::path::PathBuf {
    let src = std::fs::read_to_string(fixture_path("data/HolzingerSwineford1939.csv")).unwrap();
    let mut lines = src.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').map(|h| h.trim_matches('"')).collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (a, b, c) = (col("x1"), col("x2"), col("x3"));
    let mut out = String::from("x1,x1_again,x2,x3\n");
    for line in lines {
        let v: Vec<&str> = line.split(',').collect();
        out.push_str(&format!("{},{},{},{}\n", v[a], v[a], v[b], v[c]));
    }
    let path = std::env::temp_dir().join(format!("surveystat_dup_{}.csv", std::process::id()));
    std::fs::write(&path, out).unwrap();
    path
}

#[test]
fn kmo_json_reports_a_singular_correlation_matrix() {
    let path = duplicated_column_csv();
    let v = run_json(&["kmo", "--data", path.to_str().unwrap(), "--json"]);
    let _ = std::fs::remove_file(&path);
    let w = v["warnings"].as_array().expect("warnings array");
    assert!(
        w.iter().any(|s| s.as_str().unwrap_or("").contains("positive definite")),
        "warnings: {w:?}"
    );
}

#[test]
fn efa_json_has_a_warnings_field() {
    let data = fixture_path("data/HolzingerSwineford1939.csv");
    let v = run_json(&[
        "efa",
        "--data",
        data.to_str().unwrap(),
        "--items",
        "x1,x2,x3,x4,x5,x6,x7,x8,x9",
        "--factors",
        "3",
        "--json",
    ]);
    assert!(v["warnings"].is_array(), "{v}");
}
