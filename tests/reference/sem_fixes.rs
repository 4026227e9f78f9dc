//! SEM edge cases against lavaan 0.6.14 (tests/fixtures/extra/sem_fixes.R → sem_fixes.json):
//! the GFI family with fixed.x covariates, identification of models with large-variance
//! variables, ω of endogenous factors, division by zero in `:=`.

use crate::common::*;
use serde_json::Value;
use surveystat::sem::{Estimator, Sem};

fn fixture() -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/sem_fixes.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn gfi_family_with_fixed_x_covariates_matches_lavaan() {
    let fx = fixture();
    let hs = load_data("HolzingerSwineford1939.csv");
    for (case, est) in
        [("mimic", Estimator::Ml), ("mimic_gls", Estimator::Gls), ("mimic_uls", Estimator::Uls)]
    {
        let c = &fx[case];
        let fit = Sem::from_syntax(c["model"].as_str().unwrap())
            .unwrap()
            .estimator(est)
            .fixed_x(true)
            .fit(&hs)
            .unwrap();
        for k in ["npar", "df", "gfi", "agfi", "pgfi"] {
            let ours = fit.fit_measure(k).unwrap();
            assert_close(&format!("{case} {k}"), ours, f(&c["fit_measures"][k]), TOL_SEM_FIT);
        }
        assert_rel(
            &format!("{case} chisq"),
            fit.fit_measure("chisq").unwrap(),
            f(&c["fit_measures"]["chisq"]),
            TOL_SEM_CHISQ,
        );
    }
}

/// Compare every row of a fixture's `parameter_estimates` (est, se; std.all where given).
fn check_rows(case: &str, fit: &surveystat::sem::SemFit, rows: &Value) {
    for row in rows.as_array().unwrap() {
        let (lhs, op, rhs) = (
            row["lhs"].as_str().unwrap(),
            row["op"].as_str().unwrap(),
            row["rhs"].as_str().unwrap(),
        );
        let ours =
            if op == ":=" { fit.parameter(lhs, op, "") } else { fit.parameter(lhs, op, rhs) };
        let ours = ours.unwrap_or_else(|| panic!("{case}: missing row {lhs} {op} {rhs}"));
        let id = format!("{case} {lhs}{op}{rhs}");
        assert_close(&format!("{id} est"), ours.est, f(&row["est"]), TOL_SEM_EST);
        assert_close(&format!("{id} se"), ours.se.unwrap_or(0.0), f(&row["se"]), TOL_SEM_EST);
        if let Some(s) = opt_f64(&row["std.all"]) {
            assert_close(&format!("{id} std.all"), ours.std_all.unwrap(), s, TOL_SEM_EST);
        }
    }
}

#[test]
fn identification_check_does_not_depend_on_variable_scale() {
    // hp (a mediator) has residual variance about 2 578: the information of its variance is
    // ~1e-9 times that of the others; lavaan fits the model, and so must we, in either scale
    let fx = fixture();
    let c = &fx["mediation_hp"];
    let mt = load_data("mtcars.csv");
    let fit = Sem::from_syntax(c["model"].as_str().unwrap()).unwrap().fit(&mt).unwrap();
    check_rows("mediation_hp", &fit, &c["parameter_estimates"]);
    assert_eq!(fit.fit_measure("df").unwrap(), f(&c["fit_measures"]["df"]));
    // hp in thousands: the same model, hp's paths scaled by 1000
    let names = ["mpg", "wt", "qsec", "hp"];
    let mut x = mt.select(&names).unwrap();
    let k = 3;
    x.column_mut(k).mapv_inplace(|v| v / 1000.0);
    let small =
        Sem::from_syntax(c["model"].as_str().unwrap()).unwrap().fit_array(&x, &names).unwrap();
    let a1 = small.parameter("hp", "~", "wt").unwrap();
    let a1_full = fit.parameter("hp", "~", "wt").unwrap();
    assert_close("a1 in thousands", a1.est * 1000.0, a1_full.est, 1e-7);
    assert_close("se(a1) in thousands", a1.se.unwrap() * 1000.0, a1_full.se.unwrap(), 1e-7);
}

#[test]
fn omega_uses_the_implied_factor_variance_of_endogenous_factors() {
    let fx = fixture();
    let c = &fx["omega"];
    let hs = load_data("HolzingerSwineford1939.csv");
    let cfa = Sem::from_syntax(c["cfa_model"].as_str().unwrap()).unwrap().fit(&hs).unwrap();
    let sem = Sem::from_syntax(c["sem_model"].as_str().unwrap()).unwrap().fit(&hs).unwrap();
    assert_rel(
        "equivalent chisq",
        sem.fit_measure("chisq").unwrap(),
        cfa.fit_measure("chisq").unwrap(),
        1e-8,
    );
    let (oc, os) = (cfa.omega(), sem.omega());
    for ((name, a), (g, b)) in oc.iter().zip(&os) {
        assert_eq!(name, g);
        // the same ω in both parameterizations (an identity at the common optimum) ...
        assert_close(&format!("omega {name} cfa vs sem"), *a, *b, 1e-7);
        // ... and lavaan's, from its implied factor variances (lavInspect "cov.lv")
        assert_close(&format!("omega {name} cfa"), *a, f(&c["omega_cfa"][name]), TOL_SEM_EST);
        assert_close(&format!("omega {name} sem"), *b, f(&c["omega_sem"][name]), TOL_SEM_EST);
    }
}

#[test]
fn defined_parameter_dividing_by_zero_has_no_estimate_and_no_se() {
    let fx = fixture();
    let c = &fx["divide_by_zero"];
    // lavaan: est NA, se NA
    assert!(c["est"].is_null() && c["se"].is_null());
    let hs = load_data("HolzingerSwineford1939.csv");
    let fit = Sem::from_syntax(c["model"].as_str().unwrap()).unwrap().fit(&hs).unwrap();
    let d = fit.parameter("d", ":=", "").unwrap();
    assert!(d.est.is_nan(), "{d:?}");
    assert!(d.se.is_none() && d.z.is_none() && d.pvalue.is_none(), "{d:?}");
    assert!(d.ci_lower.is_none() && d.ci_upper.is_none(), "{d:?}");
    assert!(fit.warnings().iter().any(|w| w.to_string().contains("`d`")), "{:?}", fit.warnings());
    // the other rows are untouched
    assert!(fit.parameter("x9", "~", "x1").unwrap().se.unwrap() > 0.0);
}
