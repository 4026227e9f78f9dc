//! `surveystat sem --estimator mlr|mlm|mlmv`: robust SEs and the scaled test in text and JSON,
//! numbers from lavaan 0.6.14 (tests/fixtures/extra/sem_robust.json).

fn run(args: &[&str]) -> (bool, String, String) {
    crate::util::subcommand("sem", args)
}

#[test]
fn mlr_json_has_scaled_measures_under_lavaan_names() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_semrobust_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("hs.lav");
    std::fs::write(
        &model,
        "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n",
    )
    .unwrap();
    let data =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");
    let args = ["--data", data, "--model", model.to_str().unwrap(), "--estimator", "mlr", "--json"];
    let (ok, out, err) = run(&args);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let fit = &v["fit"];
    let get = |k: &str| fit[k].as_f64().unwrap_or_else(|| panic!("{k} missing"));
    assert!((get("chisq") - 85.3055217697936).abs() < 1e-4);
    assert!((get("chisq.scaled") - 87.1315938735432).abs() < 1e-4);
    assert!((get("chisq.scaling.factor") - 0.979042365431765).abs() < 1e-6);
    assert!((get("cfi.robust") - 0.929863938601257).abs() < 1e-6);
    assert!((get("rmsea.robust") - 0.092498619455915).abs() < 1e-6);
    let params = v["parameters"].as_array().unwrap();
    let x2 = params.iter().find(|r| r["lhs"] == "visual" && r["rhs"] == "x2").unwrap();
    assert!((x2["se"].as_f64().unwrap() - 0.132077720502721).abs() < 1e-5);
    // the readable summary names the estimator and the scaled test
    let (ok, text, _) = run(&args[..6]);
    assert!(ok);
    assert!(text.contains("MLR") && text.contains("Scaling correction factor"), "{text}");
    // the other two robust estimators run from the same input
    for e in ["mlm", "mlmv"] {
        let (ok, _, _) =
            run(&["--data", data, "--model", model.to_str().unwrap(), "--estimator", e]);
        assert!(ok, "{e}");
    }
}

/// `--group` with a robust estimator: the scaled test under lavaan's names
/// (tests/fixtures/extra/robust_multigroup.json, metric_mlr).
#[test]
fn multigroup_mlr_json_has_scaled_measures() {
    let dir =
        std::env::temp_dir().join(format!("surveystat_cli_semrobust_mg_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("hs.lav");
    std::fs::write(
        &model,
        "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n",
    )
    .unwrap();
    let data =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");
    let m = model.to_str().unwrap();
    let args = [
        "--data",
        data,
        "--model",
        m,
        "--group",
        "school",
        "--group-equal",
        "loadings",
        "--estimator",
        "mlr",
        "--json",
    ];
    let (ok, out, err) = run(&args);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let get = |k: &str| v["fit"][k].as_f64().unwrap_or_else(|| panic!("{k} missing"));
    assert!((get("chisq.scaled") - 125.997485863378).abs() < 1e-4);
    assert!((get("chisq.scaling.factor") - 0.984492216847816).abs() < 1e-6);
    assert!((get("rmsea.robust") - 0.0933898503046079).abs() < 1e-6);
    std::fs::remove_dir_all(&dir).ok();
}
