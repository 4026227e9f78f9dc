//! `surveystat alpha` end to end: the built binary on fixture data (text, JSON, errors).

use crate::common::{TOL_CLOSED_FORM, assert_rel, f, fixture_path, load_case};
use serde_json::Value;

use crate::util::run;

fn data(file: &str) -> String {
    fixture_path(&format!("data/{file}")).display().to_string()
}

#[test]
fn text_summary() {
    let out = run(&[
        "alpha",
        "--data",
        &data("bfi.csv"),
        "--items",
        "C1,C2,C3,C4,C5",
        "--reverse",
        "C4,C5",
        "--scale-min",
        "1",
        "--scale-max",
        "6",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "raw_alpha",
        "G6(smc)",
        "Feldt",
        "Duhachek",
        "Reliability if an item is dropped",
        "Item statistics",
        "C4-",
        "0.727",
    ] {
        assert!(text.contains(needle), "missing `{needle}` in\n{text}");
    }
}

#[test]
fn json_matches_psych_and_is_deterministic() {
    let args = [
        "alpha",
        "--data",
        &data("bfi.csv"),
        "--items",
        "C1,C2,C3,C4,C5",
        "--reverse",
        "C4,C5",
        "--scale-min",
        "1",
        "--scale-max",
        "6",
        "--missing",
        "pairwise",
        "--ci-level",
        "0.95",
        "--json",
    ];
    let out = run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = run(&args);
    assert_eq!(out.stdout, again.stdout, "JSON output must be byte-identical");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = load_case("alpha_bfi_C_pairwise");
    let t = &d["results"]["total"];
    for (key, fx) in [
        ("raw_alpha", "raw_alpha"),
        ("std_alpha", "std.alpha"),
        ("g6", "G6(smc)"),
        ("average_r", "average_r"),
        ("s_n", "S/N"),
        ("ase", "ase"),
        ("mean", "mean"),
        ("sd", "sd"),
        ("median_r", "median_r"),
    ] {
        assert_rel(key, f(&v[key]), f(&t[fx]), TOL_CLOSED_FORM);
    }
    assert_eq!(v["n_obs"], 2800);
    assert_eq!(f(&v["ci"]["level"]), 0.95);
    assert_rel(
        "ci.lower",
        f(&v["ci"]["lower"]),
        f(&d["results"]["feldt_95ci"]["lower"]),
        TOL_CLOSED_FORM,
    );
    assert_rel(
        "ci.upper",
        f(&v["ci"]["upper"]),
        f(&d["results"]["feldt_95ci"]["upper"]),
        TOL_CLOSED_FORM,
    );
    let items = v["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    for it in items {
        let name = it["item"].as_str().unwrap();
        let drop = &d["results"]["alpha_drop"][name];
        let stats = &d["results"]["item_stats"][name];
        for (key, fx) in [
            ("raw_alpha", "raw_alpha"),
            ("std_alpha", "std.alpha"),
            ("g6", "G6(smc)"),
            ("average_r", "average_r"),
        ] {
            assert_rel(&format!("{name} {key}"), f(&it[key]), f(&drop[fx]), TOL_CLOSED_FORM);
        }
        for (key, fx) in [
            ("raw_r", "raw.r"),
            ("std_r", "std.r"),
            ("r_cor", "r.cor"),
            ("r_drop", "r.drop"),
            ("mean", "mean"),
            ("sd", "sd"),
        ] {
            assert_rel(&format!("{name} {key}"), f(&it[key]), f(&stats[fx]), TOL_CLOSED_FORM);
        }
        assert_eq!(it["n"], stats["n"]);
    }
}

#[test]
fn json_listwise_and_ci_level() {
    let out = run(&[
        "alpha",
        "--data",
        &data("HolzingerSwineford1939.csv"),
        "--items",
        "x1,x2,x3",
        "--missing",
        "listwise",
        "--ci-level",
        "0.9",
        "--json",
    ]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(f(&v["ci"]["level"]), 0.9);
    let d = load_case("alpha_hs_x1_x3");
    assert_rel(
        "raw_alpha",
        f(&v["raw_alpha"]),
        f(&d["results"]["total"]["raw_alpha"]),
        TOL_CLOSED_FORM,
    );
    // A 90% interval lies inside the 95% one.
    assert!(f(&v["ci"]["lower"]) > f(&d["results"]["feldt_95ci"]["lower"]));
    assert!(f(&v["ci"]["upper"]) < f(&d["results"]["feldt_95ci"]["upper"]));
}

#[track_caller]
fn assert_fails(args: &[&str], needle: &str) {
    let out = run(args);
    assert!(!out.status.success(), "expected failure for {args:?}");
    assert!(
        out.stdout.is_empty(),
        "stdout must be empty on error: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(needle), "stderr `{err}` lacks `{needle}`");
}

#[test]
fn errors_go_to_stderr_with_nonzero_exit() {
    let hs = data("HolzingerSwineford1939.csv");
    assert_fails(&["alpha", "--data", &hs, "--items", "x1,nope"], "unknown variable `nope`");
    assert_fails(
        &["alpha", "--data", &hs, "--items", "x1,school"],
        "column `school` is not numeric",
    );
    assert_fails(&["alpha", "--data", "/no/such/file.csv", "--items", "a,b"], "/no/such/file.csv");
    assert_fails(&["alpha", "--data", &hs, "--items", "x1,x2", "--reverse", "x2"], "--scale-min");
    assert_fails(
        &[
            "alpha",
            "--data",
            &hs,
            "--items",
            "x1,x2",
            "--reverse",
            "x2",
            "--scale-min",
            "1",
            "--scale-max",
            "3",
        ],
        "outside [1, 3]",
    );
    assert_fails(&["alpha", "--data", &hs, "--items", "x1,x2", "--ci-level", "1.5"], "ci_level");
    assert_fails(&["alpha", "--data", &hs, "--items", "x1"], "too few variables");
}
