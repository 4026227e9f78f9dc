//! KMO, EFA, parallel analysis and ω from a covariance matrix (`fit_cov`): the KMO statistics
//! against psych 2.2.9 on HolzingerSwineford1939 (psych's `KMO` of the correlation matrix), and
//! the identity that these estimators depend on the data only through the correlations — the
//! fit on the covariance matrix equals the fit on the raw data.

use crate::common::*;
use ndarray::Array2;
use surveystat::factor::{Efa, Extraction, Kmo, ParallelAnalysis, Rotation};
use surveystat::moments::{Missing, covariance};
use surveystat::reliability::Omega;

const HS_ITEMS: [&str; 9] = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"];

fn hs9() -> (Array2<f64>, Array2<f64>) {
    let x = load_data("HolzingerSwineford1939.csv").select(&HS_ITEMS).unwrap();
    let s = covariance(&x, Missing::Listwise).unwrap();
    (x, s)
}

fn max_diff(a: &Array2<f64>, b: &Array2<f64>) -> f64 {
    a.iter().zip(b.iter()).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

#[test]
fn kmo_from_covariance_matches_psych() {
    let exp = &load_case("kmo_bartlett_hs9")["results"];
    let (_, s) = hs9();
    let fit = Kmo::new().names(&HS_ITEMS).fit_cov(&s, 301).unwrap();
    assert_rel("MSA", fit.msa(), f(&exp["KMO_MSA"]), TOL_CLOSED_FORM);
    for (i, name) in HS_ITEMS.iter().enumerate() {
        assert_rel(name, fit.msa_items()[i], f(&exp["KMO_MSAi"][*name]), TOL_CLOSED_FORM);
    }
    assert_rel("bartlett", fit.bartlett().chisq, f(&exp["bartlett"]["chisq"]), TOL_CLOSED_FORM);
}

#[test]
fn efa_omega_parallel_from_covariance_equal_the_raw_data_fits() {
    let (x, s) = hs9();
    for ex in [Extraction::MinRes, Extraction::Ml] {
        let est = Efa::new(3).extraction(ex).rotation(Rotation::Varimax).names(&HS_ITEMS);
        let raw = est.fit(&x).unwrap();
        let cov = est.fit_cov(&s, 301).unwrap();
        let d = max_diff(raw.loadings(), cov.loadings());
        assert!(d < 1e-10, "{ex:?} loadings differ by {d:.2e}");
        let (a, b) = (raw.fit_statistics().chisq, cov.fit_statistics().chisq);
        assert!((a - b).abs() <= 1e-9 * a.abs(), "{ex:?} chisq {a} vs {b}");
    }
    let om = Omega::new().n_factors(3).names(&HS_ITEMS);
    let (raw, cov) = (om.fit(&x).unwrap(), om.fit_cov(&s, 301).unwrap());
    // α is closed-form; ω_h and ω_total come from minres fits stopped at their tolerance, which
    // start from correlation matrices that agree to rounding and stop within 1e-8 of each other
    for (what, a, b, tol) in [
        ("omega_h", raw.omega_h(), cov.omega_h(), 1e-7),
        ("omega_tot", raw.omega_total(), cov.omega_total(), 1e-7),
        ("alpha", raw.alpha(), cov.alpha(), 1e-12),
    ] {
        assert!((a - b).abs() < tol, "{what}: {a} vs {b}");
    }
    let pa = ParallelAnalysis::new().seed(11).replications(20);
    let (raw, cov) = (pa.fit(&x).unwrap(), pa.fit_cov(&s, 301).unwrap());
    let d = raw
        .observed_factors()
        .iter()
        .zip(cov.observed_factors())
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(d < 1e-10, "parallel observed eigenvalues differ by {d:.2e}");
}

#[test]
fn covariance_input_errors() {
    let bad = ndarray::array![[1.0, 0.5], [0.5, 0.0]];
    assert!(Kmo::new().fit_cov(&bad, 10).is_err());
    assert!(Efa::new(1).fit_cov(&ndarray::array![[1.0, 0.5, 0.1], [0.5, 1.0, 0.2]], 10).is_err());
    assert!(Omega::new().fit_cov(&ndarray::array![[f64::NAN]], 10).is_err());
}
