//! `surveystat sem --cov FILE --n-obs N` (covariance-matrix input) and `--modindices [N]`,
//! against lavaan 0.6.14: tests/fixtures/expected/sem_hs_cfa_covinput.json (sample.cov fit) and
//! tests/fixtures/extra/sem_fixes.json (`covinput_modindices`, from sem_fixes.R).

use crate::common::*;

fn run(args: &[&str]) -> (bool, String, String) {
    crate::util::subcommand("sem", args)
}

fn model_file(tag: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("surveystat_cli_semcov_{tag}_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("hs.lav");
    std::fs::write(
        &model,
        "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n",
    )
    .unwrap();
    model
}

const COV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HS_x1_x9_cov.csv");

#[test]
fn covariance_input_matches_lavaan_sample_cov() {
    let model = model_file("fit");
    let m = model.to_str().unwrap();
    let (ok, out, err) = run(&["--cov", COV, "--n-obs", "301", "--model", m, "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let case = load_case("sem_hs_cfa_covinput");
    let res = &case["results"];
    for k in ["chisq", "df", "cfi", "tli", "rmsea", "srmr"] {
        assert_close(k, f(&v["fit"][k]), f(&res["fit_measures"][k]), TOL_SEM_FIT);
    }
    let params = v["parameters"].as_array().unwrap();
    for row in res["parameter_estimates"].as_array().unwrap() {
        let ours = params
            .iter()
            .find(|r| r["lhs"] == row["lhs"] && r["op"] == row["op"] && r["rhs"] == row["rhs"])
            .unwrap();
        assert_close("est", f(&ours["est"]), f(&row["est"]), TOL_SEM_EST);
        assert_close("se", f(&ours["se"]), f(&row["se"]), TOL_SEM_EST);
    }
    // readable output works too
    let (ok, out, err) = run(&["--cov", COV, "--n-obs", "301", "--model", m]);
    assert!(ok && out.contains("visual"), "{err}");
}

#[test]
fn modindices_in_json_and_text_match_lavaan() {
    let model = model_file("mi");
    let m = model.to_str().unwrap();
    let text = std::fs::read_to_string(fixture_path("extra/sem_fixes.json")).unwrap();
    let fx: serde_json::Value = serde_json::from_str(&text).unwrap();
    let refmi = fx["covinput_modindices"]["modindices"].as_array().unwrap();
    // no N: every index (lavaan's modindices() default, minimum value 0)
    let (ok, out, err) =
        run(&["--cov", COV, "--n-obs", "301", "--model", m, "--modindices", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ours = v["modindices"].as_array().unwrap();
    assert_eq!(ours.len() as f64, f(&fx["covinput_modindices"]["n_modindices"]));
    for r in refmi {
        let o = ours
            .iter()
            .find(|x| x["lhs"] == r["lhs"] && x["op"] == r["op"] && x["rhs"] == r["rhs"])
            .unwrap_or_else(|| panic!("missing {r}"));
        assert_close("mi", f(&o["mi"]), f(&r["mi"]), TOL_SEM_MI);
        assert_close("epc", f(&o["epc"]), f(&r["epc"]), TOL_SEM_MI);
    }
    // sorted by decreasing MI
    assert!(ours.windows(2).all(|w| f(&w[0]["mi"]) >= f(&w[1]["mi"])));
    // top 3, with raw data
    let data =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");
    let (ok, out, err) = run(&["--data", data, "--model", m, "--modindices", "3", "--json"]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let top = v["modindices"].as_array().unwrap();
    assert_eq!(top.len(), 3);
    assert_eq!(top[0]["lhs"], "visual");
    assert_eq!(top[0]["rhs"], "x9");
    assert_close("top mi", f(&top[0]["mi"]), f(&refmi[0]["mi"]), TOL_SEM_MI);
    let (ok, out, err) = run(&["--data", data, "--model", m, "--modindices", "2"]);
    assert!(ok, "{err}");
    assert!(out.contains("Modification indices") && out.contains("x7 ~~ x8"), "{out}");
}

#[test]
fn covariance_input_errors_are_clear() {
    let model = model_file("bad");
    let m = model.to_str().unwrap();
    let dir = model.parent().unwrap();
    let nonsq = dir.join("nonsq.csv");
    std::fs::write(&nonsq, "x1,x2,x3\n1,0.5,0.2\n0.5,1,0.1\n").unwrap();
    let (ok, out, err) = run(&["--cov", nonsq.to_str().unwrap(), "--n-obs", "100", "--model", m]);
    assert!(!ok && out.is_empty() && err.contains("square"), "{err}");
    let asym = dir.join("asym.csv");
    std::fs::write(&asym, "var,x1,x2\nx1,1,0.5\nx2,0.4,1\n").unwrap();
    let (ok, _, err) = run(&["--cov", asym.to_str().unwrap(), "--n-obs", "100", "--model", m]);
    assert!(!ok && err.contains("symmetric"), "{err}");
    // --cov without --n-obs, and neither --data nor --cov
    let (ok, _, err) = run(&["--cov", COV, "--model", m]);
    assert!(!ok && err.contains("--n-obs"), "{err}");
    let (ok, _, err) = run(&["--model", m]);
    assert!(!ok && err.contains("--data"), "{err}");
}
