//! OLS benchmarks: n ∈ {1e3, 1e5, 1e6} × p ∈ {5, 50} (p counts the intercept, as R's lm.fit
//! design `cbind(1, X)`), seeded data built outside the timed closure.
//!
//! - `lmfit_equivalent`: coefficients, residuals, fitted values, full `summary.lm` inference,
//!   VIF, DW and BP — everything except the sandwich covariances (`RobustCovariance::Skip`);
//!   the counterpart of R's `lm.fit` (which does less: no inference at all).
//! - `full`: the default fit, adding HC0–HC3 (two extra n·p² passes).
//!
//! R's timings on the same sizes come from benches/r/regression.R (docs/benchmarks/regression.md).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ndarray::{Array1, Array2};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use surveystat::regression::{Ols, RobustCovariance};

fn make(n: usize, p: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let k = p - 1;
    let beta: Vec<f64> = (0..k).map(|_| StandardNormal.sample(&mut rng)).collect();
    let mut x = Array2::<f64>::zeros((n, k));
    let mut y = Array1::<f64>::zeros(n);
    for i in 0..n {
        let mut s: f64 = 1.0;
        for j in 0..k {
            let v: f64 = StandardNormal.sample(&mut rng);
            x[[i, j]] = v;
            s += beta[j] * v;
        }
        let e: f64 = StandardNormal.sample(&mut rng);
        y[i] = s + e;
    }
    (x, y)
}

fn bench(c: &mut Criterion) {
    for &n in &[1_000usize, 100_000, 1_000_000] {
        let mut g = c.benchmark_group(format!("ols_n{n}"));
        if n >= 100_000 {
            g.sample_size(10);
        }
        for &p in &[5usize, 50] {
            let (x, y) = make(n, p, 20261128 + (n * p) as u64);
            let lean = Ols::new().robust_covariance(RobustCovariance::Skip);
            g.bench_with_input(BenchmarkId::new("lmfit_equivalent", p), &p, |b, _| {
                b.iter(|| lean.fit(&x, &y).expect("fit"))
            });
            if n <= 100_000 {
                let full = Ols::new();
                g.bench_with_input(BenchmarkId::new("full", p), &p, |b, _| {
                    b.iter(|| full.fit(&x, &y).expect("fit"))
                });
            }
        }
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
