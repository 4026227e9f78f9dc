//! Multi-group ordinal SEM (WLSMV / DWLS, delta parameterization, `group.equal` thresholds and
//! loadings) and the scaled χ² difference tests of the ordinal invariance steps against R lavaan
//! 0.6.14 on HolzingerSwineford1939 items cut at fixed breakpoints, by school
//! (tests/fixtures/extra/sem_ordinal_groups.R → sem_ordinal_groups.json,
//! data/HS_ordinal_school.csv).

use serde_json::Value;

use crate::common::*;
use surveystat::sem::{
    DifferenceMethod, Estimator, GroupEqual, MultiGroupFit, MultiGroupSem, Parameterization, Sem,
};

const CFA: &str = "vis =~ o1 + o2 + o3\ntex =~ o4 + o5 + o6\nspd =~ o7 + o8 + o9";
const ORD: [&str; 9] = ["o1", "o2", "o3", "o4", "o5", "o6", "o7", "o8", "o9"];

fn fixture() -> Value {
    let p = fixture_path("extra/sem_ordinal_groups.json");
    serde_json::from_str(&std::fs::read_to_string(p).expect("sem_ordinal_groups.json"))
        .expect("json")
}

fn fit(equal: &[GroupEqual], est: Option<Estimator>) -> MultiGroupFit {
    fit_par(equal, est, Parameterization::Delta)
}

fn fit_par(equal: &[GroupEqual], est: Option<Estimator>, par: Parameterization) -> MultiGroupFit {
    let data = load_data("HS_ordinal_school.csv");
    let mut sem = Sem::from_syntax(CFA).unwrap().ordered(&ORD).parameterization(par);
    if let Some(e) = est {
        sem = sem.estimator(e);
    }
    MultiGroupSem::new(sem, "school").equal(equal.iter().copied()).fit(&data).unwrap()
}

/// Estimates, SEs and std.all of every row lavaan reports, per group, and the fit measures.
///
/// lavaan stops these fits at max |gradient| ≈ 1e-6, up to 3.5e-5 from the optimum in the
/// estimates (the fixture's `newton_step_max`: lavaan's own Newton step H⁻¹g at its estimates).
/// So the free estimates are compared with lavaan's Newton-refined values (`newton` = est −
/// step) at 1e-5, the derived quantities (residual variances of y*, SEs, std.all) at 1e-5 plus
/// twice lavaan's distance; our objective must be at most lavaan's and our gradient smaller.
/// The p-values below 1e-3 of the fits lavaan stops more than 1e-6 away move by up to 1e-4
/// relative with a 1e-7 relative change of χ², and are compared at 2e-4 there; p-values
/// below .05 move by about ten times the relative change of χ² (2.3e-6 measured for the
/// RMSEA close-fit p of `loadings_only`, where lavaan stops 2.9e-6 away) and are compared at
/// 1e-5 when lavaan stops more than 1e-6 away.
///
/// The measures that are first order in the estimates (SRMR, the shift, the categorical-ML
/// `.robust` ones) of the fits lavaan stops more than `FAR` from the optimum (the theta fits:
/// up to 4.5e-4) are compared at 10 × lavaan's distance; [`ordinal_theta_equals_delta`] checks
/// them at 1e-6 against lavaan's tighter delta fits of the same models.
fn check(case: &str, fit: &MultiGroupFit) {
    let fx = fixture();
    let c = &fx[case];
    let step = f(&c["newton_step_max"]);
    let tol_derived = TOL_SEM_EST + 2.0 * step;
    let mut worst = 0.0f64;
    let mut fails = Vec::new();
    let mut n_rows = 0;
    for row in c["parameter_estimates"].as_array().unwrap() {
        let (lhs, op, rhs) = (
            row["lhs"].as_str().unwrap(),
            row["op"].as_str().unwrap(),
            row["rhs"].as_str().unwrap(),
        );
        let g = row["group"].as_u64().unwrap() as usize - 1;
        let ours = fit.groups()[g]
            .parameter(lhs, op, rhs)
            .unwrap_or_else(|| panic!("{case}: no {lhs}{op}{rhs} in group {}", g + 1));
        let id = format!("{case} g{} {lhs}{op}{rhs}", g + 1);
        let free = f(&row["se"]) > 0.0;
        let (est_ref, est_tol) =
            if free { (f(&row["newton"]), TOL_SEM_EST) } else { (f(&row["est"]), tol_derived) };
        for (what, a, b, tol) in [
            ("est", ours.est, est_ref, est_tol),
            ("se", ours.se.unwrap(), f(&row["se"]), tol_derived),
            ("std.all", ours.std_all.unwrap(), f(&row["std_all"]), tol_derived),
        ] {
            worst = worst.max((a - b).abs());
            if (a - b).abs() > tol {
                fails.push(format!("{id} {what}: {a} vs {b}"));
            }
        }
        n_rows += 1;
    }
    for (name, v) in named(&c["fit_measures"]) {
        // the categorical-ML `.robust` measures: lavaan reports NA (and we NaN) once the
        // thresholds are constrained across groups
        let ours = fit.fit_measure(&name).unwrap_or_else(|| panic!("{case}: no {name}"));
        let first_order = name == "srmr" || name.ends_with(".robust") || name.contains("shift");
        let tol = match (name.contains("pvalue") && step > 1e-6, v) {
            _ if first_order && step > FAR => 10.0 * step,
            (true, v) if v < 1e-3 => 2e-4,
            (true, v) if v < 0.05 => 1e-5,
            _ => TOL_SEM_CHISQ,
        };
        if v.is_nan() {
            if !ours.is_nan() {
                fails.push(format!("{case} {name}: {ours} where lavaan has NA"));
            }
        } else if ours.is_nan() || rel_err(ours, v) > tol {
            fails.push(format!("{case} {name}: {ours} vs {v}"));
        }
    }
    if let Some(ss) = c["tests"].get("scaled.shifted") {
        let shift = fit.fit_measure("chisq.shift.parameter").unwrap();
        let tol = if step > FAR { 10.0 * step } else { TOL_SEM_CHISQ };
        if rel_err(shift, f(&ss["shift.parameter"])) > tol {
            fails.push(format!("{case} shift: {shift} vs {}", f(&ss["shift.parameter"])));
        }
    }
    let (fmin, fmin_r) = (fit.fit_measure("fmin").unwrap(), f(&c["fit_measures"]["fmin"]));
    if fmin > fmin_r * (1.0 + 1e-12) {
        fails.push(format!("{case} fmin {fmin} above lavaan's {fmin_r}"));
    }
    let grad = fit.gradient_max();
    if grad >= f(&c["optim_gradient_max"]) {
        fails.push(format!("{case} gradient {grad:.2e} not below lavaan's"));
    }
    println!("{case}: {n_rows} rows, worst difference {worst:.2e}, gradient {grad:.1e}");
    assert!(fails.is_empty(), "{} failures:\n{}", fails.len(), fails.join("\n"));
}

