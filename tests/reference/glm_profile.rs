//! Profile-likelihood intervals of GLM coefficients against R 4.2.2 (MASS 7.3-58.2
//! `confint.glm` and the exact roots of the signed root statistic found in R by `uniroot` on
//! `glm.fit` refits): tests/fixtures/extra/glm_profile.R.

use crate::common::*;
use crate::regression_factors::{nums, strs};
use serde_json::Value;
use surveystat::regression::{Glm, GlmFamily};

/// Our ends against R's exact profile roots, in standard errors of the coefficient (both sides
/// solve to about 1e-10 se; the refits stop at a relative deviance change of 1e-14).
const TOL_EXACT_SE: f64 = 1e-7;

fn run(name: &str) {
    let p = fixture_path("extra/glm_profile.json");
    let fx: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let c = &fx["cases"][name];
    let fam = match (c["family"].as_str().unwrap(), c["link"].as_str().unwrap()) {
        ("binomial", "logit") => GlmFamily::BinomialLogit,
        ("binomial", "probit") => GlmFamily::BinomialProbit,
        _ => GlmFamily::PoissonLog,
    };
    let data = load_data(c["dataset"].as_str().unwrap());
    let fit =
        Glm::from_formula(c["formula"].as_str().unwrap(), fam).unwrap().fit_dataset(&data).unwrap();
    assert_eq!(fit.terms(), strs(&c["terms"]).as_slice(), "{name}: terms");
    let level = f(&fx["level"]);
    let ci = fit.confint_profile(level).unwrap();
    assert!(ci.warnings.is_empty(), "{name}: {:?}", ci.warnings);
    assert_rel("cutoff", ci.cutoff, f(&c["cutoff"]), 1e-14);
    let se = nums(&c["std_error"]);
    let z = ci.cutoff;
    for (side, key) in [(0, "lower"), (1, "upper")] {
        let exact = nums(&c[format!("exact_{key}").as_str()]);
        let mass = nums(&c[format!("mass_{key}").as_str()]);
        let tau_mass = nums(&c[format!("tau_at_mass_{key}").as_str()]);
        for (j, iv) in ci.intervals.iter().enumerate() {
            let ours = if side == 0 { iv.lower } else { iv.upper }.unwrap();
            let what = format!("{name} {} {key}", iv.term);
            assert_abs(
                &format!("{what} vs exact root"),
                ours / se[j],
                exact[j] / se[j],
                TOL_EXACT_SE,
            );
            // Agreement with MASS up to its spline interpolation (at most 0.01 se here).
            assert_abs(&format!("{what} vs MASS"), ours / se[j], mass[j] / se[j], 0.02);
            // The signed root at MASS's end, ours against R's refit there.
            let t_mass = fit.profile_signed_root(j, mass[j]).unwrap();
            assert_abs(&format!("{what} tau at MASS end"), t_mass, tau_mass[j], 1e-7);
            // Ours lies on the cutoff; MASS's end misses it by its interpolation error.
            let target = if side == 0 { -z } else { z };
            let t_ours = fit.profile_signed_root(j, ours).unwrap();
            assert!(
                (t_ours - target).abs() <= (t_mass - target).abs() + 1e-12,
                "{what}: |tau(ours) - z| = {:e} > |tau(MASS) - z| = {:e}",
                (t_ours - target).abs(),
                (t_mass - target).abs()
            );
            assert!((t_ours - target).abs() < 1e-8, "{what}: tau(ours) = {t_ours}");
        }
    }
}

#[test]
fn profile_logistic_mtcars() {
    run("mtcars_logit");
}

#[test]
fn profile_probit_mtcars() {
    run("mtcars_probit");
}

#[test]
fn profile_logistic_with_factor() {
    run("mtcars_vs_logit");
}

#[test]
fn profile_poisson_warpbreaks_interaction() {
    run("warp_poisson");
}

#[test]
fn profile_poisson_swiss() {
    run("swiss_poisson");
}
