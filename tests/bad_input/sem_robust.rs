//! Robust ML (MLM, MLMV, MLR) where it does not apply: typed errors, never panics.

use crate::common::*;
use surveystat::Error;
use surveystat::sem::{Estimator, Likelihood, MultiGroupSem, Sem, SemMissing};

const HS: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";

fn invalid(r: Result<impl std::fmt::Debug, Error>, what: &str) {
    match r {
        Err(Error::InvalidParameter { .. }) => {}
        other => panic!("{what}: expected InvalidParameter, got {other:?}"),
    }
}

#[test]
fn robust_estimators_refuse_what_they_cannot_do() {
    let hs = load_data("HolzingerSwineford1939.csv");
    let names: Vec<String> = (1..=9).map(|i| format!("x{i}")).collect();
    let x = hs.select(&names).unwrap();
    let n = x.nrows() as f64;
    let mean = x.mean_axis(ndarray::Axis(0)).unwrap();
    let xc = &x - &mean;
    let cov = xc.t().dot(&xc) / (n - 1.0);
    for e in [Estimator::Mlm, Estimator::Mlmv, Estimator::Mlr] {
        let sem = Sem::from_syntax(HS).unwrap().estimator(e);
        assert_eq!(sem.robust_estimator(), Some(e));
        // no raw data
        invalid(sem.fit_cov(&cov, &names, 301), "covariance input");
        // Wishart likelihood
        invalid(sem.clone().likelihood(Likelihood::Wishart).fit(&hs), "wishart");
        // multi-group models: raw data and the normal likelihood only
        let m = surveystat::moments::Moments::from_cov(&cov, 301, Some(&mean)).unwrap();
        invalid(
            MultiGroupSem::new(sem.clone(), "school").fit_moments(&[("a".into(), m)]),
            "multi-group moments",
        );
        invalid(
            MultiGroupSem::new(sem.clone().likelihood(Likelihood::Wishart), "school").fit(&hs),
            "multi-group wishart",
        );
        // the robust ladder is compared by scaled differences; its partial search (ML score
        // tests) is refused
        let inv = surveystat::sem::Invariance::new(sem.clone(), "school");
        let ladder = inv.fit(&hs).unwrap();
        invalid(
            inv.partial_search(&hs, &ladder, surveystat::sem::PartialRule::Lrt),
            "robust partial search",
        );
        // Satorra (2000) needs MLM/MLMV pieces; nested fits need different df
        let (f0, f1) = (&ladder.fits()[0], &ladder.fits()[1]);
        let s2000 = f1.lrt_with(f0, surveystat::sem::DifferenceMethod::Satorra2000);
        assert_eq!(s2000.is_err(), e == Estimator::Mlr);
        invalid(f1.lrt_scaled(f1), "scaled difference of equal df");
        let mg_mimic =
            Sem::from_syntax("visual =~ x1 + x2 + x3\nvisual ~ ageyr").unwrap().estimator(e);
        invalid(MultiGroupSem::new(mg_mimic, "school").fit(&hs), "multi-group fixed.x");
    }
    // FIML only with MLR
    let miss = load_data("HS_missing10.csv");
    for e in [Estimator::Mlm, Estimator::Mlmv] {
        let sem = Sem::from_syntax(HS).unwrap().estimator(e).missing(SemMissing::Fiml);
        invalid(sem.fit(&miss), "FIML with MLM/MLMV");
        invalid(MultiGroupSem::new(sem, "school").fit(&miss), "multi-group FIML with MLM/MLMV");
    }
    assert_eq!(Sem::from_syntax(HS).unwrap().robust_estimator(), None);
}
