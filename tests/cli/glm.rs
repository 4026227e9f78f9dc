//! `surveystat glm` end to end against R 4.2.2 `glm` (tests/fixtures/extra/regression_glm.R).

use crate::common::*;
use serde_json::Value;

fn run(args: &[&str]) -> (bool, String, String) {
    crate::util::subcommand("glm", args)
}

#[test]
fn logistic_json_matches_r() {
    let p = fixture_path("extra/regression_glm.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let c = &fx["cases"]["mtcars_logit"];
    let d = fixture_path("data/mtcars.csv").display().to_string();
    let (ok, out, err) =
        run(&["--data", &d, "--formula", "am ~ hp + wt", "--family", "binomial", "--json"]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["link"], "logit");
    for (k, co) in v["coefficients"].as_array().unwrap().iter().enumerate() {
        assert_rel("estimate", f(&co["estimate"]), f(&c["estimate"][k]), 1e-8);
        assert_rel("odds ratio", f(&co["exp_estimate"]), f(&c["exp_estimate"][k]), 1e-8);
    }
    assert_rel("aic", f(&v["aic"]), f(&c["aic"]), 1e-8);
    let (ok, out, err) = run(&[
        "--data",
        &d,
        "--formula",
        "am ~ hp + wt",
        "--family",
        "binomial",
        "--link",
        "probit",
    ]);
    assert!(ok, "{err}");
    assert!(out.contains("probit"), "{out}");
    let (ok, _, err) =
        run(&["--data", &d, "--formula", "am ~ hp", "--family", "poisson", "--link", "probit"]);
    assert!(!ok && err.contains("link"), "{err}");
}
