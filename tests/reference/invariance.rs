//! Measurement invariance against lavaan 0.6.14 and semTools 0.5-6: the ladder's fit measures,
//! the lavTestLRT chain, compareFit's differences in fit indices and lavTestScore —
//! tests/fixtures/extra/invariance.json, made by tests/fixtures/extra/invariance.R.

use crate::common::*;
use serde_json::Value;
use surveystat::sem::{GroupEqual, InvarianceFit, InvarianceStep, Sem};

const HS_MODEL: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";
const STUDY_CFA: &str = "GS =~ GS1 + GS2 + GS3\nST =~ ST1 + ST2 + ST3 + ST4\n\
AC =~ AC1 + AC2 + AC3 + AC4\nMT =~ MT1 + MT2 + MT3\nLP =~ LP1 + LP2 + LP3\nIM =~ IM1 + IM2 + IM3\n\
RS =~ RS1 + RS2 + RS3 + RS4";

fn reference(case: &str) -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/invariance.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v[case].clone()
}

fn ladder(model: &str, data: &str, group: &str, steps: Vec<InvarianceStep>) -> InvarianceFit {
    Sem::from_syntax(model).unwrap().invariance(group).steps(steps).fit(&load_data(data)).unwrap()
}

fn metric_steps() -> Vec<InvarianceStep> {
    vec![
        InvarianceStep::new("configural", []),
        InvarianceStep::new("metric", [GroupEqual::Loadings]),
    ]
}

