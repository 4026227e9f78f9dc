//! `surveystat sem --meanstructure` against lavaan 0.6.14 `sem(..., meanstructure = TRUE)` on a
//! MIMIC model of HolzingerSwineford1939 (fixed.x covariates): the intercept rows and the fit
//! measures of tests/fixtures/extra/meanstructure_fixedx.json (case `mimic_means`, made by
//! tests/fixtures/extra/meanstructure_fixedx.R).

use crate::common::*;

#[test]
fn meanstructure_flag_matches_lavaan() {
    let model = crate::util::temp_file(
        "means",
        "mimic.lav",
        "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual + textual ~ sex + ageyr\n",
    );
    let data = fixture_path("data/HolzingerSwineford1939.csv");
    let (data, model) = (data.to_str().unwrap(), model.to_str().unwrap());
    let run = |extra: &[&str]| {
        let mut args = vec!["sem", "--json", "--data", data, "--model", model];
        args.extend_from_slice(extra);
        let (ok, out, err) = crate::util::outcome(&args);
        assert!(ok, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).unwrap()
    };
    let v = run(&["--meanstructure"]);
    let text = std::fs::read_to_string(fixture_path("extra/meanstructure_fixedx.json")).unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    let r = &r["mimic_means"];
    let params = v["parameters"].as_array().unwrap();
    let mut intercepts = 0;
    for row in r["parameter_estimates"].as_array().unwrap() {
        if row["op"] != "~1" {
            continue;
        }
        let ours = params
            .iter()
            .find(|p| p["lhs"] == row["lhs"] && p["op"] == "~1")
            .unwrap_or_else(|| panic!("no intercept of {}", row["lhs"]));
        assert_close(
            &format!("{} ~1 est", row["lhs"]),
            f(&ours["est"]),
            f(&row["est"]),
            TOL_SEM_EST,
        );
        assert_close(&format!("{} ~1 se", row["lhs"]), f(&ours["se"]), f(&row["se"]), TOL_SEM_EST);
        intercepts += 1;
    }
    assert!(intercepts >= 6, "{intercepts} intercepts compared");
    for k in ["npar", "chisq", "df", "cfi", "rmsea", "logl", "aic", "bic", "srmr"] {
        assert_rel(k, f(&v["fit"][k]), f(&r["fit_measures"][k]), 1e-6);
    }
    // without the flag: no intercept rows, the same χ²
    let plain = run(&[]);
    assert!(plain["parameters"].as_array().unwrap().iter().all(|p| p["op"] != "~1"));
    assert_rel("chisq", f(&plain["fit"]["chisq"]), f(&r["fit_measures"]["chisq"]), 1e-6);
}
