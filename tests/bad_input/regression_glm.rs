//! Generalized linear models on bad input: separation, responses outside the family's range.

use crate::common::*;
use surveystat::data::Dataset;
use surveystat::error::Error;
use surveystat::regression::{Glm, GlmFamily};
use surveystat::warning::Warning;

#[test]
fn perfect_separation_is_reported() {
    let ds = Dataset::from_csv_str("y,x\n0,1\n0,2\n0,3\n0,4\n1,5\n1,6\n1,7\n1,8\n", "mem").unwrap();
    let fit =
        Glm::from_formula("y ~ x", GlmFamily::BinomialLogit).unwrap().fit_dataset(&ds).unwrap();
    assert!(
        fit.warnings().iter().any(|w| matches!(w, Warning::Separation { complete: true, .. })),
        "{:?}",
        fit.warnings()
    );
    assert!(fit.deviance() < 1e-6);
    // Probit as well.
    let fit =
        Glm::from_formula("y ~ x", GlmFamily::BinomialProbit).unwrap().fit_dataset(&ds).unwrap();
    assert!(fit.warnings().iter().any(|w| matches!(w, Warning::Separation { .. })));
}

#[test]
fn response_outside_the_family() {
    let ds = load_data("mtcars.csv");
    let e = Glm::from_formula("mpg ~ wt", GlmFamily::BinomialLogit)
        .unwrap()
        .fit_dataset(&ds)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
    let ds = Dataset::from_csv_str("y,x\n1,1\n-2,2\n3,3\n4,4\n", "mem").unwrap();
    let e =
        Glm::from_formula("y ~ x", GlmFamily::PoissonLog).unwrap().fit_dataset(&ds).unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
    let e = Glm::from_formula("y ~ x", GlmFamily::PoissonLog)
        .unwrap()
        .ci_level(2.0)
        .fit_dataset(&ds)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidParameter { .. }), "{e:?}");
}
