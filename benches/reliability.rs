//! Reliability benchmarks: `Alpha::fit` on the bfi conscientiousness items (2 436 × 5, real data,
//! C4 and C5 reversed) and on seeded simulated Likert data (100 000 × 50); `fit_cov` from the
//! 50 × 50 covariance; the parallel moment accumulator on the large matrix.
//!
//! The data are written (outside the timed code) to `target/bench-data/` so that
//! `benches/r/reliability.R` times psych::alpha on exactly the same numbers in the same run:
//!
//! ```text
//! cargo bench --bench reliability -- --warm-up-time 1 --measurement-time 3
//! Rscript benches/r/reliability.R
//! ```

use std::io::Write;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use surveystat::data::Dataset;
use surveystat::moments::MomentAccumulator;
use surveystat::reliability::Alpha;

fn bench_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target").join("bench-data");
    std::fs::create_dir_all(&dir).expect("create target/bench-data");
    dir
}

fn write_csv(path: &PathBuf, names: &[String], x: &Array2<f64>) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create csv"));
    writeln!(f, "{}", names.join(",")).expect("write");
    for row in x.rows() {
        let cells: Vec<String> = row.iter().map(|v| format!("{v}")).collect();
        writeln!(f, "{}", cells.join(",")).expect("write");
    }
}

/// One-factor Likert data: x = round-cut(0.7 f + 0.714 e) into 1..5, seeded.
fn simulate_likert(n: usize, k: usize, seed: u64) -> Array2<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut x = Array2::<f64>::zeros((n, k));
    let u = (1.0f64 - 0.49).sqrt();
    for i in 0..n {
        let f: f64 = rng.sample(StandardNormal);
        for j in 0..k {
            let e: f64 = rng.sample(StandardNormal);
            let z = 0.7 * f + u * e;
            x[[i, j]] = if z < -1.5 {
                1.0
            } else if z < -0.5 {
                2.0
            } else if z < 0.5 {
                3.0
            } else if z < 1.5 {
                4.0
            } else {
                5.0
            };
        }
    }
    x
}

fn bench(c: &mut Criterion) {
    let dir = bench_dir();

    // bfi conscientiousness, rows complete on all 25 items (2 436), C4/C5 reversed as 7 - x.
    let bfi_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data/bfi25_listwise.csv");
    let items = ["C1", "C2", "C3", "C4", "C5"];
    let bfi = Dataset::from_csv_path(&bfi_path)
        .expect("bfi fixture")
        .with_reversed(&["C4", "C5"], 1.0, 6.0)
        .expect("reverse");
    let xb = bfi.select(&items).expect("items");
    let names: Vec<String> = items.iter().map(|s| s.to_string()).collect();
    write_csv(&dir.join("reliability_bfi_C_2436x5.csv"), &names, &xb);

    let xl = simulate_likert(100_000, 50, 20261128);
    let lnames: Vec<String> = (1..=50).map(|j| format!("I{j}")).collect();
    write_csv(&dir.join("reliability_sim_100000x50.csv"), &lnames, &xl);

    // The estimates, to compare with the R script's output on the same files.
    for (what, x, nm) in [("bfi C 2436x5", &xb, &names), ("sim 100000x50", &xl, &lnames)] {
        let fit = Alpha::new().names(nm).fit(x).expect("fit");
        eprintln!("{what}: raw_alpha = {:.6}", fit.raw_alpha());
    }

    let mut g = c.benchmark_group("alpha");
    g.sample_size(20);
    let est = Alpha::new().names(&names);
    g.bench_function("fit bfi C 2436x5", |b| b.iter(|| est.fit(&xb).expect("fit")));
    let est_l = Alpha::new().names(&lnames);
    g.bench_function("fit sim 100000x50", |b| b.iter(|| est_l.fit(&xl).expect("fit")));
    let cov = est_l.fit(&xl).expect("fit").covariance().clone();
    g.bench_function("fit_cov 50x50 (n = 100000)", |b| {
        b.iter(|| est_l.fit_cov(&cov, 100_000).expect("fit_cov"))
    });
    g.bench_function("MomentAccumulator par 100000x50 (chunks of 10000)", |b| {
        b.iter(|| MomentAccumulator::from_par_chunks(&xl, 10_000).expect("acc"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