/// The fit measures of each step and the comparisons with the step before: χ²-based measures
/// and the differences within 1e-6 relative (second order in the distance from the optimum);
/// SRMR and its difference within 10 × lavaan's distance from the optimum (first order).
fn check_ladder(case: &str, fit: &InvarianceFit) {
    let r = reference(case);
    let labels: Vec<&str> =
        r["group_labels"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(fit.group_labels(), labels.as_slice());
    for (i, st) in fit.steps().iter().enumerate() {
        let rs = &r["steps"][i];
        assert_eq!(st.name, rs["name"].as_str().unwrap());
        let tol = (10.0 * f(&rs["max_abs_newton_step"])).max(1e-5);
        let what = |k: &str| format!("{case} {} {k}", st.name);
        // A p-value of 1e-11 moves with χ² by d ln p ≈ (dχ²/χ²)·χ²/2: below 1e-4 it is compared
        // on the −ln p scale at the χ² tolerance.
        let p_ref = f(&rs["pvalue"]);
        if p_ref == 0.0 {
            assert!(st.pvalue < 1e-300, "{}: {}", what("pvalue"), st.pvalue);
        } else if p_ref < 1e-4 {
            assert_rel(&what("-ln pvalue"), -st.pvalue.ln(), -p_ref.ln(), TOL_SEM_CHISQ);
        } else {
            assert_rel(&what("pvalue"), st.pvalue, p_ref, TOL_SEM_CHISQ);
        }
        for (k, v) in [
            ("npar", st.npar),
            ("chisq", st.chisq),
            ("df", st.df),
            ("cfi", st.cfi),
            ("tli", st.tli),
            ("rmsea", st.rmsea),
            ("rmsea.ci.lower", st.rmsea_ci_lower),
            ("rmsea.ci.upper", st.rmsea_ci_upper),
            ("aic", st.aic),
            ("bic", st.bic),
        ] {
            assert_rel(&what(k), v, f(&rs[k]), TOL_SEM_CHISQ);
        }
        assert_rel(&what("srmr"), st.srmr, f(&rs["srmr"]), tol);
        if i == 0 {
            assert!(st.comparison().is_none());
            continue;
        }
        let c = st.comparison().unwrap();
        let lrt = &r["lrt"][i - 1];
        assert_rel(&what("chisq diff"), c.chisq_diff, f(&lrt["chisq_diff"]), TOL_SEM_CHISQ);
        assert_eq!(c.df_diff, f(&lrt["df_diff"]));
        assert_rel(&what("lrt p"), c.pvalue, f(&lrt["pvalue"]), TOL_SEM_CHISQ);
        assert_eq!(c.lrt_rejected, f(&lrt["pvalue"]) < 0.05);
        let d = &r["compare_fit_diff"][i - 1];
        assert_eq!(d["comparison"].as_str().unwrap(), format!("{} - {}", st.name, c.against));
        // differences of second-order quantities: absolute 1e-6 × the size of the index
        assert_abs(&what("cfi.delta"), c.cfi_delta, f(&d["cfi"]), TOL_SEM_CHISQ);
        assert_abs(&what("tli.delta"), c.tli_delta, f(&d["tli"]), TOL_SEM_CHISQ);
        assert_abs(&what("rmsea.delta"), c.rmsea_delta, f(&d["rmsea"]), TOL_SEM_CHISQ);
        assert_abs(&what("srmr.delta"), c.srmr_delta, f(&d["srmr"]), tol);
        assert_eq!(c.cheung_rensvold_noninvariant, f(&d["cfi"]) < -0.01);
        assert_eq!(c.chen_noninvariant, f(&d["cfi"]) <= -0.010 && f(&d["rmsea"]) >= 0.015);
    }
}

#[test]
fn hs_by_school_configural_metric() {
    let fit = ladder(HS_MODEL, "HolzingerSwineford1939.csv", "school", metric_steps());
    check_ladder("hs_school", &fit);
    let s = fit.supported_step(true).unwrap();
    assert_eq!(s.name, "metric");
}

#[test]
fn study_by_region_configural_metric() {
    let fit = ladder(STUDY_CFA, "study_survey.csv", "region", metric_steps());
    check_ladder("study_region", &fit);
}

/// lavTestScore on the metric model: each univariate χ²(1) and the total. The statistics are
/// first order in the distance of the estimates from the optimum, so they are compared within
/// 10 × lavaan's distance from the optimum (the fixture's largest Newton step), at least 1e-5.
fn check_scores(case: &str, step: &str, fit: &InvarianceFit) {
    let r = reference(case);
    let i = fit.steps().iter().position(|s| s.name == step).unwrap();
    let tol = (10.0 * f(&r["steps"][i]["max_abs_newton_step"])).max(1e-5);
    let sc = fit.fits()[i].score_tests().unwrap();
    let rs = &r[format!("score_{step}")];
    let uni = rs["uni"].as_array().unwrap();
    assert_eq!(sc.univariate.len(), uni.len(), "{case} {step}: number of constraints");
    let mut worst = 0.0f64;
    for u in uni {
        let (lhs, op, rhs) =
            (u["lhs"].as_str().unwrap(), u["op"].as_str().unwrap(), u["rhs"].as_str().unwrap());
        let gb = u["group_b"].as_u64().unwrap() as usize;
        let mine = sc
            .univariate
            .iter()
            .find(|c| c.lhs == lhs && c.op == op && c.rhs == rhs && c.group_b == gb)
            .unwrap_or_else(|| panic!("{case} {step}: no score test of {lhs} {op} {rhs}"));
        assert_eq!(mine.group_a, u["group_a"].as_u64().unwrap() as usize);
        let d = (mine.x2 - f(&u["x2"])).abs() / f(&u["x2"]).max(1.0);
        worst = worst.max(d);
        assert!(d < tol, "{case} {step} {lhs} {op} {rhs}: X2 {} vs {}", mine.x2, f(&u["x2"]));
    }
    let t = &rs["total"];
    assert_eq!(sc.total_df, f(&t["df"]));
    assert_rel(&format!("{case} {step} total X2"), sc.total_x2, f(&t["x2"]), tol);
    eprintln!("{case} {step}: worst relative score difference {worst:.2e} (tolerance {tol:.1e})");
}

#[test]
fn hs_score_tests_metric() {
    let fit = ladder(HS_MODEL, "HolzingerSwineford1939.csv", "school", metric_steps());
    check_scores("hs_school", "metric", &fit);
}

#[test]
fn study_score_tests_metric() {
    let fit = ladder(STUDY_CFA, "study_survey.csv", "region", metric_steps());
    check_scores("study_region", "metric", &fit);
}

#[test]
fn hs_by_school_full_ladder() {
    let fit = Sem::from_syntax(HS_MODEL)
        .unwrap()
        .invariance("school")
        .fit(&load_data("HolzingerSwineford1939.csv"))
        .unwrap();
    let names: Vec<&str> = fit.steps().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["configural", "metric", "scalar", "strict"]);
    check_ladder("hs_school", &fit);
    // lavTestLRT rejects scalar against metric at 5 %: metric is the last supported step.
    assert_eq!(fit.supported_step(true).unwrap().name, "metric");
}

#[test]
fn study_by_region_full_ladder() {
    let fit = Sem::from_syntax(STUDY_CFA)
        .unwrap()
        .invariance("region")
        .fit(&load_data("study_survey.csv"))
        .unwrap();
    check_ladder("study_region", &fit);
}

