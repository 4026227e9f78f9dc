//! Johnson–Neyman analyses of PROCESS models 1, 7, 8, 14, 58 and 59 against R 4.2.2 `lm`
//! with the roots from the quadratic formula (tests/fixtures/extra/regression_process.R).

use crate::common::*;
use crate::regression_factors::{check_vec, nums};
use serde_json::Value;
use surveystat::regression::{JohnsonNeyman, ModeratedMediation, Moderation};

fn fixture() -> Value {
    let p = fixture_path("extra/regression_process.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn check_jn(label: &str, jn: &JohnsonNeyman, c: &Value) {
    let tol = TOL_CLOSED_FORM;
    check_vec(&format!("{label} roots"), &jn.roots, &nums(&c["roots"]), 1e-9);
    let pts: Vec<f64> = jn.points.iter().map(|p| p.w).collect();
    check_vec(&format!("{label} points"), &pts, &nums(&c["points"]), 1e-9);
    let below: Vec<f64> = jn.points.iter().map(|p| p.pct_below).collect();
    let above: Vec<f64> = jn.points.iter().map(|p| p.pct_above).collect();
    check_vec(&format!("{label} % below"), &below, &nums(&c["pct_below"]), tol);
    check_vec(&format!("{label} % above"), &above, &nums(&c["pct_above"]), tol);
    let col = |f: fn(&surveystat::regression::ConditionalEffect) -> f64| -> Vec<f64> {
        jn.table.iter().map(f).collect()
    };
    check_vec(&format!("{label} grid"), &col(|e| e.w), &nums(&c["grid"]), 1e-9);
    check_vec(&format!("{label} effect"), &col(|e| e.effect), &nums(&c["effect"]), 1e-9);
    check_vec(&format!("{label} se"), &col(|e| e.se), &nums(&c["se"]), 1e-9);
    check_vec(&format!("{label} p"), &col(|e| e.p_value), &nums(&c["p"]), 1e-8);
    // At a root the effect is just significant: |t| equals the critical t.
    for p in &jn.points {
        let at = jn.table.iter().find(|e| e.w == p.w).unwrap();
        assert_rel(&format!("{label} p at root"), at.p_value, 1.0 - jn.level, 1e-8);
    }
}

#[test]
fn model1_johnson_neyman_table() {
    let fx = fixture();
    let ds = load_data("swiss.csv");
    let m = Moderation::fit(&ds, "Education", "Catholic", "Fertility", false, 0.95).unwrap();
    check_jn("model 1", m.johnson_neyman_table(), &fx["model1"]["jn_table"]);
}

#[test]
fn moderated_mediation_johnson_neyman() {
    let fx = fixture();
    let ds = load_data("swiss.csv");
    for model in [7u32, 8, 14, 58, 59] {
        let c = &fx["jn_models"][format!("model{model}")];
        let m = ModeratedMediation::fit(
            &ds,
            model,
            "Education",
            "Agriculture",
            "Catholic",
            "Fertility",
            false,
            50,
            1,
            0.95,
        )
        .unwrap();
        for (key, jn) in [
            ("jn_a", m.johnson_neyman_a()),
            ("jn_b", m.johnson_neyman_b()),
            ("jn_direct", m.johnson_neyman_direct()),
        ] {
            match (jn, c.get(key)) {
                (Some(j), Some(v)) => check_jn(&format!("model {model} {key}"), j, v),
                (None, None) => {}
                _ => panic!("model {model}: {key} presence differs from R"),
            }
        }
    }
}
