//! SEM bootstrap: reproducibility across thread counts, agreement of bootstrap SEs with the
//! delta-method (expected-information) SEs on a large sample drawn from the model, a pinned
//! interval for a fixed seed, the `se = bootstrap` parameter table and bad input.

use crate::common::load_data;
use ndarray::Array1;
use surveystat::data::Dataset;
use surveystat::sem::{BootstrapCi, Sem, SemBootstrap, SemBootstrapKind, SemFit};
use surveystat::simulate::MultivariateNormal;

const HS_CFA: &str = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9";
const MEDIATION: &str = "x9 ~ c*x1 + b*x5\nx5 ~ a*x1\nind := a*b\ntotal := c + a*b";

fn hs() -> Dataset {
    load_data("HolzingerSwineford1939.csv")
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("thread pool")
}

#[test]
fn same_seed_same_intervals_with_one_and_two_threads() {
    let d = hs();
    let fit = Sem::from_syntax(MEDIATION).unwrap().fit(&d).unwrap();
    let cfg = SemBootstrap::new(300).seed(7).ci(BootstrapCi::Bca);
    let b1 = pool(1).install(|| fit.bootstrap(&d, &cfg)).unwrap();
    let b2 = pool(2).install(|| fit.bootstrap(&d, &cfg)).unwrap();
    assert_eq!(b1.replicates(), b2.replicates());
    assert_eq!(b1.se(), b2.se());
    assert_eq!(b1.percentile(0.95), b2.percentile(0.95));
    assert_eq!(b1.bca(0.95), b2.bca(0.95));
    assert_eq!(b1.inner().influence(), b2.inner().influence());
    // every free and defined parameter has both intervals
    assert_eq!(b1.names().len(), fit.coefficients().len() + 2 + 1);
    for (j, (p, b)) in
        b1.percentile(0.95).iter().zip(b1.bca(0.95)).enumerate().take(b1.names().len() - 1)
    {
        let (p, b) = (p.expect("percentile"), b.expect("bca"));
        let est = b1.estimate()[j];
        assert!(p.lower < est && est < p.upper, "{}: {p:?} {est}", b1.names()[j]);
        assert!(b.lower < b.upper);
    }
}

/// Draw `n` rows from N(0, Σ̂) of a fit and return them as a dataset with the fit's variables.
fn simulate_from(fit: &SemFit, n: usize, seed: u64) -> Dataset {
    let p = fit.observed().len();
    let mvn = MultivariateNormal::new(&Array1::zeros(p), fit.implied_cov()).unwrap();
    let x = mvn.sample(n, seed).unwrap();
    Dataset::from_array(fit.observed(), x).unwrap()
}

/// On a large sample drawn from the model, the bootstrap SE of every free and defined parameter
/// agrees with the delta-method SE (inverse expected information) within Monte Carlo error: with
/// R = 500 replications the relative sd of a bootstrap SE is about 1/sqrt(2R) = 3.2 %.
#[test]
fn bootstrap_se_agrees_with_delta_method_on_large_simulated_sample() {
    let d = hs();
    for (model, seed) in [(MEDIATION, 11u64), (HS_CFA, 12u64)] {
        let pop = Sem::from_syntax(model).unwrap().fit(&d).unwrap();
        let sim = simulate_from(&pop, 20_000, seed);
        let fit = Sem::from_syntax(model).unwrap().fit(&sim).unwrap();
        let boot =
            fit.bootstrap(&sim, &SemBootstrap::new(500).seed(seed).jackknife(false)).unwrap();
        assert_eq!(boot.n_used(), 500);
        let table = fit.with_bootstrap(&boot).unwrap();
        let mut ratios = Vec::new();
        for (r_delta, r_boot) in fit.parameters().iter().zip(table.parameters()) {
            let (Some(sd), Some(sb)) = (r_delta.se, r_boot.se) else { continue };
            if sd == 0.0 {
                continue;
            }
            let ratio = sb / sd;
            assert!(
                (ratio - 1.0).abs() < 0.12,
                "{model}: {} {} {}: boot se {sb} vs delta {sd}",
                r_delta.lhs,
                r_delta.op,
                r_delta.rhs
            );
            // the percentile interval is close to est ± 1.96 se_delta
            let width = r_boot.ci_upper.unwrap() - r_boot.ci_lower.unwrap();
            assert!(
                (width / (2.0 * 1.959964 * sd) - 1.0).abs() < 0.15,
                "{model}: interval width {width} vs {sd}"
            );
            ratios.push(ratio);
        }
        let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
        assert!((mean - 1.0).abs() < 0.04, "{model}: mean ratio {mean}");
        assert!(ratios.len() >= 7);
    }
}

/// Pinned for regression (seed 2026, 400 replications); the pin alone proves nothing, hence
/// the delta-method checks here and in the large-sample test.
#[test]
fn pinned_interval_for_a_fixed_seed() {
    let d = hs();
    let fit = Sem::from_syntax(MEDIATION).unwrap().fit(&d).unwrap();
    let boot = fit.bootstrap(&d, &SemBootstrap::new(400).seed(2026).ci(BootstrapCi::Bca)).unwrap();
    let j = boot.names().iter().position(|n| n == "ind").unwrap();
    let p = boot.percentile(0.95)[j].unwrap();
    let b = boot.bca(0.95)[j].unwrap();
    let pinned = [PIN_PERC_LO, PIN_PERC_HI, PIN_BCA_LO, PIN_BCA_HI, PIN_SE];
    let got = [p.lower, p.upper, b.lower, b.upper, boot.se()[j]];
    for (a, e) in got.iter().zip(pinned) {
        assert!((a - e).abs() < 1e-8, "{got:?} vs {pinned:?}");
    }
    // and the same interval is consistent with the delta method on the real data
    let row = fit.parameter("ind", ":=", "").unwrap();
    let se = row.se.unwrap();
    assert!((boot.se()[j] / se - 1.0).abs() < 0.2, "boot se {} vs delta {se}", boot.se()[j]);
}
const PIN_PERC_LO: f64 = 0.0027210614453329566;
const PIN_PERC_HI: f64 = 0.07172878098532859;
const PIN_BCA_LO: f64 = 0.0042078027400758895;
const PIN_BCA_HI: f64 = 0.07218304920241397;
const PIN_SE: f64 = 0.016816165928072307;

