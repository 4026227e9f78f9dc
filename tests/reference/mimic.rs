//! MIMIC models with fixed.x covariates (lavaan's default `fixed.x = TRUE`) against R lavaan
//! 0.6.14: HolzingerSwineford1939 `visual + textual + speed ~ sex + ageyr` with FIML on 10%
//! missing values, MLR and MLM on complete data, MLR with FIML
//! (tests/fixtures/extra/ordinal_gaps.R → ordinal_gaps.json).

use serde_json::Value;

use crate::common::*;
use surveystat::sem::{Estimator, Sem, SemFit, SemMissing};

const MIMIC: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nvisual + textual + speed ~ sex + ageyr";

fn case(name: &str) -> Value {
    let p = fixture_path("extra/ordinal_gaps.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(p).expect("ordinal_gaps.json"))
        .expect("json");
    v[name].clone()
}

/// Compare estimates, SEs and std.all (|Δ| ≤ tol · max(1, |x|)) and every fit measure lavaan
/// reports (relative, p-values absolute); every difference is listed before failing.
pub(crate) fn compare(name: &str, fit: &SemFit, tol_est: f64, tol_fit: f64) {
    compare_skip(name, fit, tol_est, tol_fit, &[], true);
}

/// As [`compare`], leaving out the rows whose operator is in `skip` and, unless `all_measures`,
/// the fit measures the fit does not report; returns the number of fit measures compared.
pub(crate) fn compare_skip(
    name: &str,
    fit: &SemFit,
    tol_est: f64,
    tol_fit: f64,
    skip: &[&str],
    all_measures: bool,
) -> usize {
    let mut compared = 0;
    let c = case(name);
    let mut bad = Vec::new();
    let mut check = |what: String, ours: f64, exp: f64, tol: f64, rel: bool| {
        let d = if rel { rel_err(ours, exp) } else { (ours - exp).abs() / exp.abs().max(1.0) };
        if !(d <= tol || (ours.is_nan() && exp.is_nan())) {
            bad.push(format!("{what}: ours {ours:.10e} lavaan {exp:.10e} ({d:.2e})"));
        }
    };
    for row in c["parameter_estimates"].as_array().unwrap() {
        let (lhs, op, rhs) = (
            row["lhs"].as_str().unwrap(),
            row["op"].as_str().unwrap(),
            row["rhs"].as_str().unwrap(),
        );
        if skip.contains(&op) {
            continue;
        }
        let id = format!("{lhs} {op} {rhs}");
        let Some(ours) = fit.parameter(lhs, op, rhs) else {
            check(format!("{id} missing"), f64::NAN, 0.0, 0.0, false);
            continue;
        };
        check(format!("{id} est"), ours.est, f(&row["est"]), tol_est, false);
        check(format!("{id} se"), ours.se.unwrap_or(0.0), f(&row["se"]), tol_est, false);
        if let Some(s) = opt_f64(&row["std_all"]) {
            check(format!("{id} std.all"), ours.std_all.unwrap_or(f64::NAN), s, tol_est, false);
        }
    }
    for (k, v) in named(&c["fit_measures"]) {
        if !all_measures && fit.fit_measure(&k).is_none() {
            continue;
        }
        compared += 1;
        let ours = fit.fit_measure(&k).unwrap_or(f64::INFINITY);
        let rel = !k.contains("pvalue");
        check(format!("fit {k}"), ours, v, tol_fit, rel);
    }
    assert!(bad.is_empty(), "{name}: {} differences\n{}", bad.len(), bad.join("\n"));
    compared
}

#[test]
fn mimic_fiml_matches_lavaan() {
    let data = load_data("HS_missing10.csv");
    let fit = Sem::from_syntax(MIMIC).unwrap().missing(SemMissing::Fiml).fit(&data).unwrap();
    assert_eq!(fit.n_obs(), 301);
    compare("mimic_fiml", &fit, TOL_SEM_EST, TOL_SEM_CHISQ);
}

fn robust(est: Estimator) -> Sem {
    Sem::from_syntax(MIMIC).unwrap().estimator(est)
}

#[test]
fn mimic_mlr_fiml_matches_lavaan() {
    let data = load_data("HS_missing10.csv");
    let fit = robust(Estimator::Mlr).missing(SemMissing::Fiml).fit(&data).unwrap();
    compare("mimic_mlr_fiml", &fit, TOL_SEM_EST, TOL_SEM_CHISQ);
}

#[test]
fn mimic_mlm_matches_lavaan() {
    let data = load_data("HolzingerSwineford1939.csv");
    let fit = robust(Estimator::Mlm).fit(&data).unwrap();
    compare("mimic_mlm", &fit, TOL_SEM_EST, TOL_SEM_CHISQ);
}

#[test]
fn mimic_mlr_matches_lavaan() {
    let data = load_data("HolzingerSwineford1939.csv");
    let fit = robust(Estimator::Mlr).fit(&data).unwrap();
    compare("mimic_mlr", &fit, TOL_SEM_EST, TOL_SEM_CHISQ);
}
