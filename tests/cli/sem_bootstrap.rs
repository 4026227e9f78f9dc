//! `surveystat sem --bootstrap N --seed S [--ci perc|bca]`: deterministic JSON with bootstrap
//! SEs, intervals and failure counts.

fn run(args: &[&str]) -> (bool, String) {
    let (ok, out, _) = crate::util::subcommand("sem", args);
    (ok, out)
}

#[test]
fn bootstrap_json_is_deterministic_and_complete() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_semboot_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("med.lav");
    std::fs::write(&model, "x9 ~ c*x1 + b*x5\nx5 ~ a*x1\nind := a*b\n").unwrap();
    let data =
        concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");
    let args = [
        "--data",
        data,
        "--model",
        model.to_str().unwrap(),
        "--bootstrap",
        "200",
        "--seed",
        "9",
        "--ci",
        "bca",
        "--json",
    ];
    let (ok1, a) = run(&args);
    let (ok2, b) = run(&args);
    assert!(ok1 && ok2);
    assert_eq!(a, b);
    let v: serde_json::Value = serde_json::from_str(&a).unwrap();
    let boot = &v["bootstrap"];
    assert_eq!(boot["replications"], 200);
    assert_eq!(
        boot["used"].as_u64().unwrap()
            + boot["nonconverged"].as_u64().unwrap()
            + boot["failed_other"].as_u64().unwrap(),
        200
    );
    let params = boot["parameters"].as_array().unwrap();
    let ind = params.iter().find(|p| p["name"] == "ind").unwrap();
    assert!(ind["bca_lower"].as_f64().unwrap() < ind["est"].as_f64().unwrap());
    // the parameter table uses the bootstrap SE
    let row = v["parameters"].as_array().unwrap().iter().find(|r| r["op"] == ":=").unwrap();
    assert_eq!(row["se"], ind["se"]);
    assert_eq!(row["ci_lower"], ind["bca_lower"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bootstrap_of_groups_and_fiml_fills_the_tables() {
    let dir = std::env::temp_dir().join(format!("surveystat_cli_semboot_g_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("hs.lav");
    std::fs::write(
        &model,
        "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\n",
    )
    .unwrap();
    let m = model.to_str().unwrap();
    let hs = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HolzingerSwineford1939.csv");
    let args = [
        "--data",
        hs,
        "--model",
        m,
        "--group",
        "school",
        "--group-equal",
        "loadings",
        "--bootstrap",
        "50",
        "--seed",
        "4",
        "--json",
    ];
    let (ok, out) = run(&args);
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["bootstrap"]["replications"], 50);
    let boot = v["bootstrap"]["parameters"].as_array().unwrap();
    let g2 = &v["groups"][1]["parameters"];
    let row = g2.as_array().unwrap().iter().find(|r| r["lhs"] == "x1" && r["op"] == "~~").unwrap();
    let b = boot.iter().find(|p| p["name"] == "x1~~x1.g2").unwrap();
    assert_eq!(row["se"], b["se"]);
    // FIML: the ordinary bootstrap refits every resample
    let miss = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/HS_missing10.csv");
    let (ok, out) =
        run(&["--data", miss, "--model", m, "--missing", "fiml", "--bootstrap", "20", "--json"]);
    assert!(ok, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = v["parameters"].as_array().unwrap().iter().find(|r| r["op"] == "~1").unwrap();
    assert!(row["se"].as_f64().unwrap() > 0.0);
    std::fs::remove_dir_all(&dir).ok();
}
