//! Explicit constraints (`==`, `<`, `>`) against lavaan 0.6.14 —
//! tests/fixtures/extra/constraints.json, made by tests/fixtures/extra/constraints.R.

use crate::common::*;
use serde_json::Value;
use surveystat::data::Dataset;
use surveystat::sem::{Sem, SemFit};

fn reference(case: &str) -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/constraints.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v[case].clone()
}

fn data(r: &Value) -> Dataset {
    if r["data"].as_str().unwrap().starts_with("Political") {
        let d = load_data("PoliticalDemocracy.csv");
        let names: Vec<String> = d.names().iter().map(|s| s.to_lowercase()).collect();
        let cols: Vec<Vec<f64>> = d.names().iter().map(|n| d.column(n).unwrap().to_vec()).collect();
        let x = ndarray::Array2::from_shape_fn((cols[0].len(), cols.len()), |(i, j)| cols[j][i]);
        Dataset::from_array(&names, x).unwrap()
    } else {
        load_data("HolzingerSwineford1939.csv")
    }
}

fn fit_case(case: &str) -> (SemFit, Value) {
    let r = reference(case);
    let fit = Sem::from_syntax(r["model"].as_str().unwrap()).unwrap().fit(&data(&r)).unwrap();
    (fit, r)
}

/// χ², df, npar and the χ²-based measures within 1e-6 (second order in the distance from the
/// optimum); estimates within 10 × lavaan's projected Newton step; SEs within 1e-5 (relative
/// to max(1, |se|)) plus that distance; the constraints' slack at our estimates near zero.
fn check(case: &str) {
    let (fit, r) = fit_case(case);
    assert!(fit.convergence().converged, "{case}: {:?}", fit.convergence());
    for k in ["npar", "df"] {
        assert_eq!(fit.fit_measure(k).unwrap(), f(&r["fit"][k]), "{case} {k}");
    }
    for k in ["chisq", "cfi", "tli", "rmsea", "aic", "bic", "logl"] {
        assert_rel(
            &format!("{case} {k}"),
            fit.fit_measure(k).unwrap(),
            f(&r["fit"][k]),
            TOL_SEM_CHISQ,
        );
    }
    let dist = 10.0 * f(&r["projected_newton_step"]);
    for p in r["parameters"].as_array().unwrap() {
        let (lhs, op, rhs) =
            (p["lhs"].as_str().unwrap(), p["op"].as_str().unwrap(), p["rhs"].as_str().unwrap());
        let rhs = if op == ":=" { "" } else { rhs };
        let row = fit
            .parameters()
            .iter()
            .find(|q| q.lhs == lhs && q.op == op && (q.rhs == rhs || op == ":="))
            .unwrap_or_else(|| panic!("{case}: no row {lhs} {op} {rhs}"));
        let what = format!("{case} {lhs} {op} {rhs}");
        assert_close(&format!("{what} est"), row.est, f(&p["est"]), dist.max(TOL_SEM_EST));
        match opt_f64(&p["se"]) {
            Some(se) => assert_close(
                &format!("{what} se"),
                row.se.unwrap(),
                se,
                (TOL_SEM_EST + dist).max(1e-5),
            ),
            // lavaan prints NA for a parameter pinned at an active bound: ours is 0
            None => assert_eq!(row.se, Some(0.0), "{what} se"),
        }
    }
    let cons = fit.constraints();
    let rc = r["constraints"].as_array().unwrap();
    assert_eq!(cons.len(), rc.len());
    for (c, rc) in cons.iter().zip(rc) {
        assert_eq!(c.op, rc["op"].as_str().unwrap());
        assert_close(
            &format!("{case} slack {}", c.lhs),
            c.slack,
            f(&rc["value"]).abs(),
            dist.max(1e-7),
        );
    }
}

#[test]
fn poldem_equal_loadings_by_constraints() {
    check("poldem_equal");
}

#[test]
fn hs_linear_constraint() {
    check("hs_linear");
}

#[test]
fn hs_active_and_inactive_inequalities() {
    check("hs_ineq");
    let (fit, _) = fit_case("hs_ineq");
    let s = fit.summary().to_string();
    assert!(s.contains("Constraints:") && s.contains("v4 - (0.5)"), "{s}");
}

#[test]
fn hs_inactive_inequality_is_the_unconstrained_fit() {
    check("hs_ineq_inactive");
}

#[test]
fn hs_nonlinear_equality() {
    check("hs_nonlinear");
}

#[test]
fn hs_constraint_on_defined_parameter() {
    check("hs_defined");
}
