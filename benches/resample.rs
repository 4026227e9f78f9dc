//! Resampling, simulation and missing-data engines: bootstrap overhead, EM, FIML likelihood.
//!
//! Run: `cargo bench --bench resample -- --warm-up-time 1 --measurement-time 3`.
//! R on the same data: `Rscript benches/r/resample.R`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::{Array2, array};
use surveystat::data::Dataset;
use surveystat::missing::{MissingPatterns, SaturatedEm};
use surveystat::resample::{Acceleration, Bootstrap};
use surveystat::simulate::{Likert, MultivariateNormal};

fn load(file: &str, vars: &[&str]) -> Array2<f64> {
    let p = format!("{}/tests/fixtures/data/{file}", env!("CARGO_MANIFEST_DIR"));
    Dataset::from_csv_path(p).unwrap().select(vars).unwrap()
}

fn bench(c: &mut Criterion) {
    let x9 = ["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"];
    let hs = load("HolzingerSwineford1939.csv", &x9);
    let col: Vec<f64> = hs.column(0).to_vec();
    let mean =
        |idx: &[usize]| Ok(vec![idx.iter().map(|&i| col[i]).sum::<f64>() / idx.len() as f64]);

    let mut g = c.benchmark_group("bootstrap");
    g.bench_function("mean_hs_x1_1000reps_no_jackknife", |b| {
        b.iter(|| {
            Bootstrap::new(1000).seed(1).acceleration(Acceleration::None).run(301, mean).unwrap()
        })
    });
    g.bench_function("mean_hs_x1_1000reps_with_jackknife_bca", |b| {
        b.iter(|| {
            let f = Bootstrap::new(1000).seed(1).run(301, mean).unwrap();
            black_box(f.ci_bca(0.95).unwrap())
        })
    });
    g.finish();

    let miss = load("HS_missing10.csv", &x9);
    let mut g = c.benchmark_group("missing");
    g.bench_function("em_hs_missing10_lavaan_rule_tol1e-5", |b| {
        b.iter(|| SaturatedEm::new().tolerance(1e-5).max_iter(500).fit(&miss).unwrap())
    });
    g.bench_function("em_hs_missing10_tol1e-10", |b| {
        b.iter(|| SaturatedEm::new().fit(&miss).unwrap())
    });
    let pats = MissingPatterns::new(&miss).unwrap();
    let fit = SaturatedEm::new().fit(&miss).unwrap();
    g.bench_function("fiml_loglik_gradient_hs_missing10", |b| {
        b.iter(|| pats.loglik_gradient(fit.mean(), fit.cov()).unwrap())
    });
    g.bench_function("patterns_hs_missing10", |b| b.iter(|| MissingPatterns::new(&miss).unwrap()));
    g.finish();

    // A realistic statistic: the saturated FIML model (EM, lavaan's rule) on each resample.
    let mut g = c.benchmark_group("bootstrap");
    g.sample_size(10);
    let em_stat = |idx: &[usize]| {
        let xb = miss.select(ndarray::Axis(0), idx);
        let f = SaturatedEm::new().tolerance(1e-5).max_iter(500).fit(&xb)?;
        Ok(f.mean().iter().chain(f.cov().iter()).copied().collect())
    };
    g.bench_function("em_hs_missing10_200reps", |b| {
        b.iter(|| {
            Bootstrap::new(200).seed(1).acceleration(Acceleration::None).run(301, em_stat).unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("simulate");
    let p = 24;
    let sigma = Array2::from_shape_fn((p, p), |(i, j)| if i == j { 1.0 } else { 0.3 });
    let mvn = MultivariateNormal::new(&ndarray::Array1::zeros(p), &sigma).unwrap();
    g.bench_function("mvn_612x24_likert", |b| {
        b.iter(|| Likert::five_point().apply(&mvn.sample(612, 7).unwrap()).unwrap())
    });
    let small =
        MultivariateNormal::new(&array![0.0, 0.0], &array![[1.0, 0.5], [0.5, 1.0]]).unwrap();
    g.bench_function("mvn_100000x2", |b| b.iter(|| small.sample(100_000, 7).unwrap()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
