//! Generalized linear models against R 4.2.2 `glm` (IRLS to epsilon = 1e-14), sandwich and
//! `drop1(test = "LRT")`: tests/fixtures/extra/regression_glm.R.

use crate::common::*;
use crate::regression_factors::{check_vec, nums, strs};
use serde_json::Value;
use surveystat::regression::{Glm, GlmFamily};

/// IRLS results: relative error.
const TOL_IRLS: f64 = 1e-8;

fn run(name: &str) {
    let p = fixture_path("extra/regression_glm.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let c = &fx["cases"][name];
    let fam = match (c["family"].as_str().unwrap(), c["link"].as_str().unwrap()) {
        ("binomial", "logit") => GlmFamily::BinomialLogit,
        ("binomial", "probit") => GlmFamily::BinomialProbit,
        _ => GlmFamily::PoissonLog,
    };
    let data = match c.get("y01") {
        Some(y) => generated(y.as_str().unwrap()),
        None => load_data(c["dataset"].as_str().unwrap()),
    };
    let fit =
        Glm::from_formula(c["formula"].as_str().unwrap(), fam).unwrap().fit_dataset(&data).unwrap();
    assert!(fit.converged());
    assert_eq!(fit.terms(), strs(&c["terms"]).as_slice(), "{name}: terms");
    let t = TOL_IRLS;
    check_vec(
        &format!("{name} estimate"),
        fit.coefficients().as_slice().unwrap(),
        &nums(&c["estimate"]),
        t,
    );
    check_vec(
        &format!("{name} se"),
        fit.std_errors().as_slice().unwrap(),
        &nums(&c["std_error"]),
        t,
    );
    check_vec(&format!("{name} z"), fit.z_values().as_slice().unwrap(), &nums(&c["z_value"]), t);
    check_vec(&format!("{name} p"), fit.p_values().as_slice().unwrap(), &nums(&c["p_value"]), t);
    check_vec(
        &format!("{name} lower"),
        fit.ci_lower().as_slice().unwrap(),
        &nums(&c["ci_lower"]),
        t,
    );
    check_vec(
        &format!("{name} upper"),
        fit.ci_upper().as_slice().unwrap(),
        &nums(&c["ci_upper"]),
        t,
    );
    let (e, lo, hi) = fit.exp_coefficients();
    check_vec(&format!("{name} exp"), e.as_slice().unwrap(), &nums(&c["exp_estimate"]), t);
    check_vec(&format!("{name} exp lower"), lo.as_slice().unwrap(), &nums(&c["exp_ci_lower"]), t);
    check_vec(&format!("{name} exp upper"), hi.as_slice().unwrap(), &nums(&c["exp_ci_upper"]), t);
    assert_rel("deviance", fit.deviance(), f(&c["deviance"]), t);
    assert_rel("null deviance", fit.null_deviance(), f(&c["null_deviance"]), t);
    assert_eq!(fit.df_residual() as u64, c["df_residual"].as_u64().unwrap());
    assert_eq!(fit.df_null() as u64, c["df_null"].as_u64().unwrap());
    assert_rel("aic", fit.aic(), f(&c["aic"]), t);
    assert_rel("bic", fit.bic(), f(&c["bic"]), t);
    assert_rel("loglik", fit.log_lik(), f(&c["loglik"]), t);
    for (hc1, key) in [(false, "se_HC0"), (true, "se_HC1")] {
        let se: Vec<f64> = fit.vcov_robust(hc1).diag().iter().map(|v| v.sqrt()).collect();
        check_vec(&format!("{name} {key}"), &se, &nums(&c[key]), t);
    }
    let lr = fit.lr_tests().unwrap();
    let terms = strs(&c["drop1_terms"]);
    assert_eq!(lr.iter().map(|r| r.term.clone()).collect::<Vec<_>>(), terms);
    let stat = nums_or_one(&c["drop1_lrt"]);
    let pv = nums_or_one(&c["drop1_p"]);
    for (k, r) in lr.iter().enumerate() {
        assert_rel(&format!("{name} LR {}", r.term), r.statistic, stat[k], 1e-7);
        assert_rel(&format!("{name} LR p {}", r.term), r.p_value, pv[k], 1e-7);
    }
}

/// The generated design of the `large_*` cases, rebuilt bit for bit from the R script's integer
/// arithmetic; y from the fixture's 0/1 string.
fn generated(y01: &str) -> surveystat::data::Dataset {
    let n = y01.len();
    let m = ndarray::Array2::from_shape_fn((n, 3), |(r, j)| {
        let i = (r + 1) as u64;
        match j {
            0 => f64::from(u8::from(y01.as_bytes()[r] == b'1')),
            1 => ((i * 7919) % 1000) as f64 / 100.0 - 5.0,
            _ => ((i * 104729) % 997) as f64 / 99.7 - 5.0,
        }
    });
    surveystat::data::Dataset::from_array(&["y", "x1", "x2"], m).unwrap()
}

fn nums_or_one(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(_) => nums(v),
        x => vec![f(x)],
    }
}

#[test]
fn logistic_mtcars() {
    run("mtcars_logit");
}

#[test]
fn probit_mtcars() {
    run("mtcars_probit");
}

#[test]
fn logistic_with_factor() {
    run("mtcars_vs_logit");
}

#[test]
fn poisson_warpbreaks_interaction() {
    run("warp_poisson");
}

#[test]
fn poisson_swiss() {
    run("swiss_poisson");
}

#[test]
fn logistic_large_parallel_design() {
    run("large_logit");
}

#[test]
fn probit_large_parallel_design() {
    run("large_probit");
}

/// The parallel IRLS (row chunks, leaf groups of the streaming QR) gives bit-identical results
/// with one thread and with the default pool.
#[test]
fn irls_is_thread_count_independent() {
    let p = fixture_path("extra/regression_glm.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let data = generated(fx["cases"]["large_logit"]["y01"].as_str().unwrap());
    let fit = || {
        Glm::from_formula("y ~ x1 * x2", GlmFamily::BinomialLogit)
            .unwrap()
            .fit_dataset(&data)
            .unwrap()
    };
    let a = fit();
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let b = one.install(fit);
    assert_eq!(a.coefficients(), b.coefficients());
    assert_eq!(a.std_errors(), b.std_errors());
    assert_eq!(a.deviance(), b.deviance());
    assert_eq!(a.vcov_robust(false), b.vcov_robust(false));
    assert_eq!(a.iterations(), b.iterations());
}