#[test]
fn ordinal_configural_wlsmv() {
    check("configural", &fit(&[], None));
}

#[test]
fn ordinal_equal_thresholds_wlsmv() {
    check("thresholds", &fit(&[GroupEqual::Thresholds], None));
}

#[test]
fn ordinal_equal_thresholds_and_loadings_wlsmv() {
    check("loadings", &fit(&[GroupEqual::Thresholds, GroupEqual::Loadings], None));
}

#[test]
fn ordinal_equal_loadings_only_wlsmv() {
    check("loadings_only", &fit(&[GroupEqual::Loadings], None));
}

#[test]
fn ordinal_configural_theta() {
    check("configural_theta", &fit_par(&[], None, Parameterization::Theta));
}

/// Theta with equal thresholds: the residual variances of y* are free after the first group.
#[test]
fn ordinal_equal_thresholds_theta() {
    check("thresholds_theta", &fit_par(&[GroupEqual::Thresholds], None, Parameterization::Theta));
}

#[test]
fn ordinal_equal_thresholds_and_loadings_theta() {
    let equal = [GroupEqual::Thresholds, GroupEqual::Loadings];
    check("loadings_theta", &fit_par(&equal, None, Parameterization::Theta));
}

/// lavaan's distance from the optimum beyond which first-order measures are compared at 10 ×
/// that distance.
const FAR: f64 = 5e-5;

/// The theta and delta parameterizations of the configural and the thresholds-and-loadings
/// models are the same models (same χ², df and fitted statistics): every fit measure of our
/// theta fits agrees within 1e-6 with lavaan's delta fits, which lavaan stops closer to the
/// optimum (the p-values below .05 as in `check`).
#[test]
fn ordinal_theta_equals_delta() {
    let fx = fixture();
    let equal = [GroupEqual::Thresholds, GroupEqual::Loadings];
    for (case, eq) in [("configural", &[][..]), ("loadings", &equal[..])] {
        let theta = fit_par(eq, None, Parameterization::Theta);
        let step = f(&fx[case]["newton_step_max"]);
        let mut n = 0;
        for (name, v) in named(&fx[case]["fit_measures"]) {
            let ours = theta.fit_measure(&name).unwrap_or_else(|| panic!("{case}: no {name}"));
            if v.is_nan() {
                assert!(ours.is_nan(), "{case} {name}: {ours} where lavaan has NA");
                continue;
            }
            let tol = match (name.contains("pvalue") && step > 1e-6, v) {
                (true, v) if v < 1e-3 => 2e-4,
                (true, v) if v < 0.05 => 1e-5,
                _ => TOL_SEM_CHISQ,
            };
            assert!(rel_err(ours, v) <= tol, "{case} theta {name}: {ours} vs delta {v}");
            n += 1;
        }
        assert!(n >= 25, "{case}: {n} measures");
    }
}

