//! Bad input to the resampling, simulation and missing-data engines: typed errors, no panics.

use ndarray::{Array2, array};
use surveystat::Error;
use surveystat::missing::{MissingPatterns, SaturatedEm, casewise_loglik};
use surveystat::resample::{
    Acceleration, Bootstrap, BootstrapFit, bollen_stine_transform, jackknife,
};
use surveystat::simulate::{Draw, Likert, MonteCarlo, MultivariateNormal};

const NAN: f64 = f64::NAN;

fn mean1(idx: &[usize]) -> surveystat::Result<Vec<f64>> {
    Ok(vec![idx.iter().map(|&i| i as f64).sum::<f64>() / idx.len() as f64])
}

#[test]
fn bootstrap_rejects_bad_configuration() {
    assert!(matches!(Bootstrap::new(0).run(10, mean1), Err(Error::InvalidParameter { .. })));
    assert!(matches!(Bootstrap::new(10).run(1, mean1), Err(Error::TooFewObservations { .. })));
    assert!(matches!(
        Bootstrap::new(10).names(["a", "b"]).run(10, mean1),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        Bootstrap::new(10)
            .acceleration(Acceleration::Influence(Array2::zeros((3, 1))))
            .run(10, mean1),
        Err(Error::DimensionMismatch { .. })
    ));
    let fit = Bootstrap::new(20).run(10, mean1).unwrap();
    for level in [0.0, 1.0, -0.5, f64::NAN, 2.0] {
        assert!(matches!(fit.ci_percentile(level), Err(Error::InvalidParameter { .. })));
        assert!(matches!(fit.ci_bca(level), Err(Error::InvalidParameter { .. })));
    }
    assert!(fit.ci_bca_one(5, 0.95).is_err());
}

#[test]
fn statistic_failing_on_original_data_is_an_error() {
    let r = Bootstrap::new(10).run(10, |_| Err(Error::invalid("stat", "always fails")));
    assert!(matches!(r, Err(Error::InvalidParameter { .. })));
    let r = Bootstrap::new(10).run(10, |_| Ok(vec![f64::INFINITY]));
    assert!(matches!(r, Err(Error::NonFinite { .. })));
    let r = Bootstrap::new(10).run(10, |_| Ok(vec![]));
    assert!(matches!(r, Err(Error::InvalidParameter { .. })));
}

#[test]
fn all_replications_failing_is_reported_not_hidden() {
    let fit = Bootstrap::new(30)
        .run(10, |idx| {
            if idx.iter().enumerate().all(|(a, &b)| a == b) {
                Ok(vec![1.0])
            } else {
                Err(Error::invalid("stat", "fails on resamples"))
            }
        })
        .unwrap();
    assert_eq!(fit.n_successful(), 0);
    assert_eq!(fit.failures().len(), 30);
    assert!(fit.se()[0].is_nan());
    assert!(fit.ci_percentile(0.95).is_err());
    assert!(fit.ci_bca(0.95).is_err());
    let _ = fit.summary().to_string();
}

#[test]
fn wrong_length_replications_fail_individually() {
    let fit = Bootstrap::new(30)
        .acceleration(Acceleration::None)
        .run(10, |idx| if idx[0] == 3 { Ok(vec![1.0, 2.0]) } else { mean1(idx) })
        .unwrap();
    assert!(fit.failures().iter().all(|f| f.reason.contains("expected 1")));
}

#[test]
fn bca_reports_why_it_is_unavailable() {
    // Constant statistic: every replicate equals t0 → z0 = Φ⁻¹(0) = −∞.
    let fit = Bootstrap::new(50).run(10, |_| Ok(vec![2.0])).unwrap();
    assert!(fit.ci_bca(0.95).is_err());
    assert!(fit.ci_bc(0.95).is_err());
    assert!(fit.ci_percentile(0.95).is_ok());
    // Jackknife failing on some deletion: bootstrap succeeds, BCa says why.
    let fit = Bootstrap::new(50)
        .run(10, |idx| {
            if idx.len() == 9 && idx[0] == 1 {
                Err(Error::invalid("s", "boom"))
            } else {
                mean1(idx)
            }
        })
        .unwrap();
    let e = fit.ci_bca(0.95).unwrap_err().to_string();
    assert!(e.contains("jackknife"), "{e}");
    assert!(jackknife(1, mean1).is_err());
}

