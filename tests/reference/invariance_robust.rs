//! The measurement-invariance ladder with robust estimators (MLM, MLR, MLMV) against lavaan
//! 0.6.14 and semTools 0.5-6: the scaled χ² difference tests of `lavTestLRT` (Satorra–Bentler
//! 2001, Satorra 2000 scaled and shifted) and compareFit's differences of the robust indices —
//! tests/fixtures/extra/invariance_robust.json, made by tests/fixtures/extra/invariance_robust.R.

use crate::common::*;
use serde_json::Value;
use surveystat::sem::{DifferenceMethod, Estimator, InvarianceFit, Sem};

const HS_MODEL: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

fn reference(case: &str) -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/invariance_robust.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v[case].clone()
}

fn ladder(est: Estimator) -> InvarianceFit {
    Sem::from_syntax(HS_MODEL)
        .unwrap()
        .estimator(est)
        .invariance("school")
        .fit(&load_data("HolzingerSwineford1939.csv"))
        .unwrap()
}

/// Per step the standard χ² and df against lavaan's default fit (1e-6 relative: second order in
/// the distance from the optimum). The scaling factors, scaled χ², robust indices and the scaled
/// differences depend to first order on the estimates (through Σ̂ in the weights and the
/// Jacobians), so they are compared with the fixture's tightly converged lavaan fits (`*_tight`,
/// BFGS to a Newton step of at most 4e-7) within 1e-6, or 10 × that Newton step where larger.
/// The Satorra–Bentler 2001 difference divides by c_d = (r₀c₀ − r₁c₁)/m, which amplifies the
/// factors' error by (r₀c₀ + r₁c₁)/(m c_d); its tolerance carries that factor.
fn check(case: &str, est: Estimator, method: DifferenceMethod) {
    let r = reference(case);
    let fit = ladder(est);
    let first = |i: usize| (10.0 * f(&r["steps"][i]["max_abs_newton_step_tight"])).max(1e-6);
    for (i, st) in fit.steps().iter().enumerate() {
        let rs = &r["steps"][i];
        let m = &rs["measures_tight"];
        assert_eq!(st.name, rs["name"].as_str().unwrap());
        let what = |k: &str| format!("{case} {} {k}", st.name);
        let tol1 = first(i).max(if i > 0 { first(i - 1) } else { 0.0 });
        assert_rel(&what("chisq"), st.chisq, f(&rs["measures"]["chisq"]), TOL_SEM_CHISQ);
        assert_eq!(st.df, f(&m["df"]));
        for (k, v) in [
            ("chisq.scaled", st.chisq_scaled.unwrap()),
            ("pvalue.scaled", st.pvalue_scaled.unwrap()),
            ("chisq.scaling.factor", st.chisq_scaling_factor.unwrap()),
            ("cfi.robust", st.cfi_robust.unwrap()),
            ("tli.robust", st.tli_robust.unwrap()),
            ("rmsea.robust", st.rmsea_robust.unwrap()),
            ("rmsea.ci.lower.robust", st.rmsea_ci_lower_robust.unwrap()),
            ("rmsea.ci.upper.robust", st.rmsea_ci_upper_robust.unwrap()),
        ] {
            let want = f(&m[k]);
            if k == "pvalue.scaled" && want < 1e-4 {
                assert_rel(&what("-ln pvalue.scaled"), -v.ln(), -want.ln(), first(i));
            } else {
                assert_rel(&what(k), v, want, first(i));
            }
        }
        if i == 0 {
            assert!(st.comparison().is_none());
            continue;
        }
        let c = st.comparison().unwrap();
        assert_eq!(c.method, method);
        let lrt = &rs["lrt_default_tight"];
        assert_eq!(lrt["method"].as_str().unwrap(), method.name());
        assert_eq!(rs["lrt_default"]["method"], lrt["method"]);
        let tol = if method == DifferenceMethod::Satorra2000 {
            tol1
        } else {
            let prev = &r["steps"][i - 1]["measures_tight"];
            let (r0, c0) = (f(&m["df"]), f(&m["chisq.scaling.factor"]));
            let (r1, c1) = (f(&prev["df"]), f(&prev["chisq.scaling.factor"]));
            let cd = (r0 * c0 - r1 * c1) / (r0 - r1);
            tol1 * (r0 * c0 + r1 * c1) / ((r0 - r1) * cd.abs())
        };
        println!(
            "{case} {}: chisq diff {} vs {} (tol {tol:.1e})",
            st.name,
            c.chisq_diff,
            f(&lrt["chisq_diff"])
        );
        assert_rel(&what("chisq diff"), c.chisq_diff, f(&lrt["chisq_diff"]), tol);
        assert_eq!(c.df_diff, f(&lrt["df_diff"]));
        let p_ref = f(&lrt["pvalue"]);
        if p_ref < 1e-4 {
            assert_rel(&what("-ln p"), -c.pvalue.ln(), -p_ref.ln(), tol);
        } else {
            assert_rel(&what("p"), c.pvalue, p_ref, tol);
        }
        assert_eq!(c.lrt_rejected, p_ref < 0.05);
        // compareFit's differences (of the default fits) and the same from the tight fits
        let d = &rs["compareFit_diff"];
        let prev = &r["steps"][i - 1]["measures_tight"];
        for (k, v) in [
            ("cfi.robust", c.cfi_robust_delta.unwrap()),
            ("tli.robust", c.tli_robust_delta.unwrap()),
            ("rmsea.robust", c.rmsea_robust_delta.unwrap()),
        ] {
            let tight = f(&m[k]) - f(&prev[k]);
            assert_abs(&what(&format!("{k} delta")), v, tight, tol1);
            let lavaan = f(&d[k]);
            assert!((v - lavaan).abs() < 1e-4, "{}: {v} vs compareFit {lavaan}", what(k));
        }
        assert_eq!(c.cheung_rensvold_noninvariant, f(&d["cfi.robust"]) < -0.01);
    }
}

#[test]
fn hs_by_school_mlm_satorra_bentler_2001() {
    check("MLM", Estimator::Mlm, DifferenceMethod::SatorraBentler2001);
}

#[test]
fn hs_by_school_mlr_satorra_bentler_2001() {
    check("MLR", Estimator::Mlr, DifferenceMethod::SatorraBentler2001);
}

#[test]
fn hs_by_school_mlmv_satorra_2000() {
    check("MLMV", Estimator::Mlmv, DifferenceMethod::Satorra2000);
}

/// lavTestLRT(method = "satorra.2000") on MLM fits: the same scaled-and-shifted statistic
/// (against the tight fits' value, recorded in `lrt_satorra2000_tight`).
#[test]
fn hs_by_school_mlm_satorra_2000_on_request() {
    let r = reference("MLM");
    let fit = ladder(Estimator::Mlm);
    for i in 1..fit.steps().len() {
        let d = fit.fits()[i].lrt_with(&fit.fits()[i - 1], DifferenceMethod::Satorra2000).unwrap();
        let rs = &r["steps"][i];
        let newton = |k: usize| f(&r["steps"][k]["max_abs_newton_step_tight"]);
        let tol = (10.0 * newton(i).max(newton(i - 1))).max(1e-6);
        assert_rel("satorra.2000", d.chisq, f(&rs["lrt_satorra2000_tight"]["chisq_diff"]), tol);
        assert_eq!(d.df, f(&rs["lrt_satorra2000"]["df_diff"]));
    }
    // MLR has no expected-information pieces for it
    let mlr = ladder(Estimator::Mlr);
    assert!(mlr.fits()[1].lrt_with(&mlr.fits()[0], DifferenceMethod::Satorra2000).is_err());
}
