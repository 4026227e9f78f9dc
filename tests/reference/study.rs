//! The study pipeline (`surveystat::study::Study`) on the embedded survey against the R reference
//! values of tests/fixtures/expected/study_* (R 4.2.2, psych 2.2.9, lavaan 0.6-14, semTools
//! 0.5-6, sandwich 3.0-2, car 3.1-1). The pipeline runs once (200 bootstrap replications) and
//! every test reads its JSON output and getters.

use std::sync::OnceLock;

use crate::common::*;
use serde_json::Value;
use surveystat::study::{Study, StudyResults};

struct Run {
    results: StudyResults,
    json: Value,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let data = surveystat::datasets::study_survey().unwrap();
        let results = Study::new().bootstrap(200).seed(20261126).run(&data).unwrap();
        let json = results.to_json_value();
        Run { results, json }
    })
}

fn fixture(case: &str) -> Value {
    load_case(case)["results"].clone()
}

#[test]
fn descriptives_match_r() {
    let r = fixture("study_descriptives");
    let j = &run().json;
    assert_eq!(j["n_obs"].as_u64().unwrap(), r["n"].as_u64().unwrap());
    for (g, n) in r["region_counts"].as_object().unwrap() {
        assert_eq!(j["groups"][g].as_u64(), n.as_u64(), "region {g}");
    }
    let items = j["descriptives"].as_array().unwrap();
    assert_eq!(items.len(), 24);
    for it in items {
        let name = it["item"].as_str().unwrap();
        let e = &r["items"][name];
        assert_rel(&format!("{name} mean"), f(&it["mean"]), f(&e["mean"]), TOL_CLOSED_FORM);
        assert_rel(&format!("{name} sd"), f(&it["sd"]), f(&e["sd"]), TOL_CLOSED_FORM);
        let counts: Vec<u64> =
            it["counts"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap()).collect();
        for (k, c) in counts.iter().enumerate() {
            assert_eq!(Some(*c), e[&(k + 1).to_string()].as_u64(), "{name} count of {}", k + 1);
        }
    }
}

#[test]
fn alpha_per_construct_matches_psych() {
    let j = &run().json["reliability"];
    for c in ["GS", "ST", "AC", "MT", "LP", "IM", "RS"] {
        let r = fixture(&format!("study_alpha_{c}"));
        let a = &j[c];
        let t = &r["total"];
        for (ours, theirs) in [
            ("raw_alpha", "raw_alpha"),
            ("std_alpha", "std.alpha"),
            ("g6", "G6(smc)"),
            ("average_r", "average_r"),
            ("s_n", "S/N"),
            ("ase", "ase"),
            ("mean", "mean"),
            ("sd", "sd"),
            ("median_r", "median_r"),
        ] {
            assert_rel(&format!("{c} {ours}"), f(&a[ours]), f(&t[theirs]), TOL_CLOSED_FORM);
        }
        assert_rel(
            &format!("{c} feldt lower"),
            f(&a["ci"]["lower"]),
            f(&r["feldt_95ci"]["lower"]),
            TOL_CLOSED_FORM,
        );
        assert_rel(
            &format!("{c} feldt upper"),
            f(&a["ci"]["upper"]),
            f(&r["feldt_95ci"]["upper"]),
            TOL_CLOSED_FORM,
        );
        for it in a["items"].as_array().unwrap() {
            let name = it["item"].as_str().unwrap();
            let s = &r["item_stats"][name];
            assert_rel(
                &format!("{name} r.drop"),
                f(&it["r_drop"]),
                f(&s["r.drop"]),
                TOL_CLOSED_FORM,
            );
            assert_rel(&format!("{name} raw.r"), f(&it["raw_r"]), f(&s["raw.r"]), TOL_CLOSED_FORM);
            let d = &r["alpha_drop"][name];
            assert_rel(
                &format!("{name} alpha if dropped"),
                f(&it["raw_alpha"]),
                f(&d["raw_alpha"]),
                TOL_CLOSED_FORM,
            );
        }
    }
}