#[test]
fn from_parts_validates_shapes() {
    let t0 = array![1.0, 2.0];
    assert!(BootstrapFit::from_parts(5, &t0, &Array2::zeros((10, 3)), None).is_err());
    let mut reps = Array2::zeros((10, 2));
    reps[[0, 0]] = NAN;
    assert!(matches!(BootstrapFit::from_parts(5, &t0, &reps, None), Err(Error::NonFinite { .. })));
    assert!(
        BootstrapFit::from_parts(5, &t0, &Array2::zeros((10, 2)), Some(&Array2::zeros((4, 2))))
            .is_err()
    );
}

#[test]
fn bollen_stine_rejects_bad_input() {
    let x = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0]];
    let s = array![[1.0, 0.5], [0.5, 1.0]];
    let mut xm = x.clone();
    xm[[0, 0]] = NAN;
    assert!(matches!(bollen_stine_transform(&xm, &s, None), Err(Error::NonFinite { .. })));
    assert!(matches!(
        bollen_stine_transform(&x, &array![[1.0]], None),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        bollen_stine_transform(&x, &s, Some(&array![0.0])),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(
        bollen_stine_transform(&x, &array![[1.0, 2.0], [2.0, 1.0]], None),
        Err(Error::NotPositiveDefinite { .. })
    ));
    // Collinear data: S singular.
    let xc = array![[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, 8.0]];
    assert!(matches!(
        bollen_stine_transform(&xc, &s, None),
        Err(Error::NotPositiveDefinite { .. })
    ));
    assert!(matches!(
        bollen_stine_transform(&x.slice(ndarray::s![..2, ..]).to_owned(), &s, None),
        Err(Error::TooFewObservations { .. })
    ));
}

#[test]
fn em_rejects_unidentified_data() {
    // A variable with no observed values.
    let x = array![[1.0, NAN], [2.0, NAN], [3.0, NAN]];
    assert!(matches!(SaturatedEm::new().fit(&x), Err(Error::NotIdentified { .. })));
    // A pair never observed together.
    let x = array![
        [1.0, 2.0, NAN],
        [2.0, 1.0, NAN],
        [3.0, 4.0, NAN],
        [1.0, NAN, 2.0],
        [2.0, NAN, 5.0],
        [4.0, NAN, 1.0]
    ];
    let e = SaturatedEm::new().names(["a", "b", "c"]).fit(&x).unwrap_err();
    assert!(matches!(e, Error::NotIdentified { .. }));
    assert!(e.to_string().contains("`b` and `c`"), "{e}");
    // All rows empty.
    assert!(matches!(
        SaturatedEm::new().fit(&array![[NAN, NAN], [NAN, NAN]]),
        Err(Error::TooFewObservations { .. })
    ));
    // Infinite value.
    assert!(matches!(
        SaturatedEm::new().fit(&array![[1.0, f64::INFINITY], [2.0, 3.0]]),
        Err(Error::NonFinite { .. })
    ));
    // Constant variable.
    assert!(matches!(
        SaturatedEm::new().fit(&array![[1.0, 2.0], [1.0, 3.0], [1.0, NAN]]),
        Err(Error::ConstantColumn { .. })
    ));
    // Collinear variables: covariance singular.
    let x = array![[1.0, 2.0], [2.0, 4.0], [3.0, 6.0], [4.0, NAN]];
    assert!(SaturatedEm::new().fit(&x).is_err());
    // No columns.
    assert!(MissingPatterns::new(&Array2::<f64>::zeros((3, 0))).is_err());
    // Bad settings.
    let ok = array![[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0]];
    assert!(SaturatedEm::new().tolerance(0.0).fit(&ok).is_err());
    assert!(SaturatedEm::new().max_iter(0).fit(&ok).is_err());
    assert!(SaturatedEm::new().names(["a"]).fit(&ok).is_err());
}

