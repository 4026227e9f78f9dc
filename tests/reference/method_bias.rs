//! Harman's single-factor test against R psych 2.2.9 (tests/fixtures/extra/method_bias.R):
//! the principal-component share is a closed form (relative error ≤ TOL_CLOSED_FORM); the minres
//! share is at least as close to a tightly converged optimum as psych's own number.

use crate::common::{TOL_CLOSED_FORM, assert_rel, f, fixture_path, load_data};
use serde_json::Value;
use surveystat::factor::harman_single_factor;

#[test]
fn harman_single_factor_against_psych() {
    let all: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_path("extra/method_bias.json")).unwrap(),
    )
    .unwrap();
    for (name, file) in [("study", "study_survey.csv"), ("bfi25", "bfi25_listwise.csv")] {
        let c = &all[name];
        let items: Vec<String> =
            c["items"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().into()).collect();
        let x = load_data(file).select(&items).unwrap();
        let h = harman_single_factor(&x).unwrap();
        assert_rel(
            &format!("{name} pca_share"),
            h.pca_share(),
            f(&c["pca_share"]),
            TOL_CLOSED_FORM,
        );
        let tight = f(&c["fa_share_tight"]);
        let d_ours = (h.fa_share() - tight).abs();
        let d_psych = (f(&c["fa_share"]) - tight).abs();
        println!("{name} fa_share: |ours - tight| {d_ours:.2e}, |psych - tight| {d_psych:.2e}");
        assert!(d_ours <= d_psych.max(1e-8), "{name} fa_share");
        assert!(!h.exceeds_half());
    }
}
