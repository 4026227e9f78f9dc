//! SEM edge cases against lavaan 0.6.14 (tests/fixtures/extra/sem_fixes.R → sem_fixes.json):
//! the GFI family with fixed.x covariates, identification of models with large-variance
//! variables, ω of endogenous factors, division by zero in `:=`.

use crate::common::*;
use serde_json::Value;
use surveystat::sem::{Estimator, Sem};

fn fixture() -> Value {
    let text = std::fs::read_to_string(fixture_path("extra/sem_fixes.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn gfi_family_with_fixed_x_covariates_matches_lavaan() {
    let fx = fixture();
    let hs = load_data("HolzingerSwineford1939.csv");
    for (case, est) in
        [("mimic", Estimator::Ml), ("mimic_gls", Estimator::Gls), ("mimic_uls", Estimator::Uls)]
    {
        let c = &fx[case];
        let fit = Sem::from_syntax(c["model"].as_str().unwrap())
            .unwrap()
            .estimator(est)
            .fixed_x(true)
            .fit(&hs)
            .unwrap();
        for k in ["npar", "df", "gfi", "agfi", "pgfi"] {
            let ours = fit.fit_measure(k).unwrap();
            assert_close(&format!("{case} {k}"), ours, f(&c["fit_measures"][k]), TOL_SEM_FIT);
        }
        assert_rel(
            &format!("{case} chisq"),
            fit.fit_measure("chisq").unwrap(),
            f(&c["fit_measures"]["chisq"]),
            TOL_SEM_CHISQ,
        );
    }
}
