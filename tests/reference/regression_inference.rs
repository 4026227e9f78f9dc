//! Linear-model inference against R 4.2.2 (stats, sandwich, car):
//! tests/fixtures/extra/regression_factors.R — weighted fits, HC4, cluster-robust covariances,
//! predictions with intervals, ANOVA tables (sequential and Type II), influence measures,
//! linear hypotheses and nested-model F tests.

use crate::common::*;
use crate::regression_factors::{check_vec, fit_case, fixture, nums, strs};
use serde_json::Value;
use surveystat::regression::{HcType, Ols, OlsFit, RankDeficiency, SeType};

const TOL: f64 = TOL_CLOSED_FORM;

fn fit_weighted(c: &Value) -> OlsFit {
    let data = load_data(c["dataset"].as_str().unwrap());
    let mut o = Ols::from_formula(c["formula"].as_str().unwrap())
        .unwrap()
        .rank_deficiency(RankDeficiency::Drop);
    if let Some(w) = c["weights"].as_str() {
        o = o.weights(w);
    }
    if let Some(g) = c["cluster"].as_str() {
        o = o.cluster(g).se_type(SeType::ClusterHc1);
    }
    o.fit_dataset(&data).unwrap()
}

fn check_anova(name: &str, rows: &[surveystat::regression::AnovaRow], want: &Value) {
    let terms = strs(&want["terms"]);
    assert_eq!(
        rows.iter().map(|r| r.term.clone()).collect::<Vec<_>>(),
        terms,
        "{name}: anova terms"
    );
    let df = nums(&want["df"]);
    let ss = nums(&want["sum_sq"]);
    let fv = nums(&want["f_value"]);
    let pv = nums(&want["p_value"]);
    for (k, r) in rows.iter().enumerate() {
        assert_eq!(r.df as f64, df[k], "{name}: df of {}", r.term);
        assert_rel(&format!("{name} SS {}", r.term), r.sum_sq, ss[k], 1e-9);
        if k + 1 < rows.len() {
            assert_rel(&format!("{name} F {}", r.term), r.f_value, fv[k], 1e-9);
            assert_rel(&format!("{name} p {}", r.term), r.p_value, pv[k], 1e-8);
        }
    }
}

fn check_common(name: &str, fit: &OlsFit, c: &Value) {
    assert_eq!(fit.terms(), strs(&c["terms"]).as_slice(), "{name}: terms");
    assert_eq!(fit.n_obs() as u64, c["n"].as_u64().unwrap());
    check_vec(
        &format!("{name} estimate"),
        fit.coefficients().as_slice().unwrap(),
        &nums(&c["estimate"]),
        TOL,
    );
    let classical: Vec<f64> = fit.vcov().diag().iter().map(|v| v.sqrt()).collect();
    check_vec(&format!("{name} se"), &classical, &nums(&c["std_error"]), TOL);
    assert_rel("sigma", fit.sigma(), f(&c["sigma"]), TOL);
    assert_rel("r2", fit.r_squared(), f(&c["r_squared"]), TOL);
    assert_rel("adj r2", fit.adj_r_squared(), f(&c["adj_r_squared"]), TOL);
    assert_rel("F", fit.f_test().unwrap().value, nums(&c["fstatistic"])[0], TOL);
    assert_rel("loglik", fit.log_lik(), f(&c["loglik"]), TOL);
    assert_rel("aic", fit.aic(), f(&c["aic"]), TOL);
    for (t, key) in [
        (HcType::Hc0, "se_HC0"),
        (HcType::Hc1, "se_HC1"),
        (HcType::Hc3, "se_HC3"),
        (HcType::Hc4, "se_HC4"),
    ] {
        let se = fit.hc_std_errors(t).unwrap();
        check_vec(&format!("{name} {key}"), se.as_slice().unwrap(), &nums(&c[key]), TOL);
    }
    if c["cluster"].is_string() {
        for (t, key) in [(HcType::Hc0, "se_cl_HC0"), (HcType::Hc1, "se_cl_HC1")] {
            let v = fit.vcov_cluster(t).unwrap();
            let se: Vec<f64> = v.diag().iter().map(|x| x.sqrt()).collect();
            check_vec(&format!("{name} {key}"), &se, &nums(&c[key]), TOL);
        }
        check_vec(
            &format!("{name} table se"),
            fit.std_errors().as_slice().unwrap(),
            &nums(&c["se_cl_HC1"]),
            TOL,
        );
    }
    check_anova(name, &fit.anova().unwrap(), &c["anova_seq"]);
    if c["anova_type2"].is_object() {
        check_anova(&format!("{name} type II"), &fit.anova_type2().unwrap(), &c["anova_type2"]);
    }
    let inf = fit.influence().unwrap();
    check_vec(&format!("{name} hat"), inf.hat.as_slice().unwrap(), &nums(&c["hatvalues"]), 1e-9);
    check_vec(
        &format!("{name} cooks"),
        inf.cooks_distance.as_slice().unwrap(),
        &nums(&c["cooks_distance"]),
        1e-9,
    );
    check_vec(
        &format!("{name} rstudent"),
        inf.rstudent.as_slice().unwrap(),
        &nums(&c["rstudent"]),
        1e-9,
    );
    check_vec(
        &format!("{name} rstandard"),
        inf.rstandard.as_slice().unwrap(),
        &nums(&c["rstandard"]),
        1e-9,
    );
    let (_, _, dfb) = matrix(&c["dfbetas"]);
    for i in 0..dfb.nrows() {
        for k in 0..dfb.ncols() {
            assert_close(
                &format!("{name} dfbetas[{i},{k}]"),
                inf.dfbetas[[i, k]],
                dfb[[i, k]],
                1e-9,
            );
        }
    }
    // Predictions for the first rows of the data.
    let data = load_data(c["dataset"].as_str().unwrap());
    let rows: Vec<usize> = nums(&c["predict_rows"]).iter().map(|&r| r as usize - 1).collect();
    let nd = data.subset_rows(&rows).unwrap();
    let pr = fit.predict(&nd, 0.95).unwrap();
    // Rows with a missing model variable are not predicted (NA in R).
    let pick = |key: &str| -> Vec<f64> { pr.rows.iter().map(|&r| nums(&c[key])[r]).collect() };
    assert_eq!(pr.rows.len(), nums(&c["predict_fit"]).iter().filter(|v| !v.is_nan()).count());
    check_vec(&format!("{name} predict"), &pr.fit, &pick("predict_fit"), TOL);
    check_vec(&format!("{name} se.fit"), &pr.se_fit, &pick("predict_se"), 1e-9);
    check_vec(&format!("{name} conf lwr"), &pr.conf_lower, &pick("conf_lwr"), TOL);
    check_vec(&format!("{name} conf upr"), &pr.conf_upper, &pick("conf_upr"), TOL);
    check_vec(&format!("{name} pred lwr"), &pr.pred_lower, &pick("pred_lwr"), TOL);
    check_vec(&format!("{name} pred upr"), &pr.pred_upper, &pick("pred_upr"), TOL);
}

