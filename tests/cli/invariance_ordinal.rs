//! `surveystat invariance --ordered-all`: the ordinal ladder (also with the theta
//! parameterization), its score tests and latent means in JSON (lavaan 0.6.14 numbers from
//! tests/fixtures/extra/sem_ordinal_groups.json).

use crate::common::fixture_path;

#[test]
fn ordinal_ladder_theta_scores_and_means() {
    let model = crate::util::temp_file(
        "invord",
        "hs.lav",
        "vis =~ o1 + o2 + o3\ntex =~ o4 + o5 + o6\nspd =~ o7 + o8 + o9\n",
    );
    let data = fixture_path("data/HS_ordinal_school.csv");
    let (data, model) = (data.to_str().unwrap(), model.to_str().unwrap());
    let run = |extra: &[&str]| {
        let mut args = vec!["invariance", "--data", data, "--model", model];
        args.extend_from_slice(&["--group", "school", "--ordered-all", "--json"]);
        args.extend_from_slice(extra);
        let (ok, out, err) = crate::util::outcome(&args);
        assert!(ok, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let text = std::fs::read_to_string(fixture_path("extra/sem_ordinal_groups.json")).unwrap();
    let fx: serde_json::Value = serde_json::from_str(&text).unwrap();
    let theta = run(&["--parameterization", "theta"]);
    let steps = theta["steps"].as_array().unwrap();
    for (st, case) in steps.iter().zip(["configural_theta", "thresholds_theta", "loadings_theta"]) {
        let got = st["chisq"].as_f64().unwrap();
        let want = fx[case]["fit_measures"]["chisq"].as_f64().unwrap();
        assert!((got - want).abs() / want < 1e-6, "{case}: {got} vs {want}");
    }
    let v = run(&["--score"]);
    let steps = v["steps"].as_array().unwrap();
    // the configural step has lavaan's categorical-ML robust CFI
    let cfi = steps[0]["cfi.robust"].as_f64().unwrap();
    let want = fx["configural"]["fit_measures"]["cfi.robust"].as_f64().unwrap();
    assert!((cfi - want).abs() < 1e-6, "{cfi} vs {want}");
    // score tests of the loadings step: lavTestScore's total
    let total = v["score_tests"]["loadings"]["total_x2"].as_f64().unwrap();
    let want = fx["score_loadings"]["total_x2"].as_f64().unwrap();
    assert!((total - want).abs() / want < 1e-3, "{total} vs {want}");
    // latent means from the loadings step
    let lm = &v["latent_means"];
    assert_eq!(lm["step"], "loadings");
    let d = lm["differences"].as_array().unwrap();
    assert_eq!(d.len(), 3);
    let vis = d.iter().find(|r| r["lv"] == "vis").unwrap();
    let row = fx["loadings"]["parameter_estimates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["lhs"] == "vis" && r["op"] == "~1" && r["group"] == 2)
        .unwrap()
        .clone();
    let (got, want) = (vis["est"].as_f64().unwrap(), row["newton"].as_f64().unwrap());
    assert!((got - want).abs() < 1e-4, "{got} vs {want}");
}
