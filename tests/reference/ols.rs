//! OLS against R 4.2.2 (stats::lm, sandwich 3.0-2, car 3.1-1): every field of the fixtures
//! `ols_longley`, `ols_mtcars`, `ols_swiss`, `ols_mtcars_noint`, `study_ols_composites`.

use crate::common;

use crate::common::*;
use ndarray::Array2;
use serde_json::Value;
use std::cell::Cell;
use surveystat::data::Dataset;
use surveystat::regression::{HcType, Ols, OlsFit};

thread_local! {
    static MAX_REL: Cell<(f64, &'static str)> = const { Cell::new((0.0, "")) };
}

/// `assert_rel` that also records the largest relative error seen (printed per case).
#[track_caller]
fn assert_rel(what: &str, a: f64, b: f64, tol: f64) {
    common::assert_rel(what, a, b, tol);
    let e = rel_err(a, b);
    MAX_REL.with(|m| {
        if e > m.get().0 {
            m.set((e, Box::leak(what.to_string().into_boxed_str())));
        }
    });
}

/// R's sandwich HC standard errors on Longley are themselves off by up to 3.5e-8 (relative):
/// exact rational arithmetic (tests/fixtures/extra/longley_hc_exact.py) agrees with ours to
/// 1e-11 and with R's only to 3.5e-8 — R forms the bread from its double-precision QR of the
/// unequilibrated, ill-conditioned design. So Longley's HC values are pinned to the exact values
/// at TOL_OLS and to R's at this looser, documented tolerance (docs/methods/regression.md).
const TOL_LONGLEY_HC_VS_R: f64 = 5e-8;

fn check(case: &str, fit: &OlsFit, rows: &[String]) {
    check_hc(case, fit, rows, TOL_OLS);
}

fn check_hc(case: &str, fit: &OlsFit, rows: &[String], hc_tol: f64) {
    MAX_REL.with(|m| m.set((0.0, "")));
    check_fields(case, fit, rows, hc_tol);
    let (e, what) = MAX_REL.with(|m| m.get());
    eprintln!("{case}: largest relative error {e:.2e} ({what})");
}

fn check_fields(case: &str, fit: &OlsFit, rows: &[String], hc_tol: f64) {
    let row = |name: &str| -> usize {
        rows.iter().position(|r| r == name).unwrap_or_else(|| panic!("{case}: no row {name}"))
    };
    let c = load_case(case);
    let r = &c["results"];
    let tol = TOL_OLS;
    assert_eq!(fit.n_obs() as u64, r["n"].as_u64().unwrap(), "{case}: n");
    assert_eq!(fit.has_intercept(), r["has_intercept"].as_bool().unwrap());
    let coefs = r["coefficients"].as_object().unwrap();
    assert_eq!(fit.terms().len(), coefs.len(), "{case}: number of terms");
    let ci = fit.conf_int(0.95).unwrap();
    // serde_json sorts object keys: match by name.
    let idx = |term: &str| -> usize {
        fit.terms()
            .iter()
            .position(|t| t == term)
            .unwrap_or_else(|| panic!("{case}: no term {term}"))
    };
    let pidx = |term: &str| -> usize { idx(term) - usize::from(fit.has_intercept()) };
    for (term, v) in coefs.iter() {
        let k = idx(term);
        let w = |s: &str| format!("{case}: {term} {s}");
        assert_rel(&w("estimate"), fit.coefficients()[k], f(&v["estimate"]), tol);
        assert_rel(&w("std_error"), fit.std_errors()[k], f(&v["std_error"]), tol);
        assert_rel(&w("t_value"), fit.t_values()[k], f(&v["t_value"]), tol);
        assert_rel(&w("p_value"), fit.p_values()[k], f(&v["p_value"]), tol);
        assert_rel(&w("ci_lower"), fit.ci_lower()[k], f(&v["ci_lower_95"]), tol);
        assert_rel(&w("ci_upper"), fit.ci_upper()[k], f(&v["ci_upper_95"]), tol);
        assert_rel(&w("confint lower"), ci[[k, 0]], f(&v["ci_lower_95"]), tol);
        assert_rel(&w("confint upper"), ci[[k, 1]], f(&v["ci_upper_95"]), tol);
        let row = &fit.params()[k];
        assert_eq!(row.op, "~");
        assert_eq!(&row.rhs, term);
        assert_rel(&w("param est"), row.est, f(&v["estimate"]), tol);
    }
    assert_rel("sigma", fit.sigma(), f(&r["sigma"]), tol);
    assert_rel("r_squared", fit.r_squared(), f(&r["r_squared"]), tol);
    assert_rel("adj_r_squared", fit.adj_r_squared(), f(&r["adj_r_squared"]), tol);
    let ft = fit.f_test().unwrap();
    assert_rel("F", ft.value, f(&r["f_statistic"]["value"]), tol);
    assert_eq!(ft.df1, f(&r["f_statistic"]["numdf"]));
    assert_eq!(ft.df2, f(&r["f_statistic"]["dendf"]));
    assert_rel("F p", ft.p_value, f(&r["f_statistic"]["p_value"]), tol);
    assert_eq!(fit.df_residual() as f64, f(&r["df_residual"]));
    assert_eq!(fit.rank() as f64, f(&r["rank"]));
    assert_rel("logLik", fit.log_lik(), f(&r["logLik"]), tol);
    assert_eq!(fit.log_lik_df() as f64, f(&r["logLik_df"]));
    assert_rel("AIC", fit.aic(), f(&r["AIC"]), tol);
    assert_rel("BIC", fit.bic(), f(&r["BIC"]), tol);
    assert_rel("RSS", fit.rss(), f(&r["deviance_rss"]), tol);
    for (name, v) in named(&r["residuals_first"]).iter() {
        assert_rel(&format!("{case}: residual {name}"), fit.residuals()[row(name)], *v, tol);
    }
    for (name, v) in named(&r["fitted_first"]).iter() {
        assert_rel(&format!("{case}: fitted {name}"), fit.fitted_values()[row(name)], *v, tol);
    }
    let (rn, cn, vc) = matrix(&r["vcov"]);
    assert_eq!(rn.len(), fit.terms().len());
    for i in 0..rn.len() {
        for j in 0..rn.len() {
            let (a, b) = (idx(&rn[i]), idx(&cn[j]));
            assert_rel(&format!("{case}: vcov[{i},{j}]"), fit.vcov()[[a, b]], vc[[i, j]], tol);
        }
    }
    for t in HcType::ALL {
        let se = fit.hc_std_errors(t).unwrap();
        for (term, v) in named(&r["hc_std_errors"][t.name()]).iter() {
            assert_rel(&format!("{case}: {} {term}", t.name()), se[idx(term)], *v, hc_tol);
        }
    }
    for (term, v) in named(&r["vif_car"]).iter() {
        assert_rel(&format!("{case}: vif {term}"), fit.vif()[pidx(term)], *v, tol);
    }
    for (term, v) in named(&r["vif_by_hand"]).iter() {
        let k = idx(term) - usize::from(fit.has_intercept());
        assert_rel(&format!("{case}: vif centered {term}"), fit.vif_centered()[k], *v, tol);
    }
    assert_rel("durbin_watson", fit.durbin_watson(), f(&r["durbin_watson"]), tol);
    let bp = fit.breusch_pagan();
    let rbp = &r["breusch_pagan_studentized"];
    assert_rel("BP", bp.statistic, f(&rbp["statistic"]), tol);
    assert_eq!(bp.df, f(&rbp["df"]));
    assert_rel("BP p", bp.p_value, f(&rbp["p_value"]), tol);
    for (term, v) in named(&r["std_coef_rescaled"]).iter() {
        assert_rel(&format!("{case}: beta {term}"), fit.std_coefficients()[pidx(term)], *v, tol);
    }
    match r.get("std_coef_lm_scaled") {
        Some(Value::Object(_)) => {
            let sc = fit.std_coefficients_scaled_fit().unwrap();
            for (term, v) in named(&r["std_coef_lm_scaled"]).iter() {
                let k = idx(term);
                if term == "(Intercept)" {
                    // R's value is rounding noise around 0 (|v| < 1e-14).
                    assert_abs("scaled intercept", sc[k], *v, 1e-13);
                } else {
                    assert_rel(&format!("{case}: std scaled {term}"), sc[k], *v, tol);
                }
            }
        }
        _ => assert!(fit.std_coefficients_scaled_fit().is_none()),
    }
}

#[test]
fn longley() {
    let ds = load_data("longley.csv");
    let fit = Ols::from_formula("Employed ~ .").unwrap().fit_dataset(&ds).unwrap();
    check_hc("ols_longley", &fit, &ds.labels("Year").unwrap(), TOL_LONGLEY_HC_VS_R);
    let text = std::fs::read_to_string(fixture_path("extra/longley_hc_exact.json")).unwrap();
    let exact: Value = serde_json::from_str(&text).unwrap();
    for t in HcType::ALL {
        let se = fit.hc_std_errors(t).unwrap();
        for (term, v) in named(&exact[t.name()]) {
            let k = fit.terms().iter().position(|x| *x == term).unwrap();
            assert_rel(&format!("longley exact {} {term}", t.name()), se[k], v, TOL_OLS);
        }
    }
    for (term, v) in named(&exact["coefficients"]) {
        let k = fit.terms().iter().position(|x| *x == term).unwrap();
        assert_rel(&format!("longley exact coef {term}"), fit.coefficients()[k], v, 1e-13);
    }
}

#[test]
fn mtcars() {
    let ds = load_data("mtcars.csv");
    let fit = Ols::from_formula("mpg ~ wt + hp + qsec + am").unwrap().fit_dataset(&ds).unwrap();
    check("ols_mtcars", &fit, &ds.labels("model").unwrap());
}

#[test]
fn swiss() {
    let ds = load_data("swiss.csv");
    let fit = Ols::from_formula("Fertility ~ . - province").unwrap().fit_dataset(&ds).unwrap();
    check("ols_swiss", &fit, &ds.labels("province").unwrap());
}

#[test]
fn mtcars_no_intercept() {
    let ds = load_data("mtcars.csv");
    let fit = Ols::from_formula("mpg ~ 0 + wt + hp").unwrap().fit_dataset(&ds).unwrap();
    check("ols_mtcars_noint", &fit, &ds.labels("model").unwrap());
    // The same model written the other way.
    let fit2 = Ols::from_formula("mpg ~ wt + hp - 1").unwrap().fit_dataset(&ds).unwrap();
    check("ols_mtcars_noint", &fit2, &ds.labels("model").unwrap());
}

#[test]
fn mtcars_matrix_api() {
    let ds = load_data("mtcars.csv");
    let x = ds.select(&["wt", "hp", "qsec", "am"]).unwrap();
    let y = ds.column("mpg").unwrap().to_owned();
    let fit = Ols::new()
        .intercept(true)
        .ci_level(0.95)
        .names(&["wt", "hp", "qsec", "am"])
        .response("mpg")
        .fit(&x, &y)
        .unwrap();
    check("ols_mtcars", &fit, &ds.labels("model").unwrap());
}

/// Composite score = mean of the construct's items (rowMeans), RS on the six others.
#[test]
fn study_composites() {
    let ds = load_data("study_survey.csv");
    let constructs: [(&str, &[&str]); 7] = [
        ("GS", &["GS1", "GS2", "GS3"]),
        ("ST", &["ST1", "ST2", "ST3", "ST4"]),
        ("AC", &["AC1", "AC2", "AC3", "AC4"]),
        ("MT", &["MT1", "MT2", "MT3"]),
        ("LP", &["LP1", "LP2", "LP3"]),
        ("IM", &["IM1", "IM2", "IM3"]),
        ("RS", &["RS1", "RS2", "RS3", "RS4"]),
    ];
    let n = ds.n_rows();
    let mut comp = Array2::<f64>::zeros((n, 7));
    for (j, (_, items)) in constructs.iter().enumerate() {
        let m = ds.select(items).unwrap();
        for i in 0..n {
            let s: f64 = m.row(i).iter().sum();
            comp[[i, j]] = s / items.len() as f64;
        }
    }
    let names: Vec<&str> = constructs.iter().map(|c| c.0).collect();
    let cds = Dataset::from_array(&names, comp).unwrap();
    // Composites agree with the fixture's first rows.
    let c = load_case("study_ols_composites");
    let (_, _, first) = matrix(&c["results"]["composites_first5"]);
    for i in 0..5 {
        for j in 0..7 {
            assert_eq!(cds.values()[[i, j]], first[[i, j]], "composite [{i},{j}]");
        }
    }
    let fit =
        Ols::from_formula("RS ~ GS + ST + AC + MT + LP + IM").unwrap().fit_dataset(&cds).unwrap();
    let labels: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
    check("study_ols_composites", &fit, &labels);
    // `.` gives the same model.
    let fit2 = Ols::from_formula("RS ~ .").unwrap().fit_dataset(&cds).unwrap();
    check("study_ols_composites", &fit2, &labels);
}
