//! The partial-invariance search continued up the ladder against lavaan 0.6.14 (lavTestScore,
//! group.partial carried to the later steps, lavTestLRT against the accepted partial step
//! before): tests/fixtures/extra/partial_ladder.json, made by
//! tests/fixtures/extra/partial_ladder.R.

use crate::common::*;
use serde_json::Value;
use surveystat::sem::{PartialRule, Sem};

const HS_MODEL: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

/// lavaan spells `x3 ~1`, the search `x3 ~ 1`.
fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join("").replace("~1", "~ 1")
}

fn names(v: &Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|x| norm(x.as_str().unwrap())).collect()
}

fn ours(v: &[String]) -> Vec<String> {
    v.iter().map(|x| norm(x)).collect()
}

/// χ², df, CFI, RMSEA and the comparison of every fit within 1e-6 relative; the freed
/// parameters identical; the score statistics within 10 × lavaan's distance from the optimum.
fn check(rule: PartialRule, key: &str) {
    let inv = Sem::from_syntax(HS_MODEL).unwrap().invariance("school");
    let data = load_data("HolzingerSwineford1939.csv");
    let fit = inv.fit(&data).unwrap();
    let search = inv.partial_search(&data, &fit, rule).unwrap().unwrap();
    let text = std::fs::read_to_string(fixture_path("extra/partial_ladder.json")).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    let stages = r[key].as_array().unwrap();
    assert_eq!(search.stages.len(), stages.len(), "{key}: number of steps searched");
    assert!(search.ladder_stopped.is_empty(), "{}", search.ladder_stopped);
    assert_eq!(search.stage_fits().len(), stages.len());
    assert_eq!(search.sequence, search.stages[0].sequence);
    for (st, rs) in search.stages.iter().zip(stages) {
        let what = |k: &str| format!("{key} {} {k}", st.step);
        assert_eq!(st.step, rs["step"].as_str().unwrap());
        assert_eq!(st.against, rs["against"].as_str().unwrap());
        assert_eq!(ours(&st.start_partial), names(&rs["start_partial"]), "{}", what("start"));
        for (k, v) in [
            ("chisq", st.chisq),
            ("df", st.df),
            ("cfi", st.cfi),
            ("rmsea", st.rmsea),
            ("chisq_diff", st.chisq_diff),
            ("df_diff", st.df_diff),
            ("pvalue", st.pvalue),
        ] {
            assert_rel(&what(k), v, f(&rs[k]), TOL_SEM_CHISQ);
        }
        assert_abs(&what("cfi_delta"), st.cfi_delta, f(&rs["cfi_delta"]), 1e-6);
        assert_eq!(st.start_accepted, rs["start_accepted"].as_bool().unwrap(), "{}", what("start"));
        assert_eq!(st.accepted, rs["accepted"].as_bool().unwrap(), "{}", what("accepted"));
        let refits = rs["refits"].as_array().unwrap();
        assert_eq!(st.sequence.len(), refits.len(), "{}", what("refits"));
        for (i, (e, re)) in st.sequence.iter().zip(refits).enumerate() {
            let what = |k: &str| format!("{key} {} refit {i} {k}", st.step);
            assert_eq!(e.freed_lhs, re["freed_lhs"].as_str().unwrap(), "{}", what("lhs"));
            assert_eq!(e.freed_op, re["freed_op"].as_str().unwrap(), "{}", what("op"));
            assert_eq!(e.freed_rhs, re["freed_rhs"].as_str().unwrap(), "{}", what("rhs"));
            assert_eq!(ours(&e.partial), names(&re["partial"]), "{}", what("partial"));
            let tol = (10.0 * f(&re["max_abs_newton_step"])).max(1e-5);
            assert_rel(&what("score"), e.score_x2, f(&re["x2"]), tol);
            for (k, v) in [
                ("chisq", e.chisq),
                ("df", e.df),
                ("cfi", e.cfi),
                ("rmsea", e.rmsea),
                ("chisq_diff", e.chisq_diff),
                ("df_diff", e.df_diff),
                ("pvalue", e.pvalue),
            ] {
                assert_rel(&what(k), v, f(&re[k]), TOL_SEM_CHISQ);
            }
            assert_abs(&what("cfi_delta"), e.cfi_delta, f(&re["cfi_delta"]), 1e-6);
            assert_eq!(e.accepted, re["accepted"].as_bool().unwrap(), "{}", what("accepted"));
        }
        assert_eq!(
            ours(&st.partial),
            refits.last().map_or_else(|| names(&rs["start_partial"]), |x| names(&x["partial"]))
        );
    }
}

#[test]
fn hs_partial_search_up_the_ladder_lrt() {
    check(PartialRule::Lrt, "lrt");
}

#[test]
fn hs_partial_search_up_the_ladder_cfi() {
    check(PartialRule::DeltaCfi, "cfi");
}
