//! EFA benchmarks: Holzinger–Swineford (301 × 9, 3 factors), bfi (2436 × 25, 5 factors) and a
//! seeded 5 000 × 60 six-factor data set. psych is timed on the same data by benches/r/factor.R
//! (the 5 000 × 60 data are written to target/factor_bench_5000x60.csv for it).
//!
//! Run: cargo bench --bench factor -- --warm-up-time 1 --measurement-time 3

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use surveystat::data::Dataset;
use surveystat::factor::{Efa, Extraction, Kmo, ParallelAnalysis, Rotation};

fn fixture(name: &str) -> Dataset {
    Dataset::from_csv_path(format!("{}/tests/fixtures/data/{name}", env!("CARGO_MANIFEST_DIR")))
        .unwrap()
}

/// 5 000 × 60, six factors of ten items (loadings .5–.8), seed 20261128.
fn big() -> Array2<f64> {
    let (n, p, k) = (5000, 60, 6);
    let mut rng = ChaCha8Rng::seed_from_u64(20261128);
    let lam: Vec<f64> = (0..p).map(|i| 0.5 + 0.3 * ((i * 7) % 10) as f64 / 9.0).collect();
    let mut x = Array2::<f64>::zeros((n, p));
    for r in 0..n {
        let f: Vec<f64> = (0..k).map(|_| rng.sample(StandardNormal)).collect();
        for i in 0..p {
            let e: f64 = rng.sample(StandardNormal);
            x[[r, i]] = lam[i] * f[i / 10] + (1.0 - lam[i] * lam[i]).sqrt() * e;
        }
    }
    x
}

fn write_csv(x: &Array2<f64>, path: &str) {
    let mut s = String::new();
    let p = x.ncols();
    s.push_str(&(1..=p).map(|i| format!("V{i}")).collect::<Vec<_>>().join(","));
    s.push('\n');
    for row in x.rows() {
        s.push_str(&row.iter().map(|v| format!("{v:?}")).collect::<Vec<_>>().join(","));
        s.push('\n');
    }
    std::fs::write(path, s).unwrap();
}

fn bench(c: &mut Criterion) {
    let hs = fixture("HolzingerSwineford1939.csv");
    let hs9 = hs.select(&["x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"]).unwrap();
    let bfi = fixture("bfi25_listwise.csv");
    let names: Vec<String> = bfi.names()[1..].to_vec();
    let bfi25 = bfi.select(&names).unwrap();
    let big = big();
    let _ = std::fs::create_dir_all(format!("{}/target", env!("CARGO_MANIFEST_DIR")));
    write_csv(&big, &format!("{}/target/factor_bench_5000x60.csv", env!("CARGO_MANIFEST_DIR")));

    let mut g = c.benchmark_group("factor");
    g.sample_size(20);
    let cases: [(&str, &Array2<f64>, usize); 3] =
        [("hs9_3f", &hs9, 3), ("bfi25_5f", &bfi25, 5), ("sim5000x60_6f", &big, 6)];
    for (label, x, k) in cases {
        // psych's defaults: minres + oblimin (here with 4 random rotation starts as well)
        g.bench_function(format!("{label}/minres_oblimin"), |b| {
            b.iter(|| Efa::new(k).fit(black_box(x)).unwrap())
        });
        g.bench_function(format!("{label}/minres_oblimin_identity_start_only"), |b| {
            b.iter(|| Efa::new(k).random_starts(0).fit(black_box(x)).unwrap())
        });
        g.bench_function(format!("{label}/ml_varimax"), |b| {
            b.iter(|| {
                Efa::new(k)
                    .extraction(Extraction::Ml)
                    .rotation(Rotation::Varimax)
                    .fit(black_box(x))
                    .unwrap()
            })
        });
        g.bench_function(format!("{label}/kmo"), |b| {
            b.iter(|| Kmo::new().fit(black_box(x)).unwrap())
        });
    }
    g.bench_function("bfi25/parallel_20", |b| {
        b.iter(|| ParallelAnalysis::new().replications(20).seed(1).fit(black_box(&bfi25)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
