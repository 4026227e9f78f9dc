//! A complete-data mean structure with fixed.x covariates (lavaan's default `fixed.x = TRUE`
//! with `meanstructure = TRUE`) against R lavaan 0.6.14: a MIMIC model on
//! HolzingerSwineford1939 and `growth()` with time-invariant covariates on Demo.growth
//! (tests/fixtures/extra/meanstructure_fixedx.R → meanstructure_fixedx.json).

use serde_json::Value;

use crate::common::*;
use surveystat::sem::{Sem, SemFit};

/// One case of a fixture file written in the layout of extra/meanstructure_fixedx.R
/// (`parameter_estimates` with est, se, std_all; `fit_measures` by lavaan's names).
pub(crate) fn case(file: &str, name: &str) -> Value {
    let p = fixture_path(&format!("extra/{file}"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(p).expect(file)).expect("json");
    assert!(v[name].is_object(), "{file}: no case {name}");
    v[name].clone()
}

/// Estimates, SEs and std.all within `tol_est` (absolute, relative to max(1, |x|)); every fit
/// measure lavaan reports within `tol_fit` relative (p-values absolute), except those named in
/// `skip_measures`. Every difference is listed before failing; returns the number of measures
/// compared.
pub(crate) fn compare(
    name: &str,
    c: &Value,
    fit: &SemFit,
    tol_est: f64,
    tol_fit: f64,
    skip_measures: &[&str],
) -> usize {
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
        let id = format!("{lhs} {op} {rhs}");
        let ours = if op == ":=" {
            fit.parameters().iter().find(|q| q.lhs == lhs && q.op == op)
        } else {
            fit.parameter(lhs, op, rhs)
        };
        let Some(ours) = ours else {
            check(format!("{id} missing"), f64::NAN, 0.0, 0.0, false);
            continue;
        };
        check(format!("{id} est"), ours.est, f(&row["est"]), tol_est, false);
        match opt_f64(&row["se"]) {
            Some(se) => check(format!("{id} se"), ours.se.unwrap_or(0.0), se, tol_est, false),
            // lavaan prints NA for a parameter pinned by the constraints: ours is 0
            None => check(format!("{id} se"), ours.se.unwrap_or(0.0), 0.0, tol_est, false),
        }
        if let Some(s) = opt_f64(&row["std_all"]) {
            check(format!("{id} std.all"), ours.std_all.unwrap_or(f64::NAN), s, tol_est, false);
        }
    }
    let mut compared = 0;
    for (k, v) in named(&c["fit_measures"]) {
        if skip_measures.contains(&k.as_str()) {
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

const FILE: &str = "meanstructure_fixedx.json";

#[test]
fn mimic_with_means_and_fixed_x_matches_lavaan() {
    let c = case(FILE, "mimic_means");
    let data = load_data("HolzingerSwineford1939.csv");
    let model = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nvisual + textual ~ sex + ageyr";
    let fit = Sem::from_syntax(model).unwrap().meanstructure(true).fit(&data).unwrap();
    assert_eq!(fit.n_obs(), 301);
    let n = compare("mimic_means", &c, &fit, TOL_SEM_EST, TOL_SEM_CHISQ, &[]);
    assert_eq!(n, 46);
}

#[test]
fn growth_with_covariates_and_fixed_x_matches_lavaan() {
    let c = case(FILE, "growth_covariates");
    let data = load_data("Demo_growth.csv");
    let model = "i =~ 1*t1 + 1*t2 + 1*t3 + 1*t4\ns =~ 0*t1 + 1*t2 + 2*t3 + 3*t4\ni + s ~ x1 + x2";
    let fit = Sem::growth(model).unwrap().fit(&data).unwrap();
    let n = compare("growth_covariates", &c, &fit, TOL_SEM_EST, TOL_SEM_CHISQ, &[]);
    assert_eq!(n, 46);
}
