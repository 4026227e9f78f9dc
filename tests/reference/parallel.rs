//! Parallel analysis against R psych 2.2.9 `fa.parallel` on Harman74 (tests/fixtures/extra/
//! parallel.R). R's random draws cannot be reproduced, so: observed component eigenvalues are
//! compared as a closed form (relative error ≤ TOL_CLOSED_FORM), observed factor eigenvalues
//! (one-factor minres communalities, iterative) within TOL_EFA_MAX, the decision rule is applied
//! to psych's own reference vectors and must give psych's numbers, and our default run (its own
//! draws) must give psych's suggested numbers of components and factors.

use crate::common::{TOL_CLOSED_FORM, TOL_EFA_MAX, assert_abs, assert_rel, f, fixture_path};
use ndarray::Array2;
use serde_json::Value;
use surveystat::data::Dataset;
use surveystat::factor::{ParallelAnalysis, ParallelCriterion, ParallelSource, parallel_count};

fn vecf(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(f).collect()
}

fn harman74() -> Array2<f64> {
    let d = Dataset::from_csv_path(fixture_path("extra/harman74_cor.csv")).expect("harman74");
    d.select(&d.numeric_names()).expect("numeric")
}

#[test]
fn parallel_harman74_against_psych() {
    let all: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_path("extra/parallel.json")).unwrap(),
    )
    .unwrap();
    let c = &all["harman74"];
    let r = harman74();
    let pa = ParallelAnalysis::new().fit_cor(&r, 145).unwrap();
    let pc = vecf(&c["pc_values"]);
    let fa = vecf(&c["fa_values"]);
    for (j, (&a, &b)) in pa.observed_components().iter().zip(&pc).enumerate() {
        assert_rel(&format!("pc_values[{j}]"), a, b, TOL_CLOSED_FORM);
    }
    for (j, (&a, &b)) in pa.observed_factors().iter().zip(&fa).enumerate() {
        assert_abs(&format!("fa_values[{j}]"), a, b, TOL_EFA_MAX);
    }
    let ncomp = c["ncomp"].as_u64().unwrap() as usize;
    let nfact = c["nfact"].as_u64().unwrap() as usize;
    assert_eq!(parallel_count(&pc, &vecf(&c["pc_ref"])), ncomp);
    assert_eq!(parallel_count(&fa, &vecf(&c["fa_ref"])), nfact);
    assert_eq!(pa.source(), ParallelSource::Simulated);
    assert_eq!(pa.criterion_components(), ParallelCriterion::Quantile(0.95));
    assert_eq!(pa.criterion_factors(), ParallelCriterion::Mean);
    assert_eq!(pa.n_components(), ncomp, "components (psych 3)");
    assert_eq!(pa.n_factors(), nfact, "factors (psych 4)");
    // Means are reported beside the decision references and lie close to psych's.
    for (j, (&a, b)) in pa.mean_components().iter().zip(vecf(&c["pc_sim_mean"])).enumerate() {
        assert!((a - b).abs() < 0.15, "pc mean {j}: {a} vs {b}");
    }
}
