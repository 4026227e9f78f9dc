//! `surveystat sem`: `--missing fiml` (JSON with intercept rows, FIML fit measures, deterministic)
//! and `--group` / `--group-equal` (multi-group models).

fn run(args: &[&str]) -> (bool, String, String) {
    crate::util::subcommand("sem", args)
}

#[test]
fn fiml_json_has_intercepts_and_lavaan_numbers() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_semfiml_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("hs.lav");
    std::fs::write(
        &model,
        "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n",
    )
    .unwrap();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HS_missing10.csv");
    let args = ["--data", data, "--model", model.to_str().unwrap(), "--missing", "fiml", "--json"];
    let (ok1, a, e1) = run(&args);
    let (ok2, b, _) = run(&args);
    assert!(ok1 && ok2, "{e1}");
    assert_eq!(a, b, "JSON output must be deterministic");
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(v["n_obs"], 301);
    assert_eq!(v["converged"], true);
    let params = v["parameters"].as_array().unwrap();
    // 24 rows of the covariance structure + 9 intercepts + 3 latent means
    assert_eq!(params.len(), 36);
    let x1 = params.iter().find(|r| r["lhs"] == "x1" && r["op"] == "~1").unwrap();
    assert_eq!(x1["rhs"], "");
    // lavaan 0.6.14 (tests/fixtures/expected/sem_hs_cfa_fiml.json)
    assert!((x1["est"].as_f64().unwrap() - 4.945332128924237).abs() < 1e-5);
    assert!((x1["se"].as_f64().unwrap() - 0.06787218562159614).abs() < 1e-5);
    let speed = params.iter().find(|r| r["lhs"] == "speed" && r["op"] == "~1").unwrap();
    assert_eq!(speed["est"].as_f64().unwrap(), 0.0);
    let fit = &v["fit"];
    assert!((fit["chisq"].as_f64().unwrap() - 69.32707750101602).abs() < 1e-4);
    assert_eq!(fit["df"].as_f64().unwrap(), 24.0);
    assert!((fit["unrestricted.logl"].as_f64().unwrap() + 3349.43788022662).abs() < 1e-3);
    assert!((fit["srmr"].as_f64().unwrap() - 0.0591250935507535).abs() < 1e-5);
    // readable summary lists the intercepts
    let (ok, text, _) = run(&args[..6]);
    assert!(ok);
    assert!(text.contains("Intercepts:"), "{text}");
    assert!(text.contains("full-information ML"), "{text}");
    // the Bollen–Stine bootstrap with FIML is refused with a clear message, nothing on stdout
    // (the ordinary bootstrap refits every resample: tests/cli/sem_bootstrap.rs)
    let mut bargs = args.to_vec();
    bargs.extend(["--bootstrap", "10", "--bootstrap-kind", "bollen-stine"]);
    let (ok, out, err) = run(&bargs);
    assert!(!ok && out.is_empty());
    assert!(err.contains("complete data"), "{err}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn multigroup_json_matches_lavaan_and_summary_prints_groups() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_semmg_{}", std::process::id()));
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
    let (ok, out, err) = run(&[
        "--data",
        data,
        "--model",
        m,
        "--group",
        "school",
        "--group-equal",
        "loadings",
        "--json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // lavaan 0.6.14: cfa(model, data = hs, group = "school", group.equal = "loadings")
    let chisq = v["fit"]["chisq"].as_f64().unwrap();
    assert!((chisq - 124.043544179993).abs() < 1e-4, "{chisq}");
    assert_eq!(v["fit"]["df"].as_f64().unwrap(), 54.0);
    assert_eq!(v["constraints"][0], "loadings");
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["group"], "Pasteur");
    assert!(groups[0]["parameters"].as_array().unwrap().iter().any(|r| r["op"] == "~1"));
    let (ok, text, _) = run(&["--data", data, "--model", m, "--group", "school"]);
    assert!(ok);
    assert!(text.contains("Group 1 [Pasteur]") && text.contains("Group 2 [Grant-White]"));
    let (ok, _, err) = run(&["--data", data, "--model", m, "--group", "nope"]);
    assert!(!ok && err.contains("nope"), "{err}");
    let (ok, _, err) = run(&["--data", data, "--model", m, "--group-equal", "loadings"]);
    assert!(!ok && err.contains("--group"), "{err}");
}
