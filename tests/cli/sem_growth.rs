//! `surveystat sem --growth` against lavaan 0.6.14 `growth()` on Demo.growth:
//! tests/fixtures/extra/sem_growth.json (made by tests/fixtures/extra/sem_growth.R).

use std::process::Command;

use crate::common::*;

#[test]
fn growth_flag_matches_lavaan_growth() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_growth_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("growth.lav");
    std::fs::write(&model, "i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4\ns =~ 0*t1 + 1*t2 + 2*t3 + 3*t4\n")
        .unwrap();
    let data = fixture_path("data/Demo_growth.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_surveystat"))
        .args(["sem", "--growth", "--json", "--data"])
        .arg(&data)
        .arg("--model")
        .arg(&model)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(fixture_path("extra/sem_growth.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    for k in ["chisq", "df", "cfi", "rmsea"] {
        assert_rel(k, f(&v["fit"][k]), f(&r["linear"]["fit"][k]), 1e-6);
    }
}
