//! Multi-group SEM against lavaan 0.6.14 (`group =`, `group.equal = "loadings"`):
//! tests/fixtures/extra/sem_multigroup.json, made by tests/fixtures/extra/sem_multigroup.R.

use crate::common::*;
use serde_json::Value;
use surveystat::sem::{GroupEqual, MultiGroupFit, MultiGroupSem, Sem};

const HS_MODEL: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";
const STUDY_MODEL: &str = "GS =~ GS1 + GS2 + GS3\nST =~ ST1 + ST2 + ST3 + ST4\n\
AC =~ AC1 + AC2 + AC3 + AC4\nMT =~ MT1 + MT2 + MT3\nLP =~ LP1 + LP2 + LP3\nIM =~ IM1 + IM2 + IM3\n\
RS =~ RS1 + RS2 + RS3 + RS4\nAC ~ ST + GS + IM\nMT ~ ST + AC\nLP ~ ST + MT\nRS ~ AC + MT + LP";

fn reference() -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/sem_multigroup.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn fit(model: &str, data: &str, group: &str, equal: &[GroupEqual]) -> MultiGroupFit {
    let data = load_data(data);
    MultiGroupSem::new(Sem::from_syntax(model).unwrap(), group)
        .equal(equal.iter().copied())
        .fit(&data)
        .unwrap()
}

