//! `surveystat sem --ordered` / `--ordered-all` / `--estimator`: WLSMV by default, lavaan's
//! numbers (tests/fixtures/extra/sem_ordinal.json), and the refusal of unsupported combinations.

fn run(args: &[&str]) -> (bool, String, String) {
    crate::util::subcommand("sem", args)
}

#[test]
fn ordered_items_are_fitted_by_wlsmv_as_lavaan() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_semord_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("hs.lav");
    std::fs::write(&model, "vis =~ o1 + o2 + o3\ntex =~ o4 + o5 + o6\nspd =~ o7 + o8 + o9\n")
        .unwrap();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HS_ordinal.csv");
    let m = model.to_str().unwrap();
    let (ok, a, e) = run(&["--data", data, "--model", m, "--ordered-all", "--json"]);
    assert!(ok, "{e}");
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    let fit = &v["fit"];
    // lavaan 0.6.14, cfa(..., ordered = o1..o9, estimator = "WLSMV")
    assert!((fit["chisq"].as_f64().unwrap() - 53.60844202753495).abs() < 1e-5);
    assert!((fit["chisq.scaled"].as_f64().unwrap() - 78.04223436909803).abs() < 1e-4);
    assert!((fit["cfi.scaled"].as_f64().unwrap() - 0.9594007988416099).abs() < 1e-6);
    let params = v["parameters"].as_array().unwrap();
    let t = params.iter().find(|r| r["lhs"] == "o4" && r["op"] == "|" && r["rhs"] == "t2").unwrap();
    assert!((t["est"].as_f64().unwrap() - 0.18001236979270493).abs() < 1e-6);
    // the same with the columns named and the estimator explicit
    let (ok2, b, _) = run(&[
        "--data",
        data,
        "--model",
        m,
        "--ordered",
        "o1,o2,o3,o4,o5,o6,o7,o8,o9",
        "--estimator",
        "wlsmv",
        "--json",
    ]);
    assert!(ok2);
    assert_eq!(a, b);
    // ML with ordered indicators, and a least-squares estimator for ordered data without
    // ordered columns, are refused with a message
    let (ok, out, err) = run(&["--data", data, "--model", m, "--ordered-all", "--estimator", "ml"]);
    assert!(!ok && out.is_empty() && err.contains("ordered"), "{err}");
    let (ok, out, err) = run(&["--data", data, "--model", m, "--estimator", "dwls"]);
    assert!(!ok && out.is_empty() && err.contains("ordered"), "{err}");
    let (ok, _, err) = run(&["--data", data, "--model", m, "--ordered-all", "--missing", "fiml"]);
    assert!(!ok && err.contains("full-information"), "{err}");
    // the readable summary prints
    let (ok, text, _) = run(&["--data", data, "--model", m, "--ordered-all"]);
    assert!(ok && text.contains("WLSMV"), "{text}");
    std::fs::remove_dir_all(&dir).ok();
}

/// `--parameterization theta`: lavaan 0.6.14's theta estimates (ordinal_gaps.json,
/// `cfa_wlsmv_theta`), the same χ² as the delta fit.
#[test]
fn theta_parameterization_on_the_command_line() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_theta_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("hs.lav");
    std::fs::write(&model, "vis =~ o1 + o2 + o3\ntex =~ o4 + o5 + o6\nspd =~ o7 + o8 + o9\n")
        .unwrap();
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HS_ordinal.csv");
    let m = model.to_str().unwrap();
    let args = ["--data", data, "--model", m, "--ordered-all", "--json"];
    let (ok, a, e) = run(&[&args[..], &["--parameterization", "theta"]].concat());
    assert!(ok, "{e}");
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert!((v["fit"]["chisq"].as_f64().unwrap() - 53.60844202753495).abs() < 1e-5);
    let params = v["parameters"].as_array().unwrap();
    let row = |lhs: &str, op: &str, rhs: &str| {
        params.iter().find(|r| r["lhs"] == lhs && r["op"] == op && r["rhs"] == rhs).unwrap()
    };
    assert!((row("vis", "=~", "o2")["est"].as_f64().unwrap() - 0.3813335940873637).abs() < 1e-5);
    assert!((row("o1", "~*~", "o1")["est"].as_f64().unwrap() - 0.6035370598396484).abs() < 1e-5);
    assert!((row("o1", "~~", "o1")["est"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    let (ok, _, err) = run(&[&args[..], &["--parameterization", "gamma"]].concat());
    assert!(!ok && err.contains("parameterization"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
