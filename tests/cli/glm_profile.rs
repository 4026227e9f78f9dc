//! `surveystat glm --profile-ci` against R 4.2.2 (exact profile roots and MASS `confint.glm`,
//! tests/fixtures/extra/glm_profile.R).

use std::process::Command;

use crate::common::*;
use serde_json::Value;

#[test]
fn profile_ci_json_matches_exact_roots() {
    let p = fixture_path("extra/glm_profile.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let c = &fx["cases"]["mtcars_logit"];
    let d = fixture_path("data/mtcars.csv").display().to_string();
    let args = ["glm", "--data", &d, "--formula", "am ~ hp + wt", "--family", "binomial"];
    let out = Command::new(env!("CARGO_BIN_EXE_surveystat"))
        .args(args)
        .args(["--profile-ci", "--no-lr-tests", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["profile_ci"]["intervals"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (k, r) in rows.iter().enumerate() {
        let se = f(&c["std_error"][k]);
        assert_abs("lower", f(&r["lower"]) / se, f(&c["exact_lower"][k]) / se, 1e-7);
        assert_abs("upper", f(&r["upper"]) / se, f(&c["exact_upper"][k]) / se, 1e-7);
        assert_rel("exp upper", f(&r["exp_upper"]), f(&c["exact_upper"][k]).exp(), 1e-6);
    }
    let text = Command::new(env!("CARGO_BIN_EXE_surveystat"))
        .args(args)
        .args(["--profile-ci", "--no-lr-tests"])
        .output()
        .unwrap();
    let s = String::from_utf8(text.stdout).unwrap();
    assert!(s.contains("Profile-likelihood 95 % intervals"), "{s}");
}

#[test]
fn profile_ci_separation_gives_null_and_a_warning() {
    let dir = std::env::temp_dir().join(format!("surveystat_glm_prof_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let csv = dir.join("sep.csv");
    std::fs::write(&csv, "y,x\n0,1\n0,2\n0,3\n0,4\n1,5\n1,6\n1,7\n1,8\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_surveystat"))
        .args(["glm", "--data", csv.to_str().unwrap(), "--formula", "y ~ x"])
        .args(["--family", "binomial", "--profile-ci", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = v["profile_ci"]["intervals"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["lower"].is_null() || r["upper"].is_null()), "{v}");
    let w = v["warnings"].as_array().unwrap();
    assert!(w.iter().any(|s| s.as_str().unwrap().contains("profile interval")), "{v}");
    let _ = std::fs::remove_dir_all(&dir);
}