#[test]
fn ordinal_configural_dwls() {
    check("configural_dwls", &fit(&[], Some(Estimator::Dwls)));
}

/// lavTestLRT of two WLSMV fits: Satorra (2000) scaled and shifted (lavaan 0.6.14's default for
/// WLSMV), the first-order quantities at lavaan's distance from the optimum.
fn check_lrt(case: &str, a: &MultiGroupFit, b: &MultiGroupFit) {
    let fx = fixture();
    let c = &fx[case];
    assert!(c["method"].as_str().unwrap().contains("satorra.2000"), "{case}: method");
    let d = a.lrt_scaled(b).unwrap();
    assert_eq!(d.method, DifferenceMethod::Satorra2000, "{case}");
    assert_eq!(d.df, f(&c["df_diff"]), "{case} df");
    let chisq: Vec<f64> = c["chisq"].as_array().unwrap().iter().map(f).collect();
    assert_rel(&format!("{case} unscaled"), d.chisq_unscaled, chisq[1] - chisq[0], TOL_SEM_CHISQ);
    assert_rel(&format!("{case} chisq diff"), d.chisq, f(&c["chisq_diff"]), LRT_TOL);
    assert_rel(&format!("{case} p"), d.pvalue, f(&c["pvalue"]), LRT_TOL);
}

/// The scaled difference is a function of the Jacobians and weights at the estimates, which
/// lavaan leaves up to 3.5e-5 from the optimum (see `check`).
const LRT_TOL: f64 = 1e-4;

#[test]
fn ordinal_scaled_difference_tests() {
    let c = fit(&[], None);
    let t = fit(&[GroupEqual::Thresholds], None);
    let l = fit(&[GroupEqual::Thresholds, GroupEqual::Loadings], None);
    check_lrt("lrt_configural_thresholds", &t, &c);
    check_lrt("lrt_thresholds_loadings", &t, &l);
    check_lrt("lrt_configural_loadings", &c, &l);
}

#[test]
fn ordinal_invariance_ladder() {
    let data = load_data("HS_ordinal_school.csv");
    let sem = Sem::from_syntax(CFA).unwrap().ordered(&ORD);
    let ladder = sem.invariance("school").fit(&data).unwrap();
    let names: Vec<&str> = ladder.steps().iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["configural", "thresholds", "loadings"]);
    let fx = fixture();
    for (step, case) in ladder.steps().iter().zip(["configural", "thresholds", "loadings"]) {
        let fm = &fx[case]["fit_measures"];
        assert_rel(&format!("{case} chisq"), step.chisq, f(&fm["chisq"]), TOL_SEM_CHISQ);
        assert_eq!(step.df, f(&fm["df"]), "{case} df");
        let scaled = step.chisq_scaled.unwrap();
        assert_rel(&format!("{case} chisq.scaled"), scaled, f(&fm["chisq.scaled"]), TOL_SEM_CHISQ);
    }
    for (step, (case, prev)) in ladder.steps().iter().skip(1).zip([
        ("lrt_configural_thresholds", "configural"),
        ("lrt_thresholds_loadings", "thresholds"),
    ]) {
        let cmp = step.comparison().unwrap();
        assert_eq!(cmp.against, prev);
        assert_eq!(cmp.method, DifferenceMethod::Satorra2000);
        assert_rel(&format!("{case} ladder"), cmp.chisq_diff, f(&fx[case]["chisq_diff"]), LRT_TOL);
        let this = if prev == "configural" { "thresholds" } else { "loadings" };
        let dcfi = f(&fx[this]["fit_measures"]["cfi"]) - f(&fx[prev]["fit_measures"]["cfi"]);
        assert_abs(&format!("{case} cfi.delta"), cmp.cfi_delta, dcfi, TOL_SEM_CHISQ);
        let drmsea = f(&fx[this]["fit_measures"]["rmsea"]) - f(&fx[prev]["fit_measures"]["rmsea"]);
        assert_abs(&format!("{case} rmsea.delta"), cmp.rmsea_delta, drmsea, TOL_SEM_CHISQ);
    }
}

/// A category observed in one group only is a typed error naming the item and the group (lavaan
/// refuses such a fit too).
#[test]
fn ordinal_category_missing_in_a_group_is_an_error() {
    let text = std::fs::read_to_string(fixture_path("data/HS_ordinal_school.csv")).unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        // merge o1's top category into the middle one in Pasteur only
        if i > 0 && cells[0] == "Pasteur" && cells[1] == "3" {
            cells[1] = "2".into();
        }
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    let data = surveystat::data::Dataset::from_csv_str(&out, "merged").unwrap();
    let sem = Sem::from_syntax(CFA).unwrap().ordered(&ORD);
    let err = MultiGroupSem::new(sem, "school").fit(&data).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("`o1`") && msg.contains("Pasteur"), "{msg}");
}

