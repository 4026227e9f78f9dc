//! Properties of the resampling, simulation and missing-data engines: exact identities,
//! reproducibility across thread counts, convergence of moments, analytic gradients.

use ndarray::{Array1, Array2, array};
use proptest::prelude::*;
use surveystat::missing::{MissingPatterns, SaturatedEm, casewise_loglik};
use surveystat::resample::{Bootstrap, BootstrapFit, BootstrapKind, bollen_stine_transform};
use surveystat::simulate::{Draw, Likert, MonteCarlo, MultivariateNormal, Standardize};

fn mean_stat(x: &[f64]) -> impl Fn(&[usize]) -> surveystat::Result<Vec<f64>> + Sync + '_ {
    move |idx| Ok(vec![idx.iter().map(|&i| x[i]).sum::<f64>() / idx.len() as f64])
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(f)
}

fn data(n: usize) -> Vec<f64> {
    let mvn = MultivariateNormal::new(&array![0.0], &array![[1.0]]).unwrap();
    mvn.sample(n, 99).unwrap().column(0).mapv(|v| v.exp()).to_vec()
}

#[test]
fn bootstrap_is_identical_for_1_and_2_threads() {
    let x = data(80);
    for kind in [BootstrapKind::Ordinary, BootstrapKind::Balanced] {
        let run = || Bootstrap::new(300).seed(5).kind(kind).run(x.len(), mean_stat(&x)).unwrap();
        let a = in_pool(1, run);
        let b = in_pool(2, run);
        assert_eq!(a.replicates(), b.replicates());
        assert_eq!(a.ci_bca(0.95).unwrap(), b.ci_bca(0.95).unwrap());
        assert_eq!(a.se(), b.se());
    }
}

#[test]
fn different_seeds_give_different_replicates() {
    let x = data(50);
    let a = Bootstrap::new(50).seed(1).run(x.len(), mean_stat(&x)).unwrap();
    let b = Bootstrap::new(50).seed(2).run(x.len(), mean_stat(&x)).unwrap();
    assert_ne!(a.replicates(), b.replicates());
}

#[test]
fn balanced_bootstrap_uses_every_row_exactly_r_times() {
    // For the mean, balance implies mean(t*) = x̄ exactly (up to rounding): bias = 0.
    let x = data(37);
    let fit = Bootstrap::new(200)
        .seed(3)
        .kind(BootstrapKind::Balanced)
        .run(x.len(), mean_stat(&x))
        .unwrap();
    assert!(fit.bias()[0].abs() < 1e-12, "bias {}", fit.bias()[0]);
    // Count the appearances directly.
    let counts = std::sync::Mutex::new(vec![0usize; 37]);
    Bootstrap::new(200)
        .seed(3)
        .kind(BootstrapKind::Balanced)
        .acceleration(surveystat::resample::Acceleration::None)
        .run(37, |idx| {
            if idx.len() == 37 && idx.iter().enumerate().all(|(a, &b)| a == b) {
                return Ok(vec![0.0]); // the original data
            }
            let mut c = counts.lock().unwrap();
            for &i in idx {
                c[i] += 1;
            }
            Ok(vec![0.0])
        })
        .unwrap();
    // A resample may be the identity permutation with negligible probability; every row 200 times.
    assert!(counts.into_inner().unwrap().iter().all(|&c| c == 200));
}

#[test]
fn failed_replications_are_counted_with_reasons() {
    let x = data(40);
    let fit = Bootstrap::new(100)
        .seed(8)
        .run(x.len(), |idx| {
            if idx[0] % 4 == 0 && idx.len() == 40 && idx[1] != 1 {
                Err(surveystat::Error::invalid("stat", "planted failure"))
            } else if idx[0] % 4 == 1 && idx[1] != 1 {
                Ok(vec![f64::NAN])
            } else {
                mean_stat(&x)(idx)
            }
        })
        .unwrap();
    assert_eq!(fit.n_successful() + fit.failures().len(), 100);
    assert!(!fit.failures().is_empty());
    assert!(fit.failures().iter().any(|f| f.reason.contains("planted failure")));
    assert!(fit.failures().iter().any(|f| f.reason.contains("non-finite")));
    assert_eq!(fit.replicates().nrows(), fit.replication_ids().len());
    assert!(!fit.warnings().is_empty());
    let s = fit.summary().to_string();
    assert!(s.contains("Replications failed"));
}

