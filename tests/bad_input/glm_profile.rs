//! Profile-likelihood intervals of GLM coefficients on bad input: separation (the profile
//! levels off below the cutoff) and quasi-separation end in a missing end with a warning, in
//! bounded time; a bad level is a typed error.

use surveystat::data::Dataset;
use surveystat::error::Error;
use surveystat::regression::{Glm, GlmFamily};

#[test]
fn complete_separation_leaves_ends_open() {
    let ds = Dataset::from_csv_str("y,x\n0,1\n0,2\n0,3\n0,4\n1,5\n1,6\n1,7\n1,8\n", "mem").unwrap();
    for fam in [GlmFamily::BinomialLogit, GlmFamily::BinomialProbit] {
        let fit = Glm::from_formula("y ~ x", fam).unwrap().fit_dataset(&ds).unwrap();
        let t0 = std::time::Instant::now();
        let ci = fit.confint_profile(0.95).unwrap();
        assert!(t0.elapsed().as_secs() < 60);
        let open = ci.intervals.iter().filter(|iv| iv.lower.is_none() || iv.upper.is_none());
        assert!(open.count() > 0, "{fam:?}: {:?}", ci.intervals);
        assert!(!ci.warnings.is_empty());
        for iv in &ci.intervals {
            assert!(iv.evaluations < 400, "{fam:?}: {iv:?}");
            for v in [iv.lower, iv.upper].into_iter().flatten() {
                assert!(v.is_finite());
            }
        }
    }
}

#[test]
fn quasi_separation_has_an_open_upper_end() {
    // x ≥ 5 always has y = 1; x = 4 has both outcomes: the slope's profile rises without bound
    // below the estimate but levels off above it.
    let ds = Dataset::from_csv_str(
        "y,x\n0,1\n0,2\n1,2\n0,3\n0,4\n1,4\n1,5\n1,6\n1,7\n1,8\n0,1\n1,3\n",
        "mem",
    )
    .unwrap();
    let fit =
        Glm::from_formula("y ~ x", GlmFamily::BinomialLogit).unwrap().fit_dataset(&ds).unwrap();
    let ci = fit.confint_profile(0.95).unwrap();
    for iv in &ci.intervals {
        assert!(iv.evaluations < 400);
    }
    assert!(ci.intervals[1].lower.is_some(), "{:?}", ci.intervals);
}

#[test]
fn bad_level_is_an_error() {
    let ds = Dataset::from_csv_str("y,x\n0,1\n1,2\n0,3\n1,4\n0,5\n1,6\n", "mem").unwrap();
    let fit =
        Glm::from_formula("y ~ x", GlmFamily::BinomialLogit).unwrap().fit_dataset(&ds).unwrap();
    for level in [0.0, 1.0, f64::NAN, -0.5] {
        assert!(matches!(fit.confint_profile(level), Err(Error::InvalidParameter { .. })));
    }
    assert!(fit.profile_signed_root(5, 0.0).is_err());
    assert!(fit.profile_signed_root(1, f64::INFINITY).is_err());
}
