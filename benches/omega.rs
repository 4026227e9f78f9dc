//! ω benchmarks: `Omega::fit` (minres + oblimin + Schmid–Leiman, psych's defaults: 3 group
//! factors) on the 25 bfi items (2 436 complete rows, tests/fixtures/data/bfi25_listwise.csv),
//! from raw data and from the correlation matrix, and the Schmid–Leiman step alone.
//!
//! `benches/r/omega.R` times psych::omega on the same file in the same run:
//!
//! ```text
//! cargo bench --bench omega -- --warm-up-time 1 --measurement-time 3
//! Rscript benches/r/omega.R
//! ```

use criterion::{Criterion, criterion_group, criterion_main};
use surveystat::data::Dataset;
use surveystat::factor::Efa;
use surveystat::moments::{Missing, correlation};
use surveystat::reliability::{Omega, SchmidLeiman};

fn bench(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/data/bfi25_listwise.csv");
    let ds = Dataset::from_csv_path(path).expect("bfi25_listwise.csv");
    let items: Vec<String> = ds.numeric_names().into_iter().filter(|n| n != "rowname").collect();
    let x = ds.select(&items).expect("items");
    let r = correlation(&x, Missing::Listwise).expect("correlation");
    let n = x.nrows();
    let mut g = c.benchmark_group("omega bfi 2436x25");
    g.bench_function("Omega::fit (raw data, 3 factors)", |b| {
        b.iter(|| Omega::new().fit(&x).expect("omega"))
    });
    g.bench_function("Omega::fit_cor (3 factors)", |b| {
        b.iter(|| Omega::new().fit_cor(&r, n).expect("omega"))
    });
    g.bench_function("Omega::fit_cor (5 factors)", |b| {
        b.iter(|| Omega::new().n_factors(5).fit_cor(&r, n).expect("omega"))
    });
    let efa = Efa::new(3).fit_cor(&r, n).expect("efa");
    g.bench_function("SchmidLeiman::from_efa (3 factors)", |b| {
        b.iter(|| SchmidLeiman::from_efa(&efa).expect("schmid"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