#[test]
fn kmo_and_bartlett_match_psych() {
    let r = fixture("study_kmo_bartlett");
    let k = &run().json["kmo"];
    assert_rel("KMO", f(&k["msa"]), f(&r["KMO_MSA"]), TOL_CLOSED_FORM);
    for (item, v) in r["KMO_MSAi"].as_object().unwrap() {
        assert_rel(&format!("MSA {item}"), f(&k["msa_items"][item]), f(v), TOL_CLOSED_FORM);
    }
    assert_rel(
        "bartlett chisq",
        f(&k["bartlett"]["chisq"]),
        f(&r["bartlett"]["chisq"]),
        TOL_CLOSED_FORM,
    );
    assert_eq!(f(&k["bartlett"]["df"]), f(&r["bartlett"]["df"]));
    let ev: Vec<f64> = r["eigenvalues"].as_array().unwrap().iter().map(f).collect();
    for (i, e) in ev.iter().enumerate() {
        assert_rel(&format!("eigenvalue {i}"), f(&k["eigenvalues"][i]), *e, TOL_CLOSED_FORM);
    }
    // parallel analysis sees the same observed eigenvalues and suggests the seven constructs
    let pa = &run().json["parallel"];
    assert_rel("PA eigenvalue 1", f(&pa["observed_components"][0]), ev[0], TOL_CLOSED_FORM);
    assert_eq!(pa["n_factors"].as_u64(), Some(7));
}

#[test]
fn efa_matches_psych_up_to_order_and_sign() {
    let r = fixture("study_efa_ml_oblimin");
    let (_, cols, lr) = matrix(&r["loadings"]);
    let efa = run().results.efa();
    let l = efa.loadings();
    // psych's precision: uniqueness 2.8e-6, rotation 6.8e-6 (precision_check) → 1e-4
    let tol = 1e-4;
    let mut used = vec![false; l.ncols()];
    for (c, name) in cols.iter().enumerate() {
        let (mut best, mut best_cong, mut sign) = (0, 0.0, 1.0);
        for k in 0..l.ncols() {
            let num: f64 = (0..l.nrows()).map(|i| l[[i, k]] * lr[[i, c]]).sum();
            let den = ((0..l.nrows()).map(|i| l[[i, k]].powi(2)).sum::<f64>()
                * (0..l.nrows()).map(|i| lr[[i, c]].powi(2)).sum::<f64>())
            .sqrt();
            let cong = num / den;
            if !used[k] && cong.abs() > best_cong {
                (best, best_cong, sign) = (k, cong.abs(), cong.signum());
            }
        }
        used[best] = true;
        for i in 0..l.nrows() {
            assert_abs(&format!("loading {i} on {name}"), sign * l[[i, best]], lr[[i, c]], tol);
        }
    }
    let h2: Vec<(String, f64)> = named(&r["h2"]);
    for (item, v) in &h2 {
        let i = efa.names().iter().position(|n| n == item).unwrap();
        assert_abs(&format!("h2 {item}"), efa.communalities()[i], *v, tol);
    }
    let fit = &run().json["efa"]["fit"];
    assert_rel("EFA chisq", f(&fit["chisq"]), f(&r["fit"]["STATISTIC"]), 1e-4);
    assert_rel("EFA TLI", f(&fit["tli"]), f(&r["fit"]["TLI"]), 1e-4);
    // every factor is matched to a different construct
    let mut m = run().results.efa_factor_constructs().to_vec();
    m.sort();
    m.dedup();
    assert_eq!(m.len(), 7);
}

fn check_sem(ours: &Value, r: &Value, what: &str) {
    let params = ours["parameters"].as_array().unwrap();
    let mut n = 0;
    for e in r["parameter_estimates"].as_array().unwrap() {
        let (lhs, op, rhs) =
            (e["lhs"].as_str().unwrap(), e["op"].as_str().unwrap(), e["rhs"].as_str().unwrap());
        let Some(p) = params.iter().find(|p| {
            p["op"] == op
                && ((p["lhs"] == lhs && p["rhs"] == rhs)
                    || (op == "~~" && p["lhs"] == rhs && p["rhs"] == lhs))
        }) else {
            panic!("{what}: parameter {lhs} {op} {rhs} missing");
        };
        let tag = format!("{what} {lhs} {op} {rhs}");
        assert_close(&format!("{tag} est"), f(&p["est"]), f(&e["est"]), TOL_SEM_EST);
        if let Some(se) = opt_f64(&e["se"]).filter(|s| *s > 0.0) {
            assert_close(&format!("{tag} se"), f(&p["se"]), se, TOL_SEM_EST);
        }
        if let Some(s) = opt_f64(&e["std.all"]) {
            assert_close(&format!("{tag} std.all"), f(&p["std_all"]), s, TOL_SEM_EST);
        }
        n += 1;
    }
    assert!(n > 50);
    let fm = &r["fit_measures"];
    assert_close(&format!("{what} chisq"), f(&ours["fit"]["chisq"]), f(&fm["chisq"]), TOL_SEM_FIT);
    for k in [
        "npar",
        "df",
        "pvalue",
        "cfi",
        "tli",
        "rmsea",
        "rmsea.ci.upper",
        "srmr",
        "aic",
        "bic",
        "logl",
    ] {
        let scale = if matches!(k, "aic" | "bic" | "logl") { f(&fm[k]).abs() } else { 1.0 };
        assert_close(
            &format!("{what} {k}"),
            f(&ours["fit"][k]) / scale,
            f(&fm[k]) / scale,
            TOL_SEM_FIT,
        );
    }
}