#[test]
fn percentile_interval_of_symmetric_replicates_is_symmetric_and_bca_reduces() {
    // Replicates 1..=999 with t0 = 500: z0 = Φ⁻¹(499/999) ≈ 0 (slightly negative).
    let reps = Array2::from_shape_fn((999, 1), |(i, _)| (i + 1) as f64);
    let fit = BootstrapFit::from_parts(10, &array![500.0], &reps, None).unwrap();
    let p = fit.ci_percentile_one(0, 0.95).unwrap();
    // (999 + 1) · 0.025 = 25 → t*(25); (1000) · 0.975 = 975 → t*(975).
    // (1 − 0.95)/2 rounds to 0.025000000000000022, so R (and we) interpolate just above t*(25).
    assert!((p.lower - 25.0).abs() < 1e-12 && (p.upper - 975.0).abs() < 1e-12, "{p:?}");
    assert!(fit.ci_bca(0.95).is_err(), "no influence values → BCa unavailable");
    let bc = fit.ci_bc_one(0, 0.95).unwrap();
    assert!(bc.lower < 25.0 && bc.upper < 975.0);
}

#[test]
fn bootstrap_se_of_mean_is_close_to_plugin_se() {
    // Ideal bootstrap SE of the mean = sqrt(Σ (xᵢ − x̄)² / n²); with R = 4000 within ~5%.
    let x = data(60);
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let plug = (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n * n)).sqrt();
    let fit = Bootstrap::new(4000).seed(11).run(x.len(), mean_stat(&x)).unwrap();
    assert!((fit.se()[0] / plug - 1.0).abs() < 0.06, "{} vs {}", fit.se()[0], plug);
}

#[test]
fn bollen_stine_transform_reproduces_implied_moments_exactly() {
    let mvn = MultivariateNormal::new(
        &array![1.0, 2.0, 3.0],
        &array![[2.0, 0.3, 0.1], [0.3, 1.0, 0.4], [0.1, 0.4, 1.5]],
    )
    .unwrap();
    let x = mvn.sample(120, 4).unwrap();
    let sigma = array![[1.0, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 1.0]];
    let mu = array![0.0, 1.0, -1.0];
    let y = bollen_stine_transform(&x, &sigma, Some(&mu)).unwrap();
    let n = y.nrows() as f64;
    let ym = y.mean_axis(ndarray::Axis(0)).unwrap();
    let yc = &y - &ym;
    let s = yc.t().dot(&yc) / n;
    for j in 0..3 {
        assert!((ym[j] - mu[j]).abs() < 1e-12);
        for k in 0..3 {
            assert!(
                (s[[j, k]] - sigma[[j, k]]).abs() < 1e-12,
                "{} vs {}",
                s[[j, k]],
                sigma[[j, k]]
            );
        }
    }
    // Without implied means the sample means are kept.
    let y2 = bollen_stine_transform(&x, &sigma, None).unwrap();
    let xm = x.mean_axis(ndarray::Axis(0)).unwrap();
    let y2m = y2.mean_axis(ndarray::Axis(0)).unwrap();
    for j in 0..3 {
        assert!((xm[j] - y2m[j]).abs() < 1e-12);
    }
}

// ----------------------------------------------------------------------------------- simulate

#[test]
fn mvn_sample_moments_converge() {
    let mu = array![1.0, -2.0, 0.5];
    let sigma = array![[1.0, 0.6, -0.3], [0.6, 2.0, 0.2], [-0.3, 0.2, 0.5]];
    let mvn = MultivariateNormal::new(&mu, &sigma).unwrap();
    let n = 200_000;
    let x = mvn.sample(n, 12345).unwrap();
    let m = x.mean_axis(ndarray::Axis(0)).unwrap();
    let xc = &x - &m;
    let s = xc.t().dot(&xc) / (n as f64 - 1.0);
    for j in 0..3 {
        // 5 standard errors.
        assert!((m[j] - mu[j]).abs() < 5.0 * (sigma[[j, j]] / n as f64).sqrt());
        for k in 0..3 {
            let se = ((sigma[[j, j]] * sigma[[k, k]] + sigma[[j, k]].powi(2)) / n as f64).sqrt();
            assert!((s[[j, k]] - sigma[[j, k]]).abs() < 5.0 * se, "cov {j},{k}: {}", s[[j, k]]);
        }
    }
}