/// Latent means of the scalar model (fixed at 0 in the first group, free in the others) with
/// their SEs, z and p, and the standardized differences (pooled n-weighted and reference-group
/// latent variance), against lavaan's parameterEstimates.
#[test]
fn latent_mean_differences_of_the_scalar_model() {
    for (case, model, data, group) in [
        ("hs_school", HS_MODEL, "HolzingerSwineford1939.csv", "school"),
        ("study_region", STUDY_CFA, "study_survey.csv", "region"),
    ] {
        let r = reference(case);
        let fit = surveystat::sem::MultiGroupSem::new(Sem::from_syntax(model).unwrap(), group)
            .equal([GroupEqual::Loadings, GroupEqual::Intercepts])
            .fit(&load_data(data))
            .unwrap();
        let d = fit.latent_mean_differences().unwrap();
        let Some(refs) = r["latent_means_scalar"].as_array() else {
            panic!("{case}: no latent means in the fixture")
        };
        assert_eq!(d.len(), refs.len());
        let tol = (10.0 * f(&r["steps"][2]["max_abs_newton_step"])).max(1e-5);
        for (ours, theirs) in d.iter().zip(refs) {
            assert_eq!(ours.lv, theirs["lv"].as_str().unwrap());
            assert_eq!(ours.group_index as f64, f(&theirs["group"]));
            let what = |k: &str| format!("{case} {} g{} {k}", ours.lv, ours.group_index);
            assert_abs(&what("est"), ours.est, f(&theirs["est"]), tol);
            assert_rel(&what("se"), ours.se.unwrap(), f(&theirs["se"]), tol);
            assert_abs(&what("z"), ours.z.unwrap(), f(&theirs["z"]), 100.0 * tol);
            assert_rel(
                &what("var_reference"),
                ours.var_reference,
                f(&theirs["var_reference"]),
                tol,
            );
            assert_rel(&what("var_pooled"), ours.var_pooled, f(&theirs["var_pooled"]), tol);
            assert_abs(&what("d_pooled"), ours.d_pooled, f(&theirs["d_pooled"]), tol);
            assert_abs(&what("d_reference"), ours.d_reference, f(&theirs["d_reference"]), tol);
        }
    }
    // Without equal intercepts the latent means are not estimated: a typed error.
    let fit = surveystat::sem::MultiGroupSem::new(Sem::from_syntax(HS_MODEL).unwrap(), "school")
        .equal([GroupEqual::Loadings])
        .fit(&load_data("HolzingerSwineford1939.csv"))
        .unwrap();
    assert!(fit.latent_mean_differences().unwrap_err().to_string().contains("Intercepts"));
}

/// lavTestScore on the models with a structured mean part (equal intercepts, then equal
/// residual variances too): the information and the score include the mean part.
#[test]
fn hs_score_tests_scalar_strict() {
    let fit = Sem::from_syntax(HS_MODEL)
        .unwrap()
        .invariance("school")
        .fit(&load_data("HolzingerSwineford1939.csv"))
        .unwrap();
    check_scores("hs_school", "scalar", &fit);
    check_scores("hs_school", "strict", &fit);
}

#[test]
fn study_score_tests_scalar_strict() {
    let fit = Sem::from_syntax(STUDY_CFA)
        .unwrap()
        .invariance("region")
        .fit(&load_data("study_survey.csv"))
        .unwrap();
    check_scores("study_region", "scalar", &fit);
    check_scores("study_region", "strict", &fit);
}

/// The partial-invariance search against the same search run with lavaan (lavTestScore,
/// group.partial, lavTestLRT against the metric model): the constraint freed at each refit, its
/// score statistic (first order: 10 × lavaan's distance from the optimum) and the refit's χ²,
/// df, CFI, RMSEA and the χ² difference test (1e-6 relative).
fn check_partial(case: &str, fit: &InvarianceFit, search: &surveystat::sem::PartialSearch) {
    let r = reference(case);
    let seq = r["partial_scalar"].as_array().unwrap();
    assert_eq!(search.step, "scalar");
    assert_eq!(search.against, "metric");
    assert_eq!(search.sequence.len(), seq.len(), "{case}: length of the sequence");
    let tol = (10.0 * f(&r["steps"][2]["max_abs_newton_step"])).max(1e-5);
    for (i, (ours, theirs)) in search.sequence.iter().zip(seq).enumerate() {
        let what = |k: &str| format!("{case} partial {i} {k}");
        assert_eq!(ours.freed_lhs, theirs["freed_lhs"].as_str().unwrap(), "{}", what("freed"));
        assert_eq!(ours.freed_op, "~1");
        assert_eq!(ours.freed, format!("{} ~ 1", ours.freed_lhs));
        assert_rel(&what("score X2"), ours.score_x2, f(&theirs["x2"]), tol);
        // χ²-based measures are second order in the distance from the optimum
        let tol_fit = TOL_SEM_CHISQ;
        for (k, v) in [
            ("chisq", ours.chisq),
            ("df", ours.df),
            ("cfi", ours.cfi),
            ("rmsea", ours.rmsea),
            ("chisq_diff", ours.chisq_diff),
            ("df_diff", ours.df_diff),
            ("pvalue", ours.pvalue),
        ] {
            assert_rel(&what(k), v, f(&theirs[k]), tol_fit);
        }
        assert_eq!(ours.accepted, f(&theirs["pvalue"]) >= 0.05);
    }
    assert!(search.accepted);
    let metric = fit.steps().iter().find(|s| s.name == "metric").unwrap();
    let first = &search.sequence[0];
    assert_rel("Δχ² identity", first.chisq_diff + metric.chisq, first.chisq, 1e-12);
}

