//! Intraclass correlations against R psych 2.2.9 `ICC(x, lmer = FALSE)` (closed forms:
//! relative error ≤ TOL_CLOSED_FORM; fixture tests/fixtures/extra/icc.R → icc.json).

use crate::common::{TOL_CLOSED_FORM, assert_rel, f, fixture_path, load_data};
use ndarray::Array2;
use serde_json::Value;
use surveystat::reliability::{Icc, IccFit};

fn load() -> Value {
    let p = fixture_path("extra/icc.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("icc.json")).expect("json")
}

fn check(name: &str, fit: &IccFit, c: &Value) {
    assert_rel(&format!("{name} MSB"), fit.ms_subjects(), f(&c["MS_subjects"]), TOL_CLOSED_FORM);
    assert_rel(&format!("{name} MSJ"), fit.ms_judges(), f(&c["MS_judges"]), TOL_CLOSED_FORM);
    assert_rel(&format!("{name} MSE"), fit.ms_error(), f(&c["MS_residual"]), TOL_CLOSED_FORM);
    assert_rel(&format!("{name} F judges"), fit.judges_f(), f(&c["F_judges"]), TOL_CLOSED_FORM);
    assert_rel(
        &format!("{name} p judges"),
        fit.judges_p_value(),
        f(&c["p_judges"]),
        TOL_CLOSED_FORM,
    );
    let rows = c["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    for (ours, r) in fit.rows().iter().zip(rows) {
        let t = r["type"].as_str().unwrap();
        assert_eq!(ours.kind.psych_name(), t);
        for (what, got, key) in [
            ("ICC", ours.icc, "ICC"),
            ("F", ours.f, "F"),
            ("df1", ours.df1, "df1"),
            ("df2", ours.df2, "df2"),
            ("p", ours.p_value, "p"),
            ("lower", ours.lower, "lower"),
            ("upper", ours.upper, "upper"),
        ] {
            assert_rel(&format!("{name} {t} {what}"), got, f(&r[key]), TOL_CLOSED_FORM);
        }
    }
}

#[test]
fn icc_against_psych() {
    let all = load();
    let sf = &all["shrout_fleiss"];
    let data: Vec<Vec<f64>> = sf["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_array().unwrap().iter().map(f).collect())
        .collect();
    let x = Array2::from_shape_fn((6, 4), |(i, j)| data[i][j]);
    check("shrout_fleiss", &Icc::new().fit(&x).unwrap(), sf);
    check(
        "shrout_fleiss_90",
        &Icc::new().ci_level(0.90).fit(&x).unwrap(),
        &all["shrout_fleiss_90"],
    );
    let hs = load_data("HolzingerSwineford1939.csv").select(&["x4", "x5", "x6"]).unwrap();
    check("hs_x4_x6", &Icc::new().fit(&hs).unwrap(), &all["hs_x4_x6"]);
}