#[test]
fn em_iteration_limit_is_reported_as_data() {
    let x = array![[1.0, 2.0], [2.0, NAN], [3.0, 5.0], [NAN, 4.0], [2.5, 3.0], [0.5, 1.0]];
    let fit = SaturatedEm::new().max_iter(2).fit(&x).unwrap();
    assert!(!fit.convergence().converged);
    assert_eq!(fit.convergence().iterations, 2);
    assert!(fit.warnings().iter().any(|w| matches!(w, surveystat::Warning::NotConverged { .. })));
}

#[test]
fn fiml_loglik_rejects_bad_parameters() {
    let x = array![[1.0, 2.0], [2.0, NAN], [3.0, 5.0]];
    let p = MissingPatterns::new(&x).unwrap();
    let s = array![[1.0, 0.2], [0.2, 1.0]];
    assert!(matches!(p.loglik(&array![0.0], &s), Err(Error::DimensionMismatch { .. })));
    assert!(matches!(
        p.loglik(&array![0.0, 0.0], &array![[1.0]]),
        Err(Error::DimensionMismatch { .. })
    ));
    assert!(matches!(p.loglik(&array![NAN, 0.0], &s), Err(Error::NonFinite { .. })));
    assert!(matches!(
        p.loglik_gradient(&array![0.0, 0.0], &array![[1.0, 2.0], [2.0, 1.0]]),
        Err(Error::NotPositiveDefinite { .. })
    ));
    assert!(casewise_loglik(&x, &array![0.0, 0.0], &array![[-1.0, 0.0], [0.0, 1.0]]).is_err());
}

#[test]
fn simulation_rejects_bad_input() {
    assert!(MultivariateNormal::new(&array![0.0, 0.0], &array![[1.0]]).is_err());
    assert!(MultivariateNormal::new(&array![NAN], &array![[1.0]]).is_err());
    assert!(matches!(
        MultivariateNormal::new(&array![0.0, 0.0], &array![[1.0, 2.0], [2.0, 1.0]]),
        Err(Error::NotPositiveDefinite { .. })
    ));
    assert!(MultivariateNormal::new(&array![0.0, 0.0], &array![[1.0, 0.5], [0.4, 1.0]]).is_err());
    assert!(
        MultivariateNormal::new(&ndarray::Array1::<f64>::zeros(0), &Array2::zeros((0, 0))).is_err()
    );
    let mvn = MultivariateNormal::new(&array![0.0], &array![[1.0]]).unwrap();
    assert!(mvn.sample(0, 1).is_err());
    assert!(Likert::new(vec![]).is_err());
    assert!(Likert::new(vec![1.0, 0.0]).is_err());
    assert!(Likert::new(vec![0.0, 0.0]).is_err());
    assert!(Likert::new(vec![f64::NAN]).is_err());
    assert!(matches!(
        Likert::five_point().apply(&array![[1.0], [1.0], [1.0]]),
        Err(Error::ConstantColumn { .. })
    ));
    assert!(Likert::five_point().apply(&array![[1.0], [NAN]]).is_err());
    assert!(Likert::five_point().apply(&array![[1.0], [f64::INFINITY]]).is_err());
    assert!(MonteCarlo::new(0).run(|_| Ok(Draw::new(vec![], vec![]))).is_err());
}

#[test]
fn monte_carlo_failures_are_recorded() {
    let fit = MonteCarlo::new(20)
        .seed(1)
        .run(|rep| match rep.index % 4 {
            0 => Err(Error::invalid("model", "did not converge")),
            1 => Ok(Draw::new(vec![f64::NAN], vec![true])),
            2 => Ok(Draw::new(vec![1.0, 2.0], vec![true])),
            _ => Ok(Draw::new(vec![1.0], vec![false])),
        })
        .unwrap();
    // The first successful draw (index 2, two estimates) fixes the shape; index 3 then fails.
    assert_eq!(fit.n_successful() + fit.failures().len(), 20);
    assert!(fit.failures().iter().any(|f| f.reason.contains("did not converge")));
    assert!(fit.failures().iter().any(|f| f.reason.contains("non-finite")));
    assert!(!fit.warnings().is_empty());
    let all_fail = MonteCarlo::new(5).run(|_| Err(Error::invalid("x", "no"))).unwrap();
    assert_eq!(all_fail.n_successful(), 0);
    let _ = all_fail.summary().to_string();
}
