//! `surveystat process` end to end against R 4.2.2 lm computations
//! (tests/fixtures/extra/regression_process.R).

use crate::common::*;
use serde_json::Value;

fn run(args: &[&str]) -> (bool, String, String) {
    crate::util::subcommand("process", args)
}

#[test]
fn models_1_and_4() {
    let p = fixture_path("extra/regression_process.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let d = fixture_path("data/swiss.csv").display().to_string();
    let args = [
        "--data",
        &d,
        "--model",
        "1",
        "--x",
        "Education",
        "--w",
        "Catholic",
        "--y",
        "Fertility",
        "--json",
    ];
    let (ok, out, err) = run(&args);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let ce = v["conditional_effects"].as_array().unwrap();
    for (k, e) in ce.iter().enumerate() {
        assert_rel("effect", f(&e["effect"]), f(&fx["model1"]["effect"][k]), TOL_CLOSED_FORM);
    }
    let args = [
        "--data",
        &d,
        "--model",
        "4",
        "--x",
        "Education",
        "--m",
        "Agriculture",
        "--y",
        "Fertility",
        "--bootstrap",
        "200",
        "--seed",
        "7",
        "--json",
    ];
    let (ok, out, err) = run(&args);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let ind = f(&v["indirect"][0]["indirect"]);
    assert_rel("indirect", ind, f(&fx["model4"]["indirect"]), TOL_CLOSED_FORM);
    let (_, out2, _) = run(&args);
    assert_eq!(out, out2, "seeded bootstrap is reproducible");
    let (ok, _, err) = run(&["--data", &d, "--model", "7", "--x", "Education", "--y", "Fertility"]);
    assert!(!ok && err.contains("model 7"), "{err}");
}

#[test]
fn moderated_mediation_models_and_percentile_probes() {
    let p = fixture_path("extra/regression_process.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let d = fixture_path("data/swiss.csv").display().to_string();
    for model in ["7", "14"] {
        let args = [
            "--data",
            &d,
            "--model",
            model,
            "--x",
            "Education",
            "--m",
            "Agriculture",
            "--w",
            "Catholic",
            "--y",
            "Fertility",
            "--bootstrap",
            "100",
            "--json",
        ];
        let (ok, out, err) = run(&args);
        assert!(ok, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        let c = &fx[format!("model{model}")];
        for k in 0..3 {
            let e = f(&v["conditional_indirect"][k]["effect"]);
            assert_rel("indirect", e, f(&c["indirect"][k]), TOL_CLOSED_FORM);
        }
        let ix = f(&v["index_of_moderated_mediation"]["effect"]);
        assert_rel("index", ix, f(&c["index"]), TOL_CLOSED_FORM);
        let (ok, text, err) = run(&args[..args.len() - 1]);
        assert!(ok && text.contains("Index of moderated mediation"), "{err}");
    }
    let args = [
        "--data",
        &d,
        "--model",
        "1",
        "--x",
        "Education",
        "--w",
        "Catholic",
        "--y",
        "Fertility",
        "--probes",
        "percentile",
        "--json",
    ];
    let (ok, out, err) = run(&args);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    for k in 0..3 {
        let w = f(&v["conditional_effects"][k]["w"]);
        assert_rel("w", w, f(&fx["model1"]["w_percentiles"][k]), TOL_CLOSED_FORM);
    }
}
