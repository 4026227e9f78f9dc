//! `surveystat invariance`: the ladder as text and JSON (lavaan/semTools numbers from
//! tests/fixtures/extra/invariance.json), the score tests, and errors on stderr.

use crate::common::fixture_path;

fn run(args: &[&str]) -> (bool, String, String) {
    crate::util::subcommand("invariance", args)
}

fn hs_model() -> std::path::PathBuf {
    crate::util::temp_file("inv", "hs.lav", crate::util::HS_CFA)
}

#[test]
fn ladder_json_and_text() {
    let model = hs_model();
    let data =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");
    let args = [
        "--data",
        data,
        "--model",
        model.to_str().unwrap(),
        "--group",
        "school",
        "--json",
        "--score",
    ];
    let (ok1, a, e1) = run(&args);
    let (ok2, b, _) = run(&args);
    assert!(ok1 && ok2, "{e1}");
    assert_eq!(a, b, "JSON output must be deterministic");
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    let text = std::fs::read_to_string(fixture_path("extra/invariance.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    let r = &r["hs_school"];
    assert_eq!(v["group"], "school");
    assert_eq!(v["group_labels"], r["group_labels"]);
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps[0]["name"], "configural");
    assert_eq!(steps[1]["name"], "metric");
    let rel = |a: &serde_json::Value, b: &serde_json::Value| {
        (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() / b.as_f64().unwrap().abs().max(1.0)
    };
    for (i, s) in steps.iter().enumerate() {
        for k in ["chisq", "df", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper"] {
            assert!(rel(&s[k], &r["steps"][i][k]) < 1e-6, "{k}: {} vs {}", s[k], r["steps"][i][k]);
        }
    }
    assert!(steps[0]["comparison"].is_null());
    let c = &steps[1]["comparison"];
    assert_eq!(c["against"], "configural");
    assert!(rel(&c["chisq_diff"], &r["lrt"][0]["chisq_diff"]) < 1e-6);
    assert!(rel(&c["pvalue"], &r["lrt"][0]["pvalue"]) < 1e-6);
    assert!(rel(&c["cfi.delta"], &r["compare_fit_diff"][0]["cfi"]) < 1e-6);
    assert_eq!(c["lrt_rejected"], false);
    let sc = &v["score_tests"]["metric"];
    assert_eq!(sc["total_df"].as_f64().unwrap(), 6.0);
    assert!(rel(&sc["total_x2"], &r["score_metric"]["total"]["x2"]) < 1e-4);
    assert_eq!(sc["univariate"].as_array().unwrap().len(), 6);
    // the readable table
    let (ok, out, err) = run(&args[..6]);
    assert!(ok, "{err}");
    assert!(out.contains("Measurement invariance"), "{out}");
    assert!(out.contains("metric - configural"), "{out}");
    assert!(out.contains("Cheung-Rensvold"), "{out}");
}

#[test]
fn errors_name_the_problem() {
    let model = hs_model();
    let data =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");
    let m = model.to_str().unwrap();
    // unknown grouping column
    let (ok, out, err) = run(&["--data", data, "--model", m, "--group", "nosuch"]);
    assert!(!ok && out.is_empty());
    assert!(err.contains("nosuch"), "{err}");
    // a grouping column with one level: id 1..301 are distinct, so use a constant-like column
    // through a small file
    let dir = model.parent().unwrap();
    let one = dir.join("one_level.csv");
    let mut csv = String::from("g,x1,x2,x3,x4,x5,x6,x7,x8,x9\n");
    let d = surveystat::data::Dataset::from_csv_path(data).unwrap();
    for i in 0..60 {
        let row: Vec<String> =
            (1..=9).map(|k| d.column(&format!("x{k}")).unwrap()[i].to_string()).collect();
        csv.push_str(&format!("a,{}\n", row.join(",")));
    }
    std::fs::write(&one, csv).unwrap();
    let (ok, out, err) = run(&["--data", one.to_str().unwrap(), "--model", m, "--group", "g"]);
    assert!(!ok && out.is_empty());
    assert!(err.contains("one level") || err.contains("1 level"), "{err}");
}

#[test]
fn score_tests_of_mean_steps_and_partial_search() {
    let model = hs_model();
    let data =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");
    let m = model.to_str().unwrap();
    let args =
        ["--data", data, "--model", m, "--group", "school", "--score", "--partial", "--json"];
    let (ok, a, err) = run(&args);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    let text = std::fs::read_to_string(fixture_path("extra/invariance.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    let r = &r["hs_school"];
    let rel = |a: &serde_json::Value, b: &serde_json::Value| {
        (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() / b.as_f64().unwrap().abs().max(1.0)
    };
    // score tests of the steps with equal intercepts (lavTestScore)
    for step in ["scalar", "strict"] {
        let sc = &v["score_tests"][step];
        let rs = &r[format!("score_{step}")]["total"];
        assert_eq!(sc["total_df"].as_f64(), rs["df"].as_f64());
        assert!(
            rel(&sc["total_x2"], &rs["x2"]) < 1e-4,
            "{step}: {} vs {}",
            sc["total_x2"],
            rs["x2"]
        );
    }
    assert!(v["score_tests_unavailable"].as_object().unwrap().is_empty());
    // the partial search: x3 ~ 1, then x7 ~ 1, as lavaan
    let seq = v["partial_search"].as_array().unwrap();
    let rs = r["partial_scalar"].as_array().unwrap();
    assert_eq!(seq.len(), rs.len());
    for (ours, theirs) in seq.iter().zip(rs) {
        assert_eq!(ours["freed_lhs"], theirs["freed_lhs"]);
        assert!(rel(&ours["chisq"], &theirs["chisq"]) < 1e-6);
        assert!(rel(&ours["pvalue"], &theirs["pvalue"]) < 1e-6);
    }
    assert_eq!(v["partial_search_result"]["accepted"], true);
    assert_eq!(v["partial_search_result"]["rule"], "lrt");
    assert_eq!(v["latent_means"]["step"], "scalar (partial: x3 ~ 1, x7 ~ 1)");
    // the readable form
    let (ok, out, err) = run(&args[..8]);
    assert!(ok, "{err}");
    assert!(out.contains("Partial invariance: step scalar against metric"), "{out}");
    assert!(out.contains("x7 ~ 1"), "{out}");
    assert!(out.contains("step strict (lavTestScore)"), "{out}");
    // an unknown rule
    let (ok, _, err) = run(&[&args[..8], &["--partial-rule", "nosuch"]].concat());
    assert!(!ok && err.contains("nosuch"), "{err}");
}