#[test]
fn se_bootstrap_table_and_counts() {
    let d = hs();
    let fit = Sem::from_syntax(HS_CFA).unwrap().fit(&d).unwrap();
    let cfg = SemBootstrap::new(1000).seed(1).jackknife(false);
    let boot = fit.bootstrap(&d, &cfg).unwrap();
    assert_eq!(boot.n_used() + boot.failures().len(), 1000);
    // HS CFA has a few Heywood resamples (x2 / x7 residual variances near zero): counted, kept
    let inad = boot.n_inadmissible();
    assert!(inad > 0, "expected some inadmissible replications");
    let dropped = fit.bootstrap(&d, &cfg.clone().drop_inadmissible(true)).unwrap();
    assert_eq!(dropped.n_used(), boot.n_used() - inad);
    assert!(dropped.warnings().iter().any(|w| w.to_string().contains("dropped")));
    let t = fit.with_bootstrap(&boot).unwrap();
    let se = boot.se();
    let names = fit.free_parameter_names();
    for r in t.parameters() {
        let name = format!("{}{}{}", r.lhs, r.op, r.rhs);
        match names.iter().position(|n| *n == name) {
            Some(j) => assert_eq!(r.se, Some(se[j])),
            None => assert_eq!(r.se, Some(0.0), "{name} is fixed"),
        }
    }
    // estimates unchanged, and the full-sample refit reproduces them
    for (a, b) in fit.coefficients().iter().zip(boot.estimate().iter()) {
        assert!((a - b).abs() < 1e-6);
    }
}

#[test]
fn bollen_stine_pvalue() {
    let d = hs();
    let fit = Sem::from_syntax(HS_CFA).unwrap().fit(&d).unwrap();
    let boot = fit
        .bootstrap(
            &d,
            &SemBootstrap::new(200).seed(3).kind(SemBootstrapKind::BollenStine).jackknife(false),
        )
        .unwrap();
    // the transformed data fit the model exactly: χ² on them is 0, estimates equal θ̂
    let k = boot.names().len() - 1;
    assert!(boot.estimate()[k].abs() < 1e-6);
    for (a, b) in fit.coefficients().iter().zip(boot.estimate().iter()) {
        assert!((a - b).abs() < 1e-6);
    }
    // bootstrap χ² under the null has mean ≈ df = 24; the HS CFA (χ² = 85.3) is rejected
    let mean_t = boot.replicates().column(k).mean().unwrap();
    assert!((mean_t - 24.0).abs() < 4.0, "mean bootstrap chi-square {mean_t}");
    assert_eq!(boot.bollen_stine_pvalue(), Some(0.0));
    // ordinary bootstrap: no Bollen-Stine p-value
    let ord = fit.bootstrap(&d, &SemBootstrap::new(20).seed(3).jackknife(false)).unwrap();
    assert_eq!(ord.bollen_stine_pvalue(), None);
}

#[test]
fn bad_input_is_a_typed_error() {
    let d = hs();
    let fit = Sem::from_syntax(HS_CFA).unwrap().fit(&d).unwrap();
    assert!(fit.bootstrap(&d, &SemBootstrap::new(0)).is_err());
    assert!(fit.bootstrap(&d, &SemBootstrap::new(10).level(1.5)).is_err());
    let fewer = d.subset_rows(&(0..100).collect::<Vec<_>>()).unwrap();
    assert!(fit.bootstrap(&fewer, &SemBootstrap::new(10)).is_err());
}

/// Replications whose refit does not converge are counted and listed with their reason, never
/// hidden or replaced by a partial solution: with an iteration limit of 2 the fast refit (and
/// the engine's Fisher scoring it falls back to) cannot reach the gradient tolerance on most
/// resamples of the mis-specified HS CFA.
#[test]
fn nonconverged_replications_are_counted_not_hidden() {
    let d = hs();
    let fit = Sem::from_syntax(HS_CFA).unwrap().fit(&d).unwrap();
    let reps = 40;
    let boot =
        fit.bootstrap(&d, &SemBootstrap::new(reps).seed(5).max_iter(2).jackknife(false)).unwrap();
    assert!(boot.n_nonconverged() > 0, "expected non-converged replications");
    assert_eq!(boot.n_used() + boot.failures().len(), reps);
    assert_eq!(boot.n_nonconverged() + boot.n_errors(), boot.failures().len());
    assert_eq!(boot.replicates().nrows(), boot.n_used());
    for f in boot.failures() {
        assert!(f.reason.contains("did not converge"), "{}", f.reason);
    }
    assert!(
        boot.warnings().iter().any(|w| w.to_string().contains("failed")),
        "{:?}",
        boot.warnings()
    );
    // the default limit converges on every resample of the same seed
    let full = fit.bootstrap(&d, &SemBootstrap::new(reps).seed(5).jackknife(false)).unwrap();
    assert_eq!(full.n_used(), reps);
    assert_eq!(full.n_nonconverged(), 0);
}
