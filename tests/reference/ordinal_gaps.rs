//! The `.robust` CFI/TLI/RMSEA of categorical fits (WLSMV, ULSMV) against R lavaan 0.6.14 on
//! HolzingerSwineford1939 items cut into 3–5 categories, and of MLR with FIML on
//! HolzingerSwineford1939 with 10% missing values (tests/fixtures/extra/ordinal_gaps.R →
//! ordinal_gaps.json, data/HS_ordinal.csv, data/HS_missing10.csv).

use serde_json::Value;

use crate::common::*;
use surveystat::sem::{Estimator, Sem, SemFit, SemMissing};

const CFA: &str = "vis =~ o1 + o2 + o3\ntex =~ o4 + o5 + o6\nspd =~ o7 + o8 + o9";
const ORD: [&str; 9] = ["o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9"];

fn fixture() -> Value {
    let p = fixture_path("extra/ordinal_gaps.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("ordinal_gaps.json")).expect("json")
}

fn ordinal(model: &str, est: Estimator) -> SemFit {
    let data = load_data("HS_ordinal.csv");
    Sem::from_syntax(model).unwrap().ordered(&ORD).estimator(est).fit(&data).unwrap()
}

/// Every fit measure lavaan reports whose name ends with `suffix`; how many.
fn check_measures(case: &str, fit: &SemFit, suffix: &str, tol: f64) -> usize {
    let fx = fixture();
    let mut n = 0;
    for (name, v) in named(&fx[case]["fit_measures"]) {
        if !name.ends_with(suffix) {
            continue;
        }
        let ours = fit.fit_measure(&name).unwrap_or_else(|| panic!("{case}: no {name}"));
        if v.is_nan() {
            assert!(ours.is_nan(), "{case} {name}: {ours} where lavaan has NA");
        } else if name.contains("pvalue") {
            // probabilities near 0: |Δ| ≤ tol (lavaan's ULSMV optimum moves the 5e-4 p-value by
            // 2e-6 relative between its delta and theta fits of the same model)
            assert_close(&format!("{case} {name}"), ours, v, tol);
        } else {
            assert_rel(&format!("{case} {name}"), ours, v, tol);
        }
        n += 1;
    }
    n
}

#[test]
fn categorical_robust_measures_match_lavaan() {
    for (case, model, est) in [
        ("cfa_wlsmv", CFA.to_string(), Estimator::Wlsmv),
        ("cfa_ulsmv", CFA.to_string(), Estimator::Ulsmv),
        ("sem_wlsmv", format!("{CFA}\nspd ~ vis + tex"), Estimator::Wlsmv),
    ] {
        let fit = ordinal(&model, est);
        assert_eq!(check_measures(case, &fit, ".robust", TOL_SEM_CHISQ), 9, "{case}");
    }
}

#[test]
fn dwls_has_no_robust_measures() {
    let fit = ordinal(CFA, Estimator::Dwls);
    assert!(fit.fit_measure("cfi.robust").is_none());
}

const HS: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

#[test]
fn mlr_fiml_robust_measures_match_lavaan_with_tight_em() {
    let data = load_data("HS_missing10.csv");
    let fit = Sem::from_syntax(HS)
        .unwrap()
        .estimator(Estimator::Mlr)
        .missing(SemMissing::Fiml)
        .fit(&data)
        .unwrap();
    assert_eq!(check_measures("hs_cfa_mlr_fiml", &fit, ".robust", TOL_SEM_CHISQ), 9);
    // the scaled test is unchanged by the EM tolerance
    check_measures("hs_cfa_mlr_fiml", &fit, ".scaled", TOL_SEM_CHISQ);
}