#[test]
fn mvn_psd_covariance_via_eigen() {
    // Rank-1 covariance: x2 = 2 x1 exactly (up to rounding).
    let sigma = array![[1.0, 2.0], [2.0, 4.0]];
    let mvn = MultivariateNormal::new(&array![0.0, 0.0], &sigma).unwrap();
    let x = mvn.sample(500, 1).unwrap();
    for r in x.rows() {
        assert!((r[1] - 2.0 * r[0]).abs() < 1e-12 * (1.0 + r[0].abs()));
    }
}

#[test]
fn simulation_is_reproducible_across_thread_counts() {
    let mvn = MultivariateNormal::new(&array![0.0, 0.0], &array![[1.0, 0.3], [0.3, 1.0]]).unwrap();
    let a = in_pool(1, || mvn.sample(3000, 77).unwrap());
    let b = in_pool(2, || mvn.sample(3000, 77).unwrap());
    assert_eq!(a, b);
    assert_ne!(a, mvn.sample(3000, 78).unwrap());
    let run = || {
        MonteCarlo::new(64)
            .seed(9)
            .run(|rep| {
                let x = mvn.sample(40, rep.seed)?;
                let r = corr(&x);
                Ok(Draw::new(vec![r], vec![r.abs() > 0.3]))
            })
            .unwrap()
    };
    let m1 = in_pool(1, run);
    let m2 = in_pool(2, run);
    assert_eq!(m1.estimates(), m2.estimates());
    assert_eq!(m1.power(), m2.power());
}

fn corr(x: &Array2<f64>) -> f64 {
    let m = x.mean_axis(ndarray::Axis(0)).unwrap();
    let xc = x - &m;
    let c = xc.t().dot(&xc);
    c[[0, 1]] / (c[[0, 0]] * c[[1, 1]]).sqrt()
}

/// OLS slope of column 1 on column 0 with its z statistic.
fn slope(x: &Array2<f64>) -> (f64, f64) {
    let n = x.nrows() as f64;
    let m = x.mean_axis(ndarray::Axis(0)).unwrap();
    let xc = x - &m;
    let sxx = xc.column(0).dot(&xc.column(0));
    let sxy = xc.column(0).dot(&xc.column(1));
    let b = sxy / sxx;
    let rss = (&xc.column(1) - &(&xc.column(0) * b)).mapv(|v| v * v).sum();
    let se = (rss / (n - 2.0) / sxx).sqrt();
    (b, b / se)
}

#[test]
fn monte_carlo_recovers_parameters_and_type_one_error() {
    // y = 0.4 x + e: mean slope → 0.4; power of the z test high. Null slope: rejection ≈ 5%.
    let alt = MultivariateNormal::new(&array![0.0, 0.0], &array![[1.0, 0.4], [0.4, 1.0]]).unwrap();
    let null = MultivariateNormal::new(&array![0.0, 0.0], &array![[1.0, 0.0], [0.0, 1.0]]).unwrap();
    let fit = MonteCarlo::new(1000)
        .seed(2026)
        .estimate_names(["b_alt", "b_null"])
        .test_names(["alt", "null"])
        .run(|rep| {
            let (b1, z1) = slope(&alt.sample(100, rep.seed)?);
            let (b0, z0) = slope(&null.sample(100, rep.seed ^ 1)?);
            Ok(Draw::new(vec![b1, b0], vec![z1.abs() > 1.959964, z0.abs() > 1.959964]))
        })
        .unwrap();
    let m = fit.mean();
    let sd = fit.sd();
    assert!((m[0] - 0.4).abs() < 4.0 * sd[0] / (1000f64).sqrt(), "mean slope {}", m[0]);
    assert!(m[1].abs() < 4.0 * sd[1] / (1000f64).sqrt());
    let p = fit.power();
    assert!(p[0] > 0.95, "power {}", p[0]);
    // Binomial(1000, 0.05): 5 standard errors = 0.0345.
    assert!((p[1] - 0.05).abs() < 0.0345, "type I error {}", p[1]);
    assert!(fit.summary().to_string().contains("power"));
}

