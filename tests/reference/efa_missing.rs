//! Empirical fit statistics with missing data against R psych 2.2.9 `fa` on HS x1–x9 with 10 %
//! of the values missing (fixture tests/fixtures/extra/efa_missing.R → efa_missing.json):
//! residuals weighted by the pairwise counts, `nh` their harmonic mean. `nh` is closed form
//! (TOL_CLOSED_FORM); the rest depend on psych's minres solution, which stops at optim's default
//! tolerance (about 1e-5 from the optimum on the complete data, see the efa_hs9_minres fixtures),
//! hence a 1e-4 relative bound.

use crate::common::{TOL_CLOSED_FORM, assert_rel, f, fixture_path, load_data};
use serde_json::Value;
use surveystat::factor::{Efa, Extraction};

#[test]
fn empirical_fit_with_pairwise_counts_matches_psych() {
    let p = fixture_path("extra/efa_missing.json");
    let all: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    let e = &all["hs_missing_minres"];
    let names: Vec<String> = (1..=9).map(|i| format!("x{i}")).collect();
    let x = load_data("HS_missing10.csv").select(&names).unwrap();
    let fit = Efa::new(3).extraction(Extraction::MinRes).fit(&x).unwrap();
    let fs = fit.fit_statistics();
    assert_eq!(fs.n_obs, 301);
    assert_rel("nh", fs.n_harmonic, f(&e["nh"]), TOL_CLOSED_FORM);
    let tol = 1e-4;
    for (what, ours, key) in [
        ("chi", fs.chi, "chi"),
        ("EPVAL", fs.e_p_value, "EPVAL"),
        ("rms", fs.rms, "rms"),
        ("crms", fs.crms, "crms"),
        ("EBIC", fs.ebic, "EBIC"),
        ("ESABIC", fs.esabic, "ESABIC"),
        ("fit.off", fs.fit_off, "fit_off"),
        ("STATISTIC", fs.chisq, "STATISTIC"),
    ] {
        eprintln!(
            "CASE efa_missing {what}: rel {:.2e}",
            (ours - f(&e[key])).abs() / f(&e[key]).abs()
        );
        assert_rel(what, ours, f(&e[key]), tol);
    }
}
