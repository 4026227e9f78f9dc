//! `surveystat omega` and `surveystat icc` end to end: the built binary on fixture data.

use crate::common::{TOL_CLOSED_FORM, assert_rel, f, fixture_path};
use serde_json::Value;

use crate::util::run;

fn path(rel: &str) -> String {
    fixture_path(rel).display().to_string()
}

fn extra(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture_path(name)).unwrap()).unwrap()
}

#[test]
fn icc_json_matches_psych() {
    let out = run(&["icc", "--data", &path("extra/shrout_fleiss.csv"), "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &extra("extra/icc.json")["shrout_fleiss"];
    for (ours, r) in v["results"].as_array().unwrap().iter().zip(e["rows"].as_array().unwrap()) {
        assert_eq!(ours["type"], r["type"]);
        for (a, b) in
            [("icc", "ICC"), ("f", "F"), ("p", "p"), ("lower", "lower"), ("upper", "upper")]
        {
            assert_rel(&format!("cli icc {a}"), f(&ours[a]), f(&r[b]), TOL_CLOSED_FORM);
        }
    }
    let again = run(&["icc", "--data", &path("extra/shrout_fleiss.csv"), "--json"]);
    assert_eq!(out.stdout, again.stdout, "JSON output is deterministic");
    let text = run(&["icc", "--data", &path("extra/shrout_fleiss.csv")]);
    let t = String::from_utf8(text.stdout).unwrap();
    assert!(t.contains("ICC3k") && t.contains("0.166"), "{t}");
}

#[test]
fn omega_json_and_text() {
    let items = "A1,A2,A3,A4,A5,C1,C2,C3,C4,C5,E1,E2,E3,E4,E5,N1,N2,N3,N4,N5,O1,O2,O3,O4,O5";
    let data = path("data/bfi25_listwise.csv");
    let out = run(&["omega", "--data", &data, "--items", items, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &extra("extra/omega.json")["bfi25_3"];
    assert_rel("cli omega alpha", f(&v["alpha"]), f(&e["alpha"]), TOL_CLOSED_FORM);
    // iterative: within psych's distance from the tight optimum (see tests/reference/omega.rs)
    assert!((f(&v["omega_h"]) - f(&e["omega_h"])).abs() < 1e-5);
    assert!((f(&v["omega_tot"]) - f(&e["omega_tot"])).abs() < 1e-6);
    assert_eq!(v["omega_group"].as_array().unwrap().len(), 4);
    let text = run(&["omega", "--data", &data, "--items", items]);
    let t = String::from_utf8(text.stdout).unwrap();
    assert!(t.contains("Omega Hierarchical") && t.contains("A1-"), "{t}");
}

#[test]
fn errors_are_one_sentence() {
    let out = run(&["omega", "--data", &path("data/bfi25_listwise.csv"), "--items", "A1,NOPE"]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("NOPE"));
    let two = run(&[
        "omega",
        "--data",
        &path("data/bfi25_listwise.csv"),
        "--items",
        "A1,A2,A3,A4,A5,C1,C2,C3,C4,C5",
        "--factors",
        "2",
        "--json",
    ]);
    assert!(two.status.success());
    let v: Value = serde_json::from_slice(&two.stdout).unwrap();
    assert!(!v["warnings"].as_array().unwrap().is_empty(), "two group factors warn");
}

#[test]
fn omega_bifactor_matches_semtools() {
    let items = "x1,x2,x3,x4,x5,x6,x7,x8,x9";
    let data = path("data/HolzingerSwineford1939.csv");
    let groups = "F1:x1,x2,x3;F2:x4,x5,x6;F3:x7,x8,x9";
    let args = ["omega", "--data", &data, "--items", items, "--bifactor", "--groups", groups];
    let out = run(&[&args[..], &["--json"]].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &extra("extra/omega_bifactor.json")["hs"];
    let t = crate::common::TOL_SEM_EST;
    assert_rel("cli omega_h", f(&v["omega_h_observed"]), f(&e["comprel_obs"]["G"]), t);
    assert_rel("cli omega_total", f(&v["omega_total"]), f(&e["comprel_implied"]["total"]), t);
    assert_rel("cli ecv", f(&v["ecv"]), f(&e["rodriguez"]["ecv"]), t);
    assert_eq!(v["groups"].as_array().unwrap().len(), 3);
    let text = run(&args);
    let s = String::from_utf8(text.stdout).unwrap();
    assert!(s.contains("Omega hierarchical") && s.contains("F2"), "{s}");
    let bad = run(&["omega", "--data", &data, "--items", items, "--bifactor", "--groups", "x1,zz"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("zz"));
}

#[test]
fn efa_json_reports_the_harmonic_n_of_psych() {
    let data = path("data/HS_missing10.csv");
    let items = "x1,x2,x3,x4,x5,x6,x7,x8,x9";
    let out = run(&["efa", "--data", &data, "--items", items, "--factors", "3", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let e = &extra("extra/efa_missing.json")["hs_missing_minres"];
    assert_rel("cli n_harmonic", f(&v["fit"]["n_harmonic"]), f(&e["nh"]), TOL_CLOSED_FORM);
}
