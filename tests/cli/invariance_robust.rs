//! `surveystat invariance --estimator mlm|mlmv`: the scaled difference tests and robust indices
//! in JSON and text (lavaan numbers from tests/fixtures/extra/invariance_robust.json).

use crate::common::fixture_path;

fn run(args: &[&str]) -> (bool, String, String) {
    crate::util::subcommand("invariance", args)
}

fn hs_model() -> std::path::PathBuf {
    crate::util::temp_file("invrob", "hs.lav", crate::util::HS_CFA)
}

#[test]
fn robust_ladder_json_and_text() {
    let model = hs_model();
    let data =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");
    let text = std::fs::read_to_string(fixture_path("extra/invariance_robust.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    for (est, case) in [("mlm", "MLM"), ("mlmv", "MLMV")] {
        let base = ["--data", data, "--model", model.to_str().unwrap(), "--group", "school"];
        let mut args = base.to_vec();
        args.extend(["--estimator", est, "--json"]);
        let (ok, out, err) = run(&args);
        assert!(ok, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let steps = v["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 4);
        let rs = &r[case]["steps"][1];
        let c = &steps[1]["comparison"];
        assert_eq!(c["method"], rs["lrt_default"]["method"]);
        let got = c["chisq_diff"].as_f64().unwrap();
        let want = rs["lrt_default"]["chisq_diff"].as_f64().unwrap();
        assert!((got - want).abs() / want < 1e-4, "{est}: {got} vs {want}");
        assert!(steps[1]["cfi.robust"].as_f64().is_some());
        assert!(c["cfi.robust.delta"].as_f64().is_some());
        let mut args = base.to_vec();
        args.extend(["--estimator", est]);
        let (ok, out, err) = run(&args);
        assert!(ok, "{err}");
        assert!(out.contains(&format!("Estimator: {}", case)) || out.contains(case), "{out}");
        assert!(out.contains("cfi.robust"), "{out}");
        assert!(out.contains(rs["lrt_default"]["method"].as_str().unwrap()), "{out}");
    }
    // the partial search is refused with a robust estimator
    let args = [
        "--data",
        data,
        "--model",
        model.to_str().unwrap(),
        "--group",
        "school",
        "--estimator",
        "mlr",
        "--partial",
    ];
    let (ok, _, err) = run(&args);
    assert!(!ok && err.contains("ML"), "{err}");
}
