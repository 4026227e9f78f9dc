//! A single-group CFA whose indicators mix ordered and continuous variables, against R lavaan
//! 0.6.14 `cfa(m, data = d, ordered = c("o1", "o2", "o4", "o7"), estimator = ...)` on
//! HolzingerSwineford1939 with x1, x2, x4, x7 cut into 3–5 categories and x3, x5, x6, x8, x9
//! continuous (tests/fixtures/extra/sem_ordinal_mixed.R → sem_ordinal_mixed.json,
//! data/HS_ordinal_mixed.csv). The sample statistics and their Γ are checked against lavCor's
//! in the unit tests of `src/ordinal/mixed.rs`.

use serde_json::Value;

use crate::common::*;
use surveystat::sem::{Estimator, Sem};

const MODEL: &str = "vis =~ o1 + o2 + x3\ntex =~ o4 + x5 + x6\nspd =~ o7 + x8 + x9";
const ORD: [&str; 4] = ["o1", "o2", "o4", "o7"];

fn case(name: &str) -> Value {
    let p = fixture_path("extra/sem_ordinal_mixed.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(p).expect("fixture")).unwrap();
    v[name].clone()
}

/// lavaan stops both fits at max |gradient| 7.4e-7; estimates, SEs and std.all agree within
/// 1e-5, χ², the scaled and baseline statistics and every derived measure within 1e-6 relative.
#[test]
fn mixed_ordered_and_continuous_indicators_match_lavaan() {
    let data = load_data("HS_ordinal_mixed.csv");
    for (name, est) in [("cfa_wlsmv", Estimator::Wlsmv), ("cfa_dwls", Estimator::Dwls)] {
        let fx = case(name);
        let fit = Sem::from_syntax(MODEL).unwrap().ordered(&ORD).estimator(est).fit(&data).unwrap();
        let mut bad = Vec::new();
        let mut rows = 0;
        for r in fx["parameter_estimates"].as_array().unwrap() {
            let (lhs, op, rhs) =
                (r["lhs"].as_str().unwrap(), r["op"].as_str().unwrap(), r["rhs"].as_str().unwrap());
            // lavaan's fixed zero intercepts of y* and the factors, and unit scales (delta)
            if op == "~*~" || (op == "~1" && !lhs.starts_with('x')) {
                continue;
            }
            let Some(row) = fit.parameter(lhs, op, rhs) else {
                bad.push(format!("{lhs} {op} {rhs} missing"));
                continue;
            };
            for (what, ours, lav) in [
                ("est", row.est, f(&r["est"])),
                ("se", row.se.unwrap_or(f64::NAN), f(&r["se"])),
                ("std.all", row.std_all.unwrap_or(f64::NAN), f(&r["std_all"])),
            ] {
                let d = (ours - lav).abs();
                if d.is_nan() || d > TOL_SEM_EST * lav.abs().max(1.0) {
                    bad.push(format!("{lhs} {op} {rhs} {what}: {ours:.10e} vs lavaan {lav:.10e}"));
                }
            }
            rows += 1;
        }
        let mut m = 0;
        for (k, v) in named(&fx["fit_measures"]) {
            let Some(ours) = fit.fit_measure(&k) else { continue };
            let ok = if v.is_nan() {
                ours.is_nan()
            } else if k.contains("pvalue") {
                (ours - v).abs() <= TOL_SEM_CHISQ * v.abs().max(1.0)
            } else {
                rel_err(ours, v) <= TOL_SEM_CHISQ
            };
            if !ok {
                bad.push(format!("fit {k}: {ours:.12e} vs lavaan {v:.12e}"));
            }
            m += 1;
        }
        assert!(bad.is_empty(), "{name}:\n{}", bad.join("\n"));
        assert_eq!(rows, 40, "{name}: parameter rows compared");
        assert!(m >= 14, "{name}: {m} fit measures compared");
    }
}