/// Estimates and std.all within max(1e-5, 10 × lavaan's distance from the optimum) (relative to
/// max(1, |x|)); the distance is the largest Newton step at lavaan's solution, recorded in the
/// fixture (up to 1.6e-5). SEs within max(1e-4, the same) relative; fit measures (second order in
/// the distance) within 1e-6 relative, SRMR (first order) within the estimates' tolerance.
fn check(name: &str, fit: &MultiGroupFit) {
    let r = &reference()[name];
    let tol = (10.0 * f(&r["max_abs_newton_step"])).max(1e-5);
    let tol_se = tol.max(1e-4);
    let labels: Vec<&str> =
        r["group_labels"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    let got: Vec<&str> = fit.groups().iter().map(|g| g.name()).collect();
    assert_eq!(got, labels, "{name}: group order");
    for (g, n) in fit.groups().iter().zip(r["n_group"].as_array().unwrap()) {
        assert_eq!(g.n_obs() as f64, f(n));
    }
    let mut worst = [0.0f64; 3];
    let mut compared = 0;
    for row in r["parameters"].as_array().unwrap() {
        let op = row["op"].as_str().unwrap();
        if op == "==" || op == ":=" {
            continue;
        }
        let (lhs, rhs) = (row["lhs"].as_str().unwrap(), row["rhs"].as_str().unwrap());
        let gi = row["group"].as_u64().unwrap() as usize - 1;
        let p = fit.groups()[gi]
            .parameter(lhs, op, rhs)
            .unwrap_or_else(|| panic!("{name}: missing {lhs} {op} {rhs} in group {gi}"));
        let what = format!("{name} g{} {lhs} {op} {rhs}", gi + 1);
        let d = (p.est - f(&row["est"])).abs() / f(&row["est"]).abs().max(1.0);
        worst[0] = worst[0].max(d);
        assert!(d < tol, "{what}: est {} vs {}", p.est, f(&row["est"]));
        let se_r = f(&row["se"]);
        let se = p.se.unwrap();
        let d = if se_r == 0.0 { se } else { (se - se_r).abs() / se_r };
        worst[1] = worst[1].max(d);
        assert!(d < tol_se, "{what}: se {se} vs {se_r}");
        if let Some(sa) = opt_f64(&row["std_all"]) {
            let d = (p.std_all.unwrap() - sa).abs() / sa.abs().max(1.0);
            worst[2] = worst[2].max(d);
            assert!(d < tol, "{what}: std.all {:?} vs {sa}", p.std_all);
        }
        compared += 1;
    }
    assert!(compared > 50);
    for (k, v) in r["fit"].as_object().unwrap() {
        let mine = fit.fit_measure(k).unwrap_or_else(|| panic!("{name}: no fit measure {k}"));
        // SRMR is first order in the distance from the optimum, the χ²-based measures second
        let t = if k == "srmr" { tol } else { 1e-6 };
        assert_rel(&format!("{name} {k}"), mine, f(v), t);
    }
    for (g, c) in fit.groups().iter().zip(r["chisq_group"].as_array().unwrap()) {
        // a group's share of χ² is first order in the distance from the optimum (the total is not)
        assert_rel(&format!("{name} chisq of {}", g.name()), g.chisq(), f(c), tol);
    }
    eprintln!(
        "{name}: largest differences est {:.1e}, se {:.1e}, std.all {:.1e}",
        worst[0], worst[1], worst[2]
    );
}

#[test]
fn hs_by_school_configural_and_metric() {
    let conf = fit(HS_MODEL, "HolzingerSwineford1939.csv", "school", &[]);
    check("hs_configural", &conf);
    let metric = fit(HS_MODEL, "HolzingerSwineford1939.csv", "school", &[GroupEqual::Loadings]);
    check("hs_metric", &metric);
    let lrt = conf.lrt(&metric).unwrap();
    let r = &reference()["hs_lrt"];
    assert_rel("hs Δχ²", lrt.chisq, f(&r["chisq_diff"]), 1e-6);
    assert_eq!(lrt.df, f(&r["df_diff"]));
    assert_rel("hs LRT p", lrt.pvalue, f(&r["pvalue"]), 1e-5);
}

#[test]
fn study_by_region_configural_and_metric() {
    let conf = fit(STUDY_MODEL, "study_survey.csv", "region", &[]);
    check("study_configural", &conf);
    let metric = fit(STUDY_MODEL, "study_survey.csv", "region", &[GroupEqual::Loadings]);
    check("study_metric", &metric);
    let lrt = metric.lrt(&conf).unwrap();
    let r = &reference()["study_lrt"];
    assert_rel("study Δχ²", lrt.chisq, f(&r["chisq_diff"]), 1e-6);
    assert_eq!(lrt.df, f(&r["df_diff"]));
    assert_rel("study LRT p", lrt.pvalue, f(&r["pvalue"]), 1e-5);
}

#[test]
fn equal_loadings_have_zero_difference_and_free_paths_a_wald_test() {
    let metric = fit(STUDY_MODEL, "study_survey.csv", "region", &[GroupEqual::Loadings]);
    let d = metric.group_difference("AC", "=~", "AC2", 0, 1).unwrap();
    assert_eq!(d.difference, 0.0);
    assert!(d.se.abs() < 1e-12);
    let d = metric.group_difference("AC", "~", "ST", 0, 1).unwrap();
    assert!(d.se > 0.0 && d.pvalue > 0.0 && d.pvalue < 1.0);
    // without constraints the groups share no parameter: Cov(θ_a, θ_b) = 0 exactly
    let conf = fit(STUDY_MODEL, "study_survey.csv", "region", &[]);
    let d = conf.group_difference("AC", "~", "ST", 0, 1).unwrap();
    let a = conf.groups()[0].parameter("AC", "~", "ST").unwrap();
    let b = conf.groups()[1].parameter("AC", "~", "ST").unwrap();
    assert!((d.difference - (a.est - b.est)).abs() < 1e-14);
    let se = (a.se.unwrap().powi(2) + b.se.unwrap().powi(2)).sqrt();
    assert!((d.se - se).abs() / se < 1e-12, "{} vs {se}", d.se);
    assert!(d.pvalue > 0.0 && d.pvalue < 1.0);
}

/// Identity: without constraints the groups share nothing, so the multi-group estimates are the
/// single-group fits of each group and χ² is the sum of theirs.
#[test]
fn configural_equals_separate_fits() {
    let data = load_data("HolzingerSwineford1939.csv");
    let sem = Sem::from_syntax(HS_MODEL).unwrap();
    let conf = MultiGroupSem::new(sem.clone(), "school").fit(&data).unwrap();
    let mut chisq = 0.0;
    for (name, part) in data.split_by("school").unwrap() {
        let single = sem.fit(&part).unwrap();
        let g = conf.group(&name).unwrap();
        for r in single.parameters() {
            let m = g.parameter(&r.lhs, &r.op, &r.rhs).unwrap();
            assert!((m.est - r.est).abs() < 1e-7 * r.est.abs().max(1.0), "{} {}", r.lhs, r.rhs);
            // per-group information: SEs agree up to the optimizers' stopping points
            let (a, b) = (m.se.unwrap(), r.se.unwrap());
            assert!((a - b).abs() <= 1e-6 * b.max(1e-3), "se {} {}: {a} vs {b}", r.lhs, r.rhs);
            assert!((m.std_all.unwrap() - r.std_all.unwrap()).abs() < 1e-7);
        }
        chisq += single.fit_measure("chisq").unwrap();
        assert!((g.chisq() - single.fit_measure("chisq").unwrap()).abs() < 1e-7);
    }
    assert!((conf.fit_measure("chisq").unwrap() - chisq).abs() < 1e-7);
}

/// Identity: one group is the single-group model (plus the saturated means in npar / logl).
#[test]
fn one_group_equals_single_group_fit() {
    let data = load_data("HolzingerSwineford1939.csv");
    let pasteur = data.split_by("school").unwrap().remove(0).1;
    let sem = Sem::from_syntax(HS_MODEL).unwrap();
    let single = sem.fit(&pasteur).unwrap();
    let mg = MultiGroupSem::new(sem, "school").equal([GroupEqual::Loadings]).fit(&pasteur).unwrap();
    for k in ["chisq", "df", "cfi", "tli", "rmsea", "rmsea.ci.upper", "logl", "baseline.chisq"] {
        let (a, b) = (mg.fit_measure(k).unwrap(), single.fit_measure(k).unwrap());
        assert!((a - b).abs() < 1e-7 * b.abs().max(1.0), "{k}: {a} vs {b}");
    }
    assert_eq!(mg.fit_measure("npar").unwrap(), single.fit_measure("npar").unwrap() + 9.0);
}
