//! Robust ML (MLM, MLMV, MLR) in multi-group models against lavaan 0.6.14:
//! tests/fixtures/extra/robust_multigroup.R → robust_multigroup.json (HolzingerSwineford1939
//! three-factor CFA by school: configural, metric, scalar; MLR with FIML on HS_missing10 by
//! school; references fitted with a tight BFGS).

use crate::common::*;
use serde_json::Value;
use surveystat::sem::{Estimator, GroupEqual, MultiGroupFit, MultiGroupSem, Sem, SemMissing};

fn fixture() -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/robust_multigroup.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn fit_case(c: &Value) -> MultiGroupFit {
    let fiml = c["missing"].as_str() == Some("ml");
    let data = load_data(if fiml { "HS_missing10.csv" } else { "HolzingerSwineford1939.csv" });
    let missing = if fiml { SemMissing::Fiml } else { SemMissing::Listwise };
    let est = match c["estimator"].as_str().unwrap() {
        "MLM" => Estimator::Mlm,
        "MLMV" => Estimator::Mlmv,
        "MLR" => Estimator::Mlr,
        other => panic!("unknown estimator {other}"),
    };
    let equal: Vec<GroupEqual> = match &c["group_equal"] {
        Value::Array(a) => a.iter().map(|v| v.as_str().unwrap()).collect::<Vec<_>>(),
        Value::String(s) => vec![s.as_str()],
        _ => vec![],
    }
    .into_iter()
    .filter_map(|s| match s {
        "loadings" => Some(GroupEqual::Loadings),
        "intercepts" => Some(GroupEqual::Intercepts),
        _ => None,
    })
    .collect();
    let sem =
        Sem::from_syntax(c["model"].as_str().unwrap()).unwrap().estimator(est).missing(missing);
    MultiGroupSem::new(sem, "school").equal(equal).fit(&data).unwrap()
}

/// Every parameter's estimate and SE in every group (1e-5 absolute), every fit measure lavaan
/// reports that we report (1e-6 relative to max(1, |value|); the robust ones must be present).
fn check(case: &str) {
    let fx = fixture();
    let c = &fx[case];
    let fit = fit_case(c);
    let fiml = c["missing"].as_str() == Some("ml");
    assert!(fit.convergence().converged, "{case}");
    let labels: Vec<&str> =
        c["group_labels"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    for row in c["parameter_estimates"].as_array().unwrap() {
        let g = row["group"].as_u64().unwrap_or(0) as usize;
        let op = row["op"].as_str().unwrap();
        if g == 0 || !["=~", "~~", "~1"].contains(&op) {
            continue;
        }
        let (lhs, rhs) = (row["lhs"].as_str().unwrap(), row["rhs"].as_str().unwrap());
        let grp = &fit.groups()[g - 1];
        assert_eq!(grp.name(), labels[g - 1]);
        let ours = grp
            .parameter(lhs, op, rhs)
            .unwrap_or_else(|| panic!("{case}: missing row {lhs} {op} {rhs} (group {g})"));
        let id = format!("{case} g{g} {lhs}{op}{rhs}");
        assert_close(&format!("{id} est"), ours.est, f(&row["est"]), TOL_SEM_EST);
        assert_close(&format!("{id} se"), ours.se.unwrap(), f(&row["se"]), TOL_SEM_EST);
    }
    let mut worst = (0.0f64, String::new());
    for (k, v) in c["fit_measures"].as_object().unwrap() {
        let ours = fit.fit_measure(k);
        let is_robust = k.contains("scaled") || k.contains("robust") || k.starts_with("scaling");
        // with FIML, lavaan's MLR `.robust` CFI/TLI/RMSEA are not offered (not reported)
        if fiml && k.ends_with(".robust") {
            assert!(ours.is_none(), "{case}: {k} should not be reported");
            continue;
        }
        let Some(ours) = ours else {
            assert!(!is_robust, "{case}: robust measure {k} missing");
            continue;
        };
        match v.as_f64() {
            None => assert!(ours.is_nan(), "{case} {k}: lavaan NA, ours {ours}"),
            Some(e) => {
                let d = (ours - e).abs() / e.abs().max(1.0);
                if d > worst.0 {
                    worst = (d, k.clone());
                }
                assert!(d <= 1e-6, "{case} {k}: surveystat {ours} vs lavaan {e} (rel {d:.2e})");
            }
        }
    }
    println!("{case}: largest fit-measure difference {:.2e} ({})", worst.0, worst.1);
}

#[test]
fn configural_mlm_matches_lavaan() {
    check("configural_mlm");
}

#[test]
fn metric_mlm_matches_lavaan() {
    check("metric_mlm");
}

#[test]
fn scalar_mlm_matches_lavaan() {
    check("scalar_mlm");
}

#[test]
fn configural_mlmv_matches_lavaan() {
    check("configural_mlmv");
}

#[test]
fn metric_mlmv_matches_lavaan() {
    check("metric_mlmv");
}

#[test]
fn scalar_mlmv_matches_lavaan() {
    check("scalar_mlmv");
}

#[test]
fn configural_mlr_matches_lavaan() {
    check("configural_mlr");
}

#[test]
fn metric_mlr_matches_lavaan() {
    check("metric_mlr");
}

#[test]
fn scalar_mlr_matches_lavaan() {
    check("scalar_mlr");
}

#[test]
fn configural_mlr_fiml_matches_lavaan() {
    check("configural_mlr_fiml");
}

#[test]
fn scalar_mlr_fiml_matches_lavaan() {
    check("scalar_mlr_fiml");
}