/// lavTestScore of the cross-group equality constraints of WLSMV fits (lavaan's ordinary score
/// test N gᵀ J⁻¹ g with the DWLS objective's gradient and expected information): the total and
/// every univariate statistic. They are first order in the distance from the optimum, so the
/// tolerance is 10 × lavaan's Newton step at its estimates, at least 1e-6.
#[test]
fn ordinal_score_tests() {
    let fx = fixture();
    let cases: [(&str, &str, &[GroupEqual]); 3] = [
        ("score_thresholds", "thresholds", &[GroupEqual::Thresholds]),
        ("score_loadings", "loadings", &[GroupEqual::Thresholds, GroupEqual::Loadings]),
        ("score_loadings_only", "loadings_only", &[GroupEqual::Loadings]),
    ];
    for (case, model, equal) in cases {
        let c = &fx[case];
        let tol = (10.0 * f(&fx[model]["newton_step_max"])).max(1e-6);
        let st = fit(equal, None).score_tests().unwrap();
        assert_eq!(st.total_df, f(&c["total_df"]), "{case} df");
        assert_rel(&format!("{case} total"), st.total_x2, f(&c["total_x2"]), tol);
        let uni = c["uni"].as_array().unwrap();
        assert_eq!(st.univariate.len(), uni.len(), "{case}: number of constraints");
        let mut worst = 0.0f64;
        for u in uni {
            let (lhs, op, rhs) =
                (u["lhs"].as_str().unwrap(), u["op"].as_str().unwrap(), u["rhs"].as_str().unwrap());
            let g = u["group"].as_u64().unwrap() as usize;
            let ours = st
                .univariate
                .iter()
                .find(|s| s.lhs == lhs && s.op == op && s.rhs == rhs && s.group_b == g)
                .unwrap_or_else(|| panic!("{case}: no test of {lhs}{op}{rhs} group {g}"));
            let r = f(&u["x2"]);
            worst = worst.max(rel_err(ours.x2, r));
            assert_rel(&format!("{case} {lhs}{op}{rhs} g{g}"), ours.x2, r, tol);
        }
        println!("{case}: {} tests, worst relative difference {worst:.1e}", uni.len());
    }
}

/// The latent mean comparison of the ordinal ladder comes from the first step with equal
/// thresholds and loadings: κ_g, its SE, z and p are lavaan's `~1` rows of the second group,
/// and the standardized differences use lavaan's latent variances.
#[test]
fn ordinal_ladder_latent_means() {
    use surveystat::sem::InvarianceReport;
    let data = load_data("HS_ordinal_school.csv");
    let sem = Sem::from_syntax(CFA).unwrap().ordered(&ORD);
    let ladder = sem.invariance("school").fit(&data).unwrap();
    let report = InvarianceReport::new(&ladder).unwrap();
    let (step, means) = report.latent_means().expect("latent means");
    assert_eq!(step, "loadings");
    let fx = fixture();
    let c = &fx["loadings"];
    let tol = TOL_SEM_EST + 2.0 * f(&c["newton_step_max"]);
    let row = |lhs: &str, op: &str, rhs: &str, g: u64| {
        c["parameter_estimates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["lhs"] == lhs && r["op"] == op && r["rhs"] == rhs && r["group"] == g)
            .unwrap_or_else(|| panic!("no {lhs}{op}{rhs} in group {g}"))
            .clone()
    };
    let nobs: Vec<f64> = c["nobs"].as_array().unwrap().iter().map(f).collect();
    assert_eq!(means.len(), 3);
    for m in means {
        assert_eq!(m.group_index, 2);
        let r = row(&m.lv, "~1", "", 2);
        let (v1, v2) =
            (f(&row(&m.lv, "~~", &m.lv, 1)["est"]), f(&row(&m.lv, "~~", &m.lv, 2)["est"]));
        let pooled = (nobs[0] * v1 + nobs[1] * v2) / (nobs[0] + nobs[1]);
        assert_abs(&format!("{} est", m.lv), m.est, f(&r["newton"]), TOL_SEM_EST);
        assert_abs(&format!("{} se", m.lv), m.se.unwrap(), f(&r["se"]), tol);
        assert_abs(&format!("{} z", m.lv), m.z.unwrap(), f(&r["est"]) / f(&r["se"]), 10.0 * tol);
        assert_abs(&format!("{} d_pooled", m.lv), m.d_pooled, f(&r["est"]) / pooled.sqrt(), tol);
        assert_abs(&format!("{} d_ref", m.lv), m.d_reference, f(&r["est"]) / v1.sqrt(), tol);
    }
}
