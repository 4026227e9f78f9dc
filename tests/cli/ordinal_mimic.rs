//! `surveystat sem --ordered` with exogenous covariates: the fit is conditional on them
//! (lavaan's conditional.x), says so in its `options` block, and matches lavaan 0.6.14
//! (tests/fixtures/extra/ordinal_gaps.json, `mimic_wlsmv`).

use std::process::Command;

#[test]
fn ordinal_mimic_is_fitted_conditionally_on_the_covariates() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_ordmimic_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("mimic.lav");
    std::fs::write(
        &model,
        "vis =~ o1 + o2 + o3\ntex =~ o4 + o5 + o6\nspd =~ o7 + o8 + o9\nvis + tex + spd ~ sex + ageyr\n",
    )
    .unwrap();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HS_ordinal_mimic.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_surveystat"))
        .args(["sem", "--data", data, "--model", model.to_str().unwrap()])
        .args(["--ordered", "o1,o2,o3,o4,o5,o6,o7,o8,o9", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["options"]["conditional_x"], serde_json::json!(true));
    assert_eq!(v["options"]["parameterization"], "delta");
    // lavaan 0.6.14: sem(mimic_o, data = hsom, ordered = ord, estimator = "WLSMV")
    let chisq = v["fit"]["chisq.scaled"].as_f64().unwrap();
    assert!((chisq - 94.42187688816395).abs() < 1e-4 * 94.4, "{chisq}");
    let params = v["parameters"].as_array().unwrap();
    let b = params.iter().find(|r| r["lhs"] == "tex" && r["op"] == "~" && r["rhs"] == "ageyr");
    assert!((b.unwrap()["est"].as_f64().unwrap() - -0.18041685439672392).abs() < 1e-5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `--ordered` naming some indicators, the others continuous: lavaan 0.6.14's
/// `cfa(m, data = d, ordered = c("o1", "o2", "o4", "o7"))` (extra/sem_ordinal_mixed.json).
#[test]
fn ordered_and_continuous_indicators_in_one_model() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_ordmix_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("mixed.lav");
    std::fs::write(&model, "vis =~ o1 + o2 + x3\ntex =~ o4 + x5 + x6\nspd =~ o7 + x8 + x9\n")
        .unwrap();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HS_ordinal_mixed.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_surveystat"))
        .args(["sem", "--data", data, "--model", model.to_str().unwrap()])
        .args(["--ordered", "o1,o2,o4,o7", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let chisq = v["fit"]["chisq.scaled"].as_f64().unwrap();
    assert!((chisq - 91.70998768998308).abs() < 1e-5 * 91.7, "{chisq}");
    let params = v["parameters"].as_array().unwrap();
    let nu = params.iter().find(|r| r["lhs"] == "x3" && r["op"] == "~1").unwrap();
    assert!((nu["est"].as_f64().unwrap() - 2.2504152823920265).abs() < 1e-6);
    let _ = std::fs::remove_dir_all(&dir);
}
