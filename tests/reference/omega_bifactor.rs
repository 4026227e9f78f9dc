//! ω from a bifactor CFA against lavaan 0.6-14 + semTools 0.5-6 `compRelSEM(return.total = TRUE)`
//! (obs.var TRUE and FALSE) and the standardized indices of Rodriguez, Reise & Haviland (2016)
//! computed in R from `standardizedSolution` (tests/fixtures/extra/omega_bifactor.R →
//! omega_bifactor.json). The ω values rest on the iterative ML fit: tolerance TOL_SEM_EST.

use crate::common::{TOL_SEM_CHISQ, TOL_SEM_EST, assert_rel, f, fixture_path, load_data};
use serde_json::Value;
use surveystat::sem::{BifactorOmega, Sem, bifactor_syntax};

fn load() -> Value {
    let p = fixture_path("extra/omega_bifactor.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("omega_bifactor.json")).expect("json")
}

fn run(case: &Value) -> BifactorOmega {
    let mut ds = load_data(case["data"].as_str().unwrap());
    for v in case["reversed"].as_array().unwrap() {
        ds.reverse_key(v.as_str().unwrap(), 1.0, 6.0).unwrap();
    }
    let groups: Vec<(String, Vec<String>)> = case["groups"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            (k.clone(), v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().into()).collect())
        })
        .collect();
    let g: Vec<(&str, Vec<&str>)> =
        groups.iter().map(|(k, v)| (k.as_str(), v.iter().map(|s| s.as_str()).collect())).collect();
    let g2: Vec<(&str, &[&str])> = g.iter().map(|(k, v)| (*k, v.as_slice())).collect();
    let fit = Sem::from_syntax(&bifactor_syntax("G", &g2)).unwrap().std_lv(true).fit(&ds).unwrap();
    assert_rel("chisq", fit.fit_measure("chisq").unwrap(), f(&case["chisq"]), TOL_SEM_CHISQ);
    fit.omega_bifactor("G").unwrap()
}

/// The HS bifactor solution is a Heywood case (negative residual variance of x3) with a flat
/// optimum: lavaan's default stop and its BFGS-polished optimum (max |gradient| 2e-8) differ by
/// 8e-7 in F1's ω_hs (0.096); our ML fit stops within 1.4e-5 of both. The group-factor ω of this
/// case are compared at this tolerance, everything else at TOL_SEM_EST.
const TOL_HS_GROUP: f64 = 5e-5;

fn check(name: &str) {
    let all = load();
    let case = &all[name];
    let om = run(case);
    let obs = &case["comprel_obs"];
    let imp = &case["comprel_implied"];
    let rod = &case["rodriguez"];
    let t = TOL_SEM_EST;
    assert_rel("omega_h observed", om.omega_h_observed, f(&obs["G"]), t);
    assert_rel("omega_total observed", om.omega_total_observed, f(&obs["total"]), t);
    assert_rel("omega_h implied", om.omega_h, f(&imp["G"]), t);
    assert_rel("omega_total implied", om.omega_total, f(&imp["total"]), t);
    assert_rel("omega_h std", om.omega_h_std, f(&rod["omega_h"]), t);
    assert_rel("omega_total std", om.omega_total_std, f(&rod["omega_total"]), t);
    assert_rel("ecv", om.ecv, f(&rod["ecv"]), t);
    let groups = case["groups"].as_object().unwrap();
    assert_eq!(om.groups.len(), groups.len());
    let t = if name == "hs" { TOL_HS_GROUP } else { t };
    for g in &om.groups {
        let n = g.name.as_str();
        assert_rel(&format!("{n} omega_hs observed"), g.omega_hs_observed, f(&obs[n]), t);
        assert_rel(&format!("{n} omega_hs implied"), g.omega_hs, f(&imp[n]), t);
        let r = &rod["groups"][n];
        assert_rel(&format!("{n} omega_hs std"), g.omega_hs_std, f(&r["omega_hs"]), t);
        assert_rel(&format!("{n} omega_s std"), g.omega_s_std, f(&r["omega_s"]), t);
        assert_rel(&format!("{n} ecv_s"), g.ecv_s, f(&r["ecv_s"]), t);
    }
}

#[test]
fn bifactor_omega_holzinger_swineford() {
    check("hs");
}

#[test]
fn bifactor_omega_bfi25() {
    check("bfi25");
}

#[test]
fn bifactor_omega_refuses_correlated_factors() {
    let ds = load_data("HolzingerSwineford1939.csv");
    let m = "G =~ x1 + x2 + x3 + x4 + x5 + x6\nF1 =~ x1 + x2 + x3\nF2 =~ x4 + x5 + x6";
    let fit = Sem::from_syntax(m).unwrap().std_lv(true).fit(&ds);
    if let Ok(fit) = fit {
        assert!(fit.omega_bifactor("G").is_err());
        assert!(fit.omega_bifactor("nope").is_err());
    }
}