#[test]
fn hs_partial_scalar_search() {
    let inv = Sem::from_syntax(HS_MODEL).unwrap().invariance("school");
    let data = load_data("HolzingerSwineford1939.csv");
    let fit = inv.fit(&data).unwrap();
    let search =
        inv.partial_search(&data, &fit, surveystat::sem::PartialRule::Lrt).unwrap().unwrap();
    check_partial("hs_school", &fit, &search);
    assert_eq!(search.partial(), ["x3 ~ 1", "x7 ~ 1"]);
    // the latent means of the accepted partial model, against lavaan's
    let r = reference("hs_school");
    let refs = r["latent_means_partial"].as_array().unwrap();
    let d = search.fit().latent_mean_differences().unwrap();
    assert_eq!(d.len(), refs.len());
    let seq = r["partial_scalar"].as_array().unwrap();
    let tol = (10.0 * f(&seq[seq.len() - 1]["max_abs_newton_step"])).max(1e-5);
    for (ours, theirs) in d.iter().zip(refs) {
        assert_eq!(ours.lv, theirs["lv"].as_str().unwrap());
        assert_abs(&format!("partial {} est", ours.lv), ours.est, f(&theirs["est"]), tol);
        assert_rel(&format!("partial {} se", ours.lv), ours.se.unwrap(), f(&theirs["se"]), tol);
    }
    // the study passes the scalar step: nothing to search
    let inv = Sem::from_syntax(STUDY_CFA).unwrap().invariance("region");
    let data = load_data("study_survey.csv");
    let fit = inv.fit(&data).unwrap();
    assert!(inv.partial_search(&data, &fit, surveystat::sem::PartialRule::Lrt).unwrap().is_none());
}

/// psych's bfi (25 items, five factors, listwise) by gender: the full ladder, the score tests of
/// every step and the first five refits of the partial-scalar search (lavaan's search stops
/// there too; the scalar model is still rejected).
#[test]
fn bfi_by_gender_ladder() {
    let model = "agree =~ A1 + A2 + A3 + A4 + A5\nconsc =~ C1 + C2 + C3 + C4 + C5\n\
extra =~ E1 + E2 + E3 + E4 + E5\nneuro =~ N1 + N2 + N3 + N4 + N5\nopen =~ O1 + O2 + O3 + O4 + O5";
    let inv = Sem::from_syntax(model).unwrap().invariance("gender").max_freed(5);
    let data = load_data("bfi.csv");
    let fit = inv.fit(&data).unwrap();
    let r = reference("bfi_gender");
    assert_eq!(fit.n_group().iter().sum::<usize>() as f64, f(&r["n_listwise"]));
    check_ladder("bfi_gender", &fit);
    for step in ["metric", "scalar", "strict"] {
        check_scores("bfi_gender", step, &fit);
    }
    let search =
        inv.partial_search(&data, &fit, surveystat::sem::PartialRule::Lrt).unwrap().unwrap();
    assert!(!search.accepted);
    let seq = r["partial_scalar"].as_array().unwrap();
    assert_eq!(search.sequence.len(), seq.len());
    let tol = (10.0 * f(&r["steps"][2]["max_abs_newton_step"])).max(1e-5);
    for (i, (ours, theirs)) in search.sequence.iter().zip(seq).enumerate() {
        assert_eq!(ours.freed_lhs, theirs["freed_lhs"].as_str().unwrap(), "bfi partial {i}");
        assert_rel(&format!("bfi partial {i} score"), ours.score_x2, f(&theirs["x2"]), tol);
        for k in ["chisq", "df", "cfi", "rmsea", "chisq_diff"] {
            let v = match k {
                "chisq" => ours.chisq,
                "df" => ours.df,
                "cfi" => ours.cfi,
                "rmsea" => ours.rmsea,
                _ => ours.chisq_diff,
            };
            assert_rel(&format!("bfi partial {i} {k}"), v, f(&theirs[k]), TOL_SEM_CHISQ);
        }
        assert_rel(
            &format!("bfi partial {i} -ln p"),
            -ours.pvalue.ln(),
            -f(&theirs["pvalue"]).ln(),
            TOL_SEM_CHISQ,
        );
    }
}
