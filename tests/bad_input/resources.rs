//! Absurd counts are refused before anything proportional to them is allocated; a single
//! bootstrap replication warns that standard errors need two.

use surveystat::Error;
use surveystat::factor::{Efa, MAX_RANDOM_STARTS};
use surveystat::resample::{Bootstrap, MAX_BOOTSTRAP_REPS};

fn mean(x: &[f64]) -> impl Fn(&[usize]) -> surveystat::Result<Vec<f64>> + Sync + '_ {
    move |idx| Ok(vec![idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64])
}

#[test]
fn bootstrap_replication_counts_above_the_limit_are_refused() {
    let x = [1.0, 2.0, 4.0, 3.0, 5.0];
    for reps in [usize::MAX, 1_000_000_000_000, MAX_BOOTSTRAP_REPS + 1] {
        let err = Bootstrap::new(reps).run(x.len(), mean(&x)).unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
        assert!(err.to_string().contains("at most 1000000"), "{err}");
    }
}

#[test]
fn single_bootstrap_replication_warns_about_standard_errors() {
    let x = [1.0, 2.0, 4.0, 3.0, 5.0];
    let fit = Bootstrap::new(1).run(x.len(), mean(&x)).unwrap();
    assert!(
        fit.warnings().iter().any(|w| w.to_string().contains("need at least 2 replications")),
        "{:?}",
        fit.warnings()
    );
    let fit = Bootstrap::new(2).run(x.len(), mean(&x)).unwrap();
    assert!(fit.warnings().is_empty(), "{:?}", fit.warnings());
}

#[test]
fn efa_random_starts_above_the_limit_are_refused() {
    let l = ndarray::array![[0.8, 0.0], [0.7, 0.0], [0.6, 0.0], [0.0, 0.8], [0.0, 0.7], [0.0, 0.6]];
    let mut r = l.dot(&l.t());
    for i in 0..6 {
        r[[i, i]] = 1.0;
    }
    for starts in [usize::MAX, 100_000_000, MAX_RANDOM_STARTS + 1] {
        let err = Efa::new(2).random_starts(starts).fit_cor(&r, 300).unwrap_err();
        assert!(matches!(err, Error::InvalidParameter { .. }), "{err}");
        assert!(err.to_string().contains("at most 10000"), "{err}");
    }
}

/// A covariance matrix given with more observations than f64 counts exactly is refused with a
/// sentence (n enters every statistic as a float).
#[test]
fn covariance_input_with_an_inexact_count_is_refused() {
    let cov = ndarray::array![[1.0, 0.5], [0.5, 1.0]];
    let sem = surveystat::sem::Sem::from_syntax("y ~ x").unwrap();
    let err = sem.fit_cov(&cov, &["y", "x"], usize::MAX).unwrap_err().to_string();
    assert!(err.contains("2^53"), "{err}");
    let err = surveystat::reliability::Alpha::new().fit_cov(&cov, usize::MAX).unwrap_err();
    assert!(err.to_string().contains("2^53"), "{err}");
    assert!(sem.fit_cov(&cov, &["y", "x"], 1 << 53).is_ok());
}
