//! Ordinal SEM (thresholds, polychoric correlations, DWLS / WLS / ULS and the robust WLSMV /
//! ULSMV) against R lavaan 0.6.14 on HolzingerSwineford1939 items cut into 3, 4 and 5
//! categories (tests/fixtures/extra/sem_ordinal.R → sem_ordinal.json, data/HS_ordinal.csv).

use serde_json::Value;

use crate::common::*;
use surveystat::sem::{Estimator, Sem, SemFit};

const CFA: &str = "vis =~ o1 + o2 + o3\ntex =~ o4 + o5 + o6\nspd =~ o7 + o8 + o9";
const ORD: [&str; 9] = ["o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9"];

fn fixture() -> Value {
    let p = fixture_path("extra/sem_ordinal.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("sem_ordinal.json")).expect("json")
}

fn fit(model: &str, est: Option<Estimator>) -> SemFit {
    let data = load_data("HS_ordinal.csv");
    let mut sem = Sem::from_syntax(model).unwrap().ordered(&ORD);
    if let Some(e) = est {
        sem = sem.estimator(e);
    }
    sem.fit(&data).unwrap()
}

/// Estimates, SEs and std.all of every row lavaan reports (the fixed scale `~*~` and
/// intercept `~1` rows of lavaan's table are not part of our table), and the fit measures.
fn check(case: &str, fit: &SemFit) {
    let fx = fixture();
    let c = &fx[case];
    let mut worst = 0.0f64;
    for row in c["parameter_estimates"].as_array().unwrap() {
        let (lhs, op, rhs) = (
            row["lhs"].as_str().unwrap(),
            row["op"].as_str().unwrap(),
            row["rhs"].as_str().unwrap(),
        );
        if op == "~*~" || op == "~1" {
            continue;
        }
        let ours =
            fit.parameter(lhs, op, rhs).unwrap_or_else(|| panic!("{case}: no {lhs}{op}{rhs}"));
        let id = format!("{case} {lhs}{op}{rhs}");
        for (what, a, b) in [
            ("est", ours.est, f(&row["est"])),
            ("se", ours.se.unwrap(), f(&row["se"])),
            ("std.all", ours.std_all.unwrap(), f(&row["std_all"])),
        ] {
            worst = worst.max((a - b).abs());
            assert_close(&format!("{id} {what}"), a, b, TOL_SEM_EST);
        }
    }
    let mut n_fm = 0;
    for (name, v) in named(&c["fit_measures"]) {
        let ours = fit.fit_measure(&name).unwrap_or_else(|| panic!("{case}: no {name}"));
        if v.is_nan() {
            assert!(ours.is_nan(), "{case} {name}: {ours} where lavaan has NA");
        } else {
            assert_rel(&format!("{case} {name}"), ours, v, TOL_SEM_CHISQ);
        }
        n_fm += 1;
    }
    if let Some(ss) = c["tests"].get("scaled.shifted") {
        let shift = fit.fit_measure("chisq.shift.parameter").unwrap();
        assert_rel(&format!("{case} shift"), shift, f(&ss["shift.parameter"]), TOL_SEM_CHISQ);
    }
    println!("{case}: worst parameter difference {worst:.2e}, {n_fm} fit measures");
}

#[test]
fn cfa_wlsmv_is_the_default_for_ordered_indicators() {
    let fit = fit(CFA, None);
    assert_eq!(fit.config().estimator_kind(), Estimator::Wlsmv);
    check("cfa_wlsmv", &fit);
}

#[test]
fn cfa_ulsmv() {
    check("cfa_ulsmv", &fit(CFA, Some(Estimator::Ulsmv)));
}

#[test]
fn cfa_dwls_standard_errors() {
    check("cfa_dwls", &fit(CFA, Some(Estimator::Dwls)));
}

#[test]
fn cfa_wls_full_weight() {
    check("cfa_wls", &fit(CFA, Some(Estimator::Wls)));
}

#[test]
fn sem_wlsmv_latent_regression() {
    let model = format!("{CFA}\nspd ~ vis + tex");
    check("sem_wlsmv", &fit(&model, None));
}

#[test]
fn explicit_thresholds_match_the_default() {
    let model = format!("{CFA}\no1 | t1 + t2\no4 | a*t1 + t2 + t3");
    check("cfa_wlsmv", &fit(&model, None));
}

#[test]
fn categorical_omega_matches_semtools() {
    let fx = fixture();
    let c = &fx["omega_cfa_wlsmv"];
    let fit = fit(CFA, None);
    // compRelSEM (observed polychoric correlations in the denominator)
    let obs = fit.omega_categorical(true).unwrap();
    for (name, v) in named(&c["omega"]) {
        let ours = obs.iter().find(|(f, _)| *f == name).unwrap().1;
        assert_rel(&format!("compRelSEM omega {name}"), ours, v, 1e-5);
    }
    // reliability()["omega"] (model-implied correlations)
    let (rows, cols, m) = matrix(&c["reliability"]);
    let r = rows.iter().position(|x| x == "omega").unwrap();
    let imp = fit.omega_categorical(false).unwrap();
    for (j, name) in cols.iter().enumerate() {
        let ours = imp.iter().find(|(f, _)| f == name).unwrap().1;
        assert_rel(&format!("reliability omega {name}"), ours, m[[r, j]], 1e-5);
    }
}
