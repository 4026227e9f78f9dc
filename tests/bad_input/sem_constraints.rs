//! Bad explicit constraints: unknown labels, contradictions, redundancy and the fits that do not
//! offer constraints — typed errors or warnings, never a panic.

use crate::common::*;
use surveystat::sem::Sem;
use surveystat::{Error, Warning};

const HS: &str = "visual =~ x1 + a*x2 + b*x3\ntextual =~ x4 + x5 + c*x6\nspeed =~ x7 + x8 + x9";

fn fit(extra: &str) -> surveystat::Result<surveystat::sem::SemFit> {
    let hs = load_data("HolzingerSwineford1939.csv");
    Sem::from_syntax(&format!("{HS}\n{extra}"))?.fit(&hs)
}

#[test]
fn unknown_label_is_named() {
    match fit("a == zz") {
        Err(Error::InvalidParameter { reason, .. }) => assert!(reason.contains("`zz`"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(fit("1 == 2"), Err(Error::InvalidParameter { .. })));
    assert!(matches!(Sem::from_syntax("a == "), Err(Error::Syntax { .. })));
}

#[test]
fn contradictory_constraints_are_refused() {
    match fit("a == 1\na == 2") {
        Err(Error::InvalidParameter { reason, .. }) => {
            assert!(reason.contains("contradict"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn redundant_constraints_warn_and_count_once() {
    let f = fit("a == b\nb == a\n2*a == 2*b").unwrap();
    assert_eq!(f.fit_measure("df").unwrap(), 25.0);
    assert!(
        f.warnings()
            .iter()
            .any(|w| matches!(w, Warning::Other { message } if message.contains("redundant")))
    );
}

#[test]
fn constraints_are_refused_where_not_offered() {
    use surveystat::sem::{Estimator, MultiGroupSem, SemMissing};
    let hs = load_data("HolzingerSwineford1939.csv");
    let sem = Sem::from_syntax(&format!("{HS}\na == b")).unwrap();
    // ordered indicators
    let e = sem.clone().ordered_all().fit(&hs).unwrap_err();
    assert!(matches!(&e, Error::InvalidParameter { .. }), "{e:?}");
    assert!(e.to_string().contains("ordered indicators"), "{e}");
    // MLM with FIML (robust ML with missing data is MLR)
    let miss = load_data("HS_missing10.csv");
    let e = sem.clone().estimator(Estimator::Mlm).missing(SemMissing::Fiml).fit(&miss).unwrap_err();
    assert!(matches!(&e, Error::InvalidParameter { .. }), "{e:?}");
    // a constraint naming a label no group has
    let bad = Sem::from_syntax(&format!("{HS}\na == zz")).unwrap();
    assert!(matches!(
        MultiGroupSem::new(bad, "school").fit(&hs),
        Err(Error::InvalidParameter { .. })
    ));
}