#[test]
fn likert_cuts_are_right_closed() {
    let l = Likert::new(vec![-1.5, -0.5, 0.5, 1.5]).unwrap().standardize(Standardize::None);
    let x = array![
        [-1.5],
        [-1.4999999999999998],
        [-0.5],
        [0.5],
        [0.5000000000000001],
        [1.5],
        [9.0],
        [f64::NAN]
    ];
    let c = l.apply(&x).unwrap();
    let expected = [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 5.0];
    for (i, e) in expected.iter().enumerate() {
        assert_eq!(c[[i, 0]], *e, "row {i}");
    }
    assert!(c[[7, 0]].is_nan());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn likert_category_counts_thresholds_below(v in -5.0f64..5.0) {
        let l = Likert::five_point();
        let c = l.category(v);
        let below = [-1.5, -0.5, 0.5, 1.5].iter().filter(|&&t| t < v).count() as f64;
        prop_assert_eq!(c, 1.0 + below);
        prop_assert!((1.0..=5.0).contains(&c));
    }

    #[test]
    fn fiml_gradient_matches_finite_differences(seed in 0u64..1000) {
        let (x, mu, sigma) = random_incomplete(seed);
        let pats = MissingPatterns::new(&x).unwrap();
        let g = pats.loglik_gradient(&mu, &sigma).unwrap();
        let h = 1e-6;
        for j in 0..mu.len() {
            let mut up = mu.clone(); up[j] += h;
            let mut dn = mu.clone(); dn[j] -= h;
            let fd = (pats.loglik(&up, &sigma).unwrap() - pats.loglik(&dn, &sigma).unwrap()) / (2.0 * h);
            prop_assert!((fd - g.mu[j]).abs() < 1e-5 * (1.0 + fd.abs()), "mu {}: {} vs {}", j, fd, g.mu[j]);
        }
        for j in 0..mu.len() {
            for k in 0..=j {
                let mut up = sigma.clone(); up[[j, k]] += h; if j != k { up[[k, j]] += h; }
                let mut dn = sigma.clone(); dn[[j, k]] -= h; if j != k { dn[[k, j]] -= h; }
                let fd = (pats.loglik(&mu, &up).unwrap() - pats.loglik(&mu, &dn).unwrap()) / (2.0 * h);
                let an = if j == k { g.sigma[[j, j]] } else { 2.0 * g.sigma[[j, k]] };
                prop_assert!((fd - an).abs() < 1e-5 * (1.0 + fd.abs()), "sigma {},{}: {} vs {}", j, k, fd, an);
            }
        }
    }

    #[test]
    fn em_is_a_stationary_point_and_beats_perturbations(seed in 0u64..1000) {
        let (x, _, _) = random_incomplete(seed);
        let fit = SaturatedEm::new().fit(&x).unwrap();
        prop_assert!(fit.convergence().converged);
        let pats = MissingPatterns::new(&x).unwrap();
        let g = pats.loglik_gradient(fit.mean(), fit.cov()).unwrap();
        let gmax = g.mu.iter().chain(g.sigma.iter()).fold(0.0f64, |m, v| m.max(v.abs()));
        prop_assert!(gmax < 1e-6, "gradient at the EM solution {}", gmax);
        prop_assert!((g.loglik - fit.loglik()).abs() < 1e-9 * fit.loglik().abs());
        // Casewise sum = pattern-wise loglik.
        let cw = casewise_loglik(&x, fit.mean(), fit.cov()).unwrap();
        prop_assert!((cw.sum() - fit.loglik()).abs() < 1e-9 * fit.loglik().abs());
    }
}