fn run(name: &str) {
    let fx = fixture();
    let c = &fx["cases"][name];
    let fit = if c["weights"].is_string() || c["cluster"].is_string() {
        fit_weighted(c)
    } else {
        fit_case(c)
    };
    check_common(name, &fit, c);
}

#[test]
fn inference_unweighted_factor_models() {
    for name in [
        "warp_full",
        "warp_nested",
        "tooth_factor",
        "tooth_funcs",
        "co2_inter",
        "mtcars_factor",
        "mtcars_noint",
        "mtcars_dummy",
        "swiss_pow",
        "air_na",
    ] {
        run(name);
    }
}

#[test]
fn inference_weighted_least_squares() {
    run("mtcars_wls");
}

#[test]
fn inference_cluster_robust() {
    run("co2_cluster");
}

#[test]
fn inference_weighted_and_clustered() {
    run("co2_wls_cluster");
}

#[test]
fn linear_hypotheses_and_nested_models() {
    let fx = fixture();
    let t = &fx["tests"];
    let ds = load_data("swiss.csv");
    let full = Ols::from_formula(t["formula"].as_str().unwrap()).unwrap().fit_dataset(&ds).unwrap();
    let small = Ols::from_formula(t["small"].as_str().unwrap()).unwrap().fit_dataset(&ds).unwrap();
    for (h, key) in [
        ("Agriculture = Education", "agri_eq_educ"),
        ("Agriculture = 0, Examination = 0", "agri_exam_zero"),
    ] {
        let r = full.linear_hypothesis(h).unwrap();
        assert_rel(&format!("{key} F"), r.value, f(&t[key]["f"]), TOL);
        assert_eq!(r.df1, f(&t[key]["df1"]));
        assert_eq!(r.df2, f(&t[key]["df2"]));
        assert_rel(&format!("{key} p"), r.p_value, f(&t[key]["p_value"]), 1e-9);
    }
    let hc1 = Ols::from_formula(t["formula"].as_str().unwrap())
        .unwrap()
        .se_type(SeType::Hc1)
        .fit_dataset(&ds)
        .unwrap();
    let r = hc1.linear_hypothesis("Agriculture = Education").unwrap();
    assert_rel("hc1 F", r.value, f(&t["agri_eq_educ_hc1"]["f"]), TOL);
    assert_rel("hc1 p", r.p_value, f(&t["agri_eq_educ_hc1"]["p_value"]), 1e-9);
    let a = full.anova_nested(&small).unwrap();
    assert_rel("nested F", a.value, f(&t["anova_nested"]["f"]), TOL);
    assert_eq!(a.df1, f(&t["anova_nested"]["df"]));
    assert_rel("nested p", a.p_value, f(&t["anova_nested"]["p_value"]), 1e-9);
}
