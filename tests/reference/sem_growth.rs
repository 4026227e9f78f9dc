//! lavaan's `growth()` (0.6.14) on its Demo.growth data: tests/fixtures/extra/sem_growth.json,
//! made by tests/fixtures/extra/sem_growth.R (which also writes tests/fixtures/data/
//! Demo_growth.csv).

use crate::common::*;
use serde_json::Value;
use surveystat::sem::Sem;

/// `fixed_x` true: every row and fit measure. `fixed_x` false (the covariates' means and
/// (co)variances estimated): under normal ML they are saturated, so the other parameters, their
/// SEs and χ², df agree with lavaan's fixed.x = TRUE fit; the covariates' own rows (fixed there,
/// free here) and the measures that count them (npar, logl, the baseline) are not compared.
fn check(name: &str, fixed_x: bool) {
    let text = std::fs::read_to_string(fixture_path("extra/sem_growth.json")).unwrap();
    let all: Value = serde_json::from_str(&text).unwrap();
    let r = &all[name];
    let data = load_data("Demo_growth.csv");
    let fit =
        Sem::growth(r["model"].as_str().unwrap()).unwrap().fixed_x(fixed_x).fit(&data).unwrap();
    let is_x = |v: &str| v == "x1" || v == "x2";
    // lavaan stops within 1e-7 of the optimum here: estimates 1e-6, SEs 1e-5 relative
    let tol = (10.0 * f(&r["max_abs_newton_step"])).max(1e-6);
    let mut compared = 0;
    for row in r["parameters"].as_array().unwrap() {
        let (lhs, op, rhs) = (
            row["lhs"].as_str().unwrap(),
            row["op"].as_str().unwrap(),
            row["rhs"].as_str().unwrap(),
        );
        let p = fit
            .parameter(lhs, op, rhs)
            .unwrap_or_else(|| panic!("{name}: missing {lhs} {op} {rhs}"));
        let what = format!("{name} {lhs} {op} {rhs}");
        if !fixed_x && is_x(lhs) && (op == "~1" || op == "~~") {
            continue;
        }
        assert_rel(&format!("{what} est"), p.est, f(&row["est"]), tol);
        let se_r = f(&row["se"]);
        let se = p.se.unwrap_or(0.0);
        if se_r == 0.0 {
            assert!(se == 0.0, "{what}: se {se}");
        } else {
            assert_rel(&format!("{what} se"), se, se_r, tol.max(1e-5));
        }
        if let Some(sa) = opt_f64(&row["std_all"]) {
            assert_rel(&format!("{what} std.all"), p.std_all.unwrap(), sa, tol.max(1e-5));
        }
        compared += 1;
    }
    assert!(compared >= 15);
    for (k, v) in r["fit"].as_object().unwrap() {
        if !fixed_x && !["chisq", "df", "pvalue", "rmsea"].contains(&k.as_str()) {
            continue;
        }
        let mine = fit.fit_measure(k).unwrap_or_else(|| panic!("{name}: no fit measure {k}"));
        assert_rel(&format!("{name} {k}"), mine, f(v), 1e-6);
    }
}

#[test]
fn linear_growth() {
    check("linear", true);
}

#[test]
fn linear_growth_with_time_invariant_covariates() {
    // fixed.x (lavaan's default): every row and measure; the covariates estimated: the rest
    check("covariates", true);
    check("covariates", false);
}
