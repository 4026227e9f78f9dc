//! An ordinal MIMIC model (ordered indicators, exogenous covariates) fitted conditionally on
//! the covariates, against R lavaan 0.6.14 `sem(mimic_o, data = hsom, ordered = ord,
//! estimator = "WLSMV")` (conditional.x = TRUE) on HolzingerSwineford1939 items cut into 3–5
//! categories with sex and age (tests/fixtures/extra/ordinal_gaps.R → ordinal_gaps.json,
//! key `mimic_wlsmv`; data/HS_ordinal_mimic.csv).

use serde_json::Value;

use crate::common::*;
use surveystat::sem::{Estimator, Sem, SemFit};

const MIMIC: &str =
    "vis =~ o1 + o2 + o3\ntex =~ o4 + o5 + o6\nspd =~ o7 + o8 + o9\nvis + tex + spd ~ sex + ageyr";
const ORD: [&str; 9] = ["o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9"];

fn case() -> Value {
    let p = fixture_path("extra/ordinal_gaps.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(p).expect("ordinal_gaps.json"))
        .expect("json");
    v["mimic_wlsmv"].clone()
}

fn mimic(est: Estimator) -> SemFit {
    let data = load_data("HS_ordinal_mimic.csv");
    Sem::from_syntax(MIMIC).unwrap().ordered(&ORD).estimator(est).fit(&data).unwrap()
}

#[test]
fn ordinal_mimic_matches_lavaan_conditional_x() {
    let fx = case();
    let fit = mimic(Estimator::Wlsmv);
    assert!(fit.conditional_x());
    let mut n = 0;
    for r in fx["parameter_estimates"].as_array().unwrap() {
        let (lhs, op, rhs) =
            (r["lhs"].as_str().unwrap(), r["op"].as_str().unwrap(), r["rhs"].as_str().unwrap());
        if op == "~1" || op == "~*~" {
            continue; // lavaan's zero intercepts and unit scales of the delta parameterization
        }
        let row = fit
            .parameters()
            .iter()
            .find(|p| p.lhs == lhs && p.op == op && p.rhs == rhs)
            .unwrap_or_else(|| panic!("no row {lhs} {op} {rhs}"))
            .clone();
        let what = format!("{lhs} {op} {rhs}");
        assert_close(&format!("{what} est"), row.est, f(&r["est"]), TOL_SEM_EST);
        assert_close(&format!("{what} se"), row.se.unwrap(), f(&r["se"]), TOL_SEM_EST);
        assert_close(
            &format!("{what} std.all"),
            row.std_all.unwrap(),
            f(&r["std_all"]),
            TOL_SEM_EST,
        );
        n += 1;
    }
    assert_eq!(n, 60);
    let mut m = 0;
    let mut bad = Vec::new();
    for (name, v) in named(&fx["fit_measures"]) {
        let Some(ours) = fit.fit_measure(&name) else { continue };
        if name == "srmr" {
            // ours is over the residual correlations only; lavaan's conditional.x SRMR differs
            // (docs/methods/ordinal.md)
            continue;
        }
        let ok = if v.is_nan() {
            ours.is_nan()
        } else if name.contains("pvalue") {
            (ours - v).abs() <= TOL_SEM_CHISQ * v.abs().max(1.0)
        } else {
            rel_err(ours, v) <= TOL_SEM_CHISQ
        };
        if !ok {
            bad.push(format!("{name}: {ours:.12e} vs lavaan {v:.12e}"));
        }
        m += 1;
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(m >= 30, "{m} fit measures compared");
}
