//! `surveystat parallel` end to end: observed eigenvalues against R (`eigen(cor(HS x1..x9))`,
//! fixture expected/eigen_hs9.json), seeded determinism, text output and errors.

use crate::common::{TOL_CLOSED_FORM, assert_rel, f, fixture_path, load_case};
use serde_json::Value;

use crate::util::run;

const HS9: &str = "x1,x2,x3,x4,x5,x6,x7,x8,x9";

#[test]
fn parallel_json_observed_eigenvalues_match_r() {
    let data = fixture_path("data/HolzingerSwineford1939.csv").display().to_string();
    let args = ["parallel", "--data", &data, "--items", HS9, "--seed", "7", "--json"];
    let out = run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &load_case("eigen_hs9")["results"]["eigenvalues"];
    let obs = v["observed_components"].as_array().unwrap();
    assert_eq!(obs.len(), 9);
    for (j, (a, b)) in obs.iter().zip(e.as_array().unwrap()).enumerate() {
        assert_rel(&format!("observed eigenvalue {j}"), f(a), f(b), TOL_CLOSED_FORM);
    }
    assert_eq!(v["items"].as_array().unwrap().len(), 9);
    assert_eq!(v["replications"], 20);
    for key in ["reference_components", "reference_factors", "observed_factors"] {
        assert_eq!(v[key].as_array().unwrap().len(), 9, "{key}");
    }
    // Three eigenvalues above 1 and far above random ones: HS9 has three factors.
    assert_eq!(v["n_components"], 3);
    let nf = v["n_factors"].as_u64().unwrap();
    assert!((3..=4).contains(&nf), "n_factors {nf}");
    let again = run(&args);
    assert_eq!(out.stdout, again.stdout, "seeded JSON output is deterministic");
}

#[test]
fn parallel_text_and_errors() {
    let data = fixture_path("data/HolzingerSwineford1939.csv").display().to_string();
    let out = run(&["parallel", "--data", &data, "--items", HS9, "--replications", "10"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.contains("Parallel analysis (10 replications") && t.contains("3 components"), "{t}");
    let bad = run(&["parallel", "--data", &data, "--items", "x1,x2,nope"]);
    assert!(!bad.status.success());
    assert!(bad.stdout.is_empty());
    let msg = String::from_utf8_lossy(&bad.stderr);
    assert!(msg.contains("nope") && msg.lines().count() == 1, "{msg}");
}