#[test]
fn cfa_matches_lavaan_with_validity() {
    let r = fixture("study_cfa");
    let cfa = &run().json["cfa"];
    check_sem(cfa, &r, "CFA");
    let v = &r["validity"];
    for (c, e) in v["CR_AVE"].as_object().unwrap() {
        assert_close(&format!("CR {c}"), f(&cfa["cr"][c]), f(&e["CR"]), TOL_SEM_EST);
        assert_close(&format!("AVE {c}"), f(&cfa["ave"][c]), f(&e["AVE"]), TOL_SEM_EST);
    }
    let (rows, _, fl) = matrix(&v["fornell_larcker"]);
    let (_, _, h) = matrix(&v["htmt"]);
    let latent: Vec<String> =
        cfa["latent"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect();
    assert_eq!(latent, rows);
    for i in 0..rows.len() {
        for j in 0..rows.len() {
            assert_close(
                &format!("FL {i},{j}"),
                f(&cfa["fornell_larcker"][i][j]),
                fl[[i, j]],
                TOL_SEM_EST,
            );
            assert_close(
                &format!("HTMT {i},{j}"),
                f(&cfa["htmt"][i][j]),
                h[[i, j]],
                TOL_CLOSED_FORM,
            );
        }
    }
}

#[test]
fn sem_hypotheses_r2_and_indirect_effects_match_lavaan() {
    let r = fixture("study_sem");
    let sem = &run().json["sem"];
    check_sem(sem, &r, "SEM");
    for e in r["structural_paths"].as_array().unwrap() {
        let h = sem["hypotheses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["to"] == e["lhs"] && h["from"] == e["rhs"])
            .unwrap();
        assert_eq!(h["label"], e["label"]);
        assert_close("beta", f(&h["beta"]), f(&e["std.all"]), TOL_SEM_EST);
        assert_close("path se", f(&h["se"]), f(&e["se"]), TOL_SEM_EST);
        assert_close("path p", f(&h["pvalue"]), f(&e["pvalue"]), TOL_SEM_EST);
        assert_eq!(
            h["supported"],
            Value::Bool(true),
            "all ten hypotheses hold in the simulated data"
        );
    }
    for (k, v) in r["r_squared"].as_object().unwrap() {
        assert_close(&format!("R2 {k}"), f(&sem["r_squared"][k]), f(v), TOL_SEM_EST);
    }
    let med = run().json["mediation"]["effects"].as_array().unwrap();
    let defined = r["defined_effects"].as_object().unwrap();
    assert_eq!(med.len(), defined.len());
    for m in med {
        let e = &defined[m["name"].as_str().unwrap()];
        assert_eq!(
            m["expression"].as_str().unwrap().replace(' ', ""),
            e["rhs"].as_str().unwrap().replace(' ', "")
        );
        assert_close("indirect est", f(&m["est"]), f(&e["est"]), TOL_SEM_EST);
        assert_close("indirect delta se", f(&m["se"]), f(&e["se"]), TOL_SEM_EST);
        assert_close("indirect std.all", f(&m["std_all"]), f(&e["std.all"]), TOL_SEM_EST);
        assert_close("indirect ci.lower", f(&m["ci_lower"]), f(&e["ci.lower"]), TOL_SEM_EST);
        // the bootstrap interval covers the estimate and is close to the delta-method one
        let (lo, hi) = (f(&m["bca_ci"]["lower"]), f(&m["bca_ci"]["upper"]));
        assert!(lo < f(&m["est"]) && f(&m["est"]) < hi, "{}: BCa [{lo}, {hi}]", m["name"]);
        assert!((f(&m["boot_se"]) / f(&m["se"]) - 1.0).abs() < 0.35, "bootstrap SE near delta SE");
    }
    assert_eq!(run().json["mediation"]["bootstrap"]["successful"].as_u64(), Some(200));
}

#[test]
fn ols_on_composites_matches_lm_sandwich_car() {
    let r = fixture("study_ols_composites");
    let o = &run().json["ols"];
    assert_eq!(o["se_type"], "hc3");
    for c in o["coefficients"].as_array().unwrap() {
        let term = c["term"].as_str().unwrap();
        assert_rel(
            &format!("{term} b"),
            f(&c["estimate"]),
            f(&r["coefficients"][term]["estimate"]),
            TOL_OLS,
        );
        assert_rel(
            &format!("{term} HC3"),
            f(&c["std_error"]),
            f(&r["hc_std_errors"]["HC3"][term]),
            TOL_OLS,
        );
        assert_rel(
            &format!("{term} classical se"),
            f(&o["classical_std_errors"][term]),
            f(&r["coefficients"][term]["std_error"]),
            TOL_OLS,
        );
    }
    for (k, v) in r["vif_car"].as_object().unwrap() {
        assert_rel(&format!("VIF {k}"), f(&o["vif"][k]), f(v), TOL_OLS);
    }
    assert_rel("R2", f(&o["r_squared"]), f(&r["r_squared"]), TOL_OLS);
    assert_rel("adj R2", f(&o["adj_r_squared"]), f(&r["adj_r_squared"]), TOL_OLS);
    assert_rel("F", f(&o["f_statistic"]), f(&r["f_statistic"]["value"]), TOL_OLS);
    assert_rel("DW", f(&o["durbin_watson"]), f(&r["durbin_watson"]), TOL_OLS);
}

#[test]
fn design_generates_the_fixture_models() {
    let d = surveystat::study::StudyDesign::chengdu_chongqing();
    for (case, text) in [("study_cfa", d.cfa_syntax()), ("study_sem", d.sem_syntax())] {
        let call = load_case(case)["r_call"].as_str().unwrap().to_string();
        let model = call.split("model <- \"").nth(1).unwrap().split('"').next().unwrap();
        assert_eq!(text, model, "{case}");
    }
}

#[test]
fn outputs_are_complete_and_deterministic() {
    let res = &run().results;
    let text = res.to_string();
    for s in [
        "1. Sample",
        "2. Reliability",
        "3. Validity",
        "4. Structural model",
        "5. Mediation",
        "6. Regression",
        "7. Comparison",
    ] {
        assert!(text.contains(s), "{s}");
    }
    assert!(text.contains("multi-group"));
    let md = res.to_markdown();
    assert!(md.contains("| H10") || md.contains("|H10"), "hypothesis table in markdown");
    let d = res.diagram();
    let dot = d.to_dot().unwrap();
    assert!(dot.contains("\"ST\" -> \"AC\""));
    assert!(d.to_svg().unwrap().contains("<svg"));
    assert_eq!(res.group_fits().len(), 2);
    // same seed → same JSON
    let data = surveystat::datasets::study_survey().unwrap();
    let again =
        Study::new().bootstrap(20).seed(5).parallel_replications(5).run(&data).unwrap().to_json();
    let again2 =
        Study::new().bootstrap(20).seed(5).parallel_replications(5).run(&data).unwrap().to_json();
    assert_eq!(again, again2);
}

/// Step 7: the multi-group models of the pipeline (configural and equal loadings by region)
/// against lavaan 0.6.14 (tests/fixtures/extra/sem_multigroup.R).
#[test]
fn region_comparison_matches_lavaan_multigroup() {
    let text = std::fs::read_to_string(fixture_path("extra/sem_multigroup.json")).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    let mg = &run().json["multigroup"];
    for (ours, case) in [("configural", "study_configural"), ("metric", "study_metric")] {
        for k in ["chisq", "df", "cfi", "tli", "rmsea", "aic", "bic"] {
            assert_rel(&format!("{ours} {k}"), f(&mg[ours]["fit"][k]), f(&r[case]["fit"][k]), 1e-6);
        }
    }
    assert_rel("Δχ²", f(&mg["lrt"]["chisq_diff"]), f(&r["study_lrt"]["chisq_diff"]), 1e-6);
    assert_eq!(f(&mg["lrt"]["df_diff"]), f(&r["study_lrt"]["df_diff"]));
    // a Wald test per hypothesis, from the equal-loadings model
    let diffs = mg["path_differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 10);
    assert!(diffs.iter().all(|d| f(&d["se"]) > 0.0 && f(&d["pvalue"]) <= 1.0));
}

/// Step 6b: the moderation check (IM as moderator of ST → AC on composites, PROCESS model 1)
/// against R 4.2.2 lm (tests/fixtures/extra/study_moderation.R).
#[test]
fn moderation_check_matches_r() {
    let p = fixture_path("extra/study_moderation.json");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let j = &run().json["moderation"];
    let v = |x: &Value| -> Vec<f64> { x.as_array().unwrap().iter().map(f).collect() };
    let close = |what: &str, a: &Value, b: &Value| {
        let (a, b) = (v(a), v(b));
        assert_eq!(a.len(), b.len(), "{what}");
        for (x, y) in a.iter().zip(&b) {
            assert_rel(what, *x, *y, 1e-9);
        }
    };
    close("estimate", &j["estimate"], &r["estimate"]);
    close("std_error", &j["std_error"], &r["std_error"]);
    assert_rel("r2 change", f(&j["r2_change"]), f(&r["r2_change"]), 1e-9);
    let ce = j["conditional_effects"].as_array().unwrap();
    for (key, rk) in [("w", "w_values"), ("effect", "effect"), ("se", "se"), ("p_value", "p")] {
        let ours: Vec<Value> = ce.iter().map(|e| e[key].clone()).collect();
        close(key, &Value::Array(ours), &r[rk]);
    }
    let jn = &j["johnson_neyman"];
    close("jn roots", &jn["roots"], &r["roots"]);
    let pts: Vec<Value> = jn["points"].as_array().unwrap().iter().map(|p| p["w"].clone()).collect();
    close("jn points", &Value::Array(pts), &r["points"]);
    let table = jn["table"].as_array().unwrap();
    for (key, rk) in [("w", "grid"), ("effect", "grid_effect"), ("se", "grid_se")] {
        let ours: Vec<Value> = table.iter().map(|e| e[key].clone()).collect();
        close(key, &Value::Array(ours), &r[rk]);
    }
    let md = run().results.to_markdown();
    assert!(md.contains("6b. Moderation check: IM as moderator of ST → AC"));
    assert!(md.contains("Johnson–Neyman table"));
}

/// Step 7b: the measurement-invariance ladder of the construct CFA by region and the latent
/// means of the seven constructs, against lavaan 0.6.14 / semTools (the study case of
/// tests/fixtures/extra/invariance.R). The scalar step holds for the study, so the means come
/// from the scalar model.
#[test]
fn region_invariance_ladder_and_latent_means_match_lavaan() {
    let text = std::fs::read_to_string(fixture_path("extra/invariance.json")).unwrap();
    let r: Value = serde_json::from_str(&text).unwrap();
    let r = &r["study_region"];
    let mi = &run().json["measurement_invariance"];
    let steps = mi["ladder"]["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 4);
    for (i, s) in steps.iter().enumerate() {
        for k in ["chisq", "df", "cfi", "rmsea"] {
            assert_rel(&format!("step {i} {k}"), f(&s[k]), f(&r["steps"][i][k]), TOL_SEM_CHISQ);
        }
    }
    assert_eq!(mi["means_step"], "scalar");
    assert!(mi["partial_search"].is_null());
    let d = mi["latent_means"].as_array().unwrap();
    let refs = r["latent_means_scalar"].as_array().unwrap();
    assert_eq!(d.len(), 7);
    let tol = (10.0 * f(&r["steps"][2]["max_abs_newton_step"])).max(1e-5);
    for (ours, theirs) in d.iter().zip(refs) {
        assert_eq!(ours["lv"], theirs["lv"]);
        assert_abs("latent mean", f(&ours["est"]), f(&theirs["est"]), tol);
        assert_rel("latent mean se", f(&ours["se"]), f(&theirs["se"]), tol);
        assert_abs("d pooled", f(&ours["d_pooled"]), f(&theirs["d_pooled"]), tol);
    }
    let lm = run().results.latent_means().unwrap().unwrap();
    assert_eq!(lm.differences().unwrap().len(), 7);
    let text = run().results.to_string();
    assert!(text.contains("7b. Measurement invariance"), "section 7b");
    assert!(text.contains("Latent mean differences from Chengdu"), "latent means table");
}