/// A random incomplete data set (n = 60, p = 4, ~15% missing, every pair co-observed) and a
/// random positive definite (μ, Σ) to evaluate at.
fn random_incomplete(seed: u64) -> (Array2<f64>, Array1<f64>, Array2<f64>) {
    let base = array![
        [1.0, 0.4, 0.3, 0.2],
        [0.4, 1.5, 0.5, 0.1],
        [0.3, 0.5, 2.0, 0.6],
        [0.2, 0.1, 0.6, 1.2]
    ];
    let mvn = MultivariateNormal::new(&array![0.5, -1.0, 2.0, 0.0], &base).unwrap();
    let mut x = mvn.sample(60, seed).unwrap();
    let u = MultivariateNormal::new(&Array1::zeros(4), &Array2::eye(4))
        .unwrap()
        .sample(60, seed + 7)
        .unwrap();
    for i in 10..60 {
        for j in 0..4 {
            if u[[i, j]] > 1.04 {
                x[[i, j]] = f64::NAN;
            }
        }
    }
    let mu = array![0.3, -0.8, 1.7, 0.2];
    let sigma = &base * 1.1 + &(Array2::<f64>::eye(4) * 0.2);
    (x, mu, sigma)
}

#[test]
fn complete_data_em_equals_ml_moments() {
    // Without missing values the EM stops at the sample mean and the divisor-N covariance.
    let mvn = MultivariateNormal::new(&array![1.0, 2.0], &array![[1.0, 0.5], [0.5, 2.0]]).unwrap();
    let x = mvn.sample(50, 3).unwrap();
    let fit = SaturatedEm::new().fit(&x).unwrap();
    let m = x.mean_axis(ndarray::Axis(0)).unwrap();
    let xc = &x - &m;
    let s = xc.t().dot(&xc) / 50.0;
    for j in 0..2 {
        assert!((fit.mean()[j] - m[j]).abs() < 1e-12);
        for k in 0..2 {
            assert!((fit.cov()[[j, k]] - s[[j, k]]).abs() < 1e-12);
        }
    }
    // loglik = −n/2 (p log 2π + log|S| + p)
    let det = s[[0, 0]] * s[[1, 1]] - s[[0, 1]].powi(2);
    let ll = -25.0 * (2.0 * (2.0 * std::f64::consts::PI).ln() + det.ln() + 2.0);
    assert!((fit.loglik() - ll).abs() < 1e-10 * ll.abs());
}

#[test]
fn empty_rows_are_left_out_and_reported() {
    let x = array![
        [1.0, 2.0],
        [f64::NAN, f64::NAN],
        [2.0, 1.0],
        [3.0, 5.0],
        [4.0, 3.0],
        [2.0, f64::NAN]
    ];
    let fit = SaturatedEm::new().fit(&x).unwrap();
    assert_eq!(fit.n_empty(), 1);
    assert_eq!(fit.n_obs(), 5);
    assert!(!fit.warnings().is_empty());
    let cw = casewise_loglik(&x, fit.mean(), fit.cov()).unwrap();
    assert_eq!(cw[1], 0.0);
}

#[test]
fn bootstrap_interval_agrees_with_delta_method_on_large_sample() {
    // r of a bivariate normal with ρ = 0.5, n = 2000: delta-method SE (1 − r²)/√n.
    let mvn = MultivariateNormal::new(&array![0.0, 0.0], &array![[1.0, 0.5], [0.5, 1.0]]).unwrap();
    let x = mvn.sample(2000, 314).unwrap();
    let r = corr(&x);
    let se_delta = (1.0 - r * r) / (2000f64).sqrt();
    let fit = Bootstrap::new(1000)
        .seed(2718)
        .run(2000, |idx| Ok(vec![corr(&x.select(ndarray::Axis(0), idx))]))
        .unwrap();
    assert!((fit.se()[0] / se_delta - 1.0).abs() < 0.1, "se {} vs {}", fit.se()[0], se_delta);
    let (lo, hi) = (r - 1.959964 * se_delta, r + 1.959964 * se_delta);
    for ci in [fit.ci_percentile_one(0, 0.95).unwrap(), fit.ci_bca_one(0, 0.95).unwrap()] {
        assert!((ci.lower - lo).abs() < 0.15 * (hi - lo), "{ci:?} vs ({lo}, {hi})");
        assert!((ci.upper - hi).abs() < 0.15 * (hi - lo), "{ci:?} vs ({lo}, {hi})");
    }
}
