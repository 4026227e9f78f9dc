//! SEM against lavaan 0.6.14 (tests/fixtures/expected/sem_*.json, study_cfa.json, study_sem.json).

use crate::common::*;
use ndarray::Array2;
use serde_json::Value;
use surveystat::sem::{Estimator, Likelihood, Sem, SemFit};

const HS_MODEL: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

fn model_of(case: &Value) -> String {
    // the model string is the r_call's first "..." block
    let call = case["r_call"].as_str().unwrap();
    let start = call
        .find("model <- \"")
        .map(|k| k + 9)
        .or_else(|| call.find("sem(\"").map(|k| k + 4))
        .unwrap();
    let rest = &call[start + 1..];
    let end = rest.find('"').unwrap();
    rest[..end].to_string()
}

/// Tolerance for estimates: 1e-5 or 10x lavaan's distance from the optimum.
fn tol_est(case: &Value) -> f64 {
    let step =
        case["results"]["precision_check"]["newton"]["max_abs_newton_step"].as_f64().unwrap_or(0.0);
    TOL_SEM_EST.max(10.0 * step)
}

fn check(case_name: &str, fit: &SemFit, check_mi: bool) {
    let case = load_case(case_name);
    let res = &case["results"];
    let tol = tol_est(&case);
    let mut worst = (0.0f64, String::new());
    let mut track = |what: String, a: f64, b: f64, t: f64| {
        let d = (a - b).abs() / b.abs().max(1.0);
        if d > worst.0 {
            worst = (d, what.clone());
        }
        assert_close(&what, a, b, t);
    };
    for row in res["parameter_estimates"].as_array().unwrap() {
        let (lhs, op, rhs) = (
            row["lhs"].as_str().unwrap(),
            row["op"].as_str().unwrap(),
            row["rhs"].as_str().unwrap(),
        );
        let ours =
            if op == ":=" { fit.parameter(lhs, op, "") } else { fit.parameter(lhs, op, rhs) };
        let ours = ours.unwrap_or_else(|| panic!("{case_name}: missing row {lhs} {op} {rhs}"));
        let id = format!("{case_name} {lhs}{op}{rhs}");
        track(format!("{id} est"), ours.est, f(&row["est"]), tol);
        track(format!("{id} se"), ours.se.unwrap(), f(&row["se"]), tol);
        if let Some(z) = opt_f64(&row["z"]) {
            track(
                format!("{id} z"),
                ours.z.unwrap(),
                z,
                tol * 10.0 * z.abs().max(1.0) / z.abs().max(1.0),
            );
        }
        track(format!("{id} ci.lower"), ours.ci_lower.unwrap(), f(&row["ci.lower"]), 3.0 * tol);
        track(format!("{id} std.lv"), ours.std_lv.unwrap(), f(&row["std.lv"]), tol);
        track(format!("{id} std.all"), ours.std_all.unwrap(), f(&row["std.all"]), tol);
        if op == ":=" {
            assert_eq!(ours.rhs, rhs);
        }
    }
    // fit measures
    let chisq = f(&res["fit_measures"]["chisq"]);
    for (k, v) in res["fit_measures"].as_object().unwrap() {
        let Some(exp) = v.as_f64() else {
            let ours = fit.fit_measure(k);
            assert!(ours.is_none_or(f64::is_nan), "{case_name} {k}: expected NA, got {ours:?}");
            continue;
        };
        let ours =
            fit.fit_measure(k).unwrap_or_else(|| panic!("{case_name}: missing fit measure {k}"));
        if k == "chisq" {
            if exp > 1e-6 {
                let t = TOL_SEM_CHISQ.max(tol * tol * 10.0);
                assert_rel(&format!("{case_name} chisq"), ours, exp, t);
            } else {
                assert_abs("chisq", ours, exp, 1e-8);
            }
        } else if [
            "logl",
            "unrestricted.logl",
            "aic",
            "bic",
            "bic2",
            "baseline.chisq",
            "cn_05",
            "cn_01",
        ]
        .contains(&k.as_str())
        {
            assert_rel(&format!("{case_name} {k}"), ours, exp, 1e-8_f64.max(tol * 1e-2));
        } else if k == "fmin" && exp < 1e-10 {
            assert_abs("fmin", ours, exp, 1e-10);
        } else if k == "fmin" {
            assert_rel(&format!("{case_name} fmin"), ours, exp, 1e-6);
        } else {
            // fit measures are smooth in the estimates: allow for lavaan's distance to the optimum
            let t = if chisq > 0.0 { TOL_SEM_FIT.max(tol) } else { TOL_SEM_FIT };
            track(format!("{case_name} {k}"), ours, exp, t);
        }
    }
    // implied and sample covariance
    let (rn, _, imp) = matrix(&res["implied_cov"]);
    let (_, _, smp) = matrix(&res["sample_cov"]);
    let ov = fit.observed();
    for (i, a) in rn.iter().enumerate() {
        for (j, b) in rn.iter().enumerate() {
            let ia = ov.iter().position(|x| x == a).unwrap();
            let ib = ov.iter().position(|x| x == b).unwrap();
            assert_close("implied", fit.implied_cov()[[ia, ib]], imp[[i, j]], tol);
            assert_close("sample", fit.sample_cov()[[ia, ib]], smp[[i, j]], 1e-12);
        }
    }
    if check_mi {
        let mi = fit.modindices().unwrap();
        for row in res["modindices_top10"].as_array().unwrap() {
            let (lhs, op, rhs) = (
                row["lhs"].as_str().unwrap(),
                row["op"].as_str().unwrap(),
                row["rhs"].as_str().unwrap(),
            );
            let ours = mi
                .iter()
                .find(|m| {
                    m.op == op
                        && ((m.lhs == lhs && m.rhs == rhs)
                            || (op == "~~" && m.lhs == rhs && m.rhs == lhs))
                })
                .unwrap_or_else(|| panic!("{case_name}: missing MI {lhs} {op} {rhs}"));
            let t = TOL_SEM_MI.max(10.0 * tol);
            assert_close(&format!("{case_name} mi {lhs}{op}{rhs}"), ours.mi, f(&row["mi"]), t);
            assert_close(&format!("{case_name} epc {lhs}{op}{rhs}"), ours.epc, f(&row["epc"]), t);
            assert_close(
                &format!("{case_name} sepc.lv {lhs}{op}{rhs}"),
                ours.sepc_lv,
                f(&row["sepc.lv"]),
                t,
            );
            assert_close(
                &format!("{case_name} sepc.all {lhs}{op}{rhs}"),
                ours.sepc_all,
                f(&row["sepc.all"]),
                t,
            );
        }
        // the same ten, in the same order
        let top: Vec<(String, String, String)> =
            mi.iter().take(10).map(|m| (m.lhs.clone(), m.op.clone(), m.rhs.clone())).collect();
        let exp: Vec<(String, String, String)> = res["modindices_top10"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["lhs"].as_str().unwrap().into(),
                    r["op"].as_str().unwrap().into(),
                    r["rhs"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(top.len(), exp.len(), "{case_name}: number of MIs");
    }
    assert!(fit.convergence().converged);
    eprintln!(
        "{case_name}: worst relative difference {:.2e} at {} (tol {tol:.1e}); max|grad| {:.1e}",
        worst.0,
        worst.1,
        fit.gradient_max()
    );
}

fn hs() -> surveystat::data::Dataset {
    load_data("HolzingerSwineford1939.csv")
}

#[test]
fn hs_cfa() {
    let fit = Sem::from_syntax(HS_MODEL).unwrap().fit(&hs()).unwrap();
    check("sem_hs_cfa", &fit, true);
    assert_eq!(fit.fit_measure("npar"), Some(21.0));
}

#[test]
fn hs_cfa_stdlv() {
    let fit = Sem::from_syntax(HS_MODEL).unwrap().std_lv(true).fit(&hs()).unwrap();
    check("sem_hs_cfa_stdlv", &fit, true);
}

#[test]
fn hs_cfa_gls() {
    let fit = Sem::from_syntax(HS_MODEL).unwrap().estimator(Estimator::Gls).fit(&hs()).unwrap();
    check("sem_hs_cfa_gls", &fit, false);
}

#[test]
fn hs_cfa_uls() {
    let fit = Sem::from_syntax(HS_MODEL).unwrap().estimator(Estimator::Uls).fit(&hs()).unwrap();
    check("sem_hs_cfa_uls", &fit, false);
}

fn hs_cov() -> (Array2<f64>, Vec<String>) {
    let d = load_data("HS_x1_x9_cov.csv");
    let names: Vec<String> = (1..=9).map(|i| format!("x{i}")).collect();
    (d.select(&names).unwrap(), names)
}

#[test]
fn hs_cfa_covinput() {
    let (cov, names) = hs_cov();
    let fit = Sem::from_syntax(HS_MODEL).unwrap().fit_cov(&cov, &names, 301).unwrap();
    check("sem_hs_cfa_covinput", &fit, true);
}

#[test]
fn hs_cfa_covinput_wishart() {
    let (cov, names) = hs_cov();
    let fit = Sem::from_syntax(HS_MODEL)
        .unwrap()
        .likelihood(Likelihood::Wishart)
        .fit_cov(&cov, &names, 301)
        .unwrap();
    check("sem_hs_cfa_covinput_wishart", &fit, false);
}

#[test]
fn poldem() {
    let case = load_case("sem_poldem");
    let fit = Sem::from_syntax(&model_of(&case))
        .unwrap()
        .fit(&load_data("PoliticalDemocracy.csv"))
        .unwrap();
    check("sem_poldem", &fit, true);
    assert_eq!(fit.fit_measure("npar"), Some(28.0));
}

#[test]
fn hs_path_mediation() {
    let case = load_case("sem_hs_path_mediation");
    let fit = Sem::from_syntax(&model_of(&case)).unwrap().fit(&hs()).unwrap();
    check("sem_hs_path_mediation", &fit, false);
    assert!(fit.modindices().unwrap().is_empty());
}

#[test]
fn study_cfa() {
    let case = load_case("study_cfa");
    let fit =
        Sem::from_syntax(&model_of(&case)).unwrap().fit(&load_data("study_survey.csv")).unwrap();
    check("study_cfa", &fit, true);
    let v = &case["results"]["validity"];
    let tol = tol_est(&case);
    for (k, x) in fit.composite_reliability() {
        assert_close(&format!("CR {k}"), x, f(&v["CR_AVE"][&k]["CR"]), tol);
    }
    for (k, x) in fit.ave() {
        assert_close(&format!("AVE {k}"), x, f(&v["CR_AVE"][&k]["AVE"]), tol);
    }
    for (k, pass) in fit.fornell_larcker_pass() {
        assert_eq!(Some(pass), v["fornell_larcker_pass"][&k].as_bool(), "Fornell-Larcker {k}");
    }
    let (rn, _, fl) = matrix(&v["fornell_larcker"]);
    let ours = fit.fornell_larcker();
    let lv = fit.latent();
    for (i, a) in rn.iter().enumerate() {
        for (j, b) in rn.iter().enumerate() {
            let ia = lv.iter().position(|x| x == a).unwrap();
            let ib = lv.iter().position(|x| x == b).unwrap();
            assert_close("fornell-larcker", ours[[ia, ib]], fl[[i, j]], tol);
        }
    }
}

#[test]
fn study_sem() {
    let case = load_case("study_sem");
    let fit =
        Sem::from_syntax(&model_of(&case)).unwrap().fit(&load_data("study_survey.csv")).unwrap();
    check("study_sem", &fit, true);
    let tol = tol_est(&case);
    for (k, x) in fit.r_squared() {
        assert_close(&format!("R2 {k}"), *x, f(&case["results"]["r_squared"][k]), tol);
    }
    assert_eq!(fit.r_squared().len(), case["results"]["r_squared"].as_object().unwrap().len());
}

#[test]
fn cli_json_matches_lavaan() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let model = dir.join("hs_cli.lav");
    std::fs::write(&model, HS_MODEL).unwrap();
    let data = fixture_path("data/HolzingerSwineford1939.csv");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_surveystat"))
            .args([
                "sem",
                "--data",
                data.to_str().unwrap(),
                "--model",
                model.to_str().unwrap(),
                "--json",
            ])
            .output()
            .unwrap()
    };
    let out = run();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, run().stdout, "JSON output is deterministic");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let case = load_case("sem_hs_cfa");
    assert_rel(
        "cli chisq",
        f(&v["fit"]["chisq"]),
        f(&case["results"]["fit_measures"]["chisq"]),
        TOL_SEM_CHISQ,
    );
    assert_close(
        "cli cfi",
        f(&v["fit"]["cfi"]),
        f(&case["results"]["fit_measures"]["cfi"]),
        TOL_SEM_FIT,
    );
    let p = v["parameters"].as_array().unwrap();
    let x2 = p.iter().find(|r| r["lhs"] == "visual" && r["rhs"] == "x2").unwrap();
    assert_close("cli est", f(&x2["est"]), 0.5535002937636618, TOL_SEM_EST);
    assert_close("cli se", f(&x2["se"]), 0.0996651187683112, TOL_SEM_EST);
    assert_eq!(v["converged"], Value::Bool(true));
    // readable summary
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_surveystat"))
        .args(["sem", "--data", data.to_str().unwrap(), "--model", model.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Latent Variables:") && text.contains("visual =~ x2"), "{text}");
    // a syntax error names the file, line and column and prints nothing on stdout
    let bad = dir.join("bad_cli.lav");
    std::fs::write(&bad, "visual =~ x1 + x2\ntextual x4").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_surveystat"))
        .args(["sem", "--data", data.to_str().unwrap(), "--model", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 2, column 9"), "{err}");
}

#[test]
fn bfgs_optimizer_agrees_with_lavaan() {
    use surveystat::sem::Optimizer;
    let fit = Sem::from_syntax(HS_MODEL).unwrap().optimizer(Optimizer::Bfgs).fit(&hs()).unwrap();
    check("sem_hs_cfa", &fit, true);
    let case = load_case("sem_poldem");
    let fit = Sem::from_syntax(&model_of(&case))
        .unwrap()
        .optimizer(Optimizer::Bfgs)
        .fit(&load_data("PoliticalDemocracy.csv"))
        .unwrap();
    check("sem_poldem", &fit, true);
    let case = load_case("study_sem");
    let fit = Sem::from_syntax(&model_of(&case))
        .unwrap()
        .optimizer(Optimizer::Bfgs)
        .fit(&load_data("study_survey.csv"))
        .unwrap();
    check("study_sem", &fit, false);
}
