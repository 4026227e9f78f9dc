//! `surveystat study` end to end (the binary built by cargo).

use std::process::Command;

use crate::common::*;
use serde_json::Value;

fn run(args: &[&str]) -> (bool, String, String) {
    let out =
        Command::new(env!("CARGO_BIN_EXE_surveystat")).arg("study").args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn json_on_a_csv_matches_r_and_writes_report_and_diagram() {
    let data = fixture_path("data/study_survey.csv").display().to_string();
    let dir = std::env::temp_dir().join(format!("surveystat_cli_study_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let md = dir.join("out.md").display().to_string();
    let svg = dir.join("out.svg").display().to_string();
    let args = [
        "--data",
        &data,
        "--json",
        "--bootstrap",
        "50",
        "--seed",
        "3",
        "--report",
        &md,
        "--diagram",
        &svg,
    ];
    let (ok, out, err) = run(&args);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    for k in ["reliability", "kmo", "efa", "cfa", "sem", "ols", "mediation"] {
        assert!(v.get(k).is_some(), "{k}");
    }
    let kmo = load_case("study_kmo_bartlett");
    assert_rel("KMO", f(&v["kmo"]["msa"]), f(&kmo["results"]["KMO_MSA"]), TOL_CLOSED_FORM);
    let a = load_case("study_alpha_RS");
    assert_rel(
        "alpha RS",
        f(&v["reliability"]["RS"]["raw_alpha"]),
        f(&a["results"]["total"]["raw_alpha"]),
        TOL_CLOSED_FORM,
    );
    let report = std::fs::read_to_string(&md).unwrap();
    assert!(report.contains("out.svg") && report.contains("Hypotheses"));
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
    let (_, out2, _) = run(&args);
    assert_eq!(out, out2, "byte-identical JSON");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn missing_column_is_one_sentence_on_stderr() {
    let data = fixture_path("data/mtcars.csv").display().to_string();
    let (ok, out, err) = run(&["--data", &data, "--bootstrap", "0"]);
    assert!(!ok);
    assert!(out.is_empty());
    assert!(err.contains("mtcars.csv") && err.contains("GS1"), "{err}");
}
