//! Multi-group SEM against lavaan 0.6.14: Wishart likelihood, GLS and ULS, defined parameters
//! and a residual covariance, HS by grade (tests/fixtures/extra/sem_multigroup_more.json, made by
//! tests/fixtures/extra/sem_multigroup_more.R).

use crate::common::*;
use serde_json::Value;
use surveystat::sem::{Estimator, GroupEqual, Likelihood, MultiGroupFit, MultiGroupSem, Sem};

const HS_MODEL: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";
const DEF_MODEL: &str = "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + x6\n\
speed =~ x7 + x8 + x9\nab := a*b\nr := a/b";

fn reference() -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/sem_multigroup_more.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn fit(sem: Sem, group: &str, equal: &[GroupEqual]) -> MultiGroupFit {
    let data = load_data("HolzingerSwineford1939.csv");
    MultiGroupSem::new(sem, group).equal(equal.iter().copied()).fit(&data).unwrap()
}

/// Every row of lavaan's `parameterEstimates(standardized = TRUE)` (defined parameters
/// included) and the fit measures. Estimates and standardized values within max(1e-5, 10 ×
/// lavaan's distance from the optimum) relative to max(1, |x|); SEs within max(1e-4, the same)
/// relative; χ²-based fit measures (second order in the distance) within 1e-6 relative.
fn check(name: &str, fit: &MultiGroupFit) {
    let r = &reference()[name];
    assert_eq!(r["converged"], Value::Bool(true));
    assert!(fit.convergence().converged, "{name}: {:?}", fit.convergence());
    let tol = (10.0 * f(&r["max_abs_newton_step"])).max(1e-5);
    let tol_se = tol.max(1e-4);
    let labels: Vec<&str> =
        r["group_labels"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let got: Vec<&str> = fit.groups().iter().map(|g| g.name()).collect();
    assert_eq!(got, labels, "{name}: group order");
    let mut worst = [0.0f64; 3];
    let mut compared = 0;
    for row in r["parameters"].as_array().unwrap() {
        let op = row["op"].as_str().unwrap();
        if op == "==" {
            continue;
        }
        let (lhs, rhs) = (row["lhs"].as_str().unwrap(), row["rhs"].as_str().unwrap());
        let gi = row["group"].as_u64().unwrap() as usize;
        let p = if op == ":=" {
            fit.defined().iter().find(|d| d.lhs == lhs).unwrap_or_else(|| panic!("{name}: {lhs}"))
        } else {
            fit.groups()[gi - 1]
                .parameter(lhs, op, rhs)
                .unwrap_or_else(|| panic!("{name}: missing {lhs} {op} {rhs} in group {gi}"))
        };
        let what = format!("{name} g{gi} {lhs} {op} {rhs}");
        let d = (p.est - f(&row["est"])).abs() / f(&row["est"]).abs().max(1.0);
        worst[0] = worst[0].max(d);
        assert!(d < tol, "{what}: est {} vs {}", p.est, f(&row["est"]));
        let se_r = f(&row["se"]);
        let se = p.se.unwrap();
        let d = if se_r == 0.0 { se } else { (se - se_r).abs() / se_r };
        worst[1] = worst[1].max(d);
        assert!(d < tol_se, "{what}: se {se} vs {se_r}");
        for (key, mine) in [("std_lv", p.std_lv), ("std_all", p.std_all)] {
            if let Some(sa) = opt_f64(&row[key]) {
                let m = mine.unwrap_or_else(|| panic!("{what}: {key} missing, lavaan {sa}"));
                let d = (m - sa).abs() / sa.abs().max(1.0);
                worst[2] = worst[2].max(d);
                assert!(d < tol, "{what}: {key} {m} vs {sa}");
            }
        }
        compared += 1;
    }
    assert!(compared > 50);
    for (k, v) in r["fit"].as_object().unwrap() {
        let mine = fit.fit_measure(k).unwrap_or_else(|| panic!("{name}: no fit measure {k}"));
        assert_rel(&format!("{name} {k}"), mine, f(v), 1e-6);
    }
    for (g, c) in fit.groups().iter().zip(r["chisq_group"].as_array().unwrap()) {
        assert_rel(&format!("{name} chisq of {}", g.name()), g.chisq(), f(c), tol);
    }
    eprintln!(
        "{name}: largest differences est {:.1e}, se {:.1e}, std {:.1e}",
        worst[0], worst[1], worst[2]
    );
}

#[test]
fn hs_by_grade_configural_and_residual_covariance() {
    let sem = Sem::from_syntax(HS_MODEL).unwrap();
    check("grade_configural", &fit(sem, "grade", &[]));
    let sem = Sem::from_syntax(&format!("{HS_MODEL}\nx1 ~~ x9")).unwrap();
    check("grade_rescov", &fit(sem, "grade", &[]));
}

#[test]
fn hs_by_school_wishart_gls_uls() {
    let load = [GroupEqual::Loadings];
    let sem = Sem::from_syntax(HS_MODEL).unwrap();
    check("school_wishart", &fit(sem.clone().likelihood(Likelihood::Wishart), "school", &load));
    check("school_gls", &fit(sem.clone().estimator(Estimator::Gls), "school", &load));
    let uls = fit(sem.estimator(Estimator::Uls), "school", &load);
    check("school_uls", &uls);
    assert!(uls.fit_measure("pvalue").unwrap().is_nan(), "no p-value for ULS, as lavaan");
}

#[test]
fn hs_by_school_defined_parameters_standardized() {
    let sem = Sem::from_syntax(DEF_MODEL).unwrap();
    check("school_defined", &fit(sem, "school", &[]));
}
